// The static embedding model (internal to embed; users reach it through OpenEmbedder with
// Provider::kStatic).
//
// Reads the model2vec layout: a directory with
//   model.safetensors  `embeddings` [rows, dim] in F32, F16 or I8 (model2vec's quantised
//                      tables; a global int8 scale cancels in the normalisation), optionally
//                      `weights` [vocab] (per-token weights) and `mapping` [vocab] (token id ->
//                      row, for vocabulary-quantised models)
//   tokenizer.json     the HF tokenizer (tokenizer.h)
//   config.json        optional: "max_tokens" (our extension), "min_score" (our extension: the
//                      semantic search threshold this model's cosines call for), and the
//                      fingerprint
// The table is used in place from the read-only mapping (not copied: the pages a corpus never
// touches are never loaded), unless the file misaligns it, in which case it is copied once.
//
// Encoding follows model2vec's StaticModel.encode (v0.6): the text is cut to max_tokens x the
// median token length characters, tokenized without special tokens, unknown tokens removed,
// cut to max_tokens; the vector is the mean over tokens of embeddings[mapping[id]] *
// weights[id]; then L2-normalised. No tokens -> zero vector.
//
// Thread safety: immutable after Open(); Encode() runs on any number of threads at once.
#ifndef CODEINDEX_EMBED_STATIC_MODEL_H_
#define CODEINDEX_EMBED_STATIC_MODEL_H_

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "embed/embedder.h"
#include "embed/safetensors.h"
#include "embed/tokenizer.h"

namespace codeindex {

class StaticModel {
 public:
  // `max_tokens` 0 = 512 (model2vec's default).
  static Result<std::unique_ptr<StaticModel>> Open(const std::string& dir, int max_tokens = 0);

  StaticModel(const StaticModel&) = delete;
  StaticModel& operator=(const StaticModel&) = delete;

  int dim() const { return static_cast<int>(dim_); }
  int64_t rows() const { return rows_; }
  int max_tokens() const { return max_tokens_; }
  int median_token_length() const { return median_token_length_; }
  // config.json "min_score" when it is a number in [-1, 1]; nullopt otherwise.
  std::optional<double> min_score() const { return min_score_; }
  const EmbedTokenizer& tokenizer() const { return *tokenizer_; }

  // Writes the normalised embedding of `text` to out[0..dim). `ids` is scratch (reused across
  // calls to avoid allocation). Returns true if the text was cut to max_tokens.
  bool Encode(std::string_view text, float* out, std::vector<int32_t>* ids) const;

 private:
  StaticModel() = default;

  std::optional<SafetensorsFile> file_;
  std::unique_ptr<EmbedTokenizer> tokenizer_;
  DType dtype_ = DType::kF32;
  const uint8_t* table_ = nullptr;
  std::vector<uint8_t> owned_table_;  // only when the mapping misaligns the table
  int64_t rows_ = 0;
  int64_t dim_ = 0;
  std::vector<float> weights_;    // empty = all 1
  std::vector<int32_t> mapping_;  // empty = identity
  int max_tokens_ = 512;
  int median_token_length_ = 1;
  std::optional<double> min_score_;
};

// The truncation rule of model2vec's StaticModel.encode, which the trainer (train/train.cc)
// applies too so that training sees what encoding sees: a text is cut to max_tokens x the
// median code-point length of the vocabulary's tokens (int(np.median(...))) before
// tokenising.
int MedianTokenLength(const EmbedTokenizer& tok);
// The first `chars` code points of s (Python's s[:chars]).
std::string_view CodePointPrefix(std::string_view s, size_t chars);

// The Embedder for Provider::kStatic: the model directory config.model, or the default model
// (DefaultStaticModelDir()) when config.model is empty.
Result<std::unique_ptr<Embedder>> OpenStaticEmbedder(const EmbedderConfig& config);
// The same for the model directory `dir` (config.model is not read).
Result<std::unique_ptr<Embedder>> OpenStaticEmbedderAt(const std::string& dir,
                                                       const EmbedderConfig& config);

}  // namespace codeindex

#endif  // CODEINDEX_EMBED_STATIC_MODEL_H_
