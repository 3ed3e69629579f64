; Lua symbols and requires.
(function_definition_statement name: (identifier) @name) @definition.function
(function_definition_statement name: (variable) @name) @definition.method
(local_function_definition_statement name: (identifier) @name) @definition.function
(call
  function: (variable name: (identifier) @_req)
  (#eq? @_req "require")) @import
