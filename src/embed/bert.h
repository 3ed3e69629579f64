// The BERT-family transformer encoder (internal to embed; users reach it through OpenEmbedder
// with Provider::kTransformer).
//
// Supported: model_type "bert" (BERT, MiniLM, BGE, E5, GTE-base and other models that are
// BERT underneath): learned absolute position embeddings, token type 0, post-LayerNorm
// encoder layers with multi-head self-attention and a GELU (erf, or tanh for gelu_new /
// gelu_pytorch_tanh) or ReLU feed-forward layer; mean or CLS pooling; L2 normalisation.
// model_type "nomic_bert" (nomic-embed-text v1 / v1.5): rotary position embeddings
// (non-interleaved), fused Wqkv, SwiGLU; sequences up to max_trained_positions (2048), so
// the dynamic NTK scaling that nomic applies beyond it is never needed.
// Not supported (refused with a clear error): nomic MoE (v2), interleaved rotary, pre-norm,
// RoBERTa/XLM-R (position offsets, BPE tokenizer), ALiBi models (jina v2).
//
// Model directory:
//   model.safetensors   HF weight names, with or without a `bert.` (or any) prefix:
//                       embeddings.{word,position,token_type}_embeddings.weight,
//                       embeddings.LayerNorm.{weight,bias} (or gamma/beta),
//                       encoder.layer.N.attention.self.{query,key,value}.{weight,bias},
//                       encoder.layer.N.attention.output.{dense,LayerNorm}.*,
//                       encoder.layer.N.{intermediate,output}.dense.*, ...output.LayerNorm.*
//                       F32, F16 or BF16 (converted to fp32 at load).
//   config.json         hidden_size, num_hidden_layers, num_attention_heads,
//                       intermediate_size, hidden_act, layer_norm_eps, max_position_embeddings
//                       (nomic_bert: n_embd, n_layer, n_head, n_inner, rotary_emb_*, *_bias,
//                       max_trained_positions; weights emb_ln.*, encoder.layers.N.attn.Wqkv,
//                       .attn.out_proj, .mlp.fc11/fc12/fc2, .norm1, .norm2)
//   tokenizer.json      or vocab.txt (+ tokenizer_config.json's do_lower_case, default true)
//   optional sentence-transformers files: 1_Pooling/config.json (pooling mode),
//                       sentence_bert_config.json (max_seq_length),
//                       config_sentence_transformers.json (prompts "query" / "document")
//
// Sequences of a batch are packed without padding: the dense layers run once over all tokens
// of up to kMaxPackedTokens, attention runs per sequence, so no compute is wasted on padding
// and no attention mask is needed.
//
// Thread safety: immutable after Open(); Encode() is reentrant. BLAS/oneDNN threads per call
// are bounded with omp_set_num_threads() on the calling thread (an OpenMP per-thread setting).
#ifndef CODEINDEX_EMBED_BERT_H_
#define CODEINDEX_EMBED_BERT_H_

#include <memory>
#include <string>
#include <vector>

#include "base/status.h"
#include "embed/embedder.h"
#include "embed/gemm.h"
#include "embed/tokenizer.h"

namespace codeindex {

struct BertConfig {
  // kBert: HF BertModel. kNomic: nomic-bert (nomic-embed-text v1/v1.5): no position
  // embeddings but rotary ones (GPT-NeoX layout) on queries and keys, a fused Wqkv, SwiGLU
  // feed-forward fc2(fc11(x) * silu(fc12(x))), optional biases, post-LayerNorm.
  enum class Arch { kBert, kNomic } arch = Arch::kBert;
  int vocab_size = 0;
  int hidden = 0;
  int layers = 0;
  int heads = 0;
  int intermediate = 0;
  int max_positions = 512;
  int type_vocab = 2;
  float layer_norm_eps = 1e-12f;
  enum class Act { kGeluErf, kGeluTanh, kRelu, kSwiGlu } act = Act::kGeluErf;
  float rotary_base = 10000.0f;  // kNomic
  int rotary_dim = 0;            // kNomic: leading dims of each head that are rotated
};

class BertModel {
 public:
  static constexpr int kMaxPackedTokens = 2048;

  struct Options {
    Pooling pooling = Pooling::kAuto;
    Precision precision = Precision::kFloat32;
    int max_tokens = 0;  // 0 = the model's
  };
  static Result<std::unique_ptr<BertModel>> Open(const std::string& dir, const Options& options);

  BertModel(const BertModel&) = delete;
  BertModel& operator=(const BertModel&) = delete;

  int hidden() const { return cfg_.hidden; }
  const BertConfig& config() const { return cfg_; }
  Pooling pooling() const { return pooling_; }
  int max_tokens() const { return max_tokens_; }
  const EmbedTokenizer& tokenizer() const { return *tokenizer_; }
  const std::string& model_query_prompt() const { return query_prompt_; }
  const std::string& model_document_prompt() const { return document_prompt_; }

  // Token ids of `text` as the encoder sees them: prefix specials, tokens cut to fit
  // max_tokens, suffix specials. Returns true if cut.
  bool Tokenize(std::string_view text, std::vector<int32_t>* ids) const;

  // Runs the encoder over token sequences and writes one pooled, normalised vector per
  // sequence to out[i * hidden()].
  Status Forward(const std::vector<std::vector<int32_t>>& seqs, float* out) const;

 private:
  struct Linear {
    std::vector<float> w;  // [out, in]; empty once quantised
    std::vector<float> b;  // [out]
    QuantizedLinear q;
    int out = 0, in = 0;
  };
  struct Layer {
    Linear q, k, v, attn_out, inter, gate, out;  // gate: SwiGLU only
    std::vector<float> ln1_g, ln1_b, ln2_g, ln2_b;
  };

  BertModel() = default;
  Status Apply(const Linear& l, const float* x, int m, float* y) const;
  Status ForwardPacked(const std::vector<const std::vector<int32_t>*>& seqs, float* out) const;

  BertConfig cfg_;
  Pooling pooling_ = Pooling::kMean;
  Precision precision_ = Precision::kFloat32;
  int max_tokens_ = 512;
  std::unique_ptr<EmbedTokenizer> tokenizer_;
  std::vector<float> word_emb_, pos_emb_, type_emb_, emb_ln_g_, emb_ln_b_;
  std::vector<float> rot_cos_, rot_sin_;  // [max_positions, rotary_dim / 2], kNomic
  std::vector<Layer> layers_;
  std::string query_prompt_, document_prompt_;
};

Result<std::unique_ptr<Embedder>> OpenBertEmbedder(const EmbedderConfig& config);

}  // namespace codeindex

#endif  // CODEINDEX_EMBED_BERT_H_
