// Symbol extraction from an already parsed tree, shared by ExtractSymbols (symbols.h) and
// ParseFile (parser.h), which parses once for both blocks and symbols. Internal.
#ifndef CODEINDEX_PARSE_TREE_SYMBOLS_H_
#define CODEINDEX_PARSE_TREE_SYMBOLS_H_

#include <string_view>

#include "parse/grammars.h"
#include "parse/symbols.h"

namespace codeindex::parse_internal {

// Fills *out (language, symbols, imports) from `tree`, parsed from valid UTF-8 `text`.
void SymbolsFromTree(const LanguageRuntime& runtime, const TSTree* tree, std::string_view text,
                     FileSymbols* out);

}  // namespace codeindex::parse_internal

#endif  // CODEINDEX_PARSE_TREE_SYMBOLS_H_
