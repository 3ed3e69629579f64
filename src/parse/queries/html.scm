; HTML: definition captures for chunking (docs/original.md §12).
(document) @document
(element
  (start_tag (tag_name) @tag_name)
  (#not-any-of? @tag_name "script" "style")) @element
(script_element) @script
(style_element) @style
(attribute) @attribute
(comment) @comment
(text) @text
(raw_text) @raw_text
(element
  (start_tag (tag_name) @void_tag)
  (#any-of? @void_tag "area" "base" "br" "col" "embed" "hr" "img" "input" "link" "meta" "source" "track" "wbr")) @void_element
(self_closing_tag) @self_closing_tag
(doctype) @doctype
(element (element) @child) @parent_element
