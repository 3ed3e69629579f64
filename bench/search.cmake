# search_bench: query latency of a workspace index (Searcher) against raw Xapian on the same
# database; driven by bench/index_compare.sh. See bench/README.md, "index".
if(TARGET codeindex_search)
  add_executable(search_bench ${CMAKE_CURRENT_LIST_DIR}/search_bench.cc)
  target_link_libraries(search_bench PRIVATE codeindex_flags codeindex_search codeindex_text
                                             codeindex_index)
endif()
