; Elixir: definition captures for chunking (docs/original.md §12).
(call
  target: (identifier) @keyword
  (arguments (alias) @name)
  (#any-of? @keyword "defmodule" "defprotocol" "defimpl")) @definition.module
(call
  target: (identifier) @keyword
  (arguments [(identifier) @name (call target: (identifier) @name) (binary_operator left: (call target: (identifier) @name))])
  (#any-of? @keyword "def" "defp" "defmacro" "defmacrop" "defguard" "defguardp" "defdelegate")) @definition.function
(call
  target: (identifier) @keyword
  (#eq? @keyword "defstruct")) @definition.struct
(unary_operator
  operator: "@"
  operand: (call target: (identifier) @attr_name)
  (#eq? @attr_name "callback")) @callback
(call
  target: (identifier) @keyword
  (arguments (string))
  (#eq? @keyword "test")) @test
(call
  target: (identifier) @keyword
  (#eq? @keyword "for")) @for
(sigil) @sigil
(unary_operator
  operator: "@"
  operand: (call target: (identifier) @attribute_name)) @attribute
(binary_operator operator: "|>") @pipeline
