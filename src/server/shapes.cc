#include "server/shapes.h"

#include "index/health.h"
#include "index/index_dir.h"
#include "index/indexer.h"

namespace codeindex {

std::string Dump(const OrderedJson& j) {
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string Dump(const nlohmann::json& j) {
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

namespace {

OrderedJson ImportsJson(const std::vector<Import>& imports) {
  OrderedJson a = OrderedJson::array();
  for (const Import& i : imports) a.push_back({{"text", i.text}, {"line", i.line}});
  return a;
}

}  // namespace

OrderedJson SymbolsJson(std::string_view file_path, const FileSymbols& fs) {
  OrderedJson j;
  j["file_path"] = file_path;
  j["language"] = fs.language;
  j["symbols"] = OrderedJson::array();
  for (const Symbol& s : fs.symbols) {
    OrderedJson js;
    js["name"] = s.name;
    js["kind"] = s.kind;
    js["start_line"] = s.start_line;
    js["end_line"] = s.end_line;
    if (!s.scope.empty()) js["scope"] = s.scope;
    j["symbols"].push_back(std::move(js));
  }
  j["imports"] = ImportsJson(fs.imports);
  return j;
}

OrderedJson ContextJson(std::string_view file_path, const Context& ctx) {
  OrderedJson j;
  j["file_path"] = file_path;
  j["start_line"] = ctx.start_line;
  j["end_line"] = ctx.end_line;
  j["content"] = ctx.content;
  j["enclosing"] = OrderedJson::array();
  for (const Symbol& s : ctx.enclosing) {
    j["enclosing"].push_back({{"name", s.name},
                              {"kind", s.kind},
                              {"start_line", s.start_line},
                              {"end_line", s.end_line},
                              {"signature", s.signature}});
  }
  j["imports"] = ImportsJson(ctx.imports);
  return j;
}

OrderedJson FoundSymbolsJson(std::string_view name, const std::vector<SymbolRecord>& found) {
  OrderedJson j;
  j["name"] = name;
  j["symbols"] = OrderedJson::array();
  for (const SymbolRecord& s : found) {
    j["symbols"].push_back({{"name", s.name},
                            {"kind", s.kind},
                            {"scope", s.scope},
                            {"file_path", s.file_path},
                            {"start_line", s.start_line},
                            {"end_line", s.end_line}});
  }
  return j;
}

namespace {

// Damaged, with the problems the cheap checks found, unless a writer is at work.
Status CheckHealth(const std::string& dir, IndexStatus* st) {
  if (WriterLock::IsHeld(dir)) return Status::OK();
  ASSIGN_OR_RETURN(IndexCheckReport report, CheckIndex(dir, CheckDepth::kQuick));
  if (report.problems.empty()) return Status::OK();
  st->state = "Damaged";
  const IndexProblem& first = report.problems.front();
  st->message = "the " + first.part + " " + first.problem + "; run `codeindex index` to repair";
  for (const IndexProblem& p : report.problems) st->problems.push_back(p.part + " " + p.problem);
  return Status::OK();
}

}  // namespace

Result<IndexStatus> ReadIndexStatus(const std::string& workspace) {
  IndexStatus st;
  std::string dir = IndexDirFor(workspace);
  auto catalog = Catalog::Open(dir, Catalog::Mode::kReadOnly);
  if (!catalog.ok()) {
    if (catalog.error().code() == Code::kNotFound) return st;
    if (catalog.error().code() != Code::kCorruption) return catalog.error();
    RETURN_IF_ERROR(CheckHealth(dir, &st));
    st.index_bytes = TreeSizeBytes(dir);
    return st;
  }
  Catalog& c = **catalog;
  Status read = [&]() -> Status {
    ASSIGN_OR_RETURN(st.counts, c.Counts());
    ASSIGN_OR_RETURN(auto state, c.GetMeta(kMetaState));
    ASSIGN_OR_RETURN(auto message, c.GetMeta(kMetaStateMessage));
    ASSIGN_OR_RETURN(auto last, c.GetMeta(kMetaLastIndexedAt));
    ASSIGN_OR_RETURN(auto model, c.GetMeta("model"));
    st.state = state.value_or("Standby");
    st.message = message.value_or("");
    st.last_indexed_at = last.value_or("");
    st.model = model.value_or("");
    return Status::OK();
  }();
  if (!read.ok() && read.code() != Code::kCorruption) return read;
  if (st.state == "Indexing" && !WriterLock::IsHeld(dir)) {
    // The writer died (killed, crashed): the index is consistent but not complete.
    st.state = "Standby";
    st.message = "the last indexing run was interrupted; run `codeindex index` to finish it";
  }
  st.index_bytes = TreeSizeBytes(dir);
  RETURN_IF_ERROR(CheckHealth(dir, &st));
  if (!read.ok() && st.state != "Damaged") {
    st.state = "Damaged";
    st.message = "the catalog is damaged (" + read.message() + "); run `codeindex index` to repair";
    st.problems.push_back("catalog is damaged (" + read.message() + ")");
  }
  return st;
}

OrderedJson IndexStatusJson(const IndexStatus& st) {
  OrderedJson j;
  j["state"] = st.state;
  j["message"] = st.message;
  j["files"] = st.counts.files;
  j["blocks"] = st.counts.blocks;
  j["symbols"] = st.counts.symbols;
  // The share of the non-blank lines of indexed files that are in some block.
  j["coverage"] = st.counts.lines > 0 ? OrderedJson(static_cast<double>(st.counts.covered_lines) /
                                                    static_cast<double>(st.counts.lines))
                                      : OrderedJson(nullptr);
  j["lines"] = st.counts.lines;
  j["index_bytes"] = st.index_bytes;
  j["model"] = st.model;
  j["last_indexed_at"] =
      st.last_indexed_at.empty() ? OrderedJson(nullptr) : OrderedJson(st.last_indexed_at);
  if (!st.problems.empty()) j["problems"] = st.problems;
  return j;
}

}  // namespace codeindex
