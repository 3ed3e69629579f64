#include "parse/symbols.h"

#include <algorithm>
#include <memory>
#include <set>

#include "lang/languages.h"
#include "parse/grammars.h"
#include "parse/parser.h"
#include "parse/text.h"
#include "parse/tree_symbols.h"

namespace codeindex {

using parse_internal::NodeText;

namespace {

// Capture suffix of @definition.<x> -> reported kind ("" = not a symbol; "impl" = scope only).
std::string_view NormalizeKind(std::string_view k) {
  static const std::pair<std::string_view, std::string_view> kTable[] = {
      {"function", "function"}, {"method", "method"},       {"class", "class"},
      {"struct", "struct"},     {"interface", "interface"}, {"enum", "enum"},
      {"type", "type"},         {"constant", "constant"},   {"variable", "variable"},
      {"property", "property"}, {"macro", "macro"},         {"module", "module"},
      {"impl", "impl"},
  };
  for (const auto& [from, to] : kTable) {
    if (k == from) return to;
  }
  return {};
}

bool ClassLike(std::string_view kind) {
  return kind == "class" || kind == "struct" || kind == "interface" || kind == "impl" ||
         kind == "enum";
}

std::string FirstLine(std::string_view s) {
  size_t nl = s.find('\n');
  return std::string(parse_internal::JsTrim(s.substr(0, nl)));
}

}  // namespace

Result<FileSymbols> ExtractSymbols(std::string_view path, std::string_view content,
                                   const SymbolOptions& options) {
  FileSymbols out;
  std::string_view lang = LanguageNameForPath(path);
  if (lang.empty()) return out;
  ASSIGN_OR_RETURN(const parse_internal::LanguageRuntime* rt, parse_internal::GetRuntime(lang));
  std::string repaired;
  std::string_view text = content;
  if (!parse_internal::IsValidUtf8(content)) {
    repaired = parse_internal::RepairUtf8(content);
    text = repaired;
  }
  TSParser* parser = parse_internal::ThreadParser(rt->language);
  parse_internal::TreePtr tree(
      parse_internal::ParseWithDeadline(parser, text, options.parse_timeout_ms));
  if (!tree) {
    return Status::Unavailable(std::string(path) + ": parsing took longer than " +
                               std::to_string(options.parse_timeout_ms) + " ms");
  }
  parse_internal::SymbolsFromTree(*rt, tree.get(), text, &out);
  return out;
}

namespace parse_internal {

void SymbolsFromTree(const LanguageRuntime& runtime, const TSTree* tree, std::string_view text,
                     FileSymbols* result) {
  const LanguageRuntime* rt = &runtime;
  FileSymbols& out = *result;
  out.language = rt->name;
  const Query* query = rt->tags_query ? rt->tags_query.get() : rt->chunk_query.get();
  if (query == nullptr) return;
  // Capture ids -> role, resolved once per query.
  const uint32_t ncap = query->CaptureCount();
  std::vector<std::string_view> def_kind(ncap);
  std::vector<char> is_name(ncap, 0), is_import(ncap, 0);
  for (uint32_t i = 0; i < ncap; ++i) {
    std::string_view n = query->CaptureName(i);
    if (n.rfind("definition.", 0) == 0) def_kind[i] = NormalizeKind(n.substr(11));
    if (n == "name" || n.rfind("name.", 0) == 0) is_name[i] = 1;
    if (n == "import") is_import[i] = 1;
  }

  TSQueryCursor* cursor = ThreadCursor();
  ts_query_cursor_exec(cursor, query->get(), ts_tree_root_node(tree));
  std::set<std::pair<uint32_t, uint32_t>> seen_defs;  // name node byte range
  std::set<uint32_t> seen_imports;
  struct Raw {
    Symbol sym;
    bool scope_only;
  };
  std::vector<Raw> defs;
  TSQueryMatch m;
  while (ts_query_cursor_next_match(cursor, &m)) {
    if (!query->Accept(m, text)) continue;
    TSNode def{}, name{};
    bool has_def = false, has_name = false;
    std::string_view kind;
    for (uint16_t c = 0; c < m.capture_count; ++c) {
      uint32_t id = m.captures[c].index;
      if (!def_kind[id].empty() && !has_def) {
        def = m.captures[c].node;
        kind = def_kind[id];
        has_def = true;
      } else if (is_name[id] && !has_name) {
        name = m.captures[c].node;
        has_name = true;
      } else if (is_import[id]) {
        TSNode n = m.captures[c].node;
        if (seen_imports.insert(ts_node_start_byte(n)).second) {
          out.imports.push_back({std::string(parse_internal::JsTrim(NodeText(n, text))),
                                 static_cast<int>(ts_node_start_point(n).row) + 1});
        }
      }
    }
    if (!has_def) continue;
    std::string sym_name;
    std::pair<uint32_t, uint32_t> key;
    if (has_name) {
      sym_name = std::string(NodeText(name, text));
      key = {ts_node_start_byte(name), ts_node_end_byte(name)};
    } else {
      // Anonymous definitions (constructors, init): named by their first word.
      sym_name = FirstLine(NodeText(def, text));
      sym_name = sym_name.substr(0, sym_name.find_first_of(" (<{:"));
      key = {ts_node_start_byte(def), ts_node_start_byte(def)};
    }
    if (sym_name.empty() || !seen_defs.insert(key).second) continue;
    Raw r;
    r.sym.name = std::move(sym_name);
    r.sym.kind = std::string(kind);
    r.sym.start_line = static_cast<int>(ts_node_start_point(def).row) + 1;
    // A node that ends with its line's newline (preprocessor lines) ends on that line.
    TSPoint end = ts_node_end_point(def);
    r.sym.end_line = static_cast<int>(end.row) + (end.column == 0 && end.row > 0 ? 0 : 1);
    if (r.sym.end_line < r.sym.start_line) r.sym.end_line = r.sym.start_line;
    r.sym.start_byte = ts_node_start_byte(def);
    r.sym.end_byte = ts_node_end_byte(def);
    r.sym.signature = FirstLine(NodeText(def, text));
    r.scope_only = kind == "impl";
    defs.push_back(std::move(r));
  }
  std::stable_sort(defs.begin(), defs.end(), [](const Raw& a, const Raw& b) {
    if (a.sym.start_byte != b.sym.start_byte) return a.sym.start_byte < b.sym.start_byte;
    return a.sym.end_byte > b.sym.end_byte;
  });
  // Scopes: a stack of the definitions containing the current one.
  std::vector<const Raw*> stack;
  for (Raw& r : defs) {
    while (!stack.empty() && stack.back()->sym.end_byte < r.sym.end_byte) stack.pop_back();
    while (!stack.empty() && stack.back()->sym.end_byte <= r.sym.start_byte) stack.pop_back();
    std::string scope;
    for (const Raw* s : stack) {
      if (!scope.empty()) scope += '.';
      scope += s->sym.name;
    }
    r.sym.scope = scope;
    if (r.sym.kind == "function" && !stack.empty() && ClassLike(stack.back()->sym.kind)) {
      r.sym.kind = "method";
    }
    stack.push_back(&r);
  }
  for (Raw& r : defs) {
    if (!r.scope_only) out.symbols.push_back(r.sym);
  }
  std::sort(out.imports.begin(), out.imports.end(),
            [](const Import& a, const Import& b) { return a.line < b.line; });
}

}  // namespace parse_internal

namespace {

// Lines and content of the range, validated; symbols filled by the caller.
Result<Context> ContextLines(std::string_view path, std::string_view content, int start_line,
                             int end_line) {
  const parse_internal::Lines lines = parse_internal::SplitLines(content);
  const int count = static_cast<int>(lines.size());
  if (start_line < 1 || end_line < start_line || end_line > count) {
    return Status::InvalidArgument(std::string(path) + ": bad line range " +
                                   std::to_string(start_line) + "-" + std::to_string(end_line) +
                                   " (the file has " + std::to_string(count) + " lines)");
  }
  Context ctx;
  ctx.start_line = start_line;
  ctx.end_line = end_line;
  size_t b = lines.begin(static_cast<size_t>(start_line - 1));
  size_t e = lines.end(static_cast<size_t>(end_line - 1));
  std::string_view slice = content.substr(b, e - b);
  ctx.content =
      parse_internal::IsValidUtf8(slice) ? std::string(slice) : parse_internal::RepairUtf8(slice);
  return ctx;
}

}  // namespace

Result<Context> ExtractContext(std::string_view path, std::string_view content, int start_line,
                               int end_line, const SymbolOptions& options) {
  ASSIGN_OR_RETURN(Context ctx, ContextLines(path, content, start_line, end_line));
  ASSIGN_OR_RETURN(FileSymbols fs, ExtractSymbols(path, content, options));
  for (Symbol& s : fs.symbols) {
    if (s.start_line <= start_line && s.end_line >= end_line) ctx.enclosing.push_back(std::move(s));
  }
  ctx.imports = std::move(fs.imports);
  return ctx;
}

Result<Context> ExtractContext(std::string_view path, std::string_view content, int start_line,
                               int end_line, const FileSymbols& symbols) {
  ASSIGN_OR_RETURN(Context ctx, ContextLines(path, content, start_line, end_line));
  for (const Symbol& s : symbols.symbols) {
    if (s.start_line <= start_line && s.end_line >= end_line) ctx.enclosing.push_back(s);
  }
  ctx.imports = symbols.imports;
  return ctx;
}

}  // namespace codeindex
