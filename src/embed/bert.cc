#include "embed/bert.h"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "base/file.h"
#include "embed/common.h"
#include "embed/safetensors.h"

// From libgomp, the OpenMP runtime of OpenBLAS and oneDNN; declared here rather than through
// <omp.h> so that the file also builds with clang without LLVM's OpenMP headers.
extern "C" void omp_set_num_threads(int num_threads);

namespace codeindex {
namespace {

using embed_internal::FileExists;
using embed_internal::JoinPath;
using nlohmann::json;

Result<json> ReadJson(const std::string& path) {
  ASSIGN_OR_RETURN(std::string text, ReadFile(path));
  try {
    return json::parse(text);
  } catch (const json::exception& e) {
    return Status::Corruption(fmt::format("{}: not JSON ({})", path, e.what()));
  }
}

int JInt(const json& j, const char* key, int def) {
  auto it = j.find(key);
  return it != j.end() && it->is_number_integer() ? it->get<int>() : def;
}

void LayerNorm(float* x, int rows, int n, const float* g, const float* b, float eps) {
  for (int r = 0; r < rows; ++r) {
    float* v = x + static_cast<size_t>(r) * n;
    double mean = 0;
    for (int i = 0; i < n; ++i) mean += v[i];
    mean /= n;
    double var = 0;
    for (int i = 0; i < n; ++i) var += (v[i] - mean) * (v[i] - mean);
    var /= n;
    const double inv = 1.0 / std::sqrt(var + eps);
    for (int i = 0; i < n; ++i) {
      v[i] = static_cast<float>((v[i] - mean) * inv) * g[i] + b[i];
    }
  }
}

void Activate(BertConfig::Act act, float* x, size_t n) {
  switch (act) {
    case BertConfig::Act::kGeluErf:
      for (size_t i = 0; i < n; ++i) x[i] = 0.5f * x[i] * (1.0f + std::erf(x[i] * 0.70710678f));
      return;
    case BertConfig::Act::kGeluTanh:
      for (size_t i = 0; i < n; ++i) {
        const float v = x[i];
        x[i] = 0.5f * v * (1.0f + std::tanh(0.7978845608f * (v + 0.044715f * v * v * v)));
      }
      return;
    case BertConfig::Act::kRelu:
      for (size_t i = 0; i < n; ++i) x[i] = std::max(0.0f, x[i]);
      return;
    case BertConfig::Act::kSwiGlu:  // needs the gate: handled in the forward pass
      return;
  }
}

class WeightReader {
 public:
  WeightReader(const SafetensorsFile& f, std::string prefix) : f_(f), prefix_(std::move(prefix)) {}

  // Reads `name` (or its `alt` spelling) and checks its element count.
  Result<std::vector<float>> Get(const std::string& name, int64_t numel,
                                 const std::string& alt = "") const {
    const TensorView* t = f_.Find(prefix_ + name);
    if (t == nullptr && !alt.empty()) t = f_.Find(prefix_ + alt);
    if (t == nullptr) {
      return Status::Corruption(fmt::format("{}: missing tensor {}{}", f_.path(), prefix_, name));
    }
    if (t->numel() != numel) {
      return Status::Corruption(fmt::format("{}: tensor {} has {} values, expected {}", f_.path(),
                                            t->name, t->numel(), numel));
    }
    if (t->dtype != DType::kF32 && t->dtype != DType::kF16 && t->dtype != DType::kBF16) {
      return Status::Corruption(
          fmt::format("{}: tensor {} has dtype {}", f_.path(), t->name, DTypeName(t->dtype)));
    }
    return t->ToFloat();
  }

 private:
  const SafetensorsFile& f_;
  std::string prefix_;
};

}  // namespace

Result<std::unique_ptr<BertModel>> BertModel::Open(const std::string& dir, const Options& options) {
  auto m = std::unique_ptr<BertModel>(new BertModel());
  const std::string config_path = JoinPath(dir, "config.json");
  if (!FileExists(config_path)) {
    return Status::NotFound(
        fmt::format("{}: no config.json (a transformer model directory needs "
                    "config.json, model.safetensors and tokenizer.json or "
                    "vocab.txt)",
                    dir));
  }
  ASSIGN_OR_RETURN(json cj, ReadJson(config_path));
  if (!cj.is_object()) return Status::Corruption(fmt::format("{}: not an object", config_path));
  const std::string type = cj.value("model_type", std::string("bert"));
  BertConfig& c = m->cfg_;
  auto unsupported = [&](std::string_view what) {
    return Status::Usage(fmt::format("{}: {} is not supported", config_path, what));
  };
  bool qkv_bias = true, fc1_bias = true, fc2_bias = true;
  if (type == "bert") {
    c.arch = BertConfig::Arch::kBert;
    c.vocab_size = JInt(cj, "vocab_size", 0);
    c.hidden = JInt(cj, "hidden_size", 0);
    c.layers = JInt(cj, "num_hidden_layers", 0);
    c.heads = JInt(cj, "num_attention_heads", 0);
    c.intermediate = JInt(cj, "intermediate_size", 4 * c.hidden);
    c.max_positions = JInt(cj, "max_position_embeddings", 512);
    c.type_vocab = JInt(cj, "type_vocab_size", 2);
    if (cj.contains("layer_norm_eps") && cj["layer_norm_eps"].is_number()) {
      c.layer_norm_eps = cj["layer_norm_eps"].get<float>();
    }
    const std::string act = cj.value("hidden_act", std::string("gelu"));
    if (act == "gelu") {
      c.act = BertConfig::Act::kGeluErf;
    } else if (act == "gelu_new" || act == "gelu_pytorch_tanh" || act == "gelu_fast") {
      c.act = BertConfig::Act::kGeluTanh;
    } else if (act == "relu") {
      c.act = BertConfig::Act::kRelu;
    } else {
      return unsupported(fmt::format("hidden_act \"{}\"", act));
    }
    if (cj.value("position_embedding_type", std::string("absolute")) != "absolute") {
      return unsupported("a position_embedding_type other than absolute");
    }
  } else if (type == "nomic_bert") {
    c.arch = BertConfig::Arch::kNomic;
    c.vocab_size = JInt(cj, "vocab_size", 0);
    c.hidden = JInt(cj, "n_embd", 0);
    c.layers = JInt(cj, "n_layer", 0);
    c.heads = JInt(cj, "n_head", 0);
    c.intermediate = JInt(cj, "n_inner", 4 * c.hidden);
    c.max_positions = JInt(cj, "max_trained_positions", JInt(cj, "n_positions", 2048));
    c.type_vocab = JInt(cj, "type_vocab_size", 2);
    if (cj.contains("layer_norm_epsilon") && cj["layer_norm_epsilon"].is_number()) {
      c.layer_norm_eps = cj["layer_norm_epsilon"].get<float>();
    }
    if (cj.value("activation_function", std::string("swiglu")) != "swiglu") {
      return unsupported("a nomic_bert activation other than swiglu");
    }
    c.act = BertConfig::Act::kSwiGlu;
    if (cj.value("prenorm", false)) return unsupported("a pre-norm nomic_bert");
    if (cj.value("rotary_emb_interleaved", false)) return unsupported("interleaved rotary");
    if (cj.contains("moe_every_n_layers") && cj["moe_every_n_layers"].is_number() &&
        cj["moe_every_n_layers"].get<int>() > 0) {
      return unsupported("a mixture-of-experts nomic_bert");
    }
    if (cj.contains("rotary_emb_base") && cj["rotary_emb_base"].is_number()) {
      c.rotary_base = cj["rotary_emb_base"].get<float>();
    }
    double fraction = 1.0;
    if (cj.contains("rotary_emb_fraction") && cj["rotary_emb_fraction"].is_number()) {
      fraction = cj["rotary_emb_fraction"].get<double>();
    }
    if (c.heads > 0 && c.hidden % c.heads == 0) {
      c.rotary_dim = static_cast<int>(fraction * (c.hidden / c.heads));
      c.rotary_dim -= c.rotary_dim % 2;
    }
    qkv_bias = cj.value("qkv_proj_bias", true);
    fc1_bias = cj.value("mlp_fc1_bias", true);
    fc2_bias = cj.value("mlp_fc2_bias", true);
  } else {
    return Status::Usage(fmt::format(
        "{}: model_type \"{}\" is not supported (supported: bert and BERT-based models such as "
        "MiniLM, BGE, E5; nomic_bert)",
        config_path, type));
  }
  if (c.vocab_size <= 0 || c.hidden <= 0 || c.layers <= 0 || c.heads <= 0 ||
      c.hidden % c.heads != 0 || c.intermediate <= 0 || c.max_positions <= 0 || c.type_vocab <= 0 ||
      c.hidden > 16384 || c.layers > 256 || c.intermediate > 65536 || c.max_positions > 65536 ||
      c.rotary_dim < 0 || c.rotary_dim > c.hidden / c.heads) {
    return Status::Corruption(fmt::format("{}: inconsistent model dimensions", config_path));
  }

  // EmbedTokenizer.
  if (FileExists(JoinPath(dir, "tokenizer.json"))) {
    ASSIGN_OR_RETURN(m->tokenizer_, LoadTokenizerFile(JoinPath(dir, "tokenizer.json")));
  } else if (FileExists(JoinPath(dir, "vocab.txt"))) {
    bool lower = true;
    if (FileExists(JoinPath(dir, "tokenizer_config.json"))) {
      ASSIGN_OR_RETURN(json tc, ReadJson(JoinPath(dir, "tokenizer_config.json")));
      if (tc.is_object() && tc.contains("do_lower_case") && tc["do_lower_case"].is_boolean()) {
        lower = tc["do_lower_case"].get<bool>();
      }
    }
    ASSIGN_OR_RETURN(m->tokenizer_, LoadVocabTxt(JoinPath(dir, "vocab.txt"), lower));
  } else {
    return Status::NotFound(fmt::format("{}: no tokenizer.json or vocab.txt", dir));
  }
  if (m->tokenizer_->vocab_size() > c.vocab_size) {
    return Status::Corruption(fmt::format("{}: tokenizer has {} tokens, the model {}", dir,
                                          m->tokenizer_->vocab_size(), c.vocab_size));
  }

  // Pooling, sequence length, prompts (sentence-transformers files, all optional).
  Pooling pooling = options.pooling;
  if (pooling == Pooling::kAuto) {
    pooling = Pooling::kMean;
    const std::string pool_path = JoinPath(dir, "1_Pooling/config.json");
    if (FileExists(pool_path)) {
      ASSIGN_OR_RETURN(json pj, ReadJson(pool_path));
      if (pj.is_object() && pj.value("pooling_mode_cls_token", false)) pooling = Pooling::kCls;
    }
  }
  m->pooling_ = pooling;
  int max_tokens = std::min(512, c.max_positions);
  const std::string sb_path = JoinPath(dir, "sentence_bert_config.json");
  if (FileExists(sb_path)) {
    ASSIGN_OR_RETURN(json sj, ReadJson(sb_path));
    if (sj.is_object()) max_tokens = JInt(sj, "max_seq_length", max_tokens);
  }
  if (options.max_tokens > 0) max_tokens = options.max_tokens;
  m->max_tokens_ = std::clamp(max_tokens, 3, c.max_positions);
  const std::string st_path = JoinPath(dir, "config_sentence_transformers.json");
  if (FileExists(st_path)) {
    ASSIGN_OR_RETURN(json sj, ReadJson(st_path));
    if (sj.is_object() && sj.contains("prompts") && sj["prompts"].is_object()) {
      const json& p = sj["prompts"];
      if (p.contains("query") && p["query"].is_string()) m->query_prompt_ = p["query"];
      for (const char* k : {"document", "passage"}) {
        if (p.contains(k) && p[k].is_string()) m->document_prompt_ = p[k];
      }
    }
  }

  // Weights.
  ASSIGN_OR_RETURN(SafetensorsFile st, SafetensorsFile::Open(JoinPath(dir, "model.safetensors")));
  std::string prefix;
  {
    constexpr std::string_view kAnchor = "embeddings.word_embeddings.weight";
    bool found = false;
    for (const auto& [name, t] : st.tensors()) {
      if (name.ends_with(kAnchor)) {
        prefix = name.substr(0, name.size() - kAnchor.size());
        found = true;
        break;
      }
    }
    if (!found) {
      return Status::Corruption(
          fmt::format("{}/model.safetensors: no embeddings.word_embeddings.weight", dir));
    }
  }
  WeightReader r(st, prefix);
  const int64_t H = c.hidden, I = c.intermediate;
  const bool nomic = c.arch == BertConfig::Arch::kNomic;
  ASSIGN_OR_RETURN(m->word_emb_, r.Get("embeddings.word_embeddings.weight", c.vocab_size * H));
  if (!nomic) {
    ASSIGN_OR_RETURN(m->pos_emb_,
                     r.Get("embeddings.position_embeddings.weight", c.max_positions * H));
  }
  ASSIGN_OR_RETURN(m->type_emb_,
                   r.Get("embeddings.token_type_embeddings.weight", c.type_vocab * H));
  const std::string ln = nomic ? "emb_ln" : "embeddings.LayerNorm";
  ASSIGN_OR_RETURN(m->emb_ln_g_, r.Get(ln + ".weight", H, ln + ".gamma"));
  ASSIGN_OR_RETURN(m->emb_ln_b_, r.Get(ln + ".bias", H, ln + ".beta"));
  m->precision_ = options.precision;
  auto finish = [&](Linear* l) {
    if (options.precision == Precision::kInt8) {
      l->q = QuantizeLinear(l->w.data(), l->out, l->in);
      l->w.clear();
      l->w.shrink_to_fit();
    }
  };
  auto linear = [&](const std::string& name, int out, int in, bool bias = true) -> Result<Linear> {
    Linear l;
    l.out = out;
    l.in = in;
    ASSIGN_OR_RETURN(l.w, r.Get(name + ".weight", int64_t{out} * in));
    if (bias) {
      ASSIGN_OR_RETURN(l.b, r.Get(name + ".bias", out));
    }
    finish(&l);
    return l;
  };
  for (int i = 0; i < c.layers; ++i) {
    Layer L;
    if (nomic) {
      const std::string p = fmt::format("encoder.layers.{}.", i);
      // Wqkv is [3H, H]: rows [0, H) are the query projection, then key, then value.
      ASSIGN_OR_RETURN(std::vector<float> wqkv, r.Get(p + "attn.Wqkv.weight", 3 * H * H));
      std::vector<float> bqkv;
      if (qkv_bias) {
        ASSIGN_OR_RETURN(bqkv, r.Get(p + "attn.Wqkv.bias", 3 * H));
      }
      Linear* parts[3] = {&L.q, &L.k, &L.v};
      for (int k = 0; k < 3; ++k) {
        parts[k]->out = static_cast<int>(H);
        parts[k]->in = static_cast<int>(H);
        parts[k]->w.assign(wqkv.begin() + k * H * H, wqkv.begin() + (k + 1) * H * H);
        if (qkv_bias) parts[k]->b.assign(bqkv.begin() + k * H, bqkv.begin() + (k + 1) * H);
        finish(parts[k]);
      }
      ASSIGN_OR_RETURN(L.attn_out, linear(p + "attn.out_proj", H, H, qkv_bias));
      ASSIGN_OR_RETURN(L.inter, linear(p + "mlp.fc11", I, H, fc1_bias));
      ASSIGN_OR_RETURN(L.gate, linear(p + "mlp.fc12", I, H, fc1_bias));
      ASSIGN_OR_RETURN(L.out, linear(p + "mlp.fc2", H, I, fc2_bias));
      ASSIGN_OR_RETURN(L.ln1_g, r.Get(p + "norm1.weight", H));
      ASSIGN_OR_RETURN(L.ln1_b, r.Get(p + "norm1.bias", H));
      ASSIGN_OR_RETURN(L.ln2_g, r.Get(p + "norm2.weight", H));
      ASSIGN_OR_RETURN(L.ln2_b, r.Get(p + "norm2.bias", H));
      m->layers_.push_back(std::move(L));
      continue;
    }
    const std::string p = fmt::format("encoder.layer.{}.", i);
    ASSIGN_OR_RETURN(L.q, linear(p + "attention.self.query", H, H));
    ASSIGN_OR_RETURN(L.k, linear(p + "attention.self.key", H, H));
    ASSIGN_OR_RETURN(L.v, linear(p + "attention.self.value", H, H));
    ASSIGN_OR_RETURN(L.attn_out, linear(p + "attention.output.dense", H, H));
    ASSIGN_OR_RETURN(L.inter, linear(p + "intermediate.dense", I, H));
    ASSIGN_OR_RETURN(L.out, linear(p + "output.dense", H, I));
    ASSIGN_OR_RETURN(L.ln1_g, r.Get(p + "attention.output.LayerNorm.weight", H,
                                    p + "attention.output.LayerNorm.gamma"));
    ASSIGN_OR_RETURN(L.ln1_b, r.Get(p + "attention.output.LayerNorm.bias", H,
                                    p + "attention.output.LayerNorm.beta"));
    ASSIGN_OR_RETURN(L.ln2_g,
                     r.Get(p + "output.LayerNorm.weight", H, p + "output.LayerNorm.gamma"));
    ASSIGN_OR_RETURN(L.ln2_b, r.Get(p + "output.LayerNorm.bias", H, p + "output.LayerNorm.beta"));
    m->layers_.push_back(std::move(L));
  }
  if (nomic && c.rotary_dim > 0) {
    // GPT-NeoX rotary tables: angle(t, i) = t * base^(-2i / rotary_dim), i < rotary_dim / 2.
    const int half = c.rotary_dim / 2;
    m->rot_cos_.resize(static_cast<size_t>(c.max_positions) * half);
    m->rot_sin_.resize(m->rot_cos_.size());
    for (int t = 0; t < c.max_positions; ++t) {
      for (int i = 0; i < half; ++i) {
        const double inv = std::pow(static_cast<double>(c.rotary_base), -2.0 * i / c.rotary_dim);
        const double a = t * inv;
        m->rot_cos_[static_cast<size_t>(t) * half + i] = static_cast<float>(std::cos(a));
        m->rot_sin_[static_cast<size_t>(t) * half + i] = static_cast<float>(std::sin(a));
      }
    }
  }
  return m;
}

bool BertModel::Tokenize(std::string_view text, std::vector<int32_t>* ids) const {
  ids->clear();
  const auto& pre = tokenizer_->prefix_ids();
  const auto& suf = tokenizer_->suffix_ids();
  ids->insert(ids->end(), pre.begin(), pre.end());
  tokenizer_->Encode(text, ids);
  const size_t budget = static_cast<size_t>(max_tokens_) -
                        std::min<size_t>(static_cast<size_t>(max_tokens_) - 1, suf.size());
  const bool cut = ids->size() > budget;
  if (cut) ids->resize(budget);
  ids->insert(ids->end(), suf.begin(), suf.end());
  for (int32_t& id : *ids) {
    if (id < 0 || id >= cfg_.vocab_size) id = tokenizer_->unk_id().value_or(0);
  }
  return cut;
}

Status BertModel::Apply(const Linear& l, const float* x, int m, float* y) const {
  const float* bias = l.b.empty() ? nullptr : l.b.data();
  if (precision_ == Precision::kInt8) return LinearI8(x, m, l.q, bias, y);
  LinearF32(x, m, l.in, l.w.data(), bias, l.out, y);
  return Status::OK();
}

Status BertModel::Forward(const std::vector<std::vector<int32_t>>& seqs, float* out) const {
  for (const auto& seq : seqs) {
    if (seq.size() > static_cast<size_t>(cfg_.max_positions)) {
      return Status::InvalidArgument("transformer: sequence longer than max_position_embeddings");
    }
    for (int32_t id : seq) {
      if (id < 0 || id >= cfg_.vocab_size) {
        return Status::InvalidArgument("transformer: token id outside the vocabulary");
      }
    }
  }
  std::vector<const std::vector<int32_t>*> group;
  size_t tokens = 0, done = 0;
  for (size_t i = 0; i < seqs.size(); ++i) {
    if (!group.empty() && tokens + seqs[i].size() > kMaxPackedTokens) {
      RETURN_IF_ERROR(ForwardPacked(group, out + done * cfg_.hidden));
      done += group.size();
      group.clear();
      tokens = 0;
    }
    group.push_back(&seqs[i]);
    tokens += seqs[i].size();
  }
  if (!group.empty()) RETURN_IF_ERROR(ForwardPacked(group, out + done * cfg_.hidden));
  return Status::OK();
}

Status BertModel::ForwardPacked(const std::vector<const std::vector<int32_t>*>& seqs,
                                float* out) const {
  const int H = cfg_.hidden, I = cfg_.intermediate, nh = cfg_.heads, hd = H / nh;
  std::vector<int> offset(seqs.size() + 1, 0);
  for (size_t s = 0; s < seqs.size(); ++s) {
    offset[s + 1] = offset[s] + static_cast<int>(seqs[s]->size());
  }
  const int T = offset.back();
  if (T == 0) {
    std::fill(out, out + seqs.size() * H, 0.0f);
    return Status::OK();
  }
  std::vector<float> x(static_cast<size_t>(T) * H);
  for (size_t s = 0; s < seqs.size(); ++s) {
    for (int t = 0; t < static_cast<int>(seqs[s]->size()); ++t) {
      const int id = (*seqs[s])[t];
      float* row = x.data() + static_cast<size_t>(offset[s] + t) * H;
      const float* w = word_emb_.data() + static_cast<size_t>(id) * H;
      const float* ty = type_emb_.data();
      for (int i = 0; i < H; ++i) row[i] = w[i] + ty[i];
      if (!pos_emb_.empty()) {
        const float* p = pos_emb_.data() + static_cast<size_t>(t) * H;
        for (int i = 0; i < H; ++i) row[i] += p[i];
      }
    }
  }
  LayerNorm(x.data(), T, H, emb_ln_g_.data(), emb_ln_b_.data(), cfg_.layer_norm_eps);

  std::vector<float> q(static_cast<size_t>(T) * H), k(q.size()), v(q.size()), ctx(q.size()),
      tmp(q.size()), inter(static_cast<size_t>(T) * I), gate, scores;
  const float scale = 1.0f / std::sqrt(static_cast<float>(hd));
  for (const Layer& L : layers_) {
    RETURN_IF_ERROR(Apply(L.q, x.data(), T, q.data()));
    RETURN_IF_ERROR(Apply(L.k, x.data(), T, k.data()));
    RETURN_IF_ERROR(Apply(L.v, x.data(), T, v.data()));
    if (!rot_cos_.empty()) {
      const int half = cfg_.rotary_dim / 2;
      for (size_t s = 0; s < seqs.size(); ++s) {
        for (int t = 0; t < offset[s + 1] - offset[s]; ++t) {
          const float* cs = rot_cos_.data() + static_cast<size_t>(t) * half;
          const float* sn = rot_sin_.data() + static_cast<size_t>(t) * half;
          for (float* mat : {q.data(), k.data()}) {
            float* row = mat + static_cast<size_t>(offset[s] + t) * H;
            for (int h = 0; h < nh; ++h) {
              float* x1 = row + h * hd;
              float* x2 = x1 + half;
              for (int i = 0; i < half; ++i) {
                const float a = x1[i], b = x2[i];
                x1[i] = a * cs[i] - b * sn[i];
                x2[i] = b * cs[i] + a * sn[i];
              }
            }
          }
        }
      }
    }
    for (size_t s = 0; s < seqs.size(); ++s) {
      const int n = offset[s + 1] - offset[s];
      if (n == 0) continue;
      scores.resize(static_cast<size_t>(n) * n);
      const size_t base = static_cast<size_t>(offset[s]) * H;
      for (int h = 0; h < nh; ++h) {
        GemmF32(/*trans_b=*/true, n, n, hd, scale, q.data() + base + h * hd, H,
                k.data() + base + h * hd, H, 0.0f, scores.data(), n);
        for (int i = 0; i < n; ++i) {
          float* row = scores.data() + static_cast<size_t>(i) * n;
          const float mx = *std::max_element(row, row + n);
          float sum = 0;
          for (int j = 0; j < n; ++j) {
            row[j] = std::exp(row[j] - mx);
            sum += row[j];
          }
          const float inv = 1.0f / sum;
          for (int j = 0; j < n; ++j) row[j] *= inv;
        }
        GemmF32(/*trans_b=*/false, n, hd, n, 1.0f, scores.data(), n, v.data() + base + h * hd, H,
                0.0f, ctx.data() + base + h * hd, H);
      }
    }
    RETURN_IF_ERROR(Apply(L.attn_out, ctx.data(), T, tmp.data()));
    for (size_t i = 0; i < tmp.size(); ++i) tmp[i] += x[i];
    LayerNorm(tmp.data(), T, H, L.ln1_g.data(), L.ln1_b.data(), cfg_.layer_norm_eps);
    RETURN_IF_ERROR(Apply(L.inter, tmp.data(), T, inter.data()));
    if (cfg_.act == BertConfig::Act::kSwiGlu) {
      gate.resize(inter.size());
      RETURN_IF_ERROR(Apply(L.gate, tmp.data(), T, gate.data()));
      for (size_t i = 0; i < inter.size(); ++i) {
        inter[i] *= gate[i] / (1.0f + std::exp(-gate[i]));  // fc11(x) * silu(fc12(x))
      }
    } else {
      Activate(cfg_.act, inter.data(), inter.size());
    }
    RETURN_IF_ERROR(Apply(L.out, inter.data(), T, x.data()));
    for (size_t i = 0; i < x.size(); ++i) x[i] += tmp[i];
    LayerNorm(x.data(), T, H, L.ln2_g.data(), L.ln2_b.data(), cfg_.layer_norm_eps);
  }

  for (size_t s = 0; s < seqs.size(); ++s) {
    float* o = out + s * H;
    const int n = offset[s + 1] - offset[s];
    std::fill(o, o + H, 0.0f);
    if (n == 0) continue;
    if (pooling_ == Pooling::kCls) {
      std::copy_n(x.data() + static_cast<size_t>(offset[s]) * H, H, o);
    } else {
      for (int t = 0; t < n; ++t) {
        const float* row = x.data() + static_cast<size_t>(offset[s] + t) * H;
        for (int i = 0; i < H; ++i) o[i] += row[i];
      }
      for (int i = 0; i < H; ++i) o[i] /= static_cast<float>(n);
    }
    NormalizeL2(o, H);
  }
  return Status::OK();
}

namespace {

class BertEmbedder final : public Embedder {
 public:
  BertEmbedder(std::unique_ptr<BertModel> model, const EmbedderConfig& config, std::string fp)
      : model_(std::move(model)),
        model_id_(embed_internal::LocalModelId("transformer", config)),
        fingerprint_(std::move(fp)),
        query_prefix_(config.query_prefix.value_or(model_->model_query_prompt())),
        document_prefix_(config.document_prefix.value_or(model_->model_document_prompt())),
        threads_(std::max(1, config.threads)) {}

  int dimension() const override { return model_->hidden(); }
  std::string model_id() const override { return model_id_; }
  std::string fingerprint() const override { return fingerprint_; }

  Status Embed(std::span<const std::string_view> texts, EmbedKind kind, float* out) const override {
    omp_set_num_threads(threads_);  // per calling thread: bounds OpenBLAS and oneDNN
    const std::string& prefix = kind == EmbedKind::kQuery ? query_prefix_ : document_prefix_;
    std::vector<std::vector<int32_t>> seqs(texts.size());
    std::string buf;
    uint64_t cut = 0;
    for (size_t i = 0; i < texts.size(); ++i) {
      std::string_view t = texts[i];
      if (!prefix.empty()) {
        buf = prefix;
        buf.append(t);
        t = buf;
      }
      cut += model_->Tokenize(t, &seqs[i]);
    }
    RETURN_IF_ERROR(model_->Forward(seqs, out));
    stats_.texts += texts.size();
    stats_.truncated += cut;
    return Status::OK();
  }

 private:
  std::unique_ptr<BertModel> model_;
  std::string model_id_;
  std::string fingerprint_;
  std::string query_prefix_;
  std::string document_prefix_;
  int threads_;
};

}  // namespace

Result<std::unique_ptr<Embedder>> OpenBertEmbedder(const EmbedderConfig& config) {
  if (config.model.empty()) {
    return Status::InvalidArgument("transformer embedder: no model directory given");
  }
  BertModel::Options o;
  o.pooling = config.pooling;
  o.precision = config.precision;
  o.max_tokens = config.max_tokens;
  ASSIGN_OR_RETURN(auto model, BertModel::Open(config.model, o));
  if (config.dimensions != 0 && config.dimensions != model->hidden()) {
    return Status::InvalidArgument(
        fmt::format("{}: the model has dimension {} but the configuration says {}", config.model,
                    model->hidden(), config.dimensions));
  }
  std::vector<std::string> files;
  for (const char* f : {"model.safetensors", "config.json", "tokenizer.json", "vocab.txt",
                        "tokenizer_config.json", "1_Pooling/config.json",
                        "sentence_bert_config.json", "config_sentence_transformers.json"}) {
    files.push_back(JoinPath(config.model, f));
  }
  ASSIGN_OR_RETURN(std::string fp, embed_internal::HashFiles(config.ContentHash(), files));
  return std::unique_ptr<Embedder>(
      std::make_unique<BertEmbedder>(std::move(model), config, std::move(fp)));
}

}  // namespace codeindex
