#include "server/conversation.h"

#include <memory>

#include "context/manage.h"
#include "llm/client.h"

namespace codeindex {

Reply ManageConversation(const std::string& workspace, std::string_view body) {
  context::Json request;
  try {
    request = context::Json::parse(body);
  } catch (const context::Json::exception& e) {
    return ErrorReply(400, std::string("malformed JSON: ") + e.what());
  }
  if (!request.is_object()) return ErrorReply(400, "the request body must be a JSON object");
  bool condense = false;
  if (request.contains("condense")) {
    if (!request["condense"].is_boolean()) return ErrorReply(400, "'condense' must be a boolean");
    condense = request["condense"].get<bool>();
    request.erase("condense");
  }
  bool found = false;
  Result<llm::LlmConfig> config =
      llm::LoadLlmConfig(workspace + "/.codeindex/config.toml", &found);
  if (!config.ok()) return ErrorReply(config.error());
  std::unique_ptr<llm::HttpApiHandler> handler;
  if (condense) {
    if (!found) {
      return ErrorReply(400,
                        "'condense' needs a model: add an [llm] table to the workspace's "
                        ".codeindex/config.toml");
    }
    Status s = config->Validate();
    if (s.ok()) s = config->ResolveApiKey();
    if (!s.ok()) return ErrorReply(s);
    handler = std::make_unique<llm::HttpApiHandler>(*config);
  }
  const llm::ModelInfo info = config->Model();
  Result<context::Json> answer =
      context::HandleManageRequest(request, handler.get(), found ? &info : nullptr);
  if (!answer.ok()) return ErrorReply(answer.error());
  return Reply{200, answer->dump(-1, ' ', false, context::Json::error_handler_t::replace)};
}

Reply ManageConversationArgs(const std::string& workspace, const nlohmann::json& args) {
  return ManageConversation(workspace, args.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
}

nlohmann::json ManageContextTool() {
  using json = nlohmann::json;
  return {
      {"name", "manage_context"},
      {"title", "Manage a conversation's context window"},
      {"description",
       "Decide, as Roo Code does before each model request, whether a conversation must be "
       "condensed (summarised) or truncated (sliding window) to fit the model's context window, "
       "and return the resulting history. Messages use Roo Code's stored shape."},
      {"inputSchema",
       {{"type", "object"},
        {"properties",
         {{"messages",
           {{"type", "array"},
            {"items", {{"type", "object"}}},
            {"description", "The full stored history: {role, content, ts, ...}"}}},
          {"totalTokens",
           {{"type", "integer"},
            {"minimum", 0},
            {"description", "Tokens of the last request (in + out); estimated when omitted"}}},
          {"contextWindow", {{"type", "integer"}, {"minimum", 1}}},
          {"maxTokens", {{"type", json::array({"integer", "null"})}, {"minimum", 0}}},
          {"autoCondenseContext", {{"type", "boolean"}}},
          {"autoCondenseContextPercent", {{"type", "number"}}},
          {"profileThresholds", {{"type", "object"}}},
          {"currentProfileId", {{"type", "string"}}},
          {"systemPrompt", {{"type", "string"}}},
          {"customCondensingPrompt", {{"type", "string"}}},
          {"environmentDetails", {{"type", "string"}}},
          {"filesReadByRoo", {{"type", "array"}, {"items", {{"type", "string"}}}}},
          {"cwd", {{"type", "string"}}},
          {"metadata", {{"type", "object"}}},
          {"condense",
           {{"type", "boolean"},
            {"description", "Allow the model call that summarises ([llm] in config.toml)"}}}}},
        {"required", {"messages"}}}}};
}

}  // namespace codeindex
