#include "index/config.h"

#include <nlohmann/json.hpp>
#include <sstream>
#include <toml++/toml.h>

namespace codeindex {

namespace {

Status SetProvider(std::string_view name, WorkspaceConfig* config) {
  if (name == "none") {
    config->embeddings = false;
    return Status::OK();
  }
  ASSIGN_OR_RETURN(config->embedder.provider, ParseProvider(name));
  config->embeddings = true;
  return Status::OK();
}

template <typename T>
Status ReadKey(const toml::table& table, const char* section, const char* key,
               const std::string& file, std::optional<T>* out) {
  const toml::node* node = table.get(key);
  if (node == nullptr) return Status::OK();
  std::optional<T> v = node->value<T>();
  if (!v) {
    return Status::InvalidArgument(file + ":" + std::to_string(node->source().begin.line) + ": [" +
                                   section + "] " + key + " has the wrong type");
  }
  *out = v;
  return Status::OK();
}

}  // namespace

Result<WorkspaceConfig> LoadConfig(const std::string& index_dir) {
  WorkspaceConfig config;
  const std::string file = index_dir + "/config.toml";
  toml::table root;
  try {
    root = toml::parse_file(file);
  } catch (const toml::parse_error& e) {
    // A missing file is the common case: defaults.
    if (std::string_view(e.description()).find("File could not be opened") !=
        std::string_view::npos) {
      return config;
    }
    return Status::InvalidArgument(file + ":" + std::to_string(e.source().begin.line) + ": " +
                                   std::string(e.description()));
  }
  {
    std::optional<std::string> chunker;
    std::optional<int64_t> max_chars, min_chars;
    std::optional<double> block_cost;
    RETURN_IF_ERROR(ReadKey(root, "", "chunker", file, &chunker));
    if (const toml::table* idx = root["index"].as_table()) {
      RETURN_IF_ERROR(ReadKey(*idx, "index", "chunker", file, &chunker));
      RETURN_IF_ERROR(ReadKey(*idx, "index", "max_chars", file, &max_chars));
      RETURN_IF_ERROR(ReadKey(*idx, "index", "min_chars", file, &min_chars));
      RETURN_IF_ERROR(ReadKey(*idx, "index", "block_cost", file, &block_cost));
    }
    if (chunker || max_chars || min_chars || block_cost) {
      Result<ParseOptions> o = ParseOptionsForChunker(chunker.value_or("default"));
      if (!o.ok()) return Status::InvalidArgument(file + ": " + o.error().message());
      if (max_chars) {
        if (*max_chars < 100 || *max_chars > 100000) {
          return Status::InvalidArgument(file + ": [index] max_chars must be 100..100000");
        }
        o->complete_max_chars = static_cast<int>(*max_chars);
      }
      if (min_chars) {
        if (*min_chars < 0 || *min_chars > 100000) {
          return Status::InvalidArgument(file + ": [index] min_chars must be 0..100000");
        }
        o->complete_min_chars = static_cast<int>(*min_chars);
      }
      if (block_cost) {
        if (!(*block_cost >= 0 && *block_cost <= 100)) {
          return Status::InvalidArgument(file + ": [index] block_cost must be 0..100");
        }
        o->complete_block_cost = *block_cost;
      }
      config.parse = *o;
    }
  }
  {
    std::optional<std::string> follow;
    RETURN_IF_ERROR(ReadKey(root, "", "follow_symlinks", file, &follow));
    if (const toml::table* idx = root["index"].as_table()) {
      RETURN_IF_ERROR(ReadKey(*idx, "index", "follow_symlinks", file, &follow));
    }
    if (follow) {
      Result<FollowSymlinks> mode = ParseFollowSymlinks(*follow);
      if (!mode.ok()) return Status::InvalidArgument(file + ": " + mode.error().message());
      config.follow_symlinks = *mode;
    }
  }
  if (const toml::table* emb = root["embedding"].as_table()) {
    std::optional<std::string> provider, model, base_url, model_id, api_key_env;
    std::optional<int64_t> dimensions, batch_size, threads;
    RETURN_IF_ERROR(ReadKey(*emb, "embedding", "provider", file, &provider));
    RETURN_IF_ERROR(ReadKey(*emb, "embedding", "model", file, &model));
    RETURN_IF_ERROR(ReadKey(*emb, "embedding", "base_url", file, &base_url));
    RETURN_IF_ERROR(ReadKey(*emb, "embedding", "model_id", file, &model_id));
    RETURN_IF_ERROR(ReadKey(*emb, "embedding", "api_key_env", file, &api_key_env));
    RETURN_IF_ERROR(ReadKey(*emb, "embedding", "dimensions", file, &dimensions));
    RETURN_IF_ERROR(ReadKey(*emb, "embedding", "batch_size", file, &batch_size));
    RETURN_IF_ERROR(ReadKey(*emb, "embedding", "threads", file, &threads));
    if (provider) RETURN_IF_ERROR(SetProvider(*provider, &config).WithContext(file));
    if (model) config.embedder.model = *model;
    if (base_url) config.embedder.base_url = *base_url;
    if (model_id) config.embedder.model_id = *model_id;
    if (api_key_env) config.embedder.api_key_env = *api_key_env;
    if (dimensions) config.embedder.dimensions = static_cast<int>(*dimensions);
    if (batch_size) config.embedder.batch_size = static_cast<int>(*batch_size);
    if (threads) config.embedder.threads = static_cast<int>(*threads);
  }
  if (const toml::table* search = root["search"].as_table()) {
    std::optional<std::string> mode;
    std::optional<double> min_score;
    std::optional<int64_t> max_results;
    RETURN_IF_ERROR(ReadKey(*search, "search", "mode", file, &mode));
    RETURN_IF_ERROR(ReadKey(*search, "search", "min_score", file, &min_score));
    RETURN_IF_ERROR(ReadKey(*search, "search", "max_results", file, &max_results));
    if (mode) {
      if (*mode != "semantic" && *mode != "text" && *mode != "hybrid") {
        return Status::InvalidArgument(file + ": [search] mode must be semantic, text or hybrid");
      }
      config.search.mode = *mode;
    }
    if (min_score) config.search.min_score = *min_score;
    if (max_results) {
      // The original allows 10..200.
      if (*max_results < 1 || *max_results > 10000) {
        return Status::InvalidArgument(file + ": [search] max_results must be 1..10000");
      }
      config.search.max_results = static_cast<int>(*max_results);
    }
  }
  if (const toml::table* cache = root["cache"].as_table()) {
    std::optional<bool> enabled;
    std::optional<int64_t> size_mb, ttl_seconds;
    std::optional<std::string> policy;
    RETURN_IF_ERROR(ReadKey(*cache, "cache", "enabled", file, &enabled));
    RETURN_IF_ERROR(ReadKey(*cache, "cache", "size_mb", file, &size_mb));
    RETURN_IF_ERROR(ReadKey(*cache, "cache", "ttl_seconds", file, &ttl_seconds));
    RETURN_IF_ERROR(ReadKey(*cache, "cache", "policy", file, &policy));
    if (enabled) config.cache.enabled = *enabled;
    if (size_mb) {
      if (*size_mb < 0 || *size_mb > (int64_t{1} << 20)) {
        return Status::InvalidArgument(file + ": [cache] size_mb must be 0..1048576");
      }
      config.cache.size_mb = *size_mb;
    }
    if (ttl_seconds) {
      if (*ttl_seconds < 0) return Status::InvalidArgument(file + ": [cache] ttl_seconds must be >= 0");
      config.cache.ttl_seconds = *ttl_seconds;
    }
    if (policy) {
      if (*policy != "tinylfu" && *policy != "lru") {
        return Status::InvalidArgument(file + ": [cache] policy must be tinylfu or lru");
      }
      config.cache.policy = *policy;
    }
  }
  return config;
}

CacheOptions ToCacheOptions(const CacheSettings& settings) {
  CacheOptions o;
  o.capacity_bytes = settings.enabled ? static_cast<size_t>(settings.size_mb) << 20 : 0;
  o.ttl = std::chrono::seconds(settings.ttl_seconds);
  Result<EvictionPolicy> p = ParseEvictionPolicy(settings.policy);
  if (p.ok()) o.policy = *p;
  return o;
}

Status ApplyOverrides(const ConfigOverrides& o, WorkspaceConfig* config) {
  if (o.cache_enabled) config->cache.enabled = *o.cache_enabled;
  if (o.cache_size_mb) {
    if (*o.cache_size_mb < 0) return Status::InvalidArgument("--cache-size-mb must be >= 0");
    config->cache.size_mb = *o.cache_size_mb;
  }
  if (o.cache_ttl_seconds) {
    if (*o.cache_ttl_seconds < 0) return Status::InvalidArgument("--cache-ttl must be >= 0");
    config->cache.ttl_seconds = *o.cache_ttl_seconds;
  }
  if (o.provider) RETURN_IF_ERROR(SetProvider(*o.provider, config));
  if (o.model) config->embedder.model = *o.model;
  if (o.base_url) config->embedder.base_url = *o.base_url;
  if (o.dimensions) config->embedder.dimensions = *o.dimensions;
  if (o.batch_size) config->embedder.batch_size = *o.batch_size;
  return Status::OK();
}

std::string EmbedderConfigToJson(const WorkspaceConfig& config) {
  const EmbedderConfig& e = config.embedder;
  nlohmann::json j = {
      {"provider", config.embeddings ? std::string(ProviderName(e.provider)) : "none"},
      {"model", e.model},
      {"base_url", e.base_url},
      {"model_id", e.model_id},
      {"dimensions", e.dimensions},
      {"api_key_env", e.api_key_env},
      {"batch_size", e.batch_size},
      {"threads", e.threads},
  };
  return j.dump();
}

Result<WorkspaceConfig> EmbedderConfigFromJson(std::string_view text) {
  WorkspaceConfig config;
  try {
    nlohmann::json j = nlohmann::json::parse(text);
    RETURN_IF_ERROR(SetProvider(j.at("provider").get<std::string>(), &config));
    EmbedderConfig& e = config.embedder;
    e.model = j.value("model", "");
    e.base_url = j.value("base_url", "");
    e.model_id = j.value("model_id", "");
    e.dimensions = j.value("dimensions", 0);
    e.api_key_env = j.value("api_key_env", "");
    e.batch_size = j.value("batch_size", 0);
    e.threads = j.value("threads", 1);
  } catch (const nlohmann::json::exception& ex) {
    return Status::Corruption(std::string("stored embedder configuration: ") + ex.what());
  }
  return config;
}

}  // namespace codeindex
