# Stream stage (src/stream/): SSE parsing throughput and allocations per event on a 100 MB
# stream, zstd with reused contexts. See the "stream" section of README.md.
if(TARGET codeindex_stream)
  add_executable(stream_bench ${CMAKE_CURRENT_LIST_DIR}/stream_bench.cc)
  target_link_libraries(stream_bench PRIVATE codeindex_flags codeindex_stream benchmark::benchmark)
endif()
