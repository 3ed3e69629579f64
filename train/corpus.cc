// corpus: extracts the (query, code) training pairs of the default embedding model from
// the packages of train/corpus.lock unpacked by train/setup-corpus (docs/model-card.md).
//
//   corpus --root ~/.cache/codeindex/corpus/root --out pairs.jsonl [--lock train/corpus.lock]
//          [--denylist train/denylist.txt] [--threads 2]
//
// For every source file of every package (LayoutOf: which subtrees, which files, by package
// name; tests, examples, vendored and minified code excluded), the project's own parser finds
// the definitions and eval/doc_comments.h their docs. A package of the denylist stops the run;
// a file whose path inside its package names a denied codebase (a vendored copy) is dropped.
// Two kinds of pairs:
//   doc   the cleaned doc (and its first sentence) -> the definition's code with the doc
//         removed (functions, methods, classes, types, ...);
//   name  the function's name split into words ("read_line", "readLine" -> "read line") ->
//         its code without the first line (so that the name itself is not in the answer);
//         functions and methods with at least three lines, documented or not.
// Code is cut to kMaxCodeBytes at a line boundary (an index block is at most 1150
// characters; the first block of a definition is what a search must find). Pairs whose
// normalised code (whitespace removed, lower-cased) was already seen for the same kind are
// dropped (first in path order wins). 5 % of the files (by a hash of their path) are held
// out: "split": "valid".
//
// Output: one JSON object per line, in path order (deterministic for any --threads):
//   {"kind": "doc"|"name", "lang", "file", "path", "line", "name", "query", "summary", "code",
//    "split"}   (file: package/path in the package; path: the path in the project's tree)
#include <algorithm>
#include <atomic>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <mutex>
#include <optional>
#include <sstream>
#include <set>
#include <string>
#include <thread>
#include <unordered_set>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/file.h"
#include "base/hash.h"
#include "eval/doc_comments.h"
#include "parse/parser.h"
#include "parse/symbols.h"
#include "train/denylist.h"

namespace codeindex::train {
namespace {

namespace fs = std::filesystem;

constexpr size_t kMaxCodeBytes = 2000;
constexpr int kValidPercent = 5;

// Where a package keeps its sources and which files are taken: the subtrees to walk (under
// the package's unpacked root), the file suffixes, and the directory names and file suffixes
// that exclude a file (tests, fixtures, examples, vendored or bundled code, minified files).
struct Layout {
  std::vector<std::string> subtrees;
  std::vector<std::string> suffixes;
  std::vector<std::string> exclude_dirs;
  std::vector<std::string> exclude_suffixes;
  bool headers_are_cpp = false;  // parse .h as C++ (C++ libraries' headers)
  bool java_selection = false;   // openjdk: only java.*/{java,javax}/**
};

const std::vector<std::string>& CommonExcludeDirs() {
  static const std::vector<std::string> kDirs = {
      "test",      "tests",       "testing",  "testdata", "__tests__", "spec",
      "specs",     "idle_test",   "fixtures", "benches",  "benchmarks", "examples",
      "example",   "vendor",      "_vendor",  "third_party", "node_modules", "site-packages",
      "__pycache__"};
  return kDirs;
}

const std::vector<std::string>& CommonExcludeSuffixes() {
  static const std::vector<std::string> kSuffixes = {
      "_test.go", "tests.rs", ".min.js", ".test.js", ".spec.js", ".test.ts", ".spec.ts",
      "_test.py", "_spec.rb", "Test.php", "-min.js", ".bundle.js"};
  return kSuffixes;
}

bool StartsWith(std::string_view s, std::string_view p) {
  return s.size() >= p.size() && s.substr(0, p.size()) == p;
}
bool EndsWith(std::string_view s, std::string_view p) {
  return s.size() >= p.size() && s.substr(s.size() - p.size()) == p;
}

// The layout of a corpus.lock package, by name (std::nullopt: unknown, an error).
std::optional<Layout> LayoutOf(const std::string& kind, const std::string& name) {
  Layout l;
  l.exclude_dirs = CommonExcludeDirs();
  l.exclude_suffixes = CommonExcludeSuffixes();
  if (kind == "npm") {
    // TypeScript library declarations, @types and packages shipping their sources: src/
    // when there is one (dist/ is a build of it), else the package.
    l.subtrees = {"src", "."};
    l.suffixes = {".ts", ".tsx", ".mts", ".js", ".mjs", ".jsx"};
    l.exclude_dirs.insert(l.exclude_dirs.end(), {"dist", "build", "esm", "cjs", "umd"});
    if (name == "typescript") {
      l.subtrees = {"lib"};
      l.suffixes = {".d.ts"};
    }
    return l;
  }
  if (name == "libpython3.11-minimal" || name == "libpython3.11-stdlib") {
    l.subtrees = {"usr/lib/python3.11"};
    l.suffixes = {".py"};
  } else if (name == "golang-1.19-src") {
    // src/ only (test/ is the compiler's test suite); cmd/ is the toolchain.
    l.subtrees = {"usr/share/go-1.19/src"};
    l.suffixes = {".go"};
    l.exclude_dirs.push_back("cmd");
  } else if (name == "openjdk-17-source") {
    l.subtrees = {"src"};
    l.suffixes = {".java"};
    l.java_selection = true;
  } else if (name == "rust-src") {
    l.subtrees = {"usr/src/rustc-1.63.0/library/core/src", "usr/src/rustc-1.63.0/library/alloc/src",
                  "usr/src/rustc-1.63.0/library/std/src",
                  "usr/src/rustc-1.63.0/library/proc_macro/src"};
    l.suffixes = {".rs"};
  } else if (name == "libruby3.1") {
    l.subtrees = {"usr/lib/ruby/3.1.0"};
    l.suffixes = {".rb"};
  } else if (name == "linux-source-6.1") {
    // setup-corpus unpacks these directories of the kernel tarball into src/.
    l.subtrees = {"src"};
    l.suffixes = {".c", ".h"};
  } else if (name == "glibc-source") {
    l.subtrees = {"src"};
    l.suffixes = {".c", ".h"};
    l.exclude_dirs.push_back("sysdeps");  // per-architecture variants of the same functions
  } else if (name == "libboost1.74-dev") {
    l.subtrees = {"usr/include/boost"};
    l.suffixes = {".hpp"};
    l.exclude_dirs.push_back("detail");  // preprocessor-generated repetitions
  } else if (name == "llvm-14-dev") {
    l.subtrees = {"usr/lib/llvm-14/include/llvm"};
    l.suffixes = {".h"};
    l.headers_are_cpp = true;
  } else if (name == "libstdc++-12-dev") {
    l.subtrees = {"usr/include/c++/12"};
    l.suffixes = {".h"};
    l.headers_are_cpp = true;
  } else if (StartsWith(name, "python3-")) {
    l.subtrees = {"usr/lib/python3/dist-packages", "usr/share"};
    l.suffixes = {".py"};
  } else if (StartsWith(name, "golang-")) {
    l.subtrees = {"usr/share/gocode/src"};
    l.suffixes = {".go"};
  } else if (StartsWith(name, "librust-")) {
    l.subtrees = {"usr/share/cargo/registry"};
    l.suffixes = {".rs"};
    l.exclude_dirs.push_back("target");
  } else if (StartsWith(name, "ruby-")) {
    l.subtrees = {"usr/lib/ruby/vendor_ruby", "usr/share/rubygems-integration"};
    l.suffixes = {".rb"};
  } else if (StartsWith(name, "php-")) {
    l.subtrees = {"usr/share/php"};
    l.suffixes = {".php"};
  } else if (StartsWith(name, "node-")) {
    l.subtrees = {"usr/share/nodejs", "usr/lib/nodejs"};
    l.suffixes = {".js", ".mjs", ".cjs", ".ts", ".jsx", ".tsx"};
    l.exclude_dirs.insert(l.exclude_dirs.end(), {"dist", "build", "umd"});
  } else {
    return std::nullopt;
  }
  return l;
}

struct LockRow {
  std::string kind, name;
};

std::vector<LockRow> ReadLock(const std::string& path) {
  std::ifstream in(path);
  if (!in) {
    std::cerr << "corpus: cannot read " << path << "\n";
    std::exit(1);
  }
  std::vector<LockRow> rows;
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream f(line);
    LockRow r;
    f >> r.kind >> r.name;
    if (!r.name.empty()) rows.push_back(std::move(r));
  }
  return rows;
}

std::string PackageDir(const LockRow& r) {
  if (r.kind != "npm") return r.name;
  std::string slug = r.name;
  for (char& c : slug) {
    if (c == '/') c = '-';
    if (c == '@') c = '_';
  }
  return slug;
}

// Java: only <module>/java/** and <module>/javax/** of java.* modules.
bool JavaSelected(const std::string& rel) {
  if (rel.rfind("java.", 0) != 0) return false;
  const size_t slash = rel.find('/');
  if (slash == std::string::npos) return false;
  const std::string_view rest = std::string_view(rel).substr(slash + 1);
  return rest.rfind("java/", 0) == 0 || rest.rfind("javax/", 0) == 0;
}

constexpr size_t kMaxFileBytes = 256 * 1024;  // larger files are generated or data
constexpr size_t kMaxFilesPerPackage = 3000;   // keeps one huge package from dominating

struct InputFile {
  std::string path;       // absolute
  std::string name;       // package/relative path (what the pairs record)
  std::string rel;        // path under the subtree walked (the project's own path)
  std::string package;
  std::string parse_path; // the path the parser sees (picks the language)
};

std::vector<InputFile> ListFiles(const std::string& root, const std::vector<LockRow>& lock,
                                 const Denylist& deny) {
  std::vector<InputFile> out;
  size_t denied = 0;
  for (const LockRow& row : lock) {
    const std::optional<Layout> layout = LayoutOf(row.kind, row.name);
    if (!layout) {
      std::cerr << "corpus: no layout for " << row.kind << " " << row.name << "\n";
      std::exit(1);
    }
    const std::string dir = PackageDir(row);
    const fs::path pkg = fs::path(root) / dir;
    if (!fs::exists(pkg)) {
      std::cerr << "corpus: missing " << pkg << " (run train/setup-corpus)\n";
      std::exit(1);
    }
    std::vector<InputFile> files;
    for (const std::string& sub : layout->subtrees) {
      const fs::path base = pkg / sub;
      if (!fs::is_directory(base)) continue;
      std::error_code ec;
      for (auto it = fs::recursive_directory_iterator(base, ec);
           it != fs::recursive_directory_iterator(); it.increment(ec)) {
        if (ec) break;
        const std::string fname = it->path().filename().string();
        if (it->is_directory(ec)) {
          for (const std::string& ex : layout->exclude_dirs) {
            if (fname == ex) it.disable_recursion_pending();
          }
          continue;
        }
        if (!it->is_regular_file(ec) || it->is_symlink(ec)) continue;
        bool take = false;
        for (const std::string& s : layout->suffixes) take |= EndsWith(fname, s);
        for (const std::string& s : layout->exclude_suffixes) take &= !EndsWith(fname, s);
        if (!take || it->file_size(ec) > kMaxFileBytes) continue;
        const std::string rel = fs::relative(it->path(), base).string();
        if (layout->java_selection && !JavaSelected(rel)) continue;
        const std::string within = fs::relative(it->path(), pkg).string();
        if (const Denylist::Entry* e = deny.MatchPath(within)) {
          if (denied++ < 20) {
            std::cerr << "corpus: denied " << dir << "/" << within << " (" << e->repo << ")\n";
          }
          continue;
        }
        std::string parse_path = it->path().string();
        if (layout->headers_are_cpp && EndsWith(parse_path, ".h")) parse_path += "pp";
        files.push_back({it->path().string(), dir + "/" + within, rel, dir, parse_path});
      }
      // src/ of an npm package replaces the rest of it.
      if (row.kind == "npm" && !files.empty()) break;
    }
    std::sort(files.begin(), files.end(),
              [](const InputFile& a, const InputFile& b) { return a.name < b.name; });
    if (files.size() > kMaxFilesPerPackage) {
      // An even sample in path order (deterministic).
      std::vector<InputFile> kept;
      for (size_t k = 0; k < kMaxFilesPerPackage; ++k) {
        kept.push_back(std::move(files[k * files.size() / kMaxFilesPerPackage]));
      }
      files = std::move(kept);
    }
    for (InputFile& f : files) out.push_back(std::move(f));
  }
  std::cerr << "corpus: " << denied << " files dropped by train/denylist.txt\n";
  std::sort(out.begin(), out.end(),
            [](const InputFile& a, const InputFile& b) { return a.name < b.name; });
  out.erase(std::unique(out.begin(), out.end(),
                        [](const InputFile& a, const InputFile& b) { return a.name == b.name; }),
            out.end());
  return out;
}

// The first kMaxCodeBytes of `code`, cut after a newline when possible.
std::string CutCode(std::string code) {
  if (code.size() <= kMaxCodeBytes) return code;
  size_t cut = code.rfind('\n', kMaxCodeBytes);
  if (cut == std::string::npos || cut < kMaxCodeBytes / 2) cut = kMaxCodeBytes;
  // Do not cut inside a UTF-8 sequence.
  while (cut > 0 && (static_cast<unsigned char>(code[cut]) & 0xC0) == 0x80) --cut;
  code.resize(cut);
  return code;
}

// "read_line", "readLine", "HTTPServer2" -> "read line", "read line", "http server 2".
std::string SplitName(std::string_view name) {
  std::string out;
  auto is_upper = [](char c) { return c >= 'A' && c <= 'Z'; };
  auto is_lower = [](char c) { return c >= 'a' && c <= 'z'; };
  auto is_digit = [](char c) { return c >= '0' && c <= '9'; };
  for (size_t i = 0; i < name.size(); ++i) {
    const char c = name[i];
    if (!is_upper(c) && !is_lower(c) && !is_digit(c)) {
      if (!out.empty() && out.back() != ' ') out.push_back(' ');
      continue;
    }
    if (i > 0 && !out.empty() && out.back() != ' ') {
      const char p = name[i - 1];
      const bool cut = (is_upper(c) && (is_lower(p) || is_digit(p))) ||
                       (is_upper(c) && is_upper(p) && i + 1 < name.size() &&
                        is_lower(name[i + 1])) ||
                       (is_digit(c) != is_digit(p));
      if (cut) out.push_back(' ');
    }
    out.push_back(static_cast<char>(is_upper(c) ? c + 32 : c));
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

std::string NormalizedKey(std::string_view kind, std::string_view code) {
  std::string n(kind);
  n.push_back('|');
  for (char c : code) {
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') continue;
    n.push_back(c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c);
  }
  const Sha256Digest d = Sha256(n);
  return std::string(reinterpret_cast<const char*>(d.data()), 16);
}

struct Pair {
  std::string kind, lang, file, path, name, query, summary, code;
  int line = 0;
};

std::vector<Pair> PairsOf(const InputFile& f) {
  std::vector<Pair> out;
  Result<std::string> text = ReadFile(f.path);
  if (!text.ok()) return out;
  const std::string lang(LanguageNameForPath(f.parse_path));
  // One parse: the symbols, then their docs.
  // No practical timeout: on a loaded machine a wall-clock timeout would make the corpus
  // depend on the load.
  SymbolOptions options;
  options.parse_timeout_ms = 10 * 60 * 1000;
  Result<FileSymbols> syms = ExtractSymbols(f.parse_path, *text, options);
  if (!syms.ok()) return out;
  std::optional<std::vector<DocumentedSymbol>> docs(
      DocumentedSymbolsOf(f.parse_path, *text, *syms));
  {
    for (const DocumentedSymbol& d : *docs) {
      if (d.symbol.kind == "module" || d.symbol.kind == "variable" ||
          d.symbol.kind == "constant" || d.symbol.kind == "property") {
        continue;
      }
      Pair p;
      p.kind = "doc";
      p.lang = lang;
      p.file = f.name;
      p.path = f.rel;
      p.name = d.symbol.name;
      p.line = d.symbol.start_line;
      p.query = d.doc;
      p.summary = FirstSentence(d.doc);
      p.code = CutCode(CodeWithoutDoc(*text, d));
      if (p.code.empty()) continue;
      out.push_back(std::move(p));
    }
  }
  {
    for (const Symbol& s : syms->symbols) {
      if (s.kind != "function" && s.kind != "method") continue;
      if (s.end_line - s.start_line < 2) continue;
      const std::string words = SplitName(s.name);
      if (words.size() < 3) continue;
      // The code from the second line on (docstrings stay: they are part of the body a
      // search sees when no doc pair covers it).
      size_t b = 0;
      int line = 1;
      while (line < s.start_line + 1 && b < text->size()) {
        const size_t nl = text->find('\n', b);
        if (nl == std::string::npos) {
          b = text->size();
          break;
        }
        b = nl + 1;
        ++line;
      }
      size_t e = b;
      while (line <= s.end_line && e < text->size()) {
        const size_t nl = text->find('\n', e);
        e = nl == std::string::npos ? text->size() : nl + 1;
        ++line;
      }
      if (e <= b) continue;
      Pair p;
      p.kind = "name";
      p.lang = lang;
      p.file = f.name;
      p.path = f.rel;
      p.name = s.name;
      p.line = s.start_line;
      p.query = words;
      p.summary = words;
      p.code = CutCode(text->substr(b, e - b));
      out.push_back(std::move(p));
    }
  }
  return out;
}

int Main(int argc, char** argv) {
  std::string root, out_path, lock_path = "train/corpus.lock", deny_path = "train/denylist.txt";
  int threads = 2;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--root" && i + 1 < argc) {
      root = argv[++i];
    } else if (a == "--out" && i + 1 < argc) {
      out_path = argv[++i];
    } else if (a == "--lock" && i + 1 < argc) {
      lock_path = argv[++i];
    } else if (a == "--denylist" && i + 1 < argc) {
      deny_path = argv[++i];
    } else if (a == "--threads" && i + 1 < argc) {
      threads = std::max(1, std::atoi(argv[++i]));
    } else {
      std::cerr << "usage: corpus --root DIR --out FILE [--lock F] [--denylist F] [--threads N]\n";
      return 2;
    }
  }
  if (root.empty() || out_path.empty()) {
    std::cerr << "usage: corpus --root DIR --out FILE [--lock F] [--denylist F] [--threads N]\n";
    return 2;
  }
  Result<Denylist> deny = Denylist::Load(deny_path);
  if (!deny.ok()) {
    std::cerr << "corpus: " << deny.error().ToString() << "\n";
    return 1;
  }
  const std::vector<LockRow> lock = ReadLock(lock_path);
  for (const LockRow& r : lock) {
    if (const Denylist::Entry* e = deny->Match(r.name)) {
      std::cerr << "corpus: " << r.name << " is " << e->repo << " (" << deny_path
                << "): never train on it\n";
      return 1;
    }
  }
  const std::vector<InputFile> files = ListFiles(root, lock, *deny);
  std::cerr << "corpus: " << files.size() << " files\n";

  // Files are processed in parallel and written in path order.
  std::vector<std::vector<Pair>> results(files.size());
  std::atomic<size_t> next{0};
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) {
    pool.emplace_back([&] {
      for (size_t i = next++; i < files.size(); i = next++) results[i] = PairsOf(files[i]);
    });
  }
  for (auto& th : pool) th.join();

  std::ofstream out(out_path, std::ios::binary | std::ios::trunc);
  std::unordered_set<std::string> seen;
  size_t kept[2][2] = {{0, 0}, {0, 0}}, dups = 0;
  std::map<std::string, size_t> per_lang;
  for (size_t i = 0; i < files.size(); ++i) {
    const Sha256Digest h = Sha256(files[i].name);
    const bool valid = (h[0] * 256u + h[1]) % 100 < static_cast<unsigned>(kValidPercent);
    for (Pair& p : results[i]) {
      if (!seen.insert(NormalizedKey(p.kind, p.code)).second) {
        ++dups;
        continue;
      }
      nlohmann::json j = {{"kind", p.kind},   {"lang", p.lang},   {"file", p.file},
                          {"path", p.path},
                          {"line", p.line},   {"name", p.name},   {"query", p.query},
                          {"summary", p.summary}, {"code", p.code},
                          {"split", valid ? "valid" : "train"}};
      out << j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
      ++kept[p.kind == "doc" ? 0 : 1][valid ? 1 : 0];
      ++per_lang[p.lang + "/" + p.kind];
    }
  }
  out.close();
  if (!out) {
    std::cerr << "corpus: cannot write " << out_path << "\n";
    return 3;
  }
  std::cerr << "corpus: doc pairs " << kept[0][0] << " train + " << kept[0][1]
            << " valid; name pairs " << kept[1][0] << " train + " << kept[1][1]
            << " valid; " << dups << " duplicates dropped\n";
  for (const auto& [k, n] : per_lang) std::cerr << "corpus:   " << k << " " << n << "\n";
  return 0;
}

}  // namespace
}  // namespace codeindex::train

int main(int argc, char** argv) { return codeindex::train::Main(argc, argv); }
