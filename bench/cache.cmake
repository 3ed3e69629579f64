# cache_bench: key hashes (XXH3 vs BLAKE3 vs SHA-256), eviction policies' hit rates on Zipf and
# agent-session traces, and concurrent throughput against leveldb's sharded LRU cache. BLAKE3
# (Debian's librust-blake3-dev ships its C sources) and leveldb (libleveldb-dev) are measured
# only when present. See bench/README.md, "cache".
if(TARGET codeindex_cache)
  add_executable(cache_bench ${CMAKE_CURRENT_LIST_DIR}/cache_bench.cc)
  target_link_libraries(cache_bench PRIVATE codeindex_flags codeindex_cache codeindex_base
                                            benchmark::benchmark)
  file(GLOB blake3_dirs /usr/share/cargo/registry/blake3-*/c)
  if(blake3_dirs)
    list(GET blake3_dirs 0 blake3_dir)
    add_library(cache_bench_blake3 STATIC ${blake3_dir}/blake3.c ${blake3_dir}/blake3_dispatch.c
      ${blake3_dir}/blake3_portable.c ${blake3_dir}/blake3_sse2_x86-64_unix.S
      ${blake3_dir}/blake3_sse41_x86-64_unix.S ${blake3_dir}/blake3_avx2_x86-64_unix.S
      ${blake3_dir}/blake3_avx512_x86-64_unix.S)
    enable_language(ASM)
    target_include_directories(cache_bench_blake3 PUBLIC ${blake3_dir})
    target_link_libraries(cache_bench PRIVATE cache_bench_blake3)
    target_compile_definitions(cache_bench PRIVATE CODEINDEX_BENCH_BLAKE3=1)
  endif()
  find_library(LEVELDB_LIBRARY leveldb)
  find_path(LEVELDB_INCLUDE_DIR leveldb/cache.h)
  if(LEVELDB_LIBRARY AND LEVELDB_INCLUDE_DIR)
    target_link_libraries(cache_bench PRIVATE ${LEVELDB_LIBRARY})
    target_compile_definitions(cache_bench PRIVATE CODEINDEX_BENCH_LEVELDB=1)
  endif()
endif()

# replay_bench: an agent session replayed with and without the cache, and the memory soak.
if(TARGET codeindex_server)
  add_executable(replay_bench ${CMAKE_CURRENT_LIST_DIR}/replay_bench.cc)
  target_link_libraries(replay_bench PRIVATE codeindex_flags codeindex_server codeindex_parse
                                             nlohmann_json::nlohmann_json)
endif()
