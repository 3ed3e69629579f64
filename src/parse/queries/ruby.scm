; Ruby: definition captures for chunking (docs/original.md §12).
(method name: (_) @name) @definition.method
(singleton_method name: (_) @name) @definition.method
(alias) @alias
(class name: [(constant) (scope_resolution)] @name) @definition.class
(singleton_class) @singleton_class
(module name: [(constant) (scope_resolution)] @name) @definition.module
(assignment left: (constant) @name) @definition.constant
(global_variable) @variable
(instance_variable) @variable
(class_variable) @variable
(simple_symbol) @symbol
(hash_key_symbol) @symbol
(block) @block
(do_block) @block
(call
  method: (identifier) @mixin
  (#any-of? @mixin "include" "extend" "prepend")) @mixin_call
(call
  method: (identifier) @attr
  (#any-of? @attr "attr_accessor" "attr_reader" "attr_writer")) @attr_call
(call
  method: (identifier) @macro
  (#any-of? @macro "has_many" "belongs_to" "has_one" "validates" "scope" "before_action" "after_action")) @rails_macro
(begin) @begin
(rescue) @rescue
(ensure) @ensure
(keyword_parameter) @parameter
(splat_parameter) @parameter
(hash_splat_parameter) @parameter
(splat_argument) @argument
(pair) @pair
(assignment right: (string (interpolation))) @interpolation
(assignment right: (regex)) @regex
(case_match) @case_match
(in_clause) @in_clause
(hash (pair key: (hash_key_symbol) !value)) @shorthand_hash
(program) @program
(comment) @comment
