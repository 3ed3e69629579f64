// A one-line progress bar on stderr for long operations (docs/interface.md: files, blocks, rate,
// ETA), drawn only when stderr is a terminal and redrawn at most 10 times a second.
//
// Thread safety: not thread-safe; call from one thread.
#ifndef CODEINDEX_CLI_PROGRESS_H_
#define CODEINDEX_CLI_PROGRESS_H_

#include <chrono>
#include <cstdint>
#include <string>

namespace codeindex::cli {

class ProgressBar {
 public:
  // `enabled` = false makes every call a no-op; by default, whether stderr is a TTY.
  explicit ProgressBar(std::string label);
  ProgressBar(std::string label, bool enabled);
  ~ProgressBar();
  ProgressBar(const ProgressBar&) = delete;
  ProgressBar& operator=(const ProgressBar&) = delete;

  void Update(uint64_t done, uint64_t total, uint64_t blocks);
  // Clears the line.
  void Finish();

  // The text of one frame, for tests: "label [####....] 12/40 files, 300 blocks,
  // 25 files/s, ETA 0:02".
  static std::string Render(const std::string& label, uint64_t done, uint64_t total,
                            uint64_t blocks, double seconds, int width);

 private:
  std::string label_;
  bool enabled_;
  bool drawn_ = false;
  std::chrono::steady_clock::time_point start_, last_;
};

}  // namespace codeindex::cli

#endif  // CODEINDEX_CLI_PROGRESS_H_
