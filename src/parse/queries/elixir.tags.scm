; Elixir symbols and imports.
(call
  target: (identifier) @_kw
  (arguments (alias) @name)
  (#any-of? @_kw "defmodule" "defprotocol" "defimpl")) @definition.module
(call
  target: (identifier) @_kw
  (arguments [(identifier) @name (call target: (identifier) @name) (binary_operator left: (call target: (identifier) @name))])
  (#any-of? @_kw "def" "defp" "defmacro" "defmacrop" "defguard" "defguardp" "defdelegate")) @definition.function
(call
  target: (identifier) @_kw
  (#any-of? @_kw "import" "alias" "use" "require")) @import
