#include "search/budget.h"

#include <algorithm>
#include <set>
#include <string>

#include "search/searcher.h"
#include "text/analyzer.h"
#include "tokens/tokenizer.h"

namespace codeindex {

namespace {

const Tokenizer& Tok() { return Tokenizer::Get(TokenEncoding::kO200kBase); }

std::string Header(const SearchResult& r) {
  return r.file_path + ":" + std::to_string(r.start_line) + "-" + std::to_string(r.end_line) + "\n";
}

// Longest prefix of `s` that is whole UTF-8 characters.
size_t Utf8Floor(std::string_view s, size_t n) {
  while (n > 0 && n < s.size() && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80) --n;
  return n;
}

// Trims `r` to at most `budget` tokens (header included) around its most relevant line.
void Trim(const std::set<std::string>& query_terms, size_t budget, SearchResult* r) {
  // The header's line numbers change with the window: leave room for two more tokens.
  const size_t header = Tok().Count(Header(*r)) + 2;
  const size_t room = budget > header ? budget - header : 1;
  // Lines with their newline.
  std::vector<std::string_view> lines;
  std::string_view chunk = r->code_chunk;
  for (size_t pos = 0; pos < chunk.size();) {
    size_t nl = chunk.find('\n', pos);
    size_t end = nl == std::string_view::npos ? chunk.size() : nl + 1;
    lines.push_back(chunk.substr(pos, end - pos));
    pos = end;
  }
  if (lines.empty()) return;
  Analyzer analyzer;
  size_t best = 0, best_hits = 0;
  for (size_t i = 0; i < lines.size(); ++i) {
    std::vector<std::string> terms = analyzer.Terms(lines[i]);
    std::set<std::string> distinct(terms.begin(), terms.end());
    size_t hits = 0;
    for (const std::string& t : distinct) hits += query_terms.count(t);
    if (hits > best_hits) {
      best_hits = hits;
      best = i;
    }
  }
  auto text_of = [&](size_t a, size_t b) {  // lines [a, b]
    const char* begin = lines[a].data();
    const char* end = lines[b].data() + lines[b].size();
    return std::string_view(begin, static_cast<size_t>(end - begin));
  };
  size_t a = best, b = best;
  if (Tok().Count(text_of(a, b)) > room) {
    // One line is already too long: cut it at a token boundary.
    std::vector<uint32_t> ids = Tok().Encode(lines[best]);
    ids.resize(std::min(ids.size(), room));
    std::string cut = Tok().Decode(ids);
    cut.resize(Utf8Floor(cut, cut.size()));
    const int line = r->start_line + static_cast<int>(best);
    r->code_chunk = std::move(cut);
    r->start_line = r->end_line = line;
    return;
  }
  for (bool grew = true; grew;) {
    grew = false;
    if (b + 1 < lines.size() && Tok().CountUpTo(text_of(a, b + 1), room) <= room) {
      ++b;
      grew = true;
    }
    if (a > 0 && Tok().CountUpTo(text_of(a - 1, b), room) <= room) {
      --a;
      grew = true;
    }
  }
  const int first = r->start_line;
  r->code_chunk = std::string(text_of(a, b));
  r->start_line = first + static_cast<int>(a);
  r->end_line = first + static_cast<int>(b);
}

}  // namespace

size_t ResultTokens(const SearchResult& result) {
  return Tok().Count(Header(result)) + Tok().Count(result.code_chunk);
}

BudgetReport FitToTokenBudget(std::string_view query, size_t max_tokens,
                              std::vector<SearchResult>* results) {
  BudgetReport report;
  report.max_tokens = max_tokens;
  std::vector<size_t> cost;
  for (const SearchResult& r : *results) cost.push_back(ResultTokens(r));
  size_t total = 0;
  for (size_t c : cost) total += c;
  if (total <= max_tokens) {
    report.used_tokens = total;
    return report;
  }
  // The largest cap c with sum(min(cost_i, c)) <= max_tokens, dropping results from the end
  // while c is below a useful size.
  size_t cap = 0;
  for (;;) {
    size_t lo = 0, hi = max_tokens;
    while (lo < hi) {
      size_t mid = lo + (hi - lo + 1) / 2;
      size_t sum = 0;
      for (size_t c : cost) sum += std::min(c, mid);
      if (sum <= max_tokens)
        lo = mid;
      else
        hi = mid - 1;
    }
    cap = lo;
    if (cap >= kMinResultTokens || results->size() <= 1) break;
    results->pop_back();
    cost.pop_back();
    ++report.dropped;
  }
  Analyzer analyzer;
  std::vector<std::string> qt = analyzer.Terms(query);
  std::set<std::string> query_terms(qt.begin(), qt.end());
  for (size_t i = 0; i < results->size(); ++i) {
    if (cost[i] <= cap) {
      report.used_tokens += cost[i];
      continue;
    }
    Trim(query_terms, std::max<size_t>(cap, 1), &(*results)[i]);
    (*results)[i].trimmed = true;
    ++report.trimmed;
    report.used_tokens += ResultTokens((*results)[i]);
  }
  // Re-encoding a cut line can, rarely, cost a token more than planned.
  while (report.used_tokens > max_tokens && results->size() > 1) {
    report.used_tokens -= ResultTokens(results->back());
    results->pop_back();
    ++report.dropped;
  }
  return report;
}

}  // namespace codeindex
