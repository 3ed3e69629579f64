// Differential test of SseParser against the reference, npm eventsource-parser@4.1.3 (pinned
// with its integrity in tests/sse/package-lock.json, installed by scripts/setup) under node:
// 10,000 random streams, each fed whole, cut at sampled single points, cut into many random
// pieces (with empty ones) and, for some, byte by byte. Every delivery must give the events,
// comments and retries the reference gives. Skipped only when node is not installed.
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <unistd.h>

#include "stream/sse.h"

namespace codeindex {
namespace {

using nlohmann::json;

std::string Hex(std::string_view s) {
  static const char* kDigits = "0123456789abcdef";
  std::string out;
  out.reserve(s.size() * 2);
  for (unsigned char c : s) {
    out += kDigits[c >> 4];
    out += kDigits[c & 15];
  }
  return out;
}

// The same log the reference script writes.
class JsonLog : public SseHandler {
 public:
  void OnEvent(const SseEvent& e) override {
    log.push_back(json::array({"e", e.type.empty() ? json(nullptr) : json(Hex(e.type)),
                               Hex(e.data), e.has_id ? json(Hex(e.id)) : json(nullptr)}));
  }
  void OnComment(std::string_view c) override { log.push_back(json::array({"c", Hex(c)})); }
  void OnRetry(std::string_view, uint64_t ms) override {
    log.push_back(json::array({"r", ms}));
  }
  json log = json::array();
};

// A random stream built from SSE-shaped lines with random terminators, field spellings,
// comments, unknown fields, NUL, non-ASCII and invalid UTF-8 bytes, and BOMs.
std::string RandomStream(std::mt19937& rng) {
  auto pick = [&](size_t n) { return static_cast<size_t>(rng() % n); };
  auto payload = [&]() {
    static const std::vector<std::string> kPieces = {
        "{\"type\":\"content_block_delta\",\"delta\":{\"text\":\"hi\"}}",
        "[DONE]", "a", "b c", ": ", ":", " ", "  ", "\xC3\xA9", "\xE2\x82\xAC", "\xF0\x9F\x98\x80",
        "\xFF", "\xC3", std::string(1, '\0'), "\t", "data:", "\xEF\xBB\xBF", "0", "id"};
    std::string s;
    const size_t n = pick(5);
    for (size_t i = 0; i < n; ++i) s += kPieces[pick(kPieces.size())];
    return s;
  };
  static const std::vector<std::string> kTerminators = {"\n", "\n", "\n", "\r\n", "\r"};
  std::string s;
  switch (pick(8)) {
    case 0: s += "\xEF\xBB\xBF"; break;
    case 1: s += "\xEF\xBB"; break;
    case 2: s += "\xEF\xBB\xBF\xEF\xBB\xBF"; break;
    default: break;
  }
  const size_t lines = pick(20);
  for (size_t i = 0; i < lines; ++i) {
    switch (pick(18)) {
      case 0: case 1: case 2: s += "data: " + payload(); break;
      case 3: s += "data:" + payload(); break;
      case 4: s += "data"; break;
      case 5: s += "event: " + payload(); break;
      case 6: s += "event:"; break;
      case 7: s += "id: " + payload(); break;
      case 8: s += "retry: " + std::to_string(rng() % 100000); break;
      case 9: s += "retry: " + payload(); break;
      case 10: s += ":" + payload(); break;
      case 11: s += std::vector<std::string>{"dat", "datax", "eventx", "i", "retr", "foo", " data",
                                             "DATA", "d"}[pick(9)] + ":" + payload(); break;
      case 12: s += payload(); break;
      default: break;  // blank line: dispatch
    }
    if (i + 1 < lines || pick(4) != 0) s += kTerminators[pick(kTerminators.size())];
  }
  return s;
}

// Delivery plans: sorted cut offsets (repeats are empty chunks).
std::vector<std::vector<size_t>> Plans(std::mt19937& rng, size_t n, bool bytewise) {
  std::vector<std::vector<size_t>> plans;
  for (int k = 0; k < 4; ++k) plans.push_back({static_cast<size_t>(rng() % (n + 1))});
  std::vector<size_t> many;
  const size_t cuts = rng() % 12;
  for (size_t i = 0; i < cuts; ++i) many.push_back(static_cast<size_t>(rng() % (n + 1)));
  std::sort(many.begin(), many.end());
  plans.push_back(many);
  if (bytewise) {
    std::vector<size_t> all;
    for (size_t i = 1; i < n; ++i) all.push_back(i);
    plans.push_back(all);
  }
  return plans;
}

json RunOurs(std::string_view s, const std::vector<size_t>& cuts) {
  JsonLog log;
  SseParser parser(&log);
  size_t at = 0;
  for (size_t cut : cuts) {
    EXPECT_TRUE(parser.Feed(s.substr(at, cut - at)).ok());
    at = cut;
  }
  EXPECT_TRUE(parser.Feed(s.substr(at)).ok());
  return log.log;
}

bool HaveReference() {
  if (std::system("node --version >/dev/null 2>&1") != 0) return false;
  std::ifstream probe(std::string(CODEINDEX_SSE_REFERENCE_DIR) +
                      "/node_modules/eventsource-parser/package.json");
  return probe.good();
}

TEST(SseReference, TenThousandRandomStreamsAtEverySampledSplit) {
  if (std::system("node --version >/dev/null 2>&1") != 0) {
    GTEST_SKIP() << "node is not installed: no reference to compare with";
  }
  ASSERT_TRUE(HaveReference()) << "tests/sse/node_modules missing: run scripts/setup";

  std::mt19937 rng(20261202);
  constexpr int kStreams = 10000;
  std::vector<std::string> streams;
  std::vector<std::vector<std::vector<size_t>>> plans;
  json input = json::array();
  for (int i = 0; i < kStreams; ++i) {
    streams.push_back(RandomStream(rng));
    plans.push_back(Plans(rng, streams.back().size(), i % 20 == 0));
    input.push_back({{"s", Hex(streams.back())}, {"plans", plans.back()}});
  }

  char dir[] = "/tmp/sse_reference_XXXXXX";
  ASSERT_NE(::mkdtemp(dir), nullptr);
  const std::string in_path = std::string(dir) + "/in.json";
  const std::string out_path = std::string(dir) + "/out.json";
  std::ofstream(in_path) << input.dump();
  const std::string cmd = std::string("cd '") + CODEINDEX_SSE_REFERENCE_DIR +
                          "' && node sse_reference.mjs '" + in_path + "' '" + out_path + "'";
  ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
  std::stringstream buf;
  buf << std::ifstream(out_path).rdbuf();
  const json reference = json::parse(buf.str());
  std::remove(in_path.c_str());
  std::remove(out_path.c_str());
  ::rmdir(dir);
  ASSERT_EQ(reference.size(), streams.size());

  size_t deliveries = 0, events = 0, failures = 0;
  for (size_t i = 0; i < streams.size() && failures < 10; ++i) {
    const json& want_whole = reference[i]["log"];
    // The reference itself must not depend on the cuts (else the comparison means little).
    EXPECT_TRUE(reference[i]["diff"].empty()) << "reference varies with cuts, stream " << i;
    const json whole = RunOurs(streams[i], {});
    for (const json& entry : whole) events += entry[0] == "e";
    if (whole != want_whole) {
      ++failures;
      ADD_FAILURE() << "stream " << i << " (" << Hex(streams[i]) << ")\nours " << whole.dump()
                    << "\nreference " << want_whole.dump();
      continue;
    }
    ++deliveries;
    for (size_t p = 0; p < plans[i].size(); ++p) {
      const json& want = reference[i]["diff"].contains(std::to_string(p))
                             ? reference[i]["diff"][std::to_string(p)]
                             : want_whole;
      const json got = RunOurs(streams[i], plans[i][p]);
      ++deliveries;
      if (got != want) {
        ++failures;
        ADD_FAILURE() << "stream " << i << " plan " << p << "\nours " << got.dump()
                      << "\nreference " << want.dump();
      }
    }
  }
  EXPECT_EQ(failures, 0u);
  EXPECT_GT(events, 8000u);  // the generator does make events (9,780 with this seed)
  std::printf("compared %zu deliveries of %d streams (%zu events) with eventsource-parser\n",
              deliveries, kStreams, events);
}

}  // namespace
}  // namespace codeindex
