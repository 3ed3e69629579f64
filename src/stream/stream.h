// The stream stage: bytes that arrive or leave in pieces. Read this header first.
//
//   sse.h   SseParser: Server-Sent Events (LLM streaming APIs, /v1/events) parsed
//           incrementally from chunks cut anywhere, no allocation per event, compared with
//           npm eventsource-parser on random streams (sse_reference_test.cc) and fuzzed
//           (fuzz/sse_fuzz.cc).
//   zstd.h  ZstdCompressor / ZstdDecompressor: zstd frames through libzstd's streaming API
//           with contexts reused across frames (server responses, stored histories).
//
// Depends on base/ only, so that every stage (llm/, server/, context/) can use it. Nothing
// here does I/O: callers feed bytes and take bytes.
#ifndef CODEINDEX_STREAM_STREAM_H_
#define CODEINDEX_STREAM_STREAM_H_

#include "stream/sse.h"   // IWYU pragma: export
#include "stream/zstd.h"  // IWYU pragma: export

#endif  // CODEINDEX_STREAM_STREAM_H_
