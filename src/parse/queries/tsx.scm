; TSX: the TypeScript captures plus JSX ones (docs/original.md §12).
(function_signature name: (identifier) @name) @definition.function
(method_signature name: (property_identifier) @name) @definition.method
(abstract_method_signature name: (property_identifier) @name) @definition.method
(abstract_class_declaration name: (type_identifier) @name) @definition.class
(module name: (identifier) @name) @definition.module
(function_declaration name: (identifier) @name) @definition.function
(method_definition name: (property_identifier) @name) @definition.method
(class_declaration name: (type_identifier) @name) @definition.class
; Test suites: the arguments of describe/test/it calls taking a string and a function.
(call_expression
  function: (identifier) @func_name
  arguments: (arguments
    (string) @test_name
    [(arrow_function) (function_expression)]) @test
  (#match? @func_name "^(describe|test|it)$"))
(expression_statement
  (assignment_expression
    left: (member_expression
      object: (identifier) @obj
      property: (property_identifier) @name)
    right: [(arrow_function) (function_expression)]) @definition.function
  (#eq? @obj "exports"))
(arrow_function) @arrow
(method_definition
  name: (property_identifier) @name
  (#eq? @name "constructor")) @definition.method
(method_definition
  ["get" "set"]
  name: (property_identifier) @name) @definition.method
(switch_statement) @switch
(switch_case) @case
(switch_default) @default
(enum_declaration name: (identifier) @name) @definition.enum
(export_statement
  decorator: (decorator) @decorator) @export
(internal_module name: (identifier) @name) @definition.module
(interface_declaration name: (type_identifier) @name) @definition.interface
(type_alias_declaration name: (type_identifier) @name) @definition.type
(type_alias_declaration
  name: (type_identifier) @name
  value: (generic_type)) @definition.type
(public_field_definition name: (property_identifier) @field_name) @field
(variable_declaration
  (variable_declarator
    name: (identifier) @name
    value: (arrow_function))) @definition.function
; TSX additions.
(function_declaration name: (identifier) @name) @definition.function
(variable_declaration
  (variable_declarator
    name: (identifier) @name
    value: [(arrow_function) (call_expression)])) @definition.function
(export_statement
  (variable_declaration
    (variable_declarator
      name: (identifier) @name
      value: [(arrow_function) (call_expression)]))) @export
(class_declaration name: (type_identifier) @name) @definition.class
(interface_declaration name: (type_identifier) @name) @definition.interface
(type_alias_declaration name: (type_identifier) @name) @definition.type
(jsx_element) @jsx
(jsx_self_closing_element) @jsx
(jsx_expression (identifier) @jsx_identifier) @jsx_expression
(member_expression) @member
(ternary_expression
  consequence: [(jsx_element) (jsx_self_closing_element) (parenthesized_expression)]
  alternative: [(jsx_element) (jsx_self_closing_element) (parenthesized_expression) (null)]) @ternary
