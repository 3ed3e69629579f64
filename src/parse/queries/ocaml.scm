; OCaml: definition captures for chunking (docs/original.md §12).
(module_definition (module_binding (module_name) @name)) @definition.module
(type_definition (type_binding name: (type_constructor) @name)) @definition.type
(value_definition (let_binding pattern: (value_name) @name (parameter))) @definition.function
(value_definition (let_binding pattern: (value_name) @name)) @definition.variable
(class_definition (class_binding (class_name) @name)) @definition.class
(method_definition (method_name) @name) @definition.method
