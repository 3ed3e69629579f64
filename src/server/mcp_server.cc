#include "server/mcp_server.h"

#include "server/conversation.h"
#include "server/log.h"
#include "server/request.h"
#include "server/shapes.h"

namespace codeindex {

namespace {

using json = nlohmann::json;

// JSON-RPC 2.0 error codes.
constexpr int kParseError = -32700;
constexpr int kInvalidRequest = -32600;
constexpr int kMethodNotFound = -32601;
constexpr int kInvalidParams = -32602;

json RpcError(const json& id, int code, std::string_view message) {
  return json{{"jsonrpc", "2.0"}, {"id", id}, {"error", {{"code", code}, {"message", message}}}};
}

json Tools() {
  json path_prop = {{"type", "string"},
                    {"description",
                     "Only results under this directory (or this file), relative to the "
                     "workspace, e.g. \"src/\""}};
  return json::array({
      {{"name", "codebase_search"},
       {"title", "Search the codebase"},
       {"description",
        "Find code relevant to a natural-language or keyword query in the indexed workspace. "
        "Returns code blocks with their file, lines and score."},
       {"inputSchema",
        {{"type", "object"},
         {"properties",
          {{"query", {{"type", "string"}, {"description", "What to look for"}, {"minLength", 1}}},
           {"path", path_prop},
           {"limit",
            {{"type", "integer"},
             {"minimum", 1},
             {"maximum", 10000},
             {"description", "Most results to return (default 50)"}}},
           {"mode",
            {{"type", "string"},
             {"enum", {"semantic", "text", "hybrid"}},
             {"description",
              "hybrid (default): keywords and meaning fused; semantic: by meaning; text: BM25 "
              "keywords"}}},
           {"min_score", {{"type", "number"}, {"description", "Drop results scoring below"}}},
           {"max_tokens",
            {{"type", "integer"},
             {"minimum", 1},
             {"maximum", 100000000},
             {"description",
              "Fit the answer into this many tokens: long chunks are trimmed to their most "
              "relevant lines"}}}}},
         {"required", {"query"}},
         {"additionalProperties", false}}}},
      {{"name", "find_symbol"},
       {"title", "Find a symbol definition"},
       {"description",
        "Find where a function, class, method or other named definition is defined."},
       {"inputSchema",
        {{"type", "object"},
         {"properties",
          {{"name", {{"type", "string"}, {"description", "The symbol's name"}, {"minLength", 1}}},
           {"limit", {{"type", "integer"}, {"minimum", 1}, {"maximum", 10000}}}}},
         {"required", {"name"}},
         {"additionalProperties", false}}}},
      {{"name", "read_context"},
       {"title", "Read lines with their context"},
       {"description",
        "Read lines start..end of a workspace file, with the enclosing definitions and the "
        "file's imports."},
       {"inputSchema",
        {{"type", "object"},
         {"properties",
          {{"file", {{"type", "string"}, {"description", "Path relative to the workspace"}}},
           {"start",
            {{"type", "integer"}, {"minimum", 1}, {"description", "First line (1-based)"}}},
           {"end",
            {{"type", "integer"}, {"minimum", 1}, {"description", "Last line (inclusive)"}}}}},
         {"required", {"file", "start", "end"}},
         {"additionalProperties", false}}}},
      {{"name", "index_status"},
       {"title", "Index status"},
       {"description",
        "State of the workspace index: Standby, Indexing, Indexed or Error, "
        "with file, block and symbol counts."},
       {"inputSchema", {{"type", "object"}, {"properties", json::object()}}}},
      ManageContextTool(),
  });
}

json ToolResult(const Reply& r) {
  json result;
  result["content"] = json::array({{{"type", "text"}, {"text", r.body}}});
  if (r.status >= 200 && r.status < 300) {
    json parsed = json::parse(r.body, nullptr, false);
    if (parsed.is_object()) result["structuredContent"] = std::move(parsed);
    result["isError"] = false;
  } else {
    json parsed = json::parse(r.body, nullptr, false);
    std::string text = parsed.is_object() && parsed.contains("error") && parsed["error"].is_string()
                           ? parsed["error"].get<std::string>()
                           : r.body;
    result["content"] = json::array({{{"type", "text"}, {"text", "error: " + text}}});
    result["isError"] = true;
  }
  return result;
}

// An integer argument in [lo, hi], or an error message.
std::optional<long long> IntArg(const json& args, const char* name, long long lo, long long hi,
                                std::string* error) {
  auto it = args.find(name);
  if (it == args.end() || it->is_null()) return std::nullopt;
  if (!it->is_number_integer() && !it->is_number_unsigned()) {
    *error = std::string("'") + name + "' must be an integer";
    return std::nullopt;
  }
  long long v = it->is_number_unsigned() ? static_cast<long long>(std::min<uint64_t>(
                                               it->get<uint64_t>(), static_cast<uint64_t>(hi) + 1))
                                         : it->get<long long>();
  if (v < lo || v > hi) {
    *error =
        std::string("'") + name + "' must be in " + std::to_string(lo) + ".." + std::to_string(hi);
    return std::nullopt;
  }
  return v;
}

}  // namespace

json McpServer::CallTool(const json& params, json* error) {
  if (!params.is_object() || !params.contains("name") || !params["name"].is_string()) {
    *error = {{"code", kInvalidParams}, {"message", "tools/call needs a tool 'name'"}};
    return nullptr;
  }
  const std::string name = params["name"].get<std::string>();
  json args = params.contains("arguments") ? params["arguments"] : json::object();
  if (args.is_null()) args = json::object();
  if (!args.is_object()) {
    *error = {{"code", kInvalidParams}, {"message", "'arguments' must be an object"}};
    return nullptr;
  }
  std::string bad;
  if (name == "codebase_search") {
    return ToolResult(service_->SearchArgs(args));
  }
  if (name == "find_symbol") {
    auto n = args.find("name");
    if (n == args.end() || !n->is_string()) {
      return ToolResult(ErrorReply(400, "'name' must be a string"));
    }
    std::optional<long long> limit = IntArg(args, "limit", 1, 10000, &bad);
    if (!bad.empty()) return ToolResult(ErrorReply(400, bad));
    return ToolResult(service_->FindSymbol(n->get<std::string>(), limit.value_or(100)));
  }
  if (name == "read_context") {
    auto f = args.find("file");
    if (f == args.end() || !f->is_string()) {
      return ToolResult(ErrorReply(400, "'file' must be a string"));
    }
    std::optional<long long> start = IntArg(args, "start", 1, INT32_MAX, &bad);
    std::optional<long long> end = IntArg(args, "end", 1, INT32_MAX, &bad);
    if (bad.empty() && (!start || !end)) bad = "'start' and 'end' are required";
    if (!bad.empty()) return ToolResult(ErrorReply(400, bad));
    return ToolResult(service_->Context(f->get<std::string>(), *start, *end));
  }
  if (name == "index_status") {
    return ToolResult(service_->IndexStatusReply());
  }
  if (name == "manage_context") {
    return ToolResult(ManageConversationArgs(service_->workspace(), args));
  }
  *error = {{"code", kInvalidParams}, {"message", "unknown tool: " + name}};
  return nullptr;
}

std::optional<json> McpServer::HandleOne(const json& msg) {
  if (!msg.is_object()) return RpcError(nullptr, kInvalidRequest, "not a JSON-RPC message");
  const bool has_id = msg.contains("id");
  json id = has_id ? msg["id"] : json(nullptr);
  if (has_id && !id.is_string() && !id.is_number_integer() && !id.is_number_unsigned()) {
    return RpcError(nullptr, kInvalidRequest, "'id' must be a string or an integer");
  }
  if (!msg.contains("method")) return std::nullopt;  // a response to us: we send no requests
  if (!msg["method"].is_string()) return RpcError(id, kInvalidRequest, "'method' must be a string");
  const std::string method = msg["method"].get<std::string>();
  const json params = msg.contains("params") ? msg["params"] : json::object();
  if (!has_id) return std::nullopt;  // notifications: initialized, cancelled, ...

  json result;
  if (method == "initialize") {
    std::string requested;
    if (params.is_object() && params.contains("protocolVersion") &&
        params["protocolVersion"].is_string()) {
      requested = params["protocolVersion"].get<std::string>();
    }
    std::string version = kMcpProtocolVersions[0];
    for (const char* v : kMcpProtocolVersions) {
      if (requested == v) version = v;
    }
    result = {{"protocolVersion", version},
              {"capabilities", {{"tools", {{"listChanged", false}}}}},
              {"serverInfo", {{"name", "codeindex"}, {"version", version_}}},
              {"instructions",
               "Search this workspace's code with codebase_search (by meaning or keywords), "
               "locate definitions with find_symbol, read lines with their enclosing "
               "definitions with read_context."}};
  } else if (method == "ping") {
    result = json::object();
  } else if (method == "tools/list") {
    result = {{"tools", Tools()}};
  } else if (method == "tools/call") {
    json error;
    result = CallTool(params, &error);
    if (!error.is_null()) {
      return json{{"jsonrpc", "2.0"}, {"id", id}, {"error", error}};
    }
  } else {
    return RpcError(id, kMethodNotFound, "method not found: " + method);
  }
  return json{{"jsonrpc", "2.0"}, {"id", id}, {"result", result}};
}

std::optional<std::string> McpServer::HandleMessage(std::string_view line) {
  Result<json> msg = ParseJson(line);
  if (!msg.ok()) return Dump(RpcError(nullptr, kParseError, msg.error().message()));
  try {
    if (msg->is_array()) {
      if (msg->empty()) return Dump(RpcError(nullptr, kInvalidRequest, "empty batch"));
      json out = json::array();
      for (const json& m : *msg) {
        if (auto r = HandleOne(m)) out.push_back(std::move(*r));
      }
      if (out.empty()) return std::nullopt;
      return Dump(out);
    }
    std::optional<json> r = HandleOne(*msg);
    if (!r) return std::nullopt;
    return Dump(*r);
  } catch (const std::exception& e) {
    // nlohmann type errors on unexpected shapes: never fatal.
    return Dump(RpcError(nullptr, kInvalidRequest, std::string("invalid request: ") + e.what()));
  }
}

namespace {

// One line of `in` (without its '\n') into `line`, keeping at most `max` + 1 bytes: the
// rest of a longer line is read and dropped, so that an oversized message costs no memory
// (`*too_long` tells). False at end of input with nothing read.
bool ReadBoundedLine(std::istream& in, size_t max, std::string* line, bool* too_long) {
  line->clear();
  *too_long = false;
  std::streambuf* sb = in.rdbuf();
  bool any = false;
  for (;;) {
    const int c = sb->sbumpc();
    if (c == std::char_traits<char>::eof()) {
      in.setstate(std::ios::eofbit);
      return any;
    }
    any = true;
    if (c == '\n') return true;
    if (line->size() <= max) {
      line->push_back(static_cast<char>(c));
    } else if (!*too_long) {
      *too_long = true;
      line->clear();
      line->shrink_to_fit();
    }
  }
}

}  // namespace

void McpServer::Run(std::istream& in, std::FILE* out) {
  std::string line;
  bool too_long = false;
  while (ReadBoundedLine(in, kMaxMcpMessageBytes, &line, &too_long)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (!too_long && line.find_first_not_of(" \t") == std::string::npos) continue;
    std::optional<std::string> answer;
    if (too_long || line.size() > kMaxMcpMessageBytes) {
      answer = Dump(RpcError(nullptr, kParseError, "message too large"));
    } else {
      answer = HandleMessage(line);
    }
    if (!answer) continue;
    answer->push_back('\n');
    if (std::fwrite(answer->data(), 1, answer->size(), out) != answer->size() ||
        std::fflush(out) != 0) {
      LogLine("mcp: stdout closed");
      return;
    }
  }
}

}  // namespace codeindex
