// What the model is sent (spec ORIGINAL-CONTEXT.md §3.3), and clean-up after a rewind.
//
// GetEffectiveApiHistory: with a summary in the history, the messages from the last summary
// on, without user tool_result blocks whose tool_use is not in that range (a user message left
// with no block is dropped) and without messages hidden by a truncation marker present in the
// range. Without a summary: the history minus messages whose condenseParent names an existing
// summary or whose truncationParent names an existing marker (orphaned tags are ignored).
//
// ApiRequestMessages then shapes that for a request: consecutive user messages merged into one
// (summaries never merged; string contents become text blocks), image blocks replaced by the
// text "[Referenced image in conversation]" for a model without image support, and only role
// and content kept.
#ifndef CODEINDEX_CONTEXT_HISTORY_H_
#define CODEINDEX_CONTEXT_HISTORY_H_

#include "context/context.h"

namespace codeindex::context {

inline constexpr char kReferencedImageText[] = "[Referenced image in conversation]";

Json GetEffectiveApiHistory(const Json& messages);

// The messages from the last summary (inclusive) to the end, or all of them.
Json GetMessagesSinceLastSummary(const Json& messages);

// After a rewind or a deletion: removes condenseParent / truncationParent references to
// summaries / markers that no longer exist.
Json CleanupAfterTruncation(const Json& messages);

// Consecutive user messages merged (summaries excluded).
Json MergeConsecutiveUserMessages(const Json& messages);

// Image blocks become the referenced-image text when !supports_images.
Json MaybeRemoveImageBlocks(const Json& messages, bool supports_images);

// The request's messages for `messages` (already effective): merged, images handled,
// {"role","content"} only.
Json ApiRequestMessages(const Json& effective, bool supports_images);

}  // namespace codeindex::context

#endif  // CODEINDEX_CONTEXT_HISTORY_H_
