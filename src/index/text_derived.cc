#include "index/text_derived.h"

#include <filesystem>

#include "index/health.h"
#include "index/index_dir.h"

namespace codeindex {

namespace {

// Why the text index in `dir` cannot be used as it is ("" when it can, or when there is
// none): its version file is missing while its tables are there, or (when small enough to
// check quickly) Xapian's check finds its tables damaged.
std::string Unusable(const std::string& dir) {
  namespace fs = std::filesystem;
  std::error_code ec;
  bool tables = false;
  for (auto it = fs::directory_iterator(dir, ec); !ec && it != fs::directory_iterator();
       it.increment(ec)) {
    if (it->path().extension() == ".glass") tables = true;
  }
  if (!tables) return "";
  if (!fs::exists(fs::path(dir) / "iamglass", ec)) return "its version file iamglass is missing";
  if (TreeSizeBytes(dir) > kFullCheckAtOpenBytes) return "";
  Status checked = CheckTextIndexFiles(dir);
  if (checked.code() == Code::kCorruption) return checked.message();
  return "";
}

}  // namespace

Result<std::unique_ptr<TextDerivedIndex>> TextDerivedIndex::Open(const std::string& dir,
                                                                 bool sync) {
  TextWriterOptions options;
  options.sync = sync;
  std::string reason = Unusable(dir);
  Result<std::unique_ptr<TextIndexWriter>> writer =
      reason.empty() ? TextIndexWriter::Open(dir, options)
                     : Result<std::unique_ptr<TextIndexWriter>>(Status::Corruption(reason));
  if (!writer.ok() && writer.error().code() != Code::kUnavailable) {
    // Another format, damaged, unreadable: start empty; the indexer rebuilds it from the
    // catalog (the dirty protocol cannot repair it).
    reason = writer.error().message();
    RETURN_IF_ERROR(RemoveTree(dir));
    writer = TextIndexWriter::Open(dir, options);
  }
  if (!writer.ok()) return writer.error();
  std::unique_ptr<TextDerivedIndex> d(new TextDerivedIndex(dir, sync, std::move(writer).value()));
  d->rebuild_reason_ = std::move(reason);
  return d;
}

std::string TextDerivedIndex::CheckAgainst(const CatalogState& catalog) const {
  DerivedState state;
  state.stamp = CatalogStamp::Parse(writer_->CommittedTag());
  Result<uint64_t> count = writer_->DocCount();
  if (!count.ok()) return count.error().message();
  state.count = *count;
  return CompareWithCatalog(state, CountRule::kEqual, catalog, /*strict=*/true);
}

Status TextDerivedIndex::Update(const std::vector<DirtyFile>& files) {
  for (const DirtyFile& f : files) {
    RETURN_IF_ERROR(writer_->DeleteFile(f.path));
    for (const BlockRecord& b : f.live_blocks) {
      // The block's context (enclosing signatures) is indexed with it: a method split out
      // of its class still matches the class's name.
      if (b.context.empty()) {
        RETURN_IF_ERROR(writer_->AddBlock(static_cast<uint64_t>(b.id), f.path,
                                          b.identifier.value_or(""), b.content));
      } else {
        RETURN_IF_ERROR(writer_->AddBlock(static_cast<uint64_t>(b.id), f.path,
                                          b.identifier.value_or(""),
                                          b.context + "\n" + b.content));
      }
    }
  }
  return Status::OK();
}

Status TextDerivedIndex::Commit() { return writer_->Commit(stamp_.ToString()); }

Status TextDerivedIndex::Clear() {
  writer_.reset();
  RETURN_IF_ERROR(RemoveTree(dir_));
  TextWriterOptions options;
  options.sync = sync_;
  ASSIGN_OR_RETURN(writer_, TextIndexWriter::Open(dir_, options));
  rebuild_reason_.clear();
  return Status::OK();
}

uint64_t TextDerivedIndex::SizeBytes() const { return TreeSizeBytes(dir_); }

}  // namespace codeindex
