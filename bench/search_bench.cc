// search_bench: query latency of a real workspace index, in process, against the raw
// full-text library on the same index files. See bench/README.md, "index".
//
//   search_bench --workspace WS --queries FILE [--mode text|semantic|hybrid] [--k 10]
//
// The workspace must already be indexed (`codeindex index`). Each query (one per line of
// FILE) runs twice; the second pass (hot cache) is timed, one query at a time.
//   product   Searcher::Search: analysis, BM25 (or cosine/fusion), catalog lookup of every
//             hit's file, lines and content: the whole answer `search --json` prints.
//   raw       (text mode) Xapian alone on the same database: the OR of the same analyzed
//             terms, BM25 with the same parameters, top k document ids and nothing else.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>

#include <xapian.h>

#include "index/index_dir.h"
#include "search/searcher.h"
#include "text/analyzer.h"

namespace {

using Clock = std::chrono::steady_clock;

struct Stats {
  double p50 = 0, p99 = 0, mean = 0;
};

Stats Summarize(std::vector<double> us) {
  Stats s;
  if (us.empty()) return s;
  std::sort(us.begin(), us.end());
  s.p50 = us[us.size() / 2];
  s.p99 = us[std::min(us.size() - 1, us.size() * 99 / 100)];
  for (double u : us) s.mean += u;
  s.mean /= static_cast<double>(us.size());
  return s;
}

double Micros(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double, std::micro>(b - a).count();
}

}  // namespace

int main(int argc, char** argv) {
  std::string workspace, queries_file, mode_name = "text";
  size_t k = 10;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string flag = argv[i];
    if (flag == "--workspace")
      workspace = argv[i + 1];
    else if (flag == "--queries")
      queries_file = argv[i + 1];
    else if (flag == "--mode")
      mode_name = argv[i + 1];
    else if (flag == "--k")
      k = std::stoul(argv[i + 1]);
  }
  if (workspace.empty() || queries_file.empty()) {
    std::fprintf(stderr, "usage: search_bench --workspace WS --queries FILE [--mode M] [--k N]\n");
    return 2;
  }
  std::vector<std::string> queries;
  {
    std::ifstream f(queries_file);
    for (std::string line; std::getline(f, line);)
      if (!line.empty()) queries.push_back(line);
  }
  auto mode = codeindex::ParseSearchMode(mode_name);
  if (!mode.ok()) {
    std::fprintf(stderr, "search_bench: %s\n", mode.error().ToString().c_str());
    return 2;
  }
  const std::string index_dir = codeindex::IndexDirFor(workspace);
  auto searcher = codeindex::Searcher::Open(index_dir);
  if (!searcher.ok()) {
    std::fprintf(stderr, "search_bench: %s\n", searcher.error().ToString().c_str());
    return 1;
  }

  std::vector<double> product_us;
  size_t product_hits = 0, errors = 0;
  for (int pass = 0; pass < 2; ++pass) {
    for (const std::string& q : queries) {
      codeindex::SearchRequest req;
      req.query = q;
      req.mode = *mode;
      req.limit = k;
      if (*mode != codeindex::SearchMode::kText) req.min_score = 0.0;
      auto t0 = Clock::now();
      auto r = (*searcher)->Search(req);
      auto t1 = Clock::now();
      if (pass == 0) continue;
      if (!r.ok()) {
        ++errors;
        continue;
      }
      product_us.push_back(Micros(t0, t1));
      product_hits += r->results.size();
    }
  }
  Stats p = Summarize(product_us);
  std::printf("queries %zu, mode %s, k %zu, errors %zu\n", queries.size(), mode_name.c_str(), k,
              errors);
  std::printf("product  p50 %8.0f us  p99 %8.0f us  mean %8.0f us  hits/query %.1f\n", p.p50, p.p99,
              p.mean, product_us.empty() ? 0.0 : double(product_hits) / double(product_us.size()));

  if (*mode == codeindex::SearchMode::kText) {
    Xapian::Database db(index_dir + "/text");
    Xapian::Enquire enquire(db);
    enquire.set_weighting_scheme(Xapian::BM25Weight(1.2, 0, 1, 0.75, 0.5));
    codeindex::Analyzer analyzer;
    std::vector<double> raw_us;
    size_t raw_hits = 0;
    for (int pass = 0; pass < 2; ++pass) {
      for (const std::string& q : queries) {
        auto t0 = Clock::now();
        std::vector<std::string> terms = analyzer.Terms(q);
        Xapian::Query query(Xapian::Query::OP_OR, terms.begin(), terms.end());
        enquire.set_query(query);
        Xapian::MSet mset = enquire.get_mset(0, static_cast<Xapian::doccount>(k));
        std::vector<Xapian::docid> ids;
        for (auto it = mset.begin(); it != mset.end(); ++it) ids.push_back(*it);
        auto t1 = Clock::now();
        if (pass == 0) continue;
        raw_us.push_back(Micros(t0, t1));
        raw_hits += ids.size();
      }
    }
    Stats r = Summarize(raw_us);
    std::printf("raw      p50 %8.0f us  p99 %8.0f us  mean %8.0f us  hits/query %.1f\n", r.p50,
                r.p99, r.mean, raw_us.empty() ? 0.0 : double(raw_hits) / double(raw_us.size()));
    std::printf("ratio product/raw: p50 %.2f  p99 %.2f\n", p.p50 / r.p50, p.p99 / r.p99);
  }
  return errors == 0 ? 0 : 1;
}
