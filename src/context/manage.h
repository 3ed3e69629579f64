// The context-management decision (spec ORIGINAL-CONTEXT.md §2), its request/answer JSON
// shapes, and the forced reduction on context-window errors (§2.1).
//
// ManageContext(options, handler, env):
//   1. reserved = maxTokens || 8192
//   2. lastTokens = CountContentTokens(last message's content)
//   3. prev = totalTokens + lastTokens   (totalTokens excludes the newest message)
//   4. allowed = contextWindow x 0.9 - reserved   (floating point)
//   5. threshold = the current profile's value when within 5..100; -1 or anything else -> the
//      global autoCondenseContextPercent (default 100)
//   6. autoCondenseContext (default true) and (100 x prev / contextWindow >= threshold or
//      prev > allowed): condense (condense.h); success returns the condensed history; a
//      failure is remembered (error, cost) and the decision goes on
//   7. prev > allowed: sliding window, fraction 0.5 (truncate.h), and
//      newContextTokensAfterTruncation = tokens(system prompt) + the sum of the tokens of every
//      message neither hidden nor a marker
//   8. otherwise the history unchanged (with any condensing error)
// Worked example (§2): window 200,000, reserved 8,192 -> allowed 171,808; at 100 % condense
// when prev > 171,808; at 70 % when prev >= 140,000; auto-condense off: truncate when
// prev > 171,808 (manage_test.cc).
//
// JSON (docs/context.md): ParseManageRequest reads the original's option names (messages,
// totalTokens, contextWindow, maxTokens, autoCondenseContext, autoCondenseContextPercent,
// profileThresholds, currentProfileId, systemPrompt, customCondensingPrompt, metadata,
// environmentDetails, filesReadByRoo, cwd) and ManageResultToJson writes the original's
// result names (messages, summary, cost, prevContextTokens, newContextTokens, condenseId,
// error, errorDetails, truncationId, messagesRemoved, newContextTokensAfterTruncation) plus
// "decision" and "explain" (this port's: the arithmetic behind the decision).
#ifndef CODEINDEX_CONTEXT_MANAGE_H_
#define CODEINDEX_CONTEXT_MANAGE_H_

#include <atomic>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "context/condense.h"
#include "context/context.h"
#include "llm/api.h"

namespace codeindex::context {

struct ManageOptions {
  Json messages = Json::array();  // REQUIRES: not empty
  int64_t total_tokens = 0;       // contextTokens: the last request's tokens in + out
  int64_t context_window = 0;     // REQUIRES: > 0
  std::optional<int64_t> max_tokens;  // output reservation; absent or 0 -> 8192
  bool auto_condense_context = kDefaultAutoCondenseContext;
  double auto_condense_context_percent = kDefaultAutoCondenseContextPercent;
  std::map<std::string, double> profile_thresholds;
  std::string current_profile_id = "default";
  std::string system_prompt;
  std::string custom_condensing_prompt;
  Json metadata = Json::object();
  std::string environment_details;
  std::vector<std::string> files_read;
  std::string cwd;
  const std::atomic<bool>* cancel = nullptr;
};

enum class Decision { kNone, kCondensed, kTruncated };
std::string_view DecisionName(Decision d);  // "none", "condensed", "truncated"

// The arithmetic of steps 1-6, for explanations and for WillManageContext.
struct ManageArithmetic {
  int64_t reserved_tokens = 0;
  int64_t last_message_tokens = 0;
  int64_t prev_context_tokens = 0;
  double allowed_tokens = 0;
  double effective_threshold = 0;
  double context_percent = 0;
  bool over_threshold = false;  // context_percent >= effective_threshold
  bool over_allowed = false;    // prev_context_tokens > allowed_tokens
  std::string threshold_warning;  // a profile threshold outside 5..100 was ignored
};
ManageArithmetic ComputeArithmetic(const ManageOptions& options);

struct ManageResult {
  Decision decision = Decision::kNone;
  ManageArithmetic arithmetic;
  Json messages;
  std::string summary;
  double cost = 0;
  int64_t prev_context_tokens = 0;
  std::optional<int64_t> new_context_tokens;  // after condensing
  std::string condense_id;
  std::string error, error_key;  // a failed condensing attempt
  Json error_details;
  std::optional<std::string> truncation_id;
  std::optional<int> messages_removed;
  std::optional<int64_t> new_context_tokens_after_truncation;
};

// `handler` may be null: condensing then fails with condense_unavailable and the decision goes
// on to the sliding window, as a failed condense does.
ManageResult ManageContext(const ManageOptions& options, llm::ApiHandler* handler,
                           const ContextEnv& env);

// Whether ManageContext would act (the "condensing..." indicator): the step-6 test, or only
// prev > allowed when auto-condense is off.
bool WillManageContext(const ManageOptions& options);

// Reads a request in the original's option names. Unknown fields are ignored. totalTokens may
// be omitted: it is then estimated as tokens(system prompt) + the tokens of every message of
// the effective history but the last (*estimated set to true). "env": {"now": ms, "ids": [...]}
// fixes time and ids (tests).
Status ParseManageRequest(const Json& request, ManageOptions* options, bool* estimated,
                          std::optional<int64_t>* now_ms, std::vector<std::string>* ids);
Json ManageResultToJson(const ManageResult& result);

// The request -> answer path shared by `codeindex context-window`, POST
// /v1/conversation/manage and the MCP tool: ParseManageRequest (contextWindow and maxTokens
// default to `defaults` when the request omits them and defaults are given), ManageContext
// with `handler` (null: no condensing), ManageResultToJson plus "totalTokensEstimated" and
// "willManageContext". kInvalidArgument for a malformed request.
Result<Json> HandleManageRequest(const Json& request, llm::ApiHandler* handler,
                                 const llm::ModelInfo* defaults,
                                 const std::atomic<bool>* cancel = nullptr);

// A ContextEnv that returns `ids` in order (then random ones) and `now_ms` when set.
ContextEnv FixedEnv(std::vector<std::string> ids, std::optional<int64_t> now_ms);

// §2.1: sends the next request (the effective history of options.messages, shaped by
// ApiRequestMessages, with `system_prompt`), streaming its chunks to `sink`. When it fails
// before its first chunk with a context-window error (llm/errors.h), forces ManageContext with
// auto-condense on at 75 % and retries, at most kMaxContextWindowRetries times. A condense
// makes its newContextTokens the next totalTokens.
struct SendResult {
  llm::ApiError error;                 // of the last attempt
  int retries = 0;                     // forced reductions made
  std::vector<ManageResult> reductions;
  Json messages;                       // the history after the reductions
  Json request_messages;               // what the last attempt sent
};
SendResult SendWithContextRetries(const ManageOptions& options, llm::ApiHandler* handler,
                                  const llm::ChunkSink& sink, const ContextEnv& env);

}  // namespace codeindex::context

#endif  // CODEINDEX_CONTEXT_MANAGE_H_
