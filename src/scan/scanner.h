// The scanner: which files of a workspace get indexed.
//
// A file is listed when every rule below lets it through. The rules, in the order they
// are applied (a later rule can only remove files, never add them back):
//
//   1. The walk starts at the workspace root and follows symbolic links (like the
//      original's `rg --follow`); a link that leads back into a directory already on the
//      current path (a loop) is not entered again. Unreadable directories are reported once
//      (ScanResult::errors) and skipped.
//   2. Directory names the original always ignores (spec ORIGINAL-INDEXING.md §5.1
//      DIRS_TO_IGNORE: node_modules, __pycache__, env, venv, dist, out, bundle, vendor, tmp,
//      temp, deps, pkg, Pods, .git, and the two-component target/dependency and
//      build/dependencies), and any hidden file or directory (name starting with '.').
//   3. Ignore files, with git's exact semantics (gitignore(5)): `.gitignore` at every level
//      of the workspace, `$GIT_DIR/info/exclude` and `core.excludesFile` (default
//      `$XDG_CONFIG_HOME/git/ignore`) when the workspace is inside a git work tree; later,
//      deeper files take precedence; negation, directory-only patterns, `**`, anchoring,
//      escapes and trailing spaces as git does. A file in an excluded directory cannot be
//      re-included (as in git).
//   4. `.rooignore` and `.codeindexignore` at every level, same syntax, applied on top of
//      the git rules: they can exclude more, and their negations can re-include a file that
//      rule 3 excluded (they are consulted after the git rules, like ripgrep's `.ignore`).
//   5. Extension must be in lang/languages.h (compared lower-cased).
//   6. Size: files strictly larger than ScanOptions::max_file_size (1 MiB) are skipped.
//   7. Binary: a NUL byte in the first 8 KiB skips the file.
//
// Output is sorted by path bytes (deterministic, independent of thread timing). Paths are
// relative to the workspace root, '/'-separated, raw bytes: names with spaces, newlines or
// invalid UTF-8 are kept as they are.
//
// Thread safety: Scan() may be called from several threads at once; each call walks with
// up to ScanOptions::threads threads of its own.
#ifndef CODEINDEX_SCAN_SCANNER_H_
#define CODEINDEX_SCAN_SCANNER_H_

#include <cstdint>
#include <string>
#include <vector>

#include "base/status.h"

namespace codeindex {

struct ScanOptions {
  // Absolute or relative path of the workspace root. REQUIRES: an existing directory.
  std::string workspace;
  // The original's MAX_FILE_SIZE_BYTES; strictly larger files are skipped.
  uint64_t max_file_size = 1 << 20;
  // Read the first 8 KiB of every candidate and skip files with a NUL byte. Costs one
  // open+read per file; turning it off is only for benchmarks that isolate the walk.
  bool skip_binary = true;
  // Apply .gitignore / info/exclude / core.excludesFile (rule 3).
  bool git_ignore = true;
  // Apply .rooignore and .codeindexignore (rule 4).
  bool extra_ignore_files = true;
  // Walker threads; 0 means one per core (capped at 8). Directory reads dominate, and on
  // two cores two threads gave the best time (see bench/scan_bench.cc).
  int threads = 0;
};

struct ScannedFile {
  std::string path;      // relative to the workspace, '/'-separated
  uint64_t size = 0;     // bytes, from stat (after following links)
  int64_t mtime_ns = 0;  // modification time, nanoseconds since the epoch
};

struct ScanStats {
  uint64_t dirs_visited = 0;
  uint64_t files_seen = 0;       // regular files met by the walk, before any filter
  uint64_t skipped_ignored = 0;  // by rules 2-4
  uint64_t skipped_extension = 0;
  uint64_t skipped_size = 0;
  uint64_t skipped_binary = 0;
};

struct ScanResult {
  std::vector<ScannedFile> files;  // sorted by path
  std::vector<Status> errors;      // per-path problems (unreadable directory...), walk went on
  ScanStats stats;
};

// Walks the workspace. Fails only when the root itself cannot be read.
Result<ScanResult> Scan(const ScanOptions& options);

}  // namespace codeindex

#endif  // CODEINDEX_SCAN_SCANNER_H_
