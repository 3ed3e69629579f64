#include "context/truncate.h"

#include <gtest/gtest.h>

#include "context/history.h"
#include "context/testing.h"

namespace codeindex::context {
namespace {

using testing::CountingEnv;
using testing::Msg;

Json Messages(int n) {
  Json m = Json::array();
  for (int i = 0; i < n; ++i) {
    m.push_back(Msg(i % 2 ? "assistant" : "user", "m" + std::to_string(i), 1000 + 10 * i));
  }
  return m;
}

std::vector<std::string> Contents(const Json& messages) {
  std::vector<std::string> out;
  for (const Json& m : messages) out.push_back(m[kContent].get<std::string>());
  return out;
}

// The worked example of ORIGINAL-CONTEXT.md §3.1.
TEST(TruncateConversation, SpecExample) {
  const Json messages = Messages(11);
  TruncationResult r = TruncateConversation(messages, 0.5, CountingEnv());
  EXPECT_EQ(r.messages_removed, 4);
  EXPECT_EQ(r.truncation_id, "id-1");
  ASSERT_EQ(r.messages.size(), 12u);  // nothing deleted, one marker added
  for (int i = 1; i <= 4; ++i) EXPECT_EQ(r.messages[i][kTruncationParent], "id-1");
  EXPECT_FALSE(r.messages[0].contains(kTruncationParent));
  const Json& marker = r.messages[5];
  EXPECT_EQ(marker.dump(),
            R"({"role":"user","content":"[Sliding window truncation: 4 messages hidden to reduce context]","ts":1049,"isTruncationMarker":true,"truncationId":"id-1"})");
  EXPECT_EQ(r.messages[6][kContent], "m5");
  // The API then sees m0, marker, m5..m10.
  EXPECT_EQ(Contents(GetEffectiveApiHistory(r.messages)),
            (std::vector<std::string>{"m0", TruncationMarkerText(4), "m5", "m6", "m7", "m8",
                                      "m9", "m10"}));
}

TEST(TruncateConversation, CountsOnlyVisibleMessages) {
  TruncationResult first = TruncateConversation(Messages(11), 0.5, CountingEnv());
  // 7 visible now (m0, m5..m10): raw floor(6 x 0.5) = 3 -> 2.
  TruncationResult second = TruncateConversation(first.messages, 0.5, CountingEnv());
  EXPECT_EQ(second.messages_removed, 2);
  EXPECT_EQ(second.messages[6][kTruncationParent], "id-1");  // m5
  EXPECT_EQ(second.messages[7][kTruncationParent], "id-1");  // m6
  EXPECT_EQ(second.messages[8][kIsTruncationMarker], true);
  EXPECT_EQ(second.messages[8][kTs], 1000 + 70 - 1);
  EXPECT_EQ(Contents(GetEffectiveApiHistory(second.messages)),
            (std::vector<std::string>{"m0", TruncationMarkerText(4), TruncationMarkerText(2),
                                      "m7", "m8", "m9", "m10"}));
}

TEST(TruncateConversation, NothingToRemove) {
  for (int n : {0, 1, 2, 3, 4}) {  // floor((n - 1) / 2) rounded to even is 0
    TruncationResult r = TruncateConversation(Messages(n), 0.5, CountingEnv());
    EXPECT_EQ(r.messages_removed, 0) << n;
    EXPECT_EQ(r.messages, Messages(n));
  }
  EXPECT_EQ(TruncateConversation(Messages(5), 0.5, CountingEnv()).messages_removed, 2);
}

TEST(TruncateConversation, MarkerAtTheEndUsesNow) {
  // Fraction 1 hides every visible message but the first: the marker goes last, at now - 1.
  TruncationResult r = TruncateConversation(Messages(3), 1.0, CountingEnv(5000));
  EXPECT_EQ(r.messages_removed, 2);
  ASSERT_EQ(r.messages.size(), 4u);
  EXPECT_EQ(r.messages[3][kTs], 4999);
  // A kept message without ts also takes now - 1.
  Json messages = Messages(5);
  messages[3].erase(kTs);
  TruncationResult r2 = TruncateConversation(messages, 0.5, CountingEnv(7000));
  EXPECT_EQ(r2.messages[3][kTs], 6999);
}

TEST(TruncateConversationLegacy, DeletesAndKeepsTheFirst) {
  EXPECT_EQ(Contents(TruncateConversationLegacy(Messages(11), 0.5)),
            (std::vector<std::string>{"m0", "m5", "m6", "m7", "m8", "m9", "m10"}));
  EXPECT_EQ(TruncateConversationLegacy(Messages(4), 0.5), Messages(4));
}

}  // namespace
}  // namespace codeindex::context
