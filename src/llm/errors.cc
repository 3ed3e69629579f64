#include "llm/errors.h"

#include <regex>

namespace codeindex::llm {
namespace {

bool AnyMatch(const std::string& text, std::initializer_list<const char*> patterns) {
  for (const char* p : patterns) {
    const std::regex re(p, std::regex::ECMAScript | std::regex::icase);
    if (std::regex_search(text, re)) return true;
  }
  return false;
}

// The object the SDK exposes as `error.error`: body.error for OpenAI, the body for Anthropic.
Json SdkErrorObject(const ApiError& e) {
  Json body;
  try {
    body = Json::parse(e.body);
  } catch (const Json::exception&) {
    return Json();
  }
  if (e.sdk == "anthropic") return body;
  if (body.is_object() && body.contains("error")) return body["error"];
  return Json();
}

}  // namespace

bool IsOpenAiContextWindowError(const ApiError& e) {
  if (e.kind == ApiError::Kind::kLength) return true;
  if (e.sdk != "openai" || e.ok()) return false;
  if (e.code != "400") return false;
  const std::string m = e.Describe();
  return m.find("token") != std::string::npos || m.find("context length") != std::string::npos;
}

bool IsOpenRouterContextWindowError(const ApiError& e) {
  if (e.ok()) return false;
  // status ?? code ?? error.status: the HTTP status first, else the error's own code.
  std::string status = e.status > 0 ? std::to_string(e.status) : e.code;
  if (status.empty()) {
    const Json obj = SdkErrorObject(e);
    if (obj.is_object() && obj.contains("status")) {
      status = obj["status"].is_string() ? obj["status"].get<std::string>() : obj["status"].dump();
    }
  }
  if (status != "400") return false;
  std::string message = e.Describe();
  if (message.empty()) {
    const Json obj = SdkErrorObject(e);
    if (obj.is_object() && obj.contains("message") && obj["message"].is_string()) {
      message = obj["message"].get<std::string>();
    }
  }
  return AnyMatch(message, {R"(\bcontext\s*(?:length|window)\b)", R"(\bmaximum\s*context\b)",
                            R"(\b(?:input\s*)?tokens?\s*exceed)", R"(\btoo\s*many\s*tokens?\b)"});
}

bool IsAnthropicContextWindowError(const ApiError& e) {
  if (e.ok()) return false;
  const Json obj = SdkErrorObject(e);
  if (!obj.is_object() || !obj.contains("error") || !obj["error"].is_object()) return false;
  const Json& inner = obj["error"];
  if (!inner.contains("type") || inner["type"] != "invalid_request_error") return false;
  const std::string message =
      inner.contains("message") && inner["message"].is_string() ? inner["message"].get<std::string>()
                                                                : std::string();
  return AnyMatch(message, {"prompt is too long", "maximum.*tokens", "context.*too.*long",
                            "exceeds.*context", "token.*limit", "context_length_exceeded",
                            "max_tokens_to_sample"});
}

bool IsContextWindowExceededError(const ApiError& e) {
  return IsOpenAiContextWindowError(e) || IsOpenRouterContextWindowError(e) ||
         IsAnthropicContextWindowError(e);
}

}  // namespace codeindex::llm
