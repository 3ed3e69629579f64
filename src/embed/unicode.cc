#include "embed/unicode.h"

namespace codeindex::unicode {
namespace {

struct Range {
  char32_t lo, hi;
};

template <size_t N>
bool InRanges(const Range (&ranges)[N], char32_t c) {
  size_t lo = 0, hi = N;
  while (lo < hi) {
    const size_t mid = (lo + hi) / 2;
    if (c < ranges[mid].lo) {
      hi = mid;
    } else if (c > ranges[mid].hi) {
      lo = mid + 1;
    } else {
      return true;
    }
  }
  return false;
}

// Category P* outside ASCII (sorted, the common blocks).
constexpr Range kPunct[] = {
    {0x00A1, 0x00A1}, {0x00A7, 0x00A7}, {0x00AB, 0x00AB}, {0x00B6, 0x00B7}, {0x00BB, 0x00BB},
    {0x00BF, 0x00BF}, {0x037E, 0x037E}, {0x0387, 0x0387}, {0x055A, 0x055F}, {0x0589, 0x058A},
    {0x05BE, 0x05BE}, {0x05C0, 0x05C0}, {0x05C3, 0x05C3}, {0x05C6, 0x05C6}, {0x05F3, 0x05F4},
    {0x0609, 0x060A}, {0x060C, 0x060D}, {0x061B, 0x061B}, {0x061E, 0x061F}, {0x066A, 0x066D},
    {0x06D4, 0x06D4}, {0x0964, 0x0965}, {0x0970, 0x0970}, {0x0E4F, 0x0E4F}, {0x0E5A, 0x0E5B},
    {0x10FB, 0x10FB}, {0x1360, 0x1368}, {0x166E, 0x166E}, {0x169B, 0x169C}, {0x16EB, 0x16ED},
    {0x17D4, 0x17D6}, {0x17D8, 0x17DA}, {0x1800, 0x180A}, {0x2010, 0x2027}, {0x2030, 0x2043},
    {0x2045, 0x2051}, {0x2053, 0x205E}, {0x207D, 0x207E}, {0x208D, 0x208E}, {0x2308, 0x230B},
    {0x2329, 0x232A}, {0x2768, 0x2775}, {0x27C5, 0x27C6}, {0x27E6, 0x27EF}, {0x2983, 0x2998},
    {0x29D8, 0x29DB}, {0x29FC, 0x29FD}, {0x2CF9, 0x2CFC}, {0x2CFE, 0x2CFF}, {0x2E00, 0x2E2E},
    {0x2E30, 0x2E4F}, {0x3001, 0x3003}, {0x3008, 0x3011}, {0x3014, 0x301F}, {0x3030, 0x3030},
    {0x303D, 0x303D}, {0x30A0, 0x30A0}, {0x30FB, 0x30FB}, {0xA4FE, 0xA4FF}, {0xA60D, 0xA60F},
    {0xA673, 0xA673}, {0xA67E, 0xA67E}, {0xFD3E, 0xFD3F}, {0xFE10, 0xFE19}, {0xFE30, 0xFE52},
    {0xFE54, 0xFE61}, {0xFE63, 0xFE63}, {0xFE68, 0xFE68}, {0xFE6A, 0xFE6B}, {0xFF01, 0xFF03},
    {0xFF05, 0xFF0A}, {0xFF0C, 0xFF0F}, {0xFF1A, 0xFF1B}, {0xFF1F, 0xFF20}, {0xFF3B, 0xFF3D},
    {0xFF3F, 0xFF3F}, {0xFF5B, 0xFF5B}, {0xFF5D, 0xFF5D}, {0xFF5F, 0xFF65},
};

// Category Zs.
constexpr Range kSpace[] = {{0x00A0, 0x00A0}, {0x1680, 0x1680}, {0x2000, 0x200A},
                            {0x202F, 0x202F}, {0x205F, 0x205F}, {0x3000, 0x3000}};

// Category Cf (format) outside ASCII: soft hyphen, zero-width chars, bidi marks, BOM.
constexpr Range kFormat[] = {{0x00AD, 0x00AD}, {0x0600, 0x0605}, {0x061C, 0x061C},
                             {0x06DD, 0x06DD}, {0x070F, 0x070F}, {0x180E, 0x180E},
                             {0x200B, 0x200F}, {0x202A, 0x202E}, {0x2060, 0x2064},
                             {0x2066, 0x206F}, {0xFEFF, 0xFEFF}, {0xFFF9, 0xFFFB}};

constexpr Range kCjk[] = {{0x3400, 0x4DBF},   {0x4E00, 0x9FFF},   {0xF900, 0xFAFF},
                          {0x20000, 0x2A6DF}, {0x2A700, 0x2B73F}, {0x2B740, 0x2B81F},
                          {0x2B820, 0x2CEAF}, {0x2F800, 0x2FA1F}};

constexpr Range kMarks[] = {{0x0300, 0x036F}, {0x0483, 0x0489}, {0x0591, 0x05BD}, {0x0610, 0x061A},
                            {0x064B, 0x065F}, {0x0900, 0x0903}, {0x093A, 0x094F}, {0x1AB0, 0x1AFF},
                            {0x1DC0, 0x1DFF}, {0x20D0, 0x20FF}, {0xFE20, 0xFE2F}};

// Base letters of U+00C0..U+00FF and U+0100..U+017F; '.' = no decomposition.
constexpr std::string_view kLatin1Base =
    "AAAAAA.CEEEEIIII.NOOOOO..UUUUY..aaaaaa.ceeeeiiii.nooooo..uuuuy.y";
constexpr std::string_view kLatinExtABase =
    "AaAaAaCcCcCcCcDd..EeEeEeEeEeGgGgGgGgHh..IiIiIiIiI...JjKk.LlLlLl....NnNnNn...OoOoOo..RrRrRrSsSs"
    "SsSsTtTt..UuUuUuUuUuUuWwYyYZzZzZz.";
static_assert(kLatin1Base.size() == 64);
static_assert(kLatinExtABase.size() == 128);

}  // namespace

char32_t DecodeUtf8(std::string_view s, size_t* pos) {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  const size_t n = s.size();
  size_t i = *pos;
  const unsigned char b0 = p[i];
  if (b0 < 0x80) {
    *pos = i + 1;
    return b0;
  }
  int len;
  char32_t c;
  char32_t min;
  if ((b0 & 0xE0) == 0xC0) {
    len = 2, c = b0 & 0x1F, min = 0x80;
  } else if ((b0 & 0xF0) == 0xE0) {
    len = 3, c = b0 & 0x0F, min = 0x800;
  } else if ((b0 & 0xF8) == 0xF0) {
    len = 4, c = b0 & 0x07, min = 0x10000;
  } else {
    *pos = i + 1;
    return kReplacement;
  }
  if (i + len > n) {
    *pos = i + 1;
    return kReplacement;
  }
  for (int k = 1; k < len; ++k) {
    const unsigned char b = p[i + k];
    if ((b & 0xC0) != 0x80) {
      *pos = i + 1;
      return kReplacement;
    }
    c = c << 6 | (b & 0x3F);
  }
  if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF)) {
    *pos = i + 1;
    return kReplacement;
  }
  *pos = i + len;
  return c;
}

void AppendUtf8(char32_t c, std::string* out) {
  if (c < 0x80) {
    out->push_back(static_cast<char>(c));
  } else if (c < 0x800) {
    out->push_back(static_cast<char>(0xC0 | (c >> 6)));
    out->push_back(static_cast<char>(0x80 | (c & 0x3F)));
  } else if (c < 0x10000) {
    out->push_back(static_cast<char>(0xE0 | (c >> 12)));
    out->push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (c & 0x3F)));
  } else {
    out->push_back(static_cast<char>(0xF0 | (c >> 18)));
    out->push_back(static_cast<char>(0x80 | ((c >> 12) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (c & 0x3F)));
  }
}

size_t Utf16Length(std::string_view s) {
  size_t units = 0;
  for (size_t i = 0; i < s.size();) {
    const auto b = static_cast<unsigned char>(s[i]);
    if (b < 0x80) {  // fast path
      ++units;
      ++i;
      continue;
    }
    const char32_t c = DecodeUtf8(s, &i);
    units += c >= 0x10000 ? 2 : 1;
  }
  return units;
}

std::string_view Utf16Prefix(std::string_view s, size_t units) {
  size_t used = 0;
  size_t i = 0;
  while (i < s.size()) {
    size_t next = i;
    const char32_t c = DecodeUtf8(s, &next);
    const size_t w = c >= 0x10000 ? 2 : 1;
    if (used + w > units) break;
    used += w;
    i = next;
  }
  return s.substr(0, i);
}

bool IsWhitespace(char32_t c) {
  if (c == ' ' || c == '\t' || c == '\n' || c == '\r') return true;
  if (c < 0x80) return false;
  return InRanges(kSpace, c);
}

bool IsControl(char32_t c) {
  if (c == '\t' || c == '\n' || c == '\r') return false;
  if (c < 0x20 || (c >= 0x7F && c < 0xA0)) return true;
  return c >= 0xA0 && InRanges(kFormat, c);
}

bool IsPunctuation(char32_t c) {
  if ((c >= 33 && c <= 47) || (c >= 58 && c <= 64) || (c >= 91 && c <= 96) ||
      (c >= 123 && c <= 126)) {
    return true;
  }
  if (c < 0xA0) return false;
  return InRanges(kPunct, c);
}

bool IsCjk(char32_t c) { return c >= 0x3400 && InRanges(kCjk, c); }

bool IsCombiningMark(char32_t c) { return c >= 0x300 && InRanges(kMarks, c); }

bool IsDigit(char32_t c) { return c >= '0' && c <= '9'; }

bool IsWordChar(char32_t c) {
  if (c < 0x80) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
  }
  return !IsWhitespace(c) && !IsPunctuation(c) && !IsControl(c) && c != kReplacement &&
         !(c >= 0xA2 && c <= 0xBF);  // Latin-1 symbols (currency, ©, °, ±, ...) are not \w
}

char32_t ToLower(char32_t c) {
  if (c < 0x80) return (c >= 'A' && c <= 'Z') ? c + 32 : c;
  if (c >= 0xC0 && c <= 0xDE && c != 0xD7) return c + 32;
  if (c >= 0x100 && c <= 0x17F) {
    if (c == 0x130) return 'i';  // İ: Python lower() gives i + U+0307; the dot is dropped here
    if (c == 0x178) return 0xFF;
    const bool odd_upper = (c >= 0x139 && c <= 0x148) || (c >= 0x179 && c <= 0x17E);
    if (odd_upper) return (c & 1) ? c + 1 : c;
    if (c == 0x138 || c == 0x149 || c == 0x17F || c == 0x131) return c;
    return (c & 1) ? c : c + 1;
  }
  if (c >= 0x391 && c <= 0x3A9 && c != 0x3A2) return c + 32;
  if (c >= 0x410 && c <= 0x42F) return c + 32;
  if (c >= 0x400 && c <= 0x40F) return c + 80;
  if (c >= 0xFF21 && c <= 0xFF3A) return c + 32;  // fullwidth A-Z
  return c;
}

char32_t StripAccent(char32_t c) {
  if (c >= 0xC0 && c <= 0xFF) {
    const char b = kLatin1Base[c - 0xC0];
    return b == '.' ? c : static_cast<char32_t>(b);
  }
  if (c >= 0x100 && c <= 0x17F) {
    const char b = kLatinExtABase[c - 0x100];
    return b == '.' ? c : static_cast<char32_t>(b);
  }
  return c;
}

}  // namespace codeindex::unicode
