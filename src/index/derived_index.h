// A derived index: a structure built from the catalog's blocks (the BM25 text index, the
// vector index) that the indexer keeps in step with the catalog through the dirty-file
// protocol of store/catalog.h.
//
// Update() must be idempotent per file: applying the same DirtyFile twice leaves the same
// state as applying it once (delete the file's stale and live blocks, then add the live
// ones). Commit() makes every Update() since the last commit durable and visible to new
// readers at once; a process killed before Commit() leaves the previous committed state.
//
// Thread safety: the indexer calls Update() and Commit() from one thread.
#ifndef CODEINDEX_INDEX_DERIVED_INDEX_H_
#define CODEINDEX_INDEX_DERIVED_INDEX_H_

#include <string>
#include <vector>

#include "base/status.h"
#include "store/catalog.h"

namespace codeindex {

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
  // True when the stored contents were made under other settings (e.g. another embedding
  // model) and every block must be re-added: the indexer then calls Clear(), Update() with
  // every live block of the catalog, and Commit(), without re-parsing any file.
  virtual bool NeedsRebuild() const { return false; }
};

}  // namespace codeindex

#endif  // CODEINDEX_INDEX_DERIVED_INDEX_H_
