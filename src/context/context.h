// The context stage: the original's context-window management (spec ORIGINAL-CONTEXT.md),
// over its stored-message shape. Read this header first.
//
// A conversation is a JSON array of stored messages, as the original keeps them:
//   {"role": "user"|"assistant", "content": "text" | [blocks], "ts": <ms>,
//    "isSummary"?, "condenseId"?, "condenseParent"?, "isTruncationMarker"?, "truncationId"?,
//    "truncationParent"?, ...any other field, kept as is}
// with Anthropic-style blocks: {"type":"text","text"}, {"type":"image","source":{...,"data"}},
// {"type":"tool_use","id","name","input"}, {"type":"tool_result","tool_use_id","content",
// "is_error"?}, others (thinking, reasoning, document) carried along.
//
// Nothing is ever deleted: the sliding window (§3.1) tags hidden messages with
// `truncationParent` and inserts a marker; condensing (§4) tags every earlier message with
// `condenseParent` and appends a summary. GetEffectiveApiHistory (§3.3) is what a model then
// sees. Every function is pure and deterministic except for new ids and the current time,
// which come from a ContextEnv (tests inject fixed ones).
//
//   manage.h     ManageContext (§2: the decision), WillManageContext, the §2.1 retry loop
//   truncate.h   TruncateConversation (§3.1), the legacy destructive variant (§3.2)
//   history.h    GetEffectiveApiHistory, GetMessagesSinceLastSummary, CleanupAfterTruncation,
//                the request view (§3.3)
//   condense.h   SummarizeConversation (§4), its prompts, FoldedFileContext (§4.2)
//   count.h      CountTokens (§1.1): o200k_base through tokens/, x 1.5, JavaScript's JSON
//
// Depends on tokens/ (counting), parse/ (the folded file context lists definitions with the
// symbol extractor) and llm/ (the ApiHandler interface condensing streams from).
//
// Thread safety: pure functions over values; a ContextEnv's functions must be callable from
// the thread that calls.
#ifndef CODEINDEX_CONTEXT_CONTEXT_H_
#define CODEINDEX_CONTEXT_CONTEXT_H_

#include <cstdint>
#include <functional>
#include <string>

#include "llm/api.h"

namespace codeindex::context {

using Json = llm::Json;

// The original's constants (names as upstream).
inline constexpr double kTokenBufferPercentage = 0.1;        // TOKEN_BUFFER_PERCENTAGE
inline constexpr int kMinCondenseThreshold = 5;              // MIN_CONDENSE_THRESHOLD (%)
inline constexpr int kMaxCondenseThreshold = 100;            // MAX_CONDENSE_THRESHOLD (%)
inline constexpr int64_t kAnthropicDefaultMaxTokens = 8192;  // ANTHROPIC_DEFAULT_MAX_TOKENS
inline constexpr double kSlidingWindowFraction = 0.5;        // manageContext's truncation
inline constexpr int kForcedContextReductionPercent = 75;    // FORCED_CONTEXT_REDUCTION_PERCENT
inline constexpr int kMaxContextWindowRetries = 3;           // MAX_CONTEXT_WINDOW_RETRIES
inline constexpr bool kDefaultAutoCondenseContext = true;
inline constexpr int kDefaultAutoCondenseContextPercent = 100;

// Where new ids and the time come from.
struct ContextEnv {
  std::function<std::string()> new_id;  // a UUID v4 string
  std::function<int64_t()> now_ms;      // milliseconds since the epoch

  // Random UUIDs (from the OS) and the system clock.
  static ContextEnv Real();
};

// A random UUID v4, "xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx" (what crypto.randomUUID returns).
std::string RandomUuidV4();

// Field names of the stored shape.
inline constexpr char kRole[] = "role";
inline constexpr char kContent[] = "content";
inline constexpr char kTs[] = "ts";
inline constexpr char kIsSummary[] = "isSummary";
inline constexpr char kCondenseId[] = "condenseId";
inline constexpr char kCondenseParent[] = "condenseParent";
inline constexpr char kIsTruncationMarker[] = "isTruncationMarker";
inline constexpr char kTruncationId[] = "truncationId";
inline constexpr char kTruncationParent[] = "truncationParent";

// JavaScript truthiness of a message's field (absent, false, "", 0 and null are false), which
// is how the original tests these fields.
bool Truthy(const Json& message, const char* field);
// The field as a string when it is a non-empty string, else "".
std::string StringField(const Json& message, const char* field);

// Checks the stored shape: an array of objects, each with a string role and a string or
// array content. Errors name the message index.
Status ValidateMessages(const Json& messages);

}  // namespace codeindex::context

#endif  // CODEINDEX_CONTEXT_CONTEXT_H_
