#include "embed/embedder.h"

#include <cmath>
#include <cstdio>

#include <fmt/format.h>
#include <sys/stat.h>

#include "base/hash.h"
#include "embed/bert.h"
#include "embed/common.h"
#include "embed/remote.h"
#include "embed/static_model.h"

namespace codeindex {

std::string_view ProviderName(Provider p) {
  switch (p) {
    case Provider::kStatic:
      return "static";
    case Provider::kTransformer:
      return "transformer";
    case Provider::kOpenAI:
      return "openai";
    case Provider::kOpenAICompatible:
      return "openai-compatible";
    case Provider::kOllama:
      return "ollama";
  }
  return "?";
}

Result<Provider> ParseProvider(std::string_view name) {
  for (Provider p : {Provider::kStatic, Provider::kTransformer, Provider::kOpenAI,
                     Provider::kOpenAICompatible, Provider::kOllama}) {
    if (ProviderName(p) == name) return p;
  }
  return Status::InvalidArgument(
      fmt::format("unknown embedding provider \"{}\" (expected static, transformer, openai, "
                  "openai-compatible or ollama)",
                  name));
}

std::string EmbedderConfig::ContentHash() const {
  // Version the encoding itself: bump when a field is added, so that old hashes differ.
  std::string s = "codeindex-embedder-config-v1";
  auto add = [&s](std::string_view field) {
    s += fmt::format("|{}:", field.size());
    s += field;
  };
  auto add_opt = [&](const std::optional<std::string>& v) {
    if (v) {
      add("set");
      add(*v);
    } else {
      add("unset");
    }
  };
  add(ProviderName(provider));
  add(model);
  add(base_url);
  add(std::to_string(dimensions));
  add(std::to_string(static_cast<int>(pooling)));
  add(std::to_string(static_cast<int>(precision)));
  add(std::to_string(max_tokens));
  add_opt(query_prefix);
  add_opt(document_prefix);
  return Sha256Hex(s);
}

void NormalizeL2(float* v, size_t dim) {
  double ss = 0;
  for (size_t i = 0; i < dim; ++i) ss += static_cast<double>(v[i]) * v[i];
  if (ss <= 0) return;
  const float inv = static_cast<float>(1.0 / std::sqrt(ss));
  for (size_t i = 0; i < dim; ++i) v[i] *= inv;
}

Result<std::unique_ptr<Embedder>> OpenEmbedder(const EmbedderConfig& config,
                                               const EmbedderEnv& env) {
  switch (config.provider) {
    case Provider::kStatic:
      return OpenStaticEmbedder(config);
    case Provider::kTransformer:
      return OpenBertEmbedder(config);
    case Provider::kOpenAI:
    case Provider::kOpenAICompatible:
    case Provider::kOllama:
      return OpenRemoteEmbedder(config, env);
  }
  return Status::InvalidArgument("unknown embedding provider");
}

std::string EmbeddingCacheKey(std::string_view text) {
  const Sha256Digest d = Sha256(text);
  return std::string(reinterpret_cast<const char*>(d.data()), d.size());
}

namespace embed_internal {

bool FileExists(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

std::string JoinPath(const std::string& dir, std::string_view name) {
  if (dir.empty()) return std::string(name);
  std::string p = dir;
  if (p.back() != '/') p.push_back('/');
  p += name;
  return p;
}

Result<std::string> HashFiles(std::string_view seed, const std::vector<std::string>& paths) {
  Sha256Hasher h;
  h.Update(seed);
  std::vector<char> buf(1 << 20);
  for (const std::string& path : paths) {
    h.Update(fmt::format("|{}:{}", path.size(), path));
    FILE* f = std::fopen(path.c_str(), "rb");
    if (f == nullptr) {
      h.Update("|absent");
      continue;
    }
    h.Update("|present");
    size_t n;
    while ((n = std::fread(buf.data(), 1, buf.size(), f)) > 0) h.Update({buf.data(), n});
    const bool failed = std::ferror(f);
    std::fclose(f);
    if (failed) return Status::IOError(fmt::format("{}: read error", path));
  }
  const Sha256Digest d = h.Finish();
  return ToHex(d.data(), d.size());
}

std::string LocalModelId(std::string_view kind, const EmbedderConfig& config) {
  if (!config.model_id.empty()) return config.model_id;
  std::string_view m = config.model;
  while (m.size() > 1 && m.back() == '/') m.remove_suffix(1);
  const size_t slash = m.rfind('/');
  if (slash != std::string_view::npos) m = m.substr(slash + 1);
  return fmt::format("{}:{}", kind, m);
}

std::vector<std::string_view> WithPrefix(std::span<const std::string_view> texts,
                                         std::string_view prefix,
                                         std::vector<std::string>* storage) {
  std::vector<std::string_view> out(texts.begin(), texts.end());
  if (prefix.empty()) return out;
  storage->clear();
  storage->reserve(texts.size());
  for (std::string_view t : texts) storage->push_back(std::string(prefix) + std::string(t));
  for (size_t i = 0; i < out.size(); ++i) out[i] = (*storage)[i];
  return out;
}

}  // namespace embed_internal
}  // namespace codeindex
