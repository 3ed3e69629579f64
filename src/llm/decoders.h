// Provider stream events -> the chunk model (spec ORIGINAL-CONTEXT.md §6.2, §6.3, §6.5). Pure:
// each decoder takes parsed events and appends chunks; client.h feeds them from SSE.
//
// AnthropicDecoder (Messages API, anthropic.ts):
//   message_start -> usage(input, output, cacheWrite, cacheRead as reported, zero cache values
//   absent); message_delta -> usage(0, output); content_block_start thinking/text -> a "\n"
//   of that kind first when index > 0, then the initial text; tool_use ->
//   tool_call_partial(index, id, name); content_block_delta thinking_delta -> reasoning,
//   text_delta -> text, input_json_delta -> tool_call_partial(index, arguments);
//   an "error" event ends the stream with that error. Finish(): one more usage(0, 0,
//   totalCost) when any token count was non-zero (cost from the model's prices, Anthropic
//   style: input excludes cache tokens).
//
// OpenAiDecoder (chat completions, openai.ts and base-openai-compatible-provider.ts): per
//   chunk, delta.content through the think-tag matcher; reasoning from reasoning_content
//   (kOpenAi) or the first of reasoning_content / reasoning present, when not blank
//   (kCompatible); each delta.tool_calls item -> tool_call_partial; finish_reason "tool_calls"
//   -> tool_call_end for every id seen since the last; the last usage object is kept. A chunk
//   with an "error" member ends the stream with it. Finish(): the matcher flushed, then the
//   last usage as usage(prompt_tokens, completion_tokens, cache_creation_input_tokens,
//   cache_read_input_tokens[, totalCost: OpenAI style, input includes cached tokens]).
//
// ResponsesDecoder (Responses API, openai-native.ts): see §6.5; text deltas, done/content-part
//   fallbacks, reasoning and refusal deltas, function-call argument deltas and completed calls,
//   final output-array fallback and normalised usage on response.done/completed.
#ifndef CODEINDEX_LLM_DECODERS_H_
#define CODEINDEX_LLM_DECODERS_H_

#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "llm/api.h"
#include "llm/tag_matcher.h"

namespace codeindex::llm {

// Anthropic style: input_tokens exclude cache reads and writes.
double AnthropicCost(const ModelInfo& m, int64_t input, int64_t output, int64_t cache_write,
                     int64_t cache_read);
// OpenAI style: input_tokens include the cached ones.
double OpenAiCost(const ModelInfo& m, int64_t input, int64_t output, int64_t cache_write,
                  int64_t cache_read);

class AnthropicDecoder {
 public:
  explicit AnthropicDecoder(ModelInfo model) : model_(std::move(model)) {}
  // One event's JSON data (its "type" names the event). Returns non-ok for an error event.
  ApiError OnEvent(const Json& event, std::vector<Chunk>* out);
  void Finish(std::vector<Chunk>* out);
  bool saw_stop() const { return saw_stop_; }

 private:
  ModelInfo model_;
  int64_t input_ = 0, output_ = 0, cache_write_ = 0, cache_read_ = 0;
  bool saw_stop_ = false;
};

class OpenAiDecoder {
 public:
  enum class Flavor { kOpenAi, kCompatible };
  OpenAiDecoder(ModelInfo model, Flavor flavor) : model_(std::move(model)), flavor_(flavor) {}
  ApiError OnChunk(const Json& chunk, std::vector<Chunk>* out);
  void Finish(std::vector<Chunk>* out);

 private:
  ModelInfo model_;
  Flavor flavor_;
  TagMatcher matcher_;
  std::vector<std::string> active_tool_ids_;  // insertion order, as a JS Set
  std::set<std::string> active_set_;
  Json last_usage_;
};

class ResponsesDecoder {
 public:
  explicit ResponsesDecoder(ModelInfo model) : model_(std::move(model)) {}
  ApiError OnEvent(const Json& event, std::vector<Chunk>* out);
  void Finish(std::vector<Chunk>*) {}
  const std::string& response_id() const { return response_id_; }

 private:
  void EmitUsage(const Json& usage, std::vector<Chunk>* out);
  ModelInfo model_;
  bool has_text_ = false;        // any text emitted
  bool saw_text_delta_ = false;  // a text delta event seen
  std::string response_id_, service_tier_;
  std::string last_call_id_, last_call_name_;  // last output_item.added function call
  std::set<std::string> streamed_calls_;       // calls whose arguments were streamed
};

}  // namespace codeindex::llm

#endif  // CODEINDEX_LLM_DECODERS_H_
