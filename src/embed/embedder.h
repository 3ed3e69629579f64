// embed: turns texts (code blocks and search queries) into L2-normalised vectors.
//
// Pipeline position: parse -> **embed** -> vector/store. The indexer hands batches of block
// texts to an Embedder and stores the vectors; the searcher embeds the query with the same
// Embedder and compares by dot product (= cosine, since every vector is normalised).
//
// Three kinds of Embedder sit behind this one interface, chosen by EmbedderConfig::provider:
//
//   kStatic       A token-embedding table + tokenizer in the model2vec layout (a directory with
//                 model.safetensors holding an `embeddings` tensor [vocab, dim] and a HF
//                 tokenizer.json). Mean of the token vectors (times model2vec's optional
//                 per-token `weights`), then L2 normalisation. Microseconds per block, no
//                 threads, the table is mmapped (not copied). The default kind.
//   kTransformer  A BERT-family encoder (BERT, MiniLM, BGE, E5, nomic-bert; see bert.h for
//                 what is and is not supported) from HF safetensors + config.json +
//                 tokenizer.json or vocab.txt, fp32 through OpenBLAS or int8 through oneDNN,
//                 mean or CLS pooling.
//   kOpenAI, kOpenAICompatible, kOllama
//                 Remote HTTP providers with the original's batching by estimated tokens,
//                 retries and 429 back-off (docs/original.md §9), except that an
//                 over-long text is truncated instead of silently dropped (docs/FIDELITY.md).
//
// A persistent EmbeddingCache (below) and the CachingEmbedder wrapper make sure that an
// unchanged block is never embedded twice, and that vectors of two models never mix.
//
// Data layout convention (stated once, faiss-style): a batch of n texts is written to a
// caller-owned buffer of n * dimension() floats, row i = text i, each row L2-normalised (an
// empty text, or one with no known token, gets the zero vector: there is nothing to say).
//
// Thread safety: every Embedder returned by OpenEmbedder() is safe to call from several
// threads at once (Embed() is const and keeps per-call scratch on the stack or in the call).
// The static and transformer embedders do no locking on the hot path; the remote embedders
// share one rate-limit state per provider kind, guarded by a mutex, as the original does.
// EmbeddingCache and CachingEmbedder are thread-safe too.
#ifndef CODEINDEX_EMBED_EMBEDDER_H_
#define CODEINDEX_EMBED_EMBEDDER_H_

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace codeindex {

class Clock;
class RateLimitState;

// Some models embed a search query differently from the text it should find (E5's "query: "
// vs "passage: ", nomic-embed-code's query instruction, BGE's query instruction). Embedders
// apply the prefixes that the model (or the config) defines for each kind.
enum class EmbedKind { kDocument, kQuery };

enum class Provider { kStatic, kTransformer, kOpenAI, kOpenAICompatible, kOllama };

// "static", "transformer", "openai", "openai-compatible", "ollama".
std::string_view ProviderName(Provider p);
Result<Provider> ParseProvider(std::string_view name);

enum class Pooling {
  kAuto,  // what the model directory says (sentence-transformers 1_Pooling/config.json), else mean
  kMean,  // average of the token vectors (attention-masked)
  kCls,   // the first ([CLS]) token's vector
};

enum class Precision {
  kFloat32,  // exact: matches a reference forward pass within 1e-4
  kInt8,     // int8 weights (per output channel) x 7-bit activations (per token): about 2x faster
             // matrix products and 4x smaller weights, cosine to fp32 >= 0.99 (bert.h)
};

// Which embedding model to run, and every setting that changes the vectors it produces.
// Plain value; cheap to copy.
struct EmbedderConfig {
  Provider provider = Provider::kStatic;

  // kStatic / kTransformer: the model directory. Remote: the model name sent to the API; empty
  // means the provider default (text-embedding-3-small for openai and openai-compatible,
  // nomic-embed-text:latest for ollama).
  std::string model;

  // Remote only: API base URL, or (openai-compatible) a full endpoint URL, see remote.h.
  // Empty means the provider default: https://api.openai.com/v1 for openai,
  // http://localhost:11434 for ollama; required for openai-compatible.
  std::string base_url;

  // A stable, human-readable name for status output; empty derives one from `model`.
  std::string model_id;

  // Vector dimension. 0 = from the model file (local) or from the original's model profile
  // table (remote; docs/original.md §10). Remote models not in the table need it. A local
  // model whose dimension differs from a non-zero value here is an error (so that a config
  // change is noticed rather than silently producing vectors of another size).
  int dimensions = 0;

  // Remote only: the name of the environment variable that holds the API key (keys are never
  // stored in config files or in the index). Empty = OPENAI_API_KEY for openai, none otherwise.
  std::string api_key_env;

  // Transformer only.
  Pooling pooling = Pooling::kAuto;
  Precision precision = Precision::kFloat32;

  // Tokens per text after which the rest is cut. 0 = the model's own limit (512 for static
  // models, as model2vec's encode(); max_seq_length or max_position_embeddings for encoders).
  int max_tokens = 0;

  // Prefixes prepended to texts of each kind. nullopt = the model's own (sentence-transformers
  // `prompts`, or the original's profile for nomic-embed-code), else none.
  std::optional<std::string> query_prefix;
  std::optional<std::string> document_prefix;

  // --- Runtime settings: they do not change the vectors, so ContentHash() ignores them. ---

  // Transformer: OpenMP/BLAS threads per Embed() call. 1 (default) suits an indexer that runs
  // several Embed() calls in parallel; raise it to cut the latency of a single query.
  int threads = 1;
  // Remote: texts per HTTP request at most, on top of the token budget; 0 = no count limit
  // (the original's embedders limit only by tokens).
  int batch_size = 0;
  // Remote: per-request timeout. 60 s, as the original's Ollama embedder.
  int timeout_ms = 60000;
  // Remote HTTPS: a PEM file of trusted CA certificates; empty = the system store.
  std::string ca_cert_path;

  // Hex SHA-256 over the fields that change vectors (provider, model, base_url, dimensions,
  // pooling, precision, max_tokens, query_prefix, document_prefix), in a fixed order with
  // explicit lengths; model_id (a display name), api_key_env and the runtime settings are
  // left out. A different hash means the vectors must be rebuilt. Pure function of the
  // config: it does not read the model files (Embedder::fingerprint() adds those).
  std::string ContentHash() const;
};

// Usage and retry counters, for `status` and tests.
struct EmbedStats {
  std::atomic<uint64_t> texts{0};
  std::atomic<uint64_t> requests{0};  // remote HTTP requests (incl. retries)
  std::atomic<uint64_t> retries{0};
  std::atomic<uint64_t> truncated{0};     // texts cut to the per-item cap or max_tokens
  std::atomic<uint64_t> usage_tokens{0};  // remote: usage.prompt_tokens summed
};

class Embedder {
 public:
  virtual ~Embedder() = default;
  Embedder(const Embedder&) = delete;
  Embedder& operator=(const Embedder&) = delete;

  // Length of every vector. Constant for the object's lifetime.
  virtual int dimension() const = 0;

  // Human-readable identity, e.g. "static:potion-base-8M", "openai:text-embedding-3-small".
  virtual std::string model_id() const = 0;

  // Hex SHA-256 that changes whenever the vectors this object produces could change: the
  // config's ContentHash() plus, for local models, the content of the model files. The index
  // stores it; the cache keys vectors by it.
  virtual std::string fingerprint() const = 0;

  // Embeds texts[0..n) into out[0 .. n*dimension()), row i for text i, each row L2-normalised.
  // On error the content of `out` is unspecified. Thread-safe (see the file comment).
  // REQUIRES: `out` has room for texts.size() * dimension() floats.
  virtual Status Embed(std::span<const std::string_view> texts, EmbedKind kind,
                       float* out) const = 0;

  // Checks that the embedder can work (remote: the service answers and knows the model; the
  // original validates the same way when its services are created, §9). Local embedders are
  // validated when opened and return OK.
  virtual Status Validate() const { return Status::OK(); }

  // The cosine below which a semantic match is not worth showing, when the model states one
  // (a static model's config.json "min_score"); nullopt when it says nothing, and callers
  // then keep the original's 0.4 (search/searcher.h kDefaultMinScore). Cosines are not
  // comparable across models: 0.4 was tuned for OpenAI's, and a static model's run lower.
  virtual std::optional<double> recommended_min_score() const { return std::nullopt; }

  const EmbedStats& stats() const { return stats_; }

 protected:
  Embedder() = default;
  mutable EmbedStats stats_;
};

// Seams for tests and embedding hosts. Every pointer may be null (= the real thing).
struct EmbedderEnv {
  Clock* clock = nullptr;                // remote: time and sleeps (retries, 429 pauses)
  RateLimitState* rate_limit = nullptr;  // remote: the shared 429 state (default: per provider)
  // Looks up an environment variable (the API key); default std::getenv.
  std::string (*getenv)(const char* name) = nullptr;
};

// Opens the embedder that `config` describes. Local models are loaded and checked (clear
// errors naming the file); remote embedders are created without contacting the service (call
// Validate() for that).
Result<std::unique_ptr<Embedder>> OpenEmbedder(const EmbedderConfig& config,
                                               const EmbedderEnv& env = {});

// The project's own default model (docs/model-card.md): a static model trained by train/ on
// standard-library code, shipped in the repository under models/<kDefaultStaticModelName>/.
// A static EmbedderConfig with an empty `model` uses it.
inline constexpr std::string_view kDefaultStaticModelName = "code-static-v1";

// Where the default model is, the first of these that holds a model.safetensors:
//   1. $CODEINDEX_MODELS_DIR/<name> (an override for packagers and tests);
//   2. <binary dir>/../share/codeindex/models/<name> (installed: `cmake --install`);
//   3. <binary dir>/models/<name> (a copy next to the binary);
//   4. <source tree>/models/<name> (a build tree: the source path is compiled in).
// Errors: kNotFound naming every place searched.
Result<std::string> DefaultStaticModelDir();

// L2-normalises v[0..dim) in place; a zero vector stays zero.
void NormalizeL2(float* v, size_t dim);

// ---------------------------------------------------------------------------------------------
// The embedding cache: (model fingerprint, text hash) -> vector, on disk.
//
// Keyed by the SHA-256 of the exact text that is embedded (prefixes excluded, they belong to
// the model), not by the block's segment hash: the original's segment hash covers only the
// first 100 characters and the length of a block, so an edit further down that keeps the
// length (a `+` turned into a `-`) would return a stale vector (docs/FIDELITY.md). The text
// hash also lets a block that moved to another file or line reuse its vector.
//
// Storage is one SQLite database (WAL journal: a crash loses at most the last transaction,
// never corrupts), see docs/formats/embed-cache.md. Vectors are stored as float32, exactly as
// the model produced them, so a cached vector equals a freshly computed one bit for bit.
//
// Thread safety: all methods are thread-safe (one connection behind a mutex).
class EmbeddingCache {
 public:
  // Opens or creates the cache at `path`. A file of another format version is discarded and
  // recreated (it is only a cache). Errors: kIOError if the file cannot be created.
  static Result<std::unique_ptr<EmbeddingCache>> Open(const std::string& path);
  // An in-memory cache (tests, one-shot runs).
  static Result<std::unique_ptr<EmbeddingCache>> OpenInMemory();

  virtual ~EmbeddingCache() = default;
  EmbeddingCache(const EmbeddingCache&) = delete;
  EmbeddingCache& operator=(const EmbeddingCache&) = delete;

  // For each i, if (model, keys[i]) is cached with dimension `dim`, copies it to
  // out[i*dim ..] and sets found[i] = true; else found[i] = false.
  // REQUIRES: found.size() == keys.size(); out has keys.size() * dim floats.
  virtual Status Get(std::string_view model, std::span<const std::string> keys, int dim, float* out,
                     std::span<bool> found) = 0;
  // Stores vectors[i*dim ..] under (model, keys[i]), replacing what was there, in one
  // transaction.
  virtual Status Put(std::string_view model, std::span<const std::string> keys, int dim,
                     const float* vectors) = 0;
  // Deletes every vector of every model other than `keep_model` (after a model switch).
  virtual Status RetainOnly(std::string_view keep_model) = 0;
  // Number of vectors stored for `model`.
  virtual Result<int64_t> Count(std::string_view model) = 0;

 protected:
  EmbeddingCache() = default;
};

// The cache key of a text: its SHA-256, raw 32 bytes.
std::string EmbeddingCacheKey(std::string_view text);

// An Embedder that answers documents from `cache` and embeds only the misses (in one call to
// `inner`), storing them. Queries pass straight through (they are rarely repeated and must be
// fast). Same thread-safety as `inner`. hits()/misses() count documents.
class CachingEmbedder final : public Embedder {
 public:
  // Borrows nothing: takes ownership of `inner`, shares `cache`.
  CachingEmbedder(std::unique_ptr<Embedder> inner, std::shared_ptr<EmbeddingCache> cache);

  int dimension() const override { return inner_->dimension(); }
  std::string model_id() const override { return inner_->model_id(); }
  std::string fingerprint() const override { return fingerprint_; }
  Status Embed(std::span<const std::string_view> texts, EmbedKind kind, float* out) const override;
  Status Validate() const override { return inner_->Validate(); }
  std::optional<double> recommended_min_score() const override {
    return inner_->recommended_min_score();
  }

  uint64_t hits() const { return hits_.load(); }
  uint64_t misses() const { return misses_.load(); }
  const Embedder& inner() const { return *inner_; }

 private:
  std::unique_ptr<Embedder> inner_;
  std::shared_ptr<EmbeddingCache> cache_;
  std::string fingerprint_;
  mutable std::atomic<uint64_t> hits_{0};
  mutable std::atomic<uint64_t> misses_{0};
};

}  // namespace codeindex

#endif  // CODEINDEX_EMBED_EMBEDDER_H_
