// The CLI contract: every subcommand exists with --help, errors are one line starting
// "codeindex: " with the contract's exit codes.
#include <gtest/gtest.h>

#include "harness.h"

namespace codeindex::testing {
namespace {

const char* kContractCommands[] = {"index",   "search", "files", "chunks", "symbols",
                                   "context", "tokens", "watch", "serve",  "status"};

TEST(CliTest, HelpListsEveryContractSubcommand) {
  RunResult r = RunCodeindex({"--help"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  for (const char* cmd : kContractCommands) {
    EXPECT_NE(r.out.find(std::string("  ") + cmd), std::string::npos) << cmd;
  }
}

TEST(CliTest, EverySubcommandHasHelp) {
  for (const char* cmd : kContractCommands) {
    RunResult r = RunCodeindex({cmd, "--help"});
    EXPECT_EQ(r.exit_code, 0) << cmd << ": " << r.err;
    EXPECT_NE(r.out.find(cmd), std::string::npos) << cmd;
  }
}

TEST(CliTest, FilesHelpListsExtensions) {
  RunResult r = RunCodeindex({"files", "--help"});
  ASSERT_EQ(r.exit_code, 0);
  for (const char* ext : {".tla", ".py", ".vb", ".markdown", ".zig", ".yaml"}) {
    EXPECT_NE(r.out.find(ext), std::string::npos) << ext;
  }
}

TEST(CliTest, UsageErrorsAreOneLineExitTwo) {
  for (auto args : std::vector<std::vector<std::string>>{
           {}, {"frobnicate"}, {"search"}, {"search", "--mode", "fuzzy", "q"},
           {"files", "--no-such-flag"}}) {
    RunResult r = RunCodeindex(args);
    EXPECT_EQ(r.exit_code, 2) << r.err;
    EXPECT_EQ(r.err.rfind("codeindex: ", 0), 0u) << r.err;
    EXPECT_EQ(SplitLines(r.err).size(), 1u) << r.err;
  }
}

TEST(CliTest, VersionFlag) {
  RunResult r = RunCodeindex({"--version"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.out.rfind("codeindex ", 0), 0u);
}

}  // namespace
}  // namespace codeindex::testing
