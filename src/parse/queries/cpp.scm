; C++: definition captures for chunking (docs/original.md §12).
(struct_specifier name: (type_identifier) @name body: (_)) @definition.struct
(union_specifier name: (type_identifier) @name body: (_)) @definition.struct
(class_specifier name: (type_identifier) @name body: (_)) @definition.class
(declaration
  declarator: (function_declarator declarator: (identifier) @name)) @definition.function
(function_definition
  declarator: (function_declarator declarator: (identifier) @name)) @definition.function
(function_definition
  declarator: (function_declarator declarator: (field_identifier) @name)) @definition.method
(function_definition
  declarator: (function_declarator
    declarator: (qualified_identifier name: (identifier) @name))) @definition.method
(function_definition
  declarator: (function_declarator
    declarator: (qualified_identifier name: (destructor_name) @name))) @definition.method
(function_definition
  declarator: (function_declarator declarator: (destructor_name) @name)) @definition.method
(function_definition
  declarator: (function_declarator declarator: (operator_name) @name)) @definition.method
(type_definition declarator: (type_identifier) @name) @definition.type
(enum_specifier name: (type_identifier) @name) @definition.enum
(namespace_definition name: (namespace_identifier) @name) @definition.module
(namespace_definition
  body: (declaration_list (namespace_definition name: (namespace_identifier) @name))) @namespace
(template_declaration
  (class_specifier name: (type_identifier) @name)) @definition.class
(preproc_function_def name: (identifier) @name) @definition.macro
(declaration declarator: (init_declarator declarator: (identifier) @name)) @definition.variable
(friend_declaration) @friend
(using_declaration) @import
