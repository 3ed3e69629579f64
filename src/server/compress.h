// Response compression: the coding a client accepts (Accept-Encoding with q-values, RFC 9110
// §12.5.3), and gzip (zlib) / zstd (libzstd) encoders.
//
// Choice: among the codings the client accepts with q > 0, the one with the highest q;
// ties prefer zstd (smaller and several times faster to encode than gzip at the levels used
// here), then gzip, then identity. "*" stands for every coding not named. A client that
// refuses identity ("identity;q=0") and accepts nothing we have still gets identity: the
// RFC allows 415, but every client handles an uncompressed body.
//
// Thread safety: every function is thread-safe (no shared state).
#ifndef CODEINDEX_SERVER_COMPRESS_H_
#define CODEINDEX_SERVER_COMPRESS_H_

#include <string>
#include <string_view>

#include "base/status.h"

namespace codeindex {

enum class ContentCoding { kIdentity, kGzip, kZstd };

// "identity", "gzip", "zstd" (the Content-Encoding value; identity is never sent).
std::string_view ContentCodingName(ContentCoding c);

// The coding to answer with, from an Accept-Encoding header value (empty: identity).
// Malformed parts are skipped, never an error.
ContentCoding ChooseContentCoding(std::string_view accept_encoding);

// Bodies below this size are sent as they are: compression would save less than a packet.
inline constexpr size_t kMinCompressBytes = 1024;

// Levels: zlib 1..9 (6 is zlib's default), zstd 1..19 (3 is zstd's default). Low levels:
// responses are small and latency matters more than the last percent of size.
inline constexpr int kGzipLevel = 4;
inline constexpr int kZstdLevel = 3;

// gzip member (RFC 1952) of `data`.
Result<std::string> GzipCompress(std::string_view data, int level = kGzipLevel);
// One zstd frame (RFC 8878) with the content size in its header.
Result<std::string> ZstdCompress(std::string_view data, int level = kZstdLevel);

// Decoders, for tests and for clients written in C++. kInvalidArgument on corrupt input, or
// when the result would exceed kMaxDecompressedBytes (a small frame may claim gigabytes).
inline constexpr size_t kMaxDecompressedBytes = 256u << 20;
Result<std::string> GzipDecompress(std::string_view data);
Result<std::string> ZstdDecompress(std::string_view data);

}  // namespace codeindex

#endif  // CODEINDEX_SERVER_COMPRESS_H_
