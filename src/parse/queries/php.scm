; PHP: definition captures for chunking (docs/original.md §12).
(class_declaration name: (name) @name) @definition.class
(interface_declaration name: (name) @name) @definition.interface
(trait_declaration name: (name) @name) @definition.interface
(enum_declaration name: (name) @name) @definition.enum
(function_definition name: (name) @name) @definition.function
(method_declaration name: (name) @name) @definition.method
(arrow_function) @arrow
(property_declaration) @property
(property_promotion_parameter) @property
(const_declaration) @definition.constant
(namespace_definition name: (namespace_name) @name) @definition.module
(namespace_use_declaration) @import
(object_creation_expression (anonymous_class)) @anonymous_class
(attribute_group) @attribute
(match_expression) @match
(heredoc) @heredoc
(nowdoc) @nowdoc
