#include "embed/static_model.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>

#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <unistd.h>

#include "base/file.h"
#include "embed/common.h"
#include "embed/pool_kernels.h"
#include "embed/unicode.h"

namespace codeindex {
namespace {

constexpr int kDefaultMaxTokens = 512;  // model2vec StaticModel.encode(max_length=512)

}  // namespace

// int(np.median(lengths)): the mean of the two middle values for an even count, truncated.
int MedianTokenLength(const EmbedTokenizer& tok) {
  std::vector<int> lengths;
  lengths.reserve(tok.vocab_size());
  for (int32_t id = 0; id < tok.vocab_size(); ++id) {
    const std::string t = tok.IdToToken(id);
    int n = 0;
    for (char c : t) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
    lengths.push_back(n);
  }
  if (lengths.empty()) return 1;
  std::sort(lengths.begin(), lengths.end());
  const size_t n = lengths.size();
  const double median =
      n % 2 ? lengths[n / 2] : (static_cast<double>(lengths[n / 2 - 1]) + lengths[n / 2]) / 2.0;
  return std::max(1, static_cast<int>(median));
}

// The first `chars` code points of s (Python's s[:chars]).
std::string_view CodePointPrefix(std::string_view s, size_t chars) {
  size_t seen = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    if ((static_cast<unsigned char>(s[i]) & 0xC0) != 0x80) {
      if (seen == chars) return s.substr(0, i);
      ++seen;
    }
  }
  return s;
}

Result<std::unique_ptr<StaticModel>> StaticModel::Open(const std::string& dir, int max_tokens) {
  using embed_internal::JoinPath;
  auto m = std::unique_ptr<StaticModel>(new StaticModel());
  m->max_tokens_ = max_tokens > 0 ? max_tokens : kDefaultMaxTokens;
  // Our extensions to model2vec's config.json: the model's own token limit "max_tokens"
  // (used when the caller sets none) and the search threshold "min_score".
  if (embed_internal::FileExists(JoinPath(dir, "config.json"))) {
    ASSIGN_OR_RETURN(std::string cj, ReadFile(JoinPath(dir, "config.json")));
    const nlohmann::json j = nlohmann::json::parse(cj, nullptr, /*allow_exceptions=*/false);
    if (max_tokens <= 0 && j.is_object() && j.contains("max_tokens") &&
        j["max_tokens"].is_number_integer() && j["max_tokens"].get<int64_t>() > 0) {
      m->max_tokens_ = static_cast<int>(std::min<int64_t>(j["max_tokens"].get<int64_t>(), 1 << 20));
    }
    if (j.is_object() && j.contains("min_score") && j["min_score"].is_number()) {
      const double v = j["min_score"].get<double>();
      if (v >= -1 && v <= 1) m->min_score_ = v;
    }
  }
  const std::string st_path = JoinPath(dir, "model.safetensors");
  const std::string tok_path = JoinPath(dir, "tokenizer.json");
  if (!embed_internal::FileExists(st_path)) {
    return Status::NotFound(fmt::format(
        "{}: no model.safetensors (a static model directory needs model.safetensors and "
        "tokenizer.json, the model2vec layout)",
        dir));
  }
  ASSIGN_OR_RETURN(SafetensorsFile file, SafetensorsFile::Open(st_path));
  m->file_.emplace(std::move(file));
  ASSIGN_OR_RETURN(m->tokenizer_, LoadTokenizerFile(tok_path));

  const TensorView* emb = m->file_->Find("embeddings");
  if (emb == nullptr) emb = m->file_->Find("embedding.weight");  // sentence-transformers layout
  if (emb == nullptr) {
    return Status::Corruption(fmt::format("{}: no tensor named `embeddings`", st_path));
  }
  if (emb->shape.size() != 2 || emb->shape[0] <= 0 || emb->shape[1] <= 0) {
    return Status::Corruption(fmt::format("{}: `embeddings` must be [rows, dim]", st_path));
  }
  if (emb->dtype != DType::kF32 && emb->dtype != DType::kF16 && emb->dtype != DType::kI8) {
    return Status::Corruption(
        fmt::format("{}: `embeddings` has dtype {}; F32, F16 and I8 are supported", st_path,
                    DTypeName(emb->dtype)));
  }
  m->dtype_ = emb->dtype;
  m->rows_ = emb->shape[0];
  m->dim_ = emb->shape[1];
  const size_t align = DTypeSize(emb->dtype);
  if (reinterpret_cast<uintptr_t>(emb->data) % align != 0) {
    m->owned_table_.assign(emb->data, emb->data + emb->nbytes);  // vector storage is aligned
    m->table_ = m->owned_table_.data();
  } else {
    m->table_ = emb->data;
  }

  const int64_t vocab = m->tokenizer_->vocab_size();
  if (const TensorView* mapping = m->file_->Find("mapping")) {
    if (mapping->shape.size() != 1 || mapping->shape[0] < vocab) {
      return Status::Corruption(
          fmt::format("{}: `mapping` must have one entry per token ({})", st_path, vocab));
    }
    for (float v : mapping->ToFloat()) {
      if (v < 0 || v >= static_cast<float>(m->rows_)) {
        return Status::Corruption(
            fmt::format("{}: `mapping` points outside `embeddings`", st_path));
      }
      m->mapping_.push_back(static_cast<int32_t>(v));
    }
  } else if (vocab > m->rows_) {
    return Status::Corruption(fmt::format(
        "{}: the tokenizer has {} tokens but `embeddings` only {} rows", dir, vocab, m->rows_));
  }
  if (const TensorView* weights = m->file_->Find("weights")) {
    if (weights->shape.size() != 1 || weights->shape[0] < vocab) {
      return Status::Corruption(
          fmt::format("{}: `weights` must have one entry per token ({})", st_path, vocab));
    }
    m->weights_ = weights->ToFloat();
  }
  m->median_token_length_ = MedianTokenLength(*m->tokenizer_);
  return m;
}

bool StaticModel::Encode(std::string_view text, float* out, std::vector<int32_t>* ids) const {
  const size_t max_chars =
      static_cast<size_t>(max_tokens_) * static_cast<size_t>(median_token_length_);
  const std::string_view cut = CodePointPrefix(text, max_chars);
  ids->clear();
  tokenizer_->Encode(cut, ids);
  if (const auto unk = tokenizer_->unk_id()) {
    ids->erase(std::remove(ids->begin(), ids->end(), *unk), ids->end());
  }
  const bool truncated = cut.size() < text.size() || ids->size() > static_cast<size_t>(max_tokens_);
  if (ids->size() > static_cast<size_t>(max_tokens_)) ids->resize(max_tokens_);

  const size_t dim = static_cast<size_t>(dim_);
  std::fill(out, out + dim, 0.0f);
  size_t count = 0;
  for (int32_t id : *ids) {
    if (id < 0) continue;
    int64_t row = id;
    if (!mapping_.empty()) {
      if (static_cast<size_t>(id) >= mapping_.size()) continue;
      row = mapping_[id];
    }
    if (row >= rows_) continue;  // an added token beyond the table: skip
    float w = 1.0f;
    if (!weights_.empty() && static_cast<size_t>(id) < weights_.size()) w = weights_[id];
    switch (dtype_) {
      case DType::kF32:
        AxpyF32(reinterpret_cast<const float*>(table_) + row * dim, w, out, dim);
        break;
      case DType::kF16:
        AxpyF16(reinterpret_cast<const uint16_t*>(table_) + row * dim, w, out, dim);
        break;
      default:
        AxpyI8(reinterpret_cast<const int8_t*>(table_) + row * dim, w, out, dim);
        break;
    }
    ++count;
  }
  // The mean's 1/count cancels in the normalisation; kept for parity with model2vec.
  if (count > 0) {
    const float inv = 1.0f / static_cast<float>(count);
    for (size_t i = 0; i < dim; ++i) out[i] *= inv;
  }
  NormalizeL2(out, dim);
  return truncated;
}

namespace {

class StaticEmbedder final : public Embedder {
 public:
  StaticEmbedder(std::unique_ptr<StaticModel> model, const EmbedderConfig& config,
                 std::string fingerprint)
      : model_(std::move(model)),
        model_id_(embed_internal::LocalModelId("static", config)),
        fingerprint_(std::move(fingerprint)),
        query_prefix_(config.query_prefix.value_or("")),
        document_prefix_(config.document_prefix.value_or("")) {}

  int dimension() const override { return model_->dim(); }
  std::string model_id() const override { return model_id_; }
  std::string fingerprint() const override { return fingerprint_; }
  std::optional<double> recommended_min_score() const override { return model_->min_score(); }

  Status Embed(std::span<const std::string_view> texts, EmbedKind kind, float* out) const override {
    const std::string& prefix = kind == EmbedKind::kQuery ? query_prefix_ : document_prefix_;
    std::vector<int32_t> ids;
    std::string buf;
    const size_t dim = static_cast<size_t>(model_->dim());
    uint64_t truncated = 0;
    for (size_t i = 0; i < texts.size(); ++i) {
      std::string_view t = texts[i];
      if (!prefix.empty()) {
        buf.assign(prefix);
        buf.append(t);
        t = buf;
      }
      truncated += model_->Encode(t, out + i * dim, &ids);
    }
    stats_.texts += texts.size();
    stats_.truncated += truncated;
    return Status::OK();
  }

 private:
  std::unique_ptr<StaticModel> model_;
  std::string model_id_;
  std::string fingerprint_;
  std::string query_prefix_;
  std::string document_prefix_;
};

}  // namespace

Result<std::string> DefaultStaticModelDir() {
  const std::string name(kDefaultStaticModelName);
  std::vector<std::string> candidates;
  if (const char* env = std::getenv("CODEINDEX_MODELS_DIR"); env != nullptr && *env != '\0') {
    candidates.push_back(embed_internal::JoinPath(env, name));
  }
  char exe[4096];
  const ssize_t n = ::readlink("/proc/self/exe", exe, sizeof(exe) - 1);
  if (n > 0) {
    std::string dir(exe, static_cast<size_t>(n));
    dir.resize(dir.rfind('/') == std::string::npos ? 0 : dir.rfind('/'));
    candidates.push_back(dir + "/../share/codeindex/models/" + name);
    candidates.push_back(dir + "/models/" + name);
  }
#ifdef CODEINDEX_MODELS_DIR
  candidates.push_back(std::string(CODEINDEX_MODELS_DIR) + "/" + name);
#endif
  for (const std::string& c : candidates) {
    if (embed_internal::FileExists(embed_internal::JoinPath(c, "model.safetensors"))) return c;
  }
  std::string tried;
  for (const std::string& c : candidates) tried += (tried.empty() ? "" : ", ") + c;
  return Status::NotFound(
      fmt::format("the default embedding model {} is not installed (looked in {})", name, tried));
}

Result<std::unique_ptr<Embedder>> OpenStaticEmbedder(const EmbedderConfig& config_in) {
  EmbedderConfig config = config_in;
  if (config.model.empty()) {
    // The default model. The config keeps `model` empty (its ContentHash must not depend on
    // where the binary is installed; the fingerprint hashes the files' content).
    ASSIGN_OR_RETURN(std::string dir, DefaultStaticModelDir());
    if (config.model_id.empty())
      config.model_id = fmt::format("static:{}", kDefaultStaticModelName);
    return OpenStaticEmbedderAt(dir, config);
  }
  return OpenStaticEmbedderAt(config.model, config);
}

Result<std::unique_ptr<Embedder>> OpenStaticEmbedderAt(const std::string& dir,
                                                       const EmbedderConfig& config) {
  ASSIGN_OR_RETURN(auto model, StaticModel::Open(dir, config.max_tokens));
  if (config.dimensions != 0 && config.dimensions != model->dim()) {
    return Status::InvalidArgument(
        fmt::format("{}: the model has dimension {} but the configuration says {}", dir,
                    model->dim(), config.dimensions));
  }
  using embed_internal::JoinPath;
  ASSIGN_OR_RETURN(std::string fp, embed_internal::HashFiles(config.ContentHash(),
                                                             {JoinPath(dir, "model.safetensors"),
                                                              JoinPath(dir, "tokenizer.json"),
                                                              JoinPath(dir, "config.json")}));
  return std::unique_ptr<Embedder>(
      std::make_unique<StaticEmbedder>(std::move(model), config, std::move(fp)));
}

}  // namespace codeindex
