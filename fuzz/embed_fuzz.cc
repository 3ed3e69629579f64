// libFuzzer target for the embedding model readers.
//
// Input: bytes. The first byte selects the reader: even -> safetensors image, odd ->
// tokenizer.json document (then the rest of the input after a NUL, if any, is encoded).
// Properties checked beyond "no crash":
//   * every tensor of an accepted safetensors image lies inside the image and
//     numel x element size == nbytes;
//   * every id an accepted tokenizer produces is in [0, vocab_size) and names a token.
//
//   cmake --preset fuzz && cmake --build --preset fuzz --target embed_fuzz
//   build/fuzz/fuzz/embed_fuzz -max_total_time=60
#include <cstdint>
#include <cstdlib>
#include <string_view>
#include <vector>

#include "embed/safetensors.h"
#include "embed/tokenizer.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const std::string_view in(reinterpret_cast<const char*>(data) + 1, size - 1);
  if (data[0] % 2 == 0) {
    auto f = codeindex::SafetensorsFile::FromBuffer(in, "fuzz");
    if (!f.ok()) return 0;
    for (const auto& [name, t] : f->tensors()) {
      const auto* lo = reinterpret_cast<const uint8_t*>(in.data());
      if (t.nbytes > 0 && (t.data < lo || t.data + t.nbytes > lo + in.size())) std::abort();
      if (static_cast<size_t>(t.numel()) * codeindex::DTypeSize(t.dtype) != t.nbytes) std::abort();
      (void)t.ToFloat();
    }
    return 0;
  }
  const size_t nul = in.find('\0');
  const std::string_view json = in.substr(0, nul);
  const std::string_view text =
      nul == std::string_view::npos ? "Hello, World! parse_file()" : in.substr(nul + 1);
  auto tok = codeindex::LoadTokenizerJson(json, "fuzz");
  if (!tok.ok()) return 0;
  std::vector<int32_t> ids;
  (*tok)->Encode(text, &ids);
  for (int32_t id : ids) {
    if (id < 0 || id >= (*tok)->vocab_size()) std::abort();
  }
  return 0;
}
