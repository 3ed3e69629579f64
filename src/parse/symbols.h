// Symbols (definitions) and imports of one file, and the context of a line range: the
// second half of the parse stage's contract (the first is parser.h).
//
// Definitions come from a tags query per language (queries/<lang>.tags.scm, or the chunk
// query queries/<lang>.scm when there is none): a capture `@definition.<kind>` marks the
// definition node and `@name` (in the same match) its name, as tree-sitter's tags engine
// does; a capture `@import` marks an import/include/use statement. Kinds are normalised to
// function, method, class, struct, interface, enum, type, constant, variable, property,
// macro, module; a function directly inside a class-like definition is a method.
//
// JSON shapes (docs/interface.md; fields may be added, never renamed):
//   symbols: {"file_path", "language", "symbols": [{"name", "kind", "start_line", "end_line",
//             "scope"?}], "imports": [{"text", "line"}]}
//   context: {"file_path", "start_line", "end_line", "content",
//             "enclosing": [{"name", "kind", "start_line", "end_line", "signature"}],
//             "imports": [{"text", "line"}]}
//   `scope` is the dotted path of the enclosing definitions ("Greeter", "A.B"), absent at
//   top level; `enclosing` lists the definitions containing the whole range, outermost
//   first; `signature` is the first line of the definition, trimmed.
//
// Thread safety: all functions may be called concurrently (see parser.h).
#ifndef CODEINDEX_PARSE_SYMBOLS_H_
#define CODEINDEX_PARSE_SYMBOLS_H_

#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace codeindex {

struct Symbol {
  std::string name;
  std::string kind;    // function, method, class, ...
  int start_line = 0;  // 1-based, inclusive
  int end_line = 0;
  std::string scope;      // "Outer.Inner", or "" at top level
  std::string signature;  // first line of the definition, trimmed
  uint32_t start_byte = 0, end_byte = 0;
};

struct Import {
  std::string text;  // the statement as written (multi-line statements kept whole)
  int line = 0;      // 1-based line where it starts
};

struct FileSymbols {
  std::string language;         // "" when the extension has no grammar (no symbols)
  std::vector<Symbol> symbols;  // in source order (by start, outer before inner)
  std::vector<Import> imports;  // in source order
};

struct SymbolOptions {
  uint32_t parse_timeout_ms = 10000;  // as ParseOptions::parse_timeout_ms
};

// Symbols and imports of `content` (raw bytes), the language chosen by `path`'s extension.
// Unsupported extension: OK with an empty result and empty language.
Result<FileSymbols> ExtractSymbols(std::string_view path, std::string_view content,
                                   const SymbolOptions& options = {});

struct Context {
  int start_line = 0, end_line = 0;  // as requested, clamped to nothing (validated instead)
  std::string content;               // lines start_line..end_line joined with '\n'
  std::vector<Symbol> enclosing;     // outermost first
  std::vector<Import> imports;
};

// The context of lines [start_line, end_line] of `content`.
// kInvalidArgument if start_line < 1, end_line < start_line or end_line > the line count.
Result<Context> ExtractContext(std::string_view path, std::string_view content, int start_line,
                               int end_line, const SymbolOptions& options = {});
// The same from the file's symbols already extracted (ExtractSymbols of the same content),
// so that a caller holding them (a cache) does not parse again.
Result<Context> ExtractContext(std::string_view path, std::string_view content, int start_line,
                               int end_line, const FileSymbols& symbols);

}  // namespace codeindex

#endif  // CODEINDEX_PARSE_SYMBOLS_H_
