# Fuzzes the model-file readers: safetensors headers and tokenizer.json documents.
if(TARGET codeindex_embed)
  add_executable(embed_fuzz ${CMAKE_CURRENT_LIST_DIR}/embed_fuzz.cc)
  target_link_libraries(embed_fuzz PRIVATE codeindex_flags codeindex_embed)
  target_compile_options(embed_fuzz PRIVATE -fsanitize=fuzzer)
  target_link_options(embed_fuzz PRIVATE -fsanitize=fuzzer)
endif()
