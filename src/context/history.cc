#include "context/history.h"

#include <set>
#include <string>

namespace codeindex::context {
namespace {

std::string BlockString(const Json& block, const char* key) {
  if (!block.is_object()) return {};
  auto it = block.find(key);
  if (it == block.end() || !it->is_string()) return {};
  return it->get<std::string>();
}

bool IsRole(const Json& m, const char* role) {
  auto it = m.find(kRole);
  return it != m.end() && it->is_string() && *it == role;
}

Json ToBlocks(const Json& content) {
  if (content.is_array()) return content;
  Json blocks = Json::array();
  if (content.is_string()) blocks.push_back(Json{{"type", "text"}, {"text", content}});
  return blocks;
}

}  // namespace

Json GetMessagesSinceLastSummary(const Json& messages) {
  for (size_t i = messages.size(); i-- > 0;) {
    if (Truthy(messages[i], kIsSummary)) {
      return Json(messages.begin() + static_cast<std::ptrdiff_t>(i), messages.end());
    }
  }
  return messages;
}

Json GetEffectiveApiHistory(const Json& messages) {
  size_t last_summary = messages.size();
  for (size_t i = messages.size(); i-- > 0;) {
    if (Truthy(messages[i], kIsSummary)) {
      last_summary = i;
      break;
    }
  }
  if (last_summary < messages.size()) {
    // Fresh start: the newest summary and what follows it.
    std::set<std::string> tool_use_ids;
    for (size_t i = last_summary; i < messages.size(); ++i) {
      const Json& m = messages[i];
      if (!IsRole(m, "assistant") || !m[kContent].is_array()) continue;
      for (const Json& block : m[kContent]) {
        const std::string id = BlockString(block, "id");
        if (BlockString(block, "type") == "tool_use" && !id.empty()) tool_use_ids.insert(id);
      }
    }
    Json range = Json::array();
    for (size_t i = last_summary; i < messages.size(); ++i) {
      const Json& m = messages[i];
      if (!IsRole(m, "user") || !m[kContent].is_array()) {
        range.push_back(m);
        continue;
      }
      Json kept = Json::array();
      for (const Json& block : m[kContent]) {
        const std::string ref = BlockString(block, "tool_use_id");
        if (BlockString(block, "type") == "tool_result" && !ref.empty() &&
            !tool_use_ids.count(ref)) {
          continue;  // its tool_use was condensed away
        }
        kept.push_back(block);
      }
      if (kept.empty()) continue;
      if (kept.size() == m[kContent].size()) {
        range.push_back(m);
      } else {
        Json copy = m;
        copy[kContent] = std::move(kept);
        range.push_back(std::move(copy));
      }
    }
    std::set<std::string> markers;
    for (const Json& m : range) {
      if (Truthy(m, kIsTruncationMarker) && Truthy(m, kTruncationId)) {
        markers.insert(StringField(m, kTruncationId));
      }
    }
    Json out = Json::array();
    for (Json& m : range) {
      if (Truthy(m, kTruncationParent) && markers.count(StringField(m, kTruncationParent))) {
        continue;
      }
      out.push_back(std::move(m));
    }
    return out;
  }
  std::set<std::string> summaries, markers;
  for (const Json& m : messages) {
    if (Truthy(m, kIsSummary) && Truthy(m, kCondenseId)) summaries.insert(StringField(m, kCondenseId));
    if (Truthy(m, kIsTruncationMarker) && Truthy(m, kTruncationId)) {
      markers.insert(StringField(m, kTruncationId));
    }
  }
  Json out = Json::array();
  for (const Json& m : messages) {
    if (Truthy(m, kCondenseParent) && summaries.count(StringField(m, kCondenseParent))) continue;
    if (Truthy(m, kTruncationParent) && markers.count(StringField(m, kTruncationParent))) continue;
    out.push_back(m);
  }
  return out;
}

Json CleanupAfterTruncation(const Json& messages) {
  std::set<std::string> summaries, markers;
  for (const Json& m : messages) {
    if (Truthy(m, kIsSummary) && Truthy(m, kCondenseId)) summaries.insert(StringField(m, kCondenseId));
    if (Truthy(m, kIsTruncationMarker) && Truthy(m, kTruncationId)) {
      markers.insert(StringField(m, kTruncationId));
    }
  }
  Json out = Json::array();
  for (const Json& m : messages) {
    const bool stale_condense =
        Truthy(m, kCondenseParent) && !summaries.count(StringField(m, kCondenseParent));
    const bool stale_truncation =
        Truthy(m, kTruncationParent) && !markers.count(StringField(m, kTruncationParent));
    if (!stale_condense && !stale_truncation) {
      out.push_back(m);
      continue;
    }
    Json copy = m;
    if (stale_condense) copy.erase(kCondenseParent);
    if (stale_truncation) copy.erase(kTruncationParent);
    out.push_back(std::move(copy));
  }
  return out;
}

Json MergeConsecutiveUserMessages(const Json& messages) {
  Json out = Json::array();
  for (const Json& m : messages) {
    if (!out.empty()) {
      Json& prev = out.back();
      if (IsRole(prev, "user") && IsRole(m, "user") && !Truthy(prev, kIsSummary) &&
          !Truthy(m, kIsSummary)) {
        Json merged = ToBlocks(prev[kContent]);
        for (const Json& b : ToBlocks(m[kContent])) merged.push_back(b);
        prev[kContent] = std::move(merged);
        continue;
      }
    }
    out.push_back(m);
  }
  return out;
}

Json MaybeRemoveImageBlocks(const Json& messages, bool supports_images) {
  if (supports_images) return messages;
  Json out = messages;
  for (Json& m : out) {
    if (!m.is_object() || !m.contains(kContent) || !m[kContent].is_array()) continue;
    for (Json& block : m[kContent]) {
      if (BlockString(block, "type") == "image") {
        block = Json{{"type", "text"}, {"text", kReferencedImageText}};
      }
    }
  }
  return out;
}

Json ApiRequestMessages(const Json& effective, bool supports_images) {
  Json shaped = MaybeRemoveImageBlocks(MergeConsecutiveUserMessages(effective), supports_images);
  Json out = Json::array();
  for (const Json& m : shaped) out.push_back(Json{{kRole, m[kRole]}, {kContent, m[kContent]}});
  return out;
}

}  // namespace codeindex::context
