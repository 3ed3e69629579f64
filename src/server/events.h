// Fan-out of server events to Server-Sent Events clients (GET /v1/events).
//
// Event types and their `data` (one JSON object per event; docs/http-api.md):
//   state     {"state": "Indexing"|"Indexed"|"Standby"|"Error", "message": "...", ...}
//   progress  {"phase": "recovering"|"scanning"|"indexing"|"done", "files_done": N,
//              "files_total": N, "blocks": N}
//   indexed   {"file_path": "src/a.py", "blocks": N}   (N = 0: removed, or no block left)
// Every event gets a process-wide increasing id (the SSE `id:` field).
//
// Thread safety: all methods are thread-safe. Publish() calls every sink synchronously
// under the bus's lock, so a sink must not block and must not call back into the bus; after
// Unsubscribe() returns, its sink is never called again.
#ifndef CODEINDEX_SERVER_EVENTS_H_
#define CODEINDEX_SERVER_EVENTS_H_

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>

namespace codeindex {

struct Event {
  uint64_t id = 0;
  std::string type;
  std::string data;  // JSON text without newlines
};

// "id: N\nevent: TYPE\ndata: DATA\n\n" (newlines inside data, which JSON text never
// has, would be split into several data: lines as the SSE format requires).
std::string FormatSse(const Event& e);

class EventBus {
 public:
  using Sink = std::function<void(const std::shared_ptr<const Event>&)>;

  EventBus() = default;
  EventBus(const EventBus&) = delete;
  EventBus& operator=(const EventBus&) = delete;

  uint64_t Subscribe(Sink sink);
  void Unsubscribe(uint64_t subscription);
  void Publish(std::string type, std::string data);
  size_t subscribers() const;
  uint64_t published() const;

 private:
  mutable std::mutex mu_;
  std::map<uint64_t, Sink> sinks_;  // GUARDED_BY(mu_)
  uint64_t next_subscription_ = 1;  // GUARDED_BY(mu_)
  uint64_t next_event_ = 1;         // GUARDED_BY(mu_)
};

}  // namespace codeindex

#endif  // CODEINDEX_SERVER_EVENTS_H_
