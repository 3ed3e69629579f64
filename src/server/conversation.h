// POST /v1/conversation/manage and the MCP tool manage_context: the original's context
// management (context/manage.h) over HTTP and MCP, with the request and answer shapes of
// `codeindex context-window` (docs/context.md).
//
// The body is a manageContext request (messages, totalTokens, contextWindow, ...) plus one
// field of this port: "condense": true allows the model call that summarises, with the model
// of the workspace's .codeindex/config.toml [llm] table (its context_window and max_tokens
// are the defaults of contextWindow and maxTokens). Without it, condensing reports
// condense_unavailable and the sliding window applies.
//
// A condensing request holds one of the server's I/O threads for the model's answer (bounded
// by [llm] timeout_ms); the server runs at least two.
//
// Thread safety: both functions are thread-safe.
#ifndef CODEINDEX_SERVER_CONVERSATION_H_
#define CODEINDEX_SERVER_CONVERSATION_H_

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "server/service.h"

namespace codeindex {

Reply ManageConversation(const std::string& workspace, std::string_view body);
// MCP: the same from the tool's arguments.
Reply ManageConversationArgs(const std::string& workspace, const nlohmann::json& args);
// The MCP tool's description and input schema.
nlohmann::json ManageContextTool();

}  // namespace codeindex

#endif  // CODEINDEX_SERVER_CONVERSATION_H_
