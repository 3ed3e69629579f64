#include "llm/errors.h"

#include <gtest/gtest.h>

namespace codeindex::llm {
namespace {

ApiError Http(std::string sdk, int status, std::string body, std::string code = "",
              std::string message = "") {
  ApiError e;
  e.kind = ApiError::Kind::kHttp;
  e.sdk = std::move(sdk);
  e.status = status;
  e.body = std::move(body);
  e.code = std::move(code);
  e.message = std::move(message);
  return e;
}

TEST(ContextWindowErrors, OpenAiCode400WithTokenOrContextLength) {
  EXPECT_TRUE(IsOpenAiContextWindowError(
      Http("openai", 400, "{}", "400", "400 too many token in request")));
  EXPECT_TRUE(IsOpenAiContextWindowError(
      Http("openai", 400, "{}", "400", "400 exceeds context length")));
  EXPECT_FALSE(IsOpenAiContextWindowError(Http("openai", 400, "{}", "400", "400 bad request")));
  // The code, not the HTTP status, must be "400".
  EXPECT_FALSE(IsOpenAiContextWindowError(
      Http("openai", 400, "{}", "context_length_exceeded", "400 too many tokens")));
  ApiError length;
  length.kind = ApiError::Kind::kLength;
  EXPECT_TRUE(IsOpenAiContextWindowError(length));
}

TEST(ContextWindowErrors, OpenRouterStyleStatus400AndPattern) {
  const char* yes[] = {
      "400 This model's maximum context length is 8192 tokens. However, you requested 9000",
      "400 context window exceeded", "400 Maximum context reached",
      "400 input tokens exceed the limit", "400 Too many tokens", "400 token exceeds"};
  for (const char* m : yes) {
    EXPECT_TRUE(IsOpenRouterContextWindowError(Http("openai", 400, "{}", "", m))) << m;
    EXPECT_TRUE(IsContextWindowExceededError(Http("openai", 400, "{}", "", m))) << m;
  }
  EXPECT_FALSE(IsOpenRouterContextWindowError(
      Http("openai", 413, "{}", "", "413 maximum context length exceeded")));
  EXPECT_FALSE(IsOpenRouterContextWindowError(Http("openai", 400, "{}", "", "400 invalid model")));
  EXPECT_FALSE(IsOpenRouterContextWindowError(
      Http("openai", 400, "{}", "", "400 contextual windows")));  // \b matters
}

TEST(ContextWindowErrors, AnthropicInvalidRequestPatterns) {
  auto body = [](const std::string& type, const std::string& message) {
    return Json{{"type", "error"}, {"error", {{"type", type}, {"message", message}}}}.dump();
  };
  const char* yes[] = {"prompt is too long: 201000 tokens > 200000 maximum",
                       "input length and `max_tokens` exceed context limit",
                       "Context is Too Long", "token limit reached",
                       "context_length_exceeded", "max_tokens_to_sample too large"};
  for (const char* m : yes) {
    ApiError e = Http("anthropic", 400, body("invalid_request_error", m));
    EXPECT_TRUE(IsAnthropicContextWindowError(e)) << m;
    EXPECT_TRUE(IsContextWindowExceededError(e)) << m;
  }
  EXPECT_FALSE(IsAnthropicContextWindowError(
      Http("anthropic", 400, body("invalid_request_error", "messages: roles must alternate"))));
  EXPECT_FALSE(
      IsAnthropicContextWindowError(Http("anthropic", 529, body("overloaded_error", "token limit"))));
  // An OpenAI-shaped body is not Anthropic's.
  EXPECT_FALSE(IsAnthropicContextWindowError(
      Http("openai", 400, body("invalid_request_error", "prompt is too long"))));
}

TEST(ContextWindowErrors, TransportErrorsAreNot) {
  ApiError e;
  e.kind = ApiError::Kind::kTransport;
  e.message = "Connection error.";
  EXPECT_FALSE(IsContextWindowExceededError(e));
  EXPECT_FALSE(IsContextWindowExceededError(ApiError{}));
}

}  // namespace
}  // namespace codeindex::llm
