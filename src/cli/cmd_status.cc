// `codeindex status`: state, counts and sizes of a workspace's index.
#include <iostream>

#include "cli/commands.h"
#include "server/shapes.h"

namespace codeindex::cli {

Status RunStatus(const StatusArgs& args, std::ostream& out) {
  ASSIGN_OR_RETURN(IndexStatus st, ReadIndexStatus(args.workspace));
  if (args.json) {
    out << Dump(IndexStatusJson(st)) << "\n";
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
