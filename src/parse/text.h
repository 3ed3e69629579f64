// Text primitives for the parser, on UTF-8 bytes with JavaScript (UTF-16) length semantics.
//
// The original works on JavaScript strings: every length, every "first 100 characters" and
// every 1000-character cut is counted in UTF-16 code units of the decoded text. We keep the
// text as UTF-8 and count code units instead of converting files: a code point takes one
// unit, except supplementary-plane code points (4-byte sequences), which take two.
//
// Internal to src/parse. Thread-safe (pure functions).
#ifndef CODEINDEX_PARSE_TEXT_H_
#define CODEINDEX_PARSE_TEXT_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace codeindex::parse_internal {

// True if `s` is well-formed UTF-8 (no overlongs, no surrogates, nothing above U+10FFFF).
bool IsValidUtf8(std::string_view s);

// Decodes `s` the way Node's UTF-8 decoder (WHATWG "maximal subpart" rule) does and
// re-encodes it: every ill-formed subsequence becomes U+FFFD (EF BF BD). Valid input is
// returned unchanged. A byte-order mark is kept, as fs.readFile(path, "utf8") keeps it.
std::string RepairUtf8(std::string_view s);

// Number of UTF-16 code units of valid UTF-8 `s` (its JavaScript `.length`).
// REQUIRES: IsValidUtf8(s). SIMD-dispatched (see text_simd.h).
size_t Utf16Length(std::string_view s);

// Byte length of the longest prefix of valid UTF-8 `s` holding at most `units` UTF-16 code
// units. If the cut falls inside a 4-byte sequence (between the two surrogates of one code
// point), the prefix stops before that sequence and *split_pair is set (else cleared).
size_t Utf16PrefixBytes(std::string_view s, size_t units, bool* split_pair);

// The UTF-8 encoding Node produces for `s.slice(0, units)`: the prefix, plus U+FFFD when the
// cut splits a surrogate pair (Node encodes the lone high surrogate as EF BF BD).
std::string JsSlicePrefix(std::string_view s, size_t units);

// JavaScript String.prototype.trim() on UTF-8: strips WhiteSpace and LineTerminator code
// points (TAB, VT, FF, SP, NBSP, ZWNBSP/BOM, Zs, LF, CR, LS, PS) from both ends.
std::string_view JsTrim(std::string_view s);
// True if the code point is JavaScript whitespace (the set of \s and trim()).
bool IsJsWhitespace(uint32_t cp);

// True if `line` holds only JavaScript whitespace (what trim() removes), or nothing.
bool IsBlankLine(std::string_view line);

// Byte offsets of every '\n' in `s`, appended to `out`. SIMD-dispatched.
void FindNewlines(std::string_view s, std::vector<uint32_t>* out);

// A view of `s` split on '\n' only ('\r' stays in the line), like JavaScript
// s.split("\n"): n newlines give n + 1 lines (the last may be empty).
struct Lines {
  std::string_view text;
  std::vector<uint32_t> newlines;  // byte offsets of the '\n's
  size_t size() const { return newlines.size() + 1; }
  size_t begin(size_t i) const { return i == 0 ? 0 : newlines[i - 1] + 1; }
  size_t end(size_t i) const { return i < newlines.size() ? newlines[i] : text.size(); }
  std::string_view line(size_t i) const { return text.substr(begin(i), end(i) - begin(i)); }
};
Lines SplitLines(std::string_view s);

}  // namespace codeindex::parse_internal

#endif  // CODEINDEX_PARSE_TEXT_H_
