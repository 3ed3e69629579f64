// Each matcher below returns the end of the first match a backtracking regex engine finds
// at `pos`: alternatives are tried in order, and within one alternative the greedy
// quantifiers give back characters one at a time. Only two places need that giving back:
// o200k's U*W+ (U and W overlap in Lm, Lo and M) and the whitespace alternatives; the
// comments there derive the closed form used instead of a search.
#include "tokens/pretokenizer.h"

#include "tokens/unicode_classes.h"
#include "tokens/utf8.h"

namespace codeindex::tokens {
namespace {

struct Char {
  uint32_t cp;
  uint32_t len;  // 0 at the end of the text
  uint8_t cls;
};

[[gnu::always_inline]] inline Char At(const uint8_t* s, size_t n, size_t pos) {
  if (pos >= n) return {0x110000, 0, 0};
  uint8_t b = s[pos];
  if (b < 0x80) return {b, 1, ClassOf(b)};
  size_t len;
  uint32_t cp = DecodeValid(s + pos, &len);
  return {cp, static_cast<uint32_t>(len), ClassOf(cp)};
}

// [^\r\n\p{L}\p{N}]: note that it includes whitespace other than CR/LF, and marks (\p{M}).
inline bool IsNotCrLfLetterNumber(const Char& c) {
  return c.len != 0 && c.cp != '\r' && c.cp != '\n' && !(c.cls & (kLetter | kNumber));
}

// [^\s\p{L}\p{N}]
inline bool IsNotSpaceLetterNumber(const Char& c) {
  return c.len != 0 && !(c.cls & (kSpace | kLetter | kNumber));
}

// End of the run of code points, starting at pos, whose class shares a bit with `mask`.
[[gnu::always_inline]] inline size_t RunOf(const uint8_t* s, size_t n, size_t pos, uint8_t mask) {
  while (pos < n) {
    Char c = At(s, n, pos);
    if (!(c.cls & mask)) break;
    pos += c.len;
  }
  return pos;
}

// Length of (?i:'s|'t|'re|'ve|'m|'ll|'d) at pos, 0 when it does not match. Unicode simple
// case folding adds only U+017F (long s, UTF-8 C5 BF) to these ASCII letters.
inline size_t ContractionLength(const uint8_t* s, size_t n, size_t pos) {
  if (pos + 1 >= n || s[pos] != '\'') return 0;
  switch (s[pos + 1]) {
    case 's':
    case 'S':
    case 't':
    case 'T':
    case 'm':
    case 'M':
    case 'd':
    case 'D':
      return 2;
    case 0xC5:
      return (pos + 2 < n && s[pos + 2] == 0xBF) ? 3 : 0;
    case 'r':
    case 'R':
    case 'v':
    case 'V':
      return (pos + 2 < n && (s[pos + 2] | 0x20) == 'e') ? 3 : 0;
    case 'l':
    case 'L':
      return (pos + 2 < n && (s[pos + 2] | 0x20) == 'l') ? 3 : 0;
    default:
      return 0;
  }
}

// \p{N}{1,3}. REQUIRES: c0 (at pos) is a number.
inline size_t NumberEnd(const uint8_t* s, size_t n, size_t pos, const Char& c0) {
  size_t end = pos + c0.len;
  for (int k = 1; k < 3; ++k) {
    Char c = At(s, n, end);
    if (!(c.cls & kNumber)) break;
    end += c.len;
  }
  return end;
}

// ` ?[^\s\p{L}\p{N}]+` followed by a run of the ASCII bytes in `tail` ("\r\n" or "\r\n/").
// Returns 0 when the alternative does not match at pos.
template <bool kSlashInTail>
inline size_t PunctuationEnd(const uint8_t* s, size_t n, size_t pos, const Char& c0) {
  size_t start;
  if (c0.cp == ' ' && IsNotSpaceLetterNumber(At(s, n, pos + 1))) {
    start = pos + 1;
  } else if (IsNotSpaceLetterNumber(c0)) {
    start = pos;
  } else {
    return 0;
  }
  size_t end = start;
  for (;;) {
    Char c = At(s, n, end);
    if (!IsNotSpaceLetterNumber(c)) break;
    end += c.len;
  }
  while (end < n && (s[end] == '\r' || s[end] == '\n' || (kSlashInTail && s[end] == '/'))) ++end;
  return end;
}

// The three whitespace alternatives, `\s*[\r\n]+ | \s+(?!\S) | \s+`, for a run of
// whitespace starting at pos. With the run spanning [pos, end):
//  - \s*[\r\n]+: \s* first takes the whole run, then gives back one code point at a time
//    until a CR or LF follows; that is the last CR/LF of the run, and [\r\n]+ stops right
//    after it (nothing after it in the run is CR/LF). So: up to and including the last
//    CR/LF, if any.
//  - \s+(?!\S): the whole run if it ends the text; otherwise giving back the last code
//    point leaves whitespace ahead, so everything but the last code point, if non-empty.
//  - \s+: the whole run (a single whitespace code point before a non-space).
inline size_t WhitespaceEnd(const uint8_t* s, size_t n, size_t pos) {
  size_t end = pos, last_start = pos, newline_end = 0;
  while (end < n) {
    Char c = At(s, n, end);
    if (!(c.cls & kSpace)) break;
    last_start = end;
    end += c.len;
    if (c.cp == '\r' || c.cp == '\n') newline_end = end;
  }
  if (newline_end != 0) return newline_end;
  if (end == n) return end;
  if (last_start > pos) return last_start;
  return end;
}

}  // namespace

size_t PieceEndCl100k(const uint8_t* s, size_t n, size_t pos) {
  // (?i:'s|'t|'re|'ve|'m|'ll|'d)
  if (size_t k = ContractionLength(s, n, pos)) return pos + k;
  const Char c0 = At(s, n, pos);
  // [^\r\n\p{L}\p{N}]?\p{L}+
  if (IsNotCrLfLetterNumber(c0)) {
    Char c1 = At(s, n, pos + c0.len);
    if (c1.cls & kLetter) return RunOf(s, n, pos + c0.len + c1.len, kLetter);
  } else if (c0.cls & kLetter) {
    return RunOf(s, n, pos + c0.len, kLetter);
  }
  // \p{N}{1,3}
  if (c0.cls & kNumber) return NumberEnd(s, n, pos, c0);
  //  ?[^\s\p{L}\p{N}]+[\r\n]*
  if (size_t end = PunctuationEnd<false>(s, n, pos, c0)) return end;
  // Only whitespace is left: every other code point is a letter, a number or matched above.
  return WhitespaceEnd(s, n, pos);
}

size_t PieceEndO200k(const uint8_t* s, size_t n, size_t pos) {
  const Char c0 = At(s, n, pos);
  // With U = [\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}], W = [\p{Ll}\p{Lm}\p{Lo}\p{M}], C the
  // contractions and P = [^\r\n\p{L}\p{N}], the first two alternatives are P?U*W+C? and
  // P?U+W*C?. P? first takes c0 when it can, and gives it back if the rest fails (this
  // matters only when c0 is a mark, the one kind of code point in both P and U).
  const bool optional_taken = IsNotCrLfLetterNumber(c0);

  // P?U*W+C?: U* takes the whole U run [start, u); then W+ needs a W at the point where U*
  // stops. If the code point at u is in W (it can only be Ll), W+ runs from there. Else U*
  // gives back code points until one in W follows: that is the last W inside the run, and
  // W+ ends right after it (what follows it in the run is U but not W).
  for (int take = optional_taken ? 1 : 0; take >= 0; --take) {
    const size_t start = take ? pos + c0.len : pos;
    size_t u = start, last_w_end = 0;
    for (;;) {
      Char c = At(s, n, u);
      if (!(c.cls & kUpperish)) break;
      u += c.len;
      if (c.cls & kLowerish) last_w_end = u;
    }
    size_t end;
    if (At(s, n, u).cls & kLowerish) {
      end = RunOf(s, n, u, kLowerish);
    } else if (last_w_end != 0) {
      end = last_w_end;
    } else {
      continue;
    }
    return end + ContractionLength(s, n, end);
  }
  // P?U+W*C?: succeeds as soon as one U follows the optional code point.
  for (int take = optional_taken ? 1 : 0; take >= 0; --take) {
    const size_t start = take ? pos + c0.len : pos;
    if (!(At(s, n, start).cls & kUpperish)) continue;
    size_t end = RunOf(s, n, RunOf(s, n, start, kUpperish), kLowerish);
    return end + ContractionLength(s, n, end);
  }
  // \p{N}{1,3}
  if (c0.cls & kNumber) return NumberEnd(s, n, pos, c0);
  //  ?[^\s\p{L}\p{N}]+[\r\n/]*
  if (size_t end = PunctuationEnd<true>(s, n, pos, c0)) return end;
  return WhitespaceEnd(s, n, pos);
}

}  // namespace codeindex::tokens
