#include "context/condense.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>
#include <unistd.h>

#include "context/count.h"
#include "context/history.h"
#include "context/testing.h"

namespace codeindex::context {
namespace {

using testing::CountingEnv;
using testing::Msg;
using testing::ScriptedHandler;

constexpr char kCommand[] = "<command name=\"x\">\nalways run the tests\n</command>";

Json WorkedExampleHistory() {
  return Json::array({
      Msg("user",
          Json::array({Json{{"type", "text"}, {"text", std::string("Fix the bug. ") + kCommand}},
                       Json{{"type", "text"}, {"text", "<environment_details>e0</environment_details>"}}}),
          100),
      Msg("assistant",
          Json::parse(R"([{"type":"text","text":"Reading."},
                          {"type":"tool_use","id":"t1","name":"read_file","input":{"path":"a.py","opts":{"n":1}}}])"),
          200),
      Msg("user",
          Json::parse(R"([{"type":"tool_result","tool_use_id":"t1","content":[{"type":"text","text":"def f(): pass"}]}])"),
          300),
      Msg("assistant", "Found it.", 400),
      Msg("user", "Now fix it.", 500),
  });
}

// The worked example of ORIGINAL-CONTEXT.md §4.0.
TEST(SummarizeConversation, SpecWorkedExample) {
  ScriptedHandler model;
  model.Answer("  The summary.\n", 0.25);
  SummarizeOptions o;
  o.messages = WorkedExampleHistory();
  o.system_prompt = "You are Roo.";
  o.environment_details = "<environment_details>now</environment_details>";
  o.is_automatic_trigger = true;
  const ContextEnv env = CountingEnv();
  SummarizeResult r = SummarizeConversation(o, &model, env);
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_EQ(r.summary, "The summary.");
  EXPECT_EQ(r.cost, 0.25);
  EXPECT_EQ(r.condense_id, "id-1");

  // The request: u1..u3 with tool blocks as text, then the instructions; summariser prompt.
  ASSERT_EQ(model.requests.size(), 1u);
  const llm::ApiRequest& req = model.requests[0];
  EXPECT_EQ(req.system_prompt, SummaryPrompt());
  ASSERT_EQ(req.messages.size(), 6u);
  EXPECT_EQ(req.messages[1].dump(),
            R"({"role":"assistant","content":[{"type":"text","text":"Reading."},)"
            R"({"type":"text","text":"[Tool Use: read_file]\npath: a.py\nopts: {\n  \"n\": 1\n}"}]})");
  EXPECT_EQ(req.messages[2].dump(),
            R"({"role":"user","content":[{"type":"text","text":"[Tool Result]\ndef f(): pass"}]})");
  EXPECT_EQ(req.messages[5].dump(), Json({{"role", "user"}, {"content", CondensePrompt()}}).dump());
  for (const Json& m : req.messages) EXPECT_EQ(m.size(), 2u);  // role and content only

  // The stored result: everything tagged, S appended.
  ASSERT_EQ(r.messages.size(), 6u);
  for (int i = 0; i < 5; ++i) EXPECT_EQ(r.messages[i][kCondenseParent], "id-1") << i;
  const Json& s = r.messages[5];
  EXPECT_EQ(s[kRole], "user");
  EXPECT_EQ(s[kTs], 501);
  EXPECT_EQ(s[kIsSummary], true);
  EXPECT_EQ(s[kCondenseId], "id-1");
  ASSERT_EQ(s[kContent].size(), 3u);
  EXPECT_EQ(s[kContent][0]["text"], "## Conversation Summary\nThe summary.");
  EXPECT_EQ(s[kContent][1]["text"],
            std::string("<system-reminder>\n## Active Workflows\nThe following directives must "
                        "be maintained across all future condensings:\n") +
                kCommand + "\n</system-reminder>");
  EXPECT_EQ(s[kContent][2]["text"], o.environment_details);
  Json counted = Json::array({Json{{"type", "text"}, {"text", "You are Roo."}}});
  for (const Json& b : s[kContent]) counted.push_back(b);
  EXPECT_EQ(r.new_context_tokens, CountTokens(counted));

  // The next request contains only S.
  const Json effective = GetEffectiveApiHistory(r.messages);
  ASSERT_EQ(effective.size(), 1u);
  EXPECT_EQ(effective[0], s);

  // A later condense over [..., S, a3, u4] summarises [S, a3, u4] and tags S too.
  Json later = r.messages;
  later.push_back(Msg("assistant", "Fixed.", 600));
  later.push_back(Msg("user", "Thanks, next?", 700));
  model.Answer("Second summary.");
  o.messages = later;
  o.is_automatic_trigger = false;  // manual: no environment details
  SummarizeResult r2 = SummarizeConversation(o, &model, env);
  ASSERT_TRUE(r2.ok()) << r2.error;
  const llm::ApiRequest& req2 = model.requests[1];
  ASSERT_EQ(req2.messages.size(), 4u);
  EXPECT_EQ(req2.messages[0][kContent], s[kContent]);
  EXPECT_EQ(req2.messages[1][kContent], "Fixed.");
  ASSERT_EQ(r2.messages.size(), 9u);
  EXPECT_EQ(r2.messages[0][kCondenseParent], "id-1");  // keeps its first tag
  EXPECT_EQ(r2.messages[5][kCondenseParent], "id-2");  // S tagged by the second condense
  EXPECT_EQ(r2.messages[6][kCondenseParent], "id-2");
  const Json& s2 = r2.messages[8];
  EXPECT_EQ(s2[kCondenseId], "id-2");
  EXPECT_EQ(s2[kTs], 701);
  EXPECT_EQ(s2[kContent].size(), 2u);  // summary + workflows, no environment details
  EXPECT_EQ(GetEffectiveApiHistory(r2.messages), Json::array({s2}));
}

TEST(SummarizeConversation, Preconditions) {
  ScriptedHandler model;
  SummarizeOptions o;
  o.messages = Json::array({Msg("user", "only", 1)});
  SummarizeResult r = SummarizeConversation(o, &model, CountingEnv());
  EXPECT_EQ(r.error_key, "condense_not_enough_messages");
  EXPECT_EQ(r.messages, o.messages);
  // A summary as the last message: condensed recently.
  o.messages = Json::array({Msg("user", "a", 1), Msg("assistant", "b", 2),
                            Json{{kRole, "user"}, {kContent, "S"}, {kIsSummary, true}}});
  EXPECT_EQ(SummarizeConversation(o, &model, CountingEnv()).error_key, "condensed_recently");
  // A summary and one message after it: still too recent.
  o.messages.push_back(Msg("assistant", "c", 3));
  EXPECT_EQ(SummarizeConversation(o, &model, CountingEnv()).error_key, "condensed_recently");
  EXPECT_TRUE(model.requests.empty());
  // Without a model: condense_unavailable.
  o.messages.push_back(Msg("user", "d", 4));
  EXPECT_EQ(SummarizeConversation(o, nullptr, CountingEnv()).error_key, "condense_unavailable");
}

TEST(SummarizeConversation, ApiFailureAndEmptySummary) {
  ScriptedHandler model;
  llm::ApiError e;
  e.kind = llm::ApiError::Kind::kHttp;
  e.sdk = "openai";
  e.status = 400;
  e.code = "context_length_exceeded";
  e.message = "400 maximum context length exceeded";
  e.body = R"({"error":{"message":"maximum context length exceeded"}})";
  model.Fail(e);
  SummarizeOptions o;
  o.messages = WorkedExampleHistory();
  SummarizeResult r = SummarizeConversation(o, &model, CountingEnv());
  EXPECT_EQ(r.error_key, "condense_api_failed");
  EXPECT_EQ(r.error, "Condense API call failed: 400 maximum context length exceeded");
  EXPECT_EQ(r.error_details.dump(),
            R"({"status":400,"code":"context_length_exceeded","body":{"error":{"message":"maximum context length exceeded"}}})");
  EXPECT_EQ(r.messages, o.messages);
  model.Answer(" \n\t ", 0.5);
  SummarizeResult empty = SummarizeConversation(o, &model, CountingEnv());
  EXPECT_EQ(empty.error_key, "condense_failed");
  EXPECT_EQ(empty.cost, 0.5);
}

TEST(SummarizeConversation, OrphanToolCallsGetSyntheticResults) {
  const Json messages = Json::array({
      Msg("user", "go", 1),
      Msg("assistant", Json::parse(R"([{"type":"tool_use","id":"a","name":"f","input":{}},
                                       {"type":"tool_use","id":"b","name":"g","input":{}}])"), 2),
      Msg("user", Json::parse(R"([{"type":"tool_result","tool_use_id":"a","content":"ok"}])"), 3),
      Msg("assistant", Json::parse(R"([{"type":"tool_use","id":"c","name":"h","input":"raw"}])"), 4),
  });
  const Json injected = InjectSyntheticToolResults(messages);
  ASSERT_EQ(injected.size(), 5u);
  EXPECT_EQ(injected[4].dump(),
            R"({"role":"user","content":[)"
            R"({"type":"tool_result","tool_use_id":"b","content":"Context condensation triggered. Tool execution deferred."},)"
            R"({"type":"tool_result","tool_use_id":"c","content":"Context condensation triggered. Tool execution deferred."}]})");
  SummarizeOptions o;
  o.messages = messages;
  o.custom_condensing_prompt = "  Summarise briefly.  ";
  const llm::ApiRequest req = BuildCondenseRequest(o, false);
  ASSERT_EQ(req.messages.size(), 6u);
  EXPECT_EQ(req.messages[3][kContent][0]["text"], "[Tool Use: h]\nraw");
  EXPECT_EQ(req.messages[4][kContent][1]["text"],
            "[Tool Result]\nContext condensation triggered. Tool execution deferred.");
  EXPECT_EQ(req.messages[5][kContent], "Summarise briefly.");
}

TEST(ToolBlocksAsText, Forms) {
  EXPECT_EQ(ToolUseToText(Json::parse(R"({"type":"tool_use","name":"w","input":{"a":"x","n":2,"b":null,"l":[1,"s"],"t":true}})")),
            "[Tool Use: w]\na: x\nn: 2\nb: null\nl: [\n  1,\n  \"s\"\n]\nt: true");
  EXPECT_EQ(ToolResultToText(Json::parse(R"({"type":"tool_result","is_error":true})")),
            "[Tool Result (Error)]");
  EXPECT_EQ(ToolResultToText(Json::parse(R"({"type":"tool_result","content":[{"type":"text","text":"a"},{"type":"image"},{"type":"search_result"}]})")),
            "[Tool Result]\na\n[Image]\n[search_result]");
}

TEST(ExtractCommandBlocks, NonGreedyMultiLine) {
  EXPECT_EQ(ExtractCommandBlocks(Msg("user", "no commands", 1)), "");
  EXPECT_EQ(ExtractCommandBlocks(Msg("user", "a <command>x\ny</command> b <command id=2>z</command></command>", 1)),
            "<command>x\ny</command>\n<command id=2>z</command>");
  EXPECT_EQ(ExtractCommandBlocks(Msg("user", "<command>unclosed", 1)), "");
  // Text blocks are joined by newlines before matching; other blocks are ignored.
  EXPECT_EQ(ExtractCommandBlocks(Msg("user", Json::parse(R"([{"type":"text","text":"<command>a"},
      {"type":"image"},{"type":"text","text":"b</command>"}])"), 1)),
            "<command>a\nb</command>");
}

class FoldedFiles : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("folded_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_ / "src");
    Write("src/shapes.py",
          "import math\n\nclass Circle:\n    def __init__(self, r):\n        self.r = r\n\n"
          "    def area(self):\n        x = math.pi\n        y = self.r ** 2\n        return x * y\n\n"
          "def tiny(): pass\n");
    Write("notes.unknownext", "whatever\n");
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  void Write(const std::string& rel, const std::string& text) {
    std::ofstream(dir_ / rel) << text;
  }
  std::filesystem::path dir_;
};

TEST_F(FoldedFiles, SectionsAndSkips) {
  const std::string listing = DefinitionListing((dir_ / "src/shapes.py").string());
  EXPECT_EQ(listing, "# shapes.py\n3--10 | class Circle:\n7--10 |     def area(self):\n");
  EXPECT_EQ(DefinitionListing((dir_ / "notes.unknownext").string()).rfind("Unsupported file type:", 0), 0u);
  FoldedFileContext f = GenerateFoldedFileContext(
      {"src/shapes.py", "missing.py", "notes.unknownext", (dir_ / "src/shapes.py").string()},
      dir_.string());
  EXPECT_EQ(f.files_processed, 2);
  EXPECT_EQ(f.files_skipped, 2);
  ASSERT_EQ(f.sections.size(), 2u);
  EXPECT_EQ(f.sections[0], "<system-reminder>\n## File Context: src/shapes.py\n" + listing +
                               "\n</system-reminder>");
  EXPECT_EQ(f.content, f.sections[0] + "\n" + f.sections[1]);
  EXPECT_EQ(f.characters, Utf16Length(f.sections[0]) + Utf16Length(f.sections[1]));
}

TEST_F(FoldedFiles, Budget) {
  std::string big;
  for (int i = 0; i < 200; ++i) {
    big += "def f" + std::to_string(i) + "():\n    a = 1\n    b = 2\n    return a + b\n\n";
  }
  Write("src/big.py", big);
  const std::string big_listing = DefinitionListing((dir_ / "src/big.py").string());
  ASSERT_GT(big_listing.size(), 2000u);
  const std::string listing = DefinitionListing((dir_ / "src/shapes.py").string());
  const std::string tail = "\n</system-reminder>";
  const size_t one = Utf16Length("<system-reminder>\n## File Context: src/shapes.py\n" + listing + tail);
  // Room for the first section and 250 more characters: the second is cut to 150 characters
  // of definitions, and the list ends there.
  FoldedFileContext f = GenerateFoldedFileContext(
      {"src/shapes.py", "src/big.py", "src/shapes.py"}, dir_.string(), one + 250);
  ASSERT_EQ(f.sections.size(), 2u);
  EXPECT_EQ(f.sections[1], "<system-reminder>\n## File Context: src/big.py\n" +
                               big_listing.substr(0, 150) + "\n... (truncated)" + tail);
  // Fewer than 200 characters left: stop without a truncated section.
  FoldedFileContext g =
      GenerateFoldedFileContext({"src/shapes.py", "src/big.py"}, dir_.string(), one + 199);
  EXPECT_EQ(g.sections.size(), 1u);
  // Alone, the long listing is cut to (remaining - 100) characters.
  FoldedFileContext h = GenerateFoldedFileContext({"src/big.py"}, dir_.string(), 1000);
  ASSERT_EQ(h.sections.size(), 1u);
  EXPECT_EQ(h.sections[0], "<system-reminder>\n## File Context: src/big.py\n" +
                               big_listing.substr(0, 900) + "\n... (truncated)" + tail);
  // The default budget is the original's 50,000 characters.
  EXPECT_EQ(kFoldedContextMaxCharacters, 50000u);
}

TEST_F(FoldedFiles, SummaryCarriesTheSections) {
  ScriptedHandler model;
  model.Answer("S");
  SummarizeOptions o;
  o.messages = WorkedExampleHistory();
  o.files_read = {"src/shapes.py", "missing.py"};
  o.cwd = dir_.string();
  o.is_automatic_trigger = false;
  SummarizeResult r = SummarizeConversation(o, &model, CountingEnv());
  ASSERT_TRUE(r.ok());
  const Json& content = r.messages.back()[kContent];
  ASSERT_EQ(content.size(), 3u);  // summary, workflows, one file section
  EXPECT_EQ(content[2]["text"].get<std::string>().rfind("<system-reminder>\n## File Context: src/shapes.py\n", 0), 0u);
}

}  // namespace
}  // namespace codeindex::context
