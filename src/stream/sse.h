// Server-Sent Events parser: bytes in, events out, incrementally, with no allocation per
// event once its buffers have grown to the stream's largest line and event.
//
// Grammar: the WHATWG "event stream" interpretation, with the field semantics of npm
// eventsource-parser@4.1.3 (tests/sse pins it; sse_reference_test.cc compares the two on
// random streams cut at random points):
//   - lines end with LF, CR or CRLF, also when the CR and the LF arrive in different chunks;
//   - one leading UTF-8 BOM (EF BB BF) is dropped, also when split across chunks;
//   - "data" lines accumulate, joined by LF; an empty line dispatches the event if it had at
//     least one data line (an event with only "event"/"id" fields is dropped);
//   - "event" sets the type (an empty value means none), "id" sets the id unless the value
//     contains NUL; both, like the data, last only until the next dispatch (as in
//     eventsource-parser, unlike a browser's EventSource, the id does not carry over);
//   - "retry" with only ASCII digits reports the reconnection time; other values and unknown
//     fields are ignored; a line starting with ':' is a comment;
//   - after the field name one ':' and at most one space are dropped; a line without ':' is
//     a field with an empty value;
//   - at the end of the stream an unterminated line and an undispatched event are dropped.
// Bytes are never decoded: non-ASCII bytes pass through, so a UTF-8 character split across
// chunks needs no care.
//
// Memory: the parser owns three buffers (the partial line carried between chunks, the data of
// the current event when it spans lines or chunks, its type and id). A data line that is
// complete inside one chunk and ends its event there is handed to the handler as a view of
// the chunk itself, without a copy (the common shape of LLM streams: "data: {...}\n\n").
// Buffers keep their capacity across events and Reset(). `max_buffer_bytes` bounds them: a
// line or an event larger than that stops the parser with an error (a server that never ends
// a line cannot exhaust memory).
//
// Thread safety: one parser per stream; a parser is not thread-safe. Views passed to the
// handler are valid only during the call.
#ifndef CODEINDEX_STREAM_SSE_H_
#define CODEINDEX_STREAM_SSE_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "base/status.h"

namespace codeindex {

struct SseEvent {
  std::string_view type;  // the "event" field; empty when none was given
  std::string_view data;  // data lines joined by '\n'
  std::string_view id;    // meaningful only when has_id
  bool has_id = false;
};

// Receives what the parser finds. Views are valid during the call only.
class SseHandler {
 public:
  virtual ~SseHandler() = default;
  virtual void OnEvent(const SseEvent& event) = 0;
  // A comment line, without the ':' and one following space.
  virtual void OnComment(std::string_view /*comment*/) {}
  // A valid "retry" field: its digits, and their value (saturating at UINT64_MAX).
  virtual void OnRetry(std::string_view /*digits*/, uint64_t /*milliseconds*/) {}
};

struct SseParserOptions {
  // Largest line or event data kept; more stops the parser (Feed returns kInvalidArgument
  // until Reset). 64 MiB: far above any LLM stream event, small enough to matter.
  size_t max_buffer_bytes = 64u << 20;
};

class SseParser {
 public:
  // `handler` is not owned and must outlive the parser.
  explicit SseParser(SseHandler* handler, SseParserOptions options = {});
  SseParser(const SseParser&) = delete;
  SseParser& operator=(const SseParser&) = delete;

  // Parses the next bytes of the stream, calling the handler for each event, comment and
  // retry completed by them. Any chunk boundary is allowed, including an empty chunk.
  Status Feed(std::string_view chunk);

  // Forgets the partial line and event (the start of a new stream: the BOM check again).
  // Keeps the buffers' capacity.
  void Reset();

  // Bytes held for a line not yet terminated (for tests and limits).
  size_t pending_line_bytes() const { return line_.size(); }

 private:
  // Processes complete lines of `chunk` and keeps a trailing partial line.
  Status ParseLines(std::string_view chunk);
  // One line without its terminator. The event's fields may become views of `line`.
  void ParseLine(std::string_view line);
  void Dispatch();
  // Copies every field that is still a view of the caller's chunk (or of line_) into the
  // parser's own buffers.
  void Materialise();
  Status Overflow();

  SseHandler* handler_;
  SseParserOptions options_;

  int bom_matched_ = 0;  // bytes of EF BB BF seen at the start; -1 once decided
  bool skip_lf_ = false;  // the last chunk ended with CR: drop a leading LF
  bool failed_ = false;

  std::string line_;  // partial line carried from the previous chunk

  // The event being built. Each field is a view either into the chunk being parsed or into
  // the owned buffer below it.
  std::string_view data_;
  bool has_data_ = false;
  bool data_in_buf_ = false;
  std::string data_buf_;
  std::string_view type_;  // empty = none
  bool type_in_buf_ = false;
  std::string type_buf_;
  std::string_view id_;
  bool has_id_ = false;
  bool id_in_buf_ = false;
  std::string id_buf_;
};

}  // namespace codeindex

#endif  // CODEINDEX_STREAM_SSE_H_
