#include "scan/git_repo.h"

#include <cstdlib>
#include <string>
#include <utility>
#include <vector>

#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/file.h"

namespace codeindex {
namespace {

bool IsDir(const std::string& p) {
  struct stat st;
  return ::stat(p.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}
bool IsFile(const std::string& p) {
  struct stat st;
  return ::stat(p.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

std::string_view TrimSpace(std::string_view s) {
  while (!s.empty() &&
         (s.front() == ' ' || s.front() == '\t' || s.front() == '\n' || s.front() == '\r')) {
    s.remove_prefix(1);
  }
  while (!s.empty() &&
         (s.back() == ' ' || s.back() == '\t' || s.back() == '\n' || s.back() == '\r')) {
    s.remove_suffix(1);
  }
  return s;
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + ('a' - 'A'));
  }
  return out;
}

std::string JoinPath(std::string_view dir, std::string_view rel) {
  if (!rel.empty() && rel[0] == '/') return std::string(rel);
  std::string out(dir);
  if (out.empty() || out.back() != '/') out += '/';
  out += rel;
  return out;
}

std::string DirName(const std::string& path) {
  size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

std::string Getenv(const char* name) {
  const char* v = std::getenv(name);
  return v == nullptr ? std::string() : std::string(v);
}

struct ConfigState {
  std::optional<std::string> excludes_file;  // raw value, before `~` expansion
  bool ignore_case = false;
  std::vector<std::string> files;  // every file consulted
};

// Applies one config file, following include.path at its position (git allows 10 levels).
void ReadConfigFile(const std::string& path, int depth, ConfigState* state) {
  if (depth > 10) return;
  state->files.push_back(path);
  Result<std::string> text = ReadFile(path);
  if (!text.has_value()) return;
  for (const GitConfigEntry& e : ParseGitConfig(*text)) {
    if (e.key == "core.excludesfile") {
      if (e.value) state->excludes_file = *e.value;  // a bare key is an error in git
    } else if (e.key == "core.ignorecase") {
      state->ignore_case = e.value ? ParseGitBool(*e.value).value_or(false) : true;
    } else if (e.key == "include.path" && e.value) {
      std::string p = ExpandGitPath(*e.value);
      if (!p.empty() && p[0] != '/') p = JoinPath(DirName(path), p);
      ReadConfigFile(p, depth + 1, state);
    }
  }
}

}  // namespace

std::optional<bool> ParseGitBool(std::string_view value) {
  std::string v = Lower(TrimSpace(value));
  if (v == "true" || v == "yes" || v == "on") return true;
  if (v == "false" || v == "no" || v == "off" || v.empty()) return false;
  char* end = nullptr;
  long long n = std::strtoll(v.c_str(), &end, 10);
  if (end == v.c_str()) return std::nullopt;
  // git accepts a unit suffix (k, m, g) on integers.
  if (*end == 'k' || *end == 'm' || *end == 'g') ++end;
  if (*end != '\0') return std::nullopt;
  return n != 0;
}

std::string ExpandGitPath(std::string_view value) {
  if (value.empty() || value[0] != '~') return std::string(value);
  size_t slash = value.find('/');
  std::string_view user = value.substr(1, slash == std::string_view::npos ? value.npos : slash - 1);
  std::string rest = slash == std::string_view::npos ? "" : std::string(value.substr(slash));
  if (user.empty()) {
    std::string home = Getenv("HOME");
    if (home.empty()) return std::string(value);
    return home + rest;
  }
  std::string name(user);
  struct passwd* pw = ::getpwnam(name.c_str());
  if (pw == nullptr || pw->pw_dir == nullptr) return std::string(value);
  return std::string(pw->pw_dir) + rest;
}

std::vector<GitConfigEntry> ParseGitConfig(std::string_view text) {
  std::vector<GitConfigEntry> out;
  if (text.size() >= 3 && text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);
  std::string section;  // lower-cased "core", "include", or "" / "other" for the rest
  bool has_subsection = false;
  size_t i = 0;
  const size_t n = text.size();
  auto skip_to_eol = [&] {
    while (i < n && text[i] != '\n') ++i;
  };
  while (i < n) {
    char c = text[i];
    if (c == '\n' || c == ' ' || c == '\t' || c == '\r') {
      ++i;
      continue;
    }
    if (c == '#' || c == ';') {
      skip_to_eol();
      continue;
    }
    if (c == '[') {
      // [section], [section "subsection"] or the old [section.subsection].
      ++i;
      size_t start = i;
      while (i < n && text[i] != ']' && text[i] != ' ' && text[i] != '\t' && text[i] != '"' &&
             text[i] != '\n') {
        ++i;
      }
      std::string name = Lower(text.substr(start, i - start));
      has_subsection = false;
      if (name.find('.') != std::string::npos) has_subsection = true;
      while (i < n && (text[i] == ' ' || text[i] == '\t')) ++i;
      if (i < n && text[i] == '"') {
        has_subsection = true;
        ++i;
        while (i < n && text[i] != '"' && text[i] != '\n') {
          if (text[i] == '\\' && i + 1 < n) ++i;
          ++i;
        }
        if (i < n && text[i] == '"') ++i;
      }
      while (i < n && text[i] != ']' && text[i] != '\n') ++i;
      if (i < n && text[i] == ']') {
        ++i;
        section = name;
      } else {
        section = "";  // malformed header: ignore what follows until the next one
        has_subsection = true;
      }
      continue;
    }
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))) {
      skip_to_eol();
      continue;
    }
    size_t start = i;
    while (i < n && ((text[i] >= 'a' && text[i] <= 'z') || (text[i] >= 'A' && text[i] <= 'Z') ||
                     (text[i] >= '0' && text[i] <= '9') || text[i] == '-')) {
      ++i;
    }
    std::string key = Lower(text.substr(start, i - start));
    while (i < n && (text[i] == ' ' || text[i] == '\t')) ++i;
    std::optional<std::string> value;
    if (i < n && text[i] == '=') {
      ++i;
      // The value: leading blanks skipped, inner blanks kept, trailing blanks outside quotes
      // dropped, quotes removed, escapes \n \t \b \\ \" decoded, backslash-newline joins lines,
      // '#' or ';' outside quotes starts a comment.
      std::string v;
      bool quoted = false;
      size_t pending_space = 0;
      bool started = false;
      while (i < n) {
        char ch = text[i];
        if (ch == '\n' && !quoted) break;
        if (ch == '\n') {  // newline inside quotes: git rejects; stop the value here
          break;
        }
        if (!quoted && (ch == '#' || ch == ';')) {
          skip_to_eol();
          break;
        }
        if (!quoted && (ch == ' ' || ch == '\t')) {
          if (started) ++pending_space;
          ++i;
          continue;
        }
        if (ch == '\r' && i + 1 < n && text[i + 1] == '\n') {
          ++i;
          continue;
        }
        if (pending_space > 0) {
          v.append(pending_space, ' ');
          pending_space = 0;
        }
        started = true;
        if (ch == '"') {
          quoted = !quoted;
          ++i;
          continue;
        }
        if (ch == '\\' && i + 1 < n) {
          char e = text[i + 1];
          i += 2;
          if (e == '\n') continue;  // continuation line
          if (e == '\r' && i < n && text[i] == '\n') {
            ++i;
            continue;
          }
          if (e == 'n')
            v += '\n';
          else if (e == 't')
            v += '\t';
          else if (e == 'b') {
            if (!v.empty()) v.pop_back();
          } else if (e == '\\' || e == '"')
            v += e;
          else {
            // Invalid escape: git refuses the file. Keep the character.
            v += e;
          }
          continue;
        }
        v += ch;
        ++i;
      }
      value = std::move(v);
    } else {
      skip_to_eol();  // "key" alone means true; anything else on the line is malformed
    }
    if (!has_subsection && !section.empty()) {
      out.push_back({section + "." + key, std::move(value)});
    }
  }
  return out;
}

std::optional<GitRepo> OpenGitRepoAt(const std::string& dir) {
  std::string dotgit = JoinPath(dir, ".git");
  struct stat st;
  if (::stat(dotgit.c_str(), &st) != 0) return std::nullopt;
  GitRepo repo;
  repo.work_tree = dir;
  if (S_ISDIR(st.st_mode)) {
    repo.git_dir = dotgit;
  } else if (S_ISREG(st.st_mode)) {
    Result<std::string> text = ReadFile(dotgit);
    if (!text.has_value()) return std::nullopt;
    std::string_view t = *text;
    if (t.substr(0, 8) != "gitdir: ") return std::nullopt;
    t.remove_prefix(8);
    t = TrimSpace(t);
    if (t.empty()) return std::nullopt;
    repo.git_dir = JoinPath(dir, t);
  } else {
    return std::nullopt;
  }
  if (!IsFile(JoinPath(repo.git_dir, "HEAD")) && !IsDir(JoinPath(repo.git_dir, "HEAD"))) {
    // HEAD may be a symlink in old repositories; stat follows it. No HEAD: not a repository.
    return std::nullopt;
  }
  repo.common_dir = repo.git_dir;
  Result<std::string> common = ReadFile(JoinPath(repo.git_dir, "commondir"));
  if (common.has_value()) {
    std::string_view c = TrimSpace(*common);
    if (!c.empty()) repo.common_dir = JoinPath(repo.git_dir, c);
  }
  return repo;
}

std::optional<GitRepo> DiscoverGitRepo(const std::string& dir) {
  std::string d = dir;
  while (!d.empty() && d.size() > 1 && d.back() == '/') d.pop_back();
  for (;;) {
    if (std::optional<GitRepo> r = OpenGitRepoAt(d)) return r;
    if (d == "/" || d.empty()) return std::nullopt;
    d = DirName(d);
  }
}

GitIgnoreSettings ReadGitIgnoreSettings(const GitRepo& repo) {
  ConfigState state;
  if (!ParseGitBool(Getenv("GIT_CONFIG_NOSYSTEM")).value_or(false)) {
    std::string system = Getenv("GIT_CONFIG_SYSTEM");
    ReadConfigFile(system.empty() ? "/etc/gitconfig" : system, 0, &state);
  }
  const std::string home = Getenv("HOME");
  const std::string xdg = Getenv("XDG_CONFIG_HOME");
  std::string xdg_git;  // $XDG_CONFIG_HOME/git or ~/.config/git
  if (!xdg.empty())
    xdg_git = xdg + "/git";
  else if (!home.empty())
    xdg_git = home + "/.config/git";
  const char* global = std::getenv("GIT_CONFIG_GLOBAL");
  if (global != nullptr) {
    if (*global != '\0') ReadConfigFile(global, 0, &state);
  } else {
    if (!xdg_git.empty()) ReadConfigFile(xdg_git + "/config", 0, &state);
    if (!home.empty()) ReadConfigFile(home + "/.gitconfig", 0, &state);
  }
  ReadConfigFile(JoinPath(repo.common_dir, "config"), 0, &state);

  GitIgnoreSettings out;
  out.ignore_case = state.ignore_case;
  out.config_files = std::move(state.files);
  if (state.excludes_file.has_value()) {
    std::string p = ExpandGitPath(*state.excludes_file);
    if (!p.empty() && p[0] != '/') p = JoinPath(repo.work_tree, p);
    out.excludes_file = p;
  } else if (!xdg_git.empty()) {
    out.excludes_file = xdg_git + "/ignore";
  }
  return out;
}

}  // namespace codeindex
