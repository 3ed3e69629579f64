// Context-window-exceeded detection (spec ORIGINAL-CONTEXT.md §2.1,
// context-error-handling.ts): the errors after which the original forces a context reduction
// (75 %) and retries the request, at most 3 times (context/manage.h SendWithContextRetries).
//
// An error is one when any of these holds:
//   OpenAI SDK   kLength (LengthFinishReasonError); or an "openai" error whose code is "400"
//                and whose message contains "token" or "context length"
//   OpenRouter   HTTP status 400 and the message matches, case-insensitively,
//                \bcontext\s*(length|window)\b, \bmaximum\s*context\b,
//                \b(input\s*)?tokens?\s*exceed or \btoo\s*many\s*tokens?\b
//   Anthropic    the SDK error object's error.type is "invalid_request_error" and its
//                error.message matches (case-insensitively) prompt is too long, maximum.*tokens,
//                context.*too.*long, exceeds.*context, token.*limit, context_length_exceeded or
//                max_tokens_to_sample
#ifndef CODEINDEX_LLM_ERRORS_H_
#define CODEINDEX_LLM_ERRORS_H_

#include "llm/api.h"

namespace codeindex::llm {

bool IsOpenAiContextWindowError(const ApiError& e);
bool IsOpenRouterContextWindowError(const ApiError& e);
bool IsAnthropicContextWindowError(const ApiError& e);
bool IsContextWindowExceededError(const ApiError& e);

}  // namespace codeindex::llm

#endif  // CODEINDEX_LLM_ERRORS_H_
