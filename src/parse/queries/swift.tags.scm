; Swift symbols and imports (Swift is line-chunked like the original; symbols use the grammar).
(class_declaration name: (type_identifier) @name) @definition.class
(protocol_declaration name: (type_identifier) @name) @definition.interface
(function_declaration name: (simple_identifier) @name) @definition.function
(protocol_function_declaration name: (simple_identifier) @name) @definition.method
(init_declaration) @definition.method
(typealias_declaration name: (type_identifier) @name) @definition.type
(property_declaration name: (pattern (simple_identifier) @name)) @definition.variable
(import_declaration) @import
