#include "llm/client.h"

#include <cctype>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <filesystem>
#include <mutex>
#include <thread>

#include <httplib.h>
#include <toml++/toml.h>

#include "llm/decoders.h"
#include "stream/sse.h"

namespace codeindex::llm {
namespace {

constexpr size_t kMaxErrorBody = 1u << 20;
constexpr char kAnthropicVersion[] = "2023-06-01";

struct ParsedUrl {
  std::string origin;  // scheme://host[:port]
  std::string path;    // path prefix without a trailing slash
};

Result<ParsedUrl> ParseUrl(std::string_view url) {
  const size_t scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos) {
    return Status::InvalidArgument("\"" + std::string(url) + "\" is not an http(s) URL");
  }
  const std::string_view scheme = url.substr(0, scheme_end);
  if (scheme != "http" && scheme != "https") {
    return Status::InvalidArgument("\"" + std::string(url) + "\": only http and https are supported");
  }
  const size_t path_start = url.find('/', scheme_end + 3);
  ParsedUrl p;
  p.origin = std::string(url.substr(0, path_start));
  if (path_start != std::string_view::npos) p.path = std::string(url.substr(path_start));
  while (!p.path.empty() && p.path.back() == '/') p.path.pop_back();
  if (p.origin.size() <= scheme_end + 3) {
    return Status::InvalidArgument("\"" + std::string(url) + "\" has no host");
  }
  return p;
}

bool IsAnthropic(const LlmConfig& c) { return c.provider == "anthropic"; }
bool IsResponses(const LlmConfig& c) { return c.provider == "openai-responses"; }

std::string Str(const Json& obj, const char* key) {
  if (!obj.is_object()) return {};
  auto it = obj.find(key);
  if (it == obj.end() || !it->is_string()) return {};
  return it->get<std::string>();
}

Json ToolsFor(const LlmConfig& config, const Json& metadata) {
  if (!metadata.is_object() || !metadata.contains("tools") || !metadata["tools"].is_array() ||
      metadata["tools"].empty()) {
    return Json();
  }
  const Json& tools = metadata["tools"];
  if (!IsAnthropic(config)) return tools;
  Json out = Json::array();
  for (const Json& t : tools) {
    const Json fn = t.is_object() && t.contains("function") ? t["function"] : t;
    Json a = Json::object();
    a["name"] = fn.value("name", "");
    if (fn.contains("description")) a["description"] = fn["description"];
    a["input_schema"] = fn.contains("parameters") ? fn["parameters"] : Json{{"type", "object"}};
    out.push_back(std::move(a));
  }
  return out;
}

// The JSON text of an image block as a data URL.
std::string DataUrl(const Json& block) {
  const Json src = block.value("source", Json::object());
  if (Str(src, "type") == "url") return Str(src, "url");
  return "data:" + Str(src, "media_type") + ";base64," + Str(src, "data");
}

Json ToResponsesInput(const Json& messages) {
  Json input = Json::array();
  for (const Json& m : messages) {
    const std::string role = Str(m, "role");
    const char* text_type = role == "assistant" ? "output_text" : "input_text";
    Json parts = Json::array();
    const Json& content = m["content"];
    if (content.is_string()) {
      parts.push_back(Json{{"type", text_type}, {"text", content}});
    } else if (content.is_array()) {
      for (const Json& b : content) {
        const std::string type = Str(b, "type");
        if (type == "text") {
          parts.push_back(Json{{"type", text_type}, {"text", Str(b, "text")}});
        } else if (type == "image" && role != "assistant") {
          parts.push_back(Json{{"type", "input_image"}, {"image_url", DataUrl(b)}});
        }
      }
    }
    input.push_back(Json{{"role", role}, {"content", std::move(parts)}});
  }
  return input;
}

// An SDK-shaped error from a non-2xx answer.
ApiError HttpError(const LlmConfig& config, int status, std::string body) {
  ApiError e;
  e.kind = ApiError::Kind::kHttp;
  e.sdk = IsAnthropic(config) ? "anthropic" : "openai";
  e.status = status;
  Json parsed;
  bool json = false;
  try {
    parsed = Json::parse(body);
    json = true;
  } catch (const Json::exception&) {
  }
  std::string msg;
  if (json) {
    // openai-node: error = body.error; anthropic-sdk: error = body.
    const Json error = e.sdk == "anthropic" ? parsed
                       : parsed.is_object() && parsed.contains("error") ? parsed["error"]
                                                                         : Json();
    const Json& typed = e.sdk == "anthropic" && error.is_object() && error.contains("error")
                            ? error["error"]
                            : error;
    e.type = Str(typed, "type");
    if (typed.is_object() && typed.contains("code") && !typed["code"].is_null()) {
      e.code = typed["code"].is_string() ? typed["code"].get<std::string>() : typed["code"].dump();
    }
    if (error.is_object() && error.contains("message")) {
      msg = error["message"].is_string() ? error["message"].get<std::string>()
                                         : error["message"].dump();
    } else if (!error.is_null()) {
      msg = error.dump();
    } else {
      msg = body;
    }
  } else {
    msg = body;
  }
  e.message = msg.empty() ? std::to_string(status) + " status code (no body)"
                          : std::to_string(status) + " " + msg;
  e.body = std::move(body);
  return e;
}

// Feeds SSE events to the provider's decoder and chunks to the sink.
class StreamState final : public SseHandler {
 public:
  StreamState(const LlmConfig& config, const ChunkSink& sink)
      : config_(config),
        sink_(sink),
        anthropic_(config.Model()),
        openai_(config.Model(), config.provider == "openai" ? OpenAiDecoder::Flavor::kOpenAi
                                                            : OpenAiDecoder::Flavor::kCompatible),
        responses_(config.Model()),
        parser_(this) {}

  // Raw body bytes of a 2xx answer.
  void Feed(const char* data, size_t n) {
    if (!error_.ok()) return;
    if (IsResponses(config_)) return FeedLines(std::string_view(data, n));
    Status s = parser_.Feed(std::string_view(data, n));
    if (!s.ok() && error_.ok()) {
      error_.kind = ApiError::Kind::kStream;
      error_.message = s.message();
    }
  }

  void Finish() {
    if (!error_.ok()) return;
    if (IsAnthropic(config_)) {
      anthropic_.Finish(&chunks_);
    } else if (IsResponses(config_)) {
      responses_.Finish(&chunks_);
    } else {
      openai_.Finish(&chunks_);
    }
    Flush();
  }

  const ApiError& error() const { return error_; }

  void OnEvent(const SseEvent& event) override {
    if (!error_.ok() || done_) return;
    if (IsAnthropic(config_)) {
      if (event.type == "ping") return;
      Json data;
      if (!ParseData(event.data, "anthropic", &data)) return;
      if (event.type == "error") {
        error_.kind = ApiError::Kind::kStream;
        error_.sdk = "anthropic";
        error_.body = std::string(event.data);
        error_.message = data.dump();  // the SDK prints the error JSON (no status)
        if (data.is_object() && data.contains("error")) error_.type = Str(data["error"], "type");
        return;
      }
      error_ = anthropic_.OnEvent(data, &chunks_);
    } else {
      // openai-node: "[DONE]" ends the stream; thread.* events are not chat chunks.
      if (event.data.substr(0, 6) == "[DONE]") {
        done_ = true;
        return;
      }
      if (event.type.substr(0, 7) == "thread.") return;
      Json data;
      if (!ParseData(event.data, "openai", &data)) return;
      error_ = openai_.OnChunk(data, &chunks_);
    }
    Flush();
  }

 private:
  bool ParseData(std::string_view text, const char* sdk, Json* out) {
    try {
      *out = Json::parse(text);
      return true;
    } catch (const Json::exception&) {
      error_.kind = ApiError::Kind::kStream;
      error_.sdk = sdk;
      error_.message = "Could not parse message into JSON: " + std::string(text);
      error_.body = std::string(text);
      return false;
    }
  }

  // §6.5: split on '\n', keep the partial last line; "data: " lines, trimmed, [DONE] skipped,
  // unparsable JSON skipped.
  void FeedLines(std::string_view bytes) {
    pending_.append(bytes.data(), bytes.size());
    size_t start = 0;
    for (size_t nl; (nl = pending_.find('\n', start)) != std::string::npos; start = nl + 1) {
      std::string_view line(pending_.data() + start, nl - start);
      if (line.substr(0, 6) != "data: ") continue;
      std::string_view data = line.substr(6);
      while (!data.empty() && std::isspace(static_cast<unsigned char>(data.front()))) {
        data.remove_prefix(1);
      }
      while (!data.empty() && std::isspace(static_cast<unsigned char>(data.back()))) {
        data.remove_suffix(1);
      }
      if (data == "[DONE]") continue;
      Json event;
      try {
        event = Json::parse(data);
      } catch (const Json::exception&) {
        continue;
      }
      error_ = responses_.OnEvent(event, &chunks_);
      Flush();
      if (!error_.ok()) break;
    }
    pending_.erase(0, start);
  }

  void Flush() {
    for (const Chunk& c : chunks_) sink_(c);
    chunks_.clear();
  }

  const LlmConfig& config_;
  const ChunkSink& sink_;
  AnthropicDecoder anthropic_;
  OpenAiDecoder openai_;
  ResponsesDecoder responses_;
  SseParser parser_;
  std::string pending_;
  std::vector<Chunk> chunks_;
  ApiError error_;
  bool done_ = false;
};

}  // namespace

std::string LlmConfig::DefaultBaseUrl() const {
  if (provider == "anthropic") return "https://api.anthropic.com";
  if (provider == "openai" || provider == "openai-responses") return "https://api.openai.com/v1";
  if (provider == "ollama") return "http://localhost:11434/v1";
  return "http://localhost:8080/v1";
}

std::string LlmConfig::DefaultApiKeyEnv() const {
  if (provider == "anthropic") return "ANTHROPIC_API_KEY";
  if (provider == "ollama") return "";
  return "OPENAI_API_KEY";
}

ModelInfo LlmConfig::Model() const {
  ModelInfo m;
  m.id = model;
  m.context_window = context_window;
  m.max_tokens = max_tokens;
  m.supports_images = supports_images;
  m.input_price = input_price;
  m.output_price = output_price;
  m.cache_writes_price = cache_writes_price;
  m.cache_reads_price = cache_reads_price;
  return m;
}

Status LlmConfig::ResolveApiKey() {
  const std::string var = api_key_env.empty() ? DefaultApiKeyEnv() : api_key_env;
  if (var.empty()) return Status::OK();
  const char* v = std::getenv(var.c_str());
  if (v != nullptr && *v != '\0') {
    api_key = v;
    return Status::OK();
  }
  const bool hosted = provider == "openai" || provider == "anthropic" ||
                      provider == "openai-responses";
  if (hosted && base_url.empty()) {
    return Status::FailedPrecondition("the " + provider + " API key is not set: export " + var);
  }
  return Status::OK();
}

Status LlmConfig::Validate() const {
  static const char* kProviders[] = {"openai", "openai-compatible", "ollama", "anthropic",
                                     "openai-responses"};
  bool known = false;
  for (const char* p : kProviders) known = known || provider == p;
  if (!known) {
    return Status::InvalidArgument("[llm] provider must be openai, openai-compatible, ollama, "
                                   "anthropic or openai-responses, not \"" + provider + "\"");
  }
  if (model.empty()) return Status::InvalidArgument("[llm] model is required");
  if (context_window <= 0) return Status::InvalidArgument("[llm] context_window must be > 0");
  if (timeout_ms <= 0 || read_timeout_ms <= 0 || connect_timeout_ms <= 0) {
    return Status::InvalidArgument("[llm] timeouts must be > 0");
  }
  Result<ParsedUrl> url = ParseUrl(base_url.empty() ? DefaultBaseUrl() : base_url);
  return url.error();
}

Result<LlmConfig> LoadLlmConfig(const std::string& path, bool* found) {
  if (found) *found = false;
  LlmConfig c;
  toml::table root;
  try {
    root = toml::parse_file(path);
  } catch (const toml::parse_error& e) {
    if (!std::filesystem::exists(path)) return c;
    return Status::InvalidArgument(path + ": " + std::string(e.description()));
  }
  const toml::table* llm = root["llm"].as_table();
  if (llm == nullptr) return c;
  if (found) *found = true;
  Status error;
  auto bad = [&](const char* key, const char* what) {
    if (error.ok()) error = Status::InvalidArgument(path + ": [llm] " + key + " must be " + what);
  };
  auto str = [&](const char* key, std::string* out) {
    if (const toml::node* n = llm->get(key)) {
      if (auto v = n->value<std::string>()) *out = *v; else bad(key, "a string");
    }
  };
  auto integer = [&](const char* key, auto* out) {
    if (const toml::node* n = llm->get(key)) {
      if (auto v = n->value<int64_t>()) *out = static_cast<std::remove_reference_t<decltype(*out)>>(*v);
      else bad(key, "an integer");
    }
  };
  auto number = [&](const char* key, double* out) {
    if (const toml::node* n = llm->get(key)) {
      if (auto v = n->value<double>()) *out = *v; else bad(key, "a number");
    }
  };
  str("provider", &c.provider);
  str("base_url", &c.base_url);
  str("model", &c.model);
  str("api_key_env", &c.api_key_env);
  str("ca_cert_path", &c.ca_cert_path);
  integer("context_window", &c.context_window);
  if (llm->get("max_tokens")) {
    int64_t v = 0;
    integer("max_tokens", &v);
    c.max_tokens = v;
  }
  if (const toml::node* n = llm->get("supports_images")) {
    if (auto v = n->value<bool>()) c.supports_images = *v; else bad("supports_images", "a boolean");
  }
  if (llm->get("temperature")) {
    double t = 0;
    number("temperature", &t);
    c.temperature = t;
  }
  integer("timeout_ms", &c.timeout_ms);
  integer("read_timeout_ms", &c.read_timeout_ms);
  integer("connect_timeout_ms", &c.connect_timeout_ms);
  number("input_price", &c.input_price);
  number("output_price", &c.output_price);
  number("cache_writes_price", &c.cache_writes_price);
  number("cache_reads_price", &c.cache_reads_price);
  if (!error.ok()) return error;
  return c;
}

Json ToOpenAiMessages(const std::string& system_prompt, const Json& messages) {
  Json out = Json::array();
  out.push_back(Json{{"role", "system"}, {"content", system_prompt}});
  for (const Json& m : messages) {
    const std::string role = Str(m, "role");
    const Json& content = m["content"];
    if (!content.is_array()) {
      out.push_back(Json{{"role", role}, {"content", content}});
      continue;
    }
    if (role == "user") {
      Json parts = Json::array();
      for (const Json& b : content) {
        const std::string type = Str(b, "type");
        if (type == "tool_result") {
          std::string text;
          const Json& c = b.value("content", Json());
          if (c.is_string()) {
            text = c.get<std::string>();
          } else if (c.is_array()) {
            for (const Json& part : c) {
              if (Str(part, "type") != "text") continue;
              if (!text.empty()) text += "\n";
              text += Str(part, "text");
            }
          }
          out.push_back(Json{{"role", "tool"}, {"tool_call_id", Str(b, "tool_use_id")},
                             {"content", text}});
        } else if (type == "text") {
          parts.push_back(Json{{"type", "text"}, {"text", Str(b, "text")}});
        } else if (type == "image") {
          parts.push_back(Json{{"type", "image_url"}, {"image_url", {{"url", DataUrl(b)}}}});
        }
      }
      if (!parts.empty()) out.push_back(Json{{"role", "user"}, {"content", std::move(parts)}});
    } else {
      std::string text;
      bool any_text = false;
      Json calls = Json::array();
      for (const Json& b : content) {
        const std::string type = Str(b, "type");
        if (type == "text") {
          if (any_text) text += "\n";
          any_text = true;
          text += Str(b, "text");
        } else if (type == "tool_use") {
          calls.push_back(Json{{"id", Str(b, "id")},
                               {"type", "function"},
                               {"function",
                                {{"name", Str(b, "name")},
                                 {"arguments", b.value("input", Json::object()).dump()}}}});
        }
      }
      Json msg = {{"role", role}, {"content", any_text ? Json(text) : Json()}};
      if (!calls.empty()) msg["tool_calls"] = std::move(calls);
      out.push_back(std::move(msg));
    }
  }
  return out;
}

HttpApiHandler::HttpApiHandler(LlmConfig config) : config_(std::move(config)) {}
HttpApiHandler::~HttpApiHandler() = default;

Json HttpApiHandler::RequestBody(const ApiRequest& request) const {
  Json body = Json::object();
  body["model"] = config_.model;
  const Json tools = ToolsFor(config_, request.metadata);
  if (IsAnthropic(config_)) {
    const bool cache = config_.model.find("claude") != std::string::npos;
    body["max_tokens"] = config_.max_tokens.value_or(8192);
    if (config_.temperature) body["temperature"] = *config_.temperature;
    Json system = Json::array({Json{{"type", "text"}, {"text", request.system_prompt}}});
    if (cache) system[0]["cache_control"] = Json{{"type", "ephemeral"}};
    body["system"] = std::move(system);
    Json messages = Json::array();
    for (const Json& m : request.messages) {
      messages.push_back(Json{{"role", m["role"]}, {"content", m["content"]}});
    }
    if (cache) {
      // The last two user messages get a cache mark on their last block.
      int marked = 0;
      for (size_t i = messages.size(); i-- > 0 && marked < 2;) {
        Json& m = messages[i];
        if (m["role"] != "user") continue;
        if (m["content"].is_string()) {
          m["content"] = Json::array({Json{{"type", "text"}, {"text", m["content"]}}});
        }
        if (m["content"].is_array() && !m["content"].empty()) {
          m["content"].back()["cache_control"] = Json{{"type", "ephemeral"}};
        }
        ++marked;
      }
    }
    body["messages"] = std::move(messages);
    body["stream"] = true;
    if (!tools.is_null()) body["tools"] = tools;
    return body;
  }
  if (IsResponses(config_)) {
    body["instructions"] = request.system_prompt;
    body["input"] = ToResponsesInput(request.messages);
    body["stream"] = true;
    body["store"] = false;
    if (config_.max_tokens) body["max_output_tokens"] = *config_.max_tokens;
    if (config_.temperature) body["temperature"] = *config_.temperature;
    if (!tools.is_null()) {
      Json flat = Json::array();
      for (const Json& t : tools) {
        const Json fn = t.contains("function") ? t["function"] : t;
        Json f = {{"type", "function"}, {"name", fn.value("name", "")}};
        if (fn.contains("description")) f["description"] = fn["description"];
        if (fn.contains("parameters")) f["parameters"] = fn["parameters"];
        flat.push_back(std::move(f));
      }
      body["tools"] = std::move(flat);
    }
    return body;
  }
  body["temperature"] = config_.temperature.value_or(0.0);
  body["messages"] = ToOpenAiMessages(request.system_prompt, request.messages);
  body["stream"] = true;
  body["stream_options"] = Json{{"include_usage", true}};
  if (config_.max_tokens) body["max_tokens"] = *config_.max_tokens;
  if (!tools.is_null()) {
    body["tools"] = tools;
    if (request.metadata.contains("tool_choice")) body["tool_choice"] = request.metadata["tool_choice"];
  }
  return body;
}

ApiError HttpApiHandler::CreateMessage(const ApiRequest& request, const ChunkSink& sink,
                                       const std::atomic<bool>* cancel) {
  Result<ParsedUrl> url = ParseUrl(config_.base_url.empty() ? config_.DefaultBaseUrl()
                                                            : config_.base_url);
  if (!url.ok()) {
    ApiError e;
    e.kind = ApiError::Kind::kTransport;
    e.message = url.error().message();
    return e;
  }
  std::string path = url->path;
  if (IsAnthropic(config_)) {
    path += "/v1/messages";
  } else if (IsResponses(config_)) {
    path += "/responses";
  } else {
    path += "/chat/completions";
  }
  const std::string payload =
      RequestBody(request).dump(-1, ' ', false, Json::error_handler_t::replace);

  httplib::Client cli(url->origin);
  auto set = [](int ms, auto fn) { fn(static_cast<time_t>(ms / 1000), static_cast<time_t>((ms % 1000) * 1000)); };
  set(config_.connect_timeout_ms, [&](time_t s, time_t us) { cli.set_connection_timeout(s, us); });
  set(config_.read_timeout_ms, [&](time_t s, time_t us) { cli.set_read_timeout(s, us); });
  set(config_.read_timeout_ms, [&](time_t s, time_t us) { cli.set_write_timeout(s, us); });
  if (!config_.ca_cert_path.empty()) cli.set_ca_cert_path(config_.ca_cert_path.c_str());

  httplib::Request req;
  req.method = "POST";
  req.path = path;
  req.headers = {{"Accept", "text/event-stream"}, {"User-Agent", "codeindex"}};
  if (IsAnthropic(config_)) {
    if (!config_.api_key.empty()) req.headers.emplace("x-api-key", config_.api_key);
    req.headers.emplace("anthropic-version", kAnthropicVersion);
  } else if (!config_.api_key.empty()) {
    req.headers.emplace("Authorization", "Bearer " + config_.api_key);
  }
  req.headers.emplace("Content-Type", "application/json");
  req.body = payload;

  StreamState state(config_, sink);
  int status = 0;
  std::string error_body;
  bool received = false;
  req.response_handler = [&](const httplib::Response& res) {
    status = res.status;
    return true;
  };
  std::atomic<bool> stopped_cancel{false}, stopped_deadline{false};
  // When the transport fails, silence as long as the read timeout means it timed out.
  auto last_activity = std::chrono::steady_clock::now();
  req.content_receiver = [&](const char* data, size_t n, uint64_t, uint64_t) {
    received = true;
    last_activity = std::chrono::steady_clock::now();
    if (status < 200 || status >= 300) {
      if (error_body.size() < kMaxErrorBody) error_body.append(data, n);
      return true;
    }
    state.Feed(data, n);
    if (!state.error().ok()) return false;
    return !(cancel && cancel->load());
  };

  // Watchdog: cancellation and the overall deadline shut the socket from outside.
  std::mutex mu;
  std::condition_variable cv;
  bool finished = false;
  const auto deadline =
      std::chrono::steady_clock::now() + std::chrono::milliseconds(config_.timeout_ms);
  std::thread watchdog([&] {
    std::unique_lock<std::mutex> lock(mu);
    while (!finished) {
      cv.wait_for(lock, std::chrono::milliseconds(50));
      if (finished) break;
      if (cancel && cancel->load()) {
        stopped_cancel = true;
        cli.stop();
        break;
      }
      if (std::chrono::steady_clock::now() >= deadline) {
        stopped_deadline = true;
        cli.stop();
        break;
      }
    }
  });
  httplib::Response res;
  httplib::Error err = httplib::Error::Success;
  const bool ok = cli.send(req, res, err);
  {
    std::lock_guard<std::mutex> lock(mu);
    finished = true;
  }
  cv.notify_all();
  watchdog.join();

  const std::string sdk = IsAnthropic(config_) ? "anthropic" : "openai";
  if (!state.error().ok()) {
    ApiError e = state.error();
    if (e.sdk.empty()) e.sdk = sdk;
    return e;
  }
  if (stopped_cancel || (cancel && cancel->load())) {
    ApiError e;
    e.kind = ApiError::Kind::kCancelled;
    e.sdk = sdk;
    return e;
  }
  if (stopped_deadline) {
    ApiError e;
    e.kind = ApiError::Kind::kTimeout;
    e.sdk = sdk;
    return e;
  }
  if (!ok) {
    if (status != 0 && (status < 200 || status >= 300)) {
      return HttpError(config_, status, std::move(error_body));
    }
    ApiError e;
    e.sdk = sdk;
    const bool silent_too_long =
        err == httplib::Error::Read &&
        std::chrono::steady_clock::now() - last_activity >=
            std::chrono::milliseconds(config_.read_timeout_ms) - std::chrono::milliseconds(50);
    e.kind = err == httplib::Error::ConnectionTimeout || silent_too_long
                 ? ApiError::Kind::kTimeout
                 : ApiError::Kind::kTransport;
    if (e.kind == ApiError::Kind::kTransport) {
      e.message = std::string(received ? "Connection error: the stream ended early ("
                                       : "Connection error: ") +
                  httplib::to_string(err) + (received ? ")" : "");
    }
    return e;
  }
  if (status < 200 || status >= 300) return HttpError(config_, status, std::move(error_body));
  state.Finish();
  return ApiError{};
}

}  // namespace codeindex::llm
