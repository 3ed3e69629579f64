// The transport-independent core of `codeindex serve`: every operation of the HTTP API and
// of the MCP tools, answering a Reply (HTTP status + JSON body). The HTTP server
// (http_server.h) and the MCP server (mcp_server.h) are thin adapters over it, so that both
// give the same answers and the same errors.
//
// Searches go through the same Searcher (search/searcher.h) as `codeindex search`, with the
// workspace's config.toml defaults. The Searcher is shared by all requests and replaced
// (under a short lock, readers keep the old one until they finish) after every index run, so
// a search always sees one consistent snapshot of the index while the updater writes the next.
//
// Errors: every reply is JSON. Failures are {"error": "..."} with 400 (bad request), 403 (path
// outside the workspace), 404 (no such file),
// 503 (no index yet / semantic search unavailable), 500 (internal).
//
// Thread safety: every method is thread-safe.
#ifndef CODEINDEX_SERVER_SERVICE_H_
#define CODEINDEX_SERVER_SERVICE_H_

#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "base/status.h"
#include "cache/cache.h"
#include "cache/stats.h"
#include "index/config.h"
#include "parse/symbols.h"
#include "search/searcher.h"
#include "server/events.h"
#include "server/stats.h"
#include "server/updater.h"

namespace codeindex {

struct Reply {
  int status = 200;
  std::string body;          // JSON text, unless content_type says otherwise
  std::string content_type;  // empty: application/json
};

// Maps a Status onto the server's HTTP status (differs from base/status.h HttpStatusFor where
// the API says more: no index yet is 503, not implemented 501): invalid argument 400, not found
// 404, failed precondition / unavailable / cancelled 503, not implemented (kUsage) 501, others 500.
int ReplyStatusFor(const Status& s);
// {"error": message} with the status ReplyStatusFor(s).
Reply ErrorReply(const Status& s);
Reply ErrorReply(int status, std::string_view message);

struct ServiceOptions {
  std::string workspace;  // REQUIRES: an existing directory
  // Run the background indexer (index once at start, again on POST /v1/index). When another
  // process holds the index's writer lock, the service serves read-only and says so.
  bool run_indexer = true;
  bool update_on_start = true;
  int index_threads = 0;  // 0 = one per core
  // Largest file `symbols` / `context` will read. Default 16 MiB: larger files are not
  // source code a client wants in one answer (the scanner skips files over 1 MiB anyway).
  uint64_t max_file_bytes = 16u << 20;
  // Flags over config.toml's [cache] (--no-cache, --cache-size-mb, --cache-ttl); the other
  // fields of ConfigOverrides are ignored here.
  ConfigOverrides cache_overrides;
  // Every this many seconds the live statistics (the /v1/status object) are written to
  // LiveStatusPath(index dir), where `codeindex status` reads them; 0: never.
  double live_status_seconds = 5;
};

class Service {
 public:
  static Result<std::unique_ptr<Service>> Start(ServiceOptions options);
  ~Service();
  Service(const Service&) = delete;
  Service& operator=(const Service&) = delete;

  // POST /v1/search body (JSON text).
  Reply Search(std::string_view body);
  // The same from parsed arguments (MCP codebase_search). `args` as the HTTP body.
  Reply SearchArgs(const nlohmann::json& args);
  // GET /v1/symbols?file=PATH
  Reply Symbols(std::string_view file);
  // GET /v1/context?file=PATH&start=N&end=M (start/end as given in the query, validated).
  Reply Context(std::string_view file, long long start, long long end);
  // Symbols named `name` in the index (MCP find_symbol).
  Reply FindSymbol(std::string_view name, size_t limit);
  // GET /v1/status
  Reply IndexStatusReply();
  // POST /v1/index
  Reply Reindex();
  // GET /metrics: every counter, gauge and latency summary in Prometheus text format.
  Reply Metrics();

  EventBus& events() { return events_; }
  ServerStats& stats() { return stats_; }
  // The in-memory cache (cache/cache.h) of searches, query embeddings and file symbols;
  // capacity 0 when disabled.
  Cache& cache() { return *cache_; }
  const std::string& workspace() const { return root_; }

  // Stops the indexer at its next batch boundary (the index stays consistent). Idempotent.
  void Stop();

 private:
  explicit Service(ServiceOptions options);
  std::shared_ptr<const Searcher> CurrentSearcher(Status* error);
  void ReopenSearcher();
  Result<std::string> ReadWorkspaceFile(std::string_view file, std::string* relative);
  // Symbols of `content` (the file `relative`), from the cache when the same content was
  // parsed before (keyed by language and content hash).
  Result<std::shared_ptr<const FileSymbols>> SymbolsOf(const std::string& relative,
                                                        const std::string& content);
  // The "cache" object of status.
  nlohmann::ordered_json CacheJson() const;
  // The live-status writer (ServiceOptions::live_status_seconds).
  void LiveStatusLoop();
  void StopLiveStatus();

  ServiceOptions options_;
  std::string root_;  // canonical absolute workspace path
  std::string index_dir_;
  WorkspaceConfig config_;
  EventBus events_;
  ServerStats stats_;
  std::shared_ptr<Cache> cache_;
  int symbols_space_ = -1;
  int collector_id_ = 0;  // MetricsRegistry::Global() collector of cache and server counters
  Histogram* symbols_latency_ = nullptr;
  Histogram* context_latency_ = nullptr;
  std::unique_ptr<IndexUpdater> updater_;
  std::string read_only_reason_;  // why there is no updater

  std::mutex searcher_mu_;
  std::shared_ptr<const Searcher> searcher_;  // GUARDED_BY(searcher_mu_)

  std::mutex live_mu_;
  std::condition_variable live_cv_;
  bool live_stop_ = false;  // GUARDED_BY(live_mu_)
  std::thread live_thread_;
};

}  // namespace codeindex

#endif  // CODEINDEX_SERVER_SERVICE_H_
