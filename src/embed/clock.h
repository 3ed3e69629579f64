// Time seam for the remote embedders (internal to embed): retries and 429 pauses read the
// time and sleep through a Clock, so that tests replace it with a FakeClock and run the whole
// back-off schedule in microseconds.
//
// Thread safety: implementations are thread-safe.
#ifndef CODEINDEX_EMBED_CLOCK_H_
#define CODEINDEX_EMBED_CLOCK_H_

#include <cstdint>
#include <mutex>
#include <vector>

namespace codeindex {

class Clock {
 public:
  virtual ~Clock() = default;
  // Milliseconds since an arbitrary epoch, monotonic.
  virtual int64_t NowMs() = 0;
  virtual void SleepMs(int64_t ms) = 0;
  // The process-wide steady clock.
  static Clock* Real();
};

// A clock that only moves when slept on (or advanced); records every sleep.
class FakeClock final : public Clock {
 public:
  explicit FakeClock(int64_t start_ms = 1'000'000) : now_(start_ms) {}
  int64_t NowMs() override {
    std::lock_guard<std::mutex> l(mu_);
    return now_;
  }
  void SleepMs(int64_t ms) override {
    std::lock_guard<std::mutex> l(mu_);
    sleeps_.push_back(ms);
    if (ms > 0) now_ += ms;
  }
  void Advance(int64_t ms) {
    std::lock_guard<std::mutex> l(mu_);
    now_ += ms;
  }
  std::vector<int64_t> sleeps() {
    std::lock_guard<std::mutex> l(mu_);
    return sleeps_;
  }

 private:
  std::mutex mu_;
  int64_t now_;
  std::vector<int64_t> sleeps_;
};

}  // namespace codeindex

#endif  // CODEINDEX_EMBED_CLOCK_H_
