// Test harness for end-to-end tests: temporary workspaces and running the real
// `codeindex` binary (path in $CODEINDEX_BIN, set by ctest) with captured output.
#ifndef CODEINDEX_TESTS_E2E_HARNESS_H_
#define CODEINDEX_TESTS_E2E_HARNESS_H_

#include <string>
#include <vector>

namespace codeindex::testing {

struct RunResult {
  int exit_code = -1;  // exit status, or 128 + signal number
  std::string out;
  std::string err;
};

// Runs `codeindex args...` in `cwd` (empty: current directory), with `stdin_data` on stdin.
RunResult RunCodeindex(const std::vector<std::string>& args, const std::string& cwd = "",
                       const std::string& stdin_data = "");
// Runs any program (argv[0] looked up in PATH).
RunResult RunProgram(const std::vector<std::string>& argv, const std::string& cwd = "",
                     const std::string& stdin_data = "");

// A fresh directory under $TMPDIR, removed (recursively) on destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& path() const { return path_; }
  // Writes `content` to `rel` (creating parent directories); returns the full path.
  std::string Write(const std::string& rel, const std::string& content) const;
  std::string Mkdir(const std::string& rel) const;

 private:
  std::string path_;
};

std::vector<std::string> SplitLines(const std::string& s);

}  // namespace codeindex::testing

#endif  // CODEINDEX_TESTS_E2E_HARNESS_H_
