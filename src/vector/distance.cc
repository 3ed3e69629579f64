// Runtime dispatch: the AVX2 table when the CPU has AVX2, FMA and F16C, the scalar one otherwise.
#include "vector/distance.h"

#include <cpuid.h>

namespace codeindex::vec {

namespace internal {
const DistanceKernels& Avx2KernelTable();  // distance_avx2.cc
}  // namespace internal

const DistanceKernels* Avx2Kernels() {
  // clang 14 does not know "f16c" for __builtin_cpu_supports: ask cpuid (leaf 1, ECX bit 29).
  static const bool supported = [] {
    unsigned eax = 0, ebx = 0, ecx = 0, edx = 0;
    const bool f16c = __get_cpuid(1, &eax, &ebx, &ecx, &edx) && (ecx & bit_F16C) != 0;
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") && f16c;
  }();
  return supported ? &internal::Avx2KernelTable() : nullptr;
}

const DistanceKernels& Kernels() {
  static const DistanceKernels* best = Avx2Kernels() ? Avx2Kernels() : &ScalarKernels();
  return *best;
}

}  // namespace codeindex::vec
