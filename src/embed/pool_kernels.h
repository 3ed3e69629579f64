// Row accumulation kernels for mean pooling (internal to embed): acc += w * row, for the
// element types a model2vec table may have. Dispatch picks AVX2+FMA+F16C when the CPU has
// them (pool_kernels_avx2.cc), else the scalar loops (pool_kernels.cc); the test compares both
// with integer-valued data, where they must agree exactly.
//
// REQUIRES for all: `row` aligned to its element size, `acc` to 4 bytes; no overlap.
// Pure functions, thread-safe.
#ifndef CODEINDEX_EMBED_POOL_KERNELS_H_
#define CODEINDEX_EMBED_POOL_KERNELS_H_

#include <cstddef>
#include <cstdint>

namespace codeindex {

void AxpyF32(const float* row, float w, float* acc, size_t dim);
void AxpyF16(const uint16_t* row, float w, float* acc, size_t dim);
void AxpyI8(const int8_t* row, float w, float* acc, size_t dim);

namespace internal {
void AxpyF32Scalar(const float* row, float w, float* acc, size_t dim);
void AxpyF16Scalar(const uint16_t* row, float w, float* acc, size_t dim);
void AxpyI8Scalar(const int8_t* row, float w, float* acc, size_t dim);
void AxpyF32Avx2(const float* row, float w, float* acc, size_t dim);
void AxpyF16Avx2(const uint16_t* row, float w, float* acc, size_t dim);
void AxpyI8Avx2(const int8_t* row, float w, float* acc, size_t dim);
// True when the CPU has AVX2, FMA and F16C (the dispatched kernels are the AVX2 ones).
bool PoolKernelsUseAvx2();
}  // namespace internal

}  // namespace codeindex

#endif  // CODEINDEX_EMBED_POOL_KERNELS_H_
