#include "context/context.h"

#include <chrono>
#include <cstdio>
#include <random>

namespace codeindex::context {

std::string RandomUuidV4() {
  static thread_local std::mt19937_64 rng([] {
    std::random_device rd;
    std::seed_seq seq{rd(), rd(), rd(), rd(), rd(), rd(), rd(), rd()};
    return std::mt19937_64(seq);
  }());
  uint64_t hi = rng(), lo = rng();
  hi = (hi & 0xFFFFFFFFFFFF0FFFull) | 0x0000000000004000ull;  // version 4
  lo = (lo & 0x3FFFFFFFFFFFFFFFull) | 0x8000000000000000ull;  // variant 10
  char buf[40];
  std::snprintf(buf, sizeof buf, "%08x-%04x-%04x-%04x-%012llx", static_cast<unsigned>(hi >> 32),
                static_cast<unsigned>((hi >> 16) & 0xFFFF), static_cast<unsigned>(hi & 0xFFFF),
                static_cast<unsigned>(lo >> 48),
                static_cast<unsigned long long>(lo & 0xFFFFFFFFFFFFull));
  return buf;
}

ContextEnv ContextEnv::Real() {
  ContextEnv env;
  env.new_id = RandomUuidV4;
  env.now_ms = [] {
    return static_cast<int64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                    std::chrono::system_clock::now().time_since_epoch())
                                    .count());
  };
  return env;
}

bool Truthy(const Json& message, const char* field) {
  if (!message.is_object()) return false;
  auto it = message.find(field);
  if (it == message.end()) return false;
  switch (it->type()) {
    case Json::value_t::null:
    case Json::value_t::discarded:
      return false;
    case Json::value_t::boolean:
      return it->get<bool>();
    case Json::value_t::string:
      return !it->get_ref<const std::string&>().empty();
    case Json::value_t::number_integer:
    case Json::value_t::number_unsigned:
      return it->get<int64_t>() != 0;
    case Json::value_t::number_float: {
      const double d = it->get<double>();
      return d == d && d != 0;
    }
    default:
      return true;  // objects and arrays
  }
}

std::string StringField(const Json& message, const char* field) {
  if (!message.is_object()) return {};
  auto it = message.find(field);
  if (it == message.end() || !it->is_string()) return {};
  return it->get<std::string>();
}

Status ValidateMessages(const Json& messages) {
  if (!messages.is_array()) return Status::InvalidArgument("messages must be an array");
  for (size_t i = 0; i < messages.size(); ++i) {
    const Json& m = messages[i];
    const std::string where = "messages[" + std::to_string(i) + "]";
    if (!m.is_object()) return Status::InvalidArgument(where + " must be an object");
    auto role = m.find(kRole);
    if (role == m.end() || !role->is_string()) {
      return Status::InvalidArgument(where + ".role must be a string");
    }
    auto content = m.find(kContent);
    if (content == m.end() || !(content->is_string() || content->is_array())) {
      return Status::InvalidArgument(where + ".content must be a string or an array of blocks");
    }
    if (content->is_array()) {
      for (size_t k = 0; k < content->size(); ++k) {
        if (!(*content)[k].is_object() || !(*content)[k].contains("type")) {
          return Status::InvalidArgument(where + ".content[" + std::to_string(k) +
                                         "] must be an object with a type");
        }
      }
    }
    auto ts = m.find(kTs);
    if (ts != m.end() && !ts->is_number()) {
      return Status::InvalidArgument(where + ".ts must be a number (milliseconds)");
    }
  }
  return Status::OK();
}

}  // namespace codeindex::context
