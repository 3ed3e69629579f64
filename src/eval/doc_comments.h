// Documentation of definitions: which symbols of a file carry a doc comment or docstring,
// where it sits, and its text cleaned into prose. Used by `codeindex eval` (the doc's first
// sentence becomes a query, the doc is stripped from a copy of the file) and by the
// training-corpus tool of the default embedding model (train/corpus.cc: (doc, code) pairs).
//
// Symbols come from the parse stage (parse/symbols.h); the doc is found next to them by
// language-aware line rules, not by the grammar, so that every language with a tags query
// gets docs from the same few rules:
//
//   docstring  (python) the first statement of the body when it is a string literal on
//              lines of its own: `def f():\n    """Doc."""`.
//   above      (every other language with a known comment syntax) the comment lines right
//              above the definition, with no blank line between: a run of line comments
//              (`//`, `///`, `#`, `--`) or one block comment ending on the line above
//              (`/** ... */`). Attribute and annotation lines between the comment and the
//              definition (`#[inline]`, `@Override`, `//go:noinline`) are skipped over.
//              Rust's inner docs (`//!`), shebangs and encoding/lint pragmas are not docs.
//
// Cleaning: comment markers and the leading `*` of block comments are removed; the text
// stops at the first section that is not prose (Javadoc/JSDoc block tags `@param`, Rust
// and Markdown headings `# Examples`, code fences, doctest `>>>`, reST fields `:param`,
// Google/NumPy sections `Args:`, `Returns:`, `Parameters`); inline markup is unwrapped
// (`{@code x}` -> x, `{@link A#b label}` -> label, HTML tags dropped, `&lt;` -> <,
// Markdown backticks and link targets dropped). Paragraphs are separated by one blank line,
// lines inside a paragraph joined by single spaces.
//
// Thread safety: pure functions.
#ifndef CODEINDEX_EVAL_DOC_COMMENTS_H_
#define CODEINDEX_EVAL_DOC_COMMENTS_H_

#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "parse/symbols.h"

namespace codeindex {

struct DocumentedSymbol {
  Symbol symbol;
  std::string doc;          // cleaned prose (see the file comment); never empty
  bool doc_inside = false;  // true for a docstring inside the definition (python)
  // The whole lines holding the doc comment or docstring, 1-based inclusive, and their
  // bytes in the file (from the start of the first line to just after the last line's
  // newline, or to the end of the file).
  int doc_start_line = 0;
  int doc_end_line = 0;
  size_t doc_start_byte = 0;
  size_t doc_end_byte = 0;
  // Bytes of the whole definition lines: from the start of symbol.start_line to the end
  // of symbol.end_line (newline included).
  size_t code_start_byte = 0;
  size_t code_end_byte = 0;
};

// The comment syntax the rules above use for a language ("python", "go", ...; see
// LanguageNameForPath). kNone: the language is not supported (no docs are found).
enum class DocStyle { kNone, kDocstring, kSlashes, kHash, kDashes };
DocStyle DocStyleFor(std::string_view language);

// The symbols of `content` that have a doc, in source order. `path` picks the language.
// Errors are those of ExtractSymbols (a parse timeout); an unsupported language is OK and
// empty.
Result<std::vector<DocumentedSymbol>> ExtractDocumentedSymbols(std::string_view path,
                                                               std::string_view content);

// The same for symbols already extracted from `content` (ExtractSymbols(path, content)), so
// that a caller that needs the symbols too parses the file once.
std::vector<DocumentedSymbol> DocumentedSymbolsOf(std::string_view path, std::string_view content,
                                                  FileSymbols symbols);

// The definition's text with its doc removed: the lines code_start_byte..code_end_byte,
// minus the docstring lines when the doc is inside.
std::string CodeWithoutDoc(std::string_view content, const DocumentedSymbol& d);

// The first sentence of a cleaned doc: up to the first '.', '!' or '?' that ends a
// sentence (followed by a space and a capital, a blank line or the end), else the first
// paragraph; at most `max_words` words. "e.g." and "i.e." do not end sentences.
std::string FirstSentence(std::string_view doc, size_t max_words = 40);

// Number of whitespace-separated words.
size_t WordCount(std::string_view text);

}  // namespace codeindex

#endif  // CODEINDEX_EVAL_DOC_COMMENTS_H_
