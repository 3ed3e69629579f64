// The code-aware analyzer: the terms of a piece of source text. The same function analyzes
// documents (code blocks, identifiers, path components) and queries, so a query term and a
// document term match exactly when they were produced from the same spelling.
//
// Rules, in the order they apply (kAnalyzerVersion 1):
//
//   1. Words. The text is split into runs of identifier characters: ASCII letters, digits,
//      '_', and UTF-8 encoded non-ASCII letters. Everything else separates words: ASCII
//      punctuation and space, invalid UTF-8 (also U+FFFD, which decoders put in its place),
//      U+0080-U+00BF and x / division sign (Latin-1 symbols and NBSP), U+2000-U+2BFF
//      (general punctuation, arrows, math, box drawing, dingbats), U+3000-U+303F (CJK
//      punctuation), U+FE00-U+FE0F (variation selectors), U+FEFF (BOM) and U+1F000-U+1FFFF
//      (emoji). So `os.path.join`, `foo-bar`, `a->b` and `x::y` are several words, and
//      `$scope` is the word `scope`.
//   2. Size limit. A word longer than max_term_bytes (64) yields no term at all: minified
//      code, base64 and hex blobs cannot flood the index, and Xapian's 245-byte term limit
//      is never reached.
//   3. Whole word. The word, with leading and trailing '_' removed and case-folded, is one
//      term ("__init__" -> "init", "HTTPServerError" -> "httpservererror").
//   4. Parts. The word is also cut into parts, each its own term, at:
//        - '_' (snake_case; the underscores are not part of any part),
//        - lower -> upper ("parseUrl" -> parse | url),
//        - the last capital of an acronym before a capitalised word
//          ("HTTPServerError" -> http | server | error),
//        - letter <-> digit ("parseURL2Json" -> parse | url | 2 | json, "int32_t" -> int |
//          32 | t). Digits are kept as their own parts: "utf8", "sha256", "int64" keep a
//          searchable family name.
//      A part equal to the whole word (the word had a single part) is not repeated.
//      Known limits: plural acronyms split wrongly ("URLs" -> ur | ls), mixed acronyms too
//      ("IPv4" -> i | pv | 4); the whole word still matches the exact spelling.
//   5. Exceptions to 4: a word that starts with a digit is a number literal ("0x1F", "100ms",
//      "1e10") and yields its whole form only; a word that looks like a blob (more than 4
//      parts and more parts than a third of its length, e.g. hex digests or base64:
//      "e3b0c44298fc1c14") yields its whole form only.
//   6. Minimum length. Terms shorter than min_term_bytes (2) are dropped, whole or part:
//      single letters and digits ("i", "x", the "2" of "parseURL2Json", the "t" of
//      "int32_t") are the stop words of code; bench/README.md "text" has the index-size
//      measurement behind this choice.
//   7. Case folding. ASCII letters are lower-cased; so are the capitals of Latin-1
//      (U+00C0-U+00DE), basic Greek (U+0391-U+03A9) and basic Cyrillic (U+0400-U+042F),
//      whose lower-case forms have the same UTF-8 length. Other non-ASCII letters pass
//      through unchanged (no Unicode normalisation, no full case folding: identifiers are
//      overwhelmingly ASCII, and a table-free byte loop keeps the analyzer fast). Non-ASCII
//      letters count as lower-case for rule 4, so they never start a part.
//
// No stemming (a code search for "parser" must not match "parse" more than it already does
// through shared parts) and no stop words here: documents keep every term ("is", "in",
// "for" are words of code). Queries of three or more terms drop English stop words at
// search time (TextIndexReader::Search, SearchParams::drop_stop_words): in a sentence they
// only add noise (bench/README.md, section "text").
//
// Terms are raw bytes: valid UTF-8 when the input is valid UTF-8.
//
// Thread safety: Analyzer is immutable after construction; Analyze() may be called from any
// number of threads at once, each with its own TermList.
#ifndef CODEINDEX_TEXT_ANALYZER_H_
#define CODEINDEX_TEXT_ANALYZER_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace codeindex {

// Changelog (a change here changes the terms, so it changes kTextIndexFormatVersion too):
//   1: first version (rules above).
inline constexpr int kAnalyzerVersion = 1;

struct AnalyzerOptions {
  // Words longer than this yield no term. 64 keeps every real identifier we met in
  // /usr/include and the Python stdlib and drops base64/hex blobs and minified runs.
  size_t max_term_bytes = 64;
  // Terms shorter than this are dropped. 2 drops single letters and digits; 1 keeps them at
  // the cost of a bigger index (measured in bench/README.md, "text").
  size_t min_term_bytes = 2;
};

// The terms of one analysis, in text order: for each word its whole form first, then its
// parts. Stored in one byte buffer, so that analysing a block allocates nothing once the
// list has grown to its working size. Reuse one TermList per thread with clear().
class TermList {
 public:
  enum class Kind : uint8_t { kWhole, kPart };

  void clear() {
    bytes_.clear();
    ends_.clear();
    kinds_.clear();
  }
  size_t size() const { return ends_.size(); }
  bool empty() const { return ends_.empty(); }
  std::string_view operator[](size_t i) const {
    size_t begin = i == 0 ? 0 : ends_[i - 1];
    return std::string_view(bytes_).substr(begin, ends_[i] - begin);
  }
  Kind kind(size_t i) const { return kinds_[i]; }
  // All terms as strings (tests and diagnostics).
  std::vector<std::string> ToVector() const;

  // Used by the analyzer: appends the case-folded copy of `raw` (REQUIRES: `raw` is one
  // word or part as found by the analyzer, i.e. identifier characters only).
  void AppendFolded(std::string_view raw, Kind kind);

 private:
  std::string bytes_;
  std::vector<uint32_t> ends_;
  std::vector<Kind> kinds_;
};

class Analyzer {
 public:
  explicit Analyzer(AnalyzerOptions options = {}) : options_(options) {}

  // Appends the terms of `text` to `out` (which is not cleared). Any bytes are accepted.
  void Analyze(std::string_view text, TermList* out) const;

  // Convenience for tests and small inputs: the terms of `text` as strings.
  std::vector<std::string> Terms(std::string_view text) const;

  const AnalyzerOptions& options() const { return options_; }

 private:
  void EmitWord(const char* begin, const char* end, TermList* out) const;

  AnalyzerOptions options_;
};

}  // namespace codeindex

#endif  // CODEINDEX_TEXT_ANALYZER_H_
