// The incremental indexer: brings WORKSPACE/.codeindex/ up to date with the workspace.
//
// One Run() does, in order (the original's semantics, docs/original.md §5.3-5.5, §7):
//   0. Checks (index/health.h): a catalog that cannot be opened, or that fails SQLite's
//      quick_check, is deleted, and the whole index is rebuilt from the files (step 1 sees
//      a new catalog).
//   1. If the catalog was built with other content options (IndexerOptions::content_hash:
//      chunker limits, parser version, ...), everything is dropped and rebuilt: an index
//      never mixes blocks made under different rules.
//   2. Recovery: a derived index that its open found unusable (DerivedIndex::RebuildReason)
//      is rebuilt from the catalog; files left dirty by a killed run are brought up to date
//      in the derived indexes (store/catalog.h, protocol step 2); then each derived index is
//      compared with the catalog, now at rest (DerivedIndex::CheckAgainst), and rebuilt
//      from it when they disagree. Each repair is reported as one line
//      (IndexerOptions::on_repair) saying what is rebuilt and why.
//   3. Scan (scan/scanner.h). A file whose size and mtime equal the catalog's, and whose
//      mtime is safely older than the previous run (git's "racy" rule), is unchanged without
//      being read. Every other file is read, decoded as the original decodes it (invalid
//      UTF-8 -> U+FFFD) and hashed (SHA-256 of the decoded text, the original's fileHash);
//      an equal hash only refreshes the stat data; a different one re-parses the file.
//   4. Files in the catalog that the scan no longer lists (deleted, newly ignored, grown
//      over 1 MiB, unreadable) drop out.
//   5. Changes are committed in batches (IndexerOptions::batch_blocks / batch_seconds): one
//      catalog transaction, then every derived index updated and committed, then the dirty
//      rows cleared. A process killed at any moment leaves an index that the next Run()
//      makes whole, with no duplicate or missing block. A derived index that fails with
//      kCorruption while being updated (damage the checks at open could not see) is
//      rebuilt from the catalog on the spot, and the run goes on.
//
// UpdatePaths() is the same step restricted to some paths (what the watcher calls): step 3
// with scan/scanner.h's ScanPaths() instead of Scan(), and step 4 for the catalog files at or
// below those paths only. Both share the code of steps 3-5, so a file is judged and
// committed the same way whichever call sees it.
//
// Reading files, hashing and parsing run on IndexerOptions::threads worker threads; the
// catalog and the derived indexes are written by the thread that called Run(). Memory is
// bounded by the in-flight queue (a few dozen parsed files) plus one batch.
//
// Thread safety: one Indexer per index directory, and the caller holds its WriterLock
// (index/index_dir.h). Run() is not reentrant.
#ifndef CODEINDEX_INDEX_INDEXER_H_
#define CODEINDEX_INDEX_INDEXER_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "base/status.h"
#include "index/derived_index.h"
#include "scan/scanner.h"
#include "store/catalog.h"

namespace codeindex {

// What a file becomes in the catalog.
struct ProcessedFile {
  std::vector<BlockRecord> blocks;
  std::vector<SymbolRecord> symbols;
  std::vector<ImportRecord> imports;
  int64_t lines = 0;          // non-blank lines of the file
  int64_t covered_lines = 0;  // non-blank lines inside some block
};

// Turns one file's decoded text into catalog records. `rel_path` is workspace-relative.
// Called concurrently from the worker threads: must be thread-safe.
using FileProcessor =
    std::function<Result<ProcessedFile>(const std::string& rel_path, const std::string& text)>;

struct IndexProgress {
  enum class Phase { kScanning, kRecovering, kIndexing, kDone };
  Phase phase = Phase::kScanning;
  uint64_t files_total = 0;  // files listed by the scan
  uint64_t files_done = 0;   // files checked (unchanged, parsed or failed)
  uint64_t blocks = 0;       // blocks written so far in this run
};

// A file whose blocks a committed batch changed (IndexerOptions::committed).
struct IndexedFile {
  std::string path;
  bool removed = false;  // dropped out of the index (deleted, ignored, binary, unreadable)
  size_t blocks = 0;     // its blocks now (0 when removed)
};

struct IndexerOptions {
  std::string workspace;  // REQUIRES: an existing directory
  std::string index_dir;  // REQUIRES: non-empty; see IndexDirFor()
  // Hash of everything that changes index content; a stored hash that differs triggers a
  // full rebuild.
  std::string content_hash;
  ScanOptions scan;  // `workspace` is filled in from above
  // Worker threads for read + hash + parse; 0 = one per core.
  int threads = 0;
  // A batch is committed when it holds this many blocks or is this old, whichever comes
  // first. Larger batches amortise the fsyncs of the derived indexes; smaller ones bound
  // memory and make progress visible to concurrent searches sooner.
  size_t batch_blocks = 4000;
  double batch_seconds = 2.0;
  // Called from the indexing thread after each checked file (throttle in the callback).
  std::function<void(const IndexProgress&)> progress;
  // Called from the indexing thread after each batch is committed to the catalog and every
  // derived index, with the files whose blocks it changed: from now on a search finds their
  // new content. Files whose content was unchanged (only their stat data moved) are not
  // reported.
  std::function<void(const std::vector<IndexedFile>&)> committed;
  // Catalog meta entries written at the start of the run (e.g. the embedder used).
  std::vector<std::pair<std::string, std::string>> meta;
  // Set to true to stop early: the current batch is committed and Run() returns
  // kCancelled; the index stays consistent.
  const std::atomic<bool>* cancel = nullptr;
  // Called from the indexing thread with one line (no "codeindex: " prefix, no newline)
  // each time a damaged or inconsistent part of the index is about to be rebuilt, saying
  // which and why. Unset: the line goes to stderr as "codeindex: <line>", so that every
  // front end (index, watch, serve) shows it.
  std::function<void(const std::string&)> on_repair;
};

struct IndexStats {
  uint64_t files_scanned = 0;
  uint64_t files_unchanged = 0;  // skipped by stat or by equal hash
  uint64_t files_parsed = 0;
  uint64_t files_removed = 0;
  uint64_t files_failed = 0;
  uint64_t files_skipped = 0;                // binary content found when reading
  uint64_t files_recovered = 0;              // dirty files redone after a killed run
  std::vector<std::string> derived_rebuilt;  // derived indexes re-made from the catalog
  std::vector<std::string> repairs;          // the lines given to on_repair, in order
  uint64_t blocks_added = 0;
  bool rebuilt = false;  // content options changed (or first run)
  double seconds = 0;
  std::vector<Status> errors;  // per-file problems; the run went on
};

class Indexer {
 public:
  Indexer(IndexerOptions options, FileProcessor processor, std::vector<DerivedIndex*> derived);
  ~Indexer();
  Indexer(const Indexer&) = delete;
  Indexer& operator=(const Indexer&) = delete;

  // The whole workspace (steps 1-5 above).
  Result<IndexStats> Run();

  // Steps 2-5 for `rel_paths` only (workspace-relative, as scan/scanner.h's ScanPaths()
  // takes them; "" is the whole workspace): files listed at or below them are read, hashed
  // and parsed if changed, and catalog files at or below them that are no longer listed drop
  // out. A path may name a file or a directory, existing or not: a deleted directory's files
  // drop out. Does not advance the racy-mtime reference (only Run() does) nor the catalog's
  // state. Errors: kFailedPrecondition when the index was never built or was built with
  // other content options, or a derived index needs re-making (DerivedIndex::RebuildReason;
  // call Run()); kInvalidArgument for a path outside the workspace;
  // kCancelled as Run().
  Result<IndexStats> UpdatePaths(const std::vector<std::string>& rel_paths);

 private:
  struct Plan;
  Result<IndexStats> RunImpl();
  Result<IndexStats> UpdatePathsImpl(const std::vector<std::string>& rel_paths);
  Status Recover(Catalog& catalog, IndexStats& stats);
  // Clears `derived` and re-adds every live block of the catalog, committed under the
  // catalog's current stamp; reports it (Repair) with `why` unless `why` is empty.
  Status RebuildDerived(Catalog& catalog, DerivedIndex* derived, IndexStats& stats,
                        const std::string& why);
  // Update(dirty) and Commit() of one derived index under `stamp`; on kCorruption, rebuilds
  // it from the catalog instead.
  Status UpdateDerived(Catalog& catalog, DerivedIndex* derived,
                       const std::vector<DirtyFile>& dirty, const CatalogStamp& stamp,
                       IndexStats& stats);
  // Step 0: the catalog for a full run, replaced by a new one when damaged.
  Status OpenCatalogForRun(IndexStats& stats);
  // Reports one repair (IndexerOptions::on_repair) and records it in `stats`.
  void Repair(IndexStats& stats, std::string line);
  // Step 3's diff: which listed files must be read, which catalog files drop out.
  void Diff(Plan& plan, IndexStats& stats) const;
  // Steps 4-5 for a plan: workers read, hash and parse the candidates; this thread commits
  // the outcomes and then the removals in batches. kCancelled (after committing what was
  // done, without the removals) when cancelled.
  Status Process(Catalog& catalog, Plan& plan, IndexStats& stats, IndexProgress& progress);
  Status CommitBatch(Catalog& catalog, CatalogBatch& batch, IndexStats& stats);
  // The catalog connection, kept between calls (UpdatePaths() is latency-bound); `fresh`
  // reopens it.
  Result<Catalog*> OpenCatalog(bool fresh);
  void ForgetCatalog();
  // The catalog's file paths, loaded once and then maintained by CommitBatch() (this
  // indexer is the catalog's only writer): UpdatePaths() finds the files below a directory
  // without listing the whole catalog.
  Status LoadCatalogPaths(Catalog& catalog);

  IndexerOptions options_;
  FileProcessor processor_;
  std::vector<DerivedIndex*> derived_;
  std::unique_ptr<Catalog> catalog_;
  std::set<std::string> catalog_paths_;
  bool catalog_paths_valid_ = false;
};

// Meta keys the indexer maintains in the catalog (read by `status`).
inline constexpr char kMetaState[] = "state";  // Standby, Indexing, Indexed, Error
inline constexpr char kMetaStateMessage[] = "state_message";
inline constexpr char kMetaContentHash[] = "content_hash";
inline constexpr char kMetaLastIndexedAt[] = "last_indexed_at";  // ISO 8601 UTC
inline constexpr char kMetaLastRunStartNs[] = "last_run_start_ns";

}  // namespace codeindex

#endif  // CODEINDEX_INDEX_INDEXER_H_
