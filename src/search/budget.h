// Token-budgeted results (`search --max-tokens N`): the best results that fit an agent's
// context budget, trimming long chunks to their most relevant lines rather than dropping
// results. Internal to src/search (searcher.h applies it when SearchRequest::max_tokens is
// set).
//
// Cost of a result: the o200k_base tokens (tokens/tokenizer.h, the original's encoding) of
// its chunk plus those of its header line "path:start-end\n".
//
//   1. If every result fits, nothing changes.
//   2. Otherwise a common cap c is found (water-filling): the largest c with
//      sum(min(cost_i, c)) <= N. Results costing more than c are trimmed to c; cheaper ones
//      stay whole. When c would fall below kMinResultTokens, the lowest-ranked result is
//      dropped and the cap found again (a result of two lines helps nobody); the best
//      result is never dropped.
//   3. Trimming keeps a window of whole lines around the chunk's most relevant line: the
//      line holding most distinct query terms (text/analyzer.h terms; the first line on a
//      tie, usually the signature), grown one line at a time below then above while it
//      fits. A single line longer than the cap is cut at a token boundary (and a UTF-8
//      character boundary). The result's lines become the window's.
//
// Thread safety: reentrant.
#ifndef CODEINDEX_SEARCH_BUDGET_H_
#define CODEINDEX_SEARCH_BUDGET_H_

#include <cstddef>
#include <string_view>
#include <vector>

namespace codeindex {

struct SearchResult;

inline constexpr size_t kMinResultTokens = 32;

struct BudgetReport {
  size_t max_tokens = 0;
  size_t used_tokens = 0;  // sum of the kept results' costs after trimming
  size_t trimmed = 0;      // results cut to a window
  size_t dropped = 0;      // results removed from the end
};

// Cost of one result as defined above.
size_t ResultTokens(const SearchResult& result);

// Fits `results` (best first) into `max_tokens`. REQUIRES: max_tokens > 0.
BudgetReport FitToTokenBudget(std::string_view query, size_t max_tokens,
                              std::vector<SearchResult>* results);

}  // namespace codeindex

#endif  // CODEINDEX_SEARCH_BUDGET_H_
