# text_bench: analyzer throughput, Xapian vs SQLite FTS5 vs TextIndex vs ripgrep on one code
# corpus, and the ranking experiments behind text_index.h. See bench/README.md, "text".
if(TARGET codeindex_text)
  find_package(SQLite3 REQUIRED)
  add_executable(text_bench ${CMAKE_CURRENT_LIST_DIR}/text_bench.cc)
  target_link_libraries(text_bench PRIVATE codeindex_flags codeindex_text SQLite::SQLite3
                                           Threads::Threads)
endif()
