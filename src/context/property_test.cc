// Property tests over random histories: random sequences of sliding-window truncations,
// condensings (scripted model) and new messages. After every step:
//   1. no hidden message reaches the effective history: nothing whose truncationParent names a
//      marker in the history, nothing condensed before the newest summary; with a summary,
//      only the newest summary and what follows it;
//   2. messages are never deleted: every message ever added is still stored, in order;
//   3. the first message stays visible through truncations (until a summary supersedes it);
//   4. each marker sits immediately before the first message it kept, with that message's
//      ts - 1, and hides exactly the visible messages before it but the first.
#include <random>
#include <set>

#include <gtest/gtest.h>

#include "context/condense.h"
#include "context/history.h"
#include "context/manage.h"
#include "context/testing.h"
#include "context/truncate.h"

namespace codeindex::context {
namespace {

using testing::Msg;
using testing::ScriptedHandler;

std::set<std::string> Ids(const Json& messages, const char* flag, const char* id_field) {
  std::set<std::string> out;
  for (const Json& m : messages) {
    if (Truthy(m, flag)) out.insert(StringField(m, id_field));
  }
  return out;
}

TEST(ContextProperties, RandomHistories) {
  std::mt19937 rng(7);
  int truncations = 0, condensings = 0, hidden_summaries = 0;
  for (int history = 0; history < 300; ++history) {
    ScriptedHandler model;
    auto counter = std::make_shared<int>(0);
    ContextEnv env;
    env.new_id = [counter] { return "id-" + std::to_string(++*counter); };
    env.now_ms = [] { return int64_t{999999}; };

    Json messages = Json::array();
    std::vector<std::string> added;  // "n<k>" contents in order
    int64_t ts = 0;
    auto add = [&](const char* role) {
      const std::string text = "n" + std::to_string(added.size());
      ts += 1 + static_cast<int64_t>(rng() % 3);
      messages.push_back(Msg(role, text, ts));
      added.push_back(text);
    };
    const int initial = 1 + static_cast<int>(rng() % 20);
    for (int i = 0; i < initial; ++i) add(i % 2 ? "assistant" : "user");

    for (int step = 0; step < 12; ++step) {
      const int op = static_cast<int>(rng() % 4);
      if (op == 0) {
        const Json before = messages;
        std::vector<size_t> visible;
        for (size_t i = 0; i < before.size(); ++i) {
          if (!Truthy(before[i], kTruncationParent) && !Truthy(before[i], kIsTruncationMarker)) {
            visible.push_back(i);
          }
        }
        TruncationResult t = TruncateConversation(messages, 0.5, env);
        messages = t.messages;
        if (t.messages_removed > 0) {
          ++truncations;
          // Property 4: placement, timestamp and what it hides.
          size_t marker = 0;
          while (!Truthy(messages[marker], kIsTruncationMarker) ||
                 StringField(messages[marker], kTruncationId) != t.truncation_id) {
            ++marker;
          }
          const size_t kept = visible[static_cast<size_t>(t.messages_removed) + 1];
          EXPECT_EQ(marker, kept);  // inserted right before the kept message's old index
          EXPECT_EQ(messages[marker][kTs], before[kept][kTs].get<int64_t>() - 1);
          EXPECT_EQ(messages[marker + 1], before[kept]);
          for (int k = 0; k < static_cast<int>(visible.size()); ++k) {
            const bool hidden_now =
                StringField(messages[visible[k] + (visible[k] >= kept ? 1 : 0)], kTruncationParent) ==
                t.truncation_id;
            EXPECT_EQ(hidden_now, k >= 1 && k <= t.messages_removed) << k;
          }
          // Property 3: the first visible message stays visible.
          EXPECT_FALSE(Truthy(messages[visible[0]], kTruncationParent));
        }
      } else if (op == 1) {
        model.Answer("summary " + std::to_string(step));
        SummarizeOptions o;
        o.messages = messages;
        SummarizeResult r = SummarizeConversation(o, &model, env);
        model.replies.clear();
        if (r.ok()) {
          ++condensings;
          messages = r.messages;
          EXPECT_EQ(GetEffectiveApiHistory(messages).size(), 1u);
        }
      } else {
        add(rng() % 2 ? "assistant" : "user");
      }

      // Property 2: nothing deleted.
      std::vector<std::string> stored;
      for (const Json& m : messages) {
        const std::string c = m[kContent].is_string() ? m[kContent].get<std::string>() : "";
        if (!c.empty() && c[0] == 'n') stored.push_back(c);
      }
      ASSERT_EQ(stored, added);

      // Property 1: no hidden message in the effective history.
      const Json effective = GetEffectiveApiHistory(messages);
      const std::set<std::string> markers = Ids(messages, kIsTruncationMarker, kTruncationId);
      const std::set<std::string> summaries = Ids(messages, kIsSummary, kCondenseId);
      bool seen_summary = false;
      for (const Json& m : effective) {
        EXPECT_FALSE(Truthy(m, kTruncationParent) &&
                     markers.count(StringField(m, kTruncationParent)))
            << m.dump();
        if (Truthy(m, kIsSummary)) seen_summary = true;
        if (!seen_summary) {
          EXPECT_FALSE(Truthy(m, kCondenseParent) && summaries.count(StringField(m, kCondenseParent)))
              << m.dump();
        }
      }
      // With a summary, the effective history holds only the newest summary and what follows
      // it; the summary itself is first unless a later sliding window hid it (the original
      // counts condensed messages as visible, so that can happen).
      if (!summaries.empty()) {
        size_t newest = 0;
        for (size_t i = 0; i < messages.size(); ++i) {
          if (Truthy(messages[i], kIsSummary)) newest = i;
        }
        size_t from = newest;
        for (const Json& m : effective) {
          while (from < messages.size() && messages[from] != m) ++from;
          ASSERT_LT(from, messages.size()) << "not from the newest summary on: " << m.dump();
        }
        const bool summary_hidden =
            Truthy(messages[newest], kTruncationParent) &&
            markers.count(StringField(messages[newest], kTruncationParent));
        ASSERT_FALSE(effective.empty());
        EXPECT_EQ(Truthy(effective[0], kIsSummary), !summary_hidden);
        if (summary_hidden) ++hidden_summaries;
      } else if (!messages.empty()) {
        // Property 3: without summaries the first message always stays.
        EXPECT_EQ(effective[0], messages[0]);
      }
    }
  }
  EXPECT_GT(truncations, 100);
  EXPECT_GT(condensings, 100);
  EXPECT_GT(hidden_summaries, 0);  // the case above does occur
}

}  // namespace
}  // namespace codeindex::context
