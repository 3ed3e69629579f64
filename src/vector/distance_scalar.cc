// Scalar reference kernels: the definition every SIMD kernel is tested against.
#include <cstring>

#include "vector/distance.h"

namespace codeindex::vec {
namespace {

float DotF32Scalar(const float* a, const float* b, size_t dim) {
  float s = 0;
  for (size_t i = 0; i < dim; ++i) s += a[i] * b[i];
  return s;
}

float DotF32I8Scalar(const float* a, const int8_t* b, size_t dim) {
  float s = 0;
  for (size_t i = 0; i < dim; ++i) s += a[i] * static_cast<float>(b[i]);
  return s;
}

float DotF32F16Scalar(const float* a, const uint16_t* b, size_t dim) {
  float s = 0;
  for (size_t i = 0; i < dim; ++i) s += a[i] * HalfToFloat(b[i]);
  return s;
}

void Pq4ScanBlocksScalar(const uint8_t* codes, size_t num_blocks, const uint8_t* lut,
                         size_t num_pairs, uint16_t* out) {
  for (size_t b = 0; b < num_blocks; ++b) {
    const uint8_t* block = codes + b * num_pairs * 32;
    for (size_t v = 0; v < kPq4BlockSize; ++v) {
      uint16_t sum = 0;
      const size_t byte = v & 15;
      const int shift = v < 16 ? 0 : 4;
      for (size_t p = 0; p < num_pairs; ++p) {
        const uint8_t c0 = (block[p * 32 + byte] >> shift) & 15;
        const uint8_t c1 = (block[p * 32 + 16 + byte] >> shift) & 15;
        sum = static_cast<uint16_t>(sum + lut[p * 32 + c0] + lut[p * 32 + 16 + c1]);
      }
      out[b * kPq4BlockSize + v] = sum;
    }
  }
}

}  // namespace

uint16_t FloatToHalf(float f) {
  uint32_t x;
  std::memcpy(&x, &f, 4);
  const uint32_t sign = (x >> 16) & 0x8000;
  const uint32_t abs = x & 0x7fffffff;
  if (abs >= 0x7f800000) {  // inf or nan
    return static_cast<uint16_t>(sign | 0x7c00 | (abs > 0x7f800000 ? 0x200 : 0));
  }
  if (abs >= 0x477ff000) return static_cast<uint16_t>(sign | 0x7c00);  // overflow -> inf
  if (abs < 0x38800000) {                                              // subnormal half (or zero)
    if (abs < 0x33000000) return static_cast<uint16_t>(sign);
    const uint32_t mant = (abs & 0x7fffff) | 0x800000;
    const int shift = 113 - static_cast<int>(abs >> 23) + 13;
    uint32_t h = mant >> shift;
    const uint32_t rem = mant & ((1u << shift) - 1);
    const uint32_t half = 1u << (shift - 1);
    if (rem > half || (rem == half && (h & 1))) ++h;
    return static_cast<uint16_t>(sign | h);
  }
  uint32_t h = ((abs - 0x38000000) >> 13);
  const uint32_t rem = abs & 0x1fff;
  if (rem > 0x1000 || (rem == 0x1000 && (h & 1))) ++h;
  return static_cast<uint16_t>(sign | h);
}

float HalfToFloat(uint16_t h) {
  const uint32_t sign = static_cast<uint32_t>(h & 0x8000) << 16;
  const uint32_t exp = (h >> 10) & 0x1f;
  uint32_t mant = h & 0x3ff;
  uint32_t x;
  if (exp == 0) {
    if (mant == 0) {
      x = sign;
    } else {  // subnormal: normalise
      int e = -1;
      do {
        ++e;
        mant <<= 1;
      } while ((mant & 0x400) == 0);
      x = sign | static_cast<uint32_t>(127 - 15 - e) << 23 | (mant & 0x3ff) << 13;
    }
  } else if (exp == 31) {
    x = sign | 0x7f800000 | mant << 13;
  } else {
    x = sign | (exp + 127 - 15) << 23 | mant << 13;
  }
  float f;
  std::memcpy(&f, &x, 4);
  return f;
}

const DistanceKernels& ScalarKernels() {
  static const DistanceKernels k = {"scalar", DotF32Scalar, DotF32I8Scalar, DotF32F16Scalar,
                                    Pq4ScanBlocksScalar};
  return k;
}

}  // namespace codeindex::vec
