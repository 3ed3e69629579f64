#include "index/text_derived.h"

#include "index/index_dir.h"

namespace codeindex {

Result<std::unique_ptr<TextDerivedIndex>> TextDerivedIndex::Open(const std::string& dir,
                                                                 bool sync) {
  TextWriterOptions options;
  options.sync = sync;
  auto writer = TextIndexWriter::Open(dir, options);
  if (!writer.ok() && writer.error().code() == Code::kFailedPrecondition) {
    RETURN_IF_ERROR(RemoveTree(dir));
    writer = TextIndexWriter::Open(dir, options);
  }
  if (!writer.ok()) return writer.error();
  return std::unique_ptr<TextDerivedIndex>(
      new TextDerivedIndex(dir, sync, std::move(writer).value()));
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

Status TextDerivedIndex::Commit() { return writer_->Commit(""); }

Status TextDerivedIndex::Clear() {
  writer_.reset();
  RETURN_IF_ERROR(RemoveTree(dir_));
  TextWriterOptions options;
  options.sync = sync_;
  ASSIGN_OR_RETURN(writer_, TextIndexWriter::Open(dir_, options));
  return Status::OK();
}

uint64_t TextDerivedIndex::SizeBytes() const { return TreeSizeBytes(dir_); }

}  // namespace codeindex
