# Parse stage corpus benchmark: parse+chunk throughput against raw tree-sitter parsing of
# the same files in the same run, symbol extraction time, peak RSS. See bench/README.md.
if(TARGET codeindex_parse)
  add_executable(parse_bench "${CMAKE_CURRENT_SOURCE_DIR}/parse_bench.cc")
  target_link_libraries(parse_bench PRIVATE codeindex_flags codeindex_parse)
endif()
