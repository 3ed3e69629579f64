; CSS: as in the original, only names matching test strings are captured, so real
; stylesheets have no captures and are line-chunked.
(rule_set
  (selectors (class_selector (class_name) @name))
  (#match? @name "test-.*-definition")) @definition.class
(keyframes_statement
  (keyframes_name) @name
  (#match? @name "test-.*-definition")) @definition.class
(declaration
  (property_name) @name
  (#match? @name "test-.*-definition")) @definition.variable
(import_statement
  (string_value) @name
  (#match? @name "test-.*-definition")) @import
