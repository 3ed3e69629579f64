#include "embed/remote.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <regex>

#include <fmt/format.h>
#include <httplib.h>
#include <nlohmann/json.hpp>

#include "embed/clock.h"
#include "embed/common.h"
#include "embed/unicode.h"

namespace codeindex {
namespace {

using nlohmann::json;

constexpr ModelProfile kProfiles[] = {
    {Provider::kOpenAI, "text-embedding-3-small", 1536, 0.4, ""},
    {Provider::kOpenAI, "text-embedding-3-large", 3072, 0.4, ""},
    {Provider::kOpenAI, "text-embedding-ada-002", 1536, 0.4, ""},
    {Provider::kOpenAICompatible, "text-embedding-3-small", 1536, 0.4, ""},
    {Provider::kOpenAICompatible, "text-embedding-3-large", 3072, 0.4, ""},
    {Provider::kOpenAICompatible, "text-embedding-ada-002", 1536, 0.4, ""},
    {Provider::kOpenAICompatible, "nomic-embed-code", 3584, 0.15, kNomicCodeQueryPrefix},
    {Provider::kOllama, "nomic-embed-text", 768, 0.4, ""},
    {Provider::kOllama, "nomic-embed-code", 3584, 0.15, kNomicCodeQueryPrefix},
    {Provider::kOllama, "mxbai-embed-large", 1024, 0.4, ""},
    {Provider::kOllama, "all-minilm", 384, 0.4, ""},
};

struct HttpResult {
  int status = 0;  // 0 = no response (connection failed, timeout)
  std::string body;
  std::string error;  // transport error text when status == 0
};

struct ParsedUrl {
  std::string origin;  // scheme://host[:port]
  std::string path;    // path and query, "" for none
};

Result<ParsedUrl> ParseUrl(std::string_view url) {
  const size_t scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos) {
    return Status::InvalidArgument(fmt::format("\"{}\" is not an http(s) URL", url));
  }
  const std::string_view scheme = url.substr(0, scheme_end);
  if (scheme != "http" && scheme != "https") {
    return Status::InvalidArgument(fmt::format("\"{}\": only http and https are supported", url));
  }
  const size_t path_start = url.find_first_of("/?", scheme_end + 3);
  ParsedUrl p;
  p.origin = std::string(url.substr(0, path_start));
  if (path_start != std::string_view::npos) p.path = std::string(url.substr(path_start));
  if (p.origin.size() <= scheme_end + 3) {
    return Status::InvalidArgument(fmt::format("\"{}\" has no host", url));
  }
  return p;
}

std::string TrimTrailingSlashes(std::string s) {
  while (!s.empty() && s.back() == '/') s.pop_back();
  return s;
}

// Pulls a human-readable message out of an error body ({"error": {"message": ...}},
// {"error": "..."}) or returns the body itself, shortened.
std::string ErrorMessage(const std::string& body) {
  try {
    json j = json::parse(body);
    if (j.contains("error")) {
      const json& e = j["error"];
      if (e.is_string()) return e.get<std::string>();
      if (e.is_object() && e.contains("message") && e["message"].is_string()) {
        return e["message"].get<std::string>();
      }
    }
    if (j.contains("message") && j["message"].is_string()) return j["message"].get<std::string>();
  } catch (const json::exception&) {
  }
  std::string s = body.substr(0, 200);
  std::replace(s.begin(), s.end(), '\n', ' ');
  return s;
}

class RemoteEmbedder final : public Embedder {
 public:
  RemoteEmbedder(const EmbedderConfig& config, const EmbedderEnv& env, std::string model,
                 int dimension, std::string api_key, ParsedUrl url, bool full_endpoint,
                 std::string query_prefix)
      : config_(config),
        clock_(env.clock ? env.clock : Clock::Real()),
        rate_limit_(env.rate_limit ? env.rate_limit : RateLimitState::Global(config.provider)),
        model_(std::move(model)),
        dimension_(dimension),
        api_key_(std::move(api_key)),
        url_(std::move(url)),
        full_endpoint_(full_endpoint),
        query_prefix_(std::move(query_prefix)),
        fingerprint_(config.ContentHash()) {}

  int dimension() const override { return dimension_; }
  std::string model_id() const override {
    if (!config_.model_id.empty()) return config_.model_id;
    return fmt::format("{}:{}", ProviderName(config_.provider), model_);
  }
  std::string fingerprint() const override { return fingerprint_; }

  Status Embed(std::span<const std::string_view> texts, EmbedKind kind, float* out) const override {
    if (texts.empty()) return Status::OK();
    std::vector<std::string> prepared = Prepare(texts, kind);
    const auto batches = PlanBatches(prepared, kMaxBatchTokens, config_.batch_size);
    for (const auto& [b, e] : batches) {
      std::vector<std::string_view> batch(prepared.begin() + b, prepared.begin() + e);
      RETURN_IF_ERROR(EmbedBatch(batch, out + b * static_cast<size_t>(dimension_)));
    }
    stats_.texts += texts.size();
    return Status::OK();
  }

  Status Validate() const override {
    if (config_.provider == Provider::kOllama) {
      HttpResult r = Send("GET", "/api/tags", "", kOllamaTagsTimeoutMs);
      if (r.status != 200) return ValidationError(r);
      bool found = false;
      try {
        json j = json::parse(r.body);
        for (const json& m : j.at("models")) {
          const std::string name = m.at("name").get<std::string>();
          if (name == model_ || name == model_ + ":latest" ||
              (model_.size() > 7 && model_.ends_with(":latest") &&
               name == model_.substr(0, model_.size() - 7))) {
            found = true;
          }
        }
      } catch (const json::exception&) {
        return Status::Unavailable(fmt::format("{}: invalid response from {}/api/tags",
                                               ProviderName(config_.provider),
                                               url_.origin + url_.path));
      }
      if (!found) {
        return Status::FailedPrecondition(
            fmt::format("ollama: model {} is not available on {} (run `ollama pull {}`)", model_,
                        url_.origin + url_.path, model_));
      }
    }
    // A test embedding of ["test"], with the original's validation error mapping.
    std::vector<float> v(dimension_);
    const std::string_view test[] = {"test"};
    HttpResult last;
    Status s = EmbedBatch({test[0]}, v.data(), &last);
    if (s.ok()) return s;
    if (last.status == 200) return s;  // answered, but not with a usable vector
    return ValidationError(last);
  }

 private:
  std::vector<std::string> Prepare(std::span<const std::string_view> texts, EmbedKind kind) const {
    std::vector<std::string> out;
    out.reserve(texts.size());
    const bool ollama = config_.provider == Provider::kOllama;
    const std::string& doc_prefix = config_.document_prefix ? *config_.document_prefix : empty_;
    for (std::string_view t : texts) {
      const std::string& prefix = kind == EmbedKind::kQuery ? query_prefix_ : doc_prefix;
      std::string s(t);
      if (!prefix.empty() && !t.starts_with(prefix)) {
        std::string joined = prefix + s;
        if (EstimateTokens(joined) <= kMaxItemTokens) s = std::move(joined);
      }
      if (!ollama && EstimateTokens(s) > kMaxItemTokens) {
        s.assign(unicode::Utf16Prefix(s, static_cast<size_t>(kMaxItemTokens) * 4));
        ++stats_.truncated;
      }
      out.push_back(std::move(s));
    }
    return out;
  }

  HttpResult Send(const char* method, const std::string& path, const std::string& body,
                  int timeout_ms) const {
    HttpResult r;
    httplib::Client cli(url_.origin);
    const time_t sec = timeout_ms / 1000;
    const time_t usec = (timeout_ms % 1000) * 1000;
    cli.set_connection_timeout(sec, usec);
    cli.set_read_timeout(sec, usec);
    cli.set_write_timeout(sec, usec);
#ifdef CPPHTTPLIB_OPENSSL_SUPPORT
    if (!config_.ca_cert_path.empty()) cli.set_ca_cert_path(config_.ca_cert_path.c_str());
#endif
    httplib::Headers headers = {{"User-Agent", "codeindex"}};
    if (!api_key_.empty()) {
      headers.emplace("Authorization", "Bearer " + api_key_);
      if (full_endpoint_) headers.emplace("api-key", api_key_);
    }
    ++stats_.requests;
    httplib::Result res = std::strcmp(method, "GET") == 0
                              ? cli.Get(path, headers)
                              : cli.Post(path, headers, body, "application/json");
    if (!res) {
      r.error = httplib::to_string(res.error());
      return r;
    }
    r.status = res->status;
    r.body = std::move(res->body);
    return r;
  }

  std::string EndpointPath() const {
    if (config_.provider == Provider::kOllama) return url_.path + "/api/embed";
    if (full_endpoint_) return url_.path.empty() ? "/" : url_.path;
    return url_.path + "/embeddings";
  }

  Status TransportError(const HttpResult& r) const {
    const std::string where = url_.origin + EndpointPath();
    if (r.status == 0) {
      return Status::Unavailable(fmt::format("{}: connection to {} failed: {}",
                                             ProviderName(config_.provider), where, r.error));
    }
    if (r.status == 401) {
      return Status::FailedPrecondition(
          fmt::format("{}: authentication failed at {} (HTTP 401: {}); check the API key",
                      ProviderName(config_.provider), where, ErrorMessage(r.body)));
    }
    return Status::Unavailable(fmt::format("{}: failed after {} attempts: HTTP {}: {}",
                                           ProviderName(config_.provider), kMaxRetries, r.status,
                                           ErrorMessage(r.body)));
  }

  // The original's validation error mapping (§9).
  Status ValidationError(const HttpResult& r) const {
    const std::string_view p = ProviderName(config_.provider);
    const std::string where = url_.origin + url_.path;
    if (r.status == 0) {
      return Status::Unavailable(fmt::format("{}: connection failed to {}: {}", p, where, r.error));
    }
    const std::string msg = ErrorMessage(r.body);
    if (r.status == 401 || r.status == 403) {
      return Status::FailedPrecondition(
          fmt::format("{}: authentication failed (HTTP {}: {})", p, r.status, msg));
    }
    if (r.status == 404) {
      return Status::FailedPrecondition(
          config_.provider == Provider::kOpenAI
              ? fmt::format("{}: model {} is not available (HTTP 404: {})", p, model_, msg)
              : fmt::format("{}: invalid endpoint {} (HTTP 404: {})", p, where, msg));
    }
    if (r.status == 429) {
      return Status::Unavailable(fmt::format("{}: service unavailable (HTTP 429: {})", p, msg));
    }
    return Status::FailedPrecondition(
        fmt::format("{}: configuration error (HTTP {}: {})", p, r.status, msg));
  }

  // Embeds one batch with the retry rules; on an HTTP failure `*last` (if given) holds the
  // last answer.
  Status EmbedBatch(const std::vector<std::string_view>& batch, float* out,
                    HttpResult* last = nullptr) const {
    json body;
    body["model"] = model_;
    body["input"] = batch;
    const bool ollama = config_.provider == Provider::kOllama;
    if (!ollama) body["encoding_format"] = "base64";
    std::string payload;
    try {
      payload = body.dump(-1, ' ', false, json::error_handler_t::replace);
    } catch (const json::exception& e) {
      return Status::Internal(fmt::format("cannot encode request: {}", e.what()));
    }
    const std::string path = EndpointPath();
    const bool global_pause = config_.provider == Provider::kOpenAICompatible;
    const int attempts = ollama ? 1 : kMaxRetries;
    HttpResult r;
    for (int attempt = 0; attempt < attempts; ++attempt) {
      if (global_pause) {
        const int64_t wait = rate_limit_->RemainingPauseMs(clock_->NowMs());
        if (wait > 0) clock_->SleepMs(wait);
      }
      r = Send("POST", path, payload, ollama ? kOllamaTimeoutMs : config_.timeout_ms);
      if (r.status == 200) {
        if (last != nullptr) *last = r;
        return ParseResponse(r.body, batch.size(), out);
      }
      if (r.status != 429) break;  // only rate limiting is retried
      if (global_pause) rate_limit_->On429(clock_->NowMs());
      if (attempt + 1 < attempts) {
        int64_t wait = kInitialRetryDelayMs << attempt;
        if (global_pause) wait = std::max(wait, rate_limit_->RemainingPauseMs(clock_->NowMs()));
        ++stats_.retries;
        clock_->SleepMs(wait);
      }
    }
    if (last != nullptr) *last = r;
    return TransportError(r);
  }

  Status ParseResponse(const std::string& text, size_t n, float* out) const {
    const std::string_view p = ProviderName(config_.provider);
    auto invalid = [&](std::string_view what) {
      return Status::Unavailable(
          fmt::format("{}: invalid response from {}: {}", p, url_.origin + EndpointPath(), what));
    };
    json j;
    try {
      j = json::parse(text);
    } catch (const json::exception&) {
      return invalid("not JSON");
    }
    const size_t dim = static_cast<size_t>(dimension_);
    auto store = [&](size_t i, const std::vector<float>& v) -> Status {
      if (v.size() != dim) {
        return invalid(fmt::format("a vector of {} values, expected {}", v.size(), dim));
      }
      std::memcpy(out + i * dim, v.data(), dim * sizeof(float));
      NormalizeL2(out + i * dim, dim);
      return Status::OK();
    };
    try {
      if (config_.provider == Provider::kOllama) {
        const json& e = j.at("embeddings");
        if (!e.is_array() || e.size() != n) return invalid("wrong number of embeddings");
        for (size_t i = 0; i < n; ++i) RETURN_IF_ERROR(store(i, e[i].get<std::vector<float>>()));
        return Status::OK();
      }
      const json& data = j.at("data");
      if (!data.is_array() || data.size() != n) {
        return invalid(
            fmt::format("{} embeddings for {} inputs", data.is_array() ? data.size() : 0, n));
      }
      std::vector<bool> seen(n, false);
      for (size_t k = 0; k < n; ++k) {
        const json& item = data[k];
        size_t i = k;
        if (item.contains("index") && item["index"].is_number_unsigned()) {
          i = item["index"].get<size_t>();
        }
        if (i >= n || seen[i]) return invalid("bad or repeated index");
        seen[i] = true;
        const json& emb = item.at("embedding");
        if (emb.is_string()) {
          auto v = DecodeBase64Floats(emb.get<std::string>());
          if (!v.ok()) return invalid(v.error().message());
          RETURN_IF_ERROR(store(i, *v));
        } else {
          RETURN_IF_ERROR(store(i, emb.get<std::vector<float>>()));
        }
      }
      if (j.contains("usage") && j["usage"].is_object()) {
        const json& u = j["usage"];
        if (u.contains("prompt_tokens") && u["prompt_tokens"].is_number_unsigned()) {
          stats_.usage_tokens += u["prompt_tokens"].get<uint64_t>();
        }
      }
    } catch (const json::exception& e) {
      return invalid(e.what());
    }
    return Status::OK();
  }

  EmbedderConfig config_;
  Clock* clock_;
  RateLimitState* rate_limit_;
  std::string model_;
  int dimension_;
  std::string api_key_;
  ParsedUrl url_;
  bool full_endpoint_;
  std::string query_prefix_;
  std::string fingerprint_;
  std::string empty_;
};

}  // namespace

int64_t EstimateTokens(std::string_view text) {
  return static_cast<int64_t>((unicode::Utf16Length(text) + 3) / 4);
}

const ModelProfile* FindModelProfile(Provider provider, std::string_view model) {
  for (int pass = 0; pass < 2; ++pass) {
    for (const ModelProfile& p : kProfiles) {
      if (p.provider == provider && p.model == model) return &p;
    }
    if (!model.ends_with(":latest")) break;
    model.remove_suffix(7);
  }
  return nullptr;
}

std::string_view DefaultRemoteModel(Provider provider) {
  return provider == Provider::kOllama ? "nomic-embed-text:latest" : "text-embedding-3-small";
}

bool IsFullEndpointUrl(std::string_view url) {
  static const std::regex kPatterns[] = {
      std::regex(R"(/deployments/[^/]+/embeddings(\?|$))"),
      std::regex(R"(/serving-endpoints/[^/]+/invocations(\?|$))"),
      std::regex(R"(/embeddings(\?|$))"),
      std::regex(R"(/embed(\?|$))"),
  };
  const std::string s(url);
  for (const std::regex& re : kPatterns) {
    if (std::regex_search(s, re)) return true;
  }
  return false;
}

std::vector<std::pair<size_t, size_t>> PlanBatches(const std::vector<std::string>& texts,
                                                   int64_t max_batch_tokens, int max_count) {
  std::vector<std::pair<size_t, size_t>> out;
  size_t i = 0;
  while (i < texts.size()) {
    const size_t begin = i;
    int64_t sum = 0;
    while (i < texts.size()) {
      const int64_t t = EstimateTokens(texts[i]);
      if (i > begin && sum + t > max_batch_tokens) break;
      if (max_count > 0 && i - begin >= static_cast<size_t>(max_count)) break;
      sum += t;
      ++i;
    }
    out.emplace_back(begin, i);
  }
  return out;
}

Result<std::vector<float>> DecodeBase64Floats(std::string_view b64) {
  auto val = [](char c) -> int {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+' || c == '-') return 62;
    if (c == '/' || c == '_') return 63;
    return -1;
  };
  while (!b64.empty() && b64.back() == '=') b64.remove_suffix(1);
  std::string bytes;
  bytes.reserve(b64.size() * 3 / 4);
  uint32_t acc = 0;
  int bits = 0;
  for (char c : b64) {
    const int v = val(c);
    if (v < 0) return Status::Corruption("embedding is not valid base64");
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      bytes.push_back(static_cast<char>((acc >> bits) & 0xFF));
    }
  }
  if (bytes.size() % 4 != 0) {
    return Status::Corruption("base64 embedding is not a whole number of float32 values");
  }
  std::vector<float> out(bytes.size() / 4);
  for (size_t i = 0; i < out.size(); ++i) {
    const auto* p = reinterpret_cast<const unsigned char*>(bytes.data() + 4 * i);
    const uint32_t u = p[0] | p[1] << 8 | p[2] << 16 | static_cast<uint32_t>(p[3]) << 24;
    std::memcpy(&out[i], &u, 4);
  }
  return out;
}

int64_t RateLimitState::On429(int64_t now_ms) {
  std::lock_guard<std::mutex> l(mu_);
  if (last_429_ms_ && now_ms - *last_429_ms_ < kRateLimitWindowMs) {
    ++consecutive_;
  } else {
    consecutive_ = 1;
  }
  last_429_ms_ = now_ms;
  const int shift = std::min(consecutive_ - 1, 20);
  const int64_t pause = std::min(kRateLimitBaseMs << shift, kRateLimitMaxMs);
  pause_until_ms_ = now_ms + pause;
  return pause;
}

int64_t RateLimitState::RemainingPauseMs(int64_t now_ms) const {
  std::lock_guard<std::mutex> l(mu_);
  return std::max<int64_t>(0, pause_until_ms_ - now_ms);
}

int RateLimitState::consecutive_errors() const {
  std::lock_guard<std::mutex> l(mu_);
  return consecutive_;
}

RateLimitState* RateLimitState::Global(Provider provider) {
  static RateLimitState states[5];
  return &states[static_cast<int>(provider) % 5];
}

Result<std::unique_ptr<Embedder>> OpenRemoteEmbedder(const EmbedderConfig& config,
                                                     const EmbedderEnv& env) {
  const Provider p = config.provider;
  const std::string_view name = ProviderName(p);
  const std::string model =
      config.model.empty() ? std::string(DefaultRemoteModel(p)) : config.model;

  std::string base = config.base_url;
  if (base.empty()) {
    if (p == Provider::kOpenAI) base = "https://api.openai.com/v1";
    if (p == Provider::kOllama) base = "http://localhost:11434";
    if (p == Provider::kOpenAICompatible) {
      return Status::InvalidArgument("openai-compatible embedder: a base URL is required");
    }
  }
  const bool full = p == Provider::kOpenAICompatible && IsFullEndpointUrl(base);
  if (!full) base = TrimTrailingSlashes(base);
  ASSIGN_OR_RETURN(ParsedUrl url, ParseUrl(base));

  const ModelProfile* profile = FindModelProfile(p, model);
  int dimension = profile ? profile->dimension : config.dimensions;
  if (dimension <= 0) {
    return Status::InvalidArgument(fmt::format(
        "{} embedder: the dimension of model {} is unknown; set it in the configuration", name,
        model));
  }

  std::string key_env = config.api_key_env;
  if (key_env.empty() && p == Provider::kOpenAI) key_env = "OPENAI_API_KEY";
  std::string key;
  if (!key_env.empty()) {
    if (env.getenv) {
      key = env.getenv(key_env.c_str());
    } else if (const char* v = std::getenv(key_env.c_str())) {
      key = v;
    }
  }
  if (p == Provider::kOpenAI && key.empty()) {
    return Status::FailedPrecondition(
        fmt::format("openai embedder: no API key (set the environment variable {})", key_env));
  }

  std::string query_prefix;
  if (config.query_prefix) {
    query_prefix = *config.query_prefix;
  } else if (profile != nullptr) {
    query_prefix = std::string(profile->query_prefix);
  }
  return std::unique_ptr<Embedder>(std::make_unique<RemoteEmbedder>(config, env, model, dimension,
                                                                    std::move(key), std::move(url),
                                                                    full, std::move(query_prefix)));
}

}  // namespace codeindex
