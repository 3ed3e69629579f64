#include "llm/tag_matcher.h"

#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace codeindex::llm {
namespace {

// "reasoning:plan", "text:Answer", ...
std::vector<std::string> Match(const std::vector<std::string>& deltas) {
  TagMatcher m;
  std::vector<Chunk> chunks;
  for (const std::string& d : deltas) m.Update(d, &chunks);
  m.Final(&chunks);
  std::vector<std::string> out;
  for (const Chunk& c : chunks) out.push_back(std::string(ChunkTypeName(c.type)) + ":" + c.text);
  return out;
}

using V = std::vector<std::string>;

// The spec's test vectors (ORIGINAL-CONTEXT.md §6.4).
TEST(TagMatcher, SpecVectors) {
  EXPECT_EQ(Match({"<thi", "nk>plan</th", "ink>Answer"}), (V{"reasoning:plan", "text:Answer"}));
  EXPECT_EQ(Match({" <think>x</think>y"}), (V{"text: <think>x</think>y"}));
  EXPECT_EQ(Match({"<think>a<think>b</think>c</think>d"}),
            (V{"reasoning:a<think>b</think>c", "text:d"}));
}

TEST(TagMatcher, OnlyAtTheVeryStart) {
  EXPECT_EQ(Match({"a<think>b"}), (V{"text:a<think>b"}));
  EXPECT_EQ(Match({"\n<think>b</think>"}), (V{"text:\n<think>b</think>"}));
  EXPECT_EQ(Match({"plain answer"}), (V{"text:plain answer"}));
}

TEST(TagMatcher, SpacesInsideTagsAreTolerated) {
  EXPECT_EQ(Match({"< think >r</ think >t"}), (V{"reasoning:r", "text:t"}));
}

TEST(TagMatcher, MismatchFlushesTheBufferedTag) {
  EXPECT_EQ(Match({"<thing>x"}), (V{"text:<thing>x"}));
  // Inside a region a '<' that is not a closing tag stays reasoning.
  EXPECT_EQ(Match({"<think>a<b</think>c"}), (V{"reasoning:a<b", "text:c"}));
}

TEST(TagMatcher, UnclosedRegionIsFlushedByFinal) {
  EXPECT_EQ(Match({"<think>still thinking", " more"}),
            (V{"reasoning:still thinking", "reasoning: more"}));
  EXPECT_EQ(Match({"<think>x</thi"}), (V{"reasoning:x", "reasoning:</thi"}));
}

TEST(TagMatcher, SameKindMergedWithinOneCallOnly) {
  // Each Update returns its own chunks, as upstream's update() pops per call.
  EXPECT_EQ(Match({"ab", "cd"}), (V{"text:ab", "text:cd"}));
}

TEST(TagMatcher, Utf8PassesThrough) {
  EXPECT_EQ(Match({"<think>é€😀</think>ü"}), (V{"reasoning:é€😀", "text:ü"}));
}

}  // namespace
}  // namespace codeindex::llm
