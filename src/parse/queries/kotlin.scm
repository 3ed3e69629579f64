; Kotlin: definition captures for chunking (docs/original.md §12).
(type_alias (type_identifier) @name) @definition.type
(class_declaration (type_identifier) @name) @definition.class
(function_declaration (simple_identifier) @name) @definition.function
(object_declaration (type_identifier) @name) @definition.class
(companion_object) @companion
(primary_constructor) @constructor
(secondary_constructor) @constructor
(property_declaration (variable_declaration (simple_identifier) @name)) @definition.variable
(getter) @accessor
(setter) @accessor
