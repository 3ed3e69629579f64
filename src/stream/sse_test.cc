#include "stream/sse.h"

#include <atomic>
#include <cstdlib>
#include <new>
#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>

// Counts every allocation of this test binary, to check "no allocation per event".
namespace {
std::atomic<size_t> g_allocations{0};
}  // namespace

// GCC cannot see that the replaced operator new pairs with this delete (malloc/free).
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
void* operator new(size_t n) {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(n ? n : 1)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, size_t) noexcept { std::free(p); }

namespace codeindex {
namespace {

// Records what the parser reports as one readable line per callback.
class Recorder : public SseHandler {
 public:
  void OnEvent(const SseEvent& e) override {
    log.push_back("event type=" + std::string(e.type) + " data=" + std::string(e.data) +
                  (e.has_id ? " id=" + std::string(e.id) : ""));
  }
  void OnComment(std::string_view c) override { log.push_back("comment " + std::string(c)); }
  void OnRetry(std::string_view digits, uint64_t ms) override {
    log.push_back("retry " + std::string(digits) + "=" + std::to_string(ms));
  }
  std::vector<std::string> log;
};

std::vector<std::string> Parse(std::string_view stream) {
  Recorder r;
  SseParser p(&r);
  EXPECT_TRUE(p.Feed(stream).ok());
  return r.log;
}

using Log = std::vector<std::string>;

struct Case {
  const char* name;
  std::string stream;
  Log want;
};

std::vector<Case> Cases() {
  using namespace std::string_literals;
  return {
      {"single data", "data: hello\n\n", {"event type= data=hello"}},
      {"no space", "data:hello\n\n", {"event type= data=hello"}},
      {"only one space dropped", "data:  two\n\n", {"event type= data= two"}},
      {"multi-line data", "data: a\ndata: b\ndata:\n\n", {"event type= data=a\nb\n"}},
      {"CRLF", "data: a\r\ndata: b\r\n\r\n", {"event type= data=a\nb"}},
      {"CR", "data: a\rdata: b\r\r", {"event type= data=a\nb"}},
      {"mixed terminators", "data: a\r\n\rdata: b\n\r\n", {"event type= data=a", "event type= data=b"}},
      {"event and id", "event: add\nid: 7\ndata: x\n\n", {"event type=add data=x id=7"}},
      {"empty event means none", "event: add\nevent:\ndata: x\n\n", {"event type= data=x"}},
      {"empty id is an id", "id:\ndata: x\n\n", {"event type= data=x id="}},
      {"id with NUL ignored", "id: a\0b\ndata: x\n\n"s, {"event type= data=x"}},
      {"id does not carry over", "id: 1\ndata: x\n\ndata: y\n\n",
       {"event type= data=x id=1", "event type= data=y"}},
      {"no data no event", "event: ping\nid: 3\n\n", {}},
      {"field without colon", "data\n\n", {"event type= data="}},
      {"comment", ": keep-alive\n:x\n:\n", {"comment keep-alive", "comment x", "comment "}},
      {"retry", "retry: 3000\nretry: 12a\nretry:\nretry: -1\n",
       {"retry 3000=3000"}},
      {"retry saturates", "retry: 99999999999999999999999\n",
       {"retry 99999999999999999999999=18446744073709551615"}},
      {"unknown fields ignored", "foo: bar\nDATA: x\ndatax: y\n data: z\ndata: w\n\n",
       {"event type= data=w"}},
      {"colon in value", "data: a: b\n\n", {"event type= data=a: b"}},
      {"BOM dropped once", "\xEF\xBB\xBF\xEF\xBB\xBF" "data: x\n\n", {}},
      {"BOM", "\xEF\xBB\xBF" "data: x\n\n", {"event type= data=x"}},
      {"partial BOM is input", "\xEF\xBB" "data: x\n\ndata: y\n\n", {"event type= data=y"}},
      {"unterminated event dropped", "data: x\n", {}},
      {"unterminated line dropped", "data: x\n\ndata: y", {"event type= data=x"}},
      {"non-ASCII bytes pass", "data: \xC3\xA9\xFF\n\n", {"event type= data=\xC3\xA9\xFF"}},
      {"empty", "", {}},
  };
}

TEST(SseParser, Table) {
  for (const Case& c : Cases()) {
    EXPECT_EQ(Parse(c.stream), c.want) << c.name;
  }
}

// Every case, cut at every single point and fed byte by byte, gives the same log.
TEST(SseParser, AnyChunkBoundary) {
  for (const Case& c : Cases()) {
    for (size_t cut = 0; cut <= c.stream.size(); ++cut) {
      Recorder r;
      SseParser p(&r);
      ASSERT_TRUE(p.Feed(std::string_view(c.stream).substr(0, cut)).ok());
      ASSERT_TRUE(p.Feed("").ok());
      ASSERT_TRUE(p.Feed(std::string_view(c.stream).substr(cut)).ok());
      EXPECT_EQ(r.log, c.want) << c.name << " cut at " << cut;
    }
    Recorder r;
    SseParser p(&r);
    for (char ch : c.stream) ASSERT_TRUE(p.Feed(std::string_view(&ch, 1)).ok());
    EXPECT_EQ(r.log, c.want) << c.name << " byte by byte";
  }
}

TEST(SseParser, CrlfSplitAcrossChunksIsOneTerminator) {
  Recorder r;
  SseParser p(&r);
  ASSERT_TRUE(p.Feed("data: a\r").ok());
  ASSERT_TRUE(p.Feed("\n").ok());  // not a blank line
  EXPECT_TRUE(r.log.empty());
  ASSERT_TRUE(p.Feed("\r").ok());
  ASSERT_TRUE(p.Feed("\n").ok());
  EXPECT_EQ(r.log, Log{"event type= data=a"});
}

TEST(SseParser, ResetStartsANewStream) {
  Recorder r;
  SseParser p(&r);
  ASSERT_TRUE(p.Feed("data: half").ok());
  EXPECT_EQ(p.pending_line_bytes(), 10u);
  p.Reset();
  EXPECT_EQ(p.pending_line_bytes(), 0u);
  ASSERT_TRUE(p.Feed("\xEF\xBB\xBF" "data: new\n\n").ok());
  EXPECT_EQ(r.log, Log{"event type= data=new"});
}

TEST(SseParser, OverflowStopsTheParser) {
  Recorder r;
  SseParserOptions options;
  options.max_buffer_bytes = 16;
  SseParser p(&r, options);
  ASSERT_TRUE(p.Feed("data: 0123456789\n\n").ok());  // 16 bytes: fits
  Status s = p.Feed("data: 0123456789ABCDEF");
  EXPECT_EQ(s.code(), Code::kInvalidArgument);
  EXPECT_EQ(p.Feed("\n\n").code(), Code::kInvalidArgument);
  p.Reset();
  ASSERT_TRUE(p.Feed("data: ok\n\n").ok());
  // An event growing over many lines is bounded too.
  EXPECT_EQ(p.Feed("data: 0123456789\ndata: 0123456789\n").code(), Code::kInvalidArgument);
  EXPECT_EQ(r.log, (Log{"event type= data=0123456789", "event type= data=ok"}));
}

class Counter : public SseHandler {
 public:
  void OnEvent(const SseEvent& e) override {
    ++events;
    bytes += e.data.size() + e.type.size() + e.id.size();
  }
  size_t events = 0, bytes = 0;
};

// After the buffers have grown once, events cost no allocation, whatever the chunking.
TEST(SseParser, NoAllocationPerEvent) {
  std::string stream;
  for (int i = 0; i < 200; ++i) {
    stream += "event: message_delta\nid: " + std::to_string(i) +
              "\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"text\":\"" +
              std::string(static_cast<size_t>(i % 50), 'x') + "\"}}\ndata: second line\n\n";
  }
  for (size_t chunk : {size_t{1}, size_t{7}, size_t{64}, size_t{4096}, stream.size()}) {
    Counter c;
    SseParser p(&c);
    // Warm-up: the same stream once grows the buffers.
    for (size_t i = 0; i < stream.size(); i += chunk) {
      ASSERT_TRUE(p.Feed(std::string_view(stream).substr(i, chunk)).ok());
    }
    const size_t before = g_allocations.load();
    for (size_t i = 0; i < stream.size(); i += chunk) {
      ASSERT_TRUE(p.Feed(std::string_view(stream).substr(i, chunk)).ok());
    }
    EXPECT_EQ(g_allocations.load() - before, 0u) << "chunk " << chunk;
    EXPECT_EQ(c.events, 400u);
  }
}

// Random streams: any set of cuts gives the log of the whole stream.
TEST(SseParser, RandomCutsAgreeWithWholeStream) {
  std::mt19937 rng(42);
  const std::vector<std::string> atoms = {
      "data: ", "data:", "data", "event: ", "id: ", "retry: ", ":", " ", "x", "42", "\n",
      "\r",     "\r\n",  std::string(1, '\0'), "\xEF",    "\xBB", "\xBF",    "é", "{\"a\":1}"};
  for (int iter = 0; iter < 3000; ++iter) {
    std::string s;
    const int n = static_cast<int>(rng() % 40);
    for (int i = 0; i < n; ++i) s += atoms[rng() % atoms.size()];
    const Log want = Parse(s);
    for (int k = 0; k < 5; ++k) {
      Recorder r;
      SseParser p(&r);
      size_t at = 0;
      while (at < s.size()) {
        const size_t len = rng() % 6;
        ASSERT_TRUE(p.Feed(std::string_view(s).substr(at, len)).ok());
        at += len;
      }
      ASSERT_EQ(r.log, want) << "stream " << iter;
    }
  }
}

}  // namespace
}  // namespace codeindex
