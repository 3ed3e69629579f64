#include "vector/row_store.h"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <vector>

#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "base/file.h"

namespace codeindex::vec {

RowStore::RowStore(std::string base, size_t dim)
    : base_(std::move(base)), dim_(dim), record_(RecordSize(dim)) {}

RowStore::~RowStore() {
  if (ids_ != nullptr) ::munmap(const_cast<uint64_t*>(ids_), mapped_rows_ * 8);
  if (vec_ != nullptr) ::munmap(const_cast<uint8_t*>(vec_), mapped_rows_ * record_);
  if (ids_fd_ >= 0) ::close(ids_fd_);
  if (vec_fd_ >= 0) ::close(vec_fd_);
}

Result<std::unique_ptr<RowStore>> RowStore::Create(const std::string& base, size_t dim) {
  std::unique_ptr<RowStore> s(new RowStore(base, dim));
  s->writable_ = true;
  const int flags = O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC;
  s->ids_fd_ = ::open((base + ".ids").c_str(), flags, 0644);
  if (s->ids_fd_ < 0) return Status::FromErrno(base + ".ids", errno);
  s->vec_fd_ = ::open((base + ".vec").c_str(), flags, 0644);
  if (s->vec_fd_ < 0) return Status::FromErrno(base + ".vec", errno);
  return s;
}

Result<std::unique_ptr<RowStore>> RowStore::Open(const std::string& base, size_t dim, size_t rows,
                                                 bool writable) {
  std::unique_ptr<RowStore> s(new RowStore(base, dim));
  s->writable_ = writable;
  const int flags = (writable ? O_RDWR : O_RDONLY) | O_CLOEXEC;
  // The files of a committed store exist: a missing one is damage.
  auto open_error = [](const std::string& path, int err) {
    return err == ENOENT ? Status::Corruption(path + ": missing") : Status::FromErrno(path, err);
  };
  s->ids_fd_ = ::open((base + ".ids").c_str(), flags);
  if (s->ids_fd_ < 0) return open_error(base + ".ids", errno);
  s->vec_fd_ = ::open((base + ".vec").c_str(), flags);
  if (s->vec_fd_ < 0) return open_error(base + ".vec", errno);
  const off_t ids_size = ::lseek(s->ids_fd_, 0, SEEK_END);
  const off_t vec_size = ::lseek(s->vec_fd_, 0, SEEK_END);
  if (ids_size < 0 || vec_size < 0) return Status::FromErrno(base, errno);
  if (static_cast<size_t>(ids_size) < rows * 8 ||
      static_cast<size_t>(vec_size) < rows * s->record_) {
    return Status::Corruption(base + ": vector store shorter than its manifest says (" +
                              std::to_string(rows) + " rows)");
  }
  if (writable) {
    if (::ftruncate(s->ids_fd_, static_cast<off_t>(rows * 8)) != 0 ||
        ::ftruncate(s->vec_fd_, static_cast<off_t>(rows * s->record_)) != 0) {
      return Status::FromErrno(base, errno);
    }
  }
  s->pending_rows_ = rows;
  RETURN_IF_ERROR(s->Publish());
  return s;
}

void RowStore::Quantize(const float* x, size_t dim, uint8_t* out) {
  float max_abs = 0;
  for (size_t i = 0; i < dim; ++i) max_abs = std::max(max_abs, std::fabs(x[i]));
  const float scale = max_abs / 127.0f;
  std::memcpy(out, &scale, 4);
  int8_t* v = reinterpret_cast<int8_t*>(out + 4);
  const float inv = scale > 0 ? 1.0f / scale : 0.0f;
  for (size_t i = 0; i < dim; ++i) {
    v[i] = static_cast<int8_t>(std::clamp(std::lround(x[i] * inv), -127L, 127L));
  }
  for (size_t i = dim; i < RecordSize(dim) - 4; ++i) v[i] = 0;
}

float RowStore::scale(size_t row) const {
  float s;
  std::memcpy(&s, vec_ + row * record_, 4);
  return s;
}

void RowStore::Dequantize(size_t row, float* out) const {
  const float s = scale(row);
  const int8_t* v = values(row);
  for (size_t i = 0; i < dim_; ++i) out[i] = static_cast<float>(v[i]) * s;
}

Status RowStore::ReadRaw(size_t first, size_t n, uint64_t* ids, uint8_t* records) const {
  if (ids != nullptr) RETURN_IF_ERROR(PreadAll(ids_fd_, ids, n * 8, first * 8, base_ + ".ids"));
  if (records != nullptr) {
    RETURN_IF_ERROR(PreadAll(vec_fd_, records, n * record_, first * record_, base_ + ".vec"));
  }
  return Status::OK();
}

Status RowStore::ReadDequantized(size_t first, size_t n, float* out) const {
  std::vector<uint8_t> records(n * record_);
  RETURN_IF_ERROR(ReadRaw(first, n, nullptr, records.data()));
  for (size_t i = 0; i < n; ++i) {
    const uint8_t* rec = records.data() + i * record_;
    float s;
    std::memcpy(&s, rec, 4);
    const int8_t* v = reinterpret_cast<const int8_t*>(rec + 4);
    for (size_t d = 0; d < dim_; ++d) out[i * dim_ + d] = static_cast<float>(v[d]) * s;
  }
  return Status::OK();
}

Status RowStore::Append(const uint64_t* ids, const float* vectors, size_t n) {
  std::vector<uint8_t> records(n * record_);
  for (size_t i = 0; i < n; ++i) Quantize(vectors + i * dim_, dim_, records.data() + i * record_);
  return AppendRaw(ids, records.data(), n);
}

Status RowStore::AppendRaw(const uint64_t* ids, const uint8_t* records, size_t n) {
  if (!writable_) return Status::FailedPrecondition(base_ + ": vector store opened read-only");
  if (n == 0) return Status::OK();
  RETURN_IF_ERROR(
      PwriteAll(vec_fd_, records, n * record_, pending_rows_ * record_, base_ + ".vec"));
  RETURN_IF_ERROR(PwriteAll(ids_fd_, ids, n * 8, pending_rows_ * 8, base_ + ".ids"));
  pending_rows_ += n;
  return Status::OK();
}

Status RowStore::Publish() {
  if (pending_rows_ > mapped_rows_ || (ids_ == nullptr && pending_rows_ > 0)) {
    // A writer maps room to grow (pages past the end of the file are never read: readers stop
    // at rows()); a reader maps exactly what it was asked for.
    const size_t want = writable_ ? std::max<size_t>(pending_rows_ * 2, 16384) : pending_rows_;
    RETURN_IF_ERROR(Map(want));
  }
  rows_ = pending_rows_;
  return Status::OK();
}

Status RowStore::Map(size_t rows) {
  void* ids = ::mmap(nullptr, rows * 8, PROT_READ, MAP_SHARED, ids_fd_, 0);
  if (ids == MAP_FAILED) return Status::FromErrno(base_ + ".ids: mmap", errno);
  void* vec = ::mmap(nullptr, rows * record_, PROT_READ, MAP_SHARED, vec_fd_, 0);
  if (vec == MAP_FAILED) {
    int err = errno;
    ::munmap(ids, rows * 8);
    return Status::FromErrno(base_ + ".vec: mmap", err);
  }
  // Rerank reads a few scattered records per query: no read-ahead.
  ::madvise(vec, rows * record_, MADV_RANDOM);
  if (ids_ != nullptr) ::munmap(const_cast<uint64_t*>(ids_), mapped_rows_ * 8);
  if (vec_ != nullptr) ::munmap(const_cast<uint8_t*>(vec_), mapped_rows_ * record_);
  ids_ = static_cast<const uint64_t*>(ids);
  vec_ = static_cast<const uint8_t*>(vec);
  mapped_rows_ = rows;
  return Status::OK();
}

Status RowStore::Sync() {
  if (!writable_) return Status::OK();
  if (::fdatasync(ids_fd_) != 0) return Status::FromErrno(base_ + ".ids", errno);
  if (::fdatasync(vec_fd_) != 0) return Status::FromErrno(base_ + ".vec", errno);
  return Status::OK();
}

}  // namespace codeindex::vec
