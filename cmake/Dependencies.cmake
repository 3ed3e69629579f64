# Finds every third-party dependency in one place. Debian's -dev packages (installed by
# scripts/setup) for libraries; pinned npm sources (third_party/npm, fetched by scripts/setup)
# for tree-sitter and its grammars.
find_package(Threads REQUIRED)
find_package(OpenSSL REQUIRED)
find_package(fmt REQUIRED)
find_package(nlohmann_json REQUIRED)
find_package(CLI11 REQUIRED)
if(CODEINDEX_BUILD_TESTS)
  find_package(GTest REQUIRED)
endif()
if(CODEINDEX_BUILD_BENCH)
  find_package(benchmark REQUIRED)
endif()

if(NOT EXISTS "${CODEINDEX_THIRD_PARTY}/tree-sitter@0.25.1/vendor/tree-sitter/lib/src/lib.c")
  message(FATAL_ERROR "tree-sitter sources missing in ${CODEINDEX_THIRD_PARTY}: run scripts/setup")
endif()
