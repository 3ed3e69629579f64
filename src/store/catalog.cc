#include "store/catalog.h"

#include <algorithm>
#include <cerrno>
#include <random>
#include <string>

#include <sqlite3.h>
#include <sys/stat.h>

#include "store/sqlite_stmt.h"

namespace codeindex {

namespace {

constexpr char kSchema[] = R"sql(
CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS files(
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  path BLOB NOT NULL UNIQUE,
  hash TEXT NOT NULL,
  size INTEGER NOT NULL,
  mtime_ns INTEGER NOT NULL,
  block_count INTEGER NOT NULL,
  removed INTEGER NOT NULL DEFAULT 0,
  lines INTEGER NOT NULL DEFAULT 0,
  covered_lines INTEGER NOT NULL DEFAULT 0);
CREATE TABLE IF NOT EXISTS blocks(
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  file_id INTEGER NOT NULL,
  start_line INTEGER NOT NULL,
  end_line INTEGER NOT NULL,
  type TEXT NOT NULL,
  identifier TEXT,
  segment_hash TEXT NOT NULL,
  content TEXT NOT NULL,
  superseded INTEGER NOT NULL DEFAULT 0,
  context TEXT NOT NULL DEFAULT '');
CREATE INDEX IF NOT EXISTS blocks_by_file ON blocks(file_id, superseded);
CREATE TABLE IF NOT EXISTS symbols(
  file_id INTEGER NOT NULL,
  name TEXT NOT NULL,
  kind TEXT NOT NULL,
  scope TEXT NOT NULL,
  start_line INTEGER NOT NULL,
  end_line INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS symbols_by_name ON symbols(name COLLATE NOCASE);
CREATE INDEX IF NOT EXISTS symbols_by_file ON symbols(file_id);
CREATE TABLE IF NOT EXISTS imports(
  file_id INTEGER NOT NULL,
  line INTEGER NOT NULL,
  text TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS imports_by_file ON imports(file_id);
CREATE TABLE IF NOT EXISTS dirty(path BLOB PRIMARY KEY) WITHOUT ROWID;
)sql";

constexpr char kBlockColumns[] =
    "b.id, b.file_id, f.path, b.start_line, b.end_line, b.type, b.identifier, b.segment_hash, "
    "b.content, b.context";

BlockRecord ReadBlock(const Stmt& s) {
  BlockRecord b;
  b.id = s.Int(0);
  b.file_id = s.Int(1);
  b.file_path = s.Text(2);
  b.start_line = static_cast<int>(s.Int(3));
  b.end_line = static_cast<int>(s.Int(4));
  b.type = s.Text(5);
  if (!s.IsNull(6)) b.identifier = s.Text(6);
  b.segment_hash = s.Text(7);
  b.content = s.Text(8);
  b.context = s.Text(9);
  return b;
}

// RAII transaction: rolls back unless committed.
class Transaction {
 public:
  explicit Transaction(sqlite3* db) : db_(db) {
    if (sqlite3_exec(db_, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr) != SQLITE_OK) {
      status_ = SqliteError(db_, "begin");
    }
  }
  ~Transaction() {
    if (!done_ && status_.ok()) sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
  }
  const Status& status() const { return status_; }
  Status Commit() {
    done_ = true;
    if (sqlite3_exec(db_, "COMMIT", nullptr, nullptr, nullptr) != SQLITE_OK) {
      Status s = SqliteError(db_, "commit");
      sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
      return s;
    }
    return Status::OK();
  }

 private:
  sqlite3* db_;
  Status status_;
  bool done_ = false;
};

Status MakeDirs(const std::string& dir) {
  std::string cur;
  for (size_t i = 0; i <= dir.size(); ++i) {
    if (i == dir.size() || dir[i] == '/') {
      if (!cur.empty() && ::mkdir(cur.c_str(), 0755) != 0 && errno != EEXIST) {
        return Status::FromErrno(cur, errno);
      }
    }
    if (i < dir.size()) cur.push_back(dir[i]);
  }
  return Status::OK();
}

// 128 random bits as 32 hex digits.
std::string RandomId() {
  std::random_device rd;
  std::string out;
  static constexpr char kHex[] = "0123456789abcdef";
  for (int i = 0; i < 4; ++i) {
    uint32_t v = rd();
    for (int j = 0; j < 8; ++j, v >>= 4) out.push_back(kHex[v & 15]);
  }
  return out;
}

constexpr char kMetaCatalogId[] = "catalog_id";

}  // namespace

Result<std::unique_ptr<Catalog>> Catalog::Open(const std::string& dir, Mode mode) {
  int flags = SQLITE_OPEN_NOMUTEX;
  if (mode == Mode::kReadWrite) {
    RETURN_IF_ERROR(MakeDirs(dir));
    flags |= SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
  } else {
    flags |= SQLITE_OPEN_READONLY;
  }
  std::string path = dir + "/catalog.db";
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(path.c_str(), &db, flags, nullptr) != SQLITE_OK) {
    Status s = SqliteError(db, "open " + path);
    sqlite3_close(db);
    if (mode == Mode::kReadOnly) return Status::NotFound("no index at " + dir);
    return s;
  }
  std::unique_ptr<Catalog> c(new Catalog(db, path));
  sqlite3_busy_timeout(db, 10000);
  if (mode == Mode::kReadWrite) {
    // WAL: readers never block the writer and see the last committed transaction.
    // synchronous=NORMAL: a killed process loses nothing committed; a power cut may lose the
    // last transactions but never corrupts (they are redone by the next `index`).
    RETURN_IF_ERROR(c->Exec("PRAGMA journal_mode=WAL"));
    RETURN_IF_ERROR(c->Exec("PRAGMA synchronous=NORMAL"));
    RETURN_IF_ERROR(c->InitSchema());
  }
  ASSIGN_OR_RETURN(std::optional<std::string> version, c->GetMeta("catalog_format"));
  if (!version) {
    if (mode == Mode::kReadOnly) return Status::NotFound("no index at " + dir);
    RETURN_IF_ERROR(c->SetMeta("catalog_format", std::to_string(kCatalogFormatVersion)));
  } else if (*version == "1" && mode == Mode::kReadWrite) {
    // 1 -> 2: blocks.context. The chunker change re-parses every file anyway.
    RETURN_IF_ERROR(c->Exec(
        "ALTER TABLE blocks ADD COLUMN context TEXT NOT NULL DEFAULT '';"
        "ALTER TABLE files ADD COLUMN lines INTEGER NOT NULL DEFAULT 0;"
        "ALTER TABLE files ADD COLUMN covered_lines INTEGER NOT NULL DEFAULT 0"));
    RETURN_IF_ERROR(c->SetMeta("catalog_format", std::to_string(kCatalogFormatVersion)));
  } else if (*version != std::to_string(kCatalogFormatVersion)) {
    return Status::FailedPrecondition("catalog " + path + " has format " + *version +
                                      ", this binary reads " +
                                      std::to_string(kCatalogFormatVersion));
  }
  if (mode == Mode::kReadWrite) {
    ASSIGN_OR_RETURN(std::optional<std::string> id, c->GetMeta(kMetaCatalogId));
    if (!id) RETURN_IF_ERROR(c->SetMeta(kMetaCatalogId, RandomId()));
  }
  return c;
}

Catalog::~Catalog() { sqlite3_close(db_); }

Status Catalog::Exec(const char* sql) {
  if (sqlite3_exec(db_, sql, nullptr, nullptr, nullptr) != SQLITE_OK) {
    return SqliteError(db_, "");
  }
  return Status::OK();
}

Status Catalog::InitSchema() { return Exec(kSchema); }

Result<std::optional<std::string>> Catalog::GetMeta(std::string_view key) {
  Stmt s(db_, "SELECT value FROM meta WHERE key = ?");
  s.Bind(1, key);
  std::optional<std::string> v;
  if (s.Step()) v = s.Text(0);
  RETURN_IF_ERROR(s.status());
  return v;
}

Status Catalog::SetMeta(std::string_view key, std::string_view value) {
  Stmt s(db_,
         "INSERT INTO meta(key, value) VALUES(?, ?) "
         "ON CONFLICT(key) DO UPDATE SET value = excluded.value");
  s.Bind(1, key).Bind(2, value);
  return s.Run();
}

Result<std::vector<FileRecord>> Catalog::ListFiles() {
  Stmt s(db_,
         "SELECT id, path, hash, size, mtime_ns, block_count FROM files "
         "WHERE removed = 0 ORDER BY path");
  std::vector<FileRecord> out;
  while (s.Step()) {
    out.push_back(
        {s.Int(0), s.Text(1), s.Text(2), static_cast<uint64_t>(s.Int(3)), s.Int(4), s.Int(5)});
  }
  RETURN_IF_ERROR(s.status());
  return out;
}

Result<std::optional<FileRecord>> Catalog::GetFile(std::string_view path) {
  Stmt s(db_,
         "SELECT id, path, hash, size, mtime_ns, block_count FROM files "
         "WHERE path = ? AND removed = 0");
  s.BindBlob(1, path);
  std::optional<FileRecord> out;
  if (s.Step()) {
    out = FileRecord{s.Int(0), s.Text(1), s.Text(2), static_cast<uint64_t>(s.Int(3)),
                     s.Int(4), s.Int(5)};
  }
  RETURN_IF_ERROR(s.status());
  return out;
}

Result<int64_t> Catalog::Apply(const CatalogBatch& batch) {
  Transaction txn(db_);
  RETURN_IF_ERROR(txn.status());
  Stmt find(db_, "SELECT id FROM files WHERE path = ?");
  Stmt insert_file(db_,
                   "INSERT INTO files(path, hash, size, mtime_ns, block_count, removed, "
                   "lines, covered_lines) VALUES(?, ?, ?, ?, ?, 0, ?, ?)");
  Stmt update_file(db_,
                   "UPDATE files SET hash = ?, size = ?, mtime_ns = ?, block_count = ?, "
                   "removed = 0, lines = ?, covered_lines = ? WHERE id = ?");
  Stmt supersede(db_, "UPDATE blocks SET superseded = 1 WHERE file_id = ? AND superseded = 0");
  Stmt insert_block(db_,
                    "INSERT INTO blocks(file_id, start_line, end_line, type, identifier, "
                    "segment_hash, content, context) VALUES(?, ?, ?, ?, ?, ?, ?, ?)");
  Stmt delete_symbols(db_, "DELETE FROM symbols WHERE file_id = ?");
  Stmt insert_symbol(db_,
                     "INSERT INTO symbols(file_id, name, kind, scope, start_line, end_line) "
                     "VALUES(?, ?, ?, ?, ?, ?)");
  Stmt delete_imports(db_, "DELETE FROM imports WHERE file_id = ?");
  Stmt insert_import(db_, "INSERT INTO imports(file_id, line, text) VALUES(?, ?, ?)");
  Stmt mark_dirty(db_, "INSERT OR IGNORE INTO dirty(path) VALUES(?)");
  Stmt remove_file(db_, "UPDATE files SET removed = 1, block_count = 0 WHERE id = ?");
  Stmt stamp(db_, "UPDATE files SET size = ?, mtime_ns = ? WHERE path = ? AND removed = 0");
  for (const Stmt* s :
       {&find, &insert_file, &update_file, &supersede, &insert_block, &delete_symbols,
        &insert_symbol, &delete_imports, &insert_import, &mark_dirty, &remove_file, &stamp}) {
    RETURN_IF_ERROR(s->status());
  }

  auto find_id = [&](std::string_view path) -> Result<int64_t> {
    find.Reset();
    find.BindBlob(1, path);
    int64_t id = 0;
    if (find.Step()) id = find.Int(0);
    RETURN_IF_ERROR(find.status());
    find.Reset();
    return id;
  };
  auto run = [](Stmt& s) {
    Status st = s.Run();
    s.Reset();
    return st;
  };

  for (const FileUpdate& u : batch.updates) {
    ASSIGN_OR_RETURN(int64_t file_id, find_id(u.path));
    if (file_id == 0) {
      insert_file.BindBlob(1, u.path).Bind(2, u.hash).Bind(3, static_cast<int64_t>(u.size));
      insert_file.Bind(4, u.mtime_ns).Bind(5, static_cast<int64_t>(u.blocks.size()));
      insert_file.Bind(6, u.lines).Bind(7, u.covered_lines);
      RETURN_IF_ERROR(run(insert_file));
      file_id = sqlite3_last_insert_rowid(db_);
    } else {
      update_file.Bind(1, u.hash).Bind(2, static_cast<int64_t>(u.size)).Bind(3, u.mtime_ns);
      update_file.Bind(4, static_cast<int64_t>(u.blocks.size())).Bind(5, u.lines);
      update_file.Bind(6, u.covered_lines).Bind(7, file_id);
      RETURN_IF_ERROR(run(update_file));
      supersede.Bind(1, file_id);
      RETURN_IF_ERROR(run(supersede));
    }
    for (const BlockRecord& b : u.blocks) {
      insert_block.Bind(1, file_id).Bind(2, b.start_line).Bind(3, b.end_line).Bind(4, b.type);
      if (b.identifier)
        insert_block.Bind(5, *b.identifier);
      else
        insert_block.BindNull(5);
      insert_block.Bind(6, b.segment_hash).Bind(7, b.content).Bind(8, b.context);
      RETURN_IF_ERROR(run(insert_block));
    }
    delete_symbols.Bind(1, file_id);
    RETURN_IF_ERROR(run(delete_symbols));
    for (const SymbolRecord& sym : u.symbols) {
      insert_symbol.Bind(1, file_id).Bind(2, sym.name).Bind(3, sym.kind).Bind(4, sym.scope);
      insert_symbol.Bind(5, sym.start_line).Bind(6, sym.end_line);
      RETURN_IF_ERROR(run(insert_symbol));
    }
    delete_imports.Bind(1, file_id);
    RETURN_IF_ERROR(run(delete_imports));
    for (const ImportRecord& imp : u.imports) {
      insert_import.Bind(1, file_id).Bind(2, imp.line).Bind(3, imp.text);
      RETURN_IF_ERROR(run(insert_import));
    }
    mark_dirty.BindBlob(1, u.path);
    RETURN_IF_ERROR(run(mark_dirty));
  }
  bool changed = !batch.updates.empty();  // some path marked dirty
  for (const std::string& path : batch.removals) {
    ASSIGN_OR_RETURN(int64_t file_id, find_id(path));
    if (file_id == 0) continue;
    changed = true;
    remove_file.Bind(1, file_id);
    RETURN_IF_ERROR(run(remove_file));
    supersede.Bind(1, file_id);
    RETURN_IF_ERROR(run(supersede));
    delete_symbols.Bind(1, file_id);
    RETURN_IF_ERROR(run(delete_symbols));
    delete_imports.Bind(1, file_id);
    RETURN_IF_ERROR(run(delete_imports));
    mark_dirty.BindBlob(1, path);
    RETURN_IF_ERROR(run(mark_dirty));
  }
  for (const FileStamp& st : batch.stamps) {
    stamp.Bind(1, static_cast<int64_t>(st.size)).Bind(2, st.mtime_ns).BindBlob(3, st.path);
    RETURN_IF_ERROR(run(stamp));
  }
  ASSIGN_OR_RETURN(int64_t gen, Generation());
  if (changed) {
    ++gen;
    RETURN_IF_ERROR(SetMeta("generation", std::to_string(gen)));
  }
  RETURN_IF_ERROR(txn.Commit());
  return gen;
}

Result<std::vector<DirtyFile>> Catalog::ListDirty(size_t limit) {
  std::vector<DirtyFile> out;
  {
    Stmt s(db_, "SELECT path FROM dirty ORDER BY path");
    while (out.size() < limit && s.Step()) out.push_back(DirtyFile{s.Text(0), {}, {}});
    RETURN_IF_ERROR(s.status());
  }
  Stmt stale(db_,
             "SELECT b.id FROM blocks b JOIN files f ON f.id = b.file_id "
             "WHERE f.path = ? AND b.superseded = 1 ORDER BY b.id");
  std::string live_sql = std::string("SELECT ") + kBlockColumns +
                         " FROM blocks b JOIN files f ON f.id = b.file_id "
                         "WHERE f.path = ? AND f.removed = 0 AND b.superseded = 0 "
                         "ORDER BY b.id";
  Stmt live(db_, live_sql.c_str());
  RETURN_IF_ERROR(stale.status());
  RETURN_IF_ERROR(live.status());
  for (DirtyFile& d : out) {
    stale.Reset();
    stale.BindBlob(1, d.path);
    while (stale.Step()) d.stale_block_ids.push_back(stale.Int(0));
    RETURN_IF_ERROR(stale.status());
    live.Reset();
    live.BindBlob(1, d.path);
    while (live.Step()) d.live_blocks.push_back(ReadBlock(live));
    RETURN_IF_ERROR(live.status());
  }
  return out;
}

Status Catalog::FinishDirty(const std::vector<std::string>& paths) {
  Transaction txn(db_);
  RETURN_IF_ERROR(txn.status());
  Stmt drop_blocks(db_,
                   "DELETE FROM blocks WHERE superseded = 1 AND file_id IN "
                   "(SELECT id FROM files WHERE path = ?)");
  Stmt drop_file(db_, "DELETE FROM files WHERE path = ? AND removed = 1");
  Stmt drop_dirty(db_, "DELETE FROM dirty WHERE path = ?");
  for (const std::string& p : paths) {
    for (Stmt* s : {&drop_blocks, &drop_file, &drop_dirty}) {
      s->Reset();
      s->BindBlob(1, p);
      RETURN_IF_ERROR(s->Run());
    }
  }
  return txn.Commit();
}

Result<std::vector<BlockRecord>> Catalog::GetBlocks(const std::vector<int64_t>& ids) {
  std::string sql = std::string("SELECT ") + kBlockColumns +
                    " FROM blocks b JOIN files f ON f.id = b.file_id WHERE b.id = ?";
  Stmt s(db_, sql.c_str());
  RETURN_IF_ERROR(s.status());
  std::vector<BlockRecord> out;
  out.reserve(ids.size());
  for (int64_t id : ids) {
    s.Reset();
    s.Bind(1, id);
    if (s.Step()) out.push_back(ReadBlock(s));
    RETURN_IF_ERROR(s.status());
  }
  return out;
}

std::string NormalizePathPrefix(std::string_view p) {
  for (;;) {
    if (p.substr(0, 2) == "./") p.remove_prefix(2);
    else if (!p.empty() && p.front() == '/') p.remove_prefix(1);
    else break;
  }
  while (!p.empty() && p.back() == '/') p.remove_suffix(1);
  if (p == ".") return "";
  return std::string(p);
}

Result<std::vector<int64_t>> Catalog::BlockIdsUnderPrefix(std::string_view raw_prefix) {
  std::string prefix = NormalizePathPrefix(raw_prefix);
  // Paths under "dir/" sort in ["dir/", "dir0"): '0' is the byte after '/'.
  Stmt s(db_, "SELECT b.id FROM blocks b JOIN files f ON f.id = b.file_id "
              "WHERE b.superseded = 0 AND f.removed = 0 AND "
              "(?1 = '' OR f.path = CAST(?1 AS BLOB) OR "
              "(f.path >= CAST(?1 || '/' AS BLOB) AND f.path < CAST(?1 || '0' AS BLOB))) "
              "ORDER BY b.id");
  s.Bind(1, prefix);
  std::vector<int64_t> out;
  while (s.Step()) out.push_back(s.Int(0));
  RETURN_IF_ERROR(s.status());
  return out;
}

Result<std::vector<BlockRecord>> Catalog::GetFileBlocks(std::string_view path) {
  std::string sql = std::string("SELECT ") + kBlockColumns +
                    " FROM blocks b JOIN files f ON f.id = b.file_id "
                    "WHERE f.path = ? AND f.removed = 0 AND b.superseded = 0 "
                    "ORDER BY b.start_line, b.id";
  Stmt s(db_, sql.c_str());
  s.BindBlob(1, path);
  std::vector<BlockRecord> out;
  while (s.Step()) out.push_back(ReadBlock(s));
  RETURN_IF_ERROR(s.status());
  return out;
}

Result<std::vector<BlockRecord>> Catalog::GetBlocksOverlapping(std::string_view path,
                                                               int first_line, int last_line) {
  std::string sql = std::string("SELECT ") + kBlockColumns +
                    " FROM blocks b JOIN files f ON f.id = b.file_id "
                    "WHERE f.path = ? AND f.removed = 0 AND b.superseded = 0 "
                    "AND b.start_line <= ? AND b.end_line >= ? "
                    "ORDER BY b.start_line, b.id";
  Stmt s(db_, sql.c_str());
  s.BindBlob(1, path).Bind(2, static_cast<int64_t>(last_line)).Bind(3, static_cast<int64_t>(first_line));
  std::vector<BlockRecord> out;
  while (s.Step()) out.push_back(ReadBlock(s));
  RETURN_IF_ERROR(s.status());
  return out;
}

namespace {
constexpr char kSymbolSelect[] =
    "SELECT s.name, s.kind, s.scope, s.start_line, s.end_line, f.path FROM symbols s "
    "JOIN files f ON f.id = s.file_id ";

SymbolRecord ReadSymbol(const Stmt& s) {
  return SymbolRecord{
      s.Text(0), s.Text(1), s.Text(2), static_cast<int>(s.Int(3)), static_cast<int>(s.Int(4)),
      s.Text(5)};
}
}  // namespace

Result<std::vector<SymbolRecord>> Catalog::FindSymbols(std::string_view name, size_t limit) {
  // Exact (case-sensitive) matches rank first, then case-insensitive ones; the NOCASE index
  // serves both.
  std::string sql = std::string(kSymbolSelect) +
                    "WHERE s.name = ? COLLATE NOCASE AND f.removed = 0 "
                    "ORDER BY (s.name = ? COLLATE BINARY) DESC, f.path, s.start_line LIMIT ?";
  Stmt s(db_, sql.c_str());
  s.Bind(1, name).Bind(2, name).Bind(3, static_cast<int64_t>(limit));
  std::vector<SymbolRecord> out;
  while (s.Step()) out.push_back(ReadSymbol(s));
  RETURN_IF_ERROR(s.status());
  return out;
}

Result<std::vector<SymbolRecord>> Catalog::FileSymbols(std::string_view path) {
  std::string sql = std::string(kSymbolSelect) +
                    "WHERE f.path = ? AND f.removed = 0 ORDER BY s.start_line, s.end_line DESC";
  Stmt s(db_, sql.c_str());
  s.BindBlob(1, path);
  std::vector<SymbolRecord> out;
  while (s.Step()) out.push_back(ReadSymbol(s));
  RETURN_IF_ERROR(s.status());
  return out;
}

Result<std::vector<ImportRecord>> Catalog::FileImports(std::string_view path) {
  Stmt s(db_,
         "SELECT i.text, i.line FROM imports i JOIN files f ON f.id = i.file_id "
         "WHERE f.path = ? AND f.removed = 0 ORDER BY i.line");
  s.BindBlob(1, path);
  std::vector<ImportRecord> out;
  while (s.Step()) out.push_back(ImportRecord{s.Text(0), static_cast<int>(s.Int(1))});
  RETURN_IF_ERROR(s.status());
  return out;
}

Result<CatalogCounts> Catalog::Counts() {
  CatalogCounts c;
  struct Query {
    const char* sql;
    int64_t* out;
  } queries[] = {
      {"SELECT COUNT(*) FROM files WHERE removed = 0", &c.files},
      {"SELECT COUNT(*) FROM blocks WHERE superseded = 0", &c.blocks},
      {"SELECT COUNT(*) FROM symbols", &c.symbols},
      {"SELECT COUNT(*) FROM dirty", &c.dirty},
      {"SELECT COALESCE(SUM(lines), 0) FROM files WHERE removed = 0", &c.lines},
      {"SELECT COALESCE(SUM(covered_lines), 0) FROM files WHERE removed = 0", &c.covered_lines},
  };
  for (const Query& q : queries) {
    Stmt s(db_, q.sql);
    if (s.Step()) *q.out = s.Int(0);
    RETURN_IF_ERROR(s.status());
  }
  return c;
}

Result<int64_t> Catalog::Generation() {
  ASSIGN_OR_RETURN(std::optional<std::string> g, GetMeta("generation"));
  if (!g) return int64_t{0};
  try {
    return static_cast<int64_t>(std::stoll(*g));
  } catch (const std::exception&) {
    return Status::Corruption("catalog: bad generation '" + *g + "'");
  }
}

Result<std::string> Catalog::Id() {
  ASSIGN_OR_RETURN(std::optional<std::string> id, GetMeta(kMetaCatalogId));
  return id.value_or("");
}

Result<CatalogState> Catalog::State() {
  // One read transaction: the four values describe the same commit even while a writer
  // commits in another process (WAL readers keep their snapshot until the transaction ends).
  if (sqlite3_exec(db_, "BEGIN", nullptr, nullptr, nullptr) != SQLITE_OK) {
    return SqliteError(db_, "begin");
  }
  auto read = [&]() -> Result<CatalogState> {
    CatalogState st;
    ASSIGN_OR_RETURN(st.id, Id());
    ASSIGN_OR_RETURN(st.generation, Generation());
    for (auto [sql, out] : {std::pair{"SELECT COUNT(*) FROM blocks WHERE superseded = 0",
                                      &st.live_blocks},
                            std::pair{"SELECT COUNT(*) FROM dirty", &st.dirty}}) {
      Stmt s(db_, sql);
      if (s.Step()) *out = s.Int(0);
      RETURN_IF_ERROR(s.status());
    }
    return st;
  };
  Result<CatalogState> st = read();
  sqlite3_exec(db_, "COMMIT", nullptr, nullptr, nullptr);
  return st;
}

Result<std::vector<std::string>> Catalog::Check(CheckDepth depth, int max_problems) {
  max_problems = std::max(1, max_problems);
  const std::string sql = std::string(depth == CheckDepth::kQuick ? "PRAGMA quick_check("
                                                                   : "PRAGMA integrity_check(") +
                          std::to_string(max_problems) + ")";
  Stmt s(db_, sql.c_str());
  std::vector<std::string> problems;
  while (s.Step()) {
    std::string line = s.Text(0);
    // "*** in database main ***\n" heads the first problem of each database.
    if (line.rfind("*** in database ", 0) == 0) {
      const size_t nl = line.find('\n');
      line = nl == std::string::npos ? "" : line.substr(nl + 1);
    }
    if (line != "ok" && !line.empty()) problems.push_back(std::move(line));
  }
  if (!s.status().ok()) {
    // A file SQLite cannot even walk is a problem found, not a failure to check.
    if (s.status().code() == Code::kCorruption) {
      problems.push_back(s.status().message());
      return problems;
    }
    return s.status();
  }
  return problems;
}

Status Catalog::Clear() {
  Transaction txn(db_);
  RETURN_IF_ERROR(txn.status());
  RETURN_IF_ERROR(
      Exec("DELETE FROM files; DELETE FROM blocks; DELETE FROM symbols; "
           "DELETE FROM imports; DELETE FROM dirty;"));
  ASSIGN_OR_RETURN(int64_t gen, Generation());
  RETURN_IF_ERROR(SetMeta("generation", std::to_string(gen + 1)));
  return txn.Commit();
}

}  // namespace codeindex
