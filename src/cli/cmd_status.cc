// `codeindex status`: state, counts and sizes of a workspace's index.
#include <signal.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <iostream>

#include "base/file.h"
#include "cli/commands.h"
#include "index/config.h"
#include "index/index_dir.h"
#include "server/shapes.h"

namespace codeindex::cli {

namespace {

// The live statistics a running `serve` keeps in the index directory (LiveStatusPath), when
// the process that wrote them is still alive; null otherwise (none, or left by a killed one).
OrderedJson LiveStatus(const std::string& index_dir) {
  Result<std::string> text = ReadFile(LiveStatusPath(index_dir));
  if (!text.ok()) return nullptr;
  OrderedJson j = OrderedJson::parse(*text, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object() || !j.contains("pid") || !j["pid"].is_number_integer()) return nullptr;
  const pid_t pid = static_cast<pid_t>(j["pid"].get<int64_t>());
  if (pid <= 0 || (::kill(pid, 0) != 0 && errno != EPERM)) return nullptr;
  OrderedJson live;
  live["pid"] = pid;
  if (j.contains("written_at_unix") && j["written_at_unix"].is_number()) {
    const double now = std::chrono::duration<double>(
                           std::chrono::system_clock::now().time_since_epoch())
                           .count();
    live["age_seconds"] = std::max(0.0, now - j["written_at_unix"].get<double>());
  }
  for (const char* key : {"server", "cache", "metrics"}) {
    if (j.contains(key)) live[key] = j[key];
  }
  return live;
}

}  // namespace

Status RunStatus(const StatusArgs& args, std::ostream& out) {
  {
    const std::string& w = args.workspace.empty() ? std::string(".") : args.workspace;
    struct stat st;
    if (::stat(w.c_str(), &st) != 0) return Status::NotFound("workspace " + w + " does not exist");
    if (!S_ISDIR(st.st_mode)) return Status::InvalidArgument(w + " is not a directory");
  }
  ASSIGN_OR_RETURN(IndexStatus st, ReadIndexStatus(args.workspace));
  const OrderedJson live = LiveStatus(IndexDirFor(args.workspace));
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
    // The live counters and latency histograms belong to a running server (its cache lives
    // in that process): `live` carries what it last wrote, when it is still running.
    if (!live.is_null()) j["live"] = live;
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
  if (!live.is_null()) {
    char buf[200];
    const OrderedJson& srv = live.value("server", OrderedJson::object());
    const OrderedJson& cache = live.value("cache", OrderedJson::object());
    std::snprintf(buf, sizeof(buf),
                  "served by:    pid %lld: %lld searches, p50 %.2f ms, cache hit rate %.1f %%\n",
                  static_cast<long long>(live["pid"].get<int64_t>()),
                  static_cast<long long>(srv.value("searches", int64_t{0})),
                  srv.value("search_p50_ms", 0.0), 100 * cache.value("hit_rate", 0.0));
    out << buf;
  }
  return Status::OK();
}

}  // namespace codeindex::cli
