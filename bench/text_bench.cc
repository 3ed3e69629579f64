// text_bench: the measurements behind src/text/ (bench/README.md, section "text").
//
//   text_bench [--blocks N] [--queries Q] [--work DIR] [--rg-queries R]
//
// builds one corpus of N code blocks (15-line chunks of /usr/lib/python3.11/**/*.py, then
// /usr/include/**/*.h*, in path order), Q queries of 1-3 identifiers taken from random
// blocks, and runs each phase below in a child process of its own (so that each peak RSS is
// that phase's alone), printing Markdown tables:
//
//   analyzer           analyzer throughput over the block contents (MB/s, terms/s)
//   build-*            index build time, size and peak RSS: raw Xapian, TextIndex, SQLite FTS5
//   query-*            query latency p50/p99 (hot cache) and RSS for the same queries
//   rg                 ripgrep over the same files with the same terms (no index)
//   micro              per-search overheads of TextIndex: version-file read, handle open,
//                      commit latency with and without fsync
//   quality            known-item experiment: identifier boost, part-term weight, path
//                      terms, minimum term length (index size)
//
// `--phase NAME` runs one phase in the current process (what the driver does in children).
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <map>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sqlite3.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>
#include <xapian.h>

#include "text/analyzer.h"
#include "text/text_index.h"

extern char** environ;

namespace codeindex {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

double Seconds(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double>(b - a).count();
}

struct Config {
  size_t blocks = 100000;
  size_t queries = 1000;
  size_t rg_queries = 30;
  std::string work = "/tmp/codeindex_text_bench";
  std::string phase;
  std::string self;
};

// ---------------------------------------------------------------------------------------
// Corpus

struct Block {
  std::string path;  // relative to /usr/
  std::string identifier;
  std::string content;
};

struct Corpus {
  std::vector<Block> blocks;
  std::vector<std::string> files;  // absolute paths of the files the blocks come from
  uint64_t bytes = 0;
  uint64_t lines = 0;
};

std::vector<std::string> ListFiles(const std::string& root, const std::set<std::string>& exts) {
  std::vector<std::string> out;
  std::error_code ec;
  for (fs::recursive_directory_iterator it(root, fs::directory_options::skip_permission_denied, ec),
       end;
       !ec && it != end; it.increment(ec)) {
    std::error_code ec2;
    if (!it->is_regular_file(ec2) || it->is_symlink(ec2)) continue;
    if (!exts.count(it->path().extension().string())) continue;
    if (it->file_size(ec2) > (1u << 20)) continue;
    out.push_back(it->path().string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

bool IsIdentStart(char c) { return std::isalpha(static_cast<unsigned char>(c)) || c == '_'; }
bool IsIdent(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

std::string NameAfter(std::string_view line, std::string_view keyword) {
  if (line.substr(0, keyword.size()) != keyword) return {};
  size_t i = keyword.size();
  while (i < line.size() && (line[i] == ' ' || line[i] == '*')) ++i;
  size_t j = i;
  while (j < line.size() && IsIdent(line[j])) ++j;
  if (j == i || !IsIdentStart(line[i])) return {};
  return std::string(line.substr(i, j - i));
}

// A stand-in for the parser's identifier: the first definition-looking name in the block.
std::string GuessIdentifier(const std::vector<std::string_view>& lines) {
  for (std::string_view raw : lines) {
    std::string_view line = raw;
    size_t indent = line.find_first_not_of(" \t");
    if (indent == std::string_view::npos) continue;
    line.remove_prefix(indent);
    for (std::string_view kw : {"def ", "async def ", "class ", "struct ", "enum ", "union ",
                                "#define ", "typedef struct "}) {
      std::string name = NameAfter(line, kw);
      if (!name.empty() && !(kw != "#define " && raw.back() == ';')) return name;
    }
    // A C/C++ function definition: unindented, a name before '(', not a declaration.
    if (indent == 0 && !raw.empty() && raw.back() != ';' && IsIdentStart(raw[0])) {
      size_t paren = raw.find('(');
      if (paren != std::string_view::npos && paren > 0) {
        size_t e = paren;
        while (e > 0 && raw[e - 1] == ' ') --e;
        size_t b = e;
        while (b > 0 && IsIdent(raw[b - 1])) --b;
        if (b < e && IsIdentStart(raw[b])) return std::string(raw.substr(b, e - b));
      }
    }
  }
  return {};
}

// Calls fn(index, block) for the first `max_blocks` blocks of the corpus, reading and
// cutting the files as it goes (so that a build does not hold the corpus in memory).
// Returns the seconds spent reading and cutting, i.e. outside fn.
using BlockFn = std::function<void(size_t, const Block&)>;
double ForEachBlock(size_t max_blocks, const BlockFn& fn, Corpus* stats) {
  auto t_start = Clock::now();
  double inside = 0;
  std::vector<std::string> files = ListFiles("/usr/lib/python3.11", {".py"});
  std::vector<std::string> inc = ListFiles("/usr/include", {".h", ".hpp", ".hh", ".hxx", ".tcc"});
  files.insert(files.end(), inc.begin(), inc.end());
  constexpr size_t kLines = 15;
  size_t count = 0;
  for (const std::string& f : files) {
    if (count >= max_blocks) break;
    std::ifstream in(f, std::ios::binary);
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::vector<std::string_view> lines;
    size_t start = 0;
    while (start < text.size()) {
      size_t nl = text.find('\n', start);
      if (nl == std::string::npos) nl = text.size();
      lines.emplace_back(text.data() + start, nl - start);
      start = nl + 1;
    }
    bool used = false;
    for (size_t i = 0; i < lines.size() && count < max_blocks; i += kLines) {
      size_t n = std::min(kLines, lines.size() - i);
      std::vector<std::string_view> chunk(lines.begin() + i, lines.begin() + i + n);
      Block b;
      for (std::string_view l : chunk) {
        b.content.append(l);
        b.content.push_back('\n');
      }
      if (b.content.find_first_not_of(" \t\r\n") == std::string::npos) continue;
      b.path = f.substr(5);
      b.identifier = GuessIdentifier(chunk);
      stats->bytes += b.content.size();
      stats->lines += n;
      auto t0 = Clock::now();
      fn(count++, b);
      inside += Seconds(t0, Clock::now());
      used = true;
    }
    if (used) stats->files.push_back(f);
  }
  return Seconds(t_start, Clock::now()) - inside;
}

Corpus LoadCorpus(size_t max_blocks) {
  Corpus c;
  ForEachBlock(
      max_blocks, [&](size_t, const Block& b) { c.blocks.push_back(b); }, &c);
  return c;
}

// A source of blocks for the builders: returns the seconds it spent outside fn.
using BlockSource = std::function<double(const BlockFn&)>;

BlockSource FromCorpus(const Corpus& c) {
  return [&c](const BlockFn& fn) {
    for (size_t i = 0; i < c.blocks.size(); ++i) fn(i, c.blocks[i]);
    return 0.0;
  };
}

BlockSource Streaming(size_t max_blocks) {
  return [max_blocks](const BlockFn& fn) {
    Corpus stats;
    return ForEachBlock(max_blocks, fn, &stats);
  };
}

// "<source block index>\t<query>" lines.
struct Query {
  size_t block;
  std::string text;
};

std::vector<Query> MakeQueries(const Corpus& c, size_t n) {
  std::mt19937_64 rng(42);
  std::vector<Query> out;
  while (out.size() < n) {
    const size_t index = rng() % c.blocks.size();
    const Block& b = c.blocks[index];
    std::vector<std::string> words;
    const std::string& s = b.content;
    for (size_t i = 0; i < s.size();) {
      if (!IsIdentStart(s[i])) {
        ++i;
        continue;
      }
      size_t j = i;
      while (j < s.size() && IsIdent(s[j])) ++j;
      if (j - i >= 3 && j - i <= 40) words.push_back(s.substr(i, j - i));
      i = j;
    }
    if (words.empty()) continue;
    size_t k = 1 + rng() % 3;
    std::string q;
    for (size_t i = 0; i < k; ++i) {
      if (!q.empty()) q.push_back(' ');
      q += words[rng() % words.size()];
    }
    out.push_back({index, q});
  }
  return out;
}

std::vector<std::string> ReadLines(const std::string& path) {
  std::vector<std::string> v;
  std::ifstream in(path);
  for (std::string line; std::getline(in, line);) v.push_back(line);
  return v;
}

std::vector<Query> ReadQueries(const std::string& work) {
  std::vector<Query> v;
  for (const std::string& line : ReadLines(work + "/queries.txt")) {
    size_t tab = line.find('\t');
    v.push_back({std::stoul(line.substr(0, tab)), line.substr(tab + 1)});
  }
  return v;
}

std::vector<std::string> QueryTexts(const std::string& work) {
  std::vector<std::string> v;
  for (Query& q : ReadQueries(work)) v.push_back(std::move(q.text));
  return v;
}

// Distinct analyzed terms of `q`, with their kind (the first occurrence wins).
std::vector<std::pair<std::string, TermList::Kind>> QueryTerms(const Analyzer& a,
                                                               std::string_view q) {
  TermList tl;
  a.Analyze(q, &tl);
  std::vector<std::pair<std::string, TermList::Kind>> out;
  for (size_t i = 0; i < tl.size(); ++i) {
    std::string t(tl[i]);
    bool dup = false;
    for (const auto& [u, k] : out) dup |= u == t;
    if (!dup) out.emplace_back(t, tl.kind(i));
  }
  return out;
}

uint64_t DirBytes(const std::string& dir) {
  uint64_t total = 0;
  std::error_code ec;
  if (fs::is_regular_file(dir, ec)) return fs::file_size(dir, ec);
  for (fs::recursive_directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    std::error_code ec2;
    if (it->is_regular_file(ec2)) total += it->file_size(ec2);
  }
  return total;
}

void Print(const std::string& key, double v) { std::cout << key << " " << v << "\n"; }

// Wall time and the calling thread's CPU time: on the shared machine wall times include
// waiting for a core, CPU times do not.
struct Stamp {
  Clock::time_point wall;
  double cpu_us;
};
Stamp Now() {
  timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return {Clock::now(), ts.tv_sec * 1e6 + ts.tv_nsec / 1e3};
}

struct Latency {
  std::vector<double> us;
  std::vector<double> cpu_us;
  void Add(Clock::time_point a, Clock::time_point b) { us.push_back(Seconds(a, b) * 1e6); }
  void Add(const Stamp& a, const Stamp& b) {
    us.push_back(Seconds(a.wall, b.wall) * 1e6);
    cpu_us.push_back(b.cpu_us - a.cpu_us);
  }
  void Merge(const Latency& o) {
    us.insert(us.end(), o.us.begin(), o.us.end());
    cpu_us.insert(cpu_us.end(), o.cpu_us.begin(), o.cpu_us.end());
  }
  static double Pct(std::vector<double>& v, double p) {
    std::sort(v.begin(), v.end());
    return v.empty() ? 0 : v[std::min(v.size() - 1, static_cast<size_t>(p * v.size()))];
  }
  double Pct(double p) { return Pct(us, p); }
  double Mean() const {
    double s = 0;
    for (double v : us) s += v;
    return us.empty() ? 0 : s / us.size();
  }
  void Report(const std::string& name) {
    Print(name + ".p50_us", Pct(0.5));
    Print(name + ".p99_us", Pct(0.99));
    Print(name + ".mean_us", Mean());
    if (!cpu_us.empty()) {
      Print(name + ".cpu_p50_us", Pct(cpu_us, 0.5));
      Print(name + ".cpu_p99_us", Pct(cpu_us, 0.99));
    }
  }
};

// ---------------------------------------------------------------------------------------
// Raw Xapian (the engine with nothing of ours but the analyzer)

struct RawOptions {
  Xapian::termcount identifier_wdf = kIdentifierWdf;  // 0: identifier not indexed beyond content
  bool path_terms = false;                            // analysed path components as ordinary terms
  size_t min_term_bytes = 2;
};

// Returns the indexing seconds (excluding the source's own reading time).
double BuildRawXapian(const BlockSource& source, const std::string& dir, const RawOptions& o) {
  fs::remove_all(dir);
  Analyzer a({.max_term_bytes = 64, .min_term_bytes = o.min_term_bytes});
  TermList tl;
  uint64_t doc_count = 0;
  auto t0 = Clock::now();
  Xapian::WritableDatabase db(dir, Xapian::DB_CREATE_OR_OVERWRITE | Xapian::DB_BACKEND_GLASS);
  double reading = source([&](size_t, const Block& b) {
    Xapian::Document doc;
    tl.clear();
    a.Analyze(b.content, &tl);
    for (size_t i = 0; i < tl.size(); ++i) doc.add_term(std::string(tl[i]));
    if (o.identifier_wdf > 0) {
      tl.clear();
      a.Analyze(b.identifier, &tl);
      for (size_t i = 0; i < tl.size(); ++i) doc.add_term(std::string(tl[i]), o.identifier_wdf);
    }
    if (o.path_terms) {
      tl.clear();
      a.Analyze(b.path, &tl);
      for (size_t i = 0; i < tl.size(); ++i) doc.add_term(std::string(tl[i]));
    }
    // The block index, as a store-the-id-per-document design would (TextIndex instead uses
    // the block id as the Xapian document id; query-xapian-data-200 measures the difference).
    uint64_t id = doc_count++;
    doc.set_data(std::string(reinterpret_cast<const char*>(&id), sizeof id));
    db.add_document(doc);
  });
  db.commit();
  db.close();
  return Seconds(t0, Clock::now()) - reading;
}

Xapian::Query RawQuery(const Analyzer& a, std::string_view q, double part_scale) {
  std::vector<Xapian::Query> subs;
  for (const auto& [t, kind] : QueryTerms(a, q)) {
    if (kind == TermList::Kind::kPart && part_scale != 1.0) {
      subs.emplace_back(Xapian::Query::OP_SCALE_WEIGHT, Xapian::Query(t), part_scale);
    } else {
      subs.emplace_back(t);
    }
  }
  return Xapian::Query(Xapian::Query::OP_OR, subs.begin(), subs.end());
}

// Block indexes (0-based) of the top `limit` for `q`.
std::vector<uint64_t> RawSearch(Xapian::Enquire& e, const Analyzer& a, std::string_view q,
                                size_t limit, double part_scale = 1.0) {
  e.set_query(RawQuery(a, q, part_scale));
  Xapian::MSet m = e.get_mset(0, limit);
  std::vector<uint64_t> ids;
  for (auto it = m.begin(); it != m.end(); ++it) ids.push_back(*it - 1);
  return ids;
}

// ---------------------------------------------------------------------------------------
// SQLite FTS5 (same analyzer: the body is the analysed terms joined by spaces)

void Check(int rc, sqlite3* db, const char* what) {
  if (rc != SQLITE_OK && rc != SQLITE_DONE && rc != SQLITE_ROW) {
    std::cerr << "sqlite " << what << ": " << sqlite3_errmsg(db) << "\n";
    std::exit(1);
  }
}

double BuildFts5(const BlockSource& source, const std::string& path) {
  fs::remove(path);
  Analyzer a;
  TermList tl;
  auto t0 = Clock::now();
  sqlite3* db = nullptr;
  Check(sqlite3_open(path.c_str(), &db), db, "open");
  Check(sqlite3_exec(db,
                     "CREATE VIRTUAL TABLE blocks USING fts5(body, "
                     "tokenize=\"ascii tokenchars '_'\")",
                     nullptr, nullptr, nullptr),
        db, "create");
  Check(sqlite3_exec(db, "BEGIN", nullptr, nullptr, nullptr), db, "begin");
  sqlite3_stmt* st = nullptr;
  Check(sqlite3_prepare_v2(db, "INSERT INTO blocks(rowid, body) VALUES(?1, ?2)", -1, &st, nullptr),
        db, "prepare");
  std::string body;
  double reading = source([&](size_t i, const Block& b) {
    tl.clear();
    a.Analyze(b.content, &tl);
    for (uint32_t k = 0; k < kIdentifierWdf; ++k) a.Analyze(b.identifier, &tl);  // as TextIndex
    body.clear();
    for (size_t j = 0; j < tl.size(); ++j) {
      body.append(tl[j]);
      body.push_back(' ');
    }
    sqlite3_bind_int64(st, 1, static_cast<int64_t>(i));
    sqlite3_bind_text(st, 2, body.data(), static_cast<int>(body.size()), SQLITE_STATIC);
    Check(sqlite3_step(st), db, "insert");
    sqlite3_reset(st);
  });
  sqlite3_finalize(st);
  Check(sqlite3_exec(db, "COMMIT", nullptr, nullptr, nullptr), db, "commit");
  sqlite3_close(db);
  return Seconds(t0, Clock::now()) - reading;
}

std::string Fts5Match(const Analyzer& a, std::string_view q) {
  std::string m;
  for (const auto& [t, kind] : QueryTerms(a, q)) {
    if (!m.empty()) m += " OR ";
    m += "\"" + t + "\"";
  }
  return m;
}

// ---------------------------------------------------------------------------------------
// Phases

void PhasePrepare(const Config& cfg) {
  Corpus c = LoadCorpus(cfg.blocks);
  std::ofstream q(cfg.work + "/queries.txt");
  for (const Query& s : MakeQueries(c, cfg.queries)) q << s.block << "\t" << s.text << "\n";
  std::ofstream f(cfg.work + "/files.txt");
  for (const std::string& s : c.files) f << s << "\n";
  size_t with_id = 0;
  for (const Block& b : c.blocks) with_id += !b.identifier.empty();
  Print("corpus.blocks", c.blocks.size());
  Print("corpus.files", c.files.size());
  Print("corpus.lines", c.lines);
  Print("corpus.mb", c.bytes / 1e6);
  Print("corpus.with_identifier", with_id);
}

void PhaseAnalyzer(const Config& cfg) {
  Corpus c = LoadCorpus(cfg.blocks);
  for (size_t min : {size_t{2}, size_t{1}}) {
    Analyzer a({.max_term_bytes = 64, .min_term_bytes = min});
    TermList tl;
    double best = 1e9;
    uint64_t terms = 0;
    for (int pass = 0; pass < 3; ++pass) {
      terms = 0;
      auto t0 = Clock::now();
      for (const Block& b : c.blocks) {
        tl.clear();
        a.Analyze(b.content, &tl);
        terms += tl.size();
      }
      best = std::min(best, Seconds(t0, Clock::now()));
    }
    std::string k = "analyzer.min" + std::to_string(min);
    Print(k + ".mb_per_s", c.bytes / 1e6 / best);
    Print(k + ".mterms_per_s", terms / 1e6 / best);
    Print(k + ".terms_per_block", static_cast<double>(terms) / c.blocks.size());
  }
}

// Builds stream the corpus from the files, so peak RSS is the engine's (plus one file).
void PhaseBuild(const Config& cfg, const std::string& engine) {
  BlockSource source = Streaming(cfg.blocks);
  double secs = 0;
  uint64_t bytes = 0;
  if (engine == "xapian") {
    secs = BuildRawXapian(source, cfg.work + "/xapian", {});
    bytes = DirBytes(cfg.work + "/xapian");
  } else if (engine == "fts5") {
    secs = BuildFts5(source, cfg.work + "/fts5.db");
    bytes = DirBytes(cfg.work + "/fts5.db");
  } else if (engine == "textindex") {
    const std::string dir = cfg.work + "/textindex";
    fs::remove_all(dir);
    auto t0 = Clock::now();
    auto w = TextIndexWriter::Open(dir);
    if (!w.ok()) {
      std::cerr << w.error().ToString() << "\n";
      std::exit(1);
    }
    double reading = source([&](size_t i, const Block& b) {
      Status s = (*w)->AddBlock(i + 1, b.path, b.identifier, b.content);
      if (!s.ok()) {
        std::cerr << s.ToString() << "\n";
        std::exit(1);
      }
    });
    if (Status s = (*w)->Commit("bench"); !s.ok()) std::exit(1);
    w->reset();
    secs = Seconds(t0, Clock::now()) - reading;
    bytes = DirBytes(dir);
  }
  Print("build." + engine + ".s", secs);
  Print("build." + engine + ".mb", bytes / 1e6);
}

void PhaseQuery(const Config& cfg, const std::string& engine, size_t limit, bool explain,
                int threads, bool fetch_data = false) {
  std::vector<std::string> queries = QueryTexts(cfg.work);
  Analyzer a;
  Latency lat;
  uint64_t hits = 0;
  const std::string name = "query." + engine + ".k" + std::to_string(limit) +
                           (explain ? ".explain" : "") + (fetch_data ? ".data" : "") +
                           (threads > 1 ? ".t" + std::to_string(threads) : "");
  if (engine == "xapian") {
    Xapian::Database db(cfg.work + "/xapian");
    Xapian::Enquire e(db);
    e.set_weighting_scheme(Xapian::BM25Weight(kBm25K1, 0, 1, kBm25B, kBm25MinNormLen));
    for (int pass = 0; pass < 2; ++pass) {
      for (const std::string& q : queries) {
        Stamp t0 = Now();
        std::vector<uint64_t> ids;
        if (fetch_data) {
          e.set_query(RawQuery(a, q, 1.0));
          Xapian::MSet m = e.get_mset(0, limit);
          for (auto it = m.begin(); it != m.end(); ++it) {
            std::string d = it.get_document().get_data();
            uint64_t id = 0;
            std::memcpy(&id, d.data(), std::min(d.size(), sizeof id));
            ids.push_back(id);
          }
        } else {
          ids = RawSearch(e, a, q, limit);
        }
        Stamp t1 = Now();
        if (pass == 1) {
          lat.Add(t0, t1);
          hits += ids.size();
        }
      }
    }
  } else if (engine == "fts5") {
    sqlite3* db = nullptr;
    Check(sqlite3_open_v2((cfg.work + "/fts5.db").c_str(), &db, SQLITE_OPEN_READONLY, nullptr), db,
          "open");
    sqlite3_stmt* st = nullptr;
    Check(sqlite3_prepare_v2(db,
                             "SELECT rowid FROM blocks WHERE blocks MATCH ?1 ORDER BY rank "
                             "LIMIT ?2",
                             -1, &st, nullptr),
          db, "prepare");
    for (int pass = 0; pass < 2; ++pass) {
      for (const std::string& q : queries) {
        std::string m = Fts5Match(a, q);
        Stamp t0 = Now();
        sqlite3_bind_text(st, 1, m.data(), static_cast<int>(m.size()), SQLITE_TRANSIENT);
        sqlite3_bind_int64(st, 2, static_cast<int64_t>(limit));
        uint64_t n = 0;
        while (sqlite3_step(st) == SQLITE_ROW) ++n;
        sqlite3_reset(st);
        Stamp t1 = Now();
        if (pass == 1) {
          lat.Add(t0, t1);
          hits += n;
        }
      }
    }
    sqlite3_finalize(st);
    sqlite3_close(db);
  } else if (engine == "textindex") {
    auto r = TextIndexReader::Open(cfg.work + "/textindex");
    if (!r.ok()) {
      std::cerr << r.error().ToString() << "\n";
      std::exit(1);
    }
    SearchParams p;
    p.limit = limit;
    p.explain = explain;
    std::vector<Latency> per_thread(threads);
    std::atomic<uint64_t> total_hits{0};
    auto t_start = Clock::now();
    for (int pass = 0; pass < 2; ++pass) {
      t_start = Clock::now();
      std::vector<std::thread> pool;
      for (int t = 0; t < threads; ++t) {
        pool.emplace_back([&, t, pass] {
          for (const std::string& q : queries) {
            Stamp t0 = Now();
            auto res = (*r)->Search(q, p);
            Stamp t1 = Now();
            if (!res.ok()) {
              std::cerr << res.error().ToString() << "\n";
              std::exit(1);
            }
            if (pass == 1) {
              per_thread[t].Add(t0, t1);
              total_hits += res->hits.size();
            }
          }
        });
      }
      for (auto& th : pool) th.join();
    }
    double wall = Seconds(t_start, Clock::now());
    for (auto& l : per_thread) lat.Merge(l);
    hits = total_hits;
    Print(name + ".qps", threads * queries.size() / wall);
  }
  lat.Report(name);
  Print(name + ".hits_per_query", static_cast<double>(hits) / lat.us.size());
}

// Top-10 agreement between the engines on the same queries.
void PhaseOverlap(const Config& cfg) {
  std::vector<std::string> queries = QueryTexts(cfg.work);
  Analyzer a;
  Xapian::Database xdb(cfg.work + "/xapian");
  Xapian::Enquire e(xdb);
  e.set_weighting_scheme(Xapian::BM25Weight(kBm25K1, 0, 1, kBm25B, kBm25MinNormLen));
  auto r = TextIndexReader::Open(cfg.work + "/textindex");
  sqlite3* db = nullptr;
  sqlite3_open_v2((cfg.work + "/fts5.db").c_str(), &db, SQLITE_OPEN_READONLY, nullptr);
  sqlite3_stmt* st = nullptr;
  sqlite3_prepare_v2(db, "SELECT rowid FROM blocks WHERE blocks MATCH ?1 ORDER BY rank LIMIT 10",
                     -1, &st, nullptr);
  double same_ti = 0, same_fts = 0, total = 0;
  for (const std::string& q : queries) {
    std::vector<uint64_t> x = RawSearch(e, a, q, 10);
    std::vector<uint64_t> ti;
    Result<TextSearchResult> tr = (*r)->Search(q, {});
    if (tr.ok()) {
      for (const TextHit& h : tr->hits) ti.push_back(h.block_id - 1);
    }
    std::string m = Fts5Match(a, q);
    sqlite3_bind_text(st, 1, m.data(), static_cast<int>(m.size()), SQLITE_TRANSIENT);
    std::vector<uint64_t> f;
    while (sqlite3_step(st) == SQLITE_ROW) f.push_back(sqlite3_column_int64(st, 0));
    sqlite3_reset(st);
    std::set<uint64_t> xs(x.begin(), x.end());
    for (uint64_t id : ti) same_ti += xs.count(id);
    for (uint64_t id : f) same_fts += xs.count(id);
    total += x.size();
  }
  sqlite3_finalize(st);
  sqlite3_close(db);
  Print("overlap.textindex_vs_xapian", same_ti / total);
  Print("overlap.fts5_vs_xapian", same_fts / total);
}

void PhaseRg(const Config& cfg) {
  std::vector<std::string> queries = QueryTexts(cfg.work);
  std::vector<std::string> files = ReadLines(cfg.work + "/files.txt");
  Analyzer a;
  Latency lat;
  for (size_t i = 0; i < std::min(cfg.rg_queries, queries.size()); ++i) {
    std::vector<std::string> args = {"rg", "-l", "-i", "-F"};
    for (const auto& [t, kind] : QueryTerms(a, queries[i])) {
      args.push_back("-e");
      args.push_back(t);
    }
    args.push_back("--");
    args.insert(args.end(), files.begin(), files.end());
    std::vector<char*> argv;
    for (std::string& s : args) argv.push_back(s.data());
    argv.push_back(nullptr);
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
    pid_t pid;
    auto t0 = Clock::now();
    if (posix_spawnp(&pid, "rg", &fa, nullptr, argv.data(), environ) != 0) {
      std::cerr << "cannot run rg\n";
      std::exit(1);
    }
    int status;
    struct rusage ru;
    wait4(pid, &status, 0, &ru);
    auto t1 = Clock::now();
    posix_spawn_file_actions_destroy(&fa);
    if (i > 0) {  // the first run warms the page cache
      lat.Add(t0, t1);
      lat.cpu_us.push_back(ru.ru_utime.tv_sec * 1e6 + ru.ru_utime.tv_usec +
                           ru.ru_stime.tv_sec * 1e6 + ru.ru_stime.tv_usec);
    }
  }
  lat.Report("rg");
}

std::string ReadVersionFileForBench(const std::string& dir) {
  int fd = ::open((dir + "/iamglass").c_str(), O_RDONLY | O_CLOEXEC);
  std::string out;
  char buf[4096];
  ssize_t n;
  while ((n = ::read(fd, buf, sizeof buf)) > 0) out.append(buf, n);
  ::close(fd);
  return out;
}

void PhaseMicro(const Config& cfg) {
  const std::string dir = cfg.work + "/textindex";
  {
    Latency lat;
    size_t sink = 0;
    for (int i = 0; i < 20000; ++i) {
      auto t0 = Clock::now();
      sink += ReadVersionFileForBench(dir).size();
      lat.Add(t0, Clock::now());
    }
    lat.Report("micro.version_read");
    Print("micro.version_bytes", sink / 20000.0);
  }
  {
    Latency lat;
    for (int i = 0; i < 300; ++i) {
      auto t0 = Clock::now();
      Xapian::Database db(dir);
      (void)db.get_doccount();
      lat.Add(t0, Clock::now());
    }
    lat.Report("micro.handle_open");
  }
  for (bool sync : {true, false}) {
    const std::string d = cfg.work + "/commit_" + (sync ? "sync" : "nosync");
    fs::remove_all(d);
    TextWriterOptions o;
    o.sync = sync;
    auto w = TextIndexWriter::Open(d, o);
    Latency lat;
    for (int i = 0; i < 100; ++i) {
      auto t0 = Clock::now();
      (void)(*w)->DeleteFile("f.py");
      (void)(*w)->AddBlock(i, "f.py", "edit", "def edit(x): return x + " + std::to_string(i));
      (void)(*w)->Commit(std::to_string(i));
      lat.Add(t0, Clock::now());
    }
    lat.Report(std::string("micro.edit_commit_") + (sync ? "sync" : "nosync"));
  }
}

// Natural-language queries with and without English stop words: does removing them change
// latency or results enough to justify a stop-word list?
void PhaseNaturalLanguage(const Config& cfg) {
  const char* const queries[] = {
      "how to parse a url into its components",
      "read the contents of a file into a string",
      "create a temporary directory and remove it",
      "convert a string to an integer with error checking",
      "send an http request and read the response",
      "compute the sha256 hash of some bytes",
      "split a path into directory and file name",
      "start a thread and wait for it to finish",
      "compress data with zlib",
      "open a socket and connect to a server",
      "format a date as a string",
      "sort a list of items by a key",
      "encode text as base64",
      "parse command line arguments",
      "lock a mutex before accessing shared state",
      "allocate memory and check for failure",
      "decode json from a string",
      "copy a file to another directory",
      "handle the signal when the process is interrupted",
      "the size of the buffer in bytes",
  };
  const std::set<std::string> stop = {
      "a",   "an",   "the",  "of",    "to",   "in",   "on",     "for",   "and",     "or",   "is",
      "are", "be",   "with", "by",    "from", "as",   "at",     "it",    "its",     "this", "that",
      "how", "what", "when", "which", "into", "some", "before", "after", "another", "do",   "does"};
  auto r = TextIndexReader::Open(cfg.work + "/textindex");
  Latency with, without;
  double same = 0, total = 0;
  for (int pass = 0; pass < 2; ++pass) {
    for (int rep = 0; rep < 20; ++rep) {
      for (const char* q : queries) {
        std::string filtered;
        std::istringstream words(q);
        for (std::string w; words >> w;) {
          if (!stop.count(w)) filtered += w + " ";
        }
        auto t0 = Clock::now();
        auto a = (*r)->Search(q, {});
        auto t1 = Clock::now();
        auto b = (*r)->Search(filtered, {});
        auto t2 = Clock::now();
        if (pass == 0) continue;
        with.Add(t0, t1);
        without.Add(t1, t2);
        if (rep == 0) {
          std::set<uint64_t> ids;
          for (const TextHit& h : a->hits) ids.insert(h.block_id);
          for (const TextHit& h : b->hits) same += ids.count(h.block_id);
          total += a->hits.size();
        }
      }
    }
  }
  with.Report("nl.with_stopwords");
  without.Report("nl.without_stopwords");
  Print("nl.top10_overlap", same / total);
}

// Known-item search: for blocks whose identifier has at least two parts and is the
// identifier of at most two blocks, query the identifier (as written, and as its parts
// separated by spaces) and look for those blocks in the top 10.
void PhaseQuality(const Config& cfg) {
  Corpus c = LoadCorpus(cfg.blocks);
  const std::vector<Query> queries = ReadQueries(cfg.work);
  Analyzer a;
  std::unordered_map<std::string, std::vector<uint64_t>> by_id;
  for (size_t i = 0; i < c.blocks.size(); ++i) {
    if (!c.blocks[i].identifier.empty()) by_id[c.blocks[i].identifier].push_back(i);
  }
  std::vector<std::string> names;
  for (const auto& [name, ids] : by_id) {
    if (ids.size() > 2) continue;
    if (a.Terms(name).size() < 3) continue;  // whole + at least two parts
    names.push_back(name);
  }
  std::sort(names.begin(), names.end());
  std::mt19937_64 rng(7);
  std::shuffle(names.begin(), names.end(), rng);
  if (names.size() > 500) names.resize(500);
  Print("quality.queries", names.size());

  struct Variant {
    std::string name;
    RawOptions o;
  };
  const Variant variants[] = {
      {"id0", {.identifier_wdf = 0}},
      {"id1", {.identifier_wdf = 1}},
      {"id2", {.identifier_wdf = 2}},
      {"id4", {.identifier_wdf = 4}},
      {"id1_path", {.identifier_wdf = 1, .path_terms = true}},
  };
  for (const Variant& v : variants) {
    const std::string dir = cfg.work + "/q_" + v.name;
    BuildRawXapian(FromCorpus(c), dir, v.o);
    Print("quality." + v.name + ".mb", DirBytes(dir) / 1e6);
    Xapian::Database db(dir);
    Xapian::Enquire e(db);
    e.set_weighting_scheme(Xapian::BM25Weight(kBm25K1, 0, 1, kBm25B, kBm25MinNormLen));
    {
      // The counterweight: the random queries (1-3 words of one block's content), looking
      // for the block they came from. A strong identifier boost could push it down.
      double mrr = 0;
      for (const Query& q : queries) {
        std::vector<uint64_t> top = RawSearch(e, a, q.text, 10);
        auto it = std::find(top.begin(), top.end(), q.block);
        if (it != top.end()) mrr += 1.0 / (it - top.begin() + 1);
      }
      Print("quality." + v.name + ".content.mrr", mrr / queries.size());
    }
    for (int form = 0; form < 2; ++form) {
      for (double part_scale : {1.0, 0.5}) {
        if (form == 1 && part_scale != 1.0) continue;  // spaced words have no whole term
        double mrr = 0, at1 = 0;
        Latency lat;
        for (const std::string& name : names) {
          std::string q = name;
          if (form == 1) {
            q.clear();
            TermList tl;
            a.Analyze(name, &tl);
            for (size_t i = 1; i < tl.size(); ++i) q += std::string(tl[i]) + " ";
          }
          auto t0 = Clock::now();
          std::vector<uint64_t> top = RawSearch(e, a, q, 10, part_scale);
          lat.Add(t0, Clock::now());
          const std::vector<uint64_t>& want = by_id[name];
          for (size_t r = 0; r < top.size(); ++r) {
            if (std::find(want.begin(), want.end(), top[r]) != want.end()) {
              mrr += 1.0 / (r + 1);
              at1 += r == 0;
              break;
            }
          }
        }
        std::string k = "quality." + v.name + (form == 0 ? ".written" : ".spaced") +
                        (part_scale != 1.0 ? ".part05" : "");
        Print(k + ".mrr", mrr / names.size());
        Print(k + ".at1", at1 / names.size());
        Print(k + ".p50_us", lat.Pct(0.5));
      }
    }
    fs::remove_all(dir);
  }
  // Minimum term length 1 instead of 2: index size only.
  const std::string dir = cfg.work + "/q_min1";
  BuildRawXapian(FromCorpus(c), dir, {.identifier_wdf = 1, .min_term_bytes = 1});
  Print("quality.min1.mb", DirBytes(dir) / 1e6);
  fs::remove_all(dir);
}

int RunPhase(const Config& cfg) {
  const std::string& p = cfg.phase;
  if (p == "prepare") {
    PhasePrepare(cfg);
  } else if (p == "analyzer") {
    PhaseAnalyzer(cfg);
  } else if (p.rfind("build-", 0) == 0) {
    PhaseBuild(cfg, p.substr(6));
  } else if (p == "query-xapian") {
    PhaseQuery(cfg, "xapian", 10, false, 1);
  } else if (p == "query-xapian-200") {
    PhaseQuery(cfg, "xapian", 200, false, 1);
  } else if (p == "query-xapian-data-200") {
    PhaseQuery(cfg, "xapian", 200, false, 1, true);
  } else if (p == "query-fts5") {
    PhaseQuery(cfg, "fts5", 10, false, 1);
  } else if (p == "query-fts5-200") {
    PhaseQuery(cfg, "fts5", 200, false, 1);
  } else if (p == "query-textindex") {
    PhaseQuery(cfg, "textindex", 10, false, 1);
  } else if (p == "query-textindex-200") {
    PhaseQuery(cfg, "textindex", 200, false, 1);
  } else if (p == "query-textindex-explain") {
    PhaseQuery(cfg, "textindex", 10, true, 1);
  } else if (p == "query-textindex-t2") {
    PhaseQuery(cfg, "textindex", 10, false, 2);
  } else if (p == "overlap") {
    PhaseOverlap(cfg);
  } else if (p == "rg") {
    PhaseRg(cfg);
  } else if (p == "micro") {
    PhaseMicro(cfg);
  } else if (p == "nl") {
    PhaseNaturalLanguage(cfg);
  } else if (p == "quality") {
    PhaseQuality(cfg);
  } else {
    std::cerr << "unknown phase " << p << "\n";
    return 2;
  }
  return 0;
}

// ---------------------------------------------------------------------------------------
// Driver

using Results = std::map<std::string, double>;

void RunChild(const Config& cfg, const std::string& phase, Results* res) {
  std::vector<std::string> args = {cfg.self,
                                   "--phase",
                                   phase,
                                   "--work",
                                   cfg.work,
                                   "--blocks",
                                   std::to_string(cfg.blocks),
                                   "--queries",
                                   std::to_string(cfg.queries),
                                   "--rg-queries",
                                   std::to_string(cfg.rg_queries)};
  std::vector<char*> argv;
  for (std::string& s : args) argv.push_back(s.data());
  argv.push_back(nullptr);
  const std::string out = cfg.work + "/" + phase + ".out";
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 1, out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  pid_t pid;
  auto t0 = Clock::now();
  if (posix_spawn(&pid, cfg.self.c_str(), &fa, nullptr, argv.data(), environ) != 0) {
    std::cerr << "spawn failed\n";
    std::exit(1);
  }
  posix_spawn_file_actions_destroy(&fa);
  int status = 0;
  struct rusage ru;
  wait4(pid, &status, 0, &ru);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    std::cerr << "phase " << phase << " failed\n";
    std::exit(1);
  }
  std::cerr << "  " << phase << " " << Seconds(t0, Clock::now()) << " s\n";
  for (const std::string& line : ReadLines(out)) {
    std::istringstream s(line);
    std::string k;
    double v;
    if (s >> k >> v) (*res)[k] = v;
  }
  (*res)["rss_mb." + phase] = ru.ru_maxrss / 1024.0;
}

int Driver(const Config& cfg) {
  fs::create_directories(cfg.work);
  Results r;
  for (const char* phase :
       {"prepare", "analyzer", "build-xapian", "build-textindex", "build-fts5", "query-xapian",
        "query-textindex", "query-fts5", "query-xapian-200", "query-textindex-200",
        "query-fts5-200", "query-xapian-data-200", "query-textindex-explain", "query-textindex-t2",
        "overlap", "rg", "micro", "nl", "quality"}) {
    RunChild(cfg, phase, &r);
  }
  auto g = [&](const std::string& k) { return r.count(k) ? r[k] : NAN; };
  std::printf(
      "corpus: %.0f blocks from %.0f files, %.0f lines, %.1f MB; %zu queries; peak RSS "
      "holding it in memory %.0f MB\n\n",
      g("corpus.blocks"), g("corpus.files"), g("corpus.lines"), g("corpus.mb"), cfg.queries,
      g("rss_mb.prepare"));
  std::printf("| analyzer | MB/s | M terms/s | terms/block |\n|---|---|---|---|\n");
  for (const char* m : {"min2", "min1"}) {
    std::string k = std::string("analyzer.") + m;
    std::printf("| min_term_bytes=%s | %.0f | %.1f | %.1f |\n", m + 3, g(k + ".mb_per_s"),
                g(k + ".mterms_per_s"), g(k + ".terms_per_block"));
  }
  std::printf("\n| engine | build s | size MB | build peak RSS MB |\n|---|---|---|---|\n");
  for (const char* e : {"xapian", "textindex", "fts5"}) {
    std::string b = std::string("build.") + e;
    std::printf("| %s | %.1f | %.1f | %.0f |\n", e, g(b + ".s"), g(b + ".mb"),
                g(std::string("rss_mb.build-") + e));
  }
  std::printf(
      "\n| queries (hot cache) | k | p50 us | p99 us | mean us | CPU p50 us | CPU p99 us | "
      "hits/query | RSS MB |\n|---|---|---|---|---|---|---|---|---|\n");
  struct Row {
    const char* label;
    const char* key;
    const char* phase;
  };
  const Row rows[] = {
      {"raw Xapian", "query.xapian.k10", "query-xapian"},
      {"TextIndex", "query.textindex.k10", "query-textindex"},
      {"SQLite FTS5", "query.fts5.k10", "query-fts5"},
      {"raw Xapian", "query.xapian.k200", "query-xapian-200"},
      {"TextIndex", "query.textindex.k200", "query-textindex-200"},
      {"SQLite FTS5", "query.fts5.k200", "query-fts5-200"},
      {"raw Xapian + stored id per hit", "query.xapian.k200.data", "query-xapian-data-200"},
      {"TextIndex + explain", "query.textindex.k10.explain", "query-textindex-explain"},
      {"TextIndex, 2 threads", "query.textindex.k10.t2", "query-textindex-t2"},
  };
  for (const Row& row : rows) {
    std::string k = row.key;
    std::printf("| %s | %s | %.0f | %.0f | %.0f | %.0f | %.0f | %.1f | %.0f |\n", row.label,
                k.find("k200") != std::string::npos ? "200" : "10", g(k + ".p50_us"),
                g(k + ".p99_us"), g(k + ".mean_us"), g(k + ".cpu_p50_us"), g(k + ".cpu_p99_us"),
                g(k + ".hits_per_query"), g(std::string("rss_mb.") + row.phase));
  }
  std::printf("\nTextIndex throughput: 1 thread %.0f q/s, 2 threads %.0f q/s\n",
              g("query.textindex.k10.qps"), g("query.textindex.k10.t2.qps"));
  std::printf("top-10 overlap with raw Xapian: TextIndex %.3f, FTS5 %.3f\n",
              g("overlap.textindex_vs_xapian"), g("overlap.fts5_vs_xapian"));
  std::printf(
      "rg -l -i -F over the same %0.f files, %zu queries: wall p50 %.0f ms, p99 %.0f ms; CPU "
      "(user+sys, all threads) p50 %.0f ms\n",
      g("corpus.files"), cfg.rg_queries - 1, g("rg.p50_us") / 1e3, g("rg.p99_us") / 1e3,
      g("rg.cpu_p50_us") / 1e3);
  std::printf(
      "\nmicro: version-file read p50 %.1f us; Xapian handle open p50 %.0f us; "
      "edit+commit p50 %.0f us (fsync) / %.0f us (no fsync), p99 %.0f / %.0f us\n",
      g("micro.version_read.p50_us"), g("micro.handle_open.p50_us"),
      g("micro.edit_commit_sync.p50_us"), g("micro.edit_commit_nosync.p50_us"),
      g("micro.edit_commit_sync.p99_us"), g("micro.edit_commit_nosync.p99_us"));
  std::printf(
      "\nnatural-language queries (20 x 20): p50 %.0f us / p99 %.0f us as typed, p50 %.0f us / "
      "p99 %.0f us without English stop words; top-10 overlap %.2f\n",
      g("nl.with_stopwords.p50_us"), g("nl.with_stopwords.p99_us"),
      g("nl.without_stopwords.p50_us"), g("nl.without_stopwords.p99_us"), g("nl.top10_overlap"));
  std::printf(
      "\nknown-item (%.0f identifiers) | size MB | written MRR@10 | @1 | part 0.5 MRR | "
      "spaced MRR@10 | @1 | p50 us | random-query source MRR@10 |\n"
      "|---|---|---|---|---|---|---|---|---|\n",
      g("quality.queries"));
  for (const char* v : {"id0", "id1", "id2", "id4", "id1_path"}) {
    std::string k = std::string("quality.") + v;
    std::printf("| %s | %.1f | %.3f | %.3f | %.3f | %.3f | %.3f | %.0f | %.3f |\n", v, g(k + ".mb"),
                g(k + ".written.mrr"), g(k + ".written.at1"), g(k + ".written.part05.mrr"),
                g(k + ".spaced.mrr"), g(k + ".spaced.at1"), g(k + ".written.p50_us"),
                g(k + ".content.mrr"));
  }
  std::printf("min_term_bytes=1 (id1): %.1f MB\n", g("quality.min1.mb"));
  return 0;
}

}  // namespace
}  // namespace codeindex

int main(int argc, char** argv) {
  codeindex::Config cfg;
  cfg.self = std::filesystem::canonical("/proc/self/exe").string();
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto next = [&]() -> std::string {
      if (i + 1 >= argc) {
        std::cerr << a << " needs a value\n";
        std::exit(2);
      }
      return argv[++i];
    };
    if (a == "--blocks") {
      cfg.blocks = std::stoul(next());
    } else if (a == "--queries") {
      cfg.queries = std::stoul(next());
    } else if (a == "--rg-queries") {
      cfg.rg_queries = std::stoul(next());
    } else if (a == "--work") {
      cfg.work = next();
    } else if (a == "--phase") {
      cfg.phase = next();
    } else {
      std::cerr << "usage: text_bench [--blocks N] [--queries Q] [--rg-queries R] [--work DIR]"
                   " [--phase NAME]\n";
      return 2;
    }
  }
  if (!cfg.phase.empty()) return codeindex::RunPhase(cfg);
  return codeindex::Driver(cfg);
}
