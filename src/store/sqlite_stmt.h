// Internal: a prepared SQLite statement with RAII and error-as-value helpers.
#ifndef CODEINDEX_STORE_SQLITE_STMT_H_
#define CODEINDEX_STORE_SQLITE_STMT_H_

#include <cstdint>
#include <string>
#include <string_view>

#include <sqlite3.h>

#include "base/status.h"

namespace codeindex {

inline Status SqliteError(sqlite3* db, std::string_view what) {
  std::string msg = "catalog: ";
  if (!what.empty()) {
    msg += what;
    msg += ": ";
  }
  msg += db != nullptr ? sqlite3_errmsg(db) : "out of memory";
  int code = db != nullptr ? sqlite3_errcode(db) : SQLITE_NOMEM;
  if (code == SQLITE_CORRUPT || code == SQLITE_NOTADB) return Status::Corruption(msg);
  return Status::IOError(msg);
}

class Stmt {
 public:
  Stmt(sqlite3* db, const char* sql) : db_(db) {
    if (sqlite3_prepare_v2(db, sql, -1, &stmt_, nullptr) != SQLITE_OK) {
      status_ = SqliteError(db, sql);
      stmt_ = nullptr;
    }
  }
  ~Stmt() { sqlite3_finalize(stmt_); }
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;

  const Status& status() const { return status_; }

  Stmt& Bind(int i, int64_t v) {
    if (stmt_) sqlite3_bind_int64(stmt_, i, v);
    return *this;
  }
  Stmt& Bind(int i, std::string_view v) {
    if (stmt_) sqlite3_bind_text(stmt_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
    return *this;
  }
  // Paths are raw bytes: stored as BLOB so that invalid UTF-8 survives unchanged.
  Stmt& BindBlob(int i, std::string_view v) {
    if (stmt_) sqlite3_bind_blob(stmt_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
    return *this;
  }
  Stmt& BindNull(int i) {
    if (stmt_) sqlite3_bind_null(stmt_, i);
    return *this;
  }

  // Returns true with a row, false when done; errors land in status().
  bool Step() {
    if (!stmt_ || !status_.ok()) return false;
    int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) return true;
    if (rc != SQLITE_DONE) status_ = SqliteError(db_, sqlite3_sql(stmt_));
    return false;
  }
  // Runs a statement that returns no rows.
  Status Run() {
    while (Step()) {
    }
    return status_;
  }
  void Reset() {
    if (stmt_) {
      sqlite3_reset(stmt_);
      sqlite3_clear_bindings(stmt_);
    }
  }

  int64_t Int(int col) const { return sqlite3_column_int64(stmt_, col); }
  bool IsNull(int col) const { return sqlite3_column_type(stmt_, col) == SQLITE_NULL; }
  std::string Text(int col) const {
    const void* p = sqlite3_column_blob(stmt_, col);
    int n = sqlite3_column_bytes(stmt_, col);
    return p ? std::string(static_cast<const char*>(p), static_cast<size_t>(n)) : std::string();
  }

 private:
  sqlite3* db_;
  sqlite3_stmt* stmt_ = nullptr;
  Status status_;
};

}  // namespace codeindex

#endif  // CODEINDEX_STORE_SQLITE_STMT_H_
