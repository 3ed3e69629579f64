// Remote embedding providers (internal to embed; users reach them through OpenEmbedder with
// Provider::kOpenAI, kOpenAICompatible or kOllama). Behaviour follows the original's
// embedders (docs/original.md §9-§10); every constant below is the original's.
//
// OpenAI and OpenAI-compatible: POST {base}/embeddings with
//   {"input": [...], "model": "...", "encoding_format": "base64"}, header
//   "Authorization: Bearer <key>"; each `embedding` is base64 of little-endian float32 (a JSON
//   float array is accepted too). A "full endpoint" URL (IsFullEndpointUrl) is POSTed as is,
//   with an `api-key` header as well.
// Ollama: POST {base}/api/embed {"model", "input": [...]} -> {"embeddings": [[...]]}; 60 s
//   timeout; validation checks GET /api/tags for the model first.
//
// Batching (openai, openai-compatible; ollama too, see FIDELITY.md): texts are taken in order
// while the sum of estimated tokens (ceil(UTF-16 length / 4)) stays <= kMaxBatchTokens,
// stopping at the first that does not fit. A text over kMaxItemTokens is truncated to it
// (the original drops it with a warning, which shifts every later vector onto the wrong
// block; FIDELITY.md). Ollama has no per-item cap, as in the original.
//
// Query prefix: a (provider, model) profile may define one (only nomic-embed-code, for
// openai-compatible and ollama). It is prepended to query texts unless the text already
// starts with it or the prefixed estimate would exceed kMaxItemTokens. The original prepends
// it to code blocks too, against the model's instructions (FIDELITY.md).
//
// Retries: only HTTP 429 is retried, up to kMaxRetries attempts, waiting
// kInitialRetryDelayMs * 2^attempt (Ollama never retries, as in the original). OpenAI-compatible
// additionally shares a RateLimitState per provider: each 429 sets a global pause of
// min(5000 * 2^(n-1), 300000) ms (n = consecutive 429s, reset when the previous one is >= 60 s
// old); every attempt first waits out an active pause, and the retry wait is
// max(500 * 2^attempt, remaining pause). 401 -> authentication error; other failures are
// reported as "failed after 3 attempts" with the status and the server's message.
//
// Thread safety: Embed() may be called from several threads; each call uses its own HTTP
// connection; the RateLimitState is shared and locked.
#ifndef CODEINDEX_EMBED_REMOTE_H_
#define CODEINDEX_EMBED_REMOTE_H_

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "embed/embedder.h"

namespace codeindex {

inline constexpr int kMaxBatchTokens = 100000;        // MAX_BATCH_TOKENS
inline constexpr int kMaxItemTokens = 8191;           // MAX_ITEM_TOKENS
inline constexpr int kMaxRetries = 3;                 // MAX_BATCH_RETRIES
inline constexpr int64_t kInitialRetryDelayMs = 500;  // INITIAL_RETRY_DELAY_MS
inline constexpr int64_t kRateLimitBaseMs = 5000;
inline constexpr int64_t kRateLimitMaxMs = 300000;
inline constexpr int64_t kRateLimitWindowMs = 60000;  // consecutive-429 window
inline constexpr int kOllamaTimeoutMs = 60000;
inline constexpr int kOllamaTagsTimeoutMs = 30000;
inline constexpr std::string_view kNomicCodeQueryPrefix =
    "Represent this query for searching relevant code: ";

// ceil(UTF-16 length / 4), the original's token estimate.
int64_t EstimateTokens(std::string_view text);

// The original's model profile table (§10), for the providers implemented here.
struct ModelProfile {
  Provider provider;
  std::string_view model;
  int dimension;
  double score_threshold;
  std::string_view query_prefix;  // empty = none
};
// Exact model name, else the name without a ":latest" suffix. nullptr if unknown.
const ModelProfile* FindModelProfile(Provider provider, std::string_view model);
std::string_view DefaultRemoteModel(Provider provider);

// True for URLs the original POSTs to directly instead of appending /embeddings.
bool IsFullEndpointUrl(std::string_view url);

// Splits texts (already prefixed and truncated) into batches of [begin, end) indices.
// `max_count` 0 = no limit on texts per batch.
std::vector<std::pair<size_t, size_t>> PlanBatches(const std::vector<std::string>& texts,
                                                   int64_t max_batch_tokens, int max_count);

// Decodes standard base64 (with or without padding) of little-endian float32 values.
Result<std::vector<float>> DecodeBase64Floats(std::string_view b64);

// The process-global 429 state of one provider kind (the original keeps one per class).
class RateLimitState {
 public:
  // Records a 429 at `now_ms` and returns the pause it sets.
  int64_t On429(int64_t now_ms);
  // Milliseconds left of the active pause (0 if none).
  int64_t RemainingPauseMs(int64_t now_ms) const;
  int consecutive_errors() const;
  // The shared instance for `provider`.
  static RateLimitState* Global(Provider provider);

 private:
  mutable std::mutex mu_;
  int64_t pause_until_ms_ = 0;
  std::optional<int64_t> last_429_ms_;
  int consecutive_ = 0;
};

Result<std::unique_ptr<Embedder>> OpenRemoteEmbedder(const EmbedderConfig& config,
                                                     const EmbedderEnv& env);

}  // namespace codeindex

#endif  // CODEINDEX_EMBED_REMOTE_H_
