#include "cli/progress.h"

#include <gtest/gtest.h>

namespace codeindex::cli {
namespace {

TEST(ProgressBarTest, RendersCountsRateAndEta) {
  std::string s = ProgressBar::Render("indexing", 10, 40, 300, 2.0, 100);
  EXPECT_NE(s.find("10/40 files"), std::string::npos) << s;
  EXPECT_NE(s.find("300 blocks"), std::string::npos) << s;
  EXPECT_NE(s.find("5 files/s"), std::string::npos) << s;
  EXPECT_NE(s.find("ETA 0:06"), std::string::npos) << s;  // 30 files left at 5/s
  EXPECT_LE(s.size(), 100u);
  size_t open = s.find('['), close = s.find(']');
  std::string bar = s.substr(open + 1, close - open - 1);
  size_t filled = std::count(bar.begin(), bar.end(), '#');
  EXPECT_NEAR(static_cast<double>(filled) / bar.size(), 0.25, 0.05);
}

TEST(ProgressBarTest, UnknownRateHasNoEta) {
  std::string s = ProgressBar::Render("indexing", 0, 10, 0, 0.0, 80);
  EXPECT_NE(s.find("ETA --:--"), std::string::npos) << s;
}

TEST(ProgressBarTest, DisabledBarWritesNothing) {
  testing::internal::CaptureStderr();
  {
    ProgressBar bar("x", false);
    bar.Update(1, 2, 3);
  }
  EXPECT_EQ(testing::internal::GetCapturedStderr(), "");
}

}  // namespace
}  // namespace codeindex::cli
