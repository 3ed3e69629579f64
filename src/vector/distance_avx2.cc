// AVX2 + FMA + F16C kernels. This is the only file compiled with those instructions enabled
// (see CMakeLists.txt); distance.cc calls into it only after checking the CPU.
#include <immintrin.h>

#include "vector/distance.h"

namespace codeindex::vec {
namespace {

inline float HorizontalSum(__m256 v) {
  __m128 lo = _mm256_castps256_ps128(v);
  __m128 hi = _mm256_extractf128_ps(v, 1);
  lo = _mm_add_ps(lo, hi);
  lo = _mm_add_ps(lo, _mm_movehl_ps(lo, lo));
  lo = _mm_add_ss(lo, _mm_movehdup_ps(lo));
  return _mm_cvtss_f32(lo);
}

float DotF32Avx2(const float* a, const float* b, size_t dim) {
  __m256 s0 = _mm256_setzero_ps(), s1 = _mm256_setzero_ps();
  __m256 s2 = _mm256_setzero_ps(), s3 = _mm256_setzero_ps();
  size_t i = 0;
  for (; i + 32 <= dim; i += 32) {
    s0 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i), s0);
    s1 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i + 8), _mm256_loadu_ps(b + i + 8), s1);
    s2 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i + 16), _mm256_loadu_ps(b + i + 16), s2);
    s3 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i + 24), _mm256_loadu_ps(b + i + 24), s3);
  }
  for (; i + 8 <= dim; i += 8) {
    s0 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i), s0);
  }
  float s = HorizontalSum(_mm256_add_ps(_mm256_add_ps(s0, s1), _mm256_add_ps(s2, s3)));
  for (; i < dim; ++i) s += a[i] * b[i];
  return s;
}

inline __m256 LoadI8AsF32(const int8_t* p) {
  const __m128i bytes = _mm_loadl_epi64(reinterpret_cast<const __m128i*>(p));
  return _mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(bytes));
}

float DotF32I8Avx2(const float* a, const int8_t* b, size_t dim) {
  __m256 s0 = _mm256_setzero_ps(), s1 = _mm256_setzero_ps();
  __m256 s2 = _mm256_setzero_ps(), s3 = _mm256_setzero_ps();
  size_t i = 0;
  for (; i + 32 <= dim; i += 32) {
    s0 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i), LoadI8AsF32(b + i), s0);
    s1 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i + 8), LoadI8AsF32(b + i + 8), s1);
    s2 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i + 16), LoadI8AsF32(b + i + 16), s2);
    s3 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i + 24), LoadI8AsF32(b + i + 24), s3);
  }
  for (; i + 8 <= dim; i += 8) {
    s0 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i), LoadI8AsF32(b + i), s0);
  }
  float s = HorizontalSum(_mm256_add_ps(_mm256_add_ps(s0, s1), _mm256_add_ps(s2, s3)));
  for (; i < dim; ++i) s += a[i] * static_cast<float>(b[i]);
  return s;
}

inline __m256 LoadF16AsF32(const uint16_t* p) {
  return _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p)));
}

float DotF32F16Avx2(const float* a, const uint16_t* b, size_t dim) {
  __m256 s0 = _mm256_setzero_ps(), s1 = _mm256_setzero_ps();
  size_t i = 0;
  for (; i + 16 <= dim; i += 16) {
    s0 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i), LoadF16AsF32(b + i), s0);
    s1 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i + 8), LoadF16AsF32(b + i + 8), s1);
  }
  for (; i + 8 <= dim; i += 8) {
    s0 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i), LoadF16AsF32(b + i), s0);
  }
  float s = HorizontalSum(_mm256_add_ps(s0, s1));
  for (; i < dim; ++i) s += a[i] * HalfToFloat(b[i]);
  return s;
}

// One 256-bit register covers two sub-quantisers (one per 128-bit lane, as vpshufb works per
// lane) of all 32 vectors: low nibbles are vectors 0..15, high nibbles 16..31. Byte sums go
// into 16-bit lanes; a lane of `even` accumulates b[2w] + 256 * b[2w+1] and `odd` b[2w+1], so
// even - (odd << 8) is the sum of the even bytes (exact modulo 2^16, see the REQUIRES).
void Pq4ScanBlocksAvx2(const uint8_t* codes, size_t num_blocks, const uint8_t* lut,
                       size_t num_pairs, uint16_t* out) {
  const __m256i nibble = _mm256_set1_epi8(0x0f);
  for (size_t b = 0; b < num_blocks; ++b) {
    const uint8_t* block = codes + b * num_pairs * 32;
    __m256i lo_even = _mm256_setzero_si256(), lo_odd = _mm256_setzero_si256();
    __m256i hi_even = _mm256_setzero_si256(), hi_odd = _mm256_setzero_si256();
    for (size_t p = 0; p < num_pairs; ++p) {
      const __m256i c = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(block + p * 32));
      const __m256i t = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(lut + p * 32));
      const __m256i r_lo = _mm256_shuffle_epi8(t, _mm256_and_si256(c, nibble));
      const __m256i r_hi =
          _mm256_shuffle_epi8(t, _mm256_and_si256(_mm256_srli_epi16(c, 4), nibble));
      lo_even = _mm256_add_epi16(lo_even, r_lo);
      lo_odd = _mm256_add_epi16(lo_odd, _mm256_srli_epi16(r_lo, 8));
      hi_even = _mm256_add_epi16(hi_even, r_hi);
      hi_odd = _mm256_add_epi16(hi_odd, _mm256_srli_epi16(r_hi, 8));
    }
    lo_even = _mm256_sub_epi16(lo_even, _mm256_slli_epi16(lo_odd, 8));
    hi_even = _mm256_sub_epi16(hi_even, _mm256_slli_epi16(hi_odd, 8));
    // Lane 0 holds sub-quantiser 2p, lane 1 sub-quantiser 2p+1: add them.
    const __m128i e0 = _mm_add_epi16(_mm256_castsi256_si128(lo_even),
                                     _mm256_extracti128_si256(lo_even, 1));  // vectors 0,2..14
    const __m128i o0 = _mm_add_epi16(_mm256_castsi256_si128(lo_odd),
                                     _mm256_extracti128_si256(lo_odd, 1));  // vectors 1,3..15
    const __m128i e1 =
        _mm_add_epi16(_mm256_castsi256_si128(hi_even), _mm256_extracti128_si256(hi_even, 1));
    const __m128i o1 =
        _mm_add_epi16(_mm256_castsi256_si128(hi_odd), _mm256_extracti128_si256(hi_odd, 1));
    __m128i* dst = reinterpret_cast<__m128i*>(out + b * kPq4BlockSize);
    _mm_storeu_si128(dst + 0, _mm_unpacklo_epi16(e0, o0));
    _mm_storeu_si128(dst + 1, _mm_unpackhi_epi16(e0, o0));
    _mm_storeu_si128(dst + 2, _mm_unpacklo_epi16(e1, o1));
    _mm_storeu_si128(dst + 3, _mm_unpackhi_epi16(e1, o1));
  }
}

}  // namespace

namespace internal {
const DistanceKernels& Avx2KernelTable() {
  static const DistanceKernels k = {"avx2", DotF32Avx2, DotF32I8Avx2, DotF32F16Avx2,
                                    Pq4ScanBlocksAvx2};
  return k;
}
}  // namespace internal

}  // namespace codeindex::vec
