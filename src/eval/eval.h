// eval: a search-quality measurement any user can run on their own repository
// (`codeindex eval`).
//
// Pipeline position: a client of the whole pipeline (scan -> parse -> index -> search), run
// on a temporary copy of the workspace; it writes nothing into the workspace itself.
//
// Method (the task "find the function from its documentation", as in CodeSearchNet):
//   1. Candidates: the functions and methods of the workspace (every file the scanner
//      lists) whose doc comment or docstring has a first sentence of at least
//      EvalOptions::min_words words (eval/doc_comments.h). Candidates whose first
//      sentence is shared with another candidate are dropped (the answer would be
//      ambiguous).
//   2. Sample: the candidates sorted by (file, line), shuffled by a Fisher-Yates pass driven
//      by SplitMix64(seed), the first EvalOptions::queries kept. Same workspace, same seed,
//      same queries, on any machine.
//   3. A copy of the scanned files is written to a temporary directory with the docs of the
//      sampled functions removed (a Python function whose body was only its docstring gets
//      `pass` instead), so that the answer does not contain the question; the copy is
//      indexed into a temporary index directory with the built-in defaults.
//   4. Each query (the first sentence) is searched in each mode with a limit of 10 and no
//      minimum score. A result is a hit when its file is the function's file and its line
//      range contains the function's first line (in the copy).
//   5. Per mode: MRR@10 (mean of 1/rank of the first hit, 0 when none in the top 10),
//      Recall@1 and Recall@10 (share of queries with a hit at rank 1 / in the top 10), and
//      the mean search time.
// A mode the searcher cannot answer (no vectors, not implemented) is reported as not
// available with the searcher's reason, and the other modes are still measured.
//
// Thread safety: functions are reentrant; an EvalWorkspace is used by one thread.
#ifndef CODEINDEX_EVAL_EVAL_H_
#define CODEINDEX_EVAL_EVAL_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "base/status.h"

namespace codeindex {

struct EvalOptions {
  // Queries to sample; fewer when the workspace has fewer candidates. 200 gives a standard
  // error of about 0.03 on an MRR near 0.5: enough to tell modes apart, and the whole run
  // (copy, index, 3 x 200 searches) stays within seconds on a mid-sized repository.
  int queries = 200;
  uint64_t seed = 1;
  // A first sentence shorter than this is no query ("Constructor.", "Returns the id.").
  size_t min_words = 4;
  // Results per query that count (the @10 of the metrics).
  int k = 10;
  // Where the temporary copy and index go; empty = $TMPDIR or /tmp.
  std::string temp_root;
  // Keep the temporary copy and index (for debugging); their path is in EvalReport.
  bool keep_temp = false;
};

struct EvalQuery {
  std::string file;   // workspace-relative, '/'-separated
  std::string name;   // the function's name (scope-qualified when nested)
  std::string query;  // the doc's first sentence
  int line = 0;       // the function's first line in the stripped copy (1-based)
  int original_line = 0;
};

// One result as the metrics need it.
struct EvalHit {
  std::string file;
  int start_line = 0;
  int end_line = 0;
};

// Searches `query` and returns at most `k` results, best first. An error marks the mode as
// not available (its message is the reason).
using EvalSearchFn = std::function<Result<std::vector<EvalHit>>(const std::string& query, int k)>;

struct ModeScores {
  std::string mode;
  bool available = false;
  std::string reason;  // why not available
  int queries = 0;
  double mrr = 0;       // MRR@k
  double recall_1 = 0;  // Recall@1
  double recall_k = 0;  // Recall@k
  double mean_ms = 0;   // mean search time per query
};

// Rank (1-based) of the first hit of `q` among `hits`, 0 if none.
int FirstHitRank(const EvalQuery& q, const std::vector<EvalHit>& hits);

// Runs every query through `search` and scores the answers. Stops at the first error and
// reports the mode as not available.
ModeScores ScoreMode(const std::string& mode, const std::vector<EvalQuery>& queries,
                     const EvalSearchFn& search, int k);

// The stripped copy of a workspace and its index (steps 1-3). Removes both on destruction
// unless EvalOptions::keep_temp.
class EvalWorkspace {
 public:
  // Samples the queries and writes the copy. kFailedPrecondition when the workspace has no
  // candidate at all ("no documented functions").
  static Result<std::unique_ptr<EvalWorkspace>> Prepare(const std::string& workspace,
                                                        const EvalOptions& options);
  ~EvalWorkspace();
  EvalWorkspace(const EvalWorkspace&) = delete;
  EvalWorkspace& operator=(const EvalWorkspace&) = delete;

  // Indexes the copy into index_dir() with the built-in defaults.
  Status BuildIndex();

  const std::vector<EvalQuery>& queries() const { return queries_; }
  int candidates() const { return candidates_; }
  int files() const { return files_; }
  const std::string& copy_dir() const { return copy_dir_; }
  const std::string& index_dir() const { return index_dir_; }
  double index_seconds() const { return index_seconds_; }
  uint64_t blocks() const { return blocks_; }

 private:
  EvalWorkspace() = default;

  std::string root_;  // the temporary directory holding copy/ and index/
  std::string copy_dir_;
  std::string index_dir_;
  std::string workspace_;  // the workspace evaluated (its config.toml chooses the chunker)
  bool keep_ = false;
  std::vector<EvalQuery> queries_;
  int candidates_ = 0;
  int files_ = 0;
  double index_seconds_ = 0;
  uint64_t blocks_ = 0;
};

struct EvalReport {
  std::string workspace;
  uint64_t seed = 0;
  int k = 10;
  int candidates = 0;
  int files = 0;
  uint64_t blocks = 0;
  double index_seconds = 0;
  std::string temp_dir;  // set when kept
  std::vector<EvalQuery> queries;
  std::vector<ModeScores> modes;  // text, semantic, hybrid
};

// Steps 1-5 with the index's own Searcher for the three modes.
Result<EvalReport> RunEval(const std::string& workspace, const EvalOptions& options);

// {"workspace", "seed", "k", "candidates", "queries", "files", "blocks", "index_seconds",
//  "modes": {"text": {"available", "mrr_at_10", "recall_at_1", "recall_at_10", "mean_ms"} |
//            {"available": false, "reason"}, ...}}
// (the "_10" suffixes name k; they follow EvalOptions::k).
std::string EvalReportToJson(const EvalReport& report);
// The human table.
std::string EvalReportToText(const EvalReport& report);

}  // namespace codeindex

#endif  // CODEINDEX_EVAL_EVAL_H_
