// The vector index (vector/vector_index.h) as a derived index of the catalog: one embedding
// per block, made by the workspace's embedder from the block's trimmed content (as the
// original embeds; blocks whose trimmed content is empty get no vector, as in the original).
//
// The index's commit tag is the embedder's fingerprint (model files + settings), a newline,
// and the catalog stamp of the commit (index/derived_index.h): an index built by another
// model reports a RebuildReason(), and the indexer re-embeds every block without re-parsing
// anything ("a change of model rebuilds the vectors only"). So does an index found missing
// its MANIFEST, damaged (vector/vector_index.h: checksums of every file, verified in full
// when opened here) or of another format: it is replaced by an empty one at Open().
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
  void SetCatalogStamp(const CatalogStamp& stamp) override { stamp_ = stamp; }
  std::string RebuildReason() const override { return rebuild_reason_; }
  std::string CheckAgainst(const CatalogState& catalog) const override;

  vec::VectorIndex* index() { return index_.get(); }

 private:
  VectorDerivedIndex(std::string dir, std::shared_ptr<const Embedder> embedder, int threads)
      : dir_(std::move(dir)), embedder_(std::move(embedder)), threads_(threads) {}
  Status CreateEmpty();

  std::string dir_;
  std::shared_ptr<const Embedder> embedder_;
  int threads_;
  std::unique_ptr<vec::VectorIndex> index_;
  std::string rebuild_reason_;
  CatalogStamp stamp_;  // recorded by the next Commit()
};

// The vector index's commit tag: "<fingerprint>\n<catalog stamp>".
std::string VectorCommitTag(std::string_view fingerprint, const CatalogStamp& stamp);
// Its parts; the stamp is nullopt for a tag without one.
void SplitVectorCommitTag(std::string_view tag, std::string* fingerprint,
                          std::optional<CatalogStamp>* stamp);

}  // namespace codeindex

#endif  // CODEINDEX_INDEX_VECTOR_DERIVED_H_
