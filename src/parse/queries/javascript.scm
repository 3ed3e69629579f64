; JavaScript (.js .jsx .json ...): definition captures for chunking (docs/original.md §12).
; Capture names: @definition.<kind> with @name mark symbols; every capture becomes a
; chunking candidate (§4.2), whatever its name.
(
  (comment)* @doc
  .
  (method_definition
    name: (property_identifier) @name) @definition.method
  (#not-eq? @name "constructor")
)
(
  (comment)* @doc
  .
  [
    (class name: (_) @name)
    (class_declaration name: (_) @name)
  ] @definition.class
)
(
  (comment)* @doc
  .
  [
    (function_declaration name: (identifier) @name)
    (generator_function_declaration name: (identifier) @name)
  ] @definition.function
)
(
  (comment)* @doc
  .
  (lexical_declaration
    (variable_declarator
      name: (identifier) @name
      value: [(arrow_function) (function_expression)]) @definition.function)
)
(
  (comment)* @doc
  .
  (variable_declaration
    (variable_declarator
      name: (identifier) @name
      value: [(arrow_function) (function_expression)]) @definition.function)
)
; JSON (parsed with this grammar): objects, arrays and pairs.
(object) @object
(array) @array
(pair
  key: (string) @property.name
  value: [(object) (array) (string) (number) (true) (false) (null)] @property.value) @property
