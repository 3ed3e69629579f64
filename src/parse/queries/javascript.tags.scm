; JavaScript symbols and imports (codeindex symbols / context).
(class_declaration name: (identifier) @name) @definition.class
(class name: (identifier) @name) @definition.class
(method_definition name: (property_identifier) @name) @definition.method
(function_declaration name: (identifier) @name) @definition.function
(generator_function_declaration name: (identifier) @name) @definition.function
(variable_declarator
  name: (identifier) @name
  value: [(arrow_function) (function_expression)]) @definition.function
(import_statement) @import
(call_expression
  function: (identifier) @_req
  arguments: (arguments (string))
  (#eq? @_req "require")) @import
