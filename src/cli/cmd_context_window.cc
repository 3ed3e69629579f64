// `codeindex context-window`: the original's context management (context/manage.h) on one
// JSON request read from stdin (or --input FILE); prints the decision and the resulting
// history as one JSON object (docs/context.md). --condense lets it call the configured model
// ([llm] in config.toml, or flags) to summarise; --send then sends the managed history as the
// next request, with the original's forced reductions on context-window errors.
#include <cerrno>
#include <csignal>
#include <string>

#include <unistd.h>

#include "base/file.h"
#include "cli/commands.h"
#include "context/history.h"
#include "context/manage.h"
#include "llm/client.h"

namespace codeindex::cli {
namespace {

using context::Json;

Result<std::string> ReadAll(const std::string& path) {
  if (!path.empty() && path != "-") return ReadFile(path);
  std::string data;
  char buf[1 << 16];
  for (;;) {
    const ssize_t n = ::read(STDIN_FILENO, buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      return Status::FromErrno("stdin", errno);
    }
    if (n == 0) return data;
    data.append(buf, static_cast<size_t>(n));
  }
}

std::atomic<bool> g_cancel{false};
extern "C" void OnSignal(int) { g_cancel.store(true); }

Result<llm::LlmConfig> ModelConfig(const ContextWindowArgs& args, bool* configured) {
  const std::string path =
      !args.config.empty() ? args.config : args.workspace + "/.codeindex/config.toml";
  bool found = false;
  ASSIGN_OR_RETURN(llm::LlmConfig config, llm::LoadLlmConfig(path, &found));
  if (!args.config.empty() && !found && ::access(path.c_str(), R_OK) != 0) {
    return Status::NotFound(path + ": no such file");
  }
  if (args.provider) config.provider = *args.provider;
  if (args.model) config.model = *args.model;
  if (args.base_url) config.base_url = *args.base_url;
  if (args.api_key_env) config.api_key_env = *args.api_key_env;
  if (args.context_window) config.context_window = *args.context_window;
  if (args.max_tokens) config.max_tokens = *args.max_tokens;
  if (args.timeout_ms) config.timeout_ms = *args.timeout_ms;
  *configured = found || args.model || args.provider || args.base_url;
  return config;
}

}  // namespace

Status RunContextWindow(const ContextWindowArgs& args, std::ostream& out) {
  ASSIGN_OR_RETURN(std::string text, ReadAll(args.input));
  Json request;
  try {
    request = Json::parse(text);
  } catch (const Json::exception& e) {
    return Status::InvalidArgument(std::string("the request is not JSON: ") + e.what());
  }
  bool configured = false;
  ASSIGN_OR_RETURN(llm::LlmConfig config, ModelConfig(args, &configured));
  std::unique_ptr<llm::HttpApiHandler> handler;
  if (args.condense || args.send) {
    if (!configured) {
      return Status::FailedPrecondition(
          "--condense and --send need a model: an [llm] table in config.toml (or --config), or "
          "--provider/--model/--base-url");
    }
    RETURN_IF_ERROR(config.Validate());
    RETURN_IF_ERROR(config.ResolveApiKey());
    handler = std::make_unique<llm::HttpApiHandler>(config);
  }
  const llm::ModelInfo info = config.Model();
  const llm::ModelInfo* defaults = configured || args.context_window ? &info : nullptr;

  // Ctrl-C stops a model request cleanly (the history is then left as it was).
  std::signal(SIGINT, OnSignal);
  std::signal(SIGTERM, OnSignal);
  if (!args.send) {
    ASSIGN_OR_RETURN(Json answer, context::HandleManageRequest(
                                      request, args.condense ? handler.get() : nullptr, defaults,
                                      &g_cancel));
    out << answer.dump(args.pretty ? 2 : -1, ' ', false, Json::error_handler_t::replace) << "\n";
    return g_cancel.load() ? Status::Cancelled("interrupted") : Status::OK();
  }

  // --send: manage first (as before every request), then send with the forced reductions.
  Json filled = request;
  if (defaults && filled.is_object()) {
    if (!filled.contains("contextWindow")) filled["contextWindow"] = info.context_window;
    if (!filled.contains("maxTokens") && info.max_tokens) filled["maxTokens"] = *info.max_tokens;
  }
  context::ManageOptions options;
  bool estimated = false;
  std::optional<int64_t> now;
  std::vector<std::string> ids;
  RETURN_IF_ERROR(context::ParseManageRequest(filled, &options, &estimated, &now, &ids));
  options.cancel = &g_cancel;
  const context::ContextEnv env = context::FixedEnv(std::move(ids), now);
  context::ManageResult managed = context::ManageContext(options, handler.get(), env);
  Json answer = context::ManageResultToJson(managed);
  answer["totalTokensEstimated"] = estimated;

  context::ManageOptions next = options;
  next.messages = managed.messages;
  if (managed.decision == context::Decision::kCondensed && managed.new_context_tokens) {
    next.total_tokens = *managed.new_context_tokens;
  }
  std::string response_text, reasoning;
  Json usage = Json::object();
  int64_t input = 0, output = 0;
  std::optional<double> cost;
  context::SendResult sent = context::SendWithContextRetries(
      next, handler.get(),
      [&](const llm::Chunk& c) {
        if (c.type == llm::ChunkType::kText) response_text += c.text;
        if (c.type == llm::ChunkType::kReasoning) reasoning += c.text;
        if (c.type == llm::ChunkType::kUsage) {
          input += c.usage.input_tokens;
          output += c.usage.output_tokens;
          cost = c.usage.total_cost;
        }
      },
      env);
  Json response = Json::object();
  response["text"] = response_text;
  if (!reasoning.empty()) response["reasoning"] = reasoning;
  response["inputTokens"] = input;
  response["outputTokens"] = output;
  if (cost) response["totalCost"] = *cost;
  response["retries"] = sent.retries;
  Json reductions = Json::array();
  for (const context::ManageResult& r : sent.reductions) {
    Json j = context::ManageResultToJson(r);
    j.erase("messages");
    reductions.push_back(std::move(j));
  }
  response["reductions"] = std::move(reductions);
  if (!sent.error.ok()) {
    response["error"] = sent.error.Describe();
    response["errorDetails"] = sent.error.Details();
  }
  answer["messages"] = sent.messages;
  answer["response"] = std::move(response);
  out << answer.dump(args.pretty ? 2 : -1, ' ', false, Json::error_handler_t::replace) << "\n";
  if (g_cancel.load()) return Status::Cancelled("interrupted");
  return sent.error.ok() ? Status::OK() : sent.error.ToStatus();
}

}  // namespace codeindex::cli
