// The SSE parser and the zstd streams on arbitrary bytes (src/stream). Properties, not only
// "no crash":
//   - feeding the input whole, cut at two points taken from its first bytes, or byte by byte
//     gives the same events, comments and retries (the parser's contract: any chunk boundary);
//   - no pending line is larger than the input;
//   - zstd: compressing the input in pieces and decompressing gives the input back, and
//     decompressing the raw input as zstd never crashes and never exceeds its limit.
// Run: build/fuzz/fuzz/sse_fuzz fuzz/corpus/sse (preset `fuzz`); ctest runs a 60 s session
// (sse_fuzz_60s, src/stream/CMakeLists.txt).
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "stream/sse.h"
#include "stream/zstd.h"

namespace {

class Log : public codeindex::SseHandler {
 public:
  void OnEvent(const codeindex::SseEvent& e) override {
    text += "E";
    text += std::to_string(e.type.size()) + ":" + std::string(e.type);
    text += std::to_string(e.data.size()) + ":" + std::string(e.data);
    text += e.has_id ? std::to_string(e.id.size()) + ":" + std::string(e.id) : "-";
  }
  void OnComment(std::string_view c) override {
    text += "C" + std::to_string(c.size()) + ":" + std::string(c);
  }
  void OnRetry(std::string_view d, uint64_t ms) override {
    text += "R" + std::string(d) + "=" + std::to_string(ms);
  }
  std::string text;
};

std::string Parse(std::string_view in, size_t a, size_t b, size_t* max_pending) {
  Log log;
  codeindex::SseParser p(&log);
  if (b < a) std::swap(a, b);
  for (std::string_view piece : {in.substr(0, a), in.substr(a, b - a), in.substr(b)}) {
    if (!p.Feed(piece).ok()) __builtin_trap();
    if (p.pending_line_bytes() > *max_pending) *max_pending = p.pending_line_bytes();
  }
  return log.text;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  size_t pending = 0;
  const std::string whole = Parse(in, size, size, &pending);
  const size_t a = size ? data[0] % (size + 1) : 0;
  const size_t b = size > 1 ? data[1] % (size + 1) : 0;
  if (Parse(in, a, b, &pending) != whole) __builtin_trap();
  if (size <= 512) {
    Log log;
    codeindex::SseParser p(&log);
    for (size_t i = 0; i < size; ++i) {
      if (!p.Feed(in.substr(i, 1)).ok()) __builtin_trap();
    }
    if (log.text != whole) __builtin_trap();
  }
  if (pending > size) __builtin_trap();

  static codeindex::ZstdCompressor compressor(1);
  static codeindex::ZstdDecompressor decompressor(size_t{1} << 20);
  std::string z, back;
  if (!compressor.Begin().ok()) __builtin_trap();
  if (!compressor.Write(in.substr(0, a), &z).ok()) __builtin_trap();
  if (!compressor.Write(in.substr(a), &z).ok()) __builtin_trap();
  if (!compressor.End(&z).ok()) __builtin_trap();
  if (!decompressor.DecompressAll(z, &back).ok() || back != in) __builtin_trap();
  back.clear();
  if (decompressor.DecompressAll(in, &back).ok() && back.size() > (size_t{1} << 20)) {
    __builtin_trap();
  }
  return 0;
}
