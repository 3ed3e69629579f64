// HttpApiHandler: the ApiHandler that talks to a model over HTTP(S) and server-sent events.
//
// Providers (LlmConfig::provider):
//   openai             POST {base}/chat/completions, stream + stream_options.include_usage,
//                      Authorization: Bearer; decoded by OpenAiDecoder (kOpenAi)
//   openai-compatible  the same (kCompatible reasoning fields); Ollama, vLLM, llama.cpp, ...
//   ollama             openai-compatible at http://localhost:11434/v1 by default, no key
//   anthropic          POST {base}/v1/messages, x-api-key, anthropic-version 2023-06-01;
//                      AnthropicDecoder
//   openai-responses   POST {base}/responses; ResponsesDecoder over the original's raw "data: "
//                      line splitting (§6.5)
// Messages are sent as the original converts them: Anthropic blocks as they are (role and
// content only); for OpenAI-style APIs, text and image blocks become content parts, tool_use
// blocks assistant tool_calls, tool_result blocks "tool" messages, the system prompt a first
// system message. metadata.tools (OpenAI function format) is sent as tools (converted to
// Anthropic's name/description/input_schema form for anthropic).
//
// Errors follow the SDKs' shapes (ApiError: status, code, type, body, "<status> <message>"),
// so that §2.1's detection (errors.h) sees what the original sees. A non-2xx answer is kHttp;
// a connection closed before the end of a chunked body is kTransport; no byte for
// read_timeout_ms, or the whole request over timeout_ms, is kTimeout; the cancel flag,
// checked every 50 ms by a watchdog that shuts the socket, is kCancelled.
//
// HTTP is cpp-httplib (as the remote embedders use), HTTPS through OpenSSL.
//
// Thread safety: CreateMessage may be called from several threads at once; each request has
// its own connection.
#ifndef CODEINDEX_LLM_CLIENT_H_
#define CODEINDEX_LLM_CLIENT_H_

#include <memory>
#include <optional>
#include <string>

#include "base/status.h"
#include "llm/api.h"

namespace codeindex::llm {

// config.toml (workspace .codeindex/config.toml or any file given with --config):
//
//   [llm]
//   provider = "openai-compatible"   # openai | openai-compatible | ollama | anthropic |
//                                    # openai-responses
//   base_url = "http://localhost:11434/v1"
//   model = "qwen2.5-coder:7b"
//   api_key_env = "OPENAI_API_KEY"   # the key is read from this environment variable
//   context_window = 32768           # tokens; the default contextWindow of requests
//   max_tokens = 8192                # output tokens the model may use (and the reservation)
//   supports_images = false
//   temperature = 0.0
//   timeout_ms = 600000              # whole request
//   read_timeout_ms = 120000         # silence between two bytes
//   connect_timeout_ms = 10000
//   input_price = 0.0                # USD per million tokens, for usage costs
//   output_price = 0.0
//   cache_writes_price = 0.0
//   cache_reads_price = 0.0
//   ca_cert_path = ""                # extra CA bundle for HTTPS
struct LlmConfig {
  std::string provider = "openai-compatible";
  std::string base_url;  // empty: the provider's default
  std::string model;
  std::string api_key_env;  // empty: OPENAI_API_KEY / ANTHROPIC_API_KEY by provider
  std::string api_key;      // resolved from the environment by ResolveApiKey()
  int64_t context_window = 128000;
  std::optional<int64_t> max_tokens;
  bool supports_images = false;
  std::optional<double> temperature;
  int timeout_ms = 600000;
  int read_timeout_ms = 120000;
  int connect_timeout_ms = 10000;
  double input_price = 0, output_price = 0, cache_writes_price = 0, cache_reads_price = 0;
  std::string ca_cert_path;

  std::string DefaultBaseUrl() const;
  std::string DefaultApiKeyEnv() const;
  ModelInfo Model() const;
  // Reads the key from api_key_env (or the default variable). A missing key is an error only
  // for openai and anthropic; local servers need none.
  Status ResolveApiKey();
  Status Validate() const;
};

// The [llm] table of a config.toml; a missing file or table gives the defaults (and
// *found = false). Malformed values are kInvalidArgument naming the file and key.
Result<LlmConfig> LoadLlmConfig(const std::string& path, bool* found = nullptr);

class HttpApiHandler final : public ApiHandler {
 public:
  // REQUIRES: config.Validate() is OK.
  explicit HttpApiHandler(LlmConfig config);
  ~HttpApiHandler() override;
  HttpApiHandler(const HttpApiHandler&) = delete;
  HttpApiHandler& operator=(const HttpApiHandler&) = delete;

  ModelInfo model() const override { return config_.Model(); }
  ApiError CreateMessage(const ApiRequest& request, const ChunkSink& sink,
                         const std::atomic<bool>* cancel = nullptr) override;

  // The JSON body this handler would POST for `request` (tests, --trace).
  Json RequestBody(const ApiRequest& request) const;

 private:
  LlmConfig config_;
};

// The original's convertToOpenAiMessages for the system prompt and Anthropic-style messages.
Json ToOpenAiMessages(const std::string& system_prompt, const Json& messages);

}  // namespace codeindex::llm

#endif  // CODEINDEX_LLM_CLIENT_H_
