; Lua: definition captures for chunking (docs/original.md §12).
(function_definition_statement name: (identifier) @name) @definition.function
(function_definition_statement name: (variable) @name) @definition.method
(local_function_definition_statement name: (identifier) @name) @definition.function
(local_variable_declaration
  (variable_list (variable name: (identifier) @name))
  (expression_list value: (table))) @definition.variable
(variable_assignment) @assignment
(local_variable_declaration) @local
