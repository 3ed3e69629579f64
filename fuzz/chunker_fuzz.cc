// libFuzzer target for the chunker: any bytes, any language (chosen by the first byte).
// Checks properties, not only "no crash": blocks lie inside the file (1 <= start <= end <=
// line count), contents are valid UTF-8 and at most as long as the file, segment hashes
// are unique, and compat mode holds the same properties.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <set>
#include <string>

#include "lang/languages.h"
#include "parse/parser.h"
#include "parse/symbols.h"
#include "parse/text.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  auto langs = codeindex::Languages();
  const auto& entry = langs[data[0] % langs.size()];
  std::string path = "/fuzz/input" + std::string(entry.extension);
  std::string_view content(reinterpret_cast<const char*>(data + 1), size - 1);
  const std::string decoded = codeindex::parse_internal::RepairUtf8(content);
  const int lines = static_cast<int>(codeindex::parse_internal::SplitLines(decoded).size());
  for (bool compat : {false, true}) {
    codeindex::ParseOptions o;
    o.compat = compat;
    o.parse_timeout_ms = 2000;
    auto r = codeindex::ParseBlocks(path, content, o);
    if (!r.ok()) {
      if (r.error().code() != codeindex::Code::kUnavailable) abort();  // only timeouts
      continue;
    }
    std::set<std::string> hashes;
    for (const auto& b : *r) {
      if (b.start_line < 1 || b.start_line > b.end_line || b.end_line > lines) abort();
      if (!codeindex::parse_internal::IsValidUtf8(b.content)) abort();
      if (b.content.size() > decoded.size() + 6) abort();
      if (!hashes.insert(b.segment_hash).second) abort();
    }
  }
  auto s = codeindex::ExtractSymbols(path, content);
  if (s.ok()) {
    for (const auto& sym : s->symbols) {
      if (sym.start_line < 1 || sym.start_line > sym.end_line || sym.end_line > lines) abort();
    }
  }
  return 0;
}
