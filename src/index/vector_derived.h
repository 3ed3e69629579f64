// The vector index (vector/vector_index.h) as a derived index of the catalog: one embedding
// per block, made by the workspace's embedder from the block's trimmed content (as the
// original embeds; blocks whose trimmed content is empty get no vector, as in the original).
//
// The index's commit tag is the embedder's fingerprint (model files + settings): an index
// built by another model reports NeedsRebuild(), and the indexer re-embeds every block
// without re-parsing anything ("a change of model rebuilds the vectors only").
#ifndef CODEINDEX_INDEX_VECTOR_DERIVED_H_
#define CODEINDEX_INDEX_VECTOR_DERIVED_H_

#include <memory>
#include <string>

#include "embed/embedder.h"
#include "index/derived_index.h"
#include "vector/vector_index.h"

namespace codeindex {

// The trimmed text the original embeds (JavaScript String.prototype.trim()'s ASCII subset:
// space, tab, CR, LF, VT, FF).
std::string_view TrimmedForEmbedding(std::string_view content);

class VectorDerivedIndex : public DerivedIndex {
 public:
  // Opens (or creates) the index in `dir` for `embedder`'s vectors. `threads` embed in
  // parallel inside Update() (0 = one per core).
  static Result<std::unique_ptr<VectorDerivedIndex>> Open(const std::string& dir,
                                                          std::shared_ptr<const Embedder> embedder,
                                                          int threads);

  std::string name() const override { return "vector index"; }
  Status Update(const std::vector<DirtyFile>& files) override;
  Status Commit() override;
  Status Clear() override;
  uint64_t SizeBytes() const override;
  bool NeedsRebuild() const override { return needs_rebuild_; }

  vec::VectorIndex* index() { return index_.get(); }

 private:
  VectorDerivedIndex(std::string dir, std::shared_ptr<const Embedder> embedder, int threads)
      : dir_(std::move(dir)), embedder_(std::move(embedder)), threads_(threads) {}
  Status CreateEmpty();

  std::string dir_;
  std::shared_ptr<const Embedder> embedder_;
  int threads_;
  std::unique_ptr<vec::VectorIndex> index_;
  bool needs_rebuild_ = false;
};

}  // namespace codeindex

#endif  // CODEINDEX_INDEX_VECTOR_DERIVED_H_
