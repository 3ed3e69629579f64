// Workspace configuration: which embedder builds the vectors and the search defaults.
//
// Sources, later ones winning field by field:
//   1. built-in defaults: the project's own static model (embed/embedder.h DefaultStaticModelDir),
//      semantic search with the original's min score 0.4 and 50 results;
//   2. WORKSPACE/.codeindex/config.toml (optional; a rebuild never deletes it);
//   3. command-line flags (ConfigOverrides).
//
// config.toml (every key optional):
//
//   [embedding]
//   provider = "static"        # static | transformer | openai | openai-compatible | ollama | none
//   model = "/path/to/model"   # directory (static, transformer) or model name (remote)
//   base_url = "http://localhost:11434"
//   model_id = "my-model"      # display name
//   dimensions = 384
//   api_key_env = "OPENAI_API_KEY"
//   batch_size = 60
//   threads = 1
//
//   [search]
//   mode = "hybrid"            # default mode of `search` (the original's: "semantic")
//   min_score = 0.2            # semantic mode; unset: the model's own (config.json), else 0.4
//   max_results = 50
//
//   [cache]                    # the in-memory cache of a long-running process (cache/cache.h)
//   enabled = true
//   size_mb = 256              # memory cap of everything cached, MiB
//   ttl_seconds = 300          # entries expire this long after insertion (0: never)
//   policy = "tinylfu"         # tinylfu | lru
//
// provider = "none" indexes without vectors (text search only).
//
// The index records the embedder it was built with (catalog meta "embedder"), and `search`
// embeds queries with that one, so flags given to `index` need not be repeated.
//
// Thread safety: plain values and pure functions.
#ifndef CODEINDEX_INDEX_CONFIG_H_
#define CODEINDEX_INDEX_CONFIG_H_

#include <optional>
#include <string>

#include "base/status.h"
#include "cache/cache.h"
#include "embed/embedder.h"
#include "parse/parser.h"
#include "scan/scanner.h"

namespace codeindex {

struct SearchDefaults {
  // Hybrid: best on every `codeindex eval` repository measured (bench/README.md, "hybrid");
  // the original's default, semantic with min score 0.4, stays one setting away.
  std::string mode = "hybrid";
  // Semantic mode only. Unset: the embedding model's recommended threshold
  // (Embedder::recommended_min_score(): 0.2 for the default model), else the original's
  // DEFAULT_SEARCH_MIN_SCORE 0.4 (tuned for OpenAI's cosines, which run higher).
  std::optional<double> min_score;
  int max_results = 50;     // the original's DEFAULT_MAX_SEARCH_RESULTS
};

// The [cache] section as plain values; cache/cache.h CacheOptions is made from it by the
// front ends (server, CLI), which own the cache.
struct CacheSettings {
  bool enabled = true;
  int64_t size_mb = 256;
  int64_t ttl_seconds = 300;
  std::string policy = "tinylfu";
};

struct WorkspaceConfig {
  // The chunker (parse/parser.h), when config.toml sets one:
  //   chunker = "default" | "original" | "fixed"      (top level, or in [index])
  //   [index] max_chars = 1500, min_chars = 300       (the complete chunker's budget)
  std::optional<ParseOptions> parse;
  // follow_symlinks = "inside" | "all" | "none" (top level, or in [index]); scan/scanner.h
  // rule 1. Default "inside": links are followed only to targets inside the workspace.
  FollowSymlinks follow_symlinks = FollowSymlinks::kInside;
  bool embeddings = true;  // false: provider = "none"
  EmbedderConfig embedder;
  SearchDefaults search;
  CacheSettings cache;
};

// The cache's options for `settings`; a disabled cache gets capacity 0 (every lookup misses).
CacheOptions ToCacheOptions(const CacheSettings& settings);

// Flags that override the file.
struct ConfigOverrides {
  std::optional<std::string> provider;
  std::optional<std::string> model;
  std::optional<std::string> base_url;
  std::optional<int> dimensions;
  std::optional<int> batch_size;
  // [cache] (front ends that keep a cache: serve, serve --mcp).
  std::optional<bool> cache_enabled;  // --no-cache sets false
  std::optional<int64_t> cache_size_mb;
  std::optional<int64_t> cache_ttl_seconds;
};

// Reads `index_dir`/config.toml if present; a malformed file is kInvalidArgument naming the
// file, line and key.
Result<WorkspaceConfig> LoadConfig(const std::string& index_dir);
Status ApplyOverrides(const ConfigOverrides& overrides, WorkspaceConfig* config);

// The embedder part as one line of JSON (for catalog meta) and back; runtime settings included.
std::string EmbedderConfigToJson(const WorkspaceConfig& config);
Result<WorkspaceConfig> EmbedderConfigFromJson(std::string_view json);

}  // namespace codeindex

#endif  // CODEINDEX_INDEX_CONFIG_H_
