# Scanner benchmarks: ignore matching (micro) and whole scans of a tree.
# Run: build/release/bench/scan_bench   (SCAN_BENCH_DIR=/tmp/codeindex-scan-bench for the
# corpus tree built by bench/scan_compare.sh; otherwise a small synthetic tree is generated).
if(TARGET codeindex_scan)
  add_executable(scan_bench ${CMAKE_CURRENT_LIST_DIR}/scan_bench.cc)
  target_link_libraries(scan_bench PRIVATE codeindex_flags codeindex_scan benchmark::benchmark)
endif()
