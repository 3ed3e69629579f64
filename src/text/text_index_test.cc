#include "text/text_index.h"

#include <atomic>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>
#include <xapian.h>

namespace codeindex {
namespace {

namespace fs = std::filesystem;
using ::testing::ElementsAre;
using ::testing::UnorderedElementsAreArray;

class TempDir {
 public:
  TempDir() {
    std::string tmpl = (fs::temp_directory_path() / "text_index_test.XXXXXX").string();
    path_ = mkdtemp(tmpl.data());
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  std::string Sub(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

TextWriterOptions Fast() {
  TextWriterOptions o;
  o.sync = false;  // tests never lose power
  return o;
}

std::unique_ptr<TextIndexWriter> MustOpenWriter(const std::string& dir) {
  auto w = TextIndexWriter::Open(dir, Fast());
  EXPECT_TRUE(w.ok()) << w.error().ToString();
  return std::move(w).value();
}

std::unique_ptr<TextIndexReader> MustOpenReader(const std::string& dir) {
  auto r = TextIndexReader::Open(dir);
  EXPECT_TRUE(r.ok()) << r.error().ToString();
  return std::move(r).value();
}

// Block ids of the hits for `query`, best first.
std::vector<uint64_t> Ids(const TextIndexReader& r, std::string_view query,
                          const std::string& path = "", size_t limit = 100) {
  SearchParams p;
  p.limit = limit;
  p.path_prefix = path;
  auto res = r.Search(query, p);
  EXPECT_TRUE(res.ok()) << res.error().ToString();
  std::vector<uint64_t> ids;
  if (res.ok()) {
    for (const TextHit& h : res->hits) ids.push_back(h.block_id);
  }
  return ids;
}

TEST(TextIndexTest, AddCommitSearchDelete) {
  TempDir tmp;
  const std::string dir = tmp.Sub("text");
  auto w = MustOpenWriter(dir);
  ASSERT_TRUE(w->AddBlock(1, "src/url.py", "parse_url", "def parse_url(s):\n  return s").ok());
  ASSERT_TRUE(w->AddBlock(2, "src/url.py", "format_url", "def format_url(u):\n  return u").ok());
  ASSERT_TRUE(w->AddBlock(3, "src/http.py", "HttpServer", "class HttpServer:\n  pass").ok());

  auto r = MustOpenReader(dir);
  EXPECT_THAT(Ids(*r, "url"), ElementsAre()) << "uncommitted changes must be invisible";
  ASSERT_TRUE(w->Commit("gen-1").ok());
  EXPECT_EQ(w->CommittedTag(), "gen-1");
  EXPECT_THAT(Ids(*r, "url"), UnorderedElementsAreArray({1u, 2u}));
  EXPECT_THAT(Ids(*r, "parse_url"), ElementsAre(1u, 2u));  // the whole word ranks first
  EXPECT_THAT(Ids(*r, "http server"), ElementsAre(3u));
  EXPECT_EQ(*r->DocCount(), 3u);
  EXPECT_EQ(*r->CommitTag(), "gen-1");

  // Replace a block (same id), delete one block, delete a whole file.
  ASSERT_TRUE(w->AddBlock(3, "src/http.py", "HttpClient", "class HttpClient:\n  pass").ok());
  ASSERT_TRUE(w->Commit("gen-2").ok());
  EXPECT_THAT(Ids(*r, "server"), ElementsAre());
  EXPECT_THAT(Ids(*r, "client"), ElementsAre(3u));
  EXPECT_EQ(*r->DocCount(), 3u);
  ASSERT_TRUE(w->DeleteBlock(2).ok());
  ASSERT_TRUE(w->DeleteBlock(99).ok()) << "deleting a missing block is not an error";
  ASSERT_TRUE(w->Commit("gen-3").ok());
  EXPECT_THAT(Ids(*r, "url"), ElementsAre(1u));
  ASSERT_TRUE(w->DeleteFile("src/url.py").ok());
  ASSERT_TRUE(w->DeleteFile("no/such/file.py").ok());
  ASSERT_TRUE(w->Commit("gen-4").ok());
  EXPECT_THAT(Ids(*r, "url"), ElementsAre());
  EXPECT_EQ(*r->DocCount(), 1u);

  auto res = r->Search("client", {});
  ASSERT_TRUE(res.ok());
  EXPECT_EQ(res->commit_tag, "gen-4");
  ASSERT_EQ(res->hits.size(), 1u);
  EXPECT_GT(res->hits[0].score, 0);
  EXPECT_GT(*r->SizeBytes(), 0u);
}

// A sentence's function words do not rank a block that only matches them: with them, the
// block full of "how", "the", "is" would win over the one about the query's subject.
TEST(TextIndexTest, SentenceQueriesDropStopWords) {
  TempDir tmp;
  const std::string dir = tmp.Sub("text");
  auto w = MustOpenWriter(dir);
  ASSERT_TRUE(w->AddBlock(1, "doc/faq.md", "", "how is the what is the how is the where is the "
                                               "how is the when is the it is").ok());
  ASSERT_TRUE(w->AddBlock(2, "src/retry.py", "retry_upload", "def retry_upload(f):\n  pass").ok());
  for (uint64_t i = 3; i < 20; ++i) {
    ASSERT_TRUE(w->AddBlock(i, "src/x" + std::to_string(i) + ".py", "", "upload retry x").ok());
  }
  ASSERT_TRUE(w->Commit("g").ok());
  auto r = MustOpenReader(dir);
  auto res = r->Search("how is the upload retried", {});
  ASSERT_TRUE(res.ok());
  EXPECT_EQ(res->query_terms, (std::vector<std::string>{"upload", "retried"}));
  for (const TextHit& h : res->hits) EXPECT_NE(h.block_id, 1u);
  SearchParams keep;
  keep.drop_stop_words = false;
  res = r->Search("how is the upload retried", keep);
  ASSERT_TRUE(res.ok());
  ASSERT_FALSE(res->hits.empty());
  EXPECT_EQ(res->hits[0].block_id, 1u);
  // Two-word queries and all-stop-word queries keep their words.
  EXPECT_EQ(r->Search("is the", {})->query_terms, (std::vector<std::string>{"is", "the"}));
  EXPECT_EQ(r->Search("how is it", {})->query_terms,
            (std::vector<std::string>{"how", "is", "it"}));
  // One identifier is one word, whatever its parts.
  EXPECT_EQ(r->Search("is_the_upload", {})->query_terms,
            (std::vector<std::string>{"is_the_upload", "is", "the", "upload"}));
  EXPECT_TRUE(QueryStopWord("the"));
  EXPECT_FALSE(QueryStopWord("not"));
  EXPECT_FALSE(QueryStopWord("return"));
}

// A sentence's words also match their inflections, at half weight, explained as terms.
TEST(TextIndexTest, SentencesMatchInflections) {
  TempDir tmp;
  const std::string dir = tmp.Sub("text");
  auto w = MustOpenWriter(dir);
  ASSERT_TRUE(w->AddBlock(1, "src/a.py", "", "def retry(upload): retries = 3").ok());
  ASSERT_TRUE(w->AddBlock(2, "src/b.py", "", "def upload_file(name): pass").ok());
  ASSERT_TRUE(w->AddBlock(3, "src/c.py", "", "retrieve the value").ok());
  ASSERT_TRUE(w->Commit("g").ok());
  auto r = MustOpenReader(dir);
  SearchParams p;
  p.explain = true;
  auto res = r->Search("where are failed uploads retried", p);
  ASSERT_TRUE(res.ok());
  EXPECT_EQ(res->expansions, (std::vector<std::string>{"upload", "retries", "retry"}));
  ASSERT_FALSE(res->hits.empty());
  EXPECT_EQ(res->hits[0].block_id, 1u);
  for (const TextHit& h : res->hits) {
    EXPECT_NE(h.block_id, 3u);  // "retrieve" is another stem
    EXPECT_NEAR(h.explanation->Total(), h.score, 1e-9 * std::max(1.0, h.score));
  }
  p.stem_variants = false;
  res = r->Search("where are failed uploads retried", p);
  ASSERT_TRUE(res.ok());
  EXPECT_TRUE(res->expansions.empty());
  for (const TextHit& h : res->hits) EXPECT_NE(h.block_id, 1u);
}

// The file's name and its directory's name are terms of each of its blocks.
TEST(TextIndexTest, FileAndDirectoryNamesAreTerms) {
  TempDir tmp;
  const std::string dir = tmp.Sub("text");
  auto w = MustOpenWriter(dir);
  ASSERT_TRUE(w->AddBlock(1, "hooks/syslog/syslog_hook.go", "", "func (h *Handler) Fire() {}").ok());
  ASSERT_TRUE(w->AddBlock(2, "src/other.go", "", "func Fire() {}").ok());
  ASSERT_TRUE(w->Commit("g").ok());
  auto r = MustOpenReader(dir);
  EXPECT_THAT(Ids(*r, "syslog"), ElementsAre(1u));   // directory and file name
  EXPECT_THAT(Ids(*r, "hook"), ElementsAre(1u));     // a part of the file name only
  EXPECT_THAT(Ids(*r, "hooks"), ElementsAre());      // only the parent directory counts
  EXPECT_THAT(Ids(*r, "go"), ElementsAre());         // never the extension
}

TEST(TextIndexTest, DestroyedWriterDiscardsAndTagSurvives) {
  TempDir tmp;
  const std::string dir = tmp.Sub("text");
  {
    auto w = MustOpenWriter(dir);
    EXPECT_EQ(w->CommittedTag(), "");
    ASSERT_TRUE(w->AddBlock(1, "a.py", "", "alpha").ok());
    ASSERT_TRUE(w->Commit("one").ok());
    ASSERT_TRUE(w->AddBlock(2, "b.py", "", "alpha beta").ok());
  }  // no Commit: block 2 is discarded
  auto w = MustOpenWriter(dir);
  EXPECT_EQ(w->CommittedTag(), "one");
  EXPECT_EQ(*w->DocCount(), 1u);
  auto r = MustOpenReader(dir);
  EXPECT_THAT(Ids(*r, "alpha"), ElementsAre(1u));
}

TEST(TextIndexTest, PathPrefixFilterMatchesWholeComponents) {
  TempDir tmp;
  const std::string dir = tmp.Sub("text");
  auto w = MustOpenWriter(dir);
  const std::vector<std::pair<uint64_t, std::string>> files = {
      {1, "src/a.py"},       {2, "srcx/b.py"}, {3, "src/parse/c.py"},
      {4, "other/src/d.py"}, {5, "top.py"},    {6, "src/parse.py"}};
  for (const auto& [id, path] : files) ASSERT_TRUE(w->AddBlock(id, path, "", "needle").ok());
  ASSERT_TRUE(w->Commit("").ok());
  auto r = MustOpenReader(dir);
  struct Case {
    std::string prefix;
    std::vector<uint64_t> ids;
  };
  const Case cases[] = {
      {"", {1, 2, 3, 4, 5, 6}},
      {".", {1, 2, 3, 4, 5, 6}},
      {"/", {1, 2, 3, 4, 5, 6}},
      {"src", {1, 3, 6}},
      {"src/", {1, 3, 6}},
      {"./src//", {1, 3, 6}},
      {"srcx", {2}},
      {"src/parse", {3}},
      {"src/parse/", {3}},
      {"src/a.py", {1}},
      {"top.py", {5}},
      {"src/pa", {}},
      {"other", {4}},
      {"sr", {}},
      {"src/parse.py", {6}},
  };
  for (const Case& c : cases) {
    EXPECT_THAT(Ids(*r, "needle", c.prefix), UnorderedElementsAreArray(c.ids))
        << "prefix '" << c.prefix << "'";
  }
  // The limit applies after the filter: a filter is part of the match, not a post-filter.
  EXPECT_EQ(Ids(*r, "needle", "src", 2).size(), 2u);
}

TEST(TextIndexTest, LongPathsAreHashedAndStillWork) {
  TempDir tmp;
  const std::string dir = tmp.Sub("text");
  auto w = MustOpenWriter(dir);
  const std::string deep = std::string(150, 'd') + "/" + std::string(150, 'e') + "/";
  const std::string file = deep + "f.py";
  ASSERT_TRUE(w->AddBlock(7, file, "", "needle").ok());
  ASSERT_TRUE(w->AddBlock(8, "short.py", "", "needle").ok());
  ASSERT_TRUE(w->Commit("").ok());
  auto r = MustOpenReader(dir);
  EXPECT_THAT(Ids(*r, "needle", deep), ElementsAre(7u));
  EXPECT_THAT(Ids(*r, "needle", file), ElementsAre(7u));
  ASSERT_TRUE(w->DeleteFile(file).ok());
  ASSERT_TRUE(w->Commit("").ok());
  EXPECT_THAT(Ids(*r, "needle"), ElementsAre(8u));
}

TEST(TextIndexTest, BlockIdsRoundTripOverTheFullRange) {
  TempDir tmp;
  const std::string dir = tmp.Sub("text");
  auto w = MustOpenWriter(dir);
  const uint64_t ids[] = {1, 2, 0x7FFFFFFFull, kMaxBlockId};
  for (uint64_t id : ids) ASSERT_TRUE(w->AddBlock(id, "x.py", "", "needle").ok());
  for (uint64_t bad : {uint64_t{0}, kMaxBlockId + 1, ~uint64_t{0}}) {
    EXPECT_EQ(w->AddBlock(bad, "x.py", "", "needle").code(), Code::kInvalidArgument) << bad;
    EXPECT_EQ(w->DeleteBlock(bad).code(), Code::kInvalidArgument) << bad;
  }
  ASSERT_TRUE(w->Commit("").ok()) << "a refused id does not break the writer";
  auto r = MustOpenReader(dir);
  EXPECT_THAT(Ids(*r, "needle"), UnorderedElementsAreArray(ids));
  ASSERT_TRUE(w->DeleteBlock(kMaxBlockId).ok());
  ASSERT_TRUE(w->Commit("").ok());
  EXPECT_THAT(Ids(*r, "needle"), UnorderedElementsAreArray({1u, 2u, 0x7FFFFFFFu}));
}

TEST(TextIndexTest, RejectsQueriesWithoutTermsAndBadLimits) {
  TempDir tmp;
  const std::string dir = tmp.Sub("text");
  auto w = MustOpenWriter(dir);
  ASSERT_TRUE(w->Commit("").ok());
  auto r = MustOpenReader(dir);
  for (const char* q : {"", "  ", "a + b", "(){}", "x"}) {
    auto res = r->Search(q, {});
    ASSERT_FALSE(res.ok()) << q;
    EXPECT_EQ(res.error().code(), Code::kInvalidArgument) << q;
    EXPECT_THAT(res.error().message(), ::testing::HasSubstr("no searchable term"));
  }
  SearchParams p;
  p.limit = 0;
  EXPECT_EQ(r->Search("word", p).error().code(), Code::kInvalidArgument);
  p.limit = kMaxSearchLimit + 1;
  EXPECT_EQ(r->Search("word", p).error().code(), Code::kInvalidArgument);
  p.limit = kMaxSearchLimit;
  EXPECT_TRUE(r->Search("word", p).ok());
}

TEST(TextIndexTest, ExplanationsSumToTheScoreAndRestateBm25) {
  TempDir tmp;
  const std::string dir = tmp.Sub("text");
  auto w = MustOpenWriter(dir);
  // Varied lengths and frequencies so that length normalisation and saturation matter.
  ASSERT_TRUE(w->AddBlock(1, "a.py", "parse_url", "def parse_url(url): return url.strip()").ok());
  ASSERT_TRUE(w->AddBlock(2, "b.py", "", "url url url url url and some other words here").ok());
  ASSERT_TRUE(w->AddBlock(3, "c.py", "", "parse the input, then parse it again").ok());
  for (uint64_t id = 10; id < 30; ++id) {
    ASSERT_TRUE(w->AddBlock(id, "d.py", "", "filler text " + std::to_string(id)).ok());
  }
  ASSERT_TRUE(w->Commit("").ok());
  auto r = MustOpenReader(dir);
  SearchParams p;
  p.explain = true;
  auto res = r->Search("parse_url filler missingterm", p);
  ASSERT_TRUE(res.ok()) << res.error().ToString();
  EXPECT_THAT(res->query_terms, ElementsAre("parse_url", "parse", "url", "filler", "missingterm"));
  ASSERT_GE(res->hits.size(), 4u);
  const double n_docs = 23;
  for (const TextHit& h : res->hits) {
    ASSERT_NE(h.explanation, nullptr);
    const Explanation& ex = *h.explanation;
    EXPECT_NEAR(ex.Total(), h.score, 1e-12 * h.score) << ex.ToString();
    EXPECT_EQ(ex.doc_count, 23u);
    ASSERT_EQ(ex.terms.size(), 5u);
    for (const TermContribution& c : ex.terms) {
      // Independent restatement of the formula from the header comment.
      double w_ = (n_docs - c.doc_freq + 0.5) / (c.doc_freq + 0.5);
      if (w_ < 2) w_ = 1 + w_ / 2;
      EXPECT_DOUBLE_EQ(c.idf, std::log(w_)) << c.term;
      double expect = 0;
      if (c.wdf > 0) {
        double norm = std::max(ex.doc_length / ex.avg_length, kBm25MinNormLen);
        expect = c.idf * (kBm25K1 + 1) * c.wdf / (kBm25K1 * ((1 - kBm25B) + kBm25B * norm) + c.wdf);
      }
      EXPECT_NEAR(c.contribution, expect, 1e-12) << c.term;
    }
    EXPECT_EQ(ex.terms[4].doc_freq, 0u);
    EXPECT_EQ(ex.terms[4].contribution, 0);
  }
  // Block 1: content has parse_url once, url twice more; the identifier adds
  // kIdentifierWdf more of each of its terms (the identifier boost).
  const TextHit& top = res->hits[0];
  EXPECT_EQ(top.block_id, 1u);
  EXPECT_EQ(top.explanation->terms[0].wdf, 1 + kIdentifierWdf);  // parse_url
  EXPECT_EQ(top.explanation->terms[1].wdf, 1 + kIdentifierWdf);  // parse
  EXPECT_EQ(top.explanation->terms[2].wdf, 3 + kIdentifierWdf);  // url
  EXPECT_EQ(top.explanation->terms[0].doc_freq, 1u);
  EXPECT_EQ(top.explanation->terms[1].doc_freq, 2u);
  EXPECT_THAT(top.explanation->ToString(), ::testing::HasSubstr("k1=1.2"));
  EXPECT_THAT(
      top.explanation->ToString(),
      ::testing::HasSubstr("parse_url: wdf=" + std::to_string(1 + kIdentifierWdf) + " n=1"));
  // Without explain, no explanation is computed.
  auto plain = r->Search("parse_url", {});
  ASSERT_TRUE(plain.ok());
  EXPECT_EQ(plain->hits[0].explanation, nullptr);
  EXPECT_DOUBLE_EQ(plain->hits[0].score, r->Search("parse_url", p)->hits[0].score);
}

TEST(TextIndexTest, DefinitionOutranksUseThroughTheIdentifier) {
  TempDir tmp;
  const std::string dir = tmp.Sub("text");
  auto w = MustOpenWriter(dir);
  ASSERT_TRUE(w->AddBlock(1, "use.py", "", "value = load_config(path) or other").ok());
  ASSERT_TRUE(w->AddBlock(2, "def.py", "load_config", "def load_config(path): read it").ok());
  ASSERT_TRUE(w->AddBlock(3, "x.py", "", "unrelated words only here").ok());
  ASSERT_TRUE(w->Commit("").ok());
  auto r = MustOpenReader(dir);
  EXPECT_THAT(Ids(*r, "load config"), ElementsAre(2u, 1u));
  EXPECT_THAT(Ids(*r, "loadConfig"), ElementsAre(2u, 1u));
}

TEST(TextIndexTest, RefusesOtherFormatVersions) {
  TempDir tmp;
  const std::string dir = tmp.Sub("text");
  {
    auto w = MustOpenWriter(dir);
    ASSERT_TRUE(w->AddBlock(1, "a.py", "", "alpha").ok());
    ASSERT_TRUE(w->Commit("").ok());
  }
  {
    Xapian::WritableDatabase db(dir, Xapian::DB_OPEN);
    db.set_metadata("codeindex.text.format", "0");
    db.commit();
  }
  auto r = TextIndexReader::Open(dir);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), Code::kFailedPrecondition);
  EXPECT_THAT(r.error().message(), ::testing::HasSubstr("format version 0"));
  auto w = TextIndexWriter::Open(dir, Fast());
  ASSERT_FALSE(w.ok());
  EXPECT_EQ(w.error().code(), Code::kFailedPrecondition);
}

TEST(TextIndexTest, MissingIndex) {
  TempDir tmp;
  auto r = TextIndexReader::Open(tmp.Sub("none"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), Code::kNotFound);
  TextWriterOptions o = Fast();
  o.create_if_missing = false;
  auto w = TextIndexWriter::Open(tmp.Sub("none"), o);
  ASSERT_FALSE(w.ok());
  EXPECT_EQ(w.error().code(), Code::kNotFound);
}

// Xapian's own check tells a sound index from one with a damaged or short table, and the
// reader reports the tag and count of one revision.
TEST(TextIndexTest, CheckFindsDamagedTables) {
  TempDir tmp;
  const std::string dir = tmp.Sub("idx");
  {
    auto w = MustOpenWriter(dir);
    for (uint64_t id = 1; id <= 400; ++id) {
      std::string content;
      for (uint64_t t = 0; t < 40; ++t) content += "word" + std::to_string((id * 31 + t) % 997) + " ";
      ASSERT_TRUE(w->AddBlock(id, "src/f" + std::to_string(id % 7) + ".py", "", content).ok());
    }
    ASSERT_TRUE(w->Commit("stamp/3").ok());
  }
  EXPECT_TRUE(CheckTextIndexFiles(dir).ok());
  {
    auto r = MustOpenReader(dir);
    EXPECT_TRUE(r->Verify().ok());
    auto info = r->GetInfo();
    ASSERT_TRUE(info.ok());
    EXPECT_EQ(info->commit_tag, "stamp/3");
    EXPECT_EQ(info->doc_count, 400u);
  }
  EXPECT_EQ(CheckTextIndexFiles(tmp.Sub("none")).code(), Code::kNotFound);
  for (const char* table : {"postlist.glass", "termlist.glass"}) {
    for (bool truncate : {false, true}) {
      const std::string copy = tmp.Sub(std::string("copy-") + table + (truncate ? "-t" : "-g"));
      fs::copy(dir, copy, fs::copy_options::recursive);
      const std::string path = copy + "/" + table;
      const auto size = fs::file_size(path);
      if (truncate) {
        fs::resize_file(path, size / 2);
      } else {
        std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
        f.seekp(static_cast<std::streamoff>(size / 2 - 2048));
        for (int i = 0; i < 4096; ++i) f.put(static_cast<char>((i * 7919) >> 3));
      }
      Status checked = CheckTextIndexFiles(copy);
      EXPECT_EQ(checked.code(), Code::kCorruption) << table << " " << truncate << ": "
                                                    << checked.ToString();
    }
  }
}

TEST(TextIndexTest, SecondWriterIsRefusedWhileTheFirstLives) {
  TempDir tmp;
  const std::string dir = tmp.Sub("text");
  auto first = MustOpenWriter(dir);
  auto second = TextIndexWriter::Open(dir, Fast());
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.error().code(), Code::kUnavailable);
  EXPECT_THAT(second.error().message(), ::testing::HasSubstr("another process"));
  first.reset();
  EXPECT_TRUE(TextIndexWriter::Open(dir, Fast()).ok());
}

// A writer process killed with SIGKILL in the middle of an update, after Xapian flushed
// part of the uncommitted changes to disk: the index stays at the last commit, and the lock
// is released.
TEST(TextIndexTest, SigkillDuringUpdateLeavesTheLastCommit) {
  TempDir tmp;
  const std::string dir = tmp.Sub("text");
  {
    auto w = MustOpenWriter(dir);
    for (uint64_t id = 1; id <= 20; ++id) {
      ASSERT_TRUE(w->AddBlock(id, "kept.py", "", "committed words").ok());
    }
    ASSERT_TRUE(w->Commit("gen-1").ok());
  }
  int pipefd[2];
  ASSERT_EQ(pipe(pipefd), 0);
  pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    close(pipefd[0]);
    // Flush posting lists to disk every 5 changes, so the kill lands after real writes.
    setenv("XAPIAN_FLUSH_THRESHOLD", "5", 1);
    auto w = TextIndexWriter::Open(dir, Fast());
    if (!w.ok()) _exit(2);
    if (!(*w)->DeleteFile("kept.py").ok()) _exit(3);
    for (uint64_t id = 100; id < 400; ++id) {
      if (!(*w)->AddBlock(id, "new.py", "", "uncommitted words").ok()) _exit(4);
    }
    char c = 'x';
    if (write(pipefd[1], &c, 1) != 1) _exit(5);
    for (;;) pause();
  }
  close(pipefd[1]);
  char c = 0;
  ASSERT_EQ(read(pipefd[0], &c, 1), 1) << "child failed before the kill point";
  close(pipefd[0]);
  ASSERT_EQ(kill(pid, SIGKILL), 0);
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFSIGNALED(status));

  auto r = MustOpenReader(dir);
  EXPECT_EQ(*r->DocCount(), 20u);
  EXPECT_EQ(*r->CommitTag(), "gen-1");
  EXPECT_EQ(Ids(*r, "committed").size(), 20u);
  EXPECT_THAT(Ids(*r, "uncommitted"), ElementsAre());

  // The lock died with the process; the next writer repairs nothing and goes on.
  auto w = TextIndexWriter::Open(dir, Fast());
  ASSERT_TRUE(w.ok()) << w.error().ToString();
  EXPECT_EQ((*w)->CommittedTag(), "gen-1");
  ASSERT_TRUE((*w)->AddBlock(500, "new.py", "", "uncommitted words").ok());
  ASSERT_TRUE((*w)->Commit("gen-2").ok());
  EXPECT_THAT(Ids(*r, "uncommitted"), ElementsAre(500u));
  EXPECT_EQ(*r->DocCount(), 21u);
}

// One writer replaces a file's blocks and commits in a loop while reader threads search:
// no search fails, and every search sees exactly one committed generation of the file.
TEST(TextIndexTest, ReadersSeeWholeCommitsWhileAWriterCommits) {
  TempDir tmp;
  const std::string dir = tmp.Sub("text");
  constexpr uint64_t kBlocksPerGen = 5;
  constexpr uint64_t kGenerations = 40;
  auto w = MustOpenWriter(dir);
  ASSERT_TRUE(w->Commit("0").ok());
  auto r = MustOpenReader(dir);

  std::atomic<bool> done{false};
  std::atomic<int> searches{0};
  std::atomic<int> failures{0};
  auto reader = [&] {
    while (!done.load()) {
      SearchParams p;
      p.limit = 50;
      auto res = r->Search("common marker", p);
      if (!res.ok()) {
        ADD_FAILURE() << res.error().ToString();
        failures++;
        return;
      }
      const uint64_t gen = std::stoull(res->commit_tag);
      std::set<uint64_t> gens;
      for (const TextHit& h : res->hits) gens.insert(h.block_id / 100);
      if (gen == 0) {
        EXPECT_TRUE(res->hits.empty());
      } else {
        EXPECT_EQ(res->hits.size(), kBlocksPerGen) << "tag " << gen;
        EXPECT_THAT(gens, ElementsAre(gen)) << "tag " << gen;
      }
      searches++;
    }
  };
  std::vector<std::thread> readers;
  for (int i = 0; i < 4; ++i) readers.emplace_back(reader);
  for (uint64_t gen = 1; gen <= kGenerations && failures.load() == 0; ++gen) {
    ASSERT_TRUE(w->DeleteFile("gen.py").ok());
    for (uint64_t j = 0; j < kBlocksPerGen; ++j) {
      ASSERT_TRUE(w->AddBlock(gen * 100 + j, "gen.py", "", "common marker text").ok());
    }
    ASSERT_TRUE(w->Commit(std::to_string(gen)).ok());
  }
  // Let the readers observe the final state too.
  while (searches.load() < 50 && failures.load() == 0) std::this_thread::yield();
  done = true;
  for (auto& t : readers) t.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(*r->CommitTag(), std::to_string(kGenerations));
  std::cerr << searches.load() << " searches, " << r->Retries() << " retried\n";
}

TEST(TextIndexTest, EachSearchSeesTheNewestCommit) {
  TempDir tmp;
  const std::string dir = tmp.Sub("text");
  auto w = MustOpenWriter(dir);
  ASSERT_TRUE(w->AddBlock(1, "a.py", "", "alpha").ok());
  ASSERT_TRUE(w->Commit("1").ok());
  auto r = MustOpenReader(dir);
  EXPECT_THAT(Ids(*r, "alpha"), ElementsAre(1u));
  ASSERT_TRUE(w->AddBlock(2, "b.py", "", "alpha").ok());
  EXPECT_THAT(Ids(*r, "alpha"), ElementsAre(1u));
  ASSERT_TRUE(w->Commit("2").ok());
  EXPECT_THAT(Ids(*r, "alpha"), UnorderedElementsAreArray({1u, 2u}));
  // A second writer process would be seen the same way: the reader watches the files.
  w.reset();
  auto w2 = MustOpenWriter(dir);
  ASSERT_TRUE(w2->DeleteBlock(1).ok());
  ASSERT_TRUE(w2->Commit("3").ok());
  EXPECT_THAT(Ids(*r, "alpha"), ElementsAre(2u));
  EXPECT_EQ(r->Retries(), 0u);
}

// How the indexer is expected to drive the API (a runnable example, not a spec of the
// indexer): one writer for the whole run, per changed file DeleteFile + AddBlock for each
// of its blocks, a Commit tagged with the catalog generation between files, and after a
// crash a comparison of the tag with the catalog to know what to redo.
TEST(TextIndexTest, IndexerUsageExample) {
  TempDir tmp;
  const std::string text_dir = tmp.Sub("workspace/.codeindex/text");
  struct Block {
    uint64_t id;
    int start_line, end_line;
    std::string identifier, content;
  };
  struct File {
    std::string path;
    std::vector<Block> blocks;
  };
  const std::vector<File> changed = {
      {"src/scan/scanner.cc",
       {{11, 1, 30, "Scan", "Result<ScanResult> Scan(const ScanOptions& options) {"},
        {12, 31, 60, "WalkDirectory", "void WalkDirectory(const std::string& dir) {"}}},
      {"src/text/analyzer.cc", {{21, 1, 40, "Analyze", "void Analyzer::Analyze(text, out) {"}}},
  };
  uint64_t catalog_generation = 7;
  {
    auto writer = TextIndexWriter::Open(text_dir);
    ASSERT_TRUE(writer.ok()) << writer.error().ToString();
    // After a crash the tag tells which catalog generation the text index matches.
    if ((*writer)->CommittedTag() != std::to_string(catalog_generation)) {
      // ... the indexer would re-feed the files changed since that generation.
    }
    for (const File& f : changed) {
      ASSERT_TRUE((*writer)->DeleteFile(f.path).ok());
      for (const Block& b : f.blocks) {
        ASSERT_TRUE((*writer)->AddBlock(b.id, f.path, b.identifier, b.content).ok());
      }
      ++catalog_generation;
      ASSERT_TRUE((*writer)->Commit(std::to_string(catalog_generation)).ok());
    }
  }
  // `codeindex search --mode text --path src/scan --explain "scan options"`:
  auto reader = TextIndexReader::Open(text_dir);
  ASSERT_TRUE(reader.ok());
  SearchParams params;
  params.limit = 10;
  params.path_prefix = "src/scan";
  params.explain = true;
  auto result = (*reader)->Search("scan options", params);
  ASSERT_TRUE(result.ok()) << result.error().ToString();
  ASSERT_GE(result->hits.size(), 1u);  // more: other src/scan files match "scan" by name
  EXPECT_EQ(result->hits[0].block_id, 11u);  // the catalog maps it to file, lines, content
  EXPECT_EQ(result->commit_tag, "9");
  EXPECT_THAT(result->hits[0].explanation->ToString(), ::testing::HasSubstr("options"));
}

}  // namespace
}  // namespace codeindex
