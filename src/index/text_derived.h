// The BM25 text index (text/text_index.h) as a derived index of the catalog.
//
// Its commit tag is the catalog stamp of the commit (index/derived_index.h). Open() replaces
// an index it cannot use by an empty one and says why in RebuildReason(): missing version
// file, unreadable or damaged tables (Xapian's full check runs at every open when the index
// is at most kFullCheckAtOpenBytes, index/health.h), or another format version.
#ifndef CODEINDEX_INDEX_TEXT_DERIVED_H_
#define CODEINDEX_INDEX_TEXT_DERIVED_H_

#include <memory>
#include <string>

#include "index/derived_index.h"
#include "text/text_index.h"

namespace codeindex {

class TextDerivedIndex : public DerivedIndex {
 public:
  // Opens (creating) the text index in `dir` for writing. Fails only when another process
  // writes it (kUnavailable) or a new index cannot be made there.
  static Result<std::unique_ptr<TextDerivedIndex>> Open(const std::string& dir, bool sync);

  std::string name() const override { return "text index"; }
  // Per file: delete everything of the path, then add its live blocks (idempotent).
  Status Update(const std::vector<DirtyFile>& files) override;
  Status Commit() override;
  // Deletes the directory and starts an empty index (effective at once).
  Status Clear() override;
  uint64_t SizeBytes() const override;
  void SetCatalogStamp(const CatalogStamp& stamp) override { stamp_ = stamp; }
  std::string RebuildReason() const override { return rebuild_reason_; }
  std::string CheckAgainst(const CatalogState& catalog) const override;

 private:
  TextDerivedIndex(std::string dir, bool sync, std::unique_ptr<TextIndexWriter> writer)
      : dir_(std::move(dir)), sync_(sync), writer_(std::move(writer)) {}

  std::string dir_;
  bool sync_;
  std::unique_ptr<TextIndexWriter> writer_;
  std::string rebuild_reason_;
  CatalogStamp stamp_;  // recorded by the next Commit()
};

}  // namespace codeindex

#endif  // CODEINDEX_INDEX_TEXT_DERIVED_H_
