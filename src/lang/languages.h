// Language knowledge shared by the scanner (which files to index) and the parser (how to
// cut them): the table of supported file extensions and, for each, the language and the
// chunking route. Data only; no tree-sitter here, so the scanner stays light.
//
// The first 41 entries are the original's list (docs/original.md §3), in its order;
// entries after them are this project's additions. Extensions are compared lower-cased and
// include the leading dot.
//
// Thread safety: everything here is immutable after static initialisation.
#ifndef CODEINDEX_LANG_LANGUAGES_H_
#define CODEINDEX_LANG_LANGUAGES_H_

#include <span>
#include <string>
#include <string_view>

namespace codeindex {

// How the parser turns a file of this extension into blocks (docs/original.md §3 routing order).
enum class ChunkRoute {
  kTreeSitter,  // grammar + definition query (§4.2)
  kMarkdown,    // header splitter (§4.4)
  kFallback,    // line chunker only (§4.3), as the original does for .vb .scala .swift
  kNone,        // in the list but always 0 blocks in the original (.ejs .erb .htm .elm quirks)
};

struct LanguageEntry {
  std::string_view extension;  // ".py"
  // Grammar name ("python"), also used for symbols; empty when there is none. A language
  // may have a grammar and still be chunked by lines (swift, scala: route kFallback).
  std::string_view language;
  ChunkRoute route;  // what this project does (see docs/FIDELITY.md where it differs)
  bool original;     // true for the original's 41 extensions
  // What the original does (docs/original.md §3); equal to `route` except for the quirks this
  // project fixes (.htm .elm .ejs .erb: 0 blocks in the original). ParseOptions::compat
  // selects this one.
  ChunkRoute original_route;
};

// All supported extensions, the original's 41 first.
std::span<const LanguageEntry> Languages();

// The entry for `path`'s extension (compared lower-cased), or nullptr if not supported.
const LanguageEntry* LanguageForPath(std::string_view path);

// Lower-cased extension of the last path component including the dot (".py"), or "" when
// the name has no dot. A leading dot alone (".bashrc") is not an extension.
std::string ExtensionOf(std::string_view path);

}  // namespace codeindex

#endif  // CODEINDEX_LANG_LANGUAGES_H_
