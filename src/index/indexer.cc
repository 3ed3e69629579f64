#include "index/indexer.h"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <ctime>
#include <deque>
#include <iostream>
#include <mutex>
#include <optional>
#include <thread>
#include <unordered_map>
#include <unordered_set>

#include <unistd.h>

#include "base/file.h"
#include "base/hash.h"
#include "base/utf8.h"
#include "index/index_dir.h"

namespace codeindex {

namespace {

using Clock = std::chrono::steady_clock;

int64_t NowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string IsoUtcNow() {
  std::time_t t = std::time(nullptr);
  std::tm tm;
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

// Files modified less than this before the previous run started may have changed again
// within the file system's timestamp granularity after we read them (git's "racy" entries):
// they are re-hashed instead of trusted by stat.
constexpr int64_t kRacyWindowNs = 2'000'000'000;

// Keep the first few per-file errors verbatim; count the rest.
constexpr size_t kMaxKeptErrors = 100;

struct Outcome {
  enum class Kind { kUpdate, kStamp, kFailed, kVanished, kBinary } kind = Kind::kFailed;
  FileUpdate update;  // kUpdate
  FileStamp stamp;    // kStamp
  Status error;       // kFailed
  std::string path;
};

// A bounded multi-producer, single-consumer queue of outcomes.
class OutcomeQueue {
 public:
  explicit OutcomeQueue(size_t capacity) : capacity_(capacity) {}
  void Push(Outcome o) {
    std::unique_lock lock(mu_);
    not_full_.wait(lock, [&] { return items_.size() < capacity_; });
    items_.push_back(std::move(o));
    not_empty_.notify_one();
  }
  // Waits at most `timeout`; nullopt when closed and empty, or on timeout (check Closed()).
  std::optional<Outcome> Pop(std::chrono::milliseconds timeout) {
    std::unique_lock lock(mu_);
    not_empty_.wait_for(lock, timeout, [&] { return !items_.empty() || closed_; });
    if (items_.empty()) return std::nullopt;
    Outcome o = std::move(items_.front());
    items_.pop_front();
    not_full_.notify_one();
    return o;
  }
  void Close() {
    std::lock_guard lock(mu_);
    closed_ = true;
    not_empty_.notify_all();
  }
  bool ClosedAndEmpty() {
    std::lock_guard lock(mu_);
    return closed_ && items_.empty();
  }

 private:
  std::mutex mu_;
  std::condition_variable not_full_, not_empty_;
  std::deque<Outcome> items_;
  size_t capacity_;
  bool closed_ = false;
};

}  // namespace

struct Indexer::Plan {
  ScanResult scan;
  // Catalog records of the files checked: all of them (Run) or those at or below the
  // paths (UpdatePaths).
  std::unordered_map<std::string, FileRecord> known;
  int64_t last_start_ns = 0;  // start of the previous Run(), for the racy-mtime rule
  bool skip_binary = true;
  std::vector<const ScannedFile*> candidates;
  std::vector<std::string> removals;  // sorted
};

Indexer::Indexer(IndexerOptions options, FileProcessor processor,
                 std::vector<DerivedIndex*> derived)
    : options_(std::move(options)),
      processor_(std::move(processor)),
      derived_(std::move(derived)) {}

Indexer::~Indexer() = default;

Result<Catalog*> Indexer::OpenCatalog(bool fresh) {
  if (fresh || catalog_ == nullptr) {
    ForgetCatalog();
    ASSIGN_OR_RETURN(catalog_, Catalog::Open(options_.index_dir, Catalog::Mode::kReadWrite));
  }
  return catalog_.get();
}

Status Indexer::OpenCatalogForRun(IndexStats& stats) {
  ForgetCatalog();
  const std::string path = options_.index_dir + "/catalog.db";
  if (::access(path.c_str(), F_OK) != 0 && errno == ENOENT) {
    // A first run, or a catalog deleted under derived indexes that still hold blocks: an
    // empty derived index agrees with an empty catalog, so any disagreement means the latter.
    for (DerivedIndex* d : derived_) {
      if (!d->CheckAgainst(CatalogState{}).empty()) {
        Repair(stats, "the catalog " + path + " is missing (the " + d->name() +
                          " is not empty); rebuilding the whole index from the files");
        break;
      }
    }
  }
  Result<std::unique_ptr<Catalog>> opened = Catalog::Open(options_.index_dir,
                                                          Catalog::Mode::kReadWrite);
  std::string damage;
  if (!opened.ok()) {
    if (opened.error().code() != Code::kCorruption) return opened.error();
    damage = opened.error().message();
  } else {
    // quick_check reads every page once: 43 ms for a 17 MB catalog, 0.3 s for 250 MB
    // (bench/README.md "What the checks of every open cost"): the price of finding a
    // damaged catalog instead of answering from it.
    ASSIGN_OR_RETURN(std::vector<std::string> problems,
                     (*opened)->Check(Catalog::CheckDepth::kQuick, 1));
    if (!problems.empty()) damage = "SQLite: " + problems.front();
    // And what every run reads first (meta, counts) must read.
    if (damage.empty()) {
      Result<CatalogState> state = (*opened)->State();
      if (!state.ok() && state.error().code() == Code::kCorruption) {
        damage = state.error().message();
      } else if (!state.ok()) {
        return state.error();
      }
    }
  }
  if (!damage.empty()) {
    opened = Status::Corruption(damage);  // closes the connection
    Repair(stats, "the catalog " + path + " is damaged (" + damage +
                      "); rebuilding the whole index from the files");
    for (const char* suffix : {"", "-wal", "-shm", "-journal"}) {
      RETURN_IF_ERROR(RemoveTree(options_.index_dir + "/catalog.db" + suffix));
    }
    opened = Catalog::Open(options_.index_dir, Catalog::Mode::kReadWrite);
    if (!opened.ok()) return opened.error();
  }
  catalog_ = std::move(opened).value();
  return Status::OK();
}

void Indexer::Repair(IndexStats& stats, std::string line) {
  if (options_.on_repair) {
    options_.on_repair(line);
  } else {
    std::cerr << "codeindex: " << line << "\n";
  }
  stats.repairs.push_back(std::move(line));
}

void Indexer::ForgetCatalog() {
  catalog_.reset();
  catalog_paths_.clear();
  catalog_paths_valid_ = false;
}

Status Indexer::LoadCatalogPaths(Catalog& catalog) {
  if (catalog_paths_valid_) return Status::OK();
  ASSIGN_OR_RETURN(std::vector<FileRecord> files, catalog.ListFiles());
  catalog_paths_.clear();
  for (FileRecord& f : files) catalog_paths_.insert(catalog_paths_.end(), std::move(f.path));
  catalog_paths_valid_ = true;
  return Status::OK();
}

Status Indexer::CommitBatch(Catalog& catalog, CatalogBatch& batch, IndexStats& stats) {
  if (batch.updates.empty() && batch.removals.empty() && batch.stamps.empty()) return Status::OK();
  std::vector<IndexedFile> changed;
  if (options_.committed) {
    changed.reserve(batch.updates.size() + batch.removals.size());
    for (const FileUpdate& u : batch.updates) changed.push_back({u.path, false, u.blocks.size()});
    for (const std::string& r : batch.removals) changed.push_back({r, true, 0});
  }
  ASSIGN_OR_RETURN(int64_t generation, catalog.Apply(batch));
  ASSIGN_OR_RETURN(std::string catalog_id, catalog.Id());
  const CatalogStamp stamp{catalog_id, generation};
  if (catalog_paths_valid_) {
    for (const FileUpdate& u : batch.updates) catalog_paths_.insert(u.path);
    for (const std::string& r : batch.removals) catalog_paths_.erase(r);
  }
  for (const FileUpdate& u : batch.updates) stats.blocks_added += u.blocks.size();
  batch = CatalogBatch();
  // Everything dirty now (this batch, plus anything a failed earlier step left).
  ASSIGN_OR_RETURN(std::vector<DirtyFile> dirty, catalog.ListDirty());
  if (!dirty.empty()) {
    for (DerivedIndex* d : derived_) {
      RETURN_IF_ERROR(UpdateDerived(catalog, d, dirty, stamp, stats));
    }
    std::vector<std::string> paths;
    paths.reserve(dirty.size());
    for (const DirtyFile& f : dirty) paths.push_back(f.path);
    RETURN_IF_ERROR(catalog.FinishDirty(paths));
  }
  if (options_.committed && !changed.empty()) options_.committed(changed);
  return Status::OK();
}

Status Indexer::UpdateDerived(Catalog& catalog, DerivedIndex* derived,
                              const std::vector<DirtyFile>& dirty, const CatalogStamp& stamp,
                              IndexStats& stats) {
  Status s = derived->Update(dirty);
  if (s.ok()) {
    derived->SetCatalogStamp(stamp);
    s = derived->Commit();
  }
  if (s.code() != Code::kCorruption) return s.WithContext(derived->name());
  // Damage that the checks at open could not see (a large index is not read whole): the
  // catalog already holds this batch, so a rebuild from it is the committed state.
  return RebuildDerived(catalog, derived, stats, "it is damaged: " + s.message());
}

Status Indexer::Recover(Catalog& catalog, IndexStats& stats) {
  // Bounded chunks so that a huge interrupted rebuild does not load every block at once.
  for (;;) {
    ASSIGN_OR_RETURN(std::vector<DirtyFile> dirty, catalog.ListDirty(256));
    if (dirty.empty()) return Status::OK();
    ASSIGN_OR_RETURN(std::string catalog_id, catalog.Id());
    ASSIGN_OR_RETURN(int64_t generation, catalog.Generation());
    for (DerivedIndex* d : derived_) {
      RETURN_IF_ERROR(UpdateDerived(catalog, d, dirty, {catalog_id, generation}, stats));
    }
    std::vector<std::string> paths;
    for (const DirtyFile& f : dirty) paths.push_back(f.path);
    RETURN_IF_ERROR(catalog.FinishDirty(paths));
    stats.files_recovered += dirty.size();
  }
}

Status Indexer::RebuildDerived(Catalog& catalog, DerivedIndex* derived, IndexStats& stats,
                               const std::string& why) {
  if (!why.empty()) {
    Repair(stats, "rebuilding the " + derived->name() + " of " + options_.workspace +
                      " from the catalog (" + why + ")");
    RETURN_IF_ERROR(catalog.SetMeta(kMetaStateMessage, "Rebuilding the " + derived->name() +
                                                           " (" + why + ")"));
  }
  RETURN_IF_ERROR(derived->Clear().WithContext(derived->name()));
  ASSIGN_OR_RETURN(std::vector<FileRecord> files, catalog.ListFiles());
  constexpr size_t kChunk = 256;
  for (size_t i = 0; i < files.size(); i += kChunk) {
    std::vector<DirtyFile> chunk;
    for (size_t j = i; j < std::min(files.size(), i + kChunk); ++j) {
      ASSIGN_OR_RETURN(std::vector<BlockRecord> blocks, catalog.GetFileBlocks(files[j].path));
      chunk.push_back(DirtyFile{files[j].path, {}, std::move(blocks)});
    }
    RETURN_IF_ERROR(derived->Update(chunk).WithContext(derived->name()));
  }
  ASSIGN_OR_RETURN(std::string catalog_id, catalog.Id());
  ASSIGN_OR_RETURN(int64_t generation, catalog.Generation());
  derived->SetCatalogStamp({catalog_id, generation});
  RETURN_IF_ERROR(derived->Commit().WithContext(derived->name()));
  stats.derived_rebuilt.push_back(derived->name());
  return Status::OK();
}

void Indexer::Diff(Plan& plan, IndexStats& stats) const {
  for (Status& e : plan.scan.errors) {
    if (stats.errors.size() < kMaxKeptErrors) stats.errors.push_back(std::move(e));
  }
  plan.scan.errors.clear();
  stats.files_scanned = plan.scan.files.size();
  std::unordered_set<std::string_view> listed;
  listed.reserve(plan.scan.files.size());
  for (const ScannedFile& f : plan.scan.files) {
    listed.insert(f.path);
    auto it = plan.known.find(f.path);
    if (it != plan.known.end() && it->second.size == f.size && it->second.mtime_ns == f.mtime_ns &&
        f.mtime_ns + kRacyWindowNs < plan.last_start_ns) {
      ++stats.files_unchanged;
      continue;
    }
    plan.candidates.push_back(&f);
  }
  for (const auto& [path, rec] : plan.known) {
    if (!listed.count(path)) plan.removals.push_back(path);
  }
  std::sort(plan.removals.begin(), plan.removals.end());
}

Status Indexer::Process(Catalog& catalog, Plan& plan, IndexStats& stats, IndexProgress& progress) {
  auto report = [&] {
    if (options_.progress) options_.progress(progress);
  };
  auto cancelled = [&] { return options_.cancel != nullptr && options_.cancel->load(); };
  const std::vector<const ScannedFile*>& candidates = plan.candidates;
  const std::unordered_map<std::string, FileRecord>& known = plan.known;
  const bool skip_binary = plan.skip_binary;

  // Workers: read, decode, hash, parse.
  OutcomeQueue queue(64);
  std::atomic<size_t> next{0};
  int nthreads = options_.threads > 0
                     ? options_.threads
                     : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  nthreads = std::max(1, std::min<int>(nthreads, static_cast<int>(candidates.size())));
  const std::string root = options_.workspace;
  // The workspace with every link resolved: a file read must lie inside it unless the
  // configuration follows every link (scan/scanner.h, rule 1).
  std::string inside;
  if (options_.scan.follow_symlinks != FollowSymlinks::kAll) {
    char* real = ::realpath(root.c_str(), nullptr);
    if (real != nullptr) {
      inside = real;
      std::free(real);
    }
  }
  const uint64_t max_bytes = options_.scan.max_file_size;
  auto work = [&] {
    for (;;) {
      size_t i = next.fetch_add(1);
      if (i >= candidates.size() || cancelled()) return;
      const ScannedFile& f = *candidates[i];
      Outcome o;
      o.path = f.path;
      Result<std::string> bytes = ReadRegularFile(root + "/" + f.path, max_bytes, inside);
      if (!bytes.ok()) {
        o.kind = Outcome::Kind::kVanished;  // deleted or unreadable since the scan
        o.error = bytes.error();
        queue.Push(std::move(o));
        continue;
      }
      if (skip_binary && LooksBinary(*bytes)) {
        o.kind = Outcome::Kind::kBinary;
        queue.Push(std::move(o));
        continue;
      }
      std::string text = ToValidUtf8(*bytes);
      std::string hash = Sha256Hex(text);
      auto it = known.find(f.path);
      if (it != known.end() && it->second.hash == hash) {
        o.kind = Outcome::Kind::kStamp;
        o.stamp = FileStamp{f.path, f.size, f.mtime_ns};
        queue.Push(std::move(o));
        continue;
      }
      Result<ProcessedFile> processed = processor_(f.path, text);
      if (!processed.ok()) {
        o.kind = Outcome::Kind::kFailed;
        o.error = processed.error().WithContext(f.path);
        queue.Push(std::move(o));
        continue;
      }
      o.kind = Outcome::Kind::kUpdate;
      o.update.path = f.path;
      o.update.hash = std::move(hash);
      o.update.size = f.size;
      o.update.mtime_ns = f.mtime_ns;
      o.update.blocks = std::move(processed->blocks);
      o.update.symbols = std::move(processed->symbols);
      o.update.imports = std::move(processed->imports);
      o.update.lines = processed->lines;
      o.update.covered_lines = processed->covered_lines;
      queue.Push(std::move(o));
    }
  };
  std::vector<std::thread> workers;
  for (int t = 0; t < nthreads && !candidates.empty(); ++t) workers.emplace_back(work);
  std::thread closer([&] {
    for (std::thread& w : workers) w.join();
    queue.Close();
  });

  // The writer: batches into the catalog and the derived indexes.
  CatalogBatch batch;
  size_t batch_blocks = 0;
  auto batch_started = Clock::now();
  Status write_status;
  auto commit = [&] {
    if (!write_status.ok()) return;
    write_status = CommitBatch(catalog, batch, stats);
    batch_blocks = 0;
    batch_started = Clock::now();
  };
  for (;;) {
    std::optional<Outcome> o = queue.Pop(std::chrono::milliseconds(100));
    if (o) {
      ++progress.files_done;
      switch (o->kind) {
        case Outcome::Kind::kUpdate:
          ++stats.files_parsed;
          batch_blocks += o->update.blocks.size();
          progress.blocks += o->update.blocks.size();
          batch.updates.push_back(std::move(o->update));
          break;
        case Outcome::Kind::kStamp:
          ++stats.files_unchanged;
          batch.stamps.push_back(std::move(o->stamp));
          break;
        case Outcome::Kind::kBinary:
          // Not indexable (as the scanner's binary rule); drops out like an ignored file.
          if (known.count(o->path)) batch.removals.push_back(o->path);
          ++stats.files_skipped;
          break;
        case Outcome::Kind::kVanished:
          // As the original: a file that cannot be read drops out of the index.
          if (known.count(o->path)) batch.removals.push_back(o->path);
          [[fallthrough]];
        case Outcome::Kind::kFailed:
          ++stats.files_failed;
          if (stats.errors.size() < kMaxKeptErrors) stats.errors.push_back(o->error);
          break;
      }
      report();
    } else if (queue.ClosedAndEmpty()) {
      break;
    }
    if (batch_blocks >= options_.batch_blocks ||
        std::chrono::duration<double>(Clock::now() - batch_started).count() >=
            options_.batch_seconds) {
      commit();
    }
    if (!write_status.ok()) break;
  }
  if (!write_status.ok()) {
    // Stop the workers quickly: drain what they still push.
    next.store(candidates.size());
    while (!queue.ClosedAndEmpty()) queue.Pop(std::chrono::milliseconds(10));
  }
  closer.join();
  RETURN_IF_ERROR(write_status);

  if (cancelled()) {
    commit();
    RETURN_IF_ERROR(write_status);
    return Status::Cancelled("indexing interrupted; the index is consistent, run index again");
  }
  stats.files_removed = plan.removals.size();
  for (std::string& r : plan.removals) batch.removals.push_back(std::move(r));
  commit();
  return write_status;
}

Result<IndexStats> Indexer::Run() {
  Result<IndexStats> r = RunImpl();
  if (!r.ok()) ForgetCatalog();  // reopened by the next call
  return r;
}

Result<IndexStats> Indexer::RunImpl() {
  const auto started = Clock::now();
  const int64_t run_start_ns = NowNs();
  IndexStats stats;
  IndexProgress progress;
  auto report = [&] {
    if (options_.progress) options_.progress(progress);
  };

  // 0. A fresh connection for each full run (it also heals an index directory replaced
  // behind our back), checked; a damaged catalog is replaced by a new one.
  RETURN_IF_ERROR(OpenCatalogForRun(stats));
  Catalog* catalog = catalog_.get();

  // 1. Rebuild when the content options changed. Derived indexes are emptied first, under
  // the stamp the cleared catalog will have, so that a crash in between leaves a catalog
  // whose old hash forces another rebuild, and a reader never sees a derived index behind
  // the catalog.
  ASSIGN_OR_RETURN(std::optional<std::string> stored_hash, catalog->GetMeta(kMetaContentHash));
  if (stored_hash != options_.content_hash) {
    stats.rebuilt = true;
    ASSIGN_OR_RETURN(std::string catalog_id, catalog->Id());
    ASSIGN_OR_RETURN(int64_t generation, catalog->Generation());
    for (DerivedIndex* d : derived_) {
      RETURN_IF_ERROR(d->Clear().WithContext(d->name()));
      d->SetCatalogStamp({catalog_id, generation + 1});  // Clear() adds one
      RETURN_IF_ERROR(d->Commit().WithContext(d->name()));
    }
    RETURN_IF_ERROR(catalog->Clear());
    RETURN_IF_ERROR(catalog->SetMeta(kMetaContentHash, options_.content_hash));
  }
  for (const auto& [key, value] : options_.meta) RETURN_IF_ERROR(catalog->SetMeta(key, value));
  RETURN_IF_ERROR(catalog->SetMeta(kMetaState, "Indexing"));
  RETURN_IF_ERROR(catalog->SetMeta(kMetaStateMessage, "Scanning workspace"));

  // 2. Recovery of a killed run.
  progress.phase = IndexProgress::Phase::kRecovering;
  report();
  // A derived index made under other settings, or found unusable when opened, is re-made
  // from the catalog first (before the recovery, which would otherwise commit new entries
  // into it under the new settings' tag).
  for (DerivedIndex* d : derived_) {
    const std::string why = d->RebuildReason();
    if (!why.empty()) RETURN_IF_ERROR(RebuildDerived(*catalog, d, stats, why));
  }
  RETURN_IF_ERROR(Recover(*catalog, stats));
  // The catalog is at rest: every derived index must now match it.
  {
    ASSIGN_OR_RETURN(CatalogState state, catalog->State());
    for (DerivedIndex* d : derived_) {
      const std::string why = d->CheckAgainst(state);
      if (!why.empty()) RETURN_IF_ERROR(RebuildDerived(*catalog, d, stats, "it " + why));
    }
  }

  // 3. Scan and diff against the catalog.
  progress.phase = IndexProgress::Phase::kScanning;
  report();
  ScanOptions scan_options = options_.scan;
  scan_options.workspace = options_.workspace;
  if (scan_options.cancel == nullptr) scan_options.cancel = options_.cancel;
  // The workers read every candidate anyway: they apply the binary rule themselves instead of
  // the scanner opening every file a second time (70 % of a scan's cost, bench/README.md).
  Plan plan;
  plan.skip_binary = scan_options.skip_binary;
  scan_options.skip_binary = false;
  ASSIGN_OR_RETURN(plan.scan, Scan(scan_options));

  ASSIGN_OR_RETURN(std::vector<FileRecord> known_files, catalog->ListFiles());
  catalog_paths_.clear();
  plan.known.reserve(known_files.size());
  for (FileRecord& f : known_files) {
    catalog_paths_.insert(catalog_paths_.end(), f.path);
    std::string path = f.path;
    plan.known.emplace(std::move(path), std::move(f));
  }
  catalog_paths_valid_ = true;
  known_files.clear();

  ASSIGN_OR_RETURN(std::optional<std::string> last_start_str,
                   catalog->GetMeta(kMetaLastRunStartNs));
  if (last_start_str) plan.last_start_ns = std::strtoll(last_start_str->c_str(), nullptr, 10);
  Diff(plan, stats);

  progress.phase = IndexProgress::Phase::kIndexing;
  progress.files_total = plan.scan.files.size();
  progress.files_done = stats.files_unchanged;
  RETURN_IF_ERROR(catalog->SetMeta(kMetaStateMessage, "Indexing"));
  report();

  // 4-5. Read, hash, parse; commit in batches.
  Status processed = Process(*catalog, plan, stats, progress);
  if (processed.code() == Code::kCancelled) {
    RETURN_IF_ERROR(catalog->SetMeta(kMetaState, "Standby"));
    RETURN_IF_ERROR(catalog->SetMeta(kMetaStateMessage, "Indexing was interrupted"));
    return processed;
  }
  RETURN_IF_ERROR(processed);

  RETURN_IF_ERROR(catalog->SetMeta(kMetaLastRunStartNs, std::to_string(run_start_ns)));
  RETURN_IF_ERROR(catalog->SetMeta(kMetaLastIndexedAt, IsoUtcNow()));
  RETURN_IF_ERROR(catalog->SetMeta(kMetaState, "Indexed"));
  RETURN_IF_ERROR(catalog->SetMeta(kMetaStateMessage, "Index up to date"));
  progress.phase = IndexProgress::Phase::kDone;
  report();
  stats.seconds = std::chrono::duration<double>(Clock::now() - started).count();
  return stats;
}

Result<IndexStats> Indexer::UpdatePaths(const std::vector<std::string>& rel_paths) {
  Result<IndexStats> r = UpdatePathsImpl(rel_paths);
  if (!r.ok() && r.error().code() != Code::kInvalidArgument &&
      r.error().code() != Code::kFailedPrecondition) {
    ForgetCatalog();
  }
  return r;
}

Result<IndexStats> Indexer::UpdatePathsImpl(const std::vector<std::string>& rel_paths) {
  const auto started = Clock::now();
  IndexStats stats;
  IndexProgress progress;

  std::vector<std::string> paths;
  paths.reserve(rel_paths.size());
  for (const std::string& p : rel_paths) {
    ASSIGN_OR_RETURN(std::string n, NormalizeRelPath(p));
    paths.push_back(std::move(n));
  }
  paths = MinimalPathCover(std::move(paths));
  if (paths.empty()) return stats;

  ASSIGN_OR_RETURN(Catalog * catalog, OpenCatalog(/*fresh=*/false));
  ASSIGN_OR_RETURN(std::optional<std::string> stored_hash, catalog->GetMeta(kMetaContentHash));
  if (stored_hash != options_.content_hash) {
    return Status::FailedPrecondition("the index of " + options_.workspace +
                                      " must be built (or rebuilt) by a full run first");
  }
  for (DerivedIndex* d : derived_) {
    if (!d->RebuildReason().empty()) {
      return Status::FailedPrecondition("the " + d->name() + " of " + options_.workspace +
                                        " must be re-made by a full run first");
    }
  }
  RETURN_IF_ERROR(Recover(*catalog, stats));

  ScanOptions scan_options = options_.scan;
  scan_options.workspace = options_.workspace;
  if (scan_options.cancel == nullptr) scan_options.cancel = options_.cancel;
  Plan plan;
  plan.skip_binary = scan_options.skip_binary;
  scan_options.skip_binary = false;
  ASSIGN_OR_RETURN(plan.scan, ScanPaths(scan_options, paths));

  // The catalog's files at or below the paths: the path itself, then the range of paths
  // that start with "path/" (contiguous in byte order).
  RETURN_IF_ERROR(LoadCatalogPaths(*catalog));
  std::vector<std::string> known_paths;
  for (const std::string& p : paths) {
    if (p.empty()) {  // the whole workspace (then the only path)
      ASSIGN_OR_RETURN(std::vector<FileRecord> all, catalog->ListFiles());
      for (FileRecord& f : all) {
        std::string path = f.path;
        plan.known.emplace(std::move(path), std::move(f));
      }
      break;
    }
    if (catalog_paths_.count(p)) known_paths.push_back(p);
    const std::string dir = p + "/";
    for (auto it = catalog_paths_.lower_bound(dir);
         it != catalog_paths_.end() && it->compare(0, dir.size(), dir) == 0; ++it) {
      known_paths.push_back(*it);
    }
  }
  for (const std::string& c : known_paths) {
    ASSIGN_OR_RETURN(std::optional<FileRecord> rec, catalog->GetFile(c));
    if (rec) plan.known.emplace(c, std::move(*rec));
  }

  ASSIGN_OR_RETURN(std::optional<std::string> last_start_str,
                   catalog->GetMeta(kMetaLastRunStartNs));
  if (last_start_str) plan.last_start_ns = std::strtoll(last_start_str->c_str(), nullptr, 10);
  Diff(plan, stats);

  progress.phase = IndexProgress::Phase::kIndexing;
  progress.files_total = plan.scan.files.size();
  progress.files_done = stats.files_unchanged;
  if (options_.progress) options_.progress(progress);
  RETURN_IF_ERROR(Process(*catalog, plan, stats, progress));
  if (stats.files_parsed > 0 || stats.files_removed > 0 || stats.files_skipped > 0) {
    RETURN_IF_ERROR(catalog->SetMeta(kMetaLastIndexedAt, IsoUtcNow()));
  }
  progress.phase = IndexProgress::Phase::kDone;
  if (options_.progress) options_.progress(progress);
  stats.seconds = std::chrono::duration<double>(Clock::now() - started).count();
  return stats;
}

}  // namespace codeindex
