#include "llm/api.h"

namespace codeindex::llm {

std::string_view ChunkTypeName(ChunkType type) {
  switch (type) {
    case ChunkType::kText: return "text";
    case ChunkType::kReasoning: return "reasoning";
    case ChunkType::kThinkingComplete: return "thinking_complete";
    case ChunkType::kUsage: return "usage";
    case ChunkType::kGrounding: return "grounding";
    case ChunkType::kToolCall: return "tool_call";
    case ChunkType::kToolCallStart: return "tool_call_start";
    case ChunkType::kToolCallDelta: return "tool_call_delta";
    case ChunkType::kToolCallEnd: return "tool_call_end";
    case ChunkType::kToolCallPartial: return "tool_call_partial";
    case ChunkType::kError: return "error";
  }
  return "error";
}

Chunk Chunk::Text(std::string text) {
  Chunk c;
  c.type = ChunkType::kText;
  c.text = std::move(text);
  return c;
}

Chunk Chunk::Reasoning(std::string text) {
  Chunk c;
  c.type = ChunkType::kReasoning;
  c.text = std::move(text);
  return c;
}

Chunk Chunk::UsageChunk(Usage usage) {
  Chunk c;
  c.type = ChunkType::kUsage;
  c.usage = usage;
  return c;
}

Chunk Chunk::ToolCallPartial(int index, std::optional<std::string> id,
                             std::optional<std::string> name,
                             std::optional<std::string> arguments) {
  Chunk c;
  c.type = ChunkType::kToolCallPartial;
  c.index = index;
  c.id = std::move(id);
  c.name = std::move(name);
  c.arguments = std::move(arguments);
  return c;
}

Chunk Chunk::ToolCallEnd(std::string id) {
  Chunk c;
  c.type = ChunkType::kToolCallEnd;
  c.id = std::move(id);
  return c;
}

Json ChunkToJson(const Chunk& c) {
  Json j = Json::object();
  j["type"] = ChunkTypeName(c.type);
  auto opt = [&](const char* key, const std::optional<std::string>& v) {
    if (v) j[key] = *v;
  };
  switch (c.type) {
    case ChunkType::kText:
      j["text"] = c.text;
      break;
    case ChunkType::kReasoning:
      j["text"] = c.text;
      opt("signature", c.signature);
      break;
    case ChunkType::kThinkingComplete:
      j["signature"] = c.signature.value_or("");
      break;
    case ChunkType::kUsage: {
      const Usage& u = c.usage;
      j["inputTokens"] = u.input_tokens;
      j["outputTokens"] = u.output_tokens;
      if (u.cache_write_tokens) j["cacheWriteTokens"] = *u.cache_write_tokens;
      if (u.cache_read_tokens) j["cacheReadTokens"] = *u.cache_read_tokens;
      if (u.reasoning_tokens) j["reasoningTokens"] = *u.reasoning_tokens;
      if (u.total_cost) j["totalCost"] = *u.total_cost;
      break;
    }
    case ChunkType::kGrounding: {
      Json sources = Json::array();
      for (const GroundingSource& s : c.sources) {
        Json o = {{"title", s.title}, {"url", s.url}};
        if (s.snippet) o["snippet"] = *s.snippet;
        sources.push_back(std::move(o));
      }
      j["sources"] = std::move(sources);
      break;
    }
    case ChunkType::kToolCall:
      opt("id", c.id);
      opt("name", c.name);
      opt("arguments", c.arguments);
      break;
    case ChunkType::kToolCallStart:
      opt("id", c.id);
      opt("name", c.name);
      break;
    case ChunkType::kToolCallDelta:
      opt("id", c.id);
      if (c.arguments) j["delta"] = *c.arguments;
      break;
    case ChunkType::kToolCallEnd:
      opt("id", c.id);
      break;
    case ChunkType::kToolCallPartial:
      j["index"] = c.index;
      opt("id", c.id);
      opt("name", c.name);
      opt("arguments", c.arguments);
      break;
    case ChunkType::kError:
      j["error"] = c.error;
      j["message"] = c.text;
      break;
  }
  return j;
}

std::string ApiError::Describe() const {
  if (!message.empty()) return message;
  switch (kind) {
    case Kind::kNone: return "";
    case Kind::kHttp: return std::to_string(status) + " status code (no body)";
    case Kind::kTransport: return "Connection error.";
    case Kind::kTimeout: return "Request timed out.";
    case Kind::kCancelled: return "Request was aborted.";
    case Kind::kStream: return "the stream could not be read";
    case Kind::kLength: return "Could not parse response content as the length limit was reached";
  }
  return "";
}

Json ApiError::Details() const {
  Json d = Json::object();
  if (status > 0) d["status"] = status;
  if (!code.empty()) d["code"] = code;
  if (!type.empty()) d["type"] = type;
  if (!body.empty()) {
    try {
      d["body"] = Json::parse(body);
    } catch (const Json::exception&) {
      d["body"] = body;
    }
  }
  return d;
}

Status ApiError::ToStatus() const {
  const std::string m = Describe();
  switch (kind) {
    case Kind::kNone: return Status::OK();
    case Kind::kCancelled: return Status::Cancelled(m);
    case Kind::kTimeout:
    case Kind::kTransport: return Status::Unavailable(m);
    case Kind::kHttp:
      if (status == 429 || status >= 500) return Status::Unavailable(m);
      return Status::InvalidArgument(m);
    default: return Status::Internal(m);
  }
}

}  // namespace codeindex::llm
