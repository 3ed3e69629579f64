# Watcher latency: edit -> searchable on a real-sized workspace, with the anchor (a full
# index run with nothing changed) measured in the same run.
# Run: build/release/bench/watch_bench   (see bench/README.md, "watch", for the options)
if(TARGET codeindex_watch)
  add_executable(watch_bench ${CMAKE_CURRENT_LIST_DIR}/watch_bench.cc)
  target_link_libraries(watch_bench PRIVATE codeindex_flags codeindex_watch codeindex_index
                        codeindex_text codeindex_scan)
endif()
