; C: definition captures for chunking (docs/original.md §12). As in the original, a
; function_definition contributes only its name: bodies are never captured.
(declaration
  type: (_)? @type
  declarator: (_)? @declarator) @declaration
(function_declarator
  declarator: (identifier) @name
  parameters: (parameter_list) @parameters) @definition.function
(function_definition
  declarator: (function_declarator declarator: (identifier) @name.function))
(struct_specifier name: (type_identifier) @name body: (_)) @definition.struct
(union_specifier name: (type_identifier) @name body: (_)) @definition.struct
(enum_specifier name: (type_identifier) @name) @definition.enum
(type_definition declarator: (type_identifier) @name) @definition.type
(declaration declarator: (init_declarator declarator: (identifier) @name)) @definition.variable
(preproc_def name: (identifier) @name) @definition.constant
(preproc_function_def name: (identifier) @name) @definition.macro
