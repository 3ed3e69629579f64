#include "context/history.h"

#include <gtest/gtest.h>

#include "context/testing.h"

namespace codeindex::context {
namespace {

std::string Roles(const Json& messages) {
  std::string s;
  for (const Json& m : messages) {
    if (!s.empty()) s += ",";
    s += m.value("name", m[kRole].get<std::string>());
  }
  return s;
}

Json Named(const char* name, const char* role, Json content, Json extra = Json::object()) {
  Json m = {{"name", name}, {kRole, role}, {kContent, std::move(content)}};
  for (auto it = extra.begin(); it != extra.end(); ++it) m[it.key()] = it.value();
  return m;
}

TEST(EffectiveHistory, FromTheLastSummaryWithoutOrphanToolResults) {
  const Json messages = Json::array({
      Named("u0", "user", "start"),
      Named("a0", "assistant", Json::parse(R"([{"type":"tool_use","id":"old","name":"f","input":{}}])"),
            {{kCondenseParent, "s1"}}),
      Named("s1", "user", "summary 1", {{kIsSummary, true}, {kCondenseId, "s1"}}),
      Named("u1", "user", Json::parse(R"([{"type":"tool_result","tool_use_id":"old","content":"x"}])")),
      Named("a1", "assistant", Json::parse(R"([{"type":"tool_use","id":"new","name":"g","input":{}}])")),
      Named("u2", "user", Json::parse(R"([{"type":"tool_result","tool_use_id":"new","content":"y"},
                                          {"type":"tool_result","tool_use_id":"old","content":"z"},
                                          {"type":"text","text":"go on"}])")),
      Named("h", "assistant", "hidden", {{kTruncationParent, "t1"}}),
      Named("m", "user", "[marker]", {{kIsTruncationMarker, true}, {kTruncationId, "t1"}}),
      Named("h2", "assistant", "hidden by a marker that is gone", {{kTruncationParent, "t9"}}),
  });
  const Json effective = GetEffectiveApiHistory(messages);
  // u1 lost its only block (its tool_use is before the summary) and is dropped; u2 loses the
  // orphan block; h is hidden by marker t1; h2's marker does not exist, so it stays.
  EXPECT_EQ(Roles(effective), "s1,a1,u2,m,h2");
  EXPECT_EQ(effective[2][kContent].size(), 2u);
  EXPECT_EQ(effective[2][kContent][1]["text"], "go on");
}

TEST(EffectiveHistory, WithoutSummary) {
  const Json messages = Json::array({
      Named("u0", "user", "a"),
      Named("c", "assistant", "condensed", {{kCondenseParent, "gone"}}),  // summary missing
      Named("t", "assistant", "truncated", {{kTruncationParent, "t1"}}),
      Named("m", "user", "marker", {{kIsTruncationMarker, true}, {kTruncationId, "t1"}}),
      Named("u1", "user", "b"),
  });
  EXPECT_EQ(Roles(GetEffectiveApiHistory(messages)), "u0,c,m,u1");
  EXPECT_EQ(Roles(GetMessagesSinceLastSummary(messages)), "u0,c,t,m,u1");
}

TEST(EffectiveHistory, SinceLastSummaryTakesTheNewest) {
  const Json messages = Json::array({
      Named("s1", "user", "1", {{kIsSummary, true}, {kCondenseId, "s1"}}),
      Named("x", "assistant", "x"),
      Named("s2", "user", "2", {{kIsSummary, true}, {kCondenseId, "s2"}}),
      Named("y", "assistant", "y"),
  });
  EXPECT_EQ(Roles(GetMessagesSinceLastSummary(messages)), "s2,y");
  EXPECT_EQ(Roles(GetEffectiveApiHistory(messages)), "s2,y");
}

TEST(CleanupAfterTruncation, DropsDanglingParents) {
  const Json messages = Json::array({
      Named("a", "user", "a", {{kCondenseParent, "gone"}, {kTruncationParent, "t1"}}),
      Named("m", "user", "marker", {{kIsTruncationMarker, true}, {kTruncationId, "t1"}}),
      Named("b", "user", "b", {{kTruncationParent, "gone"}}),
  });
  const Json clean = CleanupAfterTruncation(messages);
  EXPECT_FALSE(clean[0].contains(kCondenseParent));
  EXPECT_EQ(clean[0][kTruncationParent], "t1");
  EXPECT_FALSE(clean[2].contains(kTruncationParent));
  EXPECT_EQ(clean[1], messages[1]);
}

TEST(ApiRequestMessages, MergesUsersKeepsSummariesAndReplacesImages) {
  const Json effective = Json::array({
      Named("s", "user", Json::parse(R"([{"type":"text","text":"sum"}])"), {{kIsSummary, true}}),
      Named("u1", "user", "first"),
      Named("u2", "user", Json::parse(R"([{"type":"image","source":{"data":"AAAA"}}])")),
      Named("a", "assistant", "answer"),
  });
  const Json request = ApiRequestMessages(effective, /*supports_images=*/false);
  EXPECT_EQ(request.dump(),
            R"([{"role":"user","content":[{"type":"text","text":"sum"}]},)"
            R"({"role":"user","content":[{"type":"text","text":"first"},{"type":"text","text":"[Referenced image in conversation]"}]},)"
            R"({"role":"assistant","content":"answer"}])");
  const Json with_images = ApiRequestMessages(effective, true);
  EXPECT_EQ(with_images[1][kContent][1]["type"], "image");
}

}  // namespace
}  // namespace codeindex::context
