// EmbeddingCache on SQLite, and CachingEmbedder. Format: docs/formats/embed-cache.md.
#include <cstring>
#include <map>
#include <mutex>

#include <fmt/format.h>
#include <sqlite3.h>
#include <unistd.h>

#include "cache/bloom.h"
#include "cache/stats.h"
#include "embed/embedder.h"

namespace codeindex {
namespace {

// Format version of the cache database, stored as PRAGMA user_version.
// Changelog:
//   1  models(id, fingerprint, dim) + vectors(model, key, vec) WITHOUT ROWID; key = SHA-256 of
//      the text (32 bytes), vec = dim little-endian float32.
constexpr int kCacheFormatVersion = 1;

constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS models(
  id INTEGER PRIMARY KEY,
  fingerprint TEXT NOT NULL UNIQUE,
  dim INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS vectors(
  model INTEGER NOT NULL,
  key BLOB NOT NULL,
  vec BLOB NOT NULL,
  PRIMARY KEY(model, key)) WITHOUT ROWID;
)sql";

class Stmt {
 public:
  Stmt(sqlite3* db, const char* sql) { rc_ = sqlite3_prepare_v2(db, sql, -1, &stmt_, nullptr); }
  ~Stmt() { sqlite3_finalize(stmt_); }
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;
  bool ok() const { return rc_ == SQLITE_OK; }
  sqlite3_stmt* get() { return stmt_; }

 private:
  sqlite3_stmt* stmt_ = nullptr;
  int rc_;
};

class SqliteCache final : public EmbeddingCache {
 public:
  ~SqliteCache() override { sqlite3_close(db_); }

  static Result<std::unique_ptr<EmbeddingCache>> Create(const std::string& path, bool memory) {
    auto c = std::unique_ptr<SqliteCache>(new SqliteCache());
    c->path_ = memory ? ":memory:" : path;
    Status s = c->OpenDb();
    if (!s.ok() && !memory && s.code() == Code::kCorruption) {
      // Not a database we can read: it is only a cache, start over.
      sqlite3_close(c->db_);
      c->db_ = nullptr;
      ::unlink(path.c_str());
      ::unlink((path + "-wal").c_str());
      ::unlink((path + "-shm").c_str());
      s = c->OpenDb();
    }
    RETURN_IF_ERROR(s);
    return std::unique_ptr<EmbeddingCache>(std::move(c));
  }

  Status Get(std::string_view model, std::span<const std::string> keys, int dim, float* out,
             std::span<bool> found) override {
    std::lock_guard<std::mutex> l(mu_);
    std::fill(found.begin(), found.end(), false);
    ASSIGN_OR_RETURN(int64_t id, ModelId(model, dim, /*create=*/false));
    if (id < 0) return Status::OK();
    // The Bloom filter answers "never stored" for most texts of a first index run without
    // touching SQLite; only keys it may hold are looked up.
    ASSIGN_OR_RETURN(const BloomFilter* bloom, BloomFor(id));
    std::vector<size_t> probe;
    probe.reserve(keys.size());
    for (size_t i = 0; i < keys.size(); ++i) {
      if (bloom == nullptr || bloom->MayContain(BloomKey(keys[i]))) probe.push_back(i);
    }
    BloomSkips()->Add(keys.size() - probe.size());
    if (probe.empty()) return Status::OK();
    RETURN_IF_ERROR(Exec("BEGIN"));
    Stmt st(db_, "SELECT vec FROM vectors WHERE model = ?1 AND key = ?2");
    if (!st.ok()) {
      (void)Exec("ROLLBACK");
      return Error("prepare");
    }
    const size_t bytes = static_cast<size_t>(dim) * sizeof(float);
    for (size_t i : probe) {
      sqlite3_reset(st.get());
      sqlite3_bind_int64(st.get(), 1, id);
      sqlite3_bind_blob(st.get(), 2, keys[i].data(), static_cast<int>(keys[i].size()),
                        SQLITE_STATIC);
      const int rc = sqlite3_step(st.get());
      if (rc == SQLITE_ROW) {
        const void* blob = sqlite3_column_blob(st.get(), 0);
        if (static_cast<size_t>(sqlite3_column_bytes(st.get(), 0)) == bytes && blob != nullptr) {
          std::memcpy(out + i * dim, blob, bytes);
          found[i] = true;
        }
      } else if (rc != SQLITE_DONE) {
        (void)Exec("ROLLBACK");
        return Error("read");
      }
    }
    return Exec("COMMIT");
  }

  Status Put(std::string_view model, std::span<const std::string> keys, int dim,
             const float* vectors) override {
    std::lock_guard<std::mutex> l(mu_);
    RETURN_IF_ERROR(Exec("BEGIN IMMEDIATE"));
    auto fail = [this](std::string_view what) {
      (void)Exec("ROLLBACK");
      return Error(what);
    };
    auto id = ModelId(model, dim, /*create=*/true);
    if (!id.ok()) {
      (void)Exec("ROLLBACK");
      return id.error();
    }
    Stmt st(db_, "INSERT OR REPLACE INTO vectors(model, key, vec) VALUES (?1, ?2, ?3)");
    if (!st.ok()) return fail("prepare");
    const int bytes = dim * static_cast<int>(sizeof(float));
    for (size_t i = 0; i < keys.size(); ++i) {
      sqlite3_reset(st.get());
      sqlite3_bind_int64(st.get(), 1, *id);
      sqlite3_bind_blob(st.get(), 2, keys[i].data(), static_cast<int>(keys[i].size()),
                        SQLITE_STATIC);
      sqlite3_bind_blob(st.get(), 3, vectors + i * dim, bytes, SQLITE_STATIC);
      if (sqlite3_step(st.get()) != SQLITE_DONE) return fail("write");
    }
    RETURN_IF_ERROR(Exec("COMMIT"));
    if (auto it = blooms_.find(*id); it != blooms_.end()) {
      for (const std::string& k : keys) it->second->Add(BloomKey(k));
      // Past its design size the false-positive rate climbs: rebuild at the next Get.
      if (it->second->items() > it->second->expected_items()) blooms_.erase(it);
    }
    return Status::OK();
  }

  Status RetainOnly(std::string_view keep_model) override {
    std::lock_guard<std::mutex> l(mu_);
    RETURN_IF_ERROR(Exec("BEGIN IMMEDIATE"));
    Stmt del(
        db_,
        "DELETE FROM vectors WHERE model NOT IN (SELECT id FROM models WHERE fingerprint = ?1)");
    Stmt delm(db_, "DELETE FROM models WHERE fingerprint <> ?1");
    if (!del.ok() || !delm.ok()) {
      (void)Exec("ROLLBACK");
      return Error("prepare");
    }
    for (Stmt* s : {&del, &delm}) {
      sqlite3_bind_text(s->get(), 1, keep_model.data(), static_cast<int>(keep_model.size()),
                        SQLITE_STATIC);
      if (sqlite3_step(s->get()) != SQLITE_DONE) {
        (void)Exec("ROLLBACK");
        return Error("delete");
      }
    }
    model_ids_.clear();
    blooms_.clear();
    return Exec("COMMIT");
  }

  Result<int64_t> Count(std::string_view model) override {
    std::lock_guard<std::mutex> l(mu_);
    Stmt st(db_,
            "SELECT COUNT(*) FROM vectors WHERE model = (SELECT id FROM models WHERE "
            "fingerprint = ?1)");
    if (!st.ok()) return Error("prepare");
    sqlite3_bind_text(st.get(), 1, model.data(), static_cast<int>(model.size()), SQLITE_STATIC);
    if (sqlite3_step(st.get()) != SQLITE_ROW) return Error("count");
    return static_cast<int64_t>(sqlite3_column_int64(st.get(), 0));
  }

 private:
  SqliteCache() = default;

  Status Error(std::string_view what) const {
    return Status::IOError(
        fmt::format("{}: embedding cache {} failed: {}", path_, what, sqlite3_errmsg(db_)));
  }

  Status Exec(const char* sql) {
    char* err = nullptr;
    if (sqlite3_exec(db_, sql, nullptr, nullptr, &err) != SQLITE_OK) {
      Status s = Status::IOError(
          fmt::format("{}: embedding cache: {}", path_, err ? err : sqlite3_errmsg(db_)));
      sqlite3_free(err);
      return s;
    }
    return Status::OK();
  }

  Status OpenDb() {
    if (sqlite3_open_v2(path_.c_str(), &db_,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                        nullptr) != SQLITE_OK) {
      return Error("open");
    }
    sqlite3_busy_timeout(db_, 5000);
    // Probe the file: a non-database answers SQLITE_NOTADB here.
    Stmt version(db_, "PRAGMA user_version");
    if (!version.ok() || sqlite3_step(version.get()) != SQLITE_ROW) {
      const int rc = sqlite3_errcode(db_);
      if (rc == SQLITE_NOTADB || rc == SQLITE_CORRUPT) {
        return Status::Corruption(fmt::format("{}: not an embedding cache", path_));
      }
      return Error("open");
    }
    const int v = sqlite3_column_int(version.get(), 0);
    sqlite3_reset(version.get());
    if (path_ != ":memory:") RETURN_IF_ERROR(Exec("PRAGMA journal_mode=WAL"));
    RETURN_IF_ERROR(Exec("PRAGMA synchronous=NORMAL"));
    if (v != kCacheFormatVersion) {
      // Another (older or newer) format, or a new file: it is only a cache, so start over.
      RETURN_IF_ERROR(Exec("DROP TABLE IF EXISTS vectors; DROP TABLE IF EXISTS models;"));
      RETURN_IF_ERROR(Exec(kSchema));
      RETURN_IF_ERROR(Exec(fmt::format("PRAGMA user_version = {}", kCacheFormatVersion).c_str()));
    }
    return Status::OK();
  }

  // The row id of `model`; -1 if absent and !create. Errors if its stored dim differs.
  Result<int64_t> ModelId(std::string_view model, int dim, bool create) {
    auto it = model_ids_.find(std::string(model));
    if (it != model_ids_.end()) {
      if (it->second.second != dim) return DimMismatch(model, it->second.second, dim);
      return it->second.first;
    }
    Stmt sel(db_, "SELECT id, dim FROM models WHERE fingerprint = ?1");
    if (!sel.ok()) return Error("prepare");
    sqlite3_bind_text(sel.get(), 1, model.data(), static_cast<int>(model.size()), SQLITE_STATIC);
    int rc = sqlite3_step(sel.get());
    if (rc == SQLITE_ROW) {
      const int64_t id = sqlite3_column_int64(sel.get(), 0);
      const int stored = sqlite3_column_int(sel.get(), 1);
      model_ids_[std::string(model)] = {id, stored};
      if (stored != dim) return DimMismatch(model, stored, dim);
      return id;
    }
    if (rc != SQLITE_DONE) return Error("read");
    if (!create) return int64_t{-1};
    Stmt ins(db_, "INSERT INTO models(fingerprint, dim) VALUES (?1, ?2)");
    if (!ins.ok()) return Error("prepare");
    sqlite3_bind_text(ins.get(), 1, model.data(), static_cast<int>(model.size()), SQLITE_STATIC);
    sqlite3_bind_int(ins.get(), 2, dim);
    if (sqlite3_step(ins.get()) != SQLITE_DONE) return Error("write");
    const int64_t id = sqlite3_last_insert_rowid(db_);
    model_ids_[std::string(model)] = {id, dim};
    return id;
  }

  // A key for the Bloom filter: the text's SHA-256 is already uniform, so its first 16
  // bytes are the two hashes.
  static CacheKey BloomKey(const std::string& key) {
    CacheKey k;
    if (key.size() >= 16) {
      std::memcpy(&k.lo, key.data(), 8);
      std::memcpy(&k.hi, key.data() + 8, 8);
    } else {
      k = HashKey(key);
    }
    return k;
  }

  static Counter* BloomSkips() {
    static Counter* c = MetricsRegistry::Global().GetCounter(
        "codeindex_embed_cache_bloom_skips_total",
        "Embedding-cache lookups the Bloom filter answered (never stored) without SQLite.");
    return c;
  }

  // The filter of model `id`, built from the stored keys on first use, sized for twice as many
  // keys as stored (at least 64K) at 1 % false positives. Null (look everything up) for a
  // model with more than kMaxBloomLoad keys, where loading them would cost more than it saves.
  Result<const BloomFilter*> BloomFor(int64_t id) {
    if (auto it = blooms_.find(id); it != blooms_.end()) return it->second.get();
    constexpr int64_t kMaxBloomLoad = 4'000'000;
    Stmt count(db_, "SELECT COUNT(*) FROM vectors WHERE model = ?1");
    if (!count.ok()) return Error("prepare");
    sqlite3_bind_int64(count.get(), 1, id);
    if (sqlite3_step(count.get()) != SQLITE_ROW) return Error("count");
    const int64_t n = sqlite3_column_int64(count.get(), 0);
    if (n > kMaxBloomLoad) return static_cast<const BloomFilter*>(nullptr);
    auto bloom = std::make_unique<BloomFilter>(std::max<size_t>(65536, 2 * static_cast<size_t>(n)),
                                               0.01);
    Stmt sel(db_, "SELECT key FROM vectors WHERE model = ?1");
    if (!sel.ok()) return Error("prepare");
    sqlite3_bind_int64(sel.get(), 1, id);
    int rc;
    while ((rc = sqlite3_step(sel.get())) == SQLITE_ROW) {
      const char* blob = static_cast<const char*>(sqlite3_column_blob(sel.get(), 0));
      const int len = sqlite3_column_bytes(sel.get(), 0);
      bloom->Add(BloomKey(std::string(blob ? blob : "", static_cast<size_t>(len))));
    }
    if (rc != SQLITE_DONE) return Error("read");
    const BloomFilter* out = bloom.get();
    blooms_[id] = std::move(bloom);
    return out;
  }

  Status DimMismatch(std::string_view model, int stored, int dim) const {
    return Status::InvalidArgument(
        fmt::format("{}: embedding cache holds dimension {} for model {}, asked for {}", path_,
                    stored, model, dim));
  }

  std::string path_;
  sqlite3* db_ = nullptr;
  std::mutex mu_;
  std::map<std::string, std::pair<int64_t, int>> model_ids_;  // fingerprint -> (id, dim)
  std::map<int64_t, std::unique_ptr<BloomFilter>> blooms_;    // model id -> its keys
};

}  // namespace

Result<std::unique_ptr<EmbeddingCache>> EmbeddingCache::Open(const std::string& path) {
  return SqliteCache::Create(path, /*memory=*/false);
}

Result<std::unique_ptr<EmbeddingCache>> EmbeddingCache::OpenInMemory() {
  return SqliteCache::Create("", /*memory=*/true);
}

CachingEmbedder::CachingEmbedder(std::unique_ptr<Embedder> inner,
                                 std::shared_ptr<EmbeddingCache> cache)
    : inner_(std::move(inner)), cache_(std::move(cache)), fingerprint_(inner_->fingerprint()) {}

Status CachingEmbedder::Embed(std::span<const std::string_view> texts, EmbedKind kind,
                              float* out) const {
  if (kind == EmbedKind::kQuery || texts.empty()) return inner_->Embed(texts, kind, out);
  const int dim = inner_->dimension();
  std::vector<std::string> keys;
  keys.reserve(texts.size());
  for (std::string_view t : texts) keys.push_back(EmbeddingCacheKey(t));
  std::unique_ptr<bool[]> found(new bool[texts.size()]);
  RETURN_IF_ERROR(cache_->Get(fingerprint_, keys, dim, out, {found.get(), texts.size()}));

  std::vector<std::string_view> miss_texts;
  std::vector<std::string> miss_keys;
  std::vector<size_t> miss_index;
  for (size_t i = 0; i < texts.size(); ++i) {
    if (found[i]) continue;
    miss_texts.push_back(texts[i]);
    miss_keys.push_back(std::move(keys[i]));
    miss_index.push_back(i);
  }
  hits_ += texts.size() - miss_texts.size();
  misses_ += miss_texts.size();
  if (miss_texts.empty()) return Status::OK();
  std::vector<float> fresh(miss_texts.size() * static_cast<size_t>(dim));
  RETURN_IF_ERROR(inner_->Embed(miss_texts, kind, fresh.data()));
  for (size_t k = 0; k < miss_index.size(); ++k) {
    std::memcpy(out + miss_index[k] * dim, fresh.data() + k * dim, dim * sizeof(float));
  }
  return cache_->Put(fingerprint_, miss_keys, dim, fresh.data());
}

}  // namespace codeindex
