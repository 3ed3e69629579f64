; Rust: definition captures for chunking (docs/original.md §12).
(function_item name: (identifier) @name) @definition.function
(struct_item name: (type_identifier) @name) @definition.struct
(enum_item name: (type_identifier) @name) @definition.enum
(trait_item name: (type_identifier) @name) @definition.interface
(impl_item type: (type_identifier) @name !trait) @definition.impl
(impl_item trait: (type_identifier) @trait_name type: (type_identifier) @name) @definition.impl
(impl_item body: (declaration_list (function_item name: (identifier) @method_name))) @impl_methods
(mod_item name: (identifier) @name) @definition.module
(macro_definition name: (identifier) @name) @definition.macro
(attribute_item) @attribute
(type_item name: (type_identifier) @name) @definition.type
(const_item name: (identifier) @name) @definition.constant
(static_item name: (identifier) @name) @definition.constant
(use_declaration) @import
(lifetime) @lifetime
(where_clause) @where
(match_expression) @match
(unsafe_block) @unsafe
