; TLA+: definition captures for chunking (docs/original.md §12).
(module name: (identifier) @name) @definition.module
(operator_definition name: (_) @name) @definition.function
(function_definition name: (identifier) @name) @definition.function
(variable_declaration (identifier) @name) @definition.variable
(constant_declaration (identifier) @name) @definition.constant
