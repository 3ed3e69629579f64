// `codeindex status`: state, counts and sizes of a workspace's index.
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "index/index_dir.h"
#include "index/indexer.h"
#include "store/catalog.h"

namespace codeindex::cli {

namespace {

struct IndexStatus {
  std::string state = "Standby";
  std::string message = "no index yet; run `codeindex index`";
  CatalogCounts counts;
  uint64_t index_bytes = 0;
  std::string model;
  std::string last_indexed_at;
};

Result<IndexStatus> ReadStatus(const std::string& workspace) {
  IndexStatus st;
  std::string dir = IndexDirFor(workspace);
  auto catalog = Catalog::Open(dir, Catalog::Mode::kReadOnly);
  if (!catalog.ok()) {
    if (catalog.error().code() == Code::kNotFound) return st;
    return catalog.error();
  }
  Catalog& c = **catalog;
  ASSIGN_OR_RETURN(st.counts, c.Counts());
  ASSIGN_OR_RETURN(auto state, c.GetMeta(kMetaState));
  ASSIGN_OR_RETURN(auto message, c.GetMeta(kMetaStateMessage));
  ASSIGN_OR_RETURN(auto last, c.GetMeta(kMetaLastIndexedAt));
  ASSIGN_OR_RETURN(auto model, c.GetMeta("model"));
  st.state = state.value_or("Standby");
  st.message = message.value_or("");
  if (st.state == "Indexing" && !WriterLock::IsHeld(dir)) {
    // The writer died (killed, crashed): the index is consistent but not complete.
    st.state = "Standby";
    st.message = "the last indexing run was interrupted; run `codeindex index` to finish it";
  }
  st.last_indexed_at = last.value_or("");
  st.model = model.value_or("");
  st.index_bytes = TreeSizeBytes(dir);
  return st;
}

}  // namespace

Status RunStatus(const StatusArgs& args, std::ostream& out) {
  ASSIGN_OR_RETURN(IndexStatus st, ReadStatus(args.workspace));
  if (args.json) {
    nlohmann::json j = {
        {"state", st.state},
        {"message", st.message},
        {"files", st.counts.files},
        {"blocks", st.counts.blocks},
        {"symbols", st.counts.symbols},
        {"index_bytes", st.index_bytes},
        {"model", st.model},
        {"last_indexed_at", st.last_indexed_at.empty() ? nlohmann::json(nullptr)
                                                       : nlohmann::json(st.last_indexed_at)},
    };
    out << j.dump() << "\n";
    return Status::OK();
  }
  out << "state:        " << st.state;
  if (!st.message.empty()) out << " (" << st.message << ")";
  out << "\nfiles:        " << st.counts.files << "\nblocks:       " << st.counts.blocks
      << "\nsymbols:      " << st.counts.symbols << "\nindex size:   " << st.index_bytes
      << " bytes\n";
  if (!st.model.empty()) out << "model:        " << st.model << "\n";
  if (!st.last_indexed_at.empty()) out << "last indexed: " << st.last_indexed_at << "\n";
  return Status::OK();
}

}  // namespace codeindex::cli
