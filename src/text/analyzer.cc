#include "text/analyzer.h"

#include <array>

namespace codeindex {
namespace {

// Byte classes for the word scanner. kHigh bytes (>= 0x80) need a UTF-8 look at the whole
// sequence (ClassifyHigh) to tell letters from separators and invalid bytes.
enum Cls : uint8_t { kSep, kLower, kUpper, kDigit, kUnder, kHigh };

constexpr std::array<uint8_t, 256> MakeClassTable() {
  std::array<uint8_t, 256> t{};
  for (int c = 0; c < 256; ++c) {
    uint8_t k = kSep;
    if (c >= 'a' && c <= 'z') k = kLower;
    if (c >= 'A' && c <= 'Z') k = kUpper;
    if (c >= '0' && c <= '9') k = kDigit;
    if (c == '_') k = kUnder;
    if (c >= 0x80) k = kHigh;
    t[c] = k;
  }
  return t;
}
constexpr std::array<uint8_t, 256> kClass = MakeClassTable();

constexpr std::array<uint8_t, 128> MakeLowerTable() {
  std::array<uint8_t, 128> t{};
  for (int c = 0; c < 128; ++c) t[c] = (c >= 'A' && c <= 'Z') ? c + 32 : c;
  return t;
}
constexpr std::array<uint8_t, 128> kLower7 = MakeLowerTable();

inline bool IsCont(uint8_t b) { return (b & 0xC0) == 0x80; }

struct HighByte {
  uint8_t len;  // bytes to consume, >= 1
  bool letter;  // false: separator or invalid UTF-8
};

// Looks at the UTF-8 sequence starting at p (REQUIRES: p < end, *p >= 0x80). Invalid bytes
// (stray continuation, overlong, surrogate, truncated) are one-byte separators.
inline HighByte ClassifyHigh(const uint8_t* p, const uint8_t* end) {
  const uint8_t b0 = p[0];
  const ptrdiff_t avail = end - p;
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    if (avail < 2 || !IsCont(p[1])) return {1, false};
    const uint8_t b1 = p[1];
    // U+0080-U+00BF (C1 controls, NBSP, Latin-1 symbols), U+00D7 and U+00F7.
    bool sep = b0 == 0xC2 || (b0 == 0xC3 && (b1 == 0x97 || b1 == 0xB7));
    return {2, !sep};
  }
  if (b0 >= 0xE0 && b0 <= 0xEF) {
    if (avail < 3 || !IsCont(p[1]) || !IsCont(p[2])) return {1, false};
    const uint8_t b1 = p[1], b2 = p[2];
    if (b0 == 0xE0 && b1 < 0xA0) return {1, false};         // overlong
    if (b0 == 0xED && b1 > 0x9F) return {1, false};         // surrogate
    bool sep = (b0 == 0xE2 && b1 <= 0xAF) ||                // U+2000-U+2BFF
               (b0 == 0xE3 && b1 == 0x80) ||                // U+3000-U+303F
               (b0 == 0xEF && b1 == 0xB8 && b2 <= 0x8F) ||  // U+FE00-U+FE0F
               (b0 == 0xEF && b1 == 0xBB && b2 == 0xBF) ||  // U+FEFF
               (b0 == 0xEF && b1 == 0xBF && b2 >= 0xB9);    // U+FFF9-U+FFFF, incl. U+FFFD
    return {3, !sep};
  }
  if (b0 >= 0xF0 && b0 <= 0xF4) {
    if (avail < 4 || !IsCont(p[1]) || !IsCont(p[2]) || !IsCont(p[3])) return {1, false};
    const uint8_t b1 = p[1];
    if (b0 == 0xF0 && b1 < 0x90) return {1, false};  // overlong
    if (b0 == 0xF4 && b1 > 0x8F) return {1, false};  // above U+10FFFF
    bool sep = b0 == 0xF0 && b1 == 0x9F;             // U+1F000-U+1FFFF
    return {4, !sep};
  }
  return {1, false};
}

// Up to max_term_bytes parts per word; a part is at least one byte.
struct Part {
  const char* begin;
  const char* end;
};

}  // namespace

std::vector<std::string> TermList::ToVector() const {
  std::vector<std::string> v;
  v.reserve(size());
  for (size_t i = 0; i < size(); ++i) v.emplace_back((*this)[i]);
  return v;
}

void TermList::AppendFolded(std::string_view raw, Kind kind) {
  const size_t old = bytes_.size();
  const size_t n = raw.size();
  bytes_.resize(old + n);
  char* d = bytes_.data() + old;
  const auto* s = reinterpret_cast<const uint8_t*>(raw.data());
  for (size_t i = 0; i < n; ++i) {
    uint8_t b = s[i];
    if (b < 0x80) {
      d[i] = static_cast<char>(kLower7[b]);
      continue;
    }
    if (i + 1 < n && (b == 0xC3 || b == 0xCE || b == 0xD0)) {
      uint8_t b1 = s[i + 1];
      if (b == 0xC3) {  // U+00C0-U+00DE except U+00D7 -> +0x20
        if (b1 >= 0x80 && b1 <= 0x9E && b1 != 0x97) b1 += 0x20;
      } else if (b == 0xCE) {  // Greek capitals U+0391-U+03A9 (U+03A2 unassigned)
        if (b1 >= 0x91 && b1 <= 0x9F) {
          b1 += 0x20;
        } else if (b1 >= 0xA0 && b1 <= 0xA9 && b1 != 0xA2) {
          b = 0xCF;
          b1 -= 0x20;
        }
      } else {  // 0xD0: Cyrillic capitals U+0400-U+042F
        if (b1 >= 0x80 && b1 <= 0x8F) {
          b = 0xD1;
          b1 += 0x10;
        } else if (b1 >= 0x90 && b1 <= 0x9F) {
          b1 += 0x20;
        } else if (b1 >= 0xA0 && b1 <= 0xAF) {
          b = 0xD1;
          b1 -= 0x20;
        }
      }
      d[i] = static_cast<char>(b);
      d[i + 1] = static_cast<char>(b1);
      ++i;
      continue;
    }
    d[i] = static_cast<char>(b);
  }
  ends_.push_back(static_cast<uint32_t>(bytes_.size()));
  kinds_.push_back(kind);
}

void Analyzer::Analyze(std::string_view text, TermList* out) const {
  const auto* p = reinterpret_cast<const uint8_t*>(text.data());
  const auto* end = p + text.size();
  while (p < end) {
    uint8_t k = kClass[*p];
    if (k == kSep) {
      ++p;
      continue;
    }
    if (k == kHigh) {
      HighByte h = ClassifyHigh(p, end);
      if (!h.letter) {
        p += h.len;
        continue;
      }
    }
    const uint8_t* word = p;
    while (p < end) {
      k = kClass[*p];
      if (k == kSep) break;
      if (k != kHigh) {
        ++p;
        continue;
      }
      HighByte h = ClassifyHigh(p, end);
      if (!h.letter) break;
      p += h.len;
    }
    EmitWord(reinterpret_cast<const char*>(word), reinterpret_cast<const char*>(p), out);
  }
}

void Analyzer::EmitWord(const char* begin, const char* end, TermList* out) const {
  const size_t n = static_cast<size_t>(end - begin);
  if (n > options_.max_term_bytes) return;
  const char* wb = begin;
  const char* we = end;
  while (wb < we && *wb == '_') ++wb;
  while (we > wb && we[-1] == '_') --we;
  if (wb == we) return;  // underscores only
  auto cls = [](const char* c) { return kClass[static_cast<uint8_t>(*c)]; };
  const size_t min = options_.min_term_bytes;
  const size_t whole_len = static_cast<size_t>(we - wb);
  const bool whole_ok = whole_len >= min;

  if (cls(wb) == kDigit) {  // a number literal: whole form only
    if (whole_ok) out->AppendFolded({wb, whole_len}, TermList::Kind::kWhole);
    return;
  }

  // Cut into parts. At most n parts since each has at least one byte, and n is bounded by
  // max_term_bytes; a small stack array is enough for the default, the vector fallback
  // covers callers who raise the limit.
  constexpr size_t kStackParts = 64;
  Part stack_parts[kStackParts];
  std::vector<Part> heap_parts;
  Part* parts = stack_parts;
  if (n > kStackParts) {
    heap_parts.resize(n);
    parts = heap_parts.data();
  }
  size_t count = 0;
  const char* s = nullptr;
  for (const char* q = wb; q < we; ++q) {
    const uint8_t c = cls(q);
    if (c == kUnder) {
      if (s != nullptr) parts[count++] = {s, q};
      s = nullptr;
      continue;
    }
    if (s == nullptr) {
      s = q;
      continue;
    }
    const uint8_t prev = cls(q - 1);
    bool cut;
    if (c == kUpper) {
      cut = prev == kLower || prev == kHigh || prev == kDigit ||
            (prev == kUpper && q + 1 < we && (cls(q + 1) == kLower || cls(q + 1) == kHigh));
    } else if (c == kDigit) {
      cut = prev != kDigit;
    } else {  // lower-case ASCII or a byte of a non-ASCII letter
      cut = prev == kDigit;
    }
    if (cut) {
      parts[count++] = {s, q};
      s = q;
    }
  }
  if (s != nullptr) parts[count++] = {s, we};

  if (whole_ok) out->AppendFolded({wb, whole_len}, TermList::Kind::kWhole);
  if (count <= 1) return;                          // the only part is the whole word
  if (count > 4 && count * 3 > whole_len) return;  // a blob: hex digest, base64
  for (size_t i = 0; i < count; ++i) {
    const size_t len = static_cast<size_t>(parts[i].end - parts[i].begin);
    if (len >= min) out->AppendFolded({parts[i].begin, len}, TermList::Kind::kPart);
  }
}

std::vector<std::string> Analyzer::Terms(std::string_view text) const {
  TermList list;
  Analyze(text, &list);
  return list.ToVector();
}

}  // namespace codeindex
