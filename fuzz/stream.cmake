# sse_fuzz: the SSE parser and zstd streams (src/stream/stream.h) on arbitrary bytes.
if(TARGET codeindex_stream)
  add_executable(sse_fuzz ${CMAKE_CURRENT_LIST_DIR}/sse_fuzz.cc)
  target_compile_options(sse_fuzz PRIVATE -fsanitize=fuzzer)
  target_link_options(sse_fuzz PRIVATE -fsanitize=fuzzer)
  target_link_libraries(sse_fuzz PRIVATE codeindex_flags codeindex_stream)
  target_compile_options(codeindex_stream PRIVATE -fsanitize=fuzzer-no-link)
endif()
