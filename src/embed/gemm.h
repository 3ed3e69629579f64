// Dense layers for the transformer encoder (internal to embed).
//
// Row-major everywhere. A linear layer computes Y[m, n] = X[m, k] * W[n, k]^T + b[n], with W
// stored as PyTorch stores nn.Linear weights ([out, in]).
//   fp32: OpenBLAS cblas_sgemm.
//   int8: W quantised once per output channel (symmetric, scale = max|w| / 127); X quantised
//         per row at call time (asymmetric, 7 bits: 0..127 with a zero point), multiplied by
//         oneDNN's dnnl_gemm_u8s8s32 into int32, then rescaled with the zero point compensated
//         through the precomputed column sums of W. 7-bit activations keep the u8 x s8 pair
//         sums of AVX2 kernels (vpmaddubsw) clear of int16 saturation on CPUs without VNNI.
//
// Thread safety: pure functions of their arguments; a QuantizedLinear is immutable.
#ifndef CODEINDEX_EMBED_GEMM_H_
#define CODEINDEX_EMBED_GEMM_H_

#include <cstdint>
#include <vector>

#include "base/status.h"

namespace codeindex {

// y[m, n] = x[m, k] * w[n, k]^T + bias[n] (bias may be null).
void LinearF32(const float* x, int m, int k, const float* w, const float* bias, int n, float* y);

struct QuantizedLinear {
  int n = 0, k = 0;
  std::vector<int8_t> q;         // [n, k]
  std::vector<float> scale;      // [n]
  std::vector<int32_t> col_sum;  // [n]: sum over k of q
};
QuantizedLinear QuantizeLinear(const float* w, int n, int k);

// y = x * dequant(w)^T + bias, through int8. Returns kInternal if oneDNN fails.
Status LinearI8(const float* x, int m, const QuantizedLinear& w, const float* bias, float* y);

// C[m, n] = A[m, k] (u8) * B[n, k]^T (s8), int32; oneDNN and a scalar reference (tests).
Status GemmU8S8S32(int m, int n, int k, const uint8_t* a, const int8_t* b, int32_t* c);
void GemmU8S8S32Reference(int m, int n, int k, const uint8_t* a, const int8_t* b, int32_t* c);

// Y = A[m, k] * B[k, n] (+ beta * Y), with leading dimensions; used by attention.
void GemmF32(bool trans_b, int m, int n, int k, float alpha, const float* a, int lda,
             const float* b, int ldb, float beta, float* c, int ldc);

}  // namespace codeindex

#endif  // CODEINDEX_EMBED_GEMM_H_
