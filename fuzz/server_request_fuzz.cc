// Arbitrary bytes as a search body, a request target, a workspace path, an Accept-Encoding
// header and a compressed body: nothing may crash, hang or throw, and the invariants below
// hold. build/fuzz/fuzz/server_request_fuzz [corpus dir]
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "server/compress.h"
#include "server/request.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  codeindex::SearchRequest defaults;
  auto req = codeindex::ParseSearchBody(in, defaults);
  if (req.ok()) {
    if (req->query.empty() || req->query.size() > codeindex::kMaxQueryBytes) __builtin_trap();
    if (req->limit < 1 || req->limit > codeindex::kMaxSearchLimit) __builtin_trap();
  }
  (void)codeindex::ParseTarget(in);
  codeindex::PathCheck c = codeindex::CheckWorkspacePathLexically("/ws", in);
  if (c.verdict == codeindex::PathVerdict::kInside) {
    // A path judged inside never climbs out.
    if (c.relative == ".." || c.relative.rfind("../", 0) == 0 ||
        c.relative.find("/../") != std::string::npos || c.full.rfind("/ws", 0) != 0) {
      __builtin_trap();
    }
  }
  (void)codeindex::ChooseContentCoding(in);
  (void)codeindex::GzipDecompress(in);
  (void)codeindex::ZstdDecompress(in);
  return 0;
}
