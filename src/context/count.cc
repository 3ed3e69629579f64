#include "context/count.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <vector>

#include "tokens/tokenizer.h"

namespace codeindex::context {
namespace {

const Tokenizer& O200k() { return Tokenizer::Get(TokenEncoding::kO200kBase); }

size_t Tokens(std::string_view text) { return text.empty() ? 0 : O200k().Count(text); }

// A string field, or "" when absent or not a string.
std::string_view Str(const Json& object, const char* key) {
  if (!object.is_object()) return {};
  auto it = object.find(key);
  if (it == object.end() || !it->is_string()) return {};
  return it->get_ref<const std::string&>();
}

// Whether `key` is a canonical array index ("0", "17"; below 2^32 - 1), which JavaScript
// orders before other keys, ascending.
bool IsArrayIndex(const std::string& key, uint64_t* value) {
  if (key.empty() || key.size() > 10) return false;
  if (key.size() > 1 && key[0] == '0') return false;
  uint64_t v = 0;
  for (char c : key) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + static_cast<uint64_t>(c - '0');
  }
  if (v >= 4294967295ull) return false;
  *value = v;
  return true;
}

std::vector<Json::const_iterator> JsKeyOrder(const Json& object) {
  std::vector<std::pair<uint64_t, Json::const_iterator>> indices;
  std::vector<Json::const_iterator> named;
  for (auto it = object.begin(); it != object.end(); ++it) {
    uint64_t v;
    if (IsArrayIndex(it.key(), &v)) {
      indices.emplace_back(v, it);
    } else {
      named.push_back(it);
    }
  }
  std::vector<Json::const_iterator> out;
  if (indices.empty()) return named;
  std::sort(indices.begin(), indices.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  for (auto& [v, it] : indices) out.push_back(it);
  out.insert(out.end(), named.begin(), named.end());
  return out;
}

void QuoteJs(std::string_view s, std::string* out) {
  out->push_back('"');
  for (unsigned char c : s) {
    switch (c) {
      case '"': *out += "\\\""; break;
      case '\\': *out += "\\\\"; break;
      case '\b': *out += "\\b"; break;
      case '\f': *out += "\\f"; break;
      case '\n': *out += "\\n"; break;
      case '\r': *out += "\\r"; break;
      case '\t': *out += "\\t"; break;
      default:
        if (c < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          *out += buf;
        } else {
          out->push_back(static_cast<char>(c));
        }
    }
  }
  out->push_back('"');
}

std::string NumberOf(const Json& v) {
  if (v.is_number_float()) return JsNumber(v.get<double>());
  constexpr uint64_t kSafe = 1ull << 53;  // integers beyond this are doubles in JavaScript
  if (v.is_number_unsigned()) {
    const uint64_t u = v.get<uint64_t>();
    return u <= kSafe ? std::to_string(u) : JsNumber(static_cast<double>(u));
  }
  const int64_t i = v.get<int64_t>();
  const uint64_t mag = i < 0 ? 0 - static_cast<uint64_t>(i) : static_cast<uint64_t>(i);
  return mag <= kSafe ? std::to_string(i) : JsNumber(static_cast<double>(i));
}

void Stringify(const Json& v, int indent, int level, std::string* out) {
  switch (v.type()) {
    case Json::value_t::null:
    case Json::value_t::discarded:
      *out += "null";
      return;
    case Json::value_t::boolean:
      *out += v.get<bool>() ? "true" : "false";
      return;
    case Json::value_t::number_integer:
    case Json::value_t::number_unsigned:
    case Json::value_t::number_float: {
      const std::string n = NumberOf(v);
      // JSON.stringify writes non-finite numbers as null.
      *out += (n == "NaN" || n == "Infinity" || n == "-Infinity") ? "null" : n;
      return;
    }
    case Json::value_t::string:
      QuoteJs(v.get_ref<const std::string&>(), out);
      return;
    case Json::value_t::binary:
      *out += "{}";
      return;
    case Json::value_t::array:
    case Json::value_t::object:
      break;
  }
  const bool is_array = v.is_array();
  if (v.empty()) {
    *out += is_array ? "[]" : "{}";
    return;
  }
  out->push_back(is_array ? '[' : '{');
  const std::string inner = indent > 0 ? "\n" + std::string((level + 1) * indent, ' ') : "";
  bool first = true;
  auto item = [&](const std::string* key, const Json& value) {
    if (!first) out->push_back(',');
    first = false;
    *out += inner;
    if (key) {
      QuoteJs(*key, out);
      *out += indent > 0 ? ": " : ":";
    }
    Stringify(value, indent, level + 1, out);
  };
  if (is_array) {
    for (const Json& e : v) item(nullptr, e);
  } else {
    for (const auto& it : JsKeyOrder(v)) item(&it.key(), it.value());
  }
  if (indent > 0) *out += "\n" + std::string(level * indent, ' ');
  out->push_back(is_array ? ']' : '}');
}

std::string SerializeToolUse(const Json& block) {
  std::string s = "Tool: ";
  s += JsString(block.contains("name") ? block["name"] : Json());
  if (block.contains("input")) {
    s += "\nArguments: ";
    s += JsStringify(block["input"]);
  }
  return s;
}

std::string SerializeToolResult(const Json& block) {
  std::vector<std::string> parts;
  parts.push_back("Tool Result (" +
                  JsString(block.contains("tool_use_id") ? block["tool_use_id"] : Json()) + ")");
  if (Truthy(block, "is_error")) parts.push_back("[Error]");
  auto it = block.find("content");
  if (it != block.end()) {
    if (it->is_string()) {
      parts.push_back(it->get<std::string>());
    } else if (it->is_array()) {
      for (const Json& item : *it) {
        const std::string_view type = Str(item, "type");
        if (type == "text") {
          parts.emplace_back(Str(item, "text"));
        } else if (type == "image") {
          parts.push_back("[Image content]");
        } else {
          const bool has_type = item.is_object() && item.contains("type");
          parts.push_back("[Unsupported content block: " +
                          (has_type ? JsString(item["type"]) : std::string("undefined")) + "]");
        }
      }
    }
  }
  std::string s;
  for (size_t i = 0; i < parts.size(); ++i) {
    if (i) s.push_back('\n');
    s += parts[i];
  }
  return s;
}

}  // namespace

int64_t CountTokens(const Json& blocks) {
  if (!blocks.is_array() || blocks.empty()) return 0;
  uint64_t total = 0;
  for (const Json& block : blocks) {
    const std::string_view type = Str(block, "type");
    if (type == "text") {
      total += Tokens(Str(block, "text"));
    } else if (type == "image") {
      auto src = block.find("source");
      if (src != block.end() && src->is_object() && src->contains("data")) {
        const Json& data = (*src)["data"];
        if (data.is_string()) {
          const double len = static_cast<double>(Utf16Length(data.get_ref<const std::string&>()));
          total += static_cast<uint64_t>(std::ceil(std::sqrt(len)));
        }
      } else {
        total += kImageWithoutDataTokens;
      }
    } else if (type == "tool_use") {
      total += Tokens(SerializeToolUse(block));
    } else if (type == "tool_result") {
      total += Tokens(SerializeToolResult(block));
    }
  }
  return static_cast<int64_t>(OriginalContextEstimate(total));
}

int64_t CountContentTokens(const Json& content) {
  if (content.is_string()) return CountTextTokens(content.get_ref<const std::string&>());
  if (content.is_array()) return CountTokens(content);
  return 0;
}

int64_t CountTextTokens(std::string_view text) {
  return static_cast<int64_t>(OriginalContextEstimate(Tokens(text)));
}

std::string JsNumber(double v) {
  if (std::isnan(v)) return "NaN";
  if (v == 0) return "0";
  if (std::isinf(v)) return v < 0 ? "-Infinity" : "Infinity";
  std::string sign;
  if (v < 0) {
    sign = "-";
    v = -v;
  }
  // Shortest round-trip digits and exponent: "d.ddde+XX".
  char buf[64];
  auto res = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::scientific);
  std::string_view sci(buf, static_cast<size_t>(res.ptr - buf));
  const size_t e = sci.find('e');
  std::string digits;
  for (char c : sci.substr(0, e)) {
    if (c != '.') digits.push_back(c);
  }
  const int exp10 = std::stoi(std::string(sci.substr(e + 1)));
  const int k = static_cast<int>(digits.size());
  const int n = exp10 + 1;
  std::string out;
  if (k <= n && n <= 21) {
    out = digits + std::string(static_cast<size_t>(n - k), '0');
  } else if (0 < n && n <= 21) {
    out = digits.substr(0, static_cast<size_t>(n)) + "." + digits.substr(static_cast<size_t>(n));
  } else if (-6 < n && n <= 0) {
    out = "0." + std::string(static_cast<size_t>(-n), '0') + digits;
  } else {
    out = digits.substr(0, 1);
    if (k > 1) out += "." + digits.substr(1);
    out += n - 1 >= 0 ? "e+" : "e-";
    out += std::to_string(std::abs(n - 1));
  }
  return sign + out;
}

std::string JsStringify(const Json& value, int indent) {
  std::string out;
  Stringify(value, indent, 0, &out);
  return out;
}

std::string JsString(const Json& value) {
  switch (value.type()) {
    case Json::value_t::string:
      return value.get<std::string>();
    case Json::value_t::null:
      return "null";
    case Json::value_t::boolean:
      return value.get<bool>() ? "true" : "false";
    case Json::value_t::number_integer:
    case Json::value_t::number_unsigned:
    case Json::value_t::number_float:
      return NumberOf(value);
    case Json::value_t::array: {
      std::string s;
      for (size_t i = 0; i < value.size(); ++i) {
        if (i) s.push_back(',');
        if (!value[i].is_null()) s += JsString(value[i]);
      }
      return s;
    }
    case Json::value_t::object:
      return "[object Object]";
    default:
      return "undefined";
  }
}

size_t Utf16Length(std::string_view s) {
  size_t units = 0;
  for (size_t i = 0; i < s.size();) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    size_t len = c < 0x80 ? 1 : c < 0xC2 ? 0 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : c < 0xF5 ? 4 : 0;
    bool valid = len > 0 && i + len <= s.size();
    for (size_t k = 1; valid && k < len; ++k) {
      valid = (static_cast<unsigned char>(s[i + k]) & 0xC0) == 0x80;
    }
    if (!valid) {
      ++units;
      ++i;
      continue;
    }
    units += len == 4 ? 2 : 1;
    i += len;
  }
  return units;
}

std::string_view Utf16Prefix(std::string_view s, size_t max_units) {
  size_t units = 0;
  size_t i = 0;
  while (i < s.size()) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    size_t len = c < 0x80 ? 1 : c < 0xC2 ? 0 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : c < 0xF5 ? 4 : 0;
    bool valid = len > 0 && i + len <= s.size();
    for (size_t k = 1; valid && k < len; ++k) {
      valid = (static_cast<unsigned char>(s[i + k]) & 0xC0) == 0x80;
    }
    const size_t u = valid && len == 4 ? 2 : 1;
    if (!valid) len = 1;
    if (units + u > max_units) break;
    units += u;
    i += len;
  }
  return s.substr(0, i);
}

}  // namespace codeindex::context
