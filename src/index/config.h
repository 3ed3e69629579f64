// Workspace configuration: which embedder builds the vectors and the search defaults.
//
// Sources, later ones winning field by field:
//   1. built-in defaults: the project's own static model (embed/embedder.h DefaultModel),
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
//   mode = "semantic"          # default mode of `search`
//   min_score = 0.4
//   max_results = 50
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
#include "embed/embedder.h"

namespace codeindex {

struct SearchDefaults {
  std::string mode = "semantic";
  double min_score = 0.4;   // the original's DEFAULT_SEARCH_MIN_SCORE
  int max_results = 50;     // the original's DEFAULT_MAX_SEARCH_RESULTS
};

struct WorkspaceConfig {
  bool embeddings = true;  // false: provider = "none"
  EmbedderConfig embedder;
  SearchDefaults search;
};

// Flags that override the file.
struct ConfigOverrides {
  std::optional<std::string> provider;
  std::optional<std::string> model;
  std::optional<std::string> base_url;
  std::optional<int> dimensions;
  std::optional<int> batch_size;
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
