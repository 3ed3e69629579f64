// AVX2 kernels (compiled with a target attribute; called only when CpuHasAvx2()).
#include "parse/text_simd.h"

#if defined(__x86_64__) || defined(_M_X64)
#include <immintrin.h>

namespace codeindex::parse_internal {

__attribute__((target("avx2,popcnt"))) size_t Utf16LengthAvx2(const char* p, size_t n) {
  size_t units = 0;
  size_t i = 0;
  const __m256i cont_max = _mm256_set1_epi8(-65);
  const __m256i four_min = _mm256_set1_epi8(-17);
  for (; i + 32 <= n; i += 32) {
    __m256i v = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p + i));
    auto lead = static_cast<uint32_t>(_mm256_movemask_epi8(_mm256_cmpgt_epi8(v, cont_max)));
    // 4-byte leads are >= -16 *and* negative (ASCII is also > -17).
    auto four = static_cast<uint32_t>(_mm256_movemask_epi8(_mm256_cmpgt_epi8(v, four_min))) &
                static_cast<uint32_t>(_mm256_movemask_epi8(v));
    units += static_cast<size_t>(_mm_popcnt_u32(lead) + _mm_popcnt_u32(four));
  }
  return units + Utf16LengthScalar(p + i, n - i);
}

__attribute__((target("avx2,bmi"))) void FindNewlinesAvx2(const char* p, size_t n, uint32_t base,
                                                          std::vector<uint32_t>* out) {
  size_t i = 0;
  const __m256i nl = _mm256_set1_epi8('\n');
  for (; i + 32 <= n; i += 32) {
    __m256i v = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p + i));
    auto mask = static_cast<uint32_t>(_mm256_movemask_epi8(_mm256_cmpeq_epi8(v, nl)));
    while (mask != 0) {
      out->push_back(base + static_cast<uint32_t>(i + _tzcnt_u32(mask)));
      mask &= mask - 1;
    }
  }
  FindNewlinesScalar(p + i, n - i, base + static_cast<uint32_t>(i), out);
}

__attribute__((target("avx2,bmi"))) size_t AsciiPrefixAvx2(const char* p, size_t n) {
  size_t i = 0;
  for (; i + 32 <= n; i += 32) {
    __m256i v = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p + i));
    auto mask = static_cast<uint32_t>(_mm256_movemask_epi8(v));
    if (mask != 0) return i + _tzcnt_u32(mask);
  }
  return i + AsciiPrefixScalar(p + i, n - i);
}

}  // namespace codeindex::parse_internal

#else

namespace codeindex::parse_internal {
size_t Utf16LengthAvx2(const char* p, size_t n) { return Utf16LengthScalar(p, n); }
void FindNewlinesAvx2(const char* p, size_t n, uint32_t base, std::vector<uint32_t>* out) {
  FindNewlinesScalar(p, n, base, out);
}
size_t AsciiPrefixAvx2(const char* p, size_t n) { return AsciiPrefixScalar(p, n); }
}  // namespace codeindex::parse_internal

#endif
