; Emacs Lisp: definition captures for chunking (docs/original.md §12).
(function_definition name: (symbol) @name) @definition.function
(macro_definition name: (symbol) @name) @definition.macro
(list
  .
  (symbol) @def_kind
  .
  (symbol) @name
  (#any-of? @def_kind "defcustom" "defface" "defgroup" "defadvice")
  (#not-match? @name "^;")) @definition.variable
