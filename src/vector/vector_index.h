// VectorIndex: the semantic-search store of codeindex. It holds one embedding per code block,
// keyed by the caller's uint64 block id, and answers "the k blocks most similar to this query
// vector" with their cosine similarity, optionally restricted to a caller-supplied set of ids
// (the indexer maps `--path PREFIX` to such a set) and to a minimum score.
//
// How (docs/architecture.md "vector", docs/vector-index.md for the files):
//  - Every vector is L2-normalised on the way in and stored as int8 with a per-vector scale in
//    an append-only, memory-mapped RowStore (dim + 4 bytes per vector, on disk / page cache).
//  - Below `flat_threshold` live vectors a search is an exact scan of that store (SIMD).
//  - From `flat_threshold` on, an IVF index with 4-bit PQ codes (m/2 bytes per vector in RAM,
//    AVX2 fast scan) picks `rerank` candidates, which are then rescored exactly from the
//    RowStore. Scores returned are always dot(normalised query, stored int8 vector): the
//    cosine to within the int8 rounding (row_store_test bounds the error by 0.01), never a
//    PQ approximation.
//  - The id filter is applied inside the candidate scan (an entry that fails it never takes a
//    candidate slot), so a selective filter still yields k results when k allowed ids exist;
//    when the filter is so selective that the probed lists cannot supply them, the search
//    falls back to an exact scan of the allowed ids.
//  - Training (k-means via FAISS) happens inside the Add() that crosses `flat_threshold`, on a
//    sample of at most `training_sample` vectors read back from the RowStore; later adds are
//    encoded against the trained model. When the live count grows past `retrain_growth` times
//    the training count, the next Add retrains (more lists) and re-encodes from the RowStore.
//    Memory while building: the codes, the sample, and one Add batch; never all floats.
//  - Remove() tombstones rows; Save() compacts when dead rows exceed `compact_dead_fraction`.
//
// Persistence and crash safety: an index lives in a directory the caller owns (the indexer
// uses WORKSPACE/.codeindex/vectors/). Changes are in memory and in append-only files until
// Save(tag), which makes them durable: data files are fsync'd, then a new MANIFEST is written
// to a temporary file and renamed over the old one. A crash at any point leaves the previous
// MANIFEST and everything it names intact, so Open() returns the last saved state; its
// `commit_tag()` is the opaque string given to that Save (the indexer stores its catalog
// generation there to check that the two match).
//
// Thread safety: any number of threads may call Search(), Stats() and commit_tag()
// concurrently with one writer (Add, Remove, Replace, Save, Compact; writers are serialised
// by an internal mutex). A search sees a consistent state: every change is prepared outside
// the readers' lock (quantising, encoding, file appends, training) and then published under a
// short exclusive lock, so readers observe each Add/Remove/Replace entirely or not at all.
// The lock prefers writers, so a stream of searches cannot starve an update. Across
// processes: one writable VectorIndex per directory (an flock on LOCK enforces it) and any
// number of read-only ones, which see the state of the last Save before their Open.
#ifndef CODEINDEX_VECTOR_VECTOR_INDEX_H_
#define CODEINDEX_VECTOR_VECTOR_INDEX_H_

#include <cstddef>
#include <cstdint>
#include <limits>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace codeindex::vec {

// Version of the on-disk format (MANIFEST, row files, PQ code and model files), checked by
// Open(). docs/vector-index.md is the prose spec.
// Changelog:
//   1  first version: int8 rows with per-vector scale, IVF + 4-bit PQ codes, tombstones in
//      the MANIFEST.
//   2  the MANIFEST records a CRC-32 of the committed bytes of each data file (row ids, row
//      records, PQ codes, model), so that Open() can tell a damaged file from a sound one.
//      A version-1 index is refused (kFailedPrecondition); the indexer rebuilds it.
inline constexpr uint32_t kVectorIndexFormatVersion = 2;

// Options that shape the index. `dim` is fixed at Create() and stored; the others are read at
// every Create()/Open() and may change between runs.
struct VectorIndexOptions {
  // Embedding dimension. Required by Create(); Open() checks it when non-zero.
  size_t dim = 0;
  // Live vectors from which search switches from the exact scan to IVF-PQ + rerank. The exact
  // scan reads dim + 4 bytes per vector from the page cache: ~16 ns of CPU per 384-d vector,
  // and memory-bound beyond the caches, so 20K is about 0.5-0.8 ms (bench/README.md "vector").
  size_t flat_threshold = 20000;
  // Dimensions per PQ sub-quantiser: 4 gives m = dim/4 codes of 4 bits, dim/8 bytes per
  // vector (48 at 384-d). 8 halves that memory at a lower candidate quality.
  size_t pq_dsub = 4;
  // Vectors sampled for training. Memory during training is about 4 * dim * this many bytes
  // (50 MB at 384-d); fewer points per centroid lowers recall.
  size_t training_sample = 32768;
  // Retrain when the live count exceeds this factor times the count trained on.
  double retrain_growth = 4.0;
  // Save() compacts when more than this fraction of the stored rows are tombstones.
  double compact_dead_fraction = 0.25;
  // Threads for training and batch encoding (FAISS/OpenBLAS via OpenMP). 1 by default:
  // OpenMP workers spin while they wait, which on a busy machine (the indexer parses and
  // embeds at the same time; CI shares its cores) made training 20x slower than one thread.
  int threads = 1;
  // k-means seed: the same adds in the same order give the same index.
  int seed = 1234;
  // Open-time only: a read-only index never writes or locks; Add/Remove/Save fail.
  bool read_only = false;
  // Open-time only: how much Open() reads to compare the data files with the checksums the
  // MANIFEST records. The PQ code and model files, which Open() reads whole anyway, and
  // every file's size are always checked. The row files (dim + 12 bytes per vector) are
  // read whole with kFull, never with kSizes, and with kAuto when they hold at most
  // `verify_max_bytes` (CRC-32 runs at about 5 GB/s from the page cache: 64 MiB, 250K
  // vectors of 256 dimensions, cost about 15 ms).
  enum class Verify { kAuto, kFull, kSizes };
  Verify verify = Verify::kAuto;
  size_t verify_max_bytes = size_t{64} << 20;
};

// Restricts a search to some ids. Contains() must be thread-safe and fast: it is called from
// inside the candidate scan. EstimatedCount(), when known, lets the search pick the exact scan
// up front for very selective filters.
class IdFilter {
 public:
  virtual ~IdFilter() = default;
  virtual bool Contains(uint64_t id) const = 0;
  virtual std::optional<size_t> EstimatedCount() const { return std::nullopt; }
};

// A filter over a sorted list of allowed ids (binary search).
class SortedIdFilter final : public IdFilter {
 public:
  explicit SortedIdFilter(std::vector<uint64_t> ids);  // sorts and deduplicates
  bool Contains(uint64_t id) const override;
  std::optional<size_t> EstimatedCount() const override { return ids_.size(); }

 private:
  std::vector<uint64_t> ids_;
};

// A filter over a dense id range [0, bits.size()): id allowed iff bits[id].
class BitsetIdFilter final : public IdFilter {
 public:
  explicit BitsetIdFilter(std::vector<bool> bits);
  bool Contains(uint64_t id) const override { return id < bits_.size() && bits_[id]; }
  std::optional<size_t> EstimatedCount() const override { return count_; }

 private:
  std::vector<bool> bits_;
  size_t count_;
};

struct SearchParams {
  size_t k = 10;
  // Results below this cosine are dropped (the original's default is 0.4).
  float min_score = -std::numeric_limits<float>::infinity();
  const IdFilter* filter = nullptr;  // not owned; nullptr = every id
  // IVF lists probed; 0 = automatic (nlist / 32, at least 8). More = better recall, slower.
  size_t nprobe = 0;
  // Candidates reranked exactly; 0 = automatic (max(200, 4 * k)): with 4-bit PQ, 100
  // candidates gave recall@10 0.91 and 200 gave 0.96 on 1M clustered 384-d vectors, for
  // about 3 us more of int8 dot products (bench/README.md "vector").
  size_t rerank = 0;
  // Force the exact scan (the oracle for tests and benchmarks).
  bool exact = false;
};

struct SearchHit {
  uint64_t id;
  float score;  // cosine similarity, see the file comment
  bool operator==(const SearchHit&) const = default;
};

struct VectorIndexStats {
  size_t count = 0;         // live vectors
  size_t dead = 0;          // tombstoned rows awaiting compaction
  size_t ram_bytes = 0;     // heap memory of the index (codes, lists, model, tombstones)
  size_t mapped_bytes = 0;  // the memory-mapped row store (page cache, not heap)
  size_t disk_bytes = 0;    // committed files
  bool ivf = false;         // searches use IVF-PQ (else the exact scan)
  size_t nlist = 0;
  size_t trained_on = 0;
};

class VectorIndex {
 public:
  ~VectorIndex();
  VectorIndex(const VectorIndex&) = delete;
  VectorIndex& operator=(const VectorIndex&) = delete;

  // A new, empty index in `dir` (created if missing). An index already in `dir` stays intact
  // and loadable until the first Save() of the new one replaces it.
  // REQUIRES: options.dim > 0, !options.read_only.
  static Result<std::unique_ptr<VectorIndex>> Create(const std::string& dir,
                                                     const VectorIndexOptions& options);
  // The index last saved in `dir`: NotFound if there is none (no MANIFEST), Corruption if
  // its files are damaged (a MANIFEST that fails its own checksum, a data file missing,
  // shorter than the MANIFEST says, or failing its checksum; see VectorIndexOptions::verify),
  // FailedPrecondition if it has another format version or dimension, Unavailable if another
  // writer holds it.
  static Result<std::unique_ptr<VectorIndex>> Open(const std::string& dir,
                                                   const VectorIndexOptions& options);

  size_t dim() const { return dim_; }

  // Adds vectors (vectors.size() == ids.size() * dim). An id that is already live is not
  // replaced: use Replace() for updates. Zero vectors are stored and score 0.
  Status Add(std::span<const uint64_t> ids, std::span<const float> vectors);
  // Removes every live row whose id is listed (unknown ids are ignored). Costs one scan of the
  // stored ids (8 bytes per row, ~1 ms per million rows).
  Status Remove(std::span<const uint64_t> ids);
  // Remove(remove_ids) then Add(ids, vectors), published as one step.
  Status Replace(std::span<const uint64_t> remove_ids, std::span<const uint64_t> ids,
                 std::span<const float> vectors);

  // The k live vectors most similar to `query` (dim floats, normalised here), best first;
  // ties by ascending id.
  Result<std::vector<SearchHit>> Search(std::span<const float> query,
                                        const SearchParams& params) const;

  // Makes the current state durable and records `commit_tag` with it.
  Status Save(std::string_view commit_tag);
  // Rewrites the stores without tombstoned rows (Save() does it past compact_dead_fraction).
  Status Compact();

  // The tag of the state loaded by Open() or last saved ("" for a new index).
  std::string commit_tag() const;
  VectorIndexStats Stats() const;

 private:
  class Impl;
  VectorIndex(std::unique_ptr<Impl> impl, size_t dim);
  std::unique_ptr<Impl> impl_;
  size_t dim_;
};

}  // namespace codeindex::vec

#endif  // CODEINDEX_VECTOR_VECTOR_INDEX_H_
