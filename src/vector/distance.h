// Distance kernels for the vector index: dot products over fp32, int8 and fp16 vectors and the
// 4-bit product-quantisation "fast-scan" block kernel.
//
// Every kernel has a scalar reference (distance_scalar.cc) and, where the CPU has it, an AVX2
// version (distance_avx2.cc, the only file compiled with -mavx2 -mfma -mf16c). Kernels() picks
// the best table once, at first use, from what the running CPU supports (cpuid), so the binary
// stays runnable on any x86-64. distance_test.cc compares every SIMD kernel with the scalar one.
//
// All functions are pure and thread-safe. Pointers need no particular alignment.
#ifndef CODEINDEX_VECTOR_DISTANCE_H_
#define CODEINDEX_VECTOR_DISTANCE_H_

#include <cstddef>
#include <cstdint>

namespace codeindex::vec {

// Fast-scan block geometry: codes of 32 vectors are interleaved so that one 256-bit register
// holds two sub-quantisers of all 32 vectors (see Pq4ScanBlocks).
inline constexpr size_t kPq4BlockSize = 32;

struct DistanceKernels {
  const char* name;  // "scalar" or "avx2"

  // sum_i a[i] * b[i].
  float (*dot_f32)(const float* a, const float* b, size_t dim);
  // sum_i a[i] * b[i] with b signed bytes (the caller applies the per-vector scale).
  float (*dot_f32_i8)(const float* a, const int8_t* b, size_t dim);
  // sum_i a[i] * half_to_float(b[i]), b IEEE 754 binary16.
  float (*dot_f32_f16)(const float* a, const uint16_t* b, size_t dim);

  // 4-bit PQ fast scan. `codes` holds `num_blocks` blocks of 32 vectors; a block is
  // `num_pairs` groups of 32 bytes, group p covering sub-quantisers 2p and 2p+1:
  //   byte i      (i < 16): code[2p]   of vector i (low nibble) | code[2p]   of vector i+16 << 4
  //   byte 16 + i (i < 16): code[2p+1] of vector i (low nibble) | code[2p+1] of vector i+16 << 4
  // `lut` holds num_pairs * 32 bytes: bytes 0..15 of group p are the table of sub-quantiser
  // 2p, bytes 16..31 that of 2p+1. out[b * 32 + v] = sum_j lut_j[code_j(v)] for vector v of
  // block b, computed in uint16 arithmetic.
  // REQUIRES: num_pairs * 2 * max(lut) <= 32767 (no overflow; the caller scales its tables).
  void (*pq4_scan_blocks)(const uint8_t* codes, size_t num_blocks, const uint8_t* lut,
                          size_t num_pairs, uint16_t* out);
};

// The scalar reference kernels.
const DistanceKernels& ScalarKernels();
// The AVX2+FMA+F16C kernels, or nullptr if this CPU (or this build) lacks them.
const DistanceKernels* Avx2Kernels();
// The best kernels for this CPU; chosen once, then constant.
const DistanceKernels& Kernels();

// IEEE 754 binary16 conversions (round to nearest even), scalar.
uint16_t FloatToHalf(float f);
float HalfToFloat(uint16_t h);

}  // namespace codeindex::vec

#endif  // CODEINDEX_VECTOR_DISTANCE_H_
