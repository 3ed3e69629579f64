// The codebases the default embedding model must never be trained on (train/denylist.txt, a
// copy of ../shared/devbench/DENYLIST.md with matching keys): the search-quality benchmarks
// measure on them, so a model that saw them would make every number meaningless.
//
// Matching rule (also in train/pick-corpus): a name (a Debian or npm package name, or one
// component of a file path) is lower-cased and cut into tokens at every character that is
// not a-z or 0-9. A key ("serde-json", "jinja") is cut the same way. The name matches the key
// when a run of consecutive tokens equals the key's tokens, each name token allowed a numeric
// suffix ("jinja2", "lang3", "libuv1") and the run's first token a "lib" prefix ("libcurl4",
// "libguava"). So python3-jinja2, golang-github-sirupsen-logrus-dev, librust-serde-json-dev,
// serde_json-1.0.87, @babel/core and node_modules/lodash all match, and the rule errs on the
// side of dropping (python3-regex matches rust-lang/regex's key "regex").
#ifndef CODEINDEX_TRAIN_DENYLIST_H_
#define CODEINDEX_TRAIN_DENYLIST_H_

#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace codeindex::train {

class Denylist {
 public:
  struct Entry {
    std::string repo;               // "owner/name"
    std::vector<std::string> keys;  // the name, or the keys after ':'
  };

  // Parses the text of train/denylist.txt ('#' comments, one `owner/name[: keys...]` a line).
  static Result<Denylist> Parse(std::string_view text);
  // Reads and parses `path`.
  static Result<Denylist> Load(const std::string& path);

  // The entry whose key `name` matches (see the file comment), or nullptr.
  const Entry* Match(std::string_view name) const;
  // The entry matched by any '/'-separated component of `path`, or nullptr.
  const Entry* MatchPath(std::string_view path) const;

  const std::vector<Entry>& entries() const { return entries_; }

 private:
  std::vector<Entry> entries_;
  std::vector<std::pair<std::vector<std::string>, size_t>> keys_;  // tokens -> entry index
};

// Lower-case a-z0-9 tokens of `s`.
std::vector<std::string> NameTokens(std::string_view s);

}  // namespace codeindex::train

#endif  // CODEINDEX_TRAIN_DENYLIST_H_
