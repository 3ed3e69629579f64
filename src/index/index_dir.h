// The on-disk home of an index: WORKSPACE/.codeindex/ and who may write it.
//
// Layout (docs/index-format.md):
//   catalog.db, catalog.db-wal, catalog.db-shm   the catalog (store/catalog.h), source of truth
//   text/                                        BM25 full-text index (derived)
//   vectors/                                     vector index (derived)
//   embeddings/                                  embedding cache, keyed by model and segment
//   config.toml                                  user configuration (optional)
//   serve-status.json                            a running server's live statistics
//   lock                                         flock()ed by the one process writing the index
//
// Exactly one process writes an index at a time (`index`, `watch` or `serve`); any number
// read it. The writer holds an exclusive flock on `lock` for as long as it may write; the
// lock dies with the process, so a killed writer never blocks the next one.
#ifndef CODEINDEX_INDEX_INDEX_DIR_H_
#define CODEINDEX_INDEX_INDEX_DIR_H_

#include <memory>
#include <string>

#include "base/status.h"

namespace codeindex {

// WORKSPACE/.codeindex, unless $CODEINDEX_INDEX_DIR names another directory (for read-only
// workspaces).
std::string IndexDirFor(const std::string& workspace);

// Where a running `serve` writes its live statistics (the /v1/status object plus "pid" and
// "written_at_unix", every few seconds, removed when it stops) for `codeindex status`.
std::string LiveStatusPath(const std::string& index_dir);

// The writer lock of an index directory. Move-only; released on destruction.
class WriterLock {
 public:
  // Creates `index_dir` if needed and takes the lock. If another live process holds it:
  // kFailedPrecondition "index is being updated by another process (pid N)" unless `wait`,
  // in which case this blocks until it is free.
  static Result<std::unique_ptr<WriterLock>> Acquire(const std::string& index_dir, bool wait);
  // True if some process holds the lock of `index_dir` right now (for `status`).
  static bool IsHeld(const std::string& index_dir);
  ~WriterLock();
  WriterLock(const WriterLock&) = delete;
  WriterLock& operator=(const WriterLock&) = delete;

 private:
  explicit WriterLock(int fd) : fd_(fd) {}
  int fd_;
};

// mkdir -p.
Status MakeDirectories(const std::string& path);
// rm -rf of a directory inside the index (used by rebuilds). Missing is fine.
Status RemoveTree(const std::string& path);
// Total bytes of the regular files under `path`.
uint64_t TreeSizeBytes(const std::string& path);

}  // namespace codeindex

#endif  // CODEINDEX_INDEX_INDEX_DIR_H_
