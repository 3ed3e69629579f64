// Scalar references, SSE2 kernels and the run-time dispatch. AVX2 kernels: text_avx2.cc.
#include "parse/text_simd.h"

#if defined(__x86_64__) || defined(_M_X64)
#include <emmintrin.h>
#define CODEINDEX_HAVE_SSE2 1
#endif

namespace codeindex::parse_internal {

size_t Utf16LengthScalar(const char* p, size_t n) {
  size_t units = 0;
  for (size_t i = 0; i < n; ++i) {
    auto b = static_cast<unsigned char>(p[i]);
    units += (b & 0xC0) != 0x80;
    units += b >= 0xF0;
  }
  return units;
}

void FindNewlinesScalar(const char* p, size_t n, uint32_t base, std::vector<uint32_t>* out) {
  for (size_t i = 0; i < n; ++i) {
    if (p[i] == '\n') out->push_back(base + static_cast<uint32_t>(i));
  }
}

size_t AsciiPrefixScalar(const char* p, size_t n) {
  for (size_t i = 0; i < n; ++i) {
    if (static_cast<unsigned char>(p[i]) >= 0x80) return i;
  }
  return n;
}

#ifdef CODEINDEX_HAVE_SSE2

size_t Utf16LengthSse2(const char* p, size_t n) {
  size_t units = 0;
  size_t i = 0;
  // Signed compares: continuation bytes 0x80..0xBF are -128..-65, 4-byte leads 0xF0..0xF4
  // (and anything above) are -16..-1.
  const __m128i cont_max = _mm_set1_epi8(-65);
  const __m128i four_min = _mm_set1_epi8(-17);
  for (; i + 16 <= n; i += 16) {
    __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + i));
    unsigned lead = static_cast<unsigned>(_mm_movemask_epi8(_mm_cmpgt_epi8(v, cont_max)));
    // 4-byte leads are >= -16 *and* negative (ASCII is also > -17).
    unsigned four = static_cast<unsigned>(_mm_movemask_epi8(_mm_cmpgt_epi8(v, four_min))) &
                    static_cast<unsigned>(_mm_movemask_epi8(v));
    units += static_cast<size_t>(__builtin_popcount(lead) + __builtin_popcount(four));
  }
  return units + Utf16LengthScalar(p + i, n - i);
}

void FindNewlinesSse2(const char* p, size_t n, uint32_t base, std::vector<uint32_t>* out) {
  size_t i = 0;
  const __m128i nl = _mm_set1_epi8('\n');
  for (; i + 16 <= n; i += 16) {
    __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + i));
    unsigned mask = static_cast<unsigned>(_mm_movemask_epi8(_mm_cmpeq_epi8(v, nl)));
    while (mask != 0) {
      out->push_back(base + static_cast<uint32_t>(i + __builtin_ctz(mask)));
      mask &= mask - 1;
    }
  }
  FindNewlinesScalar(p + i, n - i, base + static_cast<uint32_t>(i), out);
}

size_t AsciiPrefixSse2(const char* p, size_t n) {
  size_t i = 0;
  for (; i + 16 <= n; i += 16) {
    __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + i));
    unsigned mask = static_cast<unsigned>(_mm_movemask_epi8(v));
    if (mask != 0) return i + __builtin_ctz(mask);
  }
  return i + AsciiPrefixScalar(p + i, n - i);
}

bool CpuHasAvx2() {
  static const bool has = [] {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2") != 0;
  }();
  return has;
}

size_t Utf16LengthFast(const char* p, size_t n) {
  return CpuHasAvx2() ? Utf16LengthAvx2(p, n) : Utf16LengthSse2(p, n);
}
void FindNewlinesFast(const char* p, size_t n, uint32_t base, std::vector<uint32_t>* out) {
  if (CpuHasAvx2()) {
    FindNewlinesAvx2(p, n, base, out);
  } else {
    FindNewlinesSse2(p, n, base, out);
  }
}
size_t AsciiPrefixFast(const char* p, size_t n) {
  return CpuHasAvx2() ? AsciiPrefixAvx2(p, n) : AsciiPrefixSse2(p, n);
}

#else  // not x86-64: scalar everywhere.

size_t Utf16LengthSse2(const char* p, size_t n) { return Utf16LengthScalar(p, n); }
void FindNewlinesSse2(const char* p, size_t n, uint32_t base, std::vector<uint32_t>* out) {
  FindNewlinesScalar(p, n, base, out);
}
size_t AsciiPrefixSse2(const char* p, size_t n) { return AsciiPrefixScalar(p, n); }
bool CpuHasAvx2() { return false; }
size_t Utf16LengthFast(const char* p, size_t n) { return Utf16LengthScalar(p, n); }
void FindNewlinesFast(const char* p, size_t n, uint32_t base, std::vector<uint32_t>* out) {
  FindNewlinesScalar(p, n, base, out);
}
size_t AsciiPrefixFast(const char* p, size_t n) { return AsciiPrefixScalar(p, n); }

#endif

}  // namespace codeindex::parse_internal
