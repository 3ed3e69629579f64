; TOML: definition captures for chunking (docs/original.md §12).
(table) @definition.module
(table_array_element) @definition.module
(pair) @pair
(array) @array
(inline_table) @inline_table
(string) @string
(integer) @integer
(float) @float
(boolean) @boolean
(offset_date_time) @datetime
(local_date) @date
(local_time) @time
