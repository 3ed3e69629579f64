# analyzer_fuzz: the code-aware analyzer on arbitrary bytes (src/text/analyzer.h).
if(TARGET codeindex_text)
  add_executable(analyzer_fuzz ${CMAKE_CURRENT_LIST_DIR}/analyzer_fuzz.cc)
  target_compile_options(analyzer_fuzz PRIVATE -fsanitize=fuzzer)
  target_link_options(analyzer_fuzz PRIVATE -fsanitize=fuzzer)
  target_link_libraries(analyzer_fuzz PRIVATE codeindex_flags codeindex_text)
endif()
