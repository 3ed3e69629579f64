# Chunker fuzzer (clang preset `fuzz`): build/fuzz/fuzz/chunker_fuzz [corpus dir]
add_executable(chunker_fuzz "${CMAKE_CURRENT_SOURCE_DIR}/chunker_fuzz.cc")
target_compile_options(chunker_fuzz PRIVATE -fsanitize=fuzzer)
target_link_options(chunker_fuzz PRIVATE -fsanitize=fuzzer)
target_link_libraries(chunker_fuzz PRIVATE codeindex_flags codeindex_parse)
# Coverage feedback from the code under test, not only from the harness.
target_compile_options(codeindex_parse PRIVATE -fsanitize=fuzzer-no-link)
