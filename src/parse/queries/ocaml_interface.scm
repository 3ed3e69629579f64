; OCaml interfaces (.mli): the OCaml captures that exist in the interface grammar.
(module_definition (module_binding (module_name) @name)) @definition.module
(type_definition (type_binding name: (type_constructor) @name)) @definition.type
(value_specification (value_name) @name) @definition.function
(class_definition (class_binding (class_name) @name)) @definition.class
