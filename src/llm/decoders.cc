#include "llm/decoders.h"

#include <algorithm>

namespace codeindex::llm {
namespace {

// JavaScript `x || 0` for a token count.
int64_t Num(const Json& obj, const char* key) {
  if (!obj.is_object()) return 0;
  auto it = obj.find(key);
  if (it == obj.end() || !it->is_number()) return 0;
  return it->is_number_float() ? static_cast<int64_t>(it->get<double>()) : it->get<int64_t>();
}

std::string Str(const Json& obj, const char* key) {
  if (!obj.is_object()) return {};
  auto it = obj.find(key);
  if (it == obj.end() || !it->is_string()) return {};
  return it->get<std::string>();
}

std::optional<std::string> OptStr(const Json& obj, const char* key) {
  if (!obj.is_object()) return std::nullopt;
  auto it = obj.find(key);
  if (it == obj.end() || !it->is_string()) return std::nullopt;
  return it->get<std::string>();
}

const Json& Member(const Json& obj, const char* key) {
  static const Json kNull;
  if (!obj.is_object()) return kNull;
  auto it = obj.find(key);
  return it == obj.end() ? kNull : *it;
}

bool Blank(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
  });
}

// An error object from a stream ({"type","message","code"}) as the SDK would throw it.
ApiError StreamError(const Json& error, std::string sdk, std::string raw) {
  ApiError e;
  e.kind = ApiError::Kind::kStream;
  e.sdk = std::move(sdk);
  e.body = std::move(raw);
  const Json& inner = e.sdk == "anthropic" ? Member(error, "error") : error;
  e.type = Str(inner, "type");
  if (inner.is_object() && inner.contains("code")) {
    e.code = inner["code"].is_string() ? inner["code"].get<std::string>() : inner["code"].dump();
  }
  // Anthropic's SDK has no status for a stream error and prints the JSON; OpenAI's prints the
  // message.
  const std::string m = Str(error, "message");
  e.message = m.empty() ? error.dump() : m;
  return e;
}

}  // namespace

double AnthropicCost(const ModelInfo& m, int64_t input, int64_t output, int64_t cache_write,
                     int64_t cache_read) {
  return (m.input_price * static_cast<double>(input) + m.output_price * static_cast<double>(output) +
          m.cache_writes_price * static_cast<double>(cache_write) +
          m.cache_reads_price * static_cast<double>(cache_read)) /
         1e6;
}

double OpenAiCost(const ModelInfo& m, int64_t input, int64_t output, int64_t cache_write,
                  int64_t cache_read) {
  const int64_t uncached = std::max<int64_t>(0, input - cache_write - cache_read);
  return AnthropicCost(m, uncached, output, cache_write, cache_read);
}

ApiError AnthropicDecoder::OnEvent(const Json& event, std::vector<Chunk>* out) {
  const std::string type = Str(event, "type");
  if (type == "message_start") {
    const Json& usage = Member(Member(event, "message"), "usage");
    Usage u;
    u.input_tokens = Num(usage, "input_tokens");
    u.output_tokens = Num(usage, "output_tokens");
    const int64_t cw = Num(usage, "cache_creation_input_tokens");
    const int64_t cr = Num(usage, "cache_read_input_tokens");
    if (cw) u.cache_write_tokens = cw;
    if (cr) u.cache_read_tokens = cr;
    out->push_back(Chunk::UsageChunk(u));
    input_ += u.input_tokens;
    output_ += u.output_tokens;
    cache_write_ += cw;
    cache_read_ += cr;
  } else if (type == "message_delta") {
    Usage u;
    u.output_tokens = Num(Member(event, "usage"), "output_tokens");
    out->push_back(Chunk::UsageChunk(u));
    output_ += u.output_tokens;
  } else if (type == "content_block_start") {
    const Json& block = Member(event, "content_block");
    const std::string block_type = Str(block, "type");
    const int64_t index = Num(event, "index");
    if (block_type == "thinking") {
      if (index > 0) out->push_back(Chunk::Reasoning("\n"));
      out->push_back(Chunk::Reasoning(Str(block, "thinking")));
    } else if (block_type == "text") {
      if (index > 0) out->push_back(Chunk::Text("\n"));
      out->push_back(Chunk::Text(Str(block, "text")));
    } else if (block_type == "tool_use") {
      out->push_back(Chunk::ToolCallPartial(static_cast<int>(index), OptStr(block, "id"),
                                            OptStr(block, "name"), std::nullopt));
    }
  } else if (type == "content_block_delta") {
    const Json& delta = Member(event, "delta");
    const std::string delta_type = Str(delta, "type");
    if (delta_type == "thinking_delta") {
      out->push_back(Chunk::Reasoning(Str(delta, "thinking")));
    } else if (delta_type == "text_delta") {
      out->push_back(Chunk::Text(Str(delta, "text")));
    } else if (delta_type == "input_json_delta") {
      out->push_back(Chunk::ToolCallPartial(static_cast<int>(Num(event, "index")), std::nullopt,
                                            std::nullopt, OptStr(delta, "partial_json")));
    }
  } else if (type == "message_stop") {
    saw_stop_ = true;
  } else if (type == "error") {
    return StreamError(event, "anthropic", event.dump());
  }
  return ApiError{};
}

void AnthropicDecoder::Finish(std::vector<Chunk>* out) {
  if (input_ > 0 || output_ > 0 || cache_write_ > 0 || cache_read_ > 0) {
    Usage u;
    u.total_cost = AnthropicCost(model_, input_, output_, cache_write_, cache_read_);
    out->push_back(Chunk::UsageChunk(u));
  }
}

ApiError OpenAiDecoder::OnChunk(const Json& chunk, std::vector<Chunk>* out) {
  if (chunk.is_object() && chunk.contains("error") && !chunk["error"].is_null()) {
    return StreamError(chunk["error"], "openai", chunk.dump());
  }
  const Json& choices = Member(chunk, "choices");
  const Json& choice = choices.is_array() && !choices.empty() ? choices[0] : Member(chunk, "");
  const Json& delta = Member(choice, "delta");
  const std::string finish = Str(choice, "finish_reason");
  if (const std::string content = Str(delta, "content"); !content.empty()) {
    matcher_.Update(content, out);
  }
  if (delta.is_object()) {
    if (flavor_ == Flavor::kOpenAi) {
      const std::string r = Str(delta, "reasoning_content");
      if (!r.empty()) out->push_back(Chunk::Reasoning(r));
    } else {
      for (const char* key : {"reasoning_content", "reasoning"}) {
        if (!delta.contains(key)) continue;
        const std::string r = Str(delta, key);
        if (!Blank(r)) out->push_back(Chunk::Reasoning(r));
        break;
      }
    }
  }
  const Json& calls = Member(delta, "tool_calls");
  if (calls.is_array()) {
    for (const Json& call : calls) {
      const std::optional<std::string> id = OptStr(call, "id");
      if (id && !id->empty() && active_set_.insert(*id).second) active_tool_ids_.push_back(*id);
      const Json& fn = Member(call, "function");
      out->push_back(Chunk::ToolCallPartial(static_cast<int>(Num(call, "index")), id,
                                            OptStr(fn, "name"), OptStr(fn, "arguments")));
    }
  }
  if (finish == "tool_calls" && !active_tool_ids_.empty()) {
    for (const std::string& id : active_tool_ids_) out->push_back(Chunk::ToolCallEnd(id));
    active_tool_ids_.clear();
    active_set_.clear();
  }
  const Json& usage = Member(chunk, "usage");
  if (usage.is_object()) last_usage_ = usage;
  return ApiError{};
}

void OpenAiDecoder::Finish(std::vector<Chunk>* out) {
  matcher_.Final(out);
  if (!last_usage_.is_object()) return;
  Usage u;
  u.input_tokens = Num(last_usage_, "prompt_tokens");
  u.output_tokens = Num(last_usage_, "completion_tokens");
  const int64_t cw = Num(last_usage_, "cache_creation_input_tokens");
  const int64_t cr = Num(last_usage_, "cache_read_input_tokens");
  if (cw) u.cache_write_tokens = cw;
  if (cr) u.cache_read_tokens = cr;
  if (model_.has_prices()) u.total_cost = OpenAiCost(model_, u.input_tokens, u.output_tokens, cw, cr);
  out->push_back(Chunk::UsageChunk(u));
}

void ResponsesDecoder::EmitUsage(const Json& usage, std::vector<Chunk>* out) {
  if (!usage.is_object()) return;
  const Json& in_details = Member(usage, "input_tokens_details");
  const Json& prompt_details = Member(usage, "prompt_tokens_details");
  int64_t input = Num(usage, "input_tokens");
  if (!input) input = Num(usage, "prompt_tokens");
  if (!input) input = Num(in_details, "cached_tokens") + Num(in_details, "cache_miss_tokens");
  int64_t output = Num(usage, "output_tokens");
  if (!output) output = Num(usage, "completion_tokens");
  int64_t cw = Num(usage, "cache_creation_input_tokens");
  if (!cw) cw = Num(usage, "cache_write_tokens");
  int64_t cr = Num(usage, "cache_read_input_tokens");
  if (!cr) cr = Num(usage, "cache_read_tokens");
  if (!cr) cr = Num(usage, "cached_tokens");
  if (!cr) cr = Num(in_details, "cached_tokens");
  if (!cr) cr = Num(prompt_details, "cached_tokens");
  Usage u;
  u.input_tokens = input;
  u.output_tokens = output;
  u.cache_write_tokens = cw;
  u.cache_read_tokens = cr;
  const Json& out_details = Member(usage, "output_tokens_details");
  if (out_details.is_object() && out_details.contains("reasoning_tokens")) {
    u.reasoning_tokens = Num(out_details, "reasoning_tokens");
  }
  u.total_cost = OpenAiCost(model_, input, output, cw, cr);
  out->push_back(Chunk::UsageChunk(u));
}

ApiError ResponsesDecoder::OnEvent(const Json& event, std::vector<Chunk>* out) {
  const std::string type = Str(event, "type");
  const Json& response = Member(event, "response");
  if (response.is_object()) {
    if (const std::string id = Str(response, "id"); !id.empty()) response_id_ = id;
    if (const std::string tier = Str(response, "service_tier"); !tier.empty()) {
      service_tier_ = tier;
    }
  }
  if (type == "response.output_text.delta" || type == "response.text.delta") {
    const std::string delta = Str(event, "delta");
    saw_text_delta_ = true;
    if (!delta.empty()) {
      out->push_back(Chunk::Text(delta));
      has_text_ = true;
    }
  } else if (type == "response.output_text.done" || type == "response.text.done") {
    const std::string text = Str(event, "text");
    if (!has_text_ && !text.empty()) {
      out->push_back(Chunk::Text(text));
      has_text_ = true;
    }
  } else if (type == "response.content_part.added" || type == "response.content_part.done") {
    const Json& part = Member(event, "part");
    const std::string text = Str(part, "text");
    if (!saw_text_delta_ && Str(part, "type") == "output_text" && !text.empty()) {
      out->push_back(Chunk::Text(text));
      has_text_ = true;
    }
  } else if (type == "response.reasoning.delta" || type == "response.reasoning_text.delta" ||
             type == "response.reasoning_summary.delta" ||
             type == "response.reasoning_summary_text.delta") {
    const std::string delta = Str(event, "delta");
    if (!delta.empty()) out->push_back(Chunk::Reasoning(delta));
  } else if (type == "response.refusal.delta") {
    const std::string delta = Str(event, "delta");
    if (!delta.empty()) {
      out->push_back(Chunk::Text("[Refusal] " + delta));
      has_text_ = true;
    }
  } else if (type == "response.output_item.added") {
    const Json& item = Member(event, "item");
    if (Str(item, "type") == "function_call") {
      last_call_id_ = Str(item, "call_id");
      if (last_call_id_.empty()) last_call_id_ = Str(item, "id");
      last_call_name_ = Str(item, "name");
    }
  } else if (type == "response.function_call_arguments.delta" ||
             type == "response.tool_call_arguments.delta") {
    std::string id = Str(event, "call_id");
    if (id.empty()) id = last_call_id_;
    std::string name = Str(event, "name");
    if (name.empty()) name = last_call_name_;
    if (!id.empty() && !name.empty()) {
      streamed_calls_.insert(id);
      out->push_back(Chunk::ToolCallPartial(static_cast<int>(Num(event, "output_index")), id, name,
                                            Str(event, "delta")));
    }
  } else if (type == "response.output_item.done") {
    const Json& item = Member(event, "item");
    if (Str(item, "type") == "function_call") {
      std::string id = Str(item, "call_id");
      if (id.empty()) id = Str(item, "id");
      if (!id.empty() && !streamed_calls_.count(id)) {
        Chunk c;
        c.type = ChunkType::kToolCall;
        c.id = id;
        c.name = Str(item, "name");
        c.arguments = Str(item, "arguments");
        out->push_back(std::move(c));
      }
    }
  } else if (type == "response.done" || type == "response.completed") {
    if (!has_text_) {
      const Json& output = Member(response, "output");
      if (output.is_array()) {
        for (const Json& item : output) {
          if (Str(item, "type") != "message") continue;
          const Json& content = Member(item, "content");
          if (!content.is_array()) continue;
          for (const Json& part : content) {
            const std::string text = Str(part, "text");
            if (Str(part, "type") == "output_text" && !text.empty()) {
              out->push_back(Chunk::Text(text));
              has_text_ = true;
            }
          }
        }
      }
    }
    EmitUsage(Member(response, "usage"), out);
  } else if (type == "response.failed" || type == "error" || type == "response.error") {
    const Json& error = response.is_object() ? Member(response, "error") : Member(event, "error");
    return StreamError(error.is_object() ? error : event, "openai", event.dump());
  }
  return ApiError{};
}

}  // namespace codeindex::llm
