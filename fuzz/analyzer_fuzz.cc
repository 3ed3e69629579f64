// Fuzzes the analyzer with arbitrary bytes and checks its invariants:
//   1. every term is 2..64 bytes and made of [a-z0-9_] and bytes >= 0x80 only;
//   2. every term is valid UTF-8, whatever the input (invalid bytes only separate words);
//   3. analysing a term gives that term back first (terms are fixed points), so a query
//      spelled as an indexed term always finds it.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "text/analyzer.h"

namespace {

bool ValidUtf8(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    auto b = static_cast<uint8_t>(s[i]);
    size_t n = b < 0x80                   ? 1
               : (b >= 0xC2 && b <= 0xDF) ? 2
               : (b >= 0xE0 && b <= 0xEF) ? 3
               : (b >= 0xF0 && b <= 0xF4) ? 4
                                          : 0;
    if (n == 0 || i + n > s.size()) return false;
    for (size_t k = 1; k < n; ++k) {
      if ((static_cast<uint8_t>(s[i + k]) & 0xC0) != 0x80) return false;
    }
    auto b1 = static_cast<uint8_t>(n > 1 ? s[i + 1] : 0);
    if ((b == 0xE0 && b1 < 0xA0) || (b == 0xED && b1 > 0x9F) || (b == 0xF0 && b1 < 0x90) ||
        (b == 0xF4 && b1 > 0x8F)) {
      return false;
    }
    i += n;
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const codeindex::Analyzer analyzer;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  codeindex::TermList terms;
  analyzer.Analyze(text, &terms);
  codeindex::TermList again;
  for (size_t i = 0; i < terms.size(); ++i) {
    std::string_view t = terms[i];
    if (t.size() < 2 || t.size() > 64) std::abort();
    for (char c : t) {
      auto b = static_cast<uint8_t>(c);
      bool ok = b >= 0x80 || (b >= 'a' && b <= 'z') || (b >= '0' && b <= '9') || b == '_';
      if (!ok) std::abort();
    }
    if (!ValidUtf8(t)) std::abort();
    again.clear();
    analyzer.Analyze(t, &again);
    if (again.empty() || again[0] != t) std::abort();
  }
  return 0;
}
