// The llm stage: a streaming client for the model that condenses a conversation, and the
// original's stream model (spec ORIGINAL-CONTEXT.md §6). Read this header first.
//
//   api.h           ApiHandler (what context/ calls), the chunk model (§6.1), ApiError
//   tag_matcher.h   the <think> tag matcher of OpenAI-style streams (§6.4)
//   decoders.h      provider events -> chunks: Anthropic Messages (§6.2), OpenAI chat
//                   completions (§6.3), OpenAI Responses (§6.5); pure, no I/O
//   errors.h        context-window-exceeded detection (§2.1)
//   client.h        HttpApiHandler: the decoders over HTTP(S) + SSE (stream/sse.h), with
//                   timeouts and cancellation; configured from config.toml's [llm] table
//
// context/ receives an ApiHandler* and never knows whether a network is behind it: its tests
// pass a scripted handler. Depends on base/ and stream/.
//
// Thread safety: chunks and errors are values. An ApiHandler may be used by one request at a
// time unless its class says otherwise (HttpApiHandler: any number at once).
#ifndef CODEINDEX_LLM_API_H_
#define CODEINDEX_LLM_API_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/status.h"

namespace codeindex::llm {

// Messages keep their keys in the order given (as JavaScript objects do), so a history read
// from JSON is written back with its fields where they were.
using Json = nlohmann::ordered_json;

// §6.1: one item of an answer stream. One struct with a tag keeps consumers simple; the fields
// used by each type are listed.
enum class ChunkType {
  kText,              // text
  kReasoning,         // text, signature (optional)
  kThinkingComplete,  // signature
  kUsage,             // usage
  kGrounding,         // sources
  kToolCall,          // id, name, arguments
  kToolCallStart,     // id, name
  kToolCallDelta,     // id, arguments (the delta)
  kToolCallEnd,       // id
  kToolCallPartial,   // index, id?, name?, arguments?
  kError,             // error, text (the message)
};

// "text", "reasoning", "thinking_complete", "usage", ... as the original names them.
std::string_view ChunkTypeName(ChunkType type);

struct Usage {
  int64_t input_tokens = 0;
  int64_t output_tokens = 0;
  std::optional<int64_t> cache_write_tokens;
  std::optional<int64_t> cache_read_tokens;
  std::optional<int64_t> reasoning_tokens;
  std::optional<double> total_cost;
};

struct GroundingSource {
  std::string title, url;
  std::optional<std::string> snippet;
};

struct Chunk {
  ChunkType type = ChunkType::kText;
  std::string text;
  std::optional<std::string> signature;
  Usage usage;
  std::vector<GroundingSource> sources;
  int index = 0;
  std::optional<std::string> id, name, arguments;
  std::string error;

  static Chunk Text(std::string text);
  static Chunk Reasoning(std::string text);
  static Chunk UsageChunk(Usage usage);
  static Chunk ToolCallPartial(int index, std::optional<std::string> id,
                               std::optional<std::string> name,
                               std::optional<std::string> arguments);
  static Chunk ToolCallEnd(std::string id);
};

// The chunk in the original's shape, e.g. {"type":"text","text":"..."} (absent optionals are
// omitted), for logs, tests and the CLI's --trace.
Json ChunkToJson(const Chunk& chunk);

// What a provider SDK would have thrown.
struct ApiError {
  enum class Kind {
    kNone,       // no error
    kHttp,       // the server answered with a non-2xx status
    kTransport,  // connection refused, reset, closed mid-stream, TLS failure
    kTimeout,    // no byte within the read timeout, or the overall deadline passed
    kCancelled,  // the caller's cancel flag was set
    kStream,     // the stream itself carried an error event, or could not be decoded
    kLength,     // the answer stopped at the output limit where that is an error
                 // (OpenAI's LengthFinishReasonError)
  };
  Kind kind = Kind::kNone;
  // Whose SDK would have thrown it: "openai" (error = body.error) or "anthropic" (error = the
  // whole body); decides which §2.1 checks apply.
  std::string sdk;
  int status = 0;       // HTTP status, 0 when there was no response
  std::string type;     // provider error type, e.g. "invalid_request_error"
  std::string code;     // provider error code, e.g. "context_length_exceeded" (as a string)
  std::string message;  // as the SDK formats it ("400 <provider message>"), or a description
  std::string body;     // the response body when there was one (JSON text, or raw text)

  bool ok() const { return kind == Kind::kNone; }
  // The message as the provider SDKs format it ("400 prompt is too long ...").
  std::string Describe() const;
  // The details the original attaches to a failed condense: {"status", "code", "type",
  // "body"} (present fields only).
  Json Details() const;
  // kCancelled -> Status::Cancelled, kTimeout/kTransport/5xx/429 -> Unavailable, other 4xx ->
  // InvalidArgument, else Internal.
  Status ToStatus() const;
};

struct ModelInfo {
  std::string id;
  int64_t context_window = 128000;
  std::optional<int64_t> max_tokens;  // output limit the model declares
  bool supports_images = false;
  // Prices in USD per million tokens, for usage chunks' totalCost (0 = unknown).
  double input_price = 0, output_price = 0, cache_writes_price = 0, cache_reads_price = 0;
  bool has_prices() const {
    return input_price > 0 || output_price > 0 || cache_writes_price > 0 || cache_reads_price > 0;
  }
};

// One request: the system prompt, the messages (each {"role", "content"} with content a string
// or an array of Anthropic-style blocks), and the original's metadata (taskId, mode, tools in
// OpenAI function format).
struct ApiRequest {
  std::string system_prompt;
  Json messages = Json::array();
  Json metadata = Json::object();
};

using ChunkSink = std::function<void(const Chunk&)>;

class ApiHandler {
 public:
  virtual ~ApiHandler() = default;
  virtual ModelInfo model() const = 0;
  // Streams the answer to `request`, calling `sink` for every chunk in order. Returns
  // kNone when the stream ended normally; otherwise the error that ended it (some chunks may
  // have been delivered before). `cancel`, when given, is polled while waiting and stops the
  // request with kCancelled.
  virtual ApiError CreateMessage(const ApiRequest& request, const ChunkSink& sink,
                                 const std::atomic<bool>* cancel = nullptr) = 0;
};

}  // namespace codeindex::llm

#endif  // CODEINDEX_LLM_API_H_
