/* Force-included into tree-sitter-lua 2.1.3's src/scanner.c (cmake/Grammars.cmake).
 *
 * That scanner mallocs its state without initialising it and ignores deserialize(NULL, 0),
 * which tree-sitter calls at the start of every parse to reset the scanner. Under
 * web-tree-sitter the fresh wasm heap is zeroed, so it works there; natively it reads
 * garbage and mis-scans `{` as a string start. We zero the state at creation and reset it
 * on an empty deserialize (lua_scanner_fix.c), without touching the third-party file. */
#include <stdlib.h>
#include <string.h>
#define malloc(n) calloc(1, (n))
#define tree_sitter_lua_external_scanner_deserialize codeindex_lua_scanner_deserialize_original
