#include "train/denylist.h"

#include "base/file.h"

namespace codeindex::train {

std::vector<std::string> NameTokens(std::string_view s) {
  std::vector<std::string> out;
  std::string cur;
  for (char c : s) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
    if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
      cur.push_back(c);
    } else if (!cur.empty()) {
      out.push_back(std::move(cur));
      cur.clear();
    }
  }
  if (!cur.empty()) out.push_back(std::move(cur));
  return out;
}

namespace {

bool AllDigits(std::string_view s) {
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

bool TokenMatches(std::string_view t, std::string_view k, bool first) {
  if (t.size() >= k.size() && t.substr(0, k.size()) == k && AllDigits(t.substr(k.size()))) {
    return true;
  }
  return first && t.size() > 3 && t.substr(0, 3) == "lib" && TokenMatches(t.substr(3), k, false);
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) {
    s.remove_suffix(1);
  }
  return s;
}

}  // namespace

Result<Denylist> Denylist::Parse(std::string_view text) {
  Denylist d;
  size_t pos = 0;
  int line_no = 0;
  while (pos < text.size()) {
    size_t nl = text.find('\n', pos);
    if (nl == std::string_view::npos) nl = text.size();
    std::string_view line = text.substr(pos, nl - pos);
    pos = nl + 1;
    ++line_no;
    if (const size_t hash = line.find('#'); hash != std::string_view::npos) {
      line = line.substr(0, hash);
    }
    line = Trim(line);
    if (line.empty()) continue;
    Entry e;
    const size_t colon = line.find(':');
    e.repo = std::string(Trim(line.substr(0, colon)));
    const size_t slash = e.repo.find('/');
    if (slash == std::string::npos || slash == 0 || slash + 1 == e.repo.size()) {
      return Status::InvalidArgument("denylist line " + std::to_string(line_no) +
                                     ": expected owner/name");
    }
    if (colon != std::string_view::npos) {
      std::string_view rest = line.substr(colon + 1);
      while (!(rest = Trim(rest)).empty()) {
        const size_t sp = rest.find_first_of(" \t");
        e.keys.emplace_back(rest.substr(0, sp));
        rest = sp == std::string_view::npos ? std::string_view() : rest.substr(sp);
      }
      if (e.keys.empty()) {
        return Status::InvalidArgument("denylist line " + std::to_string(line_no) +
                                       ": ':' without keys");
      }
    } else {
      e.keys.push_back(e.repo.substr(slash + 1));
    }
    for (const std::string& k : e.keys) {
      std::vector<std::string> toks = NameTokens(k);
      if (toks.empty()) {
        return Status::InvalidArgument("denylist line " + std::to_string(line_no) +
                                       ": empty key");
      }
      d.keys_.emplace_back(std::move(toks), d.entries_.size());
    }
    d.entries_.push_back(std::move(e));
  }
  return d;
}

Result<Denylist> Denylist::Load(const std::string& path) {
  Result<std::string> text = ReadFile(path);
  if (!text.ok()) return text.error();
  return Parse(*text);
}

const Denylist::Entry* Denylist::Match(std::string_view name) const {
  const std::vector<std::string> toks = NameTokens(name);
  for (const auto& [key, entry] : keys_) {
    for (size_t i = 0; i + key.size() <= toks.size(); ++i) {
      bool all = true;
      for (size_t j = 0; j < key.size() && all; ++j) {
        all = TokenMatches(toks[i + j], key[j], j == 0);
      }
      if (all) return &entries_[entry];
    }
  }
  return nullptr;
}

const Denylist::Entry* Denylist::MatchPath(std::string_view path) const {
  size_t pos = 0;
  while (pos <= path.size()) {
    size_t slash = path.find('/', pos);
    if (slash == std::string_view::npos) slash = path.size();
    if (slash > pos) {
      if (const Entry* e = Match(path.substr(pos, slash - pos))) return e;
    }
    pos = slash + 1;
  }
  return nullptr;
}

}  // namespace codeindex::train
