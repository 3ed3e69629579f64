; Bash symbols and sourced files.
(function_definition name: (word) @name) @definition.function
(command
  name: (command_name (word) @_src)
  (#any-of? @_src "source" ".")) @import
