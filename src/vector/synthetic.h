// Seeded synthetic embeddings for tests and benchmarks: a stand-in for real embeddings with
// the structure that makes approximate search meaningful (clusters: on uniform random
// vectors every approximate index is equally poor).
//
// `clusters` centres in a `latent`-dimensional space (standard normal), points = centre +
// N(0, spread^2) in latent space, projected to `dim` dimensions by a fixed Gaussian matrix,
// plus N(0, noise^2) per output dimension, then L2-normalised. Vector i depends only on
// (seed, i), so any range can be regenerated without holding the rest: a 1M x 384 set is
// generated batch by batch.
//
// Thread safety: Generate() is const and may be called from several threads.
#ifndef CODEINDEX_VECTOR_SYNTHETIC_H_
#define CODEINDEX_VECTOR_SYNTHETIC_H_

#include <cstddef>
#include <cstdint>
#include <vector>

namespace codeindex::vec {

struct SyntheticOptions {
  size_t dim = 384;
  size_t latent = 48;
  size_t clusters = 1000;
  float spread = 0.6f;
  float noise = 0.08f;
  uint64_t seed = 7;
};

class SyntheticVectors {
 public:
  explicit SyntheticVectors(const SyntheticOptions& options);
  size_t dim() const { return options_.dim; }
  // Writes vectors [first, first + n) into out (n x dim floats). Queries use a disjoint
  // index range (e.g. from 1 << 40) so they are held out from the base set.
  void Generate(uint64_t first, size_t n, float* out) const;
  std::vector<float> Generate(uint64_t first, size_t n) const;

 private:
  SyntheticOptions options_;
  std::vector<float> centres_;     // clusters x latent
  std::vector<float> projection_;  // latent x dim
};

}  // namespace codeindex::vec

#endif  // CODEINDEX_VECTOR_SYNTHETIC_H_
