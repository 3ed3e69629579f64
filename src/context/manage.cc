#include "context/manage.h"

#include <deque>
#include <memory>

#include "context/count.h"
#include "context/history.h"
#include "context/truncate.h"
#include "llm/errors.h"

namespace codeindex::context {

std::string_view DecisionName(Decision d) {
  switch (d) {
    case Decision::kNone: return "none";
    case Decision::kCondensed: return "condensed";
    case Decision::kTruncated: return "truncated";
  }
  return "none";
}

ManageArithmetic ComputeArithmetic(const ManageOptions& o) {
  ManageArithmetic a;
  a.reserved_tokens = o.max_tokens && *o.max_tokens != 0 ? *o.max_tokens : kAnthropicDefaultMaxTokens;
  a.last_message_tokens =
      o.messages.empty() ? 0 : CountContentTokens(o.messages.back().value(kContent, Json()));
  a.prev_context_tokens = o.total_tokens + a.last_message_tokens;
  a.allowed_tokens = static_cast<double>(o.context_window) * (1 - kTokenBufferPercentage) -
                     static_cast<double>(a.reserved_tokens);
  a.effective_threshold = o.auto_condense_context_percent;
  auto it = o.profile_thresholds.find(o.current_profile_id);
  if (it != o.profile_thresholds.end()) {
    const double t = it->second;
    if (t == -1) {
      a.effective_threshold = o.auto_condense_context_percent;
    } else if (t >= kMinCondenseThreshold && t <= kMaxCondenseThreshold) {
      a.effective_threshold = t;
    } else {
      a.threshold_warning = "invalid profile threshold " + JsNumber(t) + " for profile \"" +
                            o.current_profile_id + "\"; using the global percent";
    }
  }
  a.context_percent = (100 * static_cast<double>(a.prev_context_tokens)) /
                      static_cast<double>(o.context_window);
  a.over_threshold = a.context_percent >= a.effective_threshold;
  a.over_allowed = static_cast<double>(a.prev_context_tokens) > a.allowed_tokens;
  return a;
}

bool WillManageContext(const ManageOptions& options) {
  const ManageArithmetic a = ComputeArithmetic(options);
  if (!options.auto_condense_context) return a.over_allowed;
  return a.over_threshold || a.over_allowed;
}

ManageResult ManageContext(const ManageOptions& options, llm::ApiHandler* handler,
                           const ContextEnv& env) {
  ManageResult r;
  r.arithmetic = ComputeArithmetic(options);
  r.prev_context_tokens = r.arithmetic.prev_context_tokens;
  r.messages = options.messages;
  if (options.auto_condense_context && (r.arithmetic.over_threshold || r.arithmetic.over_allowed)) {
    SummarizeOptions s;
    s.messages = options.messages;
    s.system_prompt = options.system_prompt;
    s.is_automatic_trigger = true;
    s.custom_condensing_prompt = options.custom_condensing_prompt;
    s.metadata = options.metadata;
    s.environment_details = options.environment_details;
    s.files_read = options.files_read;
    s.cwd = options.cwd;
    s.cancel = options.cancel;
    SummarizeResult sr = SummarizeConversation(s, handler, env);
    if (sr.ok()) {
      r.decision = Decision::kCondensed;
      r.messages = std::move(sr.messages);
      r.summary = std::move(sr.summary);
      r.cost = sr.cost;
      r.new_context_tokens = sr.new_context_tokens;
      r.condense_id = std::move(sr.condense_id);
      return r;
    }
    r.error = std::move(sr.error);
    r.error_key = std::move(sr.error_key);
    r.error_details = std::move(sr.error_details);
    r.cost = sr.cost;
  }
  if (r.arithmetic.over_allowed) {
    TruncationResult t = TruncateConversation(options.messages, kSlidingWindowFraction, env);
    int64_t tokens = options.system_prompt.empty() ? 0 : CountTextTokens(options.system_prompt);
    for (const Json& m : t.messages) {
      if (Truthy(m, kTruncationParent) || Truthy(m, kIsTruncationMarker)) continue;
      tokens += CountContentTokens(m.value(kContent, Json()));
    }
    r.decision = Decision::kTruncated;
    r.messages = std::move(t.messages);
    r.truncation_id = std::move(t.truncation_id);
    r.messages_removed = t.messages_removed;
    r.new_context_tokens_after_truncation = tokens;
  }
  return r;
}

namespace {

Status Field(const Json& j, const char* key, const Json** out) {
  *out = nullptr;
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return Status::OK();
  *out = &*it;
  return Status::OK();
}

Status GetInt(const Json& j, const char* key, std::optional<int64_t>* out) {
  const Json* v;
  RETURN_IF_ERROR(Field(j, key, &v));
  if (!v) return Status::OK();
  if (!v->is_number()) return Status::InvalidArgument(std::string(key) + " must be a number");
  const double d = v->get<double>();
  if (d < 0 || d > 1e15) return Status::InvalidArgument(std::string(key) + " is out of range");
  *out = v->is_number_float() ? static_cast<int64_t>(d) : v->get<int64_t>();
  return Status::OK();
}

Status GetString(const Json& j, const char* key, std::string* out) {
  const Json* v;
  RETURN_IF_ERROR(Field(j, key, &v));
  if (!v) return Status::OK();
  if (!v->is_string()) return Status::InvalidArgument(std::string(key) + " must be a string");
  *out = v->get<std::string>();
  return Status::OK();
}

}  // namespace

Status ParseManageRequest(const Json& request, ManageOptions* o, bool* estimated,
                          std::optional<int64_t>* now_ms, std::vector<std::string>* ids) {
  if (!request.is_object()) return Status::InvalidArgument("the request must be a JSON object");
  *estimated = false;
  auto messages = request.find("messages");
  if (messages == request.end()) return Status::InvalidArgument("messages is required");
  RETURN_IF_ERROR(ValidateMessages(*messages));
  if (messages->empty()) return Status::InvalidArgument("messages must not be empty");
  o->messages = *messages;

  std::optional<int64_t> window, total, max_tokens;
  RETURN_IF_ERROR(GetInt(request, "contextWindow", &window));
  if (!window || *window <= 0) {
    return Status::InvalidArgument("contextWindow is required (a positive number of tokens)");
  }
  o->context_window = *window;
  RETURN_IF_ERROR(GetInt(request, "maxTokens", &max_tokens));
  o->max_tokens = max_tokens;
  const Json* v;
  RETURN_IF_ERROR(Field(request, "autoCondenseContext", &v));
  if (v) {
    if (!v->is_boolean()) return Status::InvalidArgument("autoCondenseContext must be a boolean");
    o->auto_condense_context = v->get<bool>();
  }
  RETURN_IF_ERROR(Field(request, "autoCondenseContextPercent", &v));
  if (v) {
    if (!v->is_number()) {
      return Status::InvalidArgument("autoCondenseContextPercent must be a number");
    }
    o->auto_condense_context_percent = v->get<double>();
  }
  RETURN_IF_ERROR(Field(request, "profileThresholds", &v));
  if (v) {
    if (!v->is_object()) return Status::InvalidArgument("profileThresholds must be an object");
    for (auto it = v->begin(); it != v->end(); ++it) {
      if (!it->is_number()) {
        return Status::InvalidArgument("profileThresholds values must be numbers");
      }
      o->profile_thresholds[it.key()] = it->get<double>();
    }
  }
  RETURN_IF_ERROR(GetString(request, "currentProfileId", &o->current_profile_id));
  RETURN_IF_ERROR(GetString(request, "systemPrompt", &o->system_prompt));
  RETURN_IF_ERROR(GetString(request, "customCondensingPrompt", &o->custom_condensing_prompt));
  RETURN_IF_ERROR(GetString(request, "environmentDetails", &o->environment_details));
  RETURN_IF_ERROR(GetString(request, "cwd", &o->cwd));
  RETURN_IF_ERROR(Field(request, "metadata", &v));
  if (v) {
    if (!v->is_object()) return Status::InvalidArgument("metadata must be an object");
    o->metadata = *v;
  }
  RETURN_IF_ERROR(Field(request, "taskId", &v));
  if (v && v->is_string() && !o->metadata.contains("taskId")) o->metadata["taskId"] = *v;
  RETURN_IF_ERROR(Field(request, "filesReadByRoo", &v));
  if (v) {
    if (!v->is_array()) return Status::InvalidArgument("filesReadByRoo must be an array");
    for (const Json& f : *v) {
      if (!f.is_string()) return Status::InvalidArgument("filesReadByRoo must hold strings");
      o->files_read.push_back(f.get<std::string>());
    }
  }
  RETURN_IF_ERROR(GetInt(request, "totalTokens", &total));
  if (total) {
    o->total_tokens = *total;
  } else {
    // This port's convenience: the estimate of what the last request held.
    *estimated = true;
    const Json effective = GetEffectiveApiHistory(o->messages);
    int64_t sum = o->system_prompt.empty() ? 0 : CountTextTokens(o->system_prompt);
    for (size_t i = 0; i + 1 < effective.size(); ++i) {
      sum += CountContentTokens(effective[i].value(kContent, Json()));
    }
    o->total_tokens = sum;
  }
  RETURN_IF_ERROR(Field(request, "env", &v));
  if (v) {
    if (!v->is_object()) return Status::InvalidArgument("env must be an object");
    if (v->contains("now")) {
      if (!(*v)["now"].is_number()) return Status::InvalidArgument("env.now must be a number");
      *now_ms = (*v)["now"].get<int64_t>();
    }
    if (v->contains("ids")) {
      if (!(*v)["ids"].is_array()) return Status::InvalidArgument("env.ids must be an array");
      for (const Json& id : (*v)["ids"]) {
        if (!id.is_string()) return Status::InvalidArgument("env.ids must hold strings");
        ids->push_back(id.get<std::string>());
      }
    }
  }
  return Status::OK();
}

Json ManageResultToJson(const ManageResult& r) {
  Json j = Json::object();
  j["decision"] = DecisionName(r.decision);
  j["messages"] = r.messages;
  j["summary"] = r.summary;
  j["cost"] = r.cost;
  j["prevContextTokens"] = r.prev_context_tokens;
  if (r.new_context_tokens) j["newContextTokens"] = *r.new_context_tokens;
  if (!r.condense_id.empty()) j["condenseId"] = r.condense_id;
  if (!r.error.empty()) {
    j["error"] = r.error;
    j["errorKey"] = r.error_key;
    if (!r.error_details.is_null()) j["errorDetails"] = r.error_details;
  }
  if (r.truncation_id) j["truncationId"] = *r.truncation_id;
  if (r.messages_removed) j["messagesRemoved"] = *r.messages_removed;
  if (r.new_context_tokens_after_truncation) {
    j["newContextTokensAfterTruncation"] = *r.new_context_tokens_after_truncation;
  }
  const ManageArithmetic& a = r.arithmetic;
  Json explain = Json::object();
  explain["reservedTokens"] = a.reserved_tokens;
  explain["lastMessageTokens"] = a.last_message_tokens;
  explain["prevContextTokens"] = a.prev_context_tokens;
  explain["allowedTokens"] = a.allowed_tokens;
  explain["effectiveThreshold"] = a.effective_threshold;
  explain["contextPercent"] = a.context_percent;
  explain["overThreshold"] = a.over_threshold;
  explain["overAllowed"] = a.over_allowed;
  if (!a.threshold_warning.empty()) explain["warning"] = a.threshold_warning;
  j["explain"] = std::move(explain);
  return j;
}

Result<Json> HandleManageRequest(const Json& request, llm::ApiHandler* handler,
                                 const llm::ModelInfo* defaults,
                                 const std::atomic<bool>* cancel) {
  Json filled = request;
  if (defaults && filled.is_object()) {
    if (!filled.contains("contextWindow") || filled["contextWindow"].is_null()) {
      filled["contextWindow"] = defaults->context_window;
    }
    if ((!filled.contains("maxTokens") || filled["maxTokens"].is_null()) && defaults->max_tokens) {
      filled["maxTokens"] = *defaults->max_tokens;
    }
  }
  ManageOptions options;
  bool estimated = false;
  std::optional<int64_t> now;
  std::vector<std::string> ids;
  RETURN_IF_ERROR(ParseManageRequest(filled, &options, &estimated, &now, &ids));
  options.cancel = cancel;
  const bool will = WillManageContext(options);
  ManageResult result = ManageContext(options, handler, FixedEnv(std::move(ids), now));
  Json answer = ManageResultToJson(result);
  answer["totalTokensEstimated"] = estimated;
  answer["willManageContext"] = will;
  return answer;
}

ContextEnv FixedEnv(std::vector<std::string> ids, std::optional<int64_t> now_ms) {
  ContextEnv env = ContextEnv::Real();
  if (!ids.empty()) {
    auto queue = std::make_shared<std::deque<std::string>>(ids.begin(), ids.end());
    env.new_id = [queue] {
      if (queue->empty()) return RandomUuidV4();
      std::string id = std::move(queue->front());
      queue->pop_front();
      return id;
    };
  }
  if (now_ms) env.now_ms = [t = *now_ms] { return t; };
  return env;
}

SendResult SendWithContextRetries(const ManageOptions& options, llm::ApiHandler* handler,
                                  const llm::ChunkSink& sink, const ContextEnv& env) {
  SendResult result;
  result.messages = options.messages;
  ManageOptions current = options;
  const bool supports_images = handler->model().supports_images;
  for (int attempt = 0;; ++attempt) {
    llm::ApiRequest request;
    request.system_prompt = options.system_prompt;
    request.messages = ApiRequestMessages(GetEffectiveApiHistory(result.messages), supports_images);
    request.metadata = options.metadata;
    result.request_messages = request.messages;
    bool first_chunk_seen = false;
    result.error = handler->CreateMessage(
        request,
        [&](const llm::Chunk& chunk) {
          first_chunk_seen = true;
          sink(chunk);
        },
        options.cancel);
    if (result.error.ok() || first_chunk_seen || attempt >= kMaxContextWindowRetries ||
        !llm::IsContextWindowExceededError(result.error)) {
      return result;
    }
    // Forced reduction: keep the profile thresholds, force auto-condense at 75 %.
    current.messages = result.messages;
    current.auto_condense_context = true;
    current.auto_condense_context_percent = kForcedContextReductionPercent;
    ManageResult reduced = ManageContext(current, handler, env);
    if (reduced.decision == Decision::kCondensed && reduced.new_context_tokens) {
      current.total_tokens = *reduced.new_context_tokens;
    }
    result.messages = reduced.messages;
    result.reductions.push_back(std::move(reduced));
    ++result.retries;
  }
}

}  // namespace codeindex::context
