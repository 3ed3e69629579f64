#include "embed/pool_kernels.h"

#include <cpuid.h>

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
  static const bool use = [] {
    // F16C through cpuid (leaf 1, ecx bit 29): clang 14's __builtin_cpu_supports lacks it.
    unsigned eax, ebx, ecx, edx;
    const bool f16c = __get_cpuid(1, &eax, &ebx, &ecx, &edx) && (ecx & (1u << 29)) != 0;
    return f16c && __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
  }();
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
