; Java: definition captures for chunking (docs/original.md §12).
(module_declaration) @definition.module
(package_declaration) @package
(line_comment) @comment
(class_declaration name: (identifier) @name) @definition.class
(interface_declaration name: (identifier) @name) @definition.interface
(enum_declaration name: (identifier) @name) @definition.enum
(record_declaration name: (identifier) @name) @definition.class
(annotation_type_declaration name: (identifier) @name) @definition.interface
(constructor_declaration name: (identifier) @name) @definition.method
(method_declaration name: (identifier) @name) @definition.method
(class_declaration
  body: (class_body (class_declaration name: (identifier) @inner_name))) @nested_class
(lambda_expression) @lambda
(field_declaration) @field
(import_declaration) @import
(type_parameters) @type_parameters
