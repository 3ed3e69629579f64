#include "index/indexer.h"

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <ctime>
#include <deque>
#include <mutex>
#include <optional>
#include <thread>
#include <unordered_map>
#include <unordered_set>

#include "base/file.h"
#include "base/hash.h"
#include "base/utf8.h"

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

Indexer::Indexer(IndexerOptions options, FileProcessor processor,
                 std::vector<DerivedIndex*> derived)
    : options_(std::move(options)), processor_(std::move(processor)), derived_(std::move(derived)) {}

Status Indexer::CommitBatch(Catalog& catalog, CatalogBatch& batch, IndexStats& stats) {
  if (batch.updates.empty() && batch.removals.empty() && batch.stamps.empty()) return Status::OK();
  ASSIGN_OR_RETURN(int64_t generation, catalog.Apply(batch));
  (void)generation;
  for (const FileUpdate& u : batch.updates) stats.blocks_added += u.blocks.size();
  batch = CatalogBatch();
  // Everything dirty now (this batch, plus anything a failed earlier step left).
  ASSIGN_OR_RETURN(std::vector<DirtyFile> dirty, catalog.ListDirty());
  if (dirty.empty()) return Status::OK();
  for (DerivedIndex* d : derived_) {
    RETURN_IF_ERROR(d->Update(dirty).WithContext(d->name()));
    RETURN_IF_ERROR(d->Commit().WithContext(d->name()));
  }
  std::vector<std::string> paths;
  paths.reserve(dirty.size());
  for (const DirtyFile& f : dirty) paths.push_back(f.path);
  return catalog.FinishDirty(paths);
}

Status Indexer::Recover(Catalog& catalog, IndexStats& stats) {
  // Bounded chunks so that a huge interrupted rebuild does not load every block at once.
  for (;;) {
    ASSIGN_OR_RETURN(std::vector<DirtyFile> dirty, catalog.ListDirty(256));
    if (dirty.empty()) return Status::OK();
    for (DerivedIndex* d : derived_) {
      RETURN_IF_ERROR(d->Update(dirty).WithContext(d->name()));
      RETURN_IF_ERROR(d->Commit().WithContext(d->name()));
    }
    std::vector<std::string> paths;
    for (const DirtyFile& f : dirty) paths.push_back(f.path);
    RETURN_IF_ERROR(catalog.FinishDirty(paths));
    stats.files_recovered += dirty.size();
  }
}

Status Indexer::RebuildDerived(Catalog& catalog, DerivedIndex* derived, IndexStats& stats) {
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
  RETURN_IF_ERROR(derived->Commit().WithContext(derived->name()));
  stats.derived_rebuilt.push_back(derived->name());
  return Status::OK();
}

Result<IndexStats> Indexer::Run() {
  const auto started = Clock::now();
  const int64_t run_start_ns = NowNs();
  IndexStats stats;
  IndexProgress progress;
  auto report = [&] {
    if (options_.progress) options_.progress(progress);
  };
  auto cancelled = [&] { return options_.cancel != nullptr && options_.cancel->load(); };

  ASSIGN_OR_RETURN(std::unique_ptr<Catalog> catalog,
                   Catalog::Open(options_.index_dir, Catalog::Mode::kReadWrite));

  // 1. Rebuild when the content options changed. Derived indexes are emptied first so that
  // a crash in between leaves a catalog whose old hash forces another rebuild.
  ASSIGN_OR_RETURN(std::optional<std::string> stored_hash, catalog->GetMeta(kMetaContentHash));
  if (stored_hash != options_.content_hash) {
    stats.rebuilt = true;
    for (DerivedIndex* d : derived_) {
      RETURN_IF_ERROR(d->Clear().WithContext(d->name()));
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
  // A derived index made under other settings is re-made from the catalog first (before the
  // recovery, which would otherwise commit new entries into it under the new settings' tag).
  for (DerivedIndex* d : derived_) {
    if (d->NeedsRebuild()) RETURN_IF_ERROR(RebuildDerived(*catalog, d, stats));
  }
  RETURN_IF_ERROR(Recover(*catalog, stats));

  // 3. Scan and diff against the catalog.
  progress.phase = IndexProgress::Phase::kScanning;
  report();
  ScanOptions scan_options = options_.scan;
  scan_options.workspace = options_.workspace;
  // The workers read every candidate anyway: they apply the binary rule themselves instead of
  // the scanner opening every file a second time (70 % of a scan's cost, bench/README.md).
  const bool skip_binary = scan_options.skip_binary;
  scan_options.skip_binary = false;
  ASSIGN_OR_RETURN(ScanResult scan, Scan(scan_options));
  for (Status& e : scan.errors) {
    if (stats.errors.size() < kMaxKeptErrors) stats.errors.push_back(std::move(e));
  }
  stats.files_scanned = scan.files.size();

  ASSIGN_OR_RETURN(std::vector<FileRecord> known_files, catalog->ListFiles());
  std::unordered_map<std::string, FileRecord> known;
  known.reserve(known_files.size());
  for (FileRecord& f : known_files) known.emplace(f.path, std::move(f));
  known_files.clear();

  ASSIGN_OR_RETURN(std::optional<std::string> last_start_str,
                   catalog->GetMeta(kMetaLastRunStartNs));
  int64_t last_start_ns = 0;
  if (last_start_str) last_start_ns = std::strtoll(last_start_str->c_str(), nullptr, 10);

  std::vector<const ScannedFile*> candidates;
  std::unordered_set<std::string_view> listed;
  listed.reserve(scan.files.size());
  for (const ScannedFile& f : scan.files) {
    listed.insert(f.path);
    auto it = known.find(f.path);
    if (it != known.end() && it->second.size == f.size && it->second.mtime_ns == f.mtime_ns &&
        f.mtime_ns + kRacyWindowNs < last_start_ns) {
      ++stats.files_unchanged;
      continue;
    }
    candidates.push_back(&f);
  }
  std::vector<std::string> removals;
  for (const auto& [path, rec] : known) {
    if (!listed.count(path)) removals.push_back(path);
  }
  std::sort(removals.begin(), removals.end());

  progress.phase = IndexProgress::Phase::kIndexing;
  progress.files_total = scan.files.size();
  progress.files_done = stats.files_unchanged;
  RETURN_IF_ERROR(catalog->SetMeta(kMetaStateMessage, "Indexing"));
  report();

  // 4. Workers: read, decode, hash, parse.
  OutcomeQueue queue(64);
  std::atomic<size_t> next{0};
  int nthreads = options_.threads > 0
                     ? options_.threads
                     : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  nthreads = std::max(1, std::min<int>(nthreads, static_cast<int>(candidates.size())));
  const std::string root = options_.workspace;
  auto work = [&] {
    for (;;) {
      size_t i = next.fetch_add(1);
      if (i >= candidates.size() || cancelled()) return;
      const ScannedFile& f = *candidates[i];
      Outcome o;
      o.path = f.path;
      Result<std::string> bytes = ReadFile(root + "/" + f.path);
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
      queue.Push(std::move(o));
    }
  };
  std::vector<std::thread> workers;
  for (int t = 0; t < nthreads && !candidates.empty(); ++t) workers.emplace_back(work);
  std::thread closer([&] {
    for (std::thread& w : workers) w.join();
    queue.Close();
  });

  // 5. The writer: batches into the catalog and the derived indexes.
  CatalogBatch batch;
  size_t batch_blocks = 0;
  auto batch_started = Clock::now();
  Status write_status;
  auto commit = [&] {
    if (!write_status.ok()) return;
    write_status = CommitBatch(*catalog, batch, stats);
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
    RETURN_IF_ERROR(catalog->SetMeta(kMetaState, "Standby"));
    RETURN_IF_ERROR(catalog->SetMeta(kMetaStateMessage, "Indexing was interrupted"));
    return Status::Cancelled("indexing interrupted; the index is consistent, run index again");
  }
  stats.files_removed = removals.size();
  for (std::string& r : removals) batch.removals.push_back(std::move(r));
  commit();
  RETURN_IF_ERROR(write_status);

  RETURN_IF_ERROR(catalog->SetMeta(kMetaLastRunStartNs, std::to_string(run_start_ns)));
  RETURN_IF_ERROR(catalog->SetMeta(kMetaLastIndexedAt, IsoUtcNow()));
  RETURN_IF_ERROR(catalog->SetMeta(kMetaState, "Indexed"));
  RETURN_IF_ERROR(catalog->SetMeta(kMetaStateMessage, "Index up to date"));
  progress.phase = IndexProgress::Phase::kDone;
  report();
  stats.seconds = std::chrono::duration<double>(Clock::now() - started).count();
  return stats;
}

}  // namespace codeindex
