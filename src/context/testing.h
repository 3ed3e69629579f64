// Test helpers of the context stage: a scripted ApiHandler and message builders.
#ifndef CODEINDEX_CONTEXT_TESTING_H_
#define CODEINDEX_CONTEXT_TESTING_H_

#include <deque>
#include <memory>
#include <string>
#include <vector>

#include "context/context.h"
#include "llm/api.h"

namespace codeindex::context::testing {

// Answers each CreateMessage with the next scripted reply (chunks, then an error or not) and
// records the requests.
class ScriptedHandler : public llm::ApiHandler {
 public:
  struct Reply {
    std::vector<llm::Chunk> chunks;
    llm::ApiError error;
  };
  llm::ModelInfo info;
  std::deque<Reply> replies;
  std::vector<llm::ApiRequest> requests;

  void Answer(std::string text, double cost = 0) {
    Reply r;
    r.chunks.push_back(llm::Chunk::Text(std::move(text)));
    llm::Usage u;
    u.input_tokens = 100;
    u.output_tokens = 10;
    u.total_cost = cost;
    r.chunks.push_back(llm::Chunk::UsageChunk(u));
    replies.push_back(std::move(r));
  }
  void Fail(llm::ApiError error) {
    Reply r;
    r.error = std::move(error);
    replies.push_back(std::move(r));
  }

  llm::ModelInfo model() const override { return info; }
  llm::ApiError CreateMessage(const llm::ApiRequest& request, const llm::ChunkSink& sink,
                              const std::atomic<bool>* = nullptr) override {
    requests.push_back(request);
    if (replies.empty()) {
      llm::ApiError e;
      e.kind = llm::ApiError::Kind::kTransport;
      e.message = "no scripted reply";
      return e;
    }
    Reply r = std::move(replies.front());
    replies.pop_front();
    for (const llm::Chunk& c : r.chunks) sink(c);
    return r.error;
  }
};

inline Json Msg(const char* role, Json content, int64_t ts) {
  return Json{{kRole, role}, {kContent, std::move(content)}, {kTs, ts}};
}

// Ids "id-1", "id-2", ... and a fixed clock.
inline ContextEnv CountingEnv(int64_t now = 1'000'000) {
  auto counter = std::make_shared<int>(0);
  ContextEnv env;
  env.new_id = [counter] { return "id-" + std::to_string(++*counter); };
  env.now_ms = [now] { return now; };
  return env;
}

}  // namespace codeindex::context::testing

#endif  // CODEINDEX_CONTEXT_TESTING_H_
