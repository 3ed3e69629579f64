# Token counting (src/tokens/): throughput on a code corpus and vocabulary load time,
# with tiktoken@1.0.21 under node as the anchor. See the "tokens" section of README.md.
if(TARGET codeindex_tokens)
  add_executable(tokens_bench ${CMAKE_CURRENT_LIST_DIR}/tokens_bench.cc)
  target_link_libraries(tokens_bench PRIVATE codeindex_flags codeindex_tokens codeindex_base
                        benchmark::benchmark)
  target_compile_definitions(tokens_bench PRIVATE
    CODEINDEX_TIKTOKEN_DIR="${CODEINDEX_THIRD_PARTY}/tiktoken@1.0.21"
    CODEINDEX_BENCH_SOURCE_DIR="${CMAKE_CURRENT_LIST_DIR}")
endif()
