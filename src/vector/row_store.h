// RowStore: the append-only, memory-mapped store of every vector the index holds, in full
// enough precision for exact search and for reranking approximate candidates.
//
// Two files per store generation (format in docs/vector-index.md):
//   <base>.ids  one little-endian uint64 caller id per row
//   <base>.vec  one record per row: float32 scale, then `dim` int8 values, padded to 4 bytes
// A row is the vector divided by its scale (max |x_i| / 127) and rounded: scalar quantisation
// with a per-vector scale, so dot(q, row) * scale approximates dot(q, x) within about
// 0.4 % of |q||x| (measured: bench/README.md "vector").
//
// Rows are never modified in place: deletion is a tombstone kept by the caller, and
// compaction writes a new store. Rows past the committed count that a crash left behind are
// cut off by Truncate() when a writer reopens the store.
//
// Thread safety: a writer calls Append() (which touches only bytes past rows()) concurrently
// with readers of rows < rows(); Publish() changes rows() and may remap, so the caller must
// hold readers off (VectorIndex holds its exclusive lock). Everything else is read-only.
#ifndef CODEINDEX_VECTOR_ROW_STORE_H_
#define CODEINDEX_VECTOR_ROW_STORE_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "base/status.h"
#include "vector/distance.h"

namespace codeindex::vec {

class RowStore {
 public:
  ~RowStore();
  RowStore(const RowStore&) = delete;
  RowStore& operator=(const RowStore&) = delete;

  // Creates empty files `base`.ids and `base`.vec (truncating any there).
  static Result<std::unique_ptr<RowStore>> Create(const std::string& base, size_t dim);
  // Opens the first `rows` rows of an existing store. A writable store may append; its files
  // are truncated to `rows` first (dropping a crashed writer's uncommitted tail). Corruption
  // when a file is missing or shorter than `rows` rows.
  static Result<std::unique_ptr<RowStore>> Open(const std::string& base, size_t dim, size_t rows,
                                                bool writable);

  // Bytes of one .vec record for `dim`.
  static size_t RecordSize(size_t dim) { return 4 + ((dim + 3) & ~size_t{3}); }
  // Quantises `x` (dim floats) into `out` (RecordSize bytes).
  static void Quantize(const float* x, size_t dim, uint8_t* out);

  size_t dim() const { return dim_; }
  size_t rows() const { return rows_; }
  // Rows appended but not yet published.
  size_t pending_rows() const { return pending_rows_; }
  const std::string& base() const { return base_; }

  uint64_t id(size_t row) const { return ids_[row]; }
  const uint64_t* ids() const { return ids_; }
  float scale(size_t row) const;
  const int8_t* values(size_t row) const {
    return reinterpret_cast<const int8_t*>(vec_ + row * record_ + 4);
  }
  // dot(q, stored row) with the scale applied.
  float Dot(const DistanceKernels& k, const float* q, size_t row) const {
    return k.dot_f32_i8(q, values(row), dim_) * scale(row);
  }
  // Writes the dequantised row into `out` (dim floats).
  void Dequantize(size_t row, float* out) const;

  // Bulk reads for full passes (sampling, re-encoding, compaction, id scans) use pread rather
  // than the mapping, so that they leave the process's RSS alone (the page cache is shared
  // and reclaimable; mapped pages would count against the indexer's memory budget).
  // Rows [first, first + n), dequantised into out (n x dim floats).
  Status ReadDequantized(size_t first, size_t n, float* out) const;
  // Rows [first, first + n): ids (may be null) and raw records (may be null).
  Status ReadRaw(size_t first, size_t n, uint64_t* ids, uint8_t* records) const;

  // Writer: appends `n` rows after the pending ones (ids[n], vectors n x dim floats).
  Status Append(const uint64_t* ids, const float* vectors, size_t n);
  // Writer: appends already-quantised records (used by compaction).
  Status AppendRaw(const uint64_t* ids, const uint8_t* records, size_t n);
  // Writer: forgets the rows appended since the last Publish() (after a failed update).
  void DropPending() { pending_rows_ = rows_; }
  // Makes every appended row visible: rows() becomes pending_rows(). REQUIRES: no reader.
  Status Publish();
  // fdatasync of both files (the rows up to pending_rows() are durable afterwards).
  Status Sync();
  // Bytes on disk of the committed rows.
  size_t DiskBytes() const { return rows_ * (8 + record_); }

 private:
  RowStore(std::string base, size_t dim);
  Status Map(size_t rows);

  std::string base_;
  size_t dim_;
  size_t record_;
  bool writable_ = false;
  int ids_fd_ = -1;
  int vec_fd_ = -1;
  size_t rows_ = 0;
  size_t pending_rows_ = 0;
  size_t mapped_rows_ = 0;  // capacity of the current mappings, in rows
  const uint64_t* ids_ = nullptr;
  const uint8_t* vec_ = nullptr;
};

}  // namespace codeindex::vec

#endif  // CODEINDEX_VECTOR_ROW_STORE_H_
