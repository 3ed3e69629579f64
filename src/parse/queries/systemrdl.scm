; SystemRDL: definition captures for chunking (docs/original.md §12).
(component_named_def (id) @name) @definition.class
(component_anon_def
  (component_body (component_body_elem (property_assignment)))) @component
(property_definition (id) @name) @definition.type
(component_inst (id) @name) @definition.variable
(enum_def (id) @name) @definition.enum
