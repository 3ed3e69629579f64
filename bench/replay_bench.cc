// replay_bench: an agent session replayed against the server's Service, with the engine cache
// and without it, and a memory soak. See bench/README.md, "cache".
//
//   replay_bench --workspace DIR [--ops 1000] [--seed 1] [--cache-size-mb 256]
//   replay_bench --workspace DIR --soak-seconds 300 --cache-size-mb 32 [--threads 2]
//
// Replay: DIR's source files are copied into a scratch workspace (twice: one copy per run),
// a Service indexes it (the default model, hybrid search) and answers a scripted session of
// --ops operations, once with the cache and once with capacity 0 (`serve --no-cache`). The
// session (seeded, identical in both runs) has five tasks; each task works on ~8 files and a
// pool of queries drawn from their identifiers, as an agent does:
//   45 % search   (hybrid; 55 % the same query again, 25 % a rephrasing already asked,
//                  20 % a new query; 1 in 5 with a path filter)
//   25 % context  (a definition's line range of a task file)
//   20 % symbols  (a task file)
//   10 % find_symbol (a name from the task files; the catalog, not cached)
// and every 40 operations an edit: one task file gets a new function appended, then the
// index is brought up to date (POST /v1/index) before the session goes on. Time of the edits
// and index runs is reported apart; operation times are per call, in the process.
//
// Soak: random queries (2-4 words from the workspace's identifiers, almost never repeated)
// from --threads threads for --soak-seconds, RSS sampled every second from /proc/self/status;
// reports the cache's bytes against its cap and the RSS curve.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include <unistd.h>

#include "parse/parser.h"
#include "parse/symbols.h"
#include "server/service.h"

namespace fs = std::filesystem;
using codeindex::Reply;
using codeindex::Service;
using Clock = std::chrono::steady_clock;

namespace {

struct Args {
  std::string workspace;
  int ops = 1000;
  uint64_t seed = 1;
  int64_t cache_size_mb = 256;
  int soak_seconds = 0;
  int threads = 2;
};

double Ms(Clock::duration d) { return std::chrono::duration<double, std::milli>(d).count(); }

// Copies the files the index would see (by extension), skipping hidden directories.
size_t CopySources(const fs::path& from, const fs::path& to) {
  size_t n = 0;
  for (auto it = fs::recursive_directory_iterator(from); it != fs::recursive_directory_iterator();
       ++it) {
    const std::string name = it->path().filename().string();
    if (it->is_directory() && (name.starts_with(".") || name == "build" || name == "third_party" ||
                               name == "node_modules")) {
      it.disable_recursion_pending();
      continue;
    }
    if (!it->is_regular_file() || it->file_size() > (1 << 20)) continue;
    const std::string rel = fs::relative(it->path(), from).string();
    if (codeindex::LanguageNameForPath(rel).empty()) continue;
    fs::create_directories((to / rel).parent_path());
    fs::copy_file(it->path(), to / rel, fs::copy_options::overwrite_existing);
    ++n;
  }
  return n;
}

std::string ReadFile(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

long RssKiB() {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
  }
  return 0;
}

uint64_t Runs(Service& svc) {
  nlohmann::json j = nlohmann::json::parse(svc.IndexStatusReply().body, nullptr, false);
  if (!j.is_object() || !j.contains("progress")) return 0;
  return j["progress"]["runs"].get<uint64_t>();
}

// Asks for an index run and waits until it (and the Searcher swap after it) finished.
void Reindex(Service& svc) {
  const uint64_t before = Runs(svc);
  svc.Reindex();
  while (Runs(svc) <= before) std::this_thread::sleep_for(std::chrono::milliseconds(5));
}

void WaitFirstRun(Service& svc) {
  while (Runs(svc) < 1) std::this_thread::sleep_for(std::chrono::milliseconds(20));
}

// ------------------------------------------------------------------------------------------
// The session script.

enum class OpKind { kSearch, kContext, kSymbols, kFindSymbol, kEdit };
const char* OpName(OpKind k) {
  switch (k) {
    case OpKind::kSearch: return "search";
    case OpKind::kContext: return "context";
    case OpKind::kSymbols: return "symbols";
    case OpKind::kFindSymbol: return "find_symbol";
    case OpKind::kEdit: return "edit+index";
  }
  return "?";
}

struct Op {
  OpKind kind;
  std::string file;
  std::string query;  // search query, or the name for find_symbol
  std::string path;   // search path filter
  int start = 0, end = 0;
};

struct FileInfo {
  std::string rel;
  std::vector<codeindex::Symbol> symbols;
};

// Words of an identifier: "parseFileName" / "parse_file_name" -> parse file name.
std::vector<std::string> Words(const std::string& id) {
  std::vector<std::string> out;
  std::string cur;
  for (size_t i = 0; i < id.size(); ++i) {
    char c = id[i];
    bool boundary = c == '_' || c == ':' || c == '.' ||
                    (i > 0 && std::isupper(static_cast<unsigned char>(c)) &&
                     std::islower(static_cast<unsigned char>(id[i - 1])));
    if (boundary && !cur.empty()) {
      out.push_back(cur);
      cur.clear();
    }
    if (std::isalnum(static_cast<unsigned char>(c))) {
      cur += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
  }
  if (!cur.empty()) out.push_back(cur);
  return out;
}

std::vector<Op> MakeSession(const std::vector<FileInfo>& files, int n_ops, uint64_t seed) {
  std::mt19937_64 rng(seed);
  auto pick = [&](size_t n) { return static_cast<size_t>(rng() % n); };
  std::vector<Op> ops;
  const int kTasks = 5;
  int edit_no = 0;
  for (int task = 0; task < kTasks; ++task) {
    // The task's files (with symbols), ~8, popularity skewed (the first ones more).
    std::vector<const FileInfo*> tf;
    for (int tries = 0; tf.size() < 8 && tries < 1000; ++tries) {
      const FileInfo& f = files[pick(files.size())];
      if (f.symbols.size() >= 2 && std::find(tf.begin(), tf.end(), &f) == tf.end()) tf.push_back(&f);
    }
    auto task_file = [&]() -> const FileInfo& {
      // Zipf-like: index floor(n * u^2) favours the first files.
      double u = std::uniform_real_distribution<double>(0, 1)(rng);
      return *tf[std::min(tf.size() - 1, static_cast<size_t>(tf.size() * u * u))];
    };
    std::vector<std::string> asked;  // queries of this task so far
    std::map<std::string, std::vector<std::string>> rephrasings;
    auto new_query = [&]() {
      const FileInfo& f = task_file();
      const codeindex::Symbol& s = f.symbols[pick(f.symbols.size())];
      std::vector<std::string> w = Words(s.name);
      std::string q;
      switch (pick(3)) {
        case 0: q = s.name; break;  // the identifier as written
        case 1: {
          for (auto& x : w) q += (q.empty() ? "" : " ") + x;
          q = "how does " + q + " work";
          break;
        }
        default: {
          for (auto& x : w) q += (q.empty() ? "" : " ") + x;
          q = "where is " + q + " " + s.kind + " defined";
        }
      }
      return q;
    };
    const int per_task = n_ops / kTasks;
    for (int i = 0; i < per_task; ++i) {
      const int global = task * per_task + i;
      if (global > 0 && global % 40 == 0) {
        Op e;
        e.kind = OpKind::kEdit;
        e.file = task_file().rel;
        e.query = std::to_string(edit_no++);
        ops.push_back(e);
        continue;
      }
      const int r = static_cast<int>(pick(100));
      Op op;
      if (r < 45) {
        op.kind = OpKind::kSearch;
        const int kind = static_cast<int>(pick(100));
        if (!asked.empty() && kind < 55) {
          op.query = asked[pick(std::min<size_t>(asked.size(), 6)) + asked.size() -
                           std::min<size_t>(asked.size(), 6)];  // one of the recent ones
        } else if (!asked.empty() && kind < 80) {
          // A rephrasing: the same words in another form, as agents retry.
          const std::string& base = asked[pick(asked.size())];
          auto& variants = rephrasings[base];
          if (variants.empty() || pick(2) == 0) {
            std::string v = pick(2) ? base + " implementation" : "find " + base;
            variants.push_back(v);
          }
          op.query = variants[pick(variants.size())];
        } else {
          op.query = new_query();
          asked.push_back(op.query);
        }
        if (pick(5) == 0) op.path = fs::path(task_file().rel).parent_path().string();
      } else if (r < 70) {
        op.kind = OpKind::kContext;
        const FileInfo& f = task_file();
        const codeindex::Symbol& s = f.symbols[pick(std::min<size_t>(f.symbols.size(), 6))];
        op.file = f.rel;
        op.start = s.start_line;
        op.end = std::min(s.end_line, s.start_line + 40);
      } else if (r < 90) {
        op.kind = OpKind::kSymbols;
        op.file = task_file().rel;
      } else {
        op.kind = OpKind::kFindSymbol;
        const FileInfo& f = task_file();
        op.query = f.symbols[pick(f.symbols.size())].name;
      }
      ops.push_back(op);
    }
  }
  return ops;
}

std::string CommentFor(const std::string& rel) {
  const std::string ext = fs::path(rel).extension().string();
  if (ext == ".py" || ext == ".rb" || ext == ".sh" || ext == ".toml" || ext == ".yaml" ||
      ext == ".yml") {
    return "#";
  }
  return "//";
}

struct RunResult {
  std::map<std::string, std::vector<double>> ms;  // per op kind
  double ops_ms = 0;                              // all non-edit operations
  double edits_ms = 0;
  nlohmann::json cache;  // status "cache" object at the end
  int errors = 0;
};

RunResult Replay(const Args& args, const fs::path& scratch, const std::vector<Op>& ops,
                 bool cache_on) {
  const fs::path ws = scratch / (cache_on ? "ws-cache" : "ws-nocache");
  fs::remove_all(ws);
  CopySources(args.workspace, ws);
  codeindex::ServiceOptions so;
  so.workspace = ws.string();
  so.cache_overrides.cache_enabled = cache_on;
  so.cache_overrides.cache_size_mb = args.cache_size_mb;
  auto svc = Service::Start(so);
  if (!svc.ok()) {
    std::fprintf(stderr, "replay_bench: %s\n", svc.error().ToString().c_str());
    std::exit(1);
  }
  WaitFirstRun(**svc);
  RunResult rr;
  for (const Op& op : ops) {
    const auto t0 = Clock::now();
    Reply r;
    switch (op.kind) {
      case OpKind::kSearch: {
        nlohmann::json j = {{"query", op.query}, {"limit", 10u}};
        if (!op.path.empty()) j["path"] = op.path;
        r = (*svc)->SearchArgs(j);
        break;
      }
      case OpKind::kContext:
        r = (*svc)->Context(op.file, op.start, op.end);
        break;
      case OpKind::kSymbols:
        r = (*svc)->Symbols(op.file);
        break;
      case OpKind::kFindSymbol:
        r = (*svc)->FindSymbol(op.query, 20);
        break;
      case OpKind::kEdit: {
        std::ofstream(ws / op.file, std::ios::app)
            << "\n" << CommentFor(op.file) << " edit " << op.query << ": replay_edit_" << op.query
            << "\n";
        Reindex(**svc);
        break;
      }
    }
    const double ms = Ms(Clock::now() - t0);
    rr.ms[OpName(op.kind)].push_back(ms);
    if (op.kind == OpKind::kEdit) {
      rr.edits_ms += ms;
    } else {
      rr.ops_ms += ms;
      if (r.status != 200 && rr.errors++ == 0) {
        std::fprintf(stderr, "replay_bench: %s failed: %d %s\n", OpName(op.kind), r.status,
                     r.body.c_str());
      }
    }
  }
  nlohmann::json st = nlohmann::json::parse((*svc)->IndexStatusReply().body);
  rr.cache = st["cache"];
  (*svc)->Stop();
  return rr;
}

// What repetition allows: the hits an unbounded cache with the same keys would get on this
// script (no TTL expiry within a session of a few minutes). Search responses are keyed by the
// request and the index generation (every edit is an index run), query embeddings by the
// text (looked up only when the search response missed), symbols by the file's content
// (context looks up its file's symbols too; an edit changes the content).
struct Ceiling {
  uint64_t lookups = 0;
  uint64_t repeats = 0;
};
std::map<std::string, Ceiling> Ceilings(const std::vector<Op>& ops) {
  std::map<std::string, Ceiling> out;
  std::set<std::string> search_seen, embed_seen, symbols_seen;
  std::map<std::string, int> file_version;
  int generation = 0;
  auto look = [&](const char* space, std::set<std::string>& seen, const std::string& key) {
    Ceiling& c = out[space];
    ++c.lookups;
    const bool hit = !seen.insert(key).second;
    if (hit) ++c.repeats;
    return hit;
  };
  for (const Op& op : ops) {
    switch (op.kind) {
      case OpKind::kSearch:
        if (!look("search", search_seen,
                  op.query + '\x1f' + op.path + '\x1f' + std::to_string(generation))) {
          look("embedding", embed_seen, op.query);
        }
        break;
      case OpKind::kContext:
      case OpKind::kSymbols:
        look("symbols", symbols_seen, op.file + '\x1f' + std::to_string(file_version[op.file]));
        break;
      case OpKind::kFindSymbol:
        break;
      case OpKind::kEdit:
        ++generation;
        ++file_version[op.file];
        break;
    }
  }
  return out;
}

double Median(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}
double Sum(const std::vector<double>& v) {
  double s = 0;
  for (double x : v) s += x;
  return s;
}

int RunReplay(const Args& args) {
  const fs::path scratch = fs::temp_directory_path() / ("replay-bench-" + std::to_string(getpid()));
  fs::create_directories(scratch);
  // The files and their symbols, for the script.
  std::vector<FileInfo> files;
  for (auto it = fs::recursive_directory_iterator(args.workspace);
       it != fs::recursive_directory_iterator(); ++it) {
    const std::string name = it->path().filename().string();
    if (it->is_directory() && (name.starts_with(".") || name == "build" || name == "third_party" ||
                               name == "node_modules")) {
      it.disable_recursion_pending();
      continue;
    }
    if (!it->is_regular_file() || it->file_size() > (1 << 20)) continue;
    const std::string rel = fs::relative(it->path(), args.workspace).string();
    if (codeindex::LanguageNameForPath(rel).empty()) continue;
    auto syms = codeindex::ExtractSymbols(rel, ReadFile(it->path()));
    if (!syms.ok()) continue;
    files.push_back({rel, std::move(syms->symbols)});
  }
  std::sort(files.begin(), files.end(), [](auto& a, auto& b) { return a.rel < b.rel; });
  const std::vector<Op> ops = MakeSession(files, args.ops, args.seed);
  std::map<std::string, int> counts;
  for (const Op& op : ops) counts[OpName(op.kind)]++;
  std::printf("workspace %s: %zu files; session of %zu operations:", args.workspace.c_str(),
              files.size(), ops.size());
  for (auto& [k, n] : counts) std::printf(" %s %d", k.c_str(), n);
  std::printf("\n");

  RunResult with = Replay(args, scratch, ops, true);
  RunResult without = Replay(args, scratch, ops, false);
  fs::remove_all(scratch);

  std::printf("\n%-12s %8s %14s %14s %14s %14s %8s\n", "operation", "count", "cached p50 ms",
              "no-cache p50", "cached total", "no-cache total", "speedup");
  for (auto& [k, v] : with.ms) {
    const auto& w = without.ms[k];
    std::printf("%-12s %8zu %14.3f %14.3f %14.1f %14.1f %7.1fx\n", k.c_str(), v.size(), Median(v),
                Median(w), Sum(v), Sum(w), Sum(w) / std::max(1e-9, Sum(v)));
  }
  std::printf("\nall operations but edits: %.1f ms with the cache, %.1f ms without: %.1fx "
              "(errors %d / %d)\n",
              with.ops_ms, without.ops_ms, without.ops_ms / std::max(1e-9, with.ops_ms),
              with.errors, without.errors);
  std::printf("edits and index runs: %.1f ms / %.1f ms\n", with.edits_ms, without.edits_ms);
  std::printf("\ncache (%s, cap %lld MiB): hit rate %.1f %% overall\n",
              with.cache["policy"].get<std::string>().c_str(),
              static_cast<long long>(args.cache_size_mb),
              100 * with.cache["hit_rate"].get<double>());
  const std::map<std::string, Ceiling> ceilings = Ceilings(ops);
  uint64_t all_hits = 0, all_repeats = 0;
  for (auto& [name, sp] : with.cache["spaces"].items()) {
    const uint64_t hits = sp["hits"].get<uint64_t>();
    auto c = ceilings.find(name);
    const uint64_t repeats = c == ceilings.end() ? 0 : c->second.repeats;
    const uint64_t lookups = c == ceilings.end() ? 0 : c->second.lookups;
    all_hits += hits;
    all_repeats += repeats;
    std::printf("  %-10s hits %6llu misses %6llu hit rate %5.1f %%  entries %5lld bytes %lld; "
                "repetition allows %llu of %llu (%.1f %%): %.1f %% of them hit\n",
                name.c_str(), static_cast<unsigned long long>(hits),
                static_cast<unsigned long long>(sp["misses"].get<uint64_t>()),
                100 * sp["hit_rate"].get<double>(),
                static_cast<long long>(sp["entries"].get<int64_t>()),
                static_cast<long long>(sp["bytes"].get<int64_t>()),
                static_cast<unsigned long long>(repeats), static_cast<unsigned long long>(lookups),
                100.0 * static_cast<double>(repeats) / std::max<double>(1, lookups),
                100.0 * static_cast<double>(hits) / std::max<double>(1, repeats));
  }
  std::printf("  overall: %llu hits of the %llu lookups repetition allows: %.1f %%\n",
              static_cast<unsigned long long>(all_hits),
              static_cast<unsigned long long>(all_repeats),
              100.0 * static_cast<double>(all_hits) / std::max<double>(1, all_repeats));
  return 0;
}

int RunSoak(const Args& args) {
  const fs::path scratch = fs::temp_directory_path() / ("soak-bench-" + std::to_string(getpid()));
  fs::remove_all(scratch);
  CopySources(args.workspace, scratch / "ws");
  // Vocabulary: identifier words of the workspace.
  std::vector<std::string> vocab;
  {
    std::set<std::string> seen;
    for (auto& e : fs::recursive_directory_iterator(scratch / "ws")) {
      if (!e.is_regular_file()) continue;
      auto syms = codeindex::ExtractSymbols(e.path().string(), ReadFile(e.path()));
      if (!syms.ok()) continue;
      for (auto& s : syms->symbols) {
        for (auto& w : Words(s.name)) {
          if (w.size() >= 3 && seen.insert(w).second) vocab.push_back(w);
        }
      }
    }
  }
  codeindex::ServiceOptions so;
  so.workspace = (scratch / "ws").string();
  so.cache_overrides.cache_size_mb = args.cache_size_mb;
  auto svc = Service::Start(so);
  if (!svc.ok()) {
    std::fprintf(stderr, "replay_bench: %s\n", svc.error().ToString().c_str());
    return 1;
  }
  WaitFirstRun(**svc);
  const long rss_start = RssKiB();
  std::printf("soak: %zu vocabulary words, %d threads, %d s, cache cap %lld MiB; RSS after "
              "indexing %ld KiB\n",
              vocab.size(), args.threads, args.soak_seconds,
              static_cast<long long>(args.cache_size_mb), rss_start);
  std::atomic<bool> stop{false};
  std::atomic<uint64_t> queries{0}, errors{0};
  std::vector<std::thread> workers;
  for (int t = 0; t < args.threads; ++t) {
    workers.emplace_back([&, t] {
      std::mt19937_64 rng(args.seed * 1000 + static_cast<uint64_t>(t));
      while (!stop.load()) {
        std::string q;
        const int n = 2 + static_cast<int>(rng() % 3);
        for (int i = 0; i < n; ++i) q += (i ? " " : "") + vocab[rng() % vocab.size()];
        nlohmann::json j = {{"query", q}, {"limit", 20u + static_cast<unsigned>(rng() % 31)}};
        Reply r = (*svc)->SearchArgs(j);
        if (r.status != 200) errors++;
        queries++;
      }
    });
  }
  const size_t cap = static_cast<size_t>(args.cache_size_mb) << 20;
  long rss_max = rss_start;
  size_t cache_max = 0;
  bool over_cap = false;
  const auto t0 = Clock::now();
  for (int s = 1; s <= args.soak_seconds; ++s) {
    std::this_thread::sleep_until(t0 + std::chrono::seconds(s));
    const long rss = RssKiB();
    const size_t bytes = (*svc)->cache().bytes();
    rss_max = std::max(rss_max, rss);
    cache_max = std::max(cache_max, bytes);
    over_cap |= bytes > cap;
    if (s % 30 == 0 || s == args.soak_seconds) {
      std::printf("t=%4d s  queries %8llu  RSS %7ld KiB (+%ld)  cache %6.1f MiB (%zu entries)\n",
                  s, static_cast<unsigned long long>(queries.load()), rss, rss - rss_start,
                  static_cast<double>(bytes) / (1 << 20), (*svc)->cache().entries());
      std::fflush(stdout);
    }
  }
  stop = true;
  for (auto& w : workers) w.join();
  (*svc)->Stop();
  std::printf("soak done: %llu queries (%llu errors); cache max %.1f MiB of %lld MiB cap (%s); "
              "RSS max %ld KiB, +%ld KiB over the start\n",
              static_cast<unsigned long long>(queries.load()),
              static_cast<unsigned long long>(errors.load()),
              static_cast<double>(cache_max) / (1 << 20), static_cast<long long>(args.cache_size_mb),
              over_cap ? "OVER THE CAP" : "within the cap", rss_max, rss_max - rss_start);
  fs::remove_all(scratch);
  return over_cap ? 1 : 0;
}

}  // namespace

int main(int argc, char** argv) {
  Args args;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto next = [&]() -> std::string {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "replay_bench: %s needs a value\n", a.c_str());
        std::exit(2);
      }
      return argv[++i];
    };
    if (a == "--workspace") args.workspace = next();
    else if (a == "--ops") args.ops = std::stoi(next());
    else if (a == "--seed") args.seed = std::stoull(next());
    else if (a == "--cache-size-mb") args.cache_size_mb = std::stoll(next());
    else if (a == "--soak-seconds") args.soak_seconds = std::stoi(next());
    else if (a == "--threads") args.threads = std::stoi(next());
    else {
      std::fprintf(stderr, "replay_bench: unknown argument %s\n", a.c_str());
      return 2;
    }
  }
  if (args.workspace.empty()) {
    std::fprintf(stderr, "usage: replay_bench --workspace DIR [--ops N] [--soak-seconds S]\n");
    return 2;
  }
  return args.soak_seconds > 0 ? RunSoak(args) : RunReplay(args);
}
