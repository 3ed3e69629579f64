#include "search/budget.h"

#include <gtest/gtest.h>

#include "search/searcher.h"

namespace codeindex {
namespace {

SearchResult Result(const std::string& file, int start, const std::string& chunk) {
  SearchResult r;
  r.file_path = file;
  r.start_line = start;
  int lines = 0;
  for (char c : chunk) lines += c == '\n';
  r.end_line = start + std::max(lines, 1) - 1;
  r.code_chunk = chunk;
  return r;
}

std::string LongFunction(const std::string& name, int lines, int key_line) {
  std::string s = "def " + name + "(items, options):\n";
  for (int i = 1; i < lines; ++i) {
    if (i == key_line)
      s += "    return retry_upload(items, attempts=options.max_attempts)\n";
    else
      s += "    value_" + std::to_string(i) + " = compute(items, " + std::to_string(i) + ")\n";
  }
  return s;
}

TEST(BudgetTest, EverythingFitsNothingChanges) {
  std::vector<SearchResult> rs;
  rs.push_back(Result("a.py", 1, "def f():\n    return 1\n"));
  BudgetReport rep = FitToTokenBudget("f", 1000, &rs);
  EXPECT_EQ(rs[0].code_chunk, "def f():\n    return 1\n");
  EXPECT_FALSE(rs[0].trimmed);
  EXPECT_EQ(rep.used_tokens, ResultTokens(rs[0]));
  EXPECT_EQ(rep.trimmed + rep.dropped, 0u);
}

TEST(BudgetTest, LongChunksAreTrimmedAroundTheRelevantLineNotDropped) {
  std::vector<SearchResult> rs;
  rs.push_back(Result("a.py", 100, LongFunction("upload_all", 60, 40)));
  rs.push_back(Result("b.py", 1, "def small():\n    return 2\n"));
  rs.push_back(Result("c.py", 10, LongFunction("other", 60, 0)));
  const size_t budget = 300;
  ASSERT_GT(ResultTokens(rs[0]) + ResultTokens(rs[1]) + ResultTokens(rs[2]), budget);
  BudgetReport rep = FitToTokenBudget("retry upload", budget, &rs);
  ASSERT_EQ(rs.size(), 3u) << "results are trimmed, not dropped";
  EXPECT_EQ(rep.dropped, 0u);
  EXPECT_EQ(rep.trimmed, 2u);
  EXPECT_LE(rep.used_tokens, budget);
  size_t used = 0;
  for (const SearchResult& r : rs) used += ResultTokens(r);
  EXPECT_EQ(used, rep.used_tokens);
  // The small result stays whole; the first keeps the line with the query's terms, and its
  // line numbers are the window's.
  EXPECT_FALSE(rs[1].trimmed);
  EXPECT_TRUE(rs[0].trimmed);
  EXPECT_NE(rs[0].code_chunk.find("retry_upload"), std::string::npos);
  EXPECT_GT(rs[0].start_line, 100);
  EXPECT_LE(rs[0].start_line, 140);
  EXPECT_GE(rs[0].end_line, 140);
  int lines = 0;
  for (char c : rs[0].code_chunk) lines += c == '\n';
  EXPECT_EQ(rs[0].end_line - rs[0].start_line + 1, lines);
  // No match in the third: the window starts at its first line (the signature).
  EXPECT_EQ(rs[2].start_line, 10);
  EXPECT_EQ(rs[2].code_chunk.rfind("def other(", 0), 0u);
}

TEST(BudgetTest, TinyBudgetsDropFromTheEndButKeepTheBest) {
  std::vector<SearchResult> rs;
  for (int i = 0; i < 10; ++i)
    rs.push_back(
        Result("f" + std::to_string(i) + ".py", 1, LongFunction("fn" + std::to_string(i), 30, 5)));
  BudgetReport rep = FitToTokenBudget("retry", 100, &rs);
  EXPECT_GE(rs.size(), 1u);
  EXPECT_LT(rs.size(), 10u);
  EXPECT_EQ(rs[0].file_path, "f0.py");
  EXPECT_EQ(rep.dropped, 10u - rs.size());
  EXPECT_LE(rep.used_tokens, 100u);

  // One huge line is cut inside the line.
  std::vector<SearchResult> one;
  one.push_back(Result("min.js", 1, std::string(5000, 'x') + "\n"));
  rep = FitToTokenBudget("x", 40, &one);
  ASSERT_EQ(one.size(), 1u);
  EXPECT_TRUE(one[0].trimmed);
  EXPECT_LE(ResultTokens(one[0]), 40u);
  EXPECT_GT(one[0].code_chunk.size(), 0u);
}

}  // namespace
}  // namespace codeindex
