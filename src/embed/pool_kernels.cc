#include "embed/pool_kernels.h"

#include "embed/safetensors.h"

namespace codeindex {
namespace internal {

void AxpyF32Scalar(const float* row, float w, float* acc, size_t dim) {
  for (size_t i = 0; i < dim; ++i) acc[i] += w * row[i];
}

void AxpyF16Scalar(const uint16_t* row, float w, float* acc, size_t dim) {
  for (size_t i = 0; i < dim; ++i) acc[i] += w * HalfToFloat(row[i]);
}

void AxpyI8Scalar(const int8_t* row, float w, float* acc, size_t dim) {
  for (size_t i = 0; i < dim; ++i) acc[i] += w * static_cast<float>(row[i]);
}

bool PoolKernelsUseAvx2() {
  static const bool use = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") &&
                          __builtin_cpu_supports("f16c");
  return use;
}

}  // namespace internal

void AxpyF32(const float* row, float w, float* acc, size_t dim) {
  if (internal::PoolKernelsUseAvx2()) return internal::AxpyF32Avx2(row, w, acc, dim);
  internal::AxpyF32Scalar(row, w, acc, dim);
}

void AxpyF16(const uint16_t* row, float w, float* acc, size_t dim) {
  if (internal::PoolKernelsUseAvx2()) return internal::AxpyF16Avx2(row, w, acc, dim);
  internal::AxpyF16Scalar(row, w, acc, dim);
}

void AxpyI8(const int8_t* row, float w, float* acc, size_t dim) {
  if (internal::PoolKernelsUseAvx2()) return internal::AxpyI8Avx2(row, w, acc, dim);
  internal::AxpyI8Scalar(row, w, acc, dim);
}

}  // namespace codeindex
