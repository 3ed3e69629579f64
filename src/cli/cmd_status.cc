// `codeindex status`: state, counts and sizes of a workspace's index.
#include <cstdio>
#include <iostream>

#include "cli/commands.h"
#include "index/config.h"
#include "index/index_dir.h"
#include "server/shapes.h"

namespace codeindex::cli {

Status RunStatus(const StatusArgs& args, std::ostream& out) {
  ASSIGN_OR_RETURN(IndexStatus st, ReadIndexStatus(args.workspace));
  if (args.json) {
    OrderedJson j = IndexStatusJson(st);
    // The cache lives in long-running processes (serve, serve --mcp), whose status also
    // carries its counters; here, its configuration.
    Result<WorkspaceConfig> config = LoadConfig(IndexDirFor(args.workspace));
    if (config.ok()) {
      const CacheOptions o = ToCacheOptions(config->cache);
      OrderedJson c;
      c["enabled"] = o.capacity_bytes > 0;
      c["capacity_bytes"] = o.capacity_bytes;
      c["ttl_seconds"] = std::chrono::duration<double>(o.ttl).count();
      c["policy"] = std::string(EvictionPolicyName(o.policy));
      j["cache"] = std::move(c);
    }
    out << Dump(j) << "\n";
    return Status::OK();
  }
  out << "state:        " << st.state;
  if (!st.message.empty()) out << " (" << st.message << ")";
  out << "\nfiles:        " << st.counts.files << "\nblocks:       " << st.counts.blocks
      << "\nsymbols:      " << st.counts.symbols << "\nindex size:   " << st.index_bytes
      << " bytes\n";
  if (st.counts.lines > 0) {
    char buf[96];
    std::snprintf(buf, sizeof(buf), "coverage:     %.2f %% of %lld non-blank lines in blocks\n",
                  100.0 * static_cast<double>(st.counts.covered_lines) /
                      static_cast<double>(st.counts.lines),
                  static_cast<long long>(st.counts.lines));
    out << buf;
  }
  if (!st.model.empty()) out << "model:        " << st.model << "\n";
  if (!st.last_indexed_at.empty()) out << "last indexed: " << st.last_indexed_at << "\n";
  return Status::OK();
}

}  // namespace codeindex::cli
