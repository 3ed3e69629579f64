#include "server/events.h"

#include <vector>

#include <gtest/gtest.h>

namespace codeindex {
namespace {

TEST(FormatSse, OneEventPerBlankLineTerminatedBlock) {
  Event e{7, "state", R"({"state":"Indexed"})"};
  EXPECT_EQ(FormatSse(e), "id: 7\nevent: state\ndata: {\"state\":\"Indexed\"}\n\n");
  Event multi{8, "x", "a\nb"};
  EXPECT_EQ(FormatSse(multi), "id: 8\nevent: x\ndata: a\ndata: b\n\n");
}

TEST(EventBus, DeliversToSubscribersUntilUnsubscribed) {
  EventBus bus;
  std::vector<std::string> got;
  uint64_t sub =
      bus.Subscribe([&](const std::shared_ptr<const Event>& e) { got.push_back(e->type); });
  bus.Publish("progress", "{}");
  bus.Publish("indexed", "{}");
  bus.Unsubscribe(sub);
  bus.Publish("state", "{}");
  EXPECT_EQ(got, (std::vector<std::string>{"progress", "indexed"}));
  EXPECT_EQ(bus.published(), 3u);
  EXPECT_EQ(bus.subscribers(), 0u);
}

}  // namespace
}  // namespace codeindex
