; Elm (not indexed by the original: it always produced 0 blocks for .elm).
(value_declaration (function_declaration_left (lower_case_identifier) @name)) @definition.function
(type_declaration (upper_case_identifier) @name) @definition.type
(type_alias_declaration (upper_case_identifier) @name) @definition.type
(port_annotation (lower_case_identifier) @name) @definition.function
(import_clause) @import
