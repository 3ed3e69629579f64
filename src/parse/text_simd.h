// ISA-specific kernels behind plain functions, with the scalar reference they are tested
// against (text_simd_test.cc). Dispatch: AVX2 when the CPU has it (checked once at run
// time), else SSE2 (the x86-64 baseline), else scalar on other architectures.
//
// Internal to src/parse. Thread-safe.
#ifndef CODEINDEX_PARSE_TEXT_SIMD_H_
#define CODEINDEX_PARSE_TEXT_SIMD_H_

#include <cstddef>
#include <cstdint>
#include <vector>

namespace codeindex::parse_internal {

// UTF-16 code units of valid UTF-8: bytes that are not continuation bytes, plus one more for
// each 4-byte lead byte.
size_t Utf16LengthScalar(const char* p, size_t n);
size_t Utf16LengthSse2(const char* p, size_t n);
size_t Utf16LengthAvx2(const char* p, size_t n);

// Appends base + offset of every '\n' in p[0, n).
void FindNewlinesScalar(const char* p, size_t n, uint32_t base, std::vector<uint32_t>* out);
void FindNewlinesSse2(const char* p, size_t n, uint32_t base, std::vector<uint32_t>* out);
void FindNewlinesAvx2(const char* p, size_t n, uint32_t base, std::vector<uint32_t>* out);

// Length of the ASCII prefix of p[0, n) (index of the first byte >= 0x80, or n).
size_t AsciiPrefixScalar(const char* p, size_t n);
size_t AsciiPrefixSse2(const char* p, size_t n);
size_t AsciiPrefixAvx2(const char* p, size_t n);

// True when the running CPU supports AVX2 (cached).
bool CpuHasAvx2();

// The dispatched versions.
size_t Utf16LengthFast(const char* p, size_t n);
void FindNewlinesFast(const char* p, size_t n, uint32_t base, std::vector<uint32_t>* out);
size_t AsciiPrefixFast(const char* p, size_t n);

}  // namespace codeindex::parse_internal

#endif  // CODEINDEX_PARSE_TEXT_SIMD_H_
