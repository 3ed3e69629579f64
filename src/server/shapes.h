// The JSON objects of the public interface (docs/interface.md) that both the CLI and the
// server print: one builder per object, so that `codeindex symbols --json` and
// `GET /v1/symbols` can never drift apart. (`search --json` is SearchResponseToJson in
// search/searcher.h, for the same reason.)
//
//   symbols:     {"file_path", "language", "symbols": [{"name", "kind", "start_line",
//                 "end_line", "scope"?}], "imports": [{"text", "line"}]}
//   context:     {"file_path", "start_line", "end_line", "content", "enclosing": [{"name",
//                 "kind", "start_line", "end_line", "signature"}], "imports": [...]}
//   status:      {"state", "message", "files", "blocks", "symbols", "index_bytes", "model",
//                 "last_indexed_at"} (+ "server" and "progress" when served, see server.h)
//   find_symbol: {"name", "symbols": [{"name", "kind", "scope", "file_path", "start_line",
//                 "end_line"}]}
// Fields may be added, never renamed. Paths and texts are raw bytes: Dump() replaces bytes
// that are not UTF-8 with U+FFFD instead of throwing.
//
// Thread safety: every function is thread-safe.
#ifndef CODEINDEX_SERVER_SHAPES_H_
#define CODEINDEX_SERVER_SHAPES_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/status.h"
#include "parse/symbols.h"
#include "store/catalog.h"

namespace codeindex {

using OrderedJson = nlohmann::ordered_json;

// Serialises without throwing on invalid UTF-8 (replaced by U+FFFD).
std::string Dump(const OrderedJson& j);
std::string Dump(const nlohmann::json& j);

OrderedJson SymbolsJson(std::string_view file_path, const FileSymbols& symbols);
OrderedJson ContextJson(std::string_view file_path, const Context& context);
OrderedJson FoundSymbolsJson(std::string_view name, const std::vector<SymbolRecord>& found);

// What `status` reports about an index, read from its catalog.
struct IndexStatus {
  // Standby, Indexing, Indexed, Error, or Damaged: the cheap checks of every open
  // (index/health.h, CheckDepth::kQuick) found a part missing, damaged or out of step with
  // the catalog, and no writer is at work (one that is says "Indexing" with what it
  // rebuilds in `message`).
  std::string state = "Standby";
  std::string message = "no index yet; run `codeindex index`";
  std::vector<std::string> problems;  // Damaged: "<part> <problem>" ("text index is ...")
  CatalogCounts counts;
  uint64_t index_bytes = 0;
  std::string model;
  std::string last_indexed_at;  // ISO 8601 UTC; empty when never indexed
};

// Reads the status of the index of `workspace` (IndexDirFor). No index yet is not an error
// (state Standby). An "Indexing" state whose writer is gone becomes Standby with a message.
// Without a writer at work, the index is checked as opening checks it, and any problem
// makes the state Damaged (a catalog that cannot be read too: then the counts are 0).
Result<IndexStatus> ReadIndexStatus(const std::string& workspace);
OrderedJson IndexStatusJson(const IndexStatus& status);

}  // namespace codeindex

#endif  // CODEINDEX_SERVER_SHAPES_H_
