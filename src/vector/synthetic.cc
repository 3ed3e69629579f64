#include "vector/synthetic.h"

#include <cmath>
#include <random>

namespace codeindex::vec {

SyntheticVectors::SyntheticVectors(const SyntheticOptions& options) : options_(options) {
  std::mt19937_64 rng(options.seed);
  std::normal_distribution<float> normal(0.0f, 1.0f);
  centres_.resize(options.clusters * options.latent);
  for (float& c : centres_) c = normal(rng);
  projection_.resize(options.latent * options.dim);
  const float s = 1.0f / std::sqrt(static_cast<float>(options.latent));
  for (float& p : projection_) p = normal(rng) * s;
}

void SyntheticVectors::Generate(uint64_t first, size_t n, float* out) const {
  const size_t dim = options_.dim, latent = options_.latent;
  std::vector<float> z(latent);
  for (size_t i = 0; i < n; ++i) {
    const uint64_t index = first + i;
    std::mt19937_64 rng(options_.seed * 0x9e3779b97f4a7c15ULL + index * 0xbf58476d1ce4e5b9ULL);
    std::normal_distribution<float> normal(0.0f, 1.0f);
    const size_t c = static_cast<size_t>(rng() % options_.clusters);
    for (size_t t = 0; t < latent; ++t) {
      z[t] = centres_[c * latent + t] + options_.spread * normal(rng);
    }
    float* o = out + i * dim;
    for (size_t d = 0; d < dim; ++d) o[d] = options_.noise * normal(rng);
    for (size_t t = 0; t < latent; ++t) {
      const float* p = projection_.data() + t * dim;
      for (size_t d = 0; d < dim; ++d) o[d] += z[t] * p[d];
    }
    double n2 = 0;
    for (size_t d = 0; d < dim; ++d) n2 += static_cast<double>(o[d]) * o[d];
    const float inv = n2 > 0 ? static_cast<float>(1.0 / std::sqrt(n2)) : 0.0f;
    for (size_t d = 0; d < dim; ++d) o[d] *= inv;
  }
}

std::vector<float> SyntheticVectors::Generate(uint64_t first, size_t n) const {
  std::vector<float> out(n * options_.dim);
  Generate(first, n, out.data());
  return out;
}

}  // namespace codeindex::vec
