// zstd streams with reusable contexts (libzstd's streaming API, RFC 8878 frames).
//
// A ZstdCompressor or ZstdDecompressor owns one libzstd context and keeps it between frames,
// so a server compressing every response, or a reader going through many stored frames,
// allocates the context's tables once instead of per call (ZSTD_compress() without a context
// allocates and frees ~1 MB at level 3 each time). Input may be given in pieces of any size
// and output is appended to a caller's string, whose capacity the caller can also reuse.
//
// Thread safety: one object per thread; ThreadLocalZstdCompressor() gives each thread its own.
#ifndef CODEINDEX_STREAM_ZSTD_H_
#define CODEINDEX_STREAM_ZSTD_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "base/status.h"

struct ZSTD_CCtx_s;
struct ZSTD_DCtx_s;

namespace codeindex {

inline constexpr int kZstdDefaultLevel = 3;  // zstd's own default

class ZstdCompressor {
 public:
  explicit ZstdCompressor(int level = kZstdDefaultLevel);
  ~ZstdCompressor();
  ZstdCompressor(const ZstdCompressor&) = delete;
  ZstdCompressor& operator=(const ZstdCompressor&) = delete;

  int level() const { return level_; }
  // Changes the level for the frames begun after this call.
  void set_level(int level) { level_ = level; }

  // Starts a frame. With `content_size`, the frame header records it (decoders can then
  // allocate once) and End() fails unless exactly that many bytes were written.
  Status Begin(std::optional<uint64_t> content_size = std::nullopt);
  // Compresses `data`, appending whatever output is ready to *out.
  Status Write(std::string_view data, std::string* out);
  // Emits everything buffered so far as a complete block (for a stream that must make
  // progress, e.g. server-sent events), without ending the frame.
  Status Flush(std::string* out);
  // Ends the frame, appending its last block and checksum-less epilogue to *out.
  Status End(std::string* out);

  // Begin(data.size()) + Write + End: one frame of `data` appended to *out.
  Status CompressFrame(std::string_view data, std::string* out);

 private:
  Status Drive(std::string_view data, int mode, std::string* out);

  ZSTD_CCtx_s* ctx_;
  int level_;
  bool in_frame_ = false;
};

class ZstdDecompressor {
 public:
  // Output larger than `max_output` bytes in total (since Begin) is refused: a small frame
  // may claim gigabytes.
  explicit ZstdDecompressor(size_t max_output = size_t{256} << 20);
  ~ZstdDecompressor();
  ZstdDecompressor(const ZstdDecompressor&) = delete;
  ZstdDecompressor& operator=(const ZstdDecompressor&) = delete;

  // Starts a new input (frames may follow each other in it).
  void Begin();
  // Decompresses the next bytes of input, appending output to *out. kInvalidArgument on
  // corrupt input or when max_output would be exceeded.
  Status Write(std::string_view data, std::string* out);
  // OK when the input ended at a frame boundary; kInvalidArgument when it was truncated.
  Status End() const;

  // Begin + Write + End.
  Status DecompressAll(std::string_view data, std::string* out);

 private:
  ZSTD_DCtx_s* ctx_;
  size_t max_output_;
  size_t produced_ = 0;
  bool mid_frame_ = false;
};

// A compressor owned by the calling thread, created on first use, at `level` for its next
// frame. Never returns null.
ZstdCompressor* ThreadLocalZstdCompressor(int level = kZstdDefaultLevel);

}  // namespace codeindex

#endif  // CODEINDEX_STREAM_ZSTD_H_
