// How an index knows that it is damaged (docs/index-format.md, "Checks and repair").
//
// An index is the catalog (the source of truth) and the indexes derived from it (text,
// vectors). Three kinds of check, from cheapest to dearest:
//   1. Structure: the files are there and open; headers and sizes are what was written; the
//      vector index's MANIFEST checksum and the CRC-32 of its data files (vector_index.h).
//   2. Agreement with the catalog: each derived index records the catalog stamp (catalog id
//      and generation) of its last commit; with the catalog at rest it must be the
//      catalog's, and its number of entries must fit the catalog's live blocks
//      (CompareWithCatalog).
//   3. Full: SQLite's integrity_check of the catalog, Xapian's check of every table of the
//      text index, every checksum of the vector index.
// Every open does 1 and 2, and 3 for the parts of at most kFullCheckAtOpenBytes (the
// vector index's checksums, cheap, always when opened for writing). `codeindex check` does
// all three whatever the size (CheckIndex with CheckDepth::kFull).
//
// Who repairs: the indexer (index/indexer.h), at the start of every full run (`index`,
// `watch`, `serve`): a catalog that cannot be opened or fails quick_check is deleted and the
// whole index rebuilt from the files; a derived index that is unusable or disagrees with
// the catalog is rebuilt from the catalog. Readers (search, status) only report, with one
// line naming the part and the fix (DamagedError).
#ifndef CODEINDEX_INDEX_HEALTH_H_
#define CODEINDEX_INDEX_HEALTH_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "index/derived_index.h"
#include "store/catalog.h"

namespace codeindex {

// Parts of an index at most this large are verified in full whenever they are opened: the
// text index by Xapian's check (about 6 ms per MB: 25 ms), the catalog by SQLite's
// quick_check when a reader opens it. Above it, opening costs no more than before (the
// writer still runs quick_check on any catalog, see Indexer); `codeindex check` verifies
// everything.
inline constexpr uint64_t kFullCheckAtOpenBytes = uint64_t{4} << 20;

// How the number of entries of a derived index relates to the catalog's live blocks.
enum class CountRule {
  kEqual,   // the text index: one document per block
  kAtMost,  // the vector index: a block of white space only gets no vector
};

// The last commit of a derived index, as its reader or writer sees it.
struct DerivedState {
  std::optional<CatalogStamp> stamp;  // nullopt: none recorded (new, or made before stamps)
  uint64_t count = 0;                 // documents or vectors
};

// Compares a derived index with the catalog: "" when they agree, else why not, as a
// phrase that completes "the text index ...": "is empty but the catalog has 40 blocks".
//   strict (the writer, after recovery, so the catalog is at rest): the stamp must be the
//     catalog's and the count must fit.
//   !strict (a reader, which may race a writer): the derived index is read after the
//     catalog, so a later generation of the same catalog is accepted; with dirty rows in the
//     catalog nothing is concluded. A stamp behind the catalog's, or of another catalog, is
//     reported, and the count is compared when the stamps are equal.
// An empty derived index agrees with a catalog without live blocks whatever its stamp.
std::string CompareWithCatalog(const DerivedState& derived, CountRule rule,
                               const CatalogState& catalog, bool strict);

// kCorruption "the <part> in <dir> is damaged (<detail>); run `codeindex index` to repair".
Status DamagedError(std::string_view part, std::string_view dir, std::string_view detail);

// One problem found by CheckIndex.
struct IndexProblem {
  std::string part;     // "catalog", "text index", "vector index"
  std::string problem;  // what is wrong, one line completing "the <part> ...":
                        // "is damaged (...)", "is missing (...)", "is behind the catalog (...)"
};

enum class CheckDepth { kQuick, kFull };

struct IndexCheckReport {
  bool exists = false;                 // there is a catalog at all
  bool writer_active = false;          // a writer held the lock: comparisons may be skipped
  std::vector<IndexProblem> problems;  // empty: sound
  CatalogState catalog;
  int64_t files = 0;
  std::optional<uint64_t> text_blocks;  // when the text index could be read
  std::optional<uint64_t> vectors;      // when the index has a readable vector index
  bool vectors_expected = false;        // the index was made with an embedding model
};

// Verifies the index in `index_dir` without changing anything. kQuick is what an open does
// (`status`); kFull verifies every byte (`codeindex check`): PRAGMA integrity_check, Xapian's
// check, every vector checksum, plus the comparisons with the catalog. Safe while a writer
// runs. Errors only when the check itself cannot run (no index is not an error: exists is
// false).
Result<IndexCheckReport> CheckIndex(const std::string& index_dir, CheckDepth depth);

}  // namespace codeindex

#endif  // CODEINDEX_INDEX_HEALTH_H_
