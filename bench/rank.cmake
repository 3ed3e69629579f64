# rank_tune: ablation of the hybrid ranker's fusion and signals on `codeindex eval` workspaces.
# See bench/README.md, "hybrid".
if(TARGET codeindex_eval AND TARGET codeindex_search)
  add_executable(rank_tune ${CMAKE_CURRENT_LIST_DIR}/rank_tune.cc)
  target_link_libraries(rank_tune PRIVATE codeindex_flags codeindex_eval codeindex_search)
endif()
