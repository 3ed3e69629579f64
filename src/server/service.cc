#include "server/service.h"

#include <chrono>

#include <limits.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/file.h"
#include "index/index_dir.h"
#include "parse/parser.h"
#include "parse/symbols.h"
#include "scan/scanner.h"
#include "server/log.h"
#include "server/request.h"
#include "server/shapes.h"

namespace codeindex {

int ReplyStatusFor(const Status& s) {
  switch (s.code()) {
    case Code::kOk:
      return 200;
    case Code::kInvalidArgument:
      return 400;
    case Code::kNotFound:
      return 404;
    case Code::kFailedPrecondition:
    case Code::kUnavailable:
    case Code::kCancelled:
      return 503;
    case Code::kUsage:
      return 501;  // Status::NotImplemented
    default:
      return 500;
  }
}

Reply ErrorReply(int status, std::string_view message) {
  nlohmann::json j = {{"error", message}};
  return Reply{status, Dump(j)};
}

Reply ErrorReply(const Status& s) { return ErrorReply(ReplyStatusFor(s), s.message()); }

Result<std::unique_ptr<Service>> Service::Start(ServiceOptions options) {
  ASSIGN_OR_RETURN(std::string root, ResolveWorkspaceRoot(options.workspace));
  std::unique_ptr<Service> s(new Service(std::move(options)));
  s->root_ = std::move(root);
  s->index_dir_ = IndexDirFor(s->root_);
  ASSIGN_OR_RETURN(s->config_, LoadConfig(s->index_dir_));
  {
    ConfigOverrides cache_only;
    cache_only.cache_enabled = s->options_.cache_overrides.cache_enabled;
    cache_only.cache_size_mb = s->options_.cache_overrides.cache_size_mb;
    cache_only.cache_ttl_seconds = s->options_.cache_overrides.cache_ttl_seconds;
    RETURN_IF_ERROR(ApplyOverrides(cache_only, &s->config_));
  }
  s->cache_ = std::make_shared<Cache>(ToCacheOptions(s->config_.cache));
  s->symbols_space_ = s->cache_->Space("symbols");
  s->cache_->Space("embedding");  // the Searcher's spaces, listed in status from the start
  s->cache_->Space("search");
  MetricsRegistry& m = MetricsRegistry::Global();
  s->symbols_latency_ = m.GetHistogram("codeindex_symbols_seconds", "Latency of symbols requests.");
  s->context_latency_ = m.GetHistogram("codeindex_context_seconds", "Latency of context requests.");
  s->ReopenSearcher();
  if (s->options_.run_indexer) {
    BackgroundIndexerOptions bo;
    bo.workspace = s->root_;
    bo.index_dir = s->index_dir_;
    bo.update_on_start = s->options_.update_on_start;
    bo.threads = s->options_.index_threads;
    bo.on_run_finished = [p = s.get()] { p->ReopenSearcher(); };
    auto updater = BackgroundIndexer::Start(std::move(bo), &s->events_);
    if (updater.ok()) {
      s->updater_ = std::move(updater).value();
    } else {
      // Another process (`codeindex index`, another server) writes the index: serve what is
      // there; searches still see its snapshots.
      s->read_only_reason_ = updater.error().message();
      LogLine("serving read-only: " + s->read_only_reason_);
    }
  }
  // Registered last: the collector reads members set above.
  s->collector_id_ = MetricsRegistry::Global().AddCollector([p = s.get()](
                                                               std::vector<MetricSample>* out) {
    for (const CacheSpaceStats& c : p->cache_->Stats()) {
      const MetricLabels l = {{"space", c.name}};
      out->push_back({"codeindex_cache_hits_total", "Cache lookups answered.", true, l,
                      static_cast<double>(c.hits)});
      out->push_back({"codeindex_cache_misses_total", "Cache lookups not answered.", true, l,
                      static_cast<double>(c.misses)});
      out->push_back({"codeindex_cache_evictions_total", "Entries evicted or refused for room.",
                      true, l, static_cast<double>(c.evictions)});
      out->push_back({"codeindex_cache_expirations_total", "Entries dropped by their TTL.", true,
                      l, static_cast<double>(c.expirations)});
      out->push_back({"codeindex_cache_entries", "Entries held.", false, l,
                      static_cast<double>(c.entries)});
      out->push_back({"codeindex_cache_bytes", "Bytes charged to held entries.", false, l,
                      static_cast<double>(c.bytes)});
    }
    out->push_back({"codeindex_cache_capacity_bytes", "The cache's memory cap.", false, {},
                    static_cast<double>(p->cache_->options().capacity_bytes)});
    const ServerStats& srv = p->stats_;
    out->push_back({"codeindex_http_requests_total", "Requests answered (HTTP and MCP tools).",
                    true, {}, static_cast<double>(srv.requests())});
    out->push_back({"codeindex_http_client_errors_total", "Requests answered with 4xx.", true, {},
                    static_cast<double>(srv.client_errors())});
    out->push_back({"codeindex_http_server_errors_total", "Requests answered with 5xx.", true, {},
                    static_cast<double>(srv.server_errors())});
    out->push_back({"codeindex_searches_total", "Searches answered (ok or not).", true, {},
                    static_cast<double>(srv.searches())});
    out->push_back({"codeindex_search_errors_total", "Searches that failed.", true, {},
                    static_cast<double>(srv.search_errors())});
    out->push_back({"codeindex_timeouts_total", "Connections closed by a read or write timeout.",
                    true, {}, static_cast<double>(srv.timeouts())});
    out->push_back({"codeindex_rejected_total", "Connections refused at the limit.", true, {},
                    static_cast<double>(srv.rejected())});
    out->push_back({"codeindex_connections", "Open connections.", false, {},
                    static_cast<double>(srv.connections.load())});
    out->push_back({"codeindex_in_flight", "Requests being handled.", false, {},
                    static_cast<double>(srv.in_flight.load())});
    out->push_back({"codeindex_sse_clients", "Event-stream subscribers.", false, {},
                    static_cast<double>(srv.sse_clients.load())});
    out->push_back({"codeindex_uptime_seconds", "Seconds since the server started.", false, {},
                    srv.uptime_seconds()});
  });
  if (s->options_.live_status_seconds > 0) {
    s->live_thread_ = std::thread([p = s.get()] { p->LiveStatusLoop(); });
  }
  return s;
}

void Service::LiveStatusLoop() {
  const std::string path = LiveStatusPath(index_dir_);
  const auto interval = std::chrono::duration<double>(options_.live_status_seconds);
  std::unique_lock lock(live_mu_);
  while (!live_stop_) {
    lock.unlock();
    Reply r = IndexStatusReply();
    if (r.status == 200) {
      OrderedJson j = OrderedJson::parse(r.body, nullptr, /*allow_exceptions=*/false);
      if (j.is_object()) {
        j["pid"] = static_cast<int64_t>(::getpid());
        j["written_at_unix"] = std::chrono::duration<double>(
                                   std::chrono::system_clock::now().time_since_epoch())
                                   .count();
        // Best effort: a read-only index directory simply has no live status.
        (void)WriteFileAtomic(path, Dump(j));
      }
    }
    lock.lock();
    live_cv_.wait_for(lock, interval, [this] { return live_stop_; });
  }
}

void Service::StopLiveStatus() {
  {
    std::lock_guard lock(live_mu_);
    if (live_stop_) return;
    live_stop_ = true;
  }
  live_cv_.notify_all();
  if (live_thread_.joinable()) {
    live_thread_.join();
    ::unlink(LiveStatusPath(index_dir_).c_str());
  }
}

Service::Service(ServiceOptions options) : options_(std::move(options)) {}

Service::~Service() {
  Stop();
  if (collector_id_ != 0) MetricsRegistry::Global().RemoveCollector(collector_id_);
}

void Service::Stop() {
  StopLiveStatus();
  if (updater_) updater_->Stop();
}

void Service::ReopenSearcher() {
  SearcherOptions so;
  so.cache = cache_;
  so.workspace = root_;
  Result<std::unique_ptr<Searcher>> opened = Searcher::Open(index_dir_, so);
  std::shared_ptr<const Searcher> next;
  if (opened.ok()) next = std::move(opened).value();
  std::lock_guard lock(searcher_mu_);
  searcher_ = std::move(next);
}

std::shared_ptr<const Searcher> Service::CurrentSearcher(Status* error) {
  {
    std::lock_guard lock(searcher_mu_);
    if (searcher_) return searcher_;
  }
  // No index when we started (or it was unreadable): maybe there is one now.
  SearcherOptions so;
  so.cache = cache_;
  so.workspace = root_;
  Result<std::unique_ptr<Searcher>> opened = Searcher::Open(index_dir_, so);
  if (!opened.ok()) {
    *error = Status::FailedPrecondition(opened.error().message());
    return nullptr;
  }
  std::lock_guard lock(searcher_mu_);
  if (!searcher_) searcher_ = std::move(opened).value();
  return searcher_;
}

Reply Service::Search(std::string_view body) {
  Result<nlohmann::json> j = ParseJson(body);
  if (!j.ok()) {
    stats_.RecordSearch(0, false);
    return ErrorReply(j.error());
  }
  return SearchArgs(*j);
}

Reply Service::SearchArgs(const nlohmann::json& args) {
  auto start = std::chrono::steady_clock::now();
  auto finish = [&](Reply r) {
    double ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    stats_.RecordSearch(ms, r.status == 200);
    return r;
  };
  SearchRequest defaults;
  Result<SearchMode> default_mode = ParseSearchMode(config_.search.mode);
  defaults.mode = default_mode.ok() ? *default_mode : SearchMode::kHybrid;
  defaults.limit = static_cast<size_t>(config_.search.max_results);
  Result<SearchRequest> parsed = SearchRequestFromJson(args, defaults);
  if (!parsed.ok()) return finish(ErrorReply(parsed.error()));
  SearchRequest req = std::move(parsed).value();
  const bool mode_given = args.contains("mode") && !args["mode"].is_null();
  const bool min_score_given = req.min_score.has_value();
  if (!min_score_given && req.mode == SearchMode::kSemantic) {
    // config.toml's threshold when it sets one; unset leaves the model's own to the searcher.
    req.min_score = config_.search.min_score;
  }
  if (!req.path_prefix.empty()) {
    PathCheck c = CheckWorkspacePathLexically(root_, req.path_prefix);
    if (c.verdict == PathVerdict::kOutside) return finish(ErrorReply(403, c.error));
    if (c.verdict != PathVerdict::kInside) return finish(ErrorReply(400, "'path': " + c.error));
    req.path_prefix = c.relative;
  }
  Status error;
  std::shared_ptr<const Searcher> searcher = CurrentSearcher(&error);
  if (!searcher) return finish(ErrorReply(error));
  Result<SearchResponse> found = searcher->Search(req);
  if (!found.ok() && found.error().code() == Code::kFailedPrecondition && !mode_given &&
      req.mode != SearchMode::kText) {
    // As `codeindex search`: the default mode needs vectors this index does not have.
    req.mode = SearchMode::kText;
    if (!min_score_given) req.min_score.reset();
    found = searcher->Search(req);
  }
  if (!found.ok()) return finish(ErrorReply(found.error()));
  return finish(Reply{200, SearchResponseToJson(*found, req.explain)});
}

Result<std::string> Service::ReadWorkspaceFile(std::string_view file, std::string* relative) {
  PathCheck c = ResolveWorkspacePath(root_, file);
  if (c.verdict == PathVerdict::kOutside) return Status(Code::kInvalidArgument, "403:" + c.error);
  if (c.verdict != PathVerdict::kInside) {
    return Status::InvalidArgument("'file': " + c.error);
  }
  struct stat st;
  if (::stat(c.full.c_str(), &st) != 0) return Status::NotFound(c.relative + ": no such file");
  if (!S_ISREG(st.st_mode)) return Status::InvalidArgument(c.relative + ": not a regular file");
  if (static_cast<uint64_t>(st.st_size) > options_.max_file_bytes) {
    return Status::InvalidArgument(c.relative + ": larger than " +
                                   std::to_string(options_.max_file_bytes) + " bytes");
  }
  ASSIGN_OR_RETURN(MappedFile mapped, MappedFile::Open(c.full));
  *relative = c.relative;
  return std::string(mapped.data());
}

namespace {

// ReadWorkspaceFile marks "outside the workspace" with a "403:" prefix (kept internal).
Reply FileErrorReply(const Status& s) {
  if (s.code() == Code::kInvalidArgument && s.message().rfind("403:", 0) == 0) {
    return ErrorReply(403, s.message().substr(4));
  }
  return ErrorReply(s);
}

}  // namespace

Reply Service::Symbols(std::string_view file) {
  ScopedLatency timer(symbols_latency_);
  std::string relative;
  Result<std::string> content = ReadWorkspaceFile(file, &relative);
  if (!content.ok()) return FileErrorReply(content.error());
  if (LanguageNameForPath(relative).empty()) {
    return ErrorReply(400, relative + ": no grammar for this file type, so no symbols");
  }
  Result<std::shared_ptr<const FileSymbols>> fs = SymbolsOf(relative, *content);
  if (!fs.ok()) return ErrorReply(fs.error());
  return Reply{200, Dump(SymbolsJson(relative, **fs))};
}

Result<std::shared_ptr<const FileSymbols>> Service::SymbolsOf(const std::string& relative,
                                                               const std::string& content) {
  // The language (from the extension) and the bytes decide the symbols; the path does not,
  // except through the language, so copies of a file share an entry.
  KeyBuilder k;
  k.Add(std::string_view("symbols/v1")).Add(LanguageNameForPath(relative)).Add(content);
  return cache_->GetOrCompute<FileSymbols>(
      symbols_space_, k.Finish(), [&] { return ExtractSymbols(relative, content); },
      [](const FileSymbols& fs) {
        size_t bytes = sizeof(FileSymbols) + fs.language.size();
        for (const Symbol& s : fs.symbols) {
          bytes += sizeof(Symbol) + s.name.size() + s.kind.size() + s.scope.size() +
                   s.signature.size();
        }
        for (const Import& i : fs.imports) bytes += sizeof(Import) + i.text.size();
        return bytes;
      });
}

Reply Service::Context(std::string_view file, long long start, long long end) {
  ScopedLatency timer(context_latency_);
  std::string relative;
  Result<std::string> content = ReadWorkspaceFile(file, &relative);
  if (!content.ok()) return FileErrorReply(content.error());
  if (start < 1 || end < start || end > INT_MAX) {
    return ErrorReply(400, "'start' and 'end' must satisfy 1 <= start <= end");
  }
  Result<std::shared_ptr<const FileSymbols>> fs = SymbolsOf(relative, *content);
  if (!fs.ok()) return ErrorReply(fs.error());
  Result<codeindex::Context> ctx =
      ExtractContext(relative, *content, static_cast<int>(start), static_cast<int>(end), **fs);
  if (!ctx.ok()) return ErrorReply(ctx.error());
  return Reply{200, Dump(ContextJson(relative, *ctx))};
}

Reply Service::FindSymbol(std::string_view name, size_t limit) {
  if (name.empty() || name.size() > 1024) {
    return ErrorReply(400, "'name' must be a non-empty string of at most 1024 bytes");
  }
  auto catalog = Catalog::Open(index_dir_, Catalog::Mode::kReadOnly);
  if (!catalog.ok()) {
    if (catalog.error().code() == Code::kNotFound) {
      return ErrorReply(503, "no index yet for " + root_ + "; run `codeindex index`");
    }
    return ErrorReply(catalog.error());
  }
  Result<std::vector<SymbolRecord>> found = (*catalog)->FindSymbols(name, limit);
  if (!found.ok()) return ErrorReply(found.error());
  return Reply{200, Dump(FoundSymbolsJson(name, *found))};
}

Reply Service::IndexStatusReply() {
  Result<IndexStatus> st = ReadIndexStatus(root_);
  if (!st.ok()) return ErrorReply(st.error());
  OrderedJson j = IndexStatusJson(*st);
  if (updater_) {
    UpdaterSnapshot u = updater_->Snapshot();
    if (u.running || u.state == "Error") {
      j["state"] = u.state;
      j["message"] = u.message;
    }
    OrderedJson p;
    p["running"] = u.running;
    p["phase"] = PhaseName(u.progress.phase);
    p["files_done"] = u.progress.files_done;
    p["files_total"] = u.progress.files_total;
    p["blocks"] = u.progress.blocks;
    p["runs"] = u.runs;
    p["last_run_seconds"] = u.last_run_seconds;
    j["progress"] = std::move(p);
  }
  LatencySummary lat = stats_.Latency();
  OrderedJson s;
  s["uptime_seconds"] = stats_.uptime_seconds();
  s["requests"] = stats_.requests();
  s["searches"] = stats_.searches();
  s["search_errors"] = stats_.search_errors();
  s["client_errors"] = stats_.client_errors();
  s["server_errors"] = stats_.server_errors();
  s["connections"] = stats_.connections.load();
  s["sse_clients"] = stats_.sse_clients.load();
  s["search_p50_ms"] = lat.p50_ms;
  s["search_p99_ms"] = lat.p99_ms;
  s["read_only"] = updater_ == nullptr;
  if (!read_only_reason_.empty()) s["read_only_reason"] = read_only_reason_;
  j["server"] = std::move(s);
  j["cache"] = CacheJson();
  j["metrics"] = MetricsRegistry::Global().ToJson();
  return Reply{200, Dump(j)};
}

OrderedJson Service::CacheJson() const {
  OrderedJson c;
  const CacheOptions& o = cache_->options();
  c["enabled"] = cache_->enabled();
  c["capacity_bytes"] = o.capacity_bytes;
  c["ttl_seconds"] = std::chrono::duration<double>(o.ttl).count();
  c["policy"] = std::string(EvictionPolicyName(o.policy));
  uint64_t hits = 0, misses = 0;
  int64_t bytes = 0, entries = 0;
  OrderedJson spaces = OrderedJson::object();
  for (const CacheSpaceStats& st : cache_->Stats()) {
    OrderedJson sp;
    sp["hits"] = st.hits;
    sp["misses"] = st.misses;
    sp["hit_rate"] = st.HitRate();
    sp["inserts"] = st.inserts;
    sp["evictions"] = st.evictions;
    sp["expirations"] = st.expirations;
    sp["entries"] = st.entries;
    sp["bytes"] = st.bytes;
    spaces[st.name] = std::move(sp);
    hits += st.hits;
    misses += st.misses;
    bytes += st.bytes;
    entries += st.entries;
  }
  c["bytes"] = bytes;
  c["entries"] = entries;
  c["hits"] = hits;
  c["misses"] = misses;
  c["hit_rate"] = hits + misses ? static_cast<double>(hits) / static_cast<double>(hits + misses) : 0;
  c["spaces"] = std::move(spaces);
  return c;
}

Reply Service::Metrics() {
  Reply r{200, MetricsRegistry::Global().PrometheusText(), "text/plain; version=0.0.4; charset=utf-8"};
  if (!r.body.empty() && r.body.back() == '\n') r.body.pop_back();  // Send() adds one
  return r;
}

Reply Service::Reindex() {
  if (!updater_) {
    return ErrorReply(503, read_only_reason_.empty()
                               ? "this server does not index"
                               : "this server cannot index: " + read_only_reason_);
  }
  bool started = updater_->RequestUpdate();
  OrderedJson j;
  j["started"] = started;
  j["queued"] = !started;
  return Reply{202, Dump(j)};
}

}  // namespace codeindex
