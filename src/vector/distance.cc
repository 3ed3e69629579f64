// Runtime dispatch: the AVX2 table when the CPU has AVX2, FMA and F16C, the scalar one otherwise.
#include "vector/distance.h"

#include <cpuid.h>

namespace codeindex::vec {

namespace internal {
const DistanceKernels& Avx2KernelTable();  // distance_avx2.cc
}  // namespace internal

const DistanceKernels* Avx2Kernels() {
  static const bool supported = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") &&
                                __builtin_cpu_supports("f16c");
  return supported ? &internal::Avx2KernelTable() : nullptr;
}

const DistanceKernels& Kernels() {
  static const DistanceKernels* best = Avx2Kernels() ? Avx2Kernels() : &ScalarKernels();
  return *best;
}

}  // namespace codeindex::vec
