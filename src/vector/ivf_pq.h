// IvfPq: the approximate candidate generator of the vector index. An inverted file (IVF) of
// `nlist` spherical k-means centroids; each vector is stored in the list of its nearest
// centroid as a 4-bit product-quantisation (PQ) code of its residual (vector - centroid):
// `m` sub-quantisers of `dsub` dimensions with 16 centroids each, m/2 bytes per vector, laid out
// for the AVX2 fast-scan kernel (distance.h, Pq4ScanBlocks), plus a uint32 row number that
// points into the RowStore where the int8 vector lives for reranking.
//
// Scores are inner products: approx(q, x) = <q, c_list> + sum_j <q_j, codebook_j[code_j(x)]>.
// Per query the sub-quantiser tables <q_j, codebook_j[c]> are shifted and scaled into uint8 so
// that 32 vectors are scored with 2 vpshufb per sub-quantiser pair; the ranking is approximate
// and only picks candidates: VectorIndex reranks them exactly.
//
// Training uses FAISS (k-means with OpenBLAS): centroids on a sample, then one 16-way k-means
// per sub-quantiser on the sample's residuals. Encoding, list layout and scanning are ours:
// Debian's FAISS is a generic build without the AVX2 fast-scan (bench/README.md "vector").
//
// Thread safety: PqModel is immutable after training. IvfLists is not synchronised; the
// owner (VectorIndex) serialises writers against readers.
#ifndef CODEINDEX_VECTOR_IVF_PQ_H_
#define CODEINDEX_VECTOR_IVF_PQ_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "vector/distance.h"

namespace codeindex::vec {

// Sets the OpenMP thread count of the calling thread (what FAISS and OpenBLAS use) for the
// lifetime of the object, then restores it.
class ScopedOmpThreads {
 public:
  explicit ScopedOmpThreads(int n);
  ~ScopedOmpThreads();
  ScopedOmpThreads(const ScopedOmpThreads&) = delete;
  ScopedOmpThreads& operator=(const ScopedOmpThreads&) = delete;

 private:
  int saved_;
};

class PqModel {
 public:
  // Trains on `n` vectors (n x dim floats, L2-normalised). `dsub` dimensions per sub-quantiser
  // (the last one is zero-padded when dim % dsub != 0, and one all-zero sub-quantiser is added
  // when their number is odd, as the kernel works on pairs).
  static Result<PqModel> Train(const float* x, size_t n, size_t dim, size_t nlist, size_t dsub,
                               int seed);

  size_t dim() const { return dim_; }
  size_t nlist() const { return nlist_; }
  size_t m() const { return m_; }  // even
  size_t dsub() const { return dsub_; }
  size_t code_bytes() const { return m_ / 2; }
  const float* centroid(size_t list) const { return centroids_.data() + list * dim_; }
  // Live vectors in the index when it was trained (drives the retrain policy).
  size_t trained_on() const { return trained_on_; }
  void set_trained_on(size_t n) { trained_on_ = n; }

  // Nearest list (max inner product) of each of the n vectors.
  void Assign(const float* x, size_t n, uint32_t* lists) const;
  // PQ code of x's residual against `list`, packed two nibbles per byte (code j in the low
  // nibble of byte j/2 when j is even, the high nibble when odd).
  void Encode(const float* x, uint32_t list, uint8_t* packed) const;

  // Per-query scoring tables, see the file comment.
  struct QueryTables {
    std::vector<uint8_t> lut;  // m/2 groups of 32 bytes, layout of Pq4ScanBlocks
    float scale = 1;           // approx = bias + offset - scale * uint16 sum
    float offset = 0;
  };
  void ComputeTables(const DistanceKernels& k, const float* q, QueryTables* t) const;

  std::string Serialize() const;
  static Result<PqModel> Deserialize(std::string_view data, const std::string& context);

  size_t RamBytes() const { return (centroids_.size() + codebooks_.size()) * sizeof(float); }

 private:
  size_t dim_ = 0, nlist_ = 0, m_ = 0, dsub_ = 0, trained_on_ = 0;
  std::vector<float> centroids_;  // nlist x dim, unit norm
  std::vector<float> codebooks_;  // m x 16 x dsub
};

// The inverted lists: for each list, blocks of 32 codes and the row of each entry.
class IvfLists {
 public:
  IvfLists() = default;
  IvfLists(size_t nlist, size_t code_bytes) : lists_(nlist), code_bytes_(code_bytes) {}

  // Appends one entry; `packed` as PqModel::Encode writes it.
  void Append(uint32_t list, uint32_t row, const uint8_t* packed);
  // Keeps entries whose row maps to a new row (map[row] != kDropped), renumbering them.
  static constexpr uint32_t kDropped = 0xffffffff;
  void Remap(const std::vector<uint32_t>& map);
  void ShrinkToFit();
  // Reserves room for counts[list] entries in each list (exact sizes avoid both regrowth and
  // the heap fragmentation that shrinking leaves behind).
  void Reserve(const std::vector<size_t>& counts);

  size_t nlist() const { return lists_.size(); }
  size_t size(size_t list) const { return lists_[list].rows.size(); }
  const uint8_t* blocks(size_t list) const { return lists_[list].blocks.data(); }
  const uint32_t* rows(size_t list) const { return lists_[list].rows.data(); }
  size_t code_bytes() const { return code_bytes_; }
  // Code j of entry i of `list`, unpacked (for tests and Remap).
  uint8_t Code(size_t list, size_t i, size_t j) const;
  size_t RamBytes() const;

 private:
  struct List {
    std::vector<uint8_t> blocks;  // ceil(n / 32) blocks of 16 * m bytes
    std::vector<uint32_t> rows;
  };
  std::vector<List> lists_;
  size_t code_bytes_ = 0;
};

// Candidate scan over `nprobe` lists: calls `accept(row)` before admitting an entry (the
// filter and tombstone check, applied inside the scan) and returns up to `max_candidates`
// (row, approximate score) pairs, best first.
struct Candidate {
  uint32_t row;
  float approx;
};
std::vector<Candidate> ScanIvf(const DistanceKernels& k, const PqModel& model,
                               const IvfLists& lists, const float* q, size_t nprobe,
                               size_t max_candidates,
                               const std::function<bool(uint32_t row)>& accept);

}  // namespace codeindex::vec

#endif  // CODEINDEX_VECTOR_IVF_PQ_H_
