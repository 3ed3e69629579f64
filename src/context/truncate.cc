#include "context/truncate.h"

#include <cmath>
#include <vector>

namespace codeindex::context {

std::string TruncationMarkerText(int hidden) {
  return "[Sliding window truncation: " + std::to_string(hidden) +
         " messages hidden to reduce context]";
}

Json TsPlus(const Json& ts, int64_t delta) {
  if (ts.is_number_float()) return ts.get<double>() + static_cast<double>(delta);
  return ts.get<int64_t>() + delta;
}

namespace {

// floor((count - 1) x fraction), rounded down to even.
int MessagesToRemove(size_t count, double fraction) {
  if (count == 0) return 0;
  const int raw = static_cast<int>(std::floor(static_cast<double>(count - 1) * fraction));
  return raw - (raw % 2);
}

}  // namespace

TruncationResult TruncateConversation(const Json& messages, double fraction,
                                      const ContextEnv& env) {
  TruncationResult result;
  result.truncation_id = env.new_id();
  result.messages = messages;
  std::vector<size_t> visible;
  for (size_t i = 0; i < messages.size(); ++i) {
    if (!Truthy(messages[i], kTruncationParent) && !Truthy(messages[i], kIsTruncationMarker)) {
      visible.push_back(i);
    }
  }
  const int n = MessagesToRemove(visible.size(), fraction);
  if (n <= 0) return result;
  for (int k = 1; k <= n; ++k) result.messages[visible[k]][kTruncationParent] = result.truncation_id;
  const size_t insert_at =
      static_cast<size_t>(n) + 1 < visible.size() ? visible[n + 1] : messages.size();
  Json ts;
  if (insert_at < messages.size() && messages[insert_at].contains(kTs) &&
      messages[insert_at][kTs].is_number()) {
    ts = TsPlus(messages[insert_at][kTs], -1);
  } else {
    ts = env.now_ms() - 1;
  }
  Json marker = Json::object();
  marker[kRole] = "user";
  marker[kContent] = TruncationMarkerText(n);
  marker[kTs] = ts;
  marker[kIsTruncationMarker] = true;
  marker[kTruncationId] = result.truncation_id;
  result.messages.insert(result.messages.begin() + static_cast<std::ptrdiff_t>(insert_at),
                         std::move(marker));
  result.messages_removed = n;
  return result;
}

Json TruncateConversationLegacy(const Json& messages, double fraction) {
  const int n = MessagesToRemove(messages.size(), fraction);
  if (n <= 0) return messages;
  Json out = Json::array();
  out.push_back(messages[0]);
  for (size_t i = static_cast<size_t>(n) + 1; i < messages.size(); ++i) out.push_back(messages[i]);
  return out;
}

}  // namespace codeindex::context
