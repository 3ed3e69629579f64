# server_request_fuzz: what HTTP and MCP clients send (src/server/request.h, compress.h).
if(TARGET codeindex_server)
  add_executable(server_request_fuzz ${CMAKE_CURRENT_LIST_DIR}/server_request_fuzz.cc)
  target_compile_options(server_request_fuzz PRIVATE -fsanitize=fuzzer)
  target_link_options(server_request_fuzz PRIVATE -fsanitize=fuzzer)
  target_link_libraries(server_request_fuzz PRIVATE codeindex_flags codeindex_server)
endif()
