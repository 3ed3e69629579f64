; Vue single-file components: definition captures for chunking (docs/original.md §12).
(component) @component
(template_element) @template
(script_element) @script
(script_element (raw_text) @script_content)
(style_element) @style
(style_element (raw_text) @style_content)
(element (start_tag (tag_name) @tag_name))
(attribute (attribute_name) @attribute_name)
(directive_attribute (directive_name) @directive_name)
