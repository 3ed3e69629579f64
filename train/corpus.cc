// corpus: extracts the (query, code) training pairs of the default embedding model from
// the standard libraries unpacked by train/setup-corpus (docs/model-card.md).
//
//   corpus --root ~/.cache/codeindex/corpus/root --out pairs.jsonl [--threads 2]
//
// For every source file of the selection below (kSources: which package, which subtrees,
// which files), the project's own parser finds the definitions and eval/doc_comments.h
// their docs. Two kinds of pairs:
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
//   {"kind": "doc"|"name", "lang", "file", "line", "name", "query", "summary", "code", "split"}
#include <algorithm>
#include <atomic>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <mutex>
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

namespace codeindex::train {
namespace {

namespace fs = std::filesystem;

constexpr size_t kMaxCodeBytes = 2000;
constexpr int kValidPercent = 5;

// One part of the corpus: a package directory under the root, the subtrees to walk, what
// file names to take, and which path components exclude a file (tests, vendored code,
// tools that are applications rather than the standard library).
struct Source {
  const char* package;
  std::vector<const char*> subtrees;
  std::vector<const char*> suffixes;
  std::vector<const char*> exclude_dirs;
  std::vector<const char*> exclude_suffixes;
};

const std::vector<Source>& Sources() {
  static const std::vector<Source> kSources = {
      {"libpython3.11-minimal", {"usr/lib/python3.11"}, {".py"},
       {"test", "tests", "idle_test", "site-packages", "dist-packages"}, {}},
      {"libpython3.11-stdlib", {"usr/lib/python3.11"}, {".py"},
       {"test", "tests", "idle_test", "site-packages", "dist-packages"}, {}},
      // src/ only (test/ is the compiler's test suite); cmd/ is the toolchain, vendor/
      // holds golang.org/x copies.
      {"golang-1.19-src", {"usr/share/go-1.19/src"}, {".go"}, {"cmd", "vendor", "testdata"},
       {"_test.go"}},
      // The public packages of the java.* modules (sun.*, jdk.internal.* and the jdk.*
      // modules are the JDK's implementation and tools).
      {"openjdk-17-source", {"src"}, {".java"}, {}, {}},
      {"rust-src",
       {"usr/src/rustc-1.63.0/library/core/src", "usr/src/rustc-1.63.0/library/alloc/src",
        "usr/src/rustc-1.63.0/library/std/src", "usr/src/rustc-1.63.0/library/proc_macro/src"},
       {".rs"}, {"tests", "benches"}, {"tests.rs"}},
      {"libruby3.1", {"usr/lib/ruby/3.1.0"}, {".rb"}, {"test", "tests"}, {}},
      {"typescript", {"lib"}, {".d.ts"}, {}, {}},
      {"_types-node", {"."}, {".d.ts"}, {}, {}},
  };
  return kSources;
}

bool EndsWith(std::string_view s, std::string_view p) {
  return s.size() >= p.size() && s.substr(s.size() - p.size()) == p;
}

// Java: only <module>/java/** and <module>/javax/** of java.* modules.
bool JavaSelected(const std::string& rel) {
  if (rel.rfind("java.", 0) != 0) return false;
  const size_t slash = rel.find('/');
  if (slash == std::string::npos) return false;
  const std::string_view rest = std::string_view(rel).substr(slash + 1);
  return rest.rfind("java/", 0) == 0 || rest.rfind("javax/", 0) == 0;
}

struct InputFile {
  std::string path;  // absolute
  std::string name;  // package/relative path (what the pairs record)
  std::string package;
};

std::vector<InputFile> ListFiles(const std::string& root) {
  std::vector<InputFile> out;
  for (const Source& src : Sources()) {
    const fs::path pkg = fs::path(root) / src.package;
    if (!fs::exists(pkg)) {
      std::cerr << "corpus: missing " << pkg << " (run train/setup-corpus)\n";
      std::exit(1);
    }
    for (const char* sub : src.subtrees) {
      const fs::path base = pkg / sub;
      std::error_code ec;
      for (auto it = fs::recursive_directory_iterator(base, ec);
           it != fs::recursive_directory_iterator(); it.increment(ec)) {
        if (ec) break;
        const std::string fname = it->path().filename().string();
        if (it->is_directory()) {
          for (const char* ex : src.exclude_dirs) {
            if (fname == ex) it.disable_recursion_pending();
          }
          continue;
        }
        if (!it->is_regular_file()) continue;
        bool take = false;
        for (const char* s : src.suffixes) take |= EndsWith(fname, s);
        for (const char* s : src.exclude_suffixes) take &= !EndsWith(fname, s);
        if (!take) continue;
        const std::string rel = fs::relative(it->path(), base).string();
        if (std::string(src.package) == "openjdk-17-source" && !JavaSelected(rel)) continue;
        out.push_back({it->path().string(),
                       std::string(src.package) + "/" + fs::relative(it->path(), pkg).string(),
                       src.package});
      }
    }
  }
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
  std::string kind, lang, file, name, query, summary, code;
  int line = 0;
};

std::vector<Pair> PairsOf(const InputFile& f) {
  std::vector<Pair> out;
  Result<std::string> text = ReadFile(f.path);
  if (!text.ok()) return out;
  const std::string lang(LanguageNameForPath(f.path));
  Result<std::vector<DocumentedSymbol>> docs = ExtractDocumentedSymbols(f.path, *text);
  std::set<std::pair<int, std::string>> documented;
  if (docs.ok()) {
    for (const DocumentedSymbol& d : *docs) {
      if (d.symbol.kind == "module" || d.symbol.kind == "variable" ||
          d.symbol.kind == "constant" || d.symbol.kind == "property") {
        continue;
      }
      Pair p;
      p.kind = "doc";
      p.lang = lang;
      p.file = f.name;
      p.name = d.symbol.name;
      p.line = d.symbol.start_line;
      p.query = d.doc;
      p.summary = FirstSentence(d.doc);
      p.code = CutCode(CodeWithoutDoc(*text, d));
      if (p.code.empty()) continue;
      out.push_back(std::move(p));
    }
  }
  Result<FileSymbols> syms = ExtractSymbols(f.path, *text);
  if (syms.ok()) {
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
  std::string root, out_path;
  int threads = 2;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--root" && i + 1 < argc) {
      root = argv[++i];
    } else if (a == "--out" && i + 1 < argc) {
      out_path = argv[++i];
    } else if (a == "--threads" && i + 1 < argc) {
      threads = std::max(1, std::atoi(argv[++i]));
    } else {
      std::cerr << "usage: corpus --root DIR --out FILE [--threads N]\n";
      return 2;
    }
  }
  if (root.empty() || out_path.empty()) {
    std::cerr << "usage: corpus --root DIR --out FILE [--threads N]\n";
    return 2;
  }
  const std::vector<InputFile> files = ListFiles(root);
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
