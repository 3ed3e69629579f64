#include "base/file.h"

#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>

#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

namespace codeindex {
namespace {

namespace fs = std::filesystem;

class ReadRegularFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (fs::temp_directory_path() / "codeindex-file-XXXXXX").string();
    ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
    tmp_ = fs::canonical(tmpl).string();
    fs::create_directories(tmp_ + "/ws");
    std::ofstream(tmp_ + "/ws/a.py") << "x = 1\n";
    std::ofstream(tmp_ + "/secret.py") << "password\n";
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(tmp_, ec);
  }
  std::string tmp_;
};

TEST_F(ReadRegularFileTest, ReadsAFileInside) {
  Result<std::string> r = ReadRegularFile(tmp_ + "/ws/a.py", 1 << 20, tmp_ + "/ws");
  ASSERT_TRUE(r.has_value()) << r.error().ToString();
  EXPECT_EQ(*r, "x = 1\n");
}

TEST_F(ReadRegularFileTest, RefusesALinkThatLeadsOutside) {
  fs::create_symlink(tmp_ + "/secret.py", tmp_ + "/ws/leak.py");
  Result<std::string> r = ReadRegularFile(tmp_ + "/ws/leak.py", 1 << 20, tmp_ + "/ws");
  ASSERT_FALSE(r.has_value());
  EXPECT_NE(r.error().message().find("outside the workspace"), std::string::npos);
  // Without a boundary the link is read.
  EXPECT_TRUE(ReadRegularFile(tmp_ + "/ws/leak.py", 1 << 20).has_value());
  // A link to a file inside is fine.
  fs::create_symlink("a.py", tmp_ + "/ws/b.py");
  EXPECT_TRUE(ReadRegularFile(tmp_ + "/ws/b.py", 1 << 20, tmp_ + "/ws").has_value());
}

TEST_F(ReadRegularFileTest, AFifoDoesNotBlock) {
  ASSERT_EQ(::mkfifo((tmp_ + "/ws/pipe.py").c_str(), 0644), 0);
  auto start = std::chrono::steady_clock::now();
  Result<std::string> r = ReadRegularFile(tmp_ + "/ws/pipe.py", 1 << 20, tmp_ + "/ws");
  ASSERT_FALSE(r.has_value());
  EXPECT_NE(r.error().message().find("not a regular file"), std::string::npos);
  Result<MappedFile> m = MappedFile::Open(tmp_ + "/ws/pipe.py");
  EXPECT_FALSE(m.has_value());
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
}

TEST_F(ReadRegularFileTest, RefusesAFileLargerThanTheLimit) {
  Result<std::string> r = ReadRegularFile(tmp_ + "/ws/a.py", 3, tmp_ + "/ws");
  ASSERT_FALSE(r.has_value());
  EXPECT_NE(r.error().message().find("larger than 3 bytes"), std::string::npos);
}

}  // namespace
}  // namespace codeindex
