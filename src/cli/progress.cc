#include "cli/progress.h"

#include <sys/ioctl.h>
#include <unistd.h>

#include <cstdio>

namespace codeindex::cli {

ProgressBar::ProgressBar(std::string label) : ProgressBar(std::move(label), isatty(2) == 1) {}

ProgressBar::ProgressBar(std::string label, bool enabled)
    : label_(std::move(label)), enabled_(enabled), start_(std::chrono::steady_clock::now()) {}

ProgressBar::~ProgressBar() { Finish(); }

std::string ProgressBar::Render(const std::string& label, uint64_t done, uint64_t total,
                                uint64_t blocks, double seconds, int width) {
  char tail[160];
  double rate = seconds > 0 ? static_cast<double>(done) / seconds : 0;
  std::string eta = "--:--";
  if (rate > 0 && total >= done) {
    auto left = static_cast<uint64_t>(static_cast<double>(total - done) / rate + 0.5);
    char buf[32];
    std::snprintf(buf, sizeof buf, "%llu:%02llu", static_cast<unsigned long long>(left / 60),
                  static_cast<unsigned long long>(left % 60));
    eta = buf;
  }
  std::snprintf(tail, sizeof tail, " %llu/%llu files, %llu blocks, %.0f files/s, ETA %s",
                static_cast<unsigned long long>(done), static_cast<unsigned long long>(total),
                static_cast<unsigned long long>(blocks), rate, eta.c_str());
  int bar = width - static_cast<int>(label.size()) - static_cast<int>(std::string(tail).size()) - 3;
  std::string out = label + " [";
  if (bar > 4) {
    int filled = total > 0 ? static_cast<int>(static_cast<double>(bar) *
                                              static_cast<double>(done) / static_cast<double>(total))
                           : 0;
    if (filled > bar) filled = bar;
    out += std::string(static_cast<size_t>(filled), '#') +
           std::string(static_cast<size_t>(bar - filled), '.');
  }
  out += "]";
  out += tail;
  return out;
}

void ProgressBar::Update(uint64_t done, uint64_t total, uint64_t blocks) {
  if (!enabled_) return;
  auto now = std::chrono::steady_clock::now();
  if (drawn_ && now - last_ < std::chrono::milliseconds(100) && done != total) return;
  last_ = now;
  winsize ws{};
  int width = ioctl(2, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 20 ? ws.ws_col : 80;
  std::string line = Render(label_, done, total, blocks,
                            std::chrono::duration<double>(now - start_).count(), width - 1);
  std::fprintf(stderr, "\r%s\x1b[K", line.c_str());
  std::fflush(stderr);
  drawn_ = true;
}

void ProgressBar::Finish() {
  if (enabled_ && drawn_) {
    std::fprintf(stderr, "\r\x1b[K");
    std::fflush(stderr);
    drawn_ = false;
  }
}

}  // namespace codeindex::cli
