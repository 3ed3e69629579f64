// Sliding-window truncation (spec ORIGINAL-CONTEXT.md §3.1 and, for forks of older releases,
// §3.2).
//
// TruncateConversation (current, non-destructive): among the visible messages (neither
// hidden, i.e. with a truncationParent, nor truncation markers), n = floor((visible - 1) x
// fraction) rounded down to even; n <= 0 changes nothing. The visible messages at visible
// positions 1..n get truncationParent = a new id (the first visible message always stays), and
// a marker {"role":"user","content":"[Sliding window truncation: <n> messages hidden to reduce
// context]","ts": <first kept visible message's ts> - 1 (now - 1 if none),
// "isTruncationMarker":true,"truncationId":id} is inserted right before the first visible
// message kept (at the end when none). Example (§3.1): 11 visible m0..m10, fraction 0.5 ->
// m1..m4 hidden, marker between m4 and m5; the model sees m0, marker, m5..m10.
//
// TruncateConversationLegacy (destructive, <= 2025-11): keep message 0, delete the next
// n = floor((length - 1) x fraction) rounded down to even, keep the rest; no marker.
#ifndef CODEINDEX_CONTEXT_TRUNCATE_H_
#define CODEINDEX_CONTEXT_TRUNCATE_H_

#include <string>

#include "context/context.h"

namespace codeindex::context {

struct TruncationResult {
  Json messages;             // the tagged history, marker included
  std::string truncation_id;  // generated even when nothing was hidden, as upstream
  int messages_removed = 0;   // n
};

TruncationResult TruncateConversation(const Json& messages, double fraction,
                                      const ContextEnv& env);

Json TruncateConversationLegacy(const Json& messages, double fraction);

// "[Sliding window truncation: <n> messages hidden to reduce context]"
std::string TruncationMarkerText(int hidden);

// `ts` plus `delta` milliseconds, keeping the number's kind (integer or not).
Json TsPlus(const Json& ts, int64_t delta);

}  // namespace codeindex::context

#endif  // CODEINDEX_CONTEXT_TRUNCATE_H_
