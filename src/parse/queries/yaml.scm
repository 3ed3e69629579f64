; YAML (an addition): top-level and nested mappings, sequences of mappings.
(block_mapping_pair key: (_) @name) @definition.property
(block_sequence_item) @item
