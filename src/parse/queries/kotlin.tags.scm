; Kotlin symbols and imports.
(class_declaration (type_identifier) @name) @definition.class
(object_declaration (type_identifier) @name) @definition.class
(function_declaration (simple_identifier) @name) @definition.function
(type_alias (type_identifier) @name) @definition.type
(property_declaration (variable_declaration (simple_identifier) @name)) @definition.variable
(import_header) @import
