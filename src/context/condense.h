// Condensing: the original's current "fresh start" summarizeConversation (spec
// ORIGINAL-CONTEXT.md §4) and its folded file context (§4.2).
//
// SummarizeConversation(options, handler, env):
//   1. toSummarize = GetMessagesSinceLastSummary(messages). <= 1 message: error
//      condense_not_enough_messages when the whole history has <= 1 message, else
//      condensed_recently; a summary among <= 2 messages: condensed_recently.
//   2. The request: toSummarize, then one synthetic user message answering every orphan
//      tool_use (tool_result blocks "Context condensation triggered. Tool execution
//      deferred."), then the instructions (the custom prompt trimmed, else the CONDENSE
//      prompt) as a user message; images -> "[Referenced image in conversation]" for a model
//      without image support; only role and content; tool blocks as text (ToolUseToText,
//      ToolResultToText). System prompt: the summariser prompt. Metadata passed through.
//   3. The stream: text chunks concatenated; every usage chunk overwrites the cost (totalCost,
//      0 when absent). A failed request -> condense_api_failed with the error's details; an
//      empty (trimmed) summary -> condense_failed. Errors leave the history untouched.
//   4. The summary message: role user, content blocks ["## Conversation Summary\n" + summary,
//      the Active Workflows reminder when the first message holds <command ...>...</command>
//      blocks, one block per folded-file section, the environment details (automatic trigger
//      only, when not blank)], ts = last message's ts + 1 (now when absent), isSummary,
//      condenseId = new id. Every message without a condenseParent gets condenseParent =
//      condenseId; the summary is appended.
//   5. newContextTokens = CountTokens([system prompt, summary blocks...]) + CountTokens(
//      JSON.stringify(metadata.tools)) when tools are given. No "context grew" check.
// Worked example (§4.0) in condense_test.cc.
//
// GenerateFoldedFileContext(files, cwd): per file (relative paths resolved against cwd) the
// definition listing (DefinitionListing); files that yield nothing or an error are skipped;
// section = "<system-reminder>\n## File Context: <path as given>\n<definitions>\n
// </system-reminder>"; a 50,000-character budget (JavaScript string length) over all sections:
// a section that would exceed it ends the list, cut to (remaining - 100) characters of
// definitions plus "\n... (truncated)" when at least 200 characters remain.
#ifndef CODEINDEX_CONTEXT_CONDENSE_H_
#define CODEINDEX_CONTEXT_CONDENSE_H_

#include <atomic>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "context/context.h"
#include "llm/api.h"

namespace codeindex::context {

inline constexpr char kSyntheticToolResultText[] =
    "Context condensation triggered. Tool execution deferred.";
inline constexpr size_t kFoldedContextMaxCharacters = 50000;
inline constexpr size_t kFoldedContextMinRemaining = 200;
inline constexpr size_t kFoldedContextTruncationMargin = 100;

// The summariser's system prompt and the default CONDENSE instructions (this port's wording
// of what the original's prompts ask; docs/FIDELITY.md).
std::string_view SummaryPrompt();
std::string_view CondensePrompt();

struct SummarizeOptions {
  Json messages = Json::array();  // the full stored history
  std::string system_prompt;      // the task's system prompt (counted, not sent)
  bool is_automatic_trigger = true;
  std::string custom_condensing_prompt;
  Json metadata = Json::object();  // {"taskId", "mode", "tools": [...]}, passed through
  std::string environment_details;
  std::vector<std::string> files_read;  // filesReadByRoo
  std::string cwd;
  const std::atomic<bool>* cancel = nullptr;  // stops the model's request
};

struct SummarizeResult {
  Json messages;  // the new history, or the input on error
  std::string summary;
  double cost = 0;
  std::optional<int64_t> new_context_tokens;
  std::string condense_id;
  // On failure: the message, a stable key (condense_not_enough_messages, condensed_recently,
  // condense_api_failed, condense_failed, condense_unavailable) and the API error's details.
  std::string error;
  std::string error_key;
  Json error_details;
  bool ok() const { return error.empty(); }
};

SummarizeResult SummarizeConversation(const SummarizeOptions& options, llm::ApiHandler* handler,
                                      const ContextEnv& env);

// The request SummarizeConversation sends (step 2), for inspection and tests. REQUIRES: the
// preconditions of step 1 hold.
llm::ApiRequest BuildCondenseRequest(const SummarizeOptions& options, bool supports_images);

// Orphan tool calls of `messages` answered by one appended synthetic user message.
Json InjectSyntheticToolResults(const Json& messages);
// The text forms of tool blocks sent to the summariser.
std::string ToolUseToText(const Json& block);
std::string ToolResultToText(const Json& block);
// A content with tool_use / tool_result blocks replaced by text blocks.
Json ConvertToolBlocksToText(const Json& content);
// The <command ...>...</command> blocks of a message's text joined by "\n", or "".
std::string ExtractCommandBlocks(const Json& message);

// The definition listing of one file as the original's list_code_definition_names gives it:
// "# <file name>\n" then "<start>--<end> | <first line>" per definition of >= 4 lines.
// Empty when the file has none; "Unsupported file type: <path>" for a language without
// symbols; an error-like text when the file cannot be read.
std::string DefinitionListing(const std::string& path);

struct FoldedFileContext {
  std::vector<std::string> sections;
  std::string content;  // sections joined by "\n"
  int files_processed = 0;
  int files_skipped = 0;
  size_t characters = 0;  // JavaScript length of the sections
};
FoldedFileContext GenerateFoldedFileContext(const std::vector<std::string>& files,
                                            const std::string& cwd,
                                            size_t max_characters = kFoldedContextMaxCharacters);

}  // namespace codeindex::context

#endif  // CODEINDEX_CONTEXT_CONDENSE_H_
