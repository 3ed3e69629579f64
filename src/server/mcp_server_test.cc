#include "server/mcp_server.h"

#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

namespace codeindex {
namespace {

using json = nlohmann::json;

class McpServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = std::filesystem::temp_directory_path() /
            ("codeindex_mcp_test_" + std::to_string(::getpid()));
    std::filesystem::create_directories(root_ / "src");
    std::ofstream(root_ / "src/a.py") << "import os\n\ndef f(x):\n    return x + 1\n";
    ServiceOptions o;
    o.workspace = root_.string();
    o.run_indexer = false;  // the tools below need no index
    auto s = Service::Start(o);
    ASSERT_TRUE(s.ok()) << s.error().ToString();
    service_ = std::move(s).value();
    mcp_ = std::make_unique<McpServer>(service_.get(), "test");
  }
  void TearDown() override {
    mcp_.reset();
    service_.reset();
    std::filesystem::remove_all(root_);
  }
  json Ask(const std::string& line) {
    auto r = mcp_->HandleMessage(line);
    EXPECT_TRUE(r.has_value()) << line;
    return r ? json::parse(*r) : json();
  }

  std::filesystem::path root_;
  std::unique_ptr<Service> service_;
  std::unique_ptr<McpServer> mcp_;
};

TEST_F(McpServerTest, InitializeNegotiatesTheProtocolRevision) {
  json r = Ask(
      R"({"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"t","version":"1"}}})");
  EXPECT_EQ(r["id"], 1);
  EXPECT_EQ(r["result"]["protocolVersion"], "2025-06-18");
  EXPECT_TRUE(r["result"]["capabilities"].contains("tools"));
  EXPECT_EQ(r["result"]["serverInfo"]["name"], "codeindex");
  r = Ask(
      R"({"jsonrpc":"2.0","id":"a","method":"initialize","params":{"protocolVersion":"1999-01-01"}})");
  EXPECT_EQ(r["result"]["protocolVersion"], kMcpProtocolVersions[0]);
}

TEST_F(McpServerTest, NotificationsGetNoAnswer) {
  EXPECT_FALSE(mcp_->HandleMessage(R"({"jsonrpc":"2.0","method":"notifications/initialized"})"));
}

TEST_F(McpServerTest, ListsTheToolsWithObjectSchemas) {
  json r = Ask(R"({"jsonrpc":"2.0","id":2,"method":"tools/list"})");
  std::vector<std::string> names;
  for (const json& t : r["result"]["tools"]) {
    names.push_back(t["name"]);
    EXPECT_EQ(t["inputSchema"]["type"], "object");
  }
  EXPECT_EQ(names, (std::vector<std::string>{"codebase_search", "find_symbol", "read_context",
                                             "index_status", "manage_context"}));
}

TEST_F(McpServerTest, ReadContextAnswersAndRefusesPathsOutside) {
  json r = Ask(
      R"({"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"read_context","arguments":{"file":"src/a.py","start":4,"end":4}}})");
  EXPECT_EQ(r["result"]["isError"], false) << r.dump();
  EXPECT_EQ(r["result"]["structuredContent"]["content"], "    return x + 1");
  EXPECT_EQ(r["result"]["structuredContent"]["enclosing"][0]["name"], "f");
  r = Ask(
      R"({"jsonrpc":"2.0","id":4,"method":"tools/call","params":{"name":"read_context","arguments":{"file":"../../etc/passwd","start":1,"end":1}}})");
  EXPECT_EQ(r["result"]["isError"], true);
  r = Ask(
      R"({"jsonrpc":"2.0","id":5,"method":"tools/call","params":{"name":"read_context","arguments":{"file":"src/a.py","start":"x","end":1}}})");
  EXPECT_EQ(r["result"]["isError"], true);
}

TEST_F(McpServerTest, ProtocolErrors) {
  EXPECT_EQ(Ask("{nope")["error"]["code"], -32700);
  EXPECT_EQ(Ask(R"({"jsonrpc":"2.0","id":6,"method":"nope"})")["error"]["code"], -32601);
  EXPECT_EQ(
      Ask(R"({"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"nope"}})")["error"]
                                                                                       ["code"],
      -32602);
  EXPECT_EQ(
      Ask(R"({"jsonrpc":"2.0","id":8,"method":"tools/call","params":{"name":"find_symbol","arguments":[1]}})")
          ["error"]["code"],
      -32602);
  EXPECT_EQ(Ask("42")["error"]["code"], -32600);
  EXPECT_EQ(Ask(R"({"jsonrpc":"2.0","id":{"x":1},"method":"ping"})")["error"]["code"], -32600);
  json batch = Ask(R"([{"jsonrpc":"2.0","id":9,"method":"ping"},{"jsonrpc":"2.0","method":"x"}])");
  ASSERT_TRUE(batch.is_array());
  EXPECT_EQ(batch.size(), 1u);
}

TEST_F(McpServerTest, SearchWithoutAnIndexIsAToolError) {
  json r = Ask(
      R"({"jsonrpc":"2.0","id":10,"method":"tools/call","params":{"name":"codebase_search","arguments":{"query":"f","mode":"text"}}})");
  EXPECT_EQ(r["result"]["isError"], true) << r.dump();
}

}  // namespace
}  // namespace codeindex
