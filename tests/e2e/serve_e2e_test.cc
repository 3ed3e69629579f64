// `codeindex serve` as a process: starts on a free port, answers the HTTP API, refuses bad
// input without dying, stops with exit 0 on SIGTERM and SIGINT.
#include <chrono>
#include <cstdlib>
#include <regex>
#include <thread>

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <nlohmann/json.hpp>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"

namespace codeindex::testing {
namespace {

// A `codeindex serve --port 0` child; port() read from its stdout line.
class ServeProcess {
 public:
  explicit ServeProcess(const std::vector<std::string>& extra) {
    int out[2];
    if (pipe(out) != 0) return;
    pid_ = fork();
    if (pid_ == 0) {
      dup2(out[1], 1);
      close(out[0]);
      close(out[1]);
      std::vector<std::string> args = {std::getenv("CODEINDEX_BIN"), "serve", "--port", "0"};
      args.insert(args.end(), extra.begin(), extra.end());
      std::vector<char*> argv;
      for (auto& a : args) argv.push_back(a.data());
      argv.push_back(nullptr);
      execv(argv[0], argv.data());
      _exit(127);
    }
    close(out[1]);
    std::string line;
    char c;
    while (read(out[0], &c, 1) == 1 && c != '\n') line += c;
    close(out[0]);
    std::smatch m;
    if (std::regex_search(line, m, std::regex(R"(http://127\.0\.0\.1:(\d+))"))) {
      port_ = std::stoi(m[1]);
    }
  }
  ~ServeProcess() {
    if (pid_ > 0) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
  }
  int port() const { return port_; }
  // Sends `sig` and returns the exit code (128 + signal if killed by one).
  int Stop(int sig) {
    kill(pid_, sig);
    int status = 0;
    waitpid(pid_, &status, 0);
    pid_ = -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  }

 private:
  pid_t pid_ = -1;
  int port_ = 0;
};

// One request on a fresh connection ("Connection: close"); returns the raw answer.
std::string Request(int port, const std::string& raw) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    close(fd);
    return "";
  }
  (void)!write(fd, raw.data(), raw.size());
  std::string answer;
  char buf[4096];
  ssize_t n;
  while ((n = read(fd, buf, sizeof buf)) > 0) answer.append(buf, static_cast<size_t>(n));
  close(fd);
  return answer;
}

std::string Post(int port, const std::string& path, const std::string& body) {
  return Request(port, "POST " + path + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n" +
                           "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body);
}

std::string Get(int port, const std::string& target, const std::string& headers = "") {
  return Request(
      port, "GET " + target + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n" + headers + "\r\n");
}

std::string Body(const std::string& answer) {
  size_t p = answer.find("\r\n\r\n");
  return p == std::string::npos ? "" : answer.substr(p + 4);
}

class ServeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ws_.Write(".codeindex/config.toml", "[embedding]\nprovider = \"none\"\n");
    ws_.Write("src/server.py",
              "import socket\n\n\ndef open_listening_socket(port):\n"
              "    s = socket.socket()\n    s.bind(('127.0.0.1', port))\n    s.listen()\n"
              "    return s\n");
    ASSERT_EQ(RunCodeindex({"index", "--workspace", ws_.path()}).exit_code, 0);
  }
  TempDir ws_;
};

TEST_F(ServeTest, AnswersTheApiAndStopsCleanlyOnSigterm) {
  ServeProcess p({"--workspace", ws_.path()});
  ASSERT_GT(p.port(), 0);
  std::string a = Post(p.port(), "/v1/search", R"({"query": "listening socket", "mode": "text"})");
  ASSERT_EQ(a.rfind("HTTP/1.1 200", 0), 0u) << a;
  nlohmann::json j = nlohmann::json::parse(Body(a));
  ASSERT_GE(j["results"].size(), 1u);
  EXPECT_EQ(j["results"][0]["file_path"], "src/server.py");

  // Bad input of every kind: answered, never fatal.
  EXPECT_EQ(Post(p.port(), "/v1/search", "{{{").rfind("HTTP/1.1 400", 0), 0u);
  EXPECT_EQ(
      Get(p.port(), "/v1/context?file=../../etc/passwd&start=1&end=2").rfind("HTTP/1.1 403", 0),
      0u);
  EXPECT_EQ(Request(p.port(), "\x16\x03\x01 not http at all\r\n\r\n").rfind("HTTP/1.1 400", 0), 0u);
  EXPECT_EQ(Get(p.port(), "/v1/symbols?file=src/server.py").rfind("HTTP/1.1 200", 0), 0u);
  a = Get(p.port(), "/v1/status");
  j = nlohmann::json::parse(Body(a));
  EXPECT_EQ(j["files"], 1);

  // `codeindex status` shows the running server's live statistics (written every 5 s).
  nlohmann::json live;
  for (int i = 0; i < 100 && live.is_null(); ++i) {
    RunResult st = RunCodeindex({"status", "--json", "--workspace", ws_.path()});
    ASSERT_EQ(st.exit_code, 0) << st.err;
    nlohmann::json sj = nlohmann::json::parse(st.out);
    if (sj.contains("live")) live = sj["live"];
    else usleep(100 * 1000);
  }
  ASSERT_FALSE(live.is_null()) << "no live statistics from the server";
  EXPECT_GT(live["pid"].get<int>(), 0);
  EXPECT_TRUE(live["cache"].contains("hit_rate")) << live.dump();
  EXPECT_TRUE(live["metrics"].is_object());
  EXPECT_EQ(p.Stop(SIGTERM), 0);
  // Gone with the server.
  RunResult st = RunCodeindex({"status", "--json", "--workspace", ws_.path()});
  EXPECT_FALSE(nlohmann::json::parse(st.out).contains("live")) << st.out;
}

TEST_F(ServeTest, TokenFromTheEnvironmentAndSigint) {
  setenv("CODEINDEX_TOKEN", "tok123", 1);
  ServeProcess p({"--workspace", ws_.path()});
  unsetenv("CODEINDEX_TOKEN");
  ASSERT_GT(p.port(), 0);
  EXPECT_EQ(Get(p.port(), "/v1/status").rfind("HTTP/1.1 401", 0), 0u);
  EXPECT_EQ(
      Get(p.port(), "/v1/status", "Authorization: Bearer tok123\r\n").rfind("HTTP/1.1 200", 0), 0u);
  EXPECT_EQ(p.Stop(SIGINT), 0);
}

TEST_F(ServeTest, McpAnswersOnStdout) {
  RunResult r = RunCodeindex(
      {"serve", "--mcp", "--workspace", ws_.path()}, "",
      R"({"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18"}})"
      "\n"
      R"({"jsonrpc":"2.0","method":"notifications/initialized"})"
      "\n"
      R"({"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"codebase_search","arguments":{"query":"listening socket","mode":"text"}}})"
      "\n");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::vector<std::string> lines = SplitLines(r.out);
  ASSERT_EQ(lines.size(), 2u) << r.out;  // nothing but protocol on stdout
  nlohmann::json init = nlohmann::json::parse(lines[0]);
  EXPECT_EQ(init["result"]["protocolVersion"], "2025-06-18");
  nlohmann::json call = nlohmann::json::parse(lines[1]);
  EXPECT_EQ(call["result"]["isError"], false);
  EXPECT_EQ(call["result"]["structuredContent"]["results"][0]["file_path"], "src/server.py");
}

}  // namespace
}  // namespace codeindex::testing
