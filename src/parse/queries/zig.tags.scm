; Zig symbols and imports.
(function_declaration name: (identifier) @name) @definition.function
(variable_declaration (identifier) @name (struct_declaration)) @definition.struct
(variable_declaration (identifier) @name (enum_declaration)) @definition.enum
(variable_declaration (identifier) @name (union_declaration)) @definition.struct
(variable_declaration
  (identifier) @name
  (builtin_function (builtin_identifier) @_imp (#eq? @_imp "@import"))) @import
