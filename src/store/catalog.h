// The catalog: the index's source of truth, one SQLite database in WAL mode at
// WORKSPACE/.codeindex/catalog.db.
//
// It records every indexed file (path, content SHA-256 as the original's cache does, size,
// mtime), every code block (file, lines, type, identifier, segment hash, content), the
// symbols and imports of each file, and index-wide metadata (format version, options hash,
// state). The full-text and vector indexes are *derived* from it and may lag behind it;
// the catalog says which files they still have to catch up with.
//
// Crash safety (the write protocol, see docs/index-format.md):
//   1. Apply(batch) commits, in one SQLite transaction, the new blocks of changed files,
//      marks the blocks they replace as superseded (kept, so that readers of the derived
//      indexes still find the old state), marks removed files, and records every touched
//      path in the `dirty` table. Block ids are never reused (AUTOINCREMENT).
//   2. The caller brings the derived indexes up to date for the dirty paths (delete the
//      file's old entries, add its live blocks) and commits them.
//   3. FinishDirty(paths) deletes the superseded blocks, removed files and dirty rows.
// A process killed anywhere leaves a catalog whose `dirty` rows name exactly the files that
// the derived indexes may have wrong; step 2 is idempotent, so the next run redoes it.
// A reader therefore sees, for each file, the old state (before step 2 commits) or the new
// one (after), never a mix.
//
// Thread safety: a Catalog object is one SQLite connection and is NOT thread-safe; use one
// per thread. Any number of connections (read-only or not) may be open on the same database
// from several threads and processes; SQLite serialises writers (busy timeout 10 s).
#ifndef CODEINDEX_STORE_CATALOG_H_
#define CODEINDEX_STORE_CATALOG_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

struct sqlite3;

namespace codeindex {

// Version of the catalog schema. Changelog:
//   1 (2026-11): files, blocks (with superseded flag), symbols, imports, dirty, meta.
//   2 (2026-12): blocks.context (the enclosing signatures of a block of the complete
//                chunker), files.lines and files.covered_lines (coverage); a version-1
//                catalog is migrated when opened for writing.
inline constexpr int kCatalogFormatVersion = 2;

struct FileRecord {
  int64_t id = 0;
  std::string path;  // workspace-relative, '/'-separated, raw bytes
  std::string hash;  // SHA-256 hex of the decoded text (the original's fileHash)
  uint64_t size = 0;
  int64_t mtime_ns = 0;
  int64_t block_count = 0;
};

struct BlockRecord {
  int64_t id = 0;
  int64_t file_id = 0;
  std::string file_path;
  int start_line = 0;  // 1-based, inclusive
  int end_line = 0;
  std::string type;
  std::optional<std::string> identifier;
  std::string segment_hash;
  std::string content;
  std::string context;  // enclosing signatures, '\n'-separated (parse/parser.h CodeBlock)
};

struct SymbolRecord {
  std::string name;
  std::string kind;   // function, method, class, struct, interface, enum, type, constant, module
  std::string scope;  // enclosing definitions, "A.B"; empty at top level
  int start_line = 0;
  int end_line = 0;
  std::string file_path;  // filled by queries; ignored on insert
};

struct ImportRecord {
  std::string text;
  int line = 0;
};

// One file's new content for Apply().
struct FileUpdate {
  std::string path;
  std::string hash;
  uint64_t size = 0;
  int64_t mtime_ns = 0;
  std::vector<BlockRecord> blocks;  // id, file_id and file_path are ignored on insert
  std::vector<SymbolRecord> symbols;
  std::vector<ImportRecord> imports;
  int64_t lines = 0;          // non-blank lines of the file
  int64_t covered_lines = 0;  // of which inside some block
};

// A file whose content is unchanged but whose stat data moved (touch, checkout).
struct FileStamp {
  std::string path;
  uint64_t size = 0;
  int64_t mtime_ns = 0;
};

struct CatalogBatch {
  std::vector<FileUpdate> updates;
  std::vector<std::string> removals;  // paths
  std::vector<FileStamp> stamps;
};

// What the derived indexes must do for one dirty path.
struct DirtyFile {
  std::string path;
  std::vector<int64_t> stale_block_ids;  // superseded blocks: remove from derived indexes
  std::vector<BlockRecord> live_blocks;  // current blocks: (re-)add; empty if removed
};

// What the derived indexes are compared with (index/health.h), read in one transaction so
// that its fields describe the same committed state.
struct CatalogState {
  std::string id;           // meta "catalog_id": random, made with the catalog
  int64_t generation = 0;   // meta "generation"
  int64_t live_blocks = 0;  // blocks not superseded
  int64_t dirty = 0;        // rows of the dirty journal (0: the derived indexes caught up)
};

struct CatalogCounts {
  int64_t files = 0;
  int64_t blocks = 0;  // live blocks
  int64_t symbols = 0;
  int64_t dirty = 0;
  int64_t lines = 0;          // non-blank lines of the live files
  int64_t covered_lines = 0;  // of which inside some block (coverage = covered / lines)
};

// A user's `--path` prefix as stored paths spell it: leading "./" and "/" runs dropped,
// trailing '/' dropped; "", "." and "./" mean everywhere (returns "").
std::string NormalizePathPrefix(std::string_view prefix);

class Catalog {
 public:
  enum class Mode { kReadOnly, kReadWrite };

  // Opens (kReadWrite: creating if needed) `dir`/catalog.db. A database written by another
  // format version is refused with kFailedPrecondition (the caller rebuilds). A file that is
  // not an SQLite database, or whose pages SQLite finds malformed, is kCorruption; so is
  // every later call that reads a malformed page.
  static Result<std::unique_ptr<Catalog>> Open(const std::string& dir, Mode mode);
  ~Catalog();
  Catalog(const Catalog&) = delete;
  Catalog& operator=(const Catalog&) = delete;

  const std::string& path() const { return path_; }

  // Index-wide key/value metadata.
  Result<std::optional<std::string>> GetMeta(std::string_view key);
  Status SetMeta(std::string_view key, std::string_view value);

  // All files, sorted by path.
  Result<std::vector<FileRecord>> ListFiles();
  Result<std::optional<FileRecord>> GetFile(std::string_view path);

  // Commits `batch` as one transaction (protocol step 1). Returns the generation, which
  // grows by one when the batch marks a path dirty (an update, or the removal of a file the
  // catalog holds); a batch that changes no block (stamps only) keeps it, since no derived
  // index commits for it.
  Result<int64_t> Apply(const CatalogBatch& batch);
  // Dirty files with what the derived indexes must do for them (protocol step 2), at most
  // `limit` files.
  Result<std::vector<DirtyFile>> ListDirty(size_t limit = SIZE_MAX);
  // Protocol step 3 for `paths`.
  Status FinishDirty(const std::vector<std::string>& paths);

  // Blocks by id, in the order of `ids`; ids that no longer exist are skipped.
  Result<std::vector<BlockRecord>> GetBlocks(const std::vector<int64_t>& ids);
  // Ids of the live blocks whose file is under `prefix` (whole path components: "src" and
  // "src/" select src/a.py, never srcx/a.py; a prefix naming a file selects that file),
  // sorted ascending. The prefix is normalised as NormalizePathPrefix() does.
  Result<std::vector<int64_t>> BlockIdsUnderPrefix(std::string_view prefix);

  // Live blocks of one file, ordered by start line.
  Result<std::vector<BlockRecord>> GetFileBlocks(std::string_view path);
  // Live blocks of one file that share a line with [first_line, last_line], ordered by start
  // line (what holds a symbol's definition, without reading the whole file's blocks).
  Result<std::vector<BlockRecord>> GetBlocksOverlapping(std::string_view path, int first_line,
                                                        int last_line);

  // Symbols whose name equals `name` (case-sensitive matches first, then case-insensitive),
  // at most `limit`.
  Result<std::vector<SymbolRecord>> FindSymbols(std::string_view name, size_t limit);
  Result<std::vector<SymbolRecord>> FileSymbols(std::string_view path);
  Result<std::vector<ImportRecord>> FileImports(std::string_view path);

  Result<CatalogCounts> Counts();
  // Current generation: the number of committed changes of the blocks since the catalog
  // was made (Apply() and Clear() each add one). A derived index records the generation it
  // was committed from (index/derived_index.h, CatalogStamp).
  Result<int64_t> Generation();
  // The catalog's identity (meta "catalog_id", 32 hex digits made at random when the
  // catalog is created, or when a writer first opens a catalog made before it existed; ""
  // in a read-only catalog that has none). A catalog made anew gets a new id, so a derived
  // index built from an earlier one is never taken for current.
  Result<std::string> Id();
  // Id, generation, live blocks and dirty rows, from one snapshot.
  Result<CatalogState> State();

  // SQLite's structural checks of every page: "PRAGMA quick_check" (kQuick: b-trees, cell
  // and free-list layout; about as long as reading the file) or "PRAGMA integrity_check"
  // (kFull: also that every index matches its table). Returns the problems SQLite lists (at
  // most `max_problems`), empty when sound. An error only when the check could not run.
  enum class CheckDepth { kQuick, kFull };
  Result<std::vector<std::string>> Check(CheckDepth depth, int max_problems = 10);

  // Deletes every file, block, symbol and dirty row (a rebuild), keeping the meta table.
  Status Clear();

 private:
  Catalog(sqlite3* db, std::string path) : db_(db), path_(std::move(path)) {}
  Status Exec(const char* sql);
  Status InitSchema();

  sqlite3* db_;
  std::string path_;
};

}  // namespace codeindex

#endif  // CODEINDEX_STORE_CATALOG_H_
