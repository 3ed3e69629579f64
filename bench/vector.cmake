# Vector index benchmarks: kernels and small-index micro-benchmarks (Google Benchmark), plus
# the opt-in corpus run (CODEINDEX_VECTOR_BENCH_N=...; see bench/README.md "vector").
if(TARGET codeindex_vector)
  add_executable(vector_bench ${CMAKE_CURRENT_LIST_DIR}/vector_bench.cc)
  target_link_libraries(vector_bench PRIVATE codeindex_flags codeindex_vector
                        codeindex_vector_synthetic benchmark::benchmark)
endif()
