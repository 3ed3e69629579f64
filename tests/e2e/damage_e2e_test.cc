// The damage test of issue 18: every file of an index (catalog, text, vectors made with a
// tiny static model named in .codeindex/config.toml), deleted, truncated to half, or with
// 4 KiB of noise written in its middle. After each damage, `search` in text and semantic mode
// answers as before or fails with one clear line, `status` never says "Indexed" over damage
// that search reports, and the next `index` exits 0 and leaves an index equal to a fresh one:
// `check` finds it sound with the same files, blocks, documents and vectors, and a fixed set
// of queries in both modes answers as on the fresh index (with the files and blocks of
// `status`), asked through one `serve --mcp` process.
//
// Cost: every run of the sanitized binary costs about 0.7 s before it does anything, so the
// cases share processes where the check allows (one MCP session answers the six queries and
// the status), and two workers share the cases.
#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include <fcntl.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <unistd.h>

#include "embed/testing.h"
#include "harness.h"

namespace codeindex::testing {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;

const char* const kQueries[] = {"parse the configuration file", "retry http request",
                                "format bytes"};
const char* const kModes[] = {"text", "semantic"};

// A handful of files in four languages.
void WriteWorkspace(const TempDir& ws, const std::string& model) {
  ws.Write(".codeindex/config.toml",
           "[embedding]\nprovider = \"static\"\nmodel = \"" + model + "\"\n");
  ws.Write("app/config.py",
           "import json\n\n"
           "def parse_config(path):\n    \"\"\"Parse the configuration file at path.\"\"\"\n"
           "    with open(path) as f:\n        return json.load(f)\n\n"
           "def default_config():\n    return {'retries': 3, 'timeout': 10}\n");
  ws.Write("app/net/client.py",
           "class HttpClient:\n    def fetch(self, url, retries=3):\n"
           "        for attempt in range(retries):\n"
           "            response = self.session.get(url, timeout=10)\n"
           "            if response.ok:\n                return response\n"
           "        raise RuntimeError('retry http request failed')\n");
  ws.Write("lib/units.js",
           "export function formatBytes(count) {\n  const units = ['B', 'KB', 'MB', 'GB'];\n"
           "  let i = 0;\n  while (count >= 1024 && i < units.length - 1) {\n"
           "    count /= 1024;\n    i++;\n  }\n  return count.toFixed(1) + ' ' + units[i];\n}\n");
  ws.Write("lib/parse.go",
           "package lib\n\nimport \"strings\"\n\n"
           "// ParseLine splits a configuration line into key and value.\n"
           "func ParseLine(line string) (string, string) {\n"
           "\tparts := strings.SplitN(line, \"=\", 2)\n"
           "\treturn strings.TrimSpace(parts[0]), strings.TrimSpace(parts[1])\n}\n");
  ws.Write("tools/cli.py",
           "import sys\n\ndef main(argv):\n    if len(argv) < 2:\n"
           "        print('usage: cli FILE')\n        return 2\n"
           "    return run(argv[1])\n");
}

// The results of one query: (-score in millionths, file, start, end, chunk), in rank order
// with equal scores by file and line (block ids break ties in the index, and they depend on
// the order in which worker threads finished parsing, so two fresh indexes may differ there).
using Results = std::vector<std::tuple<int64_t, std::string, int, int, std::string>>;

Results ParseResults(const json& j) {
  Results out;
  for (const json& r : j["results"]) {
    out.emplace_back(std::llround(-r["score"].get<double>() * 1e6),
                     r["file_path"].get<std::string>(), r["start_line"].get<int>(),
                     r["end_line"].get<int>(), r["code_chunk"].get<std::string>());
  }
  std::sort(out.begin(), out.end());
  return out;
}

// The tiny model's cosines are small: every block, ranked.
json SearchArgs(const std::string& mode, const std::string& query) {
  json a = {{"query", query}, {"mode", mode}, {"limit", 10}};
  if (mode == "semantic") a["min_score"] = -1;
  return a;
}

struct Answer {
  bool ok = false;
  Results results;
  RunResult run;
};

Answer Search(const std::string& ws, const std::string& mode, const std::string& query) {
  Answer a;
  std::vector<std::string> args = {"search", query, "--workspace", ws,  "--mode",
                                    mode,   "--limit", "10",    "--json"};
  if (mode == "semantic") args.insert(args.end(), {"--min-score", "-1"});
  a.run = RunCodeindex(args);
  if (a.run.exit_code != 0) return a;
  json j = json::parse(a.run.out, nullptr, false);
  if (j.is_discarded() || !j.contains("results")) return a;
  a.ok = true;
  a.results = ParseResults(j);
  return a;
}

// What must be equal between a repaired and a fresh index.
struct Snapshot {
  int64_t files = -1, blocks = -1;  // status (through MCP) and check agree on them
  json text_blocks, vectors;        // check
  std::vector<Results> results;     // kModes x kQueries
  bool operator==(const Snapshot&) const = default;
};

// `check --json`, then one MCP session: the six searches and the status.
Snapshot Take(const std::string& ws, std::string* error) {
  Snapshot s;
  RunResult check = RunCodeindex({"check", "--workspace", ws, "--json"});
  json c = json::parse(check.out, nullptr, false);
  if (check.exit_code != 0 || c.is_discarded() || !c.value("sound", false)) {
    *error = "check: " + check.out + check.err;
    return s;
  }
  s.files = c.value("files", int64_t{-1});
  s.blocks = c.value("blocks", int64_t{-1});
  s.text_blocks = c["text_blocks"];
  s.vectors = c["vectors"];

  std::string in =
      R"({"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18"}})"
      "\n"
      R"({"jsonrpc":"2.0","method":"notifications/initialized"})"
      "\n";
  int id = 2;
  for (const char* mode : kModes) {
    for (const char* q : kQueries) {
      json call = {{"jsonrpc", "2.0"},
                   {"id", id++},
                   {"method", "tools/call"},
                   {"params", {{"name", "codebase_search"}, {"arguments", SearchArgs(mode, q)}}}};
      in += call.dump() + "\n";
    }
  }
  in += R"({"jsonrpc":"2.0","id":99,"method":"tools/call","params":{"name":"index_status"}})"
        "\n";
  RunResult mcp = RunCodeindex({"serve", "--mcp", "--workspace", ws}, "", in);
  std::vector<std::string> lines = SplitLines(mcp.out);
  if (mcp.exit_code != 0 || lines.size() != 8) {
    *error = "mcp: exit " + std::to_string(mcp.exit_code) + ": " + mcp.out + mcp.err;
    return s;
  }
  for (size_t i = 1; i < lines.size(); ++i) {
    json r = json::parse(lines[i], nullptr, false);
    if (r.is_discarded() || !r.contains("result") || r["result"].value("isError", true)) {
      *error = "mcp answered: " + lines[i];
      return s;
    }
    const json& body = r["result"]["structuredContent"];
    if (i + 1 < lines.size()) {
      s.results.push_back(ParseResults(body));
    } else if (body.value("files", int64_t{-2}) != s.files ||
               body.value("blocks", int64_t{-2}) != s.blocks) {
      *error = "status and check disagree: " + body.dump() + " / " + c.dump();
    }
  }
  return s;
}

// A clear error: a non-zero exit (not a signal), nothing on stdout, and exactly one line on
// stderr, "codeindex: ...".
::testing::AssertionResult ClearError(const RunResult& r) {
  if (r.exit_code == 0 || r.exit_code >= 128) {
    return ::testing::AssertionFailure() << "exit " << r.exit_code << ", stderr: " << r.err;
  }
  std::vector<std::string> lines = SplitLines(r.err);
  if (lines.size() != 1 || lines[0].rfind("codeindex: ", 0) != 0 || !r.out.empty()) {
    return ::testing::AssertionFailure() << "not one clear line: " << r.err;
  }
  return ::testing::AssertionSuccess();
}

enum class Damage { kDelete, kTruncate, kGarble };
const char* Name(Damage d) {
  return d == Damage::kDelete ? "deleted" : d == Damage::kTruncate ? "truncated" : "garbled";
}

void Apply(Damage d, const std::string& path) {
  const auto size = fs::file_size(path);
  switch (d) {
    case Damage::kDelete:
      fs::remove(path);
      return;
    case Damage::kTruncate:
      fs::resize_file(path, size / 2);
      return;
    case Damage::kGarble: {
      // 4 KiB of noise in the middle, or over the whole file when it is smaller.
      const uintmax_t n = std::min<uintmax_t>(4096, size);
      const uintmax_t off = size > 4096 ? size / 2 - 2048 : 0;
      std::string noise(n, '\0');
      std::mt19937 rng(static_cast<uint32_t>(size));
      for (char& c : noise) c = static_cast<char>(rng());
      int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
      ASSERT_GE(fd, 0) << path;
      ASSERT_EQ(::pwrite(fd, noise.data(), n, static_cast<off_t>(off)),
                static_cast<ssize_t>(n));
      ::close(fd);
      return;
    }
  }
}

void CopyDir(const std::string& from, const std::string& to) {
  fs::remove_all(to);
  fs::copy(from, to, fs::copy_options::recursive);
}

TEST(DamageE2eTest, EveryFileOfTheIndexDamagedThenIndexRepairsIt) {
  TempDir model;
  ASSERT_TRUE(WriteTinyStaticModel(model.path(), TinyStaticModel{}).ok());
  // Two workers share the cases, each on its own copy of the workspace (two cores).
  constexpr int kWorkers = 2;
  std::vector<std::unique_ptr<TempDir>> workspaces;
  std::vector<Snapshot> fresh(kWorkers);
  std::vector<std::string> pristine(kWorkers);  // an untouched copy of each index
  TempDir saved;
  for (int w = 0; w < kWorkers; ++w) {
    workspaces.push_back(std::make_unique<TempDir>());
    WriteWorkspace(*workspaces[w], model.path());
    RunResult r = RunCodeindex({"index", "--workspace", workspaces[w]->path()});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    ASSERT_EQ(r.err, "") << "a fresh index repairs nothing";
    pristine[w] = saved.path() + "/index" + std::to_string(w);
    CopyDir(workspaces[w]->path() + "/.codeindex", pristine[w]);
    std::string error;
    fresh[w] = Take(workspaces[w]->path(), &error);
    ASSERT_EQ(error, "");
  }
  ASSERT_TRUE(fresh[0] == fresh[1]);
  ASSERT_GE(fresh[0].blocks, 5);
  for (const Results& r : fresh[0].results) ASSERT_FALSE(r.empty()) << "a query finds nothing";

  // Every file of the index but the writer's lock and the user's configuration.
  std::vector<std::string> files;
  for (const auto& e : fs::recursive_directory_iterator(pristine[0])) {
    if (!e.is_regular_file()) continue;
    std::string rel = fs::relative(e.path(), pristine[0]).string();
    if (rel != "lock" && rel != "config.toml") files.push_back(rel);
  }
  std::sort(files.begin(), files.end());
  ASSERT_GE(files.size(), 6u);  // catalog, text tables and version file, vectors
  struct Case {
    std::string file;
    Damage damage;
  };
  std::vector<Case> cases;
  for (const std::string& f : files) {
    for (Damage d : {Damage::kDelete, Damage::kTruncate, Damage::kGarble}) {
      // Truncating or overwriting an empty file (a lock) changes nothing.
      if (d != Damage::kDelete && fs::file_size(pristine[0] + "/" + f) == 0) continue;
      cases.push_back({f, d});
    }
  }

  std::mutex mu;  // gtest assertions from worker threads are fine; the summary is shared
  std::vector<std::string> summary;
  auto run_case = [&](int w, const Case& c) {
    const std::string ws = workspaces[w]->path();
    const std::string index_dir = ws + "/.codeindex";
    const std::string what = c.file + " " + Name(c.damage);
    CopyDir(pristine[w], index_dir);
    Apply(c.damage, index_dir + "/" + c.file);

    // Search: the same answer, or one clear line.
    int errors = 0;
    for (size_t m = 0; m < 2; ++m) {
      Answer a = Search(ws, kModes[m], kQueries[0]);
      if (a.ok) {
        EXPECT_EQ(a.results, fresh[w].results[m * 3]) << what << ": " << kModes[m]
                                                       << " search answered differently";
      } else {
        ++errors;
        EXPECT_TRUE(ClearError(a.run)) << what << ": " << kModes[m] << " search";
      }
    }
    // Status never claims a sound index over damage that search reported (asked once per
    // file, after the noise: each run costs 0.7 s).
    std::string state = "-";
    if (errors > 0 && c.damage == Damage::kGarble) {
      RunResult st = RunCodeindex({"status", "--workspace", ws, "--json"});
      json sj = json::parse(st.out, nullptr, false);
      state = sj.is_discarded() ? "" : sj.value("state", "");
      EXPECT_NE(state, "Indexed") << what << ": status says Indexed while search fails: "
                                  << st.out << st.err;
    }
    // The next index repairs it.
    RunResult idx = RunCodeindex({"index", "--workspace", ws});
    EXPECT_EQ(idx.exit_code, 0) << what << ": " << idx.err;
    std::string error;
    Snapshot after = Take(ws, &error);
    EXPECT_EQ(error, "") << what;
    EXPECT_TRUE(after == fresh[w]) << what << ": the repaired index differs from a fresh one";
    std::lock_guard lock(mu);
    std::string repair = SplitLines(idx.err).empty() ? "" : SplitLines(idx.err)[0];
    summary.push_back(what + ": search errors " + std::to_string(errors) + ", status " + state +
                      ", index: " + (repair.empty() ? "(nothing said)" : repair));
  };
  std::vector<std::thread> workers;
  for (int w = 0; w < kWorkers; ++w) {
    workers.emplace_back([&, w] {
      for (size_t i = static_cast<size_t>(w); i < cases.size(); i += kWorkers) {
        run_case(w, cases[i]);
      }
    });
  }
  for (std::thread& t : workers) t.join();
  std::sort(summary.begin(), summary.end());
  for (const std::string& s : summary) std::cout << s << "\n";

  // `check` finds damage that it is shown (the index was found sound by Take above).
  Apply(Damage::kTruncate, workspaces[0]->path() + "/.codeindex/text/postlist.glass");
  RunResult check = RunCodeindex({"check", "--workspace", workspaces[0]->path()});
  EXPECT_EQ(check.exit_code, 1) << check.out << check.err;
  EXPECT_EQ(check.out.rfind("text index: ", 0), 0u) << check.out;
  EXPECT_EQ(SplitLines(check.err).size(), 1u) << check.err;
}

}  // namespace
}  // namespace codeindex::testing
