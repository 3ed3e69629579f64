// Pre-tokenization: splits text into the pieces that byte-pair encoding then works on,
// exactly as tiktoken's regexes do. Internal to src/tokens/.
//
// The two patterns, as tiktoken@1.0.21 ships them (leftmost-first alternation, greedy
// quantifiers with backtracking, Unicode classes; see unicode_classes.h):
//
// cl100k_base:
//   (?i:'s|'t|'re|'ve|'m|'ll|'d) | [^\r\n\p{L}\p{N}]?\p{L}+ | \p{N}{1,3}
//   | ?[^\s\p{L}\p{N}]+[\r\n]* | \s*[\r\n]+ | \s+(?!\S) | \s+
// o200k_base:
//   [^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?
//   |
//   [^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?
//   | \p{N}{1,3} | ?[^\s\p{L}\p{N}]+[\r\n/]* | \s*[\r\n]+ | \s+(?!\S) | \s+
//
// Instead of a regex engine, each alternative is a hand-written matcher that reproduces
// the backtracking engine's first match (pretokenizer.cc explains each one). Every code
// point is matched by some alternative, so pieces tile the text. (?i) folds with Unicode
// simple case folding: 's also matches U+017F LATIN SMALL LETTER LONG S.
#ifndef CODEINDEX_TOKENS_PRETOKENIZER_H_
#define CODEINDEX_TOKENS_PRETOKENIZER_H_

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace codeindex::tokens {

enum class Pattern : uint8_t { kCl100k, kO200k };

// End offset of the piece that starts at s[pos].
// REQUIRES: s[0..n) is well-formed UTF-8, pos < n and at a code point boundary.
size_t PieceEndCl100k(const uint8_t* s, size_t n, size_t pos);
size_t PieceEndO200k(const uint8_t* s, size_t n, size_t pos);

// Calls fn(const uint8_t* piece, size_t length) for every piece of `text` in order;
// stops early when fn returns false. REQUIRES: `text` is well-formed UTF-8.
template <typename Fn>
void ForEachPiece(Pattern pattern, std::string_view text, Fn&& fn) {
  const auto* s = reinterpret_cast<const uint8_t*>(text.data());
  const size_t n = text.size();
  size_t pos = 0;
  if (pattern == Pattern::kO200k) {
    while (pos < n) {
      size_t end = PieceEndO200k(s, n, pos);
      if (!fn(s + pos, end - pos)) return;
      pos = end;
    }
  } else {
    while (pos < n) {
      size_t end = PieceEndCl100k(s, n, pos);
      if (!fn(s + pos, end - pos)) return;
      pos = end;
    }
  }
}

}  // namespace codeindex::tokens

#endif  // CODEINDEX_TOKENS_PRETOKENIZER_H_
