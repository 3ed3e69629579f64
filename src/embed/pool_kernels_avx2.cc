// AVX2 + FMA + F16C versions of the pooling kernels; compiled with -mavx2 -mfma -mf16c and
// called only when the CPU has them (pool_kernels.cc).
#include <immintrin.h>

#include "embed/pool_kernels.h"

namespace codeindex::internal {

void AxpyF32Avx2(const float* row, float w, float* acc, size_t dim) {
  const __m256 vw = _mm256_set1_ps(w);
  size_t i = 0;
  for (; i + 8 <= dim; i += 8) {
    _mm256_storeu_ps(acc + i,
                     _mm256_fmadd_ps(vw, _mm256_loadu_ps(row + i), _mm256_loadu_ps(acc + i)));
  }
  for (; i < dim; ++i) acc[i] += w * row[i];
}

void AxpyF16Avx2(const uint16_t* row, float w, float* acc, size_t dim) {
  const __m256 vw = _mm256_set1_ps(w);
  size_t i = 0;
  for (; i + 8 <= dim; i += 8) {
    const __m256 x = _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(row + i)));
    _mm256_storeu_ps(acc + i, _mm256_fmadd_ps(vw, x, _mm256_loadu_ps(acc + i)));
  }
  for (; i < dim; ++i) {
    const __m128 x = _mm_cvtph_ps(_mm_cvtsi32_si128(row[i]));
    acc[i] += w * _mm_cvtss_f32(x);
  }
}

void AxpyI8Avx2(const int8_t* row, float w, float* acc, size_t dim) {
  const __m256 vw = _mm256_set1_ps(w);
  size_t i = 0;
  for (; i + 8 <= dim; i += 8) {
    const __m128i b = _mm_loadl_epi64(reinterpret_cast<const __m128i*>(row + i));
    const __m256 x = _mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(b));
    _mm256_storeu_ps(acc + i, _mm256_fmadd_ps(vw, x, _mm256_loadu_ps(acc + i)));
  }
  for (; i < dim; ++i) acc[i] += w * static_cast<float>(row[i]);
}

}  // namespace codeindex::internal
