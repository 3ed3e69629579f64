; Go: definition captures for chunking (docs/original.md §12).
(function_declaration name: (identifier) @name) @definition.function
(method_declaration name: (field_identifier) @name) @definition.method
(type_declaration (type_spec name: (type_identifier) @name)) @definition.type
(var_declaration (var_spec name: (identifier) @name)) @definition.variable
(const_declaration (const_spec name: (identifier) @name)) @definition.constant
(package_clause (package_identifier) @name) @definition.module
(import_declaration) @import
