// rank_tune: the ablation and tuning behind search/ranker.h's defaults. For each workspace
// given, prepares `codeindex eval`'s stripped copy and index once (src/eval/eval.h), then
// scores hybrid search (MRR@10, R@1, R@10) under one RankOptions variant per row, with text
// and semantic as anchors from the same index. See bench/README.md, "hybrid".
//
//   rank_tune WORKSPACE...
#include <cstdio>
#include <functional>
#include <string>
#include <vector>

#include "eval/eval.h"
#include "search/searcher.h"

namespace {

using codeindex::RankOptions;

struct Variant {
  std::string name;
  std::function<void(RankOptions*)> apply;
};

}  // namespace

int main(int argc, char** argv) {
  // Rows: the shipped defaults, then each change from them alone.
  std::vector<Variant> variants = {
      {"default", [](RankOptions*) {}},
      {"no signals",
       [](RankOptions* o) { o->definition = o->file = o->path = o->dedupe = false; }},
      {"- definition", [](RankOptions* o) { o->definition = false; }},
      {"+ file", [](RankOptions* o) { o->file = true; }},
      {"- path", [](RankOptions* o) { o->path = false; }},
      {"- dedupe", [](RankOptions* o) { o->dedupe = false; }},
      {"score fusion", [](RankOptions* o) { o->fusion = codeindex::FusionMethod::kScore; }},
      {"rrf k 10", [](RankOptions* o) { o->rrf_k = 10; }},
      {"rrf k 30", [](RankOptions* o) { o->rrf_k = 30; }},
      {"rrf k 100", [](RankOptions* o) { o->rrf_k = 100; }},
      {"flat weights 0.5",
       [](RankOptions* o) {
         o->text_weight_symbol = o->text_weight_mixed = o->text_weight_sentence = 0.5;
       }},
      {"sentence text 0.25", [](RankOptions* o) { o->text_weight_sentence = 0.25; }},
      {"sentence text 0.35", [](RankOptions* o) { o->text_weight_sentence = 0.35; }},
      {"sentence text 0.45", [](RankOptions* o) { o->text_weight_sentence = 0.45; }},
      {"sentence text 0.5", [](RankOptions* o) { o->text_weight_sentence = 0.5; }},
      {"sentence text 0.6", [](RankOptions* o) { o->text_weight_sentence = 0.6; }},
      {"- name", [](RankOptions* o) { o->name = false; }},
      {"name 0.5", [](RankOptions* o) { o->name_weight = 0.5; }},
      {"name 2", [](RankOptions* o) { o->name_weight = 2; }},
      {"name 3", [](RankOptions* o) { o->name_weight = 3; }},
      {"name 1.5", [](RankOptions* o) { o->name_weight = 1.5; }},
      {"definition x1.5", [](RankOptions* o) { o->definition_factor = 1.5; }},
      {"definition x3", [](RankOptions* o) { o->definition_factor = 3; }},
      {"symbol text 0.6", [](RankOptions* o) { o->text_weight_symbol = 0.6; }},
      {"symbol text 0.9", [](RankOptions* o) { o->text_weight_symbol = 0.9; }},
      {"path x0.5", [](RankOptions* o) { o->path_factor = 0.5; }},
      {"path x0.9", [](RankOptions* o) { o->path_factor = 0.9; }},
  };

  std::vector<std::vector<codeindex::ModeScores>> table(variants.size() + 2);
  std::vector<std::string> repos;
  for (int a = 1; a < argc; ++a) {
    codeindex::EvalOptions eo;
    auto ws = codeindex::EvalWorkspace::Prepare(argv[a], eo);
    if (!ws.ok()) {
      std::fprintf(stderr, "%s: %s\n", argv[a], ws.error().ToString().c_str());
      return 1;
    }
    if (auto st = (*ws)->BuildIndex(); !st.ok()) {
      std::fprintf(stderr, "%s: %s\n", argv[a], st.ToString().c_str());
      return 1;
    }
    auto searcher = codeindex::Searcher::Open((*ws)->index_dir());
    if (!searcher.ok()) {
      std::fprintf(stderr, "%s: %s\n", argv[a], searcher.error().ToString().c_str());
      return 1;
    }
    repos.push_back(argv[a]);
    auto run = [&](codeindex::SearchMode mode, const RankOptions& rank, const std::string& name) {
      auto fn = [&](const std::string& query,
                    int k) -> codeindex::Result<std::vector<codeindex::EvalHit>> {
        codeindex::SearchRequest req;
        req.query = query;
        req.mode = mode;
        req.limit = static_cast<size_t>(k);
        req.rank = rank;
        if (mode == codeindex::SearchMode::kSemantic) req.min_score = -1.0;
        ASSIGN_OR_RETURN(codeindex::SearchResponse resp, (*searcher)->Search(req));
        std::vector<codeindex::EvalHit> hits;
        for (const auto& r : resp.results) hits.push_back({r.file_path, r.start_line, r.end_line});
        return hits;
      };
      return codeindex::ScoreMode(name, (*ws)->queries(), fn, 10);
    };
    table[0].push_back(run(codeindex::SearchMode::kText, {}, "text"));
    table[1].push_back(run(codeindex::SearchMode::kSemantic, {}, "semantic"));
    for (size_t v = 0; v < variants.size(); ++v) {
      RankOptions o;
      variants[v].apply(&o);
      table[v + 2].push_back(run(codeindex::SearchMode::kHybrid, o, variants[v].name));
    }
  }
  std::printf("%-22s", "MRR@10");
  for (const std::string& r : repos) std::printf(" %12.12s", r.substr(r.rfind('/') + 1).c_str());
  std::printf(" %8s %8s\n", "mean", "min/text");
  for (size_t row = 0; row < table.size(); ++row) {
    std::string name = row == 0 ? "text" : row == 1 ? "semantic" : "hybrid " + variants[row - 2].name;
    std::printf("%-22.22s", name.c_str());
    double sum = 0, worst = 1e9;
    for (size_t i = 0; i < table[row].size(); ++i) {
      std::printf(" %12.3f", table[row][i].mrr);
      sum += table[row][i].mrr;
      if (table[0][i].mrr > 0) worst = std::min(worst, table[row][i].mrr / table[0][i].mrr);
    }
    std::printf(" %8.3f %8.2f\n", sum / static_cast<double>(table[row].size()), worst);
  }
  return 0;
}
