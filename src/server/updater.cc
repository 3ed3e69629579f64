#include "server/updater.h"

#include <sys/stat.h>

#include "cache/stats.h"
#include "index/config.h"
#include "server/log.h"
#include "server/shapes.h"

namespace codeindex {

std::string_view PhaseName(IndexProgress::Phase phase) {
  switch (phase) {
    case IndexProgress::Phase::kRecovering:
      return "recovering";
    case IndexProgress::Phase::kScanning:
      return "scanning";
    case IndexProgress::Phase::kIndexing:
      return "indexing";
    case IndexProgress::Phase::kDone:
      return "done";
  }
  return "indexing";
}

Status IndexedNotifier::Update(const std::vector<DirtyFile>& files) {
  for (const DirtyFile& f : files) pending_.emplace_back(f.path, f.live_blocks.size());
  return Status::OK();
}

Status IndexedNotifier::Commit() {
  for (const auto& [path, blocks] : pending_) {
    // blocks == 0: the file was removed, or has no block any more (the catalog does not
    // tell the two apart here).
    nlohmann::json j = {{"file_path", path}, {"blocks", blocks}};
    events_->Publish("indexed", Dump(j));
  }
  pending_.clear();
  return Status::OK();
}

Status IndexedNotifier::Clear() {
  pending_.clear();
  return Status::OK();
}

Result<std::unique_ptr<BackgroundIndexer>> BackgroundIndexer::Start(
    BackgroundIndexerOptions options, EventBus* events) {
  struct stat st;
  if (::stat(options.workspace.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
    return Status::NotFound("workspace " + options.workspace + " is not a directory");
  }
  // The state a previous process left, read before we become the writer.
  Result<IndexStatus> before = ReadIndexStatus(options.workspace);
  ASSIGN_OR_RETURN(auto lock, WriterLock::Acquire(options.index_dir, /*wait=*/false));
  if (!options.open_pipeline) {
    options.open_pipeline = [](const std::string& dir) -> Result<Pipeline> {
      PipelineOptions po;
      ASSIGN_OR_RETURN(po.config, LoadConfig(dir));
      return OpenPipeline(dir, po);
    };
  }
  std::unique_ptr<BackgroundIndexer> b(
      new BackgroundIndexer(std::move(options), events, std::move(lock)));
  if (before.ok()) {
    b->snap_.state = before->state == "Indexing" ? "Standby" : before->state;
    b->snap_.message = before->message;
  }
  b->requested_ = b->options_.update_on_start;
  b->thread_ = std::thread([p = b.get()] { p->Loop(); });
  return b;
}

BackgroundIndexer::BackgroundIndexer(BackgroundIndexerOptions options, EventBus* events,
                                     std::unique_ptr<WriterLock> lock)
    : options_(std::move(options)), events_(events), lock_(std::move(lock)) {}

BackgroundIndexer::~BackgroundIndexer() { Stop(); }

bool BackgroundIndexer::RequestUpdate() {
  std::lock_guard lock(mu_);
  if (stopping_) return false;
  bool starts = !snap_.running && !requested_;
  requested_ = true;
  cv_.notify_all();
  return starts;
}

UpdaterSnapshot BackgroundIndexer::Snapshot() const {
  std::lock_guard lock(mu_);
  return snap_;
}

void BackgroundIndexer::Stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
    cv_.notify_all();
  }
  cancel_.store(true);
  if (thread_.joinable()) thread_.join();
}

void BackgroundIndexer::Loop() {
  for (;;) {
    {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [this] { return requested_ || stopping_; });
      if (stopping_) return;
      requested_ = false;
      snap_.running = true;
      snap_.progress = IndexProgress{};
    }
    {
      static Histogram* run_latency = MetricsRegistry::Global().GetHistogram(
          "codeindex_index_run_seconds", "Duration of background index runs.");
      ScopedLatency timer(run_latency);
      RunOnce();
    }
    std::lock_guard lock(mu_);
    snap_.running = false;
    ++snap_.runs;
  }
}

void BackgroundIndexer::SetState(std::string state, std::string message, std::string extra) {
  {
    std::lock_guard lock(mu_);
    snap_.state = state;
    snap_.message = message;
  }
  nlohmann::json j = {{"state", state}, {"message", message}};
  if (!extra.empty()) j["run"] = nlohmann::json::parse(extra, nullptr, false);
  events_->Publish("state", Dump(j));
}

void BackgroundIndexer::PublishProgress(const IndexProgress& p, bool force) {
  auto now = std::chrono::steady_clock::now();
  {
    std::lock_guard lock(mu_);
    snap_.progress = p;
  }
  if (!force && p.phase == last_phase_ && now - last_progress_ < kProgressInterval) return;
  last_progress_ = now;
  last_phase_ = p.phase;
  nlohmann::json j = {{"phase", PhaseName(p.phase)},
                      {"files_done", p.files_done},
                      {"files_total", p.files_total},
                      {"blocks", p.blocks}};
  events_->Publish("progress", Dump(j));
}

void BackgroundIndexer::RunOnce() {
  SetState("Indexing", "Indexing workspace");
  last_phase_ = IndexProgress::Phase::kDone;
  Result<Pipeline> pipeline = options_.open_pipeline(options_.index_dir);
  if (!pipeline.ok()) {
    LogLine("indexing failed: " + pipeline.error().ToString());
    SetState("Error", pipeline.error().ToString());
    if (options_.on_run_finished) options_.on_run_finished();
    return;
  }
  IndexedNotifier notifier(events_);
  std::vector<DerivedIndex*> derived = pipeline->DerivedPointers();
  derived.push_back(&notifier);  // last: its Commit follows every real index's

  IndexerOptions o;
  o.workspace = options_.workspace;
  o.index_dir = options_.index_dir;
  o.content_hash = pipeline->content_hash;
  o.scan = pipeline->scan;
  o.threads = options_.threads;
  o.cancel = &cancel_;
  o.meta = {{"embedder", pipeline->embedder_json},
            {"model", pipeline->embedder ? pipeline->embedder->model_id() : ""}};
  if (!pipeline->embedder_warning.empty()) LogLine(pipeline->embedder_warning);
  IndexProgress last;
  o.progress = [this, &last](const IndexProgress& p) {
    last = p;
    PublishProgress(p, /*force=*/false);
  };
  Indexer indexer(o, pipeline->processor, derived);
  Result<IndexStats> stats = indexer.Run();
  if (last.phase != IndexProgress::Phase::kDone) {
    PublishProgress(last, /*force=*/true);
  }
  struct Final {
    std::string state, message, extra;
  } final_state;
  if (stats.ok()) {
    for (const Status& e : stats->errors) LogLine(e.ToString());
    {
      std::lock_guard lock(mu_);
      snap_.last_run_seconds = stats->seconds;
      snap_.last_files_parsed = stats->files_parsed;
      snap_.last_files_removed = stats->files_removed;
    }
    nlohmann::json run = {
        {"files", stats->files_scanned},       {"parsed", stats->files_parsed},
        {"unchanged", stats->files_unchanged}, {"removed", stats->files_removed},
        {"failed", stats->files_failed},       {"blocks_added", stats->blocks_added},
        {"rebuilt", stats->rebuilt},           {"seconds", stats->seconds}};
    final_state = {"Indexed", "Index up to date", Dump(run)};
  } else if (stats.error().code() == Code::kCancelled) {
    final_state = {"Standby", "Indexing was interrupted", ""};
  } else {
    LogLine("indexing failed: " + stats.error().ToString());
    // The indexer leaves "Indexing" in the catalog when it fails; say what happened, as the
    // original's Error state does (best effort: the catalog may be the problem).
    if (auto c = Catalog::Open(options_.index_dir, Catalog::Mode::kReadWrite); c.ok()) {
      (void)(*c)->SetMeta(kMetaState, "Error");
      (void)(*c)->SetMeta(kMetaStateMessage, stats.error().ToString());
    }
    final_state = {"Error", stats.error().ToString(), ""};
  }
  // Searchers reopen first, so that a client told "Indexed" finds the new content.
  if (options_.on_run_finished) options_.on_run_finished();
  SetState(final_state.state, final_state.message, final_state.extra);
}

}  // namespace codeindex
