#include "server/events.h"

namespace codeindex {

std::string FormatSse(const Event& e) {
  std::string s = "id: " + std::to_string(e.id) + "\nevent: " + e.type + "\n";
  size_t pos = 0;
  for (;;) {
    size_t nl = e.data.find('\n', pos);
    s += "data: ";
    s.append(e.data, pos, nl == std::string::npos ? std::string::npos : nl - pos);
    s += '\n';
    if (nl == std::string::npos) break;
    pos = nl + 1;
  }
  s += '\n';
  return s;
}

uint64_t EventBus::Subscribe(Sink sink) {
  std::lock_guard lock(mu_);
  uint64_t id = next_subscription_++;
  sinks_.emplace(id, std::move(sink));
  return id;
}

void EventBus::Unsubscribe(uint64_t subscription) {
  std::lock_guard lock(mu_);
  sinks_.erase(subscription);
}

void EventBus::Publish(std::string type, std::string data) {
  std::lock_guard lock(mu_);
  auto e = std::make_shared<Event>();
  e->id = next_event_++;
  e->type = std::move(type);
  e->data = std::move(data);
  std::shared_ptr<const Event> ce = std::move(e);
  for (auto& [id, sink] : sinks_) sink(ce);
}

size_t EventBus::subscribers() const {
  std::lock_guard lock(mu_);
  return sinks_.size();
}

uint64_t EventBus::published() const {
  std::lock_guard lock(mu_);
  return next_event_ - 1;
}

}  // namespace codeindex
