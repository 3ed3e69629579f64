# Embedding runtime benchmarks (bench/README.md, section "embed").
if(TARGET codeindex_embed)
  add_executable(embed_bench ${CMAKE_CURRENT_LIST_DIR}/embed_bench.cc)
  target_link_libraries(embed_bench PRIVATE codeindex_flags codeindex_embed codeindex_embed_testing
                        benchmark::benchmark)
  target_compile_definitions(embed_bench PRIVATE CODEINDEX_SOURCE_DIR="${CMAKE_SOURCE_DIR}")
endif()
