; Python: definition captures for chunking (docs/original.md §12).
(class_definition name: (identifier) @name) @definition.class
(decorated_definition
  definition: (class_definition name: (identifier) @name)) @definition.class
(decorated_definition
  definition: (function_definition name: (identifier) @name)) @definition.function
(function_definition name: (identifier) @name) @definition.function
; The original also lists generators (a yield statement in the body) and functions with
; global/nonlocal/match statements: those are function_definition nodes the pattern above
; already captures, so they add only duplicate captures (skipped by the queue) and cost
; query time; they are left out.
(expression_statement
  (assignment
    left: (identifier) @name
    right: (parenthesized_expression (lambda)))) @lambda
(expression_statement
  (assignment
    left: (identifier) @name
    right: [(list_comprehension) (dictionary_comprehension) (set_comprehension)])) @comprehension
(expression_statement
  (assignment
    left: (identifier) @name
    type: (type))) @definition.constant
(with_statement) @with
(try_statement) @try
(import_statement) @import
(import_from_statement) @import
(typed_parameter) @parameter
