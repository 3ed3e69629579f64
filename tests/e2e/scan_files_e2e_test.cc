// `codeindex files`: output formats, errors and exit codes of the real binary.
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <sys/stat.h>
#include <unistd.h>

#include "harness.h"

namespace codeindex::testing {
namespace {

class FilesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    tmp_.Write("src/b.py", "print('b')\n");
    tmp_.Write("src/a.ts", "export const a = 1;\n");
    tmp_.Write("new\nline.md", "# title\n");
    tmp_.Write("README.txt", "not indexed\n");
    tmp_.Write("big.py", std::string((1 << 20) + 1, 'x'));
    tmp_.Write("bin.c", std::string("\0\1\2", 3));
  }
  TempDir tmp_;
};

TEST_F(FilesTest, OnePathPerLineSortedByBytes) {
  RunResult r = RunCodeindex({"files", "--workspace", tmp_.path()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "new\nline.md\nsrc/a.ts\nsrc/b.py\n");
  EXPECT_EQ(r.err, "");
}

TEST_F(FilesTest, DefaultWorkspaceIsTheCurrentDirectory) {
  RunResult r = RunCodeindex({"files", "-0"}, tmp_.path() + "/src");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, std::string("a.ts\0b.py\0", 10));
}

TEST_F(FilesTest, NulSeparated) {
  RunResult r = RunCodeindex({"files", "-0", "-w", tmp_.path()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, std::string("new\nline.md\0src/a.ts\0src/b.py\0", 30));
}

TEST_F(FilesTest, Json) {
  RunResult r = RunCodeindex({"files", "--json", "-w", tmp_.path()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  nlohmann::json j = nlohmann::json::parse(r.out);
  ASSERT_EQ(j["files"].size(), 3u);
  EXPECT_EQ(j["files"][0]["path"], "new\nline.md");
  EXPECT_EQ(j["files"][2]["path"], "src/b.py");
  EXPECT_EQ(j["files"][2]["size"], 11);
  EXPECT_GT(j["files"][2]["mtime_ns"].get<int64_t>(), 0);
  EXPECT_EQ(j["errors"].size(), 0u);
  EXPECT_EQ(j["stats"]["listed"], 3);
  EXPECT_EQ(j["stats"]["skipped_size"], 1);
  EXPECT_EQ(j["stats"]["skipped_binary"], 1);
  EXPECT_EQ(j["stats"]["skipped_extension"], 1);
}

TEST_F(FilesTest, StatsOnStderr) {
  RunResult r = RunCodeindex({"files", "--stats", "-w", tmp_.path()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err.rfind("codeindex: dirs 2 ", 0), 0u) << r.err;
  EXPECT_NE(r.err.find("listed 3"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("size 1, binary 1"), std::string::npos) << r.err;
}

TEST_F(FilesTest, MissingWorkspaceIsAUserError) {
  RunResult r = RunCodeindex({"files", "-w", tmp_.path() + "/nope"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err, "codeindex: " + tmp_.path() + "/nope: no such directory\n");
  r = RunCodeindex({"files", "-w", tmp_.path() + "/src/b.py"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err, "codeindex: " + tmp_.path() + "/src/b.py: not a directory\n");
}

TEST_F(FilesTest, UnreadableDirectoryListsTheRestAndExitsThree) {
  tmp_.Write("locked/x.py", "x\n");
  ASSERT_EQ(::chmod((tmp_.path() + "/locked").c_str(), 0), 0);
  if (::access((tmp_.path() + "/locked").c_str(), R_OK) == 0) {
    GTEST_SKIP() << "running with CAP_DAC_OVERRIDE (root): chmod 000 does not prevent reading";
  }
  RunResult r = RunCodeindex({"files", "-w", tmp_.path()});
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_EQ(r.out, "new\nline.md\nsrc/a.ts\nsrc/b.py\n");
  std::vector<std::string> lines = SplitLines(r.err);
  ASSERT_EQ(lines.size(), 2u) << r.err;
  EXPECT_EQ(lines[0], "codeindex: " + tmp_.path() + "/locked: Permission denied");
  EXPECT_EQ(lines[1].rfind("codeindex: 1 path could not be read", 0), 0u);
}

TEST_F(FilesTest, ClosedPipeEndsQuietly) {
  for (int i = 0; i < 2000; ++i) tmp_.Write("many/f" + std::to_string(i) + ".py", "x\n");
  RunResult r = RunProgram({"/bin/sh", "-c", "\"$0\" files -w \"$1\" | head -n 1",
                            std::string(getenv("CODEINDEX_BIN")), tmp_.path()});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.out, "many/f0.py\n");
  EXPECT_EQ(r.err, "");
}

}  // namespace
}  // namespace codeindex::testing
