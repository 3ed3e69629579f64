// The BM25 text index (text/text_index.h) as a derived index of the catalog.
#ifndef CODEINDEX_INDEX_TEXT_DERIVED_H_
#define CODEINDEX_INDEX_TEXT_DERIVED_H_

#include <memory>
#include <string>

#include "index/derived_index.h"
#include "text/text_index.h"

namespace codeindex {

class TextDerivedIndex : public DerivedIndex {
 public:
  // Opens (creating) the text index in `dir` for writing. An index of another format
  // version is deleted and recreated empty (the catalog's dirty protocol cannot repair it;
  // the caller's content hash forces a rebuild).
  static Result<std::unique_ptr<TextDerivedIndex>> Open(const std::string& dir, bool sync);

  std::string name() const override { return "text index"; }
  // Per file: delete everything of the path, then add its live blocks (idempotent).
  Status Update(const std::vector<DirtyFile>& files) override;
  Status Commit() override;
  // Deletes the directory and starts an empty index (effective at once).
  Status Clear() override;
  uint64_t SizeBytes() const override;

 private:
  TextDerivedIndex(std::string dir, bool sync, std::unique_ptr<TextIndexWriter> writer)
      : dir_(std::move(dir)), sync_(sync), writer_(std::move(writer)) {}

  std::string dir_;
  bool sync_;
  std::unique_ptr<TextIndexWriter> writer_;
};

}  // namespace codeindex

#endif  // CODEINDEX_INDEX_TEXT_DERIVED_H_
