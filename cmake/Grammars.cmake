# tree-sitter core and grammars, compiled from the pinned npm sources (deps/npm.lock) that
# scripts/setup unpacked into CODEINDEX_THIRD_PARTY.
#
# Third-party C is compiled with its own flags: always -O2 without debug info, without our
# warnings or sanitizers (the top-level CODEINDEX_SANITIZE flags are removed per target),
# so that a debug build parses at release speed and the 100+ MB of generated parser tables
# are compiled once per build tree. Each grammar is one static library; the language table
# below is the only place that names them.
#
# Defines:
#   tree_sitter_core               the runtime (lib.c, one translation unit)
#   codeindex_grammars             interface target linking every grammar library
#   CODEINDEX_GRAMMAR_NAMES        list of language names (the key used in src/parse)
#   codeindex_generate_grammar_table(OUT)  writes a .cc with the language table

set(_ts "${CODEINDEX_THIRD_PARTY}")

# name | package folder under third_party/npm | src folder inside it | C symbol suffix
set(CODEINDEX_GRAMMARS
  "tlaplus|@tlaplus/tree-sitter-tlaplus@1.5.0|src|tlaplus"
  "javascript|tree-sitter-javascript@0.25.0|src|javascript"
  "typescript|tree-sitter-typescript@0.23.2|typescript/src|typescript"
  "tsx|tree-sitter-typescript@0.23.2|tsx/src|tsx"
  "vue|tree-sitter-vue@0.2.1|src|vue"
  "python|tree-sitter-python@0.25.0|src|python"
  "rust|tree-sitter-rust@0.24.0|src|rust"
  "go|tree-sitter-go@0.25.0|src|go"
  "c|tree-sitter-c@0.24.1|src|c"
  "cpp|tree-sitter-cpp@0.23.4|src|cpp"
  "c_sharp|tree-sitter-c-sharp@0.23.5|src|c_sharp"
  "ruby|tree-sitter-ruby@0.23.1|src|ruby"
  "java|tree-sitter-java@0.23.5|src|java"
  "php|tree-sitter-php@0.24.2|php/src|php"
  "solidity|tree-sitter-solidity@1.2.13|src|solidity"
  "kotlin|tree-sitter-kotlin@0.3.8|src|kotlin"
  "elixir|tree-sitter-elixir@0.3.5|src|elixir"
  "elisp|tree-sitter-elisp@1.7.2|src|elisp"
  "html|tree-sitter-html@0.23.2|src|html"
  "css|tree-sitter-css@0.25.0|src|css"
  "systemrdl|tree-sitter-systemrdl@0.7.0|src|systemrdl"
  "ocaml|tree-sitter-ocaml@0.24.2|grammars/ocaml/src|ocaml"
  "ocaml_interface|tree-sitter-ocaml@0.24.2|grammars/interface/src|ocaml_interface"
  "lua|tree-sitter-lua@2.1.3|src|lua"
  "toml|@tree-sitter-grammars/tree-sitter-toml@0.7.0|src|toml"
  "zig|@tree-sitter-grammars/tree-sitter-zig@1.1.2|src|zig"
  "embedded_template|tree-sitter-embedded-template@0.25.0|src|embedded_template"
  "swift|tree-sitter-swift@0.7.1|src|swift"
  "scala|tree-sitter-scala@0.24.0|src|scala"
  "bash|tree-sitter-bash@0.25.1|src|bash"
  "yaml|@tree-sitter-grammars/tree-sitter-yaml@0.7.1|src|yaml"
  "dart|tree-sitter-dart@1.0.0|src|dart"
  "haskell|tree-sitter-haskell@0.23.1|src|haskell"
  "elm|@elm-tooling/tree-sitter-elm@5.9.4|src|elm"
)

# Third-party flags: optimised, no debug info, no sanitizers, no warnings.
function(_codeindex_third_party_flags target)
  set_property(TARGET ${target} PROPERTY COMPILE_OPTIONS -O2 -g0 -w)
  set_property(TARGET ${target} PROPERTY POSITION_INDEPENDENT_CODE ON)
endfunction()

set(_ts_lib "${_ts}/tree-sitter@0.25.1/vendor/tree-sitter/lib")
add_library(tree_sitter_core STATIC "${_ts_lib}/src/lib.c")
target_include_directories(tree_sitter_core SYSTEM PUBLIC "${_ts_lib}/include"
                           PRIVATE "${_ts_lib}/src")
target_compile_definitions(tree_sitter_core PRIVATE _DEFAULT_SOURCE _BSD_SOURCE)
_codeindex_third_party_flags(tree_sitter_core)

add_library(codeindex_grammars INTERFACE)
set(CODEINDEX_GRAMMAR_NAMES "")
foreach(entry ${CODEINDEX_GRAMMARS})
  string(REPLACE "|" ";" fields "${entry}")
  list(GET fields 0 name)
  list(GET fields 1 pkg)
  list(GET fields 2 sub)
  set(dir "${_ts}/${pkg}/${sub}")
  if(NOT EXISTS "${dir}/parser.c")
    message(FATAL_ERROR "grammar ${name}: ${dir}/parser.c missing: run scripts/setup")
  endif()
  set(srcs "${dir}/parser.c")
  foreach(scanner scanner.c scanner.cc)
    if(EXISTS "${dir}/${scanner}")
      list(APPEND srcs "${dir}/${scanner}")
    endif()
  endforeach()
  add_library(grammar_${name} STATIC ${srcs})
  target_include_directories(grammar_${name} SYSTEM PRIVATE "${dir}")
  # tree-sitter-vue's C++ scanner includes tree-sitter-html's scanner, whose exported
  # symbols would collide with the html grammar's own scanner (and silently replace it at
  # link time): give vue's copy private names.
  if(name STREQUAL "lua")
    set(fix "${CMAKE_SOURCE_DIR}/cmake/grammar_fixes")
    target_sources(grammar_${name} PRIVATE "${fix}/lua_scanner_fix.c")
    set_source_files_properties("${dir}/scanner.c" PROPERTIES
      COMPILE_OPTIONS "-include;${fix}/lua_scanner_fix.h")
  endif()
  if(name STREQUAL "vue")
    foreach(fn create destroy serialize deserialize scan)
      target_compile_definitions(grammar_${name} PRIVATE
        tree_sitter_html_external_scanner_${fn}=tree_sitter_vue_html_external_scanner_${fn})
    endforeach()
  endif()
  _codeindex_third_party_flags(grammar_${name})
  target_link_libraries(codeindex_grammars INTERFACE grammar_${name})
  list(APPEND CODEINDEX_GRAMMAR_NAMES ${name})
endforeach()
target_link_libraries(codeindex_grammars INTERFACE tree_sitter_core)

# Writes CONTENT to OUT only when it differs, so that reconfiguring rebuilds nothing.
function(_codeindex_write_if_changed out content)
  if(EXISTS "${out}")
    file(READ "${out}" old)
    if(old STREQUAL content)
      return()
    endif()
  endif()
  file(WRITE "${out}" "${content}")
endfunction()

# Writes OUT: extern "C" declarations and the table {name, tree_sitter_<symbol>} in the
# order of CODEINDEX_GRAMMARS.
function(codeindex_generate_grammar_table out)
  set(decls "")
  set(rows "")
  foreach(entry ${CODEINDEX_GRAMMARS})
    string(REPLACE "|" ";" fields "${entry}")
    list(GET fields 0 name)
    list(GET fields 3 sym)
    string(APPEND decls "const TSLanguage* tree_sitter_${sym}(void);\n")
    string(APPEND rows "    {\"${name}\", &tree_sitter_${sym}},\n")
  endforeach()
  _codeindex_write_if_changed("${out}"
"// Generated by cmake/Grammars.cmake from its language table. Do not edit.
#include \"parse/grammars.h\"

extern \"C\" {
${decls}}

namespace codeindex::parse_internal {

const GrammarEntry kGrammarTable[] = {
${rows}};
const size_t kGrammarTableSize = sizeof(kGrammarTable) / sizeof(kGrammarTable[0]);

}  // namespace codeindex::parse_internal
")
endfunction()

# Writes OUT: every queries/*.scm file under DIR as a raw string literal, keyed by file
# name without ".scm" ("python", "python.tags"). Re-run when a query file changes.
function(codeindex_embed_queries dir out)
  file(GLOB scm_files CONFIGURE_DEPENDS "${dir}/*.scm")
  list(SORT scm_files)
  set(rows "")
  foreach(f ${scm_files})
    get_filename_component(key "${f}" NAME)
    string(REGEX REPLACE "\\.scm$" "" key "${key}")
    file(READ "${f}" body)
    string(APPEND rows "    {\"${key}\", R\"codeindex_scm(${body})codeindex_scm\"},\n")
  endforeach()
  set(content "// Generated by cmake/Grammars.cmake from src/parse/queries/*.scm. Do not edit.
#include \"parse/grammars.h\"

namespace codeindex::parse_internal {

const EmbeddedQuery kEmbeddedQueries[] = {
${rows}    {nullptr, nullptr}};

}  // namespace codeindex::parse_internal
")
  _codeindex_write_if_changed("${out}" "${content}")
  set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${scm_files})
endfunction()
