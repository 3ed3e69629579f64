; Bash (an addition): functions, and the top-level statements around them.
(function_definition name: (word) @name) @definition.function
(if_statement) @if
(case_statement) @case
(for_statement) @loop
(while_statement) @loop
