// Test helpers for embed (tests, benchmark, fuzzer): temporary directories and a tiny
// model2vec-layout static model written on the fly.
#ifndef CODEINDEX_EMBED_TESTING_H_
#define CODEINDEX_EMBED_TESTING_H_

#include <cstdint>
#include <string>
#include <vector>

#include "base/status.h"
#include "embed/safetensors.h"

namespace codeindex::testing {

// A fresh directory under $TMPDIR (or /tmp), removed by RemoveTree.
std::string MakeTempDir(const std::string& name);
void RemoveTree(const std::string& path);

// A WordPiece tokenizer.json (BertNormalizer lowercase, BertPreTokenizer, [CLS]/[SEP]
// template) over `vocab` (id = position).
std::string WordPieceTokenizerJson(const std::vector<std::string>& vocab);

// The vocabulary of the tiny static model: specials, letters, common code words and pieces.
std::vector<std::string> TinyVocab();

struct TinyStaticModel {
  int dim = 16;
  DType dtype = DType::kF32;  // F32, F16 or I8
  bool with_weights = false;  // add a `weights` tensor (token i -> 1 + i % 3)
  uint32_t seed = 1;
  // Integer-valued embeddings (exact sums in any order) when true.
  bool integer_values = false;
};
// Writes model.safetensors, tokenizer.json and config.json into `dir`; returns the table as
// float (row-major [vocab, dim]) for reference computations.
Result<std::vector<float>> WriteTinyStaticModel(const std::string& dir, const TinyStaticModel& m);

}  // namespace codeindex::testing

#endif  // CODEINDEX_EMBED_TESTING_H_
