// A derived index: a structure built from the catalog's blocks (the BM25 text index, the
// vector index) that the indexer keeps in step with the catalog through the dirty-file
// protocol of store/catalog.h.
//
// Update() must be idempotent per file: applying the same DirtyFile twice leaves the same
// state as applying it once (delete the file's stale and live blocks, then add the live
// ones). Commit() makes every Update() since the last commit durable and visible to new
// readers at once; a process killed before Commit() leaves the previous committed state.
//
// Knowing when it is damaged (docs/index-format.md, "Checks and repair"). Each commit records
// the catalog state it reflects (SetCatalogStamp(), called by the indexer before every
// Commit()). At the start of every full run the indexer rebuilds a derived index from the
// catalog when RebuildReason() says so (found at open: missing, unreadable or damaged files,
// another format, other settings), or when CheckAgainst() finds that its committed state is
// not the catalog's (another catalog, another generation, another number of blocks).
//
// Thread safety: the indexer calls every method from one thread.
#ifndef CODEINDEX_INDEX_DERIVED_INDEX_H_
#define CODEINDEX_INDEX_DERIVED_INDEX_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "store/catalog.h"

namespace codeindex {

// The catalog state a derived index was committed from: the catalog's identity and its
// generation (store/catalog.h). Stored inside the derived index's own commit (text: the
// commit tag; vectors: the MANIFEST's tag) as "<catalog id>/<generation>".
struct CatalogStamp {
  std::string catalog_id;
  int64_t generation = 0;

  std::string ToString() const;
  // nullopt when `s` is not a stamp (empty: a new index or one made before stamps existed).
  static std::optional<CatalogStamp> Parse(std::string_view s);
  bool operator==(const CatalogStamp&) const = default;
};

class DerivedIndex {
 public:
  virtual ~DerivedIndex() = default;
  virtual std::string name() const = 0;
  virtual Status Update(const std::vector<DirtyFile>& files) = 0;
  virtual Status Commit() = 0;
  // Drops everything (a rebuild); committed by the next Commit().
  virtual Status Clear() = 0;
  // Bytes on disk, for `status`.
  virtual uint64_t SizeBytes() const = 0;

  // The catalog state the next Commit() records. Indexes that keep no state on disk (test
  // fakes, the server's event notifier) ignore it.
  virtual void SetCatalogStamp(const CatalogStamp& stamp) { (void)stamp; }
  // Why every block must be re-added ("" when not): the stored contents were missing,
  // unreadable or damaged when opened (and were replaced by an empty index), or were made
  // under other settings (e.g. another embedding model). The indexer then calls Clear(),
  // Update() with every live block of the catalog, and Commit(), without re-parsing any file.
  virtual std::string RebuildReason() const { return ""; }
  // Compares the last commit with `catalog`, which is at rest (no dirty rows): "" when they
  // match, else why not, in words (index/health.h, CompareWithCatalog). Cheap: no scan.
  virtual std::string CheckAgainst(const CatalogState& catalog) const {
    (void)catalog;
    return "";
  }
};

}  // namespace codeindex

#endif  // CODEINDEX_INDEX_DERIVED_INDEX_H_
