; Haskell (an addition).
(function name: (variable) @name) @definition.function
(signature name: (variable) @name) @definition.function
(data_type name: (name) @name) @definition.type
(newtype name: (name) @name) @definition.type
(type_synomym name: (name) @name) @definition.type
(class name: (name) @name) @definition.interface
(instance) @instance
(import) @import
