#include "embed/gemm.h"

#include <algorithm>
#include <cmath>

#include <cblas.h>
#include <fmt/format.h>
#include <oneapi/dnnl/dnnl.h>

namespace codeindex {

void LinearF32(const float* x, int m, int k, const float* w, const float* bias, int n, float* y) {
  if (bias != nullptr) {
    for (int i = 0; i < m; ++i) std::copy(bias, bias + n, y + static_cast<size_t>(i) * n);
  }
  cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, m, n, k, 1.0f, x, k, w, k,
              bias != nullptr ? 1.0f : 0.0f, y, n);
}

void GemmF32(bool trans_b, int m, int n, int k, float alpha, const float* a, int lda,
             const float* b, int ldb, float beta, float* c, int ldc) {
  cblas_sgemm(CblasRowMajor, CblasNoTrans, trans_b ? CblasTrans : CblasNoTrans, m, n, k, alpha, a,
              lda, b, ldb, beta, c, ldc);
}

QuantizedLinear QuantizeLinear(const float* w, int n, int k) {
  QuantizedLinear q;
  q.n = n;
  q.k = k;
  q.q.resize(static_cast<size_t>(n) * k);
  q.scale.resize(n);
  q.col_sum.resize(n);
  for (int j = 0; j < n; ++j) {
    const float* row = w + static_cast<size_t>(j) * k;
    float mx = 0;
    for (int i = 0; i < k; ++i) mx = std::max(mx, std::fabs(row[i]));
    const float s = mx > 0 ? mx / 127.0f : 1.0f;
    q.scale[j] = s;
    int32_t sum = 0;
    for (int i = 0; i < k; ++i) {
      const int v = static_cast<int>(std::lround(row[i] / s));
      const int8_t c = static_cast<int8_t>(std::clamp(v, -127, 127));
      q.q[static_cast<size_t>(j) * k + i] = c;
      sum += c;
    }
    q.col_sum[j] = sum;
  }
  return q;
}

Status GemmU8S8S32(int m, int n, int k, const uint8_t* a, const int8_t* b, int32_t* c) {
  const int32_t co = 0;
  const dnnl_status_t st =
      dnnl_gemm_u8s8s32('N', 'T', 'F', m, n, k, 1.0f, a, k, 0, b, k, 0, 0.0f, c, n, &co);
  if (st != dnnl_success) {
    return Status::Internal(
        fmt::format("oneDNN int8 gemm failed (status {})", static_cast<int>(st)));
  }
  return Status::OK();
}

void GemmU8S8S32Reference(int m, int n, int k, const uint8_t* a, const int8_t* b, int32_t* c) {
  for (int i = 0; i < m; ++i) {
    for (int j = 0; j < n; ++j) {
      int32_t acc = 0;
      for (int p = 0; p < k; ++p) {
        acc += static_cast<int32_t>(a[static_cast<size_t>(i) * k + p]) *
               static_cast<int32_t>(b[static_cast<size_t>(j) * k + p]);
      }
      c[static_cast<size_t>(i) * n + j] = acc;
    }
  }
}

Status LinearI8(const float* x, int m, const QuantizedLinear& w, const float* bias, float* y) {
  const int k = w.k, n = w.n;
  std::vector<uint8_t> qa(static_cast<size_t>(m) * k);
  std::vector<float> a_scale(m);
  std::vector<int32_t> a_zero(m);
  for (int i = 0; i < m; ++i) {
    const float* row = x + static_cast<size_t>(i) * k;
    float lo = 0, hi = 0;  // the range always contains 0, so 0 is exact
    for (int p = 0; p < k; ++p) {
      lo = std::min(lo, row[p]);
      hi = std::max(hi, row[p]);
    }
    const float s = hi > lo ? (hi - lo) / 127.0f : 1.0f;
    const int32_t z = std::clamp(static_cast<int32_t>(std::lround(-lo / s)), 0, 127);
    a_scale[i] = s;
    a_zero[i] = z;
    uint8_t* out = qa.data() + static_cast<size_t>(i) * k;
    for (int p = 0; p < k; ++p) {
      out[p] = static_cast<uint8_t>(
          std::clamp(static_cast<int32_t>(std::lround(row[p] / s)) + z, 0, 127));
    }
  }
  std::vector<int32_t> acc(static_cast<size_t>(m) * n);
  RETURN_IF_ERROR(GemmU8S8S32(m, n, k, qa.data(), w.q.data(), acc.data()));
  for (int i = 0; i < m; ++i) {
    const int32_t* ci = acc.data() + static_cast<size_t>(i) * n;
    float* yi = y + static_cast<size_t>(i) * n;
    for (int j = 0; j < n; ++j) {
      const int32_t v = ci[j] - a_zero[i] * w.col_sum[j];
      yi[j] = static_cast<float>(v) * a_scale[i] * w.scale[j] + (bias ? bias[j] : 0.0f);
    }
  }
  return Status::OK();
}

}  // namespace codeindex
