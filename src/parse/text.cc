#include "parse/text.h"

#include "parse/text_simd.h"

namespace codeindex::parse_internal {

namespace {

constexpr char kReplacement[] = "\xEF\xBF\xBD";

// Length of the well-formed sequence starting at s[i], or 0 if it is ill-formed; in that
// case *bad_len is the length of the maximal subpart to replace by one U+FFFD (WHATWG).
size_t SequenceAt(const unsigned char* s, size_t n, size_t i, size_t* bad_len) {
  unsigned char b = s[i];
  if (b < 0x80) return 1;
  size_t need;
  unsigned char lo = 0x80, hi = 0xBF;
  if (b >= 0xC2 && b <= 0xDF) {
    need = 1;
  } else if (b >= 0xE0 && b <= 0xEF) {
    need = 2;
    if (b == 0xE0) lo = 0xA0;
    if (b == 0xED) hi = 0x9F;
  } else if (b >= 0xF0 && b <= 0xF4) {
    need = 3;
    if (b == 0xF0) lo = 0x90;
    if (b == 0xF4) hi = 0x8F;
  } else {
    *bad_len = 1;
    return 0;
  }
  size_t j = i + 1;
  for (size_t k = 0; k < need; ++k, ++j) {
    if (j >= n || s[j] < lo || s[j] > hi) {
      *bad_len = j - i;
      return 0;
    }
    lo = 0x80;
    hi = 0xBF;
  }
  return need + 1;
}

// Decodes the code point at s[i] of valid UTF-8; sets *len.
uint32_t DecodeAt(std::string_view s, size_t i, size_t* len) {
  auto b = static_cast<unsigned char>(s[i]);
  auto c = [&](size_t k) {
    return static_cast<uint32_t>(static_cast<unsigned char>(s[i + k]) & 0x3F);
  };
  if (b < 0x80) {
    *len = 1;
    return b;
  }
  if (b < 0xE0) {
    *len = 2;
    return ((b & 0x1Fu) << 6) | c(1);
  }
  if (b < 0xF0) {
    *len = 3;
    return ((b & 0x0Fu) << 12) | (c(1) << 6) | c(2);
  }
  *len = 4;
  return ((b & 0x07u) << 18) | (c(1) << 12) | (c(2) << 6) | c(3);
}

}  // namespace

bool IsValidUtf8(std::string_view sv) {
  const auto* s = reinterpret_cast<const unsigned char*>(sv.data());
  size_t n = sv.size();
  size_t i = 0;
  while (i < n) {
    i += AsciiPrefixFast(sv.data() + i, n - i);
    if (i >= n) break;
    size_t bad = 0;
    size_t len = SequenceAt(s, n, i, &bad);
    if (len == 0) return false;
    i += len;
  }
  return true;
}

std::string RepairUtf8(std::string_view sv) {
  const auto* s = reinterpret_cast<const unsigned char*>(sv.data());
  size_t n = sv.size();
  std::string out;
  out.reserve(n + 16);
  size_t i = 0;
  while (i < n) {
    size_t ascii = AsciiPrefixFast(sv.data() + i, n - i);
    out.append(sv.data() + i, ascii);
    i += ascii;
    if (i >= n) break;
    size_t bad = 0;
    size_t len = SequenceAt(s, n, i, &bad);
    if (len == 0) {
      out.append(kReplacement, 3);
      i += bad;
    } else {
      out.append(sv.data() + i, len);
      i += len;
    }
  }
  return out;
}

size_t Utf16Length(std::string_view s) { return Utf16LengthFast(s.data(), s.size()); }

size_t Utf16PrefixBytes(std::string_view s, size_t units, bool* split_pair) {
  *split_pair = false;
  size_t i = 0, u = 0;
  while (i < s.size() && u < units) {
    auto b = static_cast<unsigned char>(s[i]);
    size_t len = b < 0x80 ? 1 : b < 0xE0 ? 2 : b < 0xF0 ? 3 : 4;
    size_t w = len == 4 ? 2 : 1;
    if (u + w > units) {
      *split_pair = true;
      break;
    }
    u += w;
    i += len;
  }
  return i;
}

std::string JsSlicePrefix(std::string_view s, size_t units) {
  bool split = false;
  size_t bytes = Utf16PrefixBytes(s, units, &split);
  std::string out(s.substr(0, bytes));
  if (split) out.append(kReplacement, 3);
  return out;
}

bool IsJsWhitespace(uint32_t cp) {
  if (cp <= 0x20) return cp == 0x20 || (cp >= 0x09 && cp <= 0x0D);
  if (cp < 0xA0) return false;
  return cp == 0xA0 || cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200A) || cp == 0x2028 ||
         cp == 0x2029 || cp == 0x202F || cp == 0x205F || cp == 0x3000 || cp == 0xFEFF;
}

std::string_view JsTrim(std::string_view s) {
  size_t b = 0;
  while (b < s.size()) {
    size_t len;
    uint32_t cp = DecodeAt(s, b, &len);
    if (!IsJsWhitespace(cp)) break;
    b += len;
  }
  size_t e = s.size();
  while (e > b) {
    size_t start = e - 1;
    while (start > b && (static_cast<unsigned char>(s[start]) & 0xC0) == 0x80) --start;
    size_t len;
    uint32_t cp = DecodeAt(s, start, &len);
    if (!IsJsWhitespace(cp)) break;
    e = start;
  }
  return s.substr(b, e - b);
}

void FindNewlines(std::string_view s, std::vector<uint32_t>* out) {
  FindNewlinesFast(s.data(), s.size(), 0, out);
}

Lines SplitLines(std::string_view s) {
  Lines lines;
  lines.text = s;
  FindNewlines(s, &lines.newlines);
  return lines;
}

bool IsBlankLine(std::string_view line) {
  for (char c : line) {
    if (c != ' ' && c != '\t' && c != '\r' && c != '\f' && c != '\v') {
      return JsTrim(line).empty();  // non-ASCII whitespace (NBSP, BOM, ...) is blank too
    }
  }
  return true;
}

}  // namespace codeindex::parse_internal
