#include "vector/vector_index.h"

#include <algorithm>
#include <atomic>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <set>
#include <thread>

#include <gtest/gtest.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/hash.h"
#include "vector/distance.h"
#include "vector/synthetic.h"

namespace codeindex::vec {
namespace {

// A filter that knows nothing of its size: the search must still find k allowed ids.
class PredicateFilter : public IdFilter {
 public:
  explicit PredicateFilter(uint64_t modulo) : modulo_(modulo) {}
  bool Contains(uint64_t id) const override { return id % modulo_ == 0; }

 private:
  uint64_t modulo_;
};

class VectorIndexTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = ::testing::TempDir() + "vecidxXXXXXX";
    ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::unique_ptr<VectorIndex> Make(size_t dim, size_t flat_threshold, size_t sample = 8192) {
    VectorIndexOptions o;
    o.dim = dim;
    o.flat_threshold = flat_threshold;
    o.training_sample = sample;
    auto idx = VectorIndex::Create(dir_, o);
    EXPECT_TRUE(idx.ok()) << idx.error().ToString();
    return idx.ok() ? std::move(*idx) : nullptr;
  }

  // Adds synthetic vectors [first, first + n) with ids = first + index, in batches; keeps a
  // copy for the oracle.
  void AddRange(VectorIndex* idx, const SyntheticVectors& gen, uint64_t first, size_t n) {
    const size_t dim = gen.dim();
    for (size_t done = 0; done < n; done += 1000) {
      const size_t b = std::min<size_t>(1000, n - done);
      std::vector<float> x = gen.Generate(first + done, b);
      std::vector<uint64_t> ids(b);
      for (size_t i = 0; i < b; ++i) ids[i] = first + done + i;
      ASSERT_TRUE(idx->Add(ids, x).ok());
      for (size_t i = 0; i < b; ++i) {
        data_[ids[i]] = std::vector<float>(x.begin() + i * dim, x.begin() + (i + 1) * dim);
      }
    }
  }

  // Exact fp32 top-k over the vectors kept by AddRange (minus removed ones).
  std::vector<uint64_t> Oracle(const std::vector<float>& q, size_t k,
                               const IdFilter* filter = nullptr) {
    std::vector<std::pair<float, uint64_t>> all;
    for (const auto& [id, v] : data_) {
      if (filter != nullptr && !filter->Contains(id)) continue;
      // A float dot product (the kernel is checked against the scalar loop in distance_test).
      all.push_back({-Kernels().dot_f32(q.data(), v.data(), v.size()), id});
    }
    std::sort(all.begin(), all.end());
    std::vector<uint64_t> out;
    for (size_t i = 0; i < std::min(k, all.size()); ++i) out.push_back(all[i].second);
    return out;
  }

  static double Overlap(const std::vector<SearchHit>& hits, const std::vector<uint64_t>& truth) {
    std::set<uint64_t> t(truth.begin(), truth.end());
    size_t n = 0;
    for (const SearchHit& h : hits) n += t.count(h.id);
    return truth.empty() ? 1.0 : static_cast<double>(n) / static_cast<double>(truth.size());
  }

  double Recall(const VectorIndex& idx, const SyntheticVectors& gen, size_t queries, SearchParams p,
                const IdFilter* filter = nullptr) {
    p.filter = filter;
    double sum = 0;
    for (size_t i = 0; i < queries; ++i) {
      std::vector<float> q = gen.Generate((1ull << 40) + i, 1);
      auto hits = idx.Search(q, p);
      EXPECT_TRUE(hits.ok());
      if (filter != nullptr) {
        for (const SearchHit& h : *hits) EXPECT_TRUE(filter->Contains(h.id)) << h.id;
      }
      sum += Overlap(*hits, Oracle(q, p.k, filter));
    }
    return sum / static_cast<double>(queries);
  }

  std::string dir_;
  std::map<uint64_t, std::vector<float>> data_;
};

SyntheticVectors Gen(size_t dim, size_t clusters = 200) {
  SyntheticOptions o;
  o.dim = dim;
  o.clusters = clusters;
  return SyntheticVectors(o);
}

TEST_F(VectorIndexTest, ExactScanMatchesTheFloatOracle) {
  SyntheticVectors gen = Gen(96);
  auto idx = Make(96, 1 << 30);
  AddRange(idx.get(), gen, 0, 3000);
  EXPECT_FALSE(idx->Stats().ivf);
  SearchParams p;
  EXPECT_GE(Recall(*idx, gen, 30, p), 0.97);  // int8 rounding may swap near-ties only
  // Scores are cosines (the query is normalised here, whatever its length).
  std::vector<float> q = gen.Generate(5, 1);
  for (float& x : q) x *= 3.0f;
  auto hits = idx->Search(q, p);
  ASSERT_TRUE(hits.ok());
  ASSERT_EQ(hits->size(), 10u);
  EXPECT_EQ((*hits)[0].id, 5u);
  EXPECT_NEAR((*hits)[0].score, 1.0f, 0.005f);
  for (size_t i = 1; i < hits->size(); ++i) EXPECT_LE((*hits)[i].score, (*hits)[i - 1].score);
}

TEST_F(VectorIndexTest, IvfRecallAgainstTheExactOracle) {
  for (size_t dim : {64, 256}) {
    data_.clear();
    std::filesystem::remove_all(dir_);
    SyntheticVectors gen = Gen(dim);
    auto idx = Make(dim, 4000);
    AddRange(idx.get(), gen, 0, 12000);
    VectorIndexStats st = idx->Stats();
    ASSERT_TRUE(st.ivf);
    EXPECT_GE(st.nlist, 16u);
    SearchParams p;
    const double recall = Recall(*idx, gen, 50, p);
    EXPECT_GE(recall, 0.95) << "dim " << dim;
    // Fewer candidates -> lower, but still sensible, recall: the knob works.
    p.rerank = 10;
    p.nprobe = 1;
    EXPECT_LT(Recall(*idx, gen, 50, p), recall) << "dim " << dim;
    // PQ codes in RAM: dim/8 bytes + 4 bytes of row per vector, plus the model.
    EXPECT_LT(st.ram_bytes, 12000 * (dim / 8 + 4) * 3 / 2 + st.nlist * dim * 4 + (1 << 16));
  }
}

TEST_F(VectorIndexTest, FilterIsAppliedInsideTheScan) {
  SyntheticVectors gen = Gen(64);
  auto idx = Make(64, 4000);
  AddRange(idx.get(), gen, 0, 20000);
  ASSERT_TRUE(idx->Stats().ivf);
  SearchParams p;
  // 1 % of ids, known size: every result allowed, still k of them.
  std::vector<uint64_t> allowed;
  for (uint64_t i = 0; i < 20000; i += 100) allowed.push_back(i);
  SortedIdFilter rare(allowed);
  EXPECT_GE(Recall(*idx, gen, 20, p, &rare), 0.97);
  // 1 % of ids, size unknown to the index.
  PredicateFilter unknown(100);
  EXPECT_GE(Recall(*idx, gen, 20, p, &unknown), 0.97);
  // A third of the ids: the approximate path, still the filtered top-k.
  std::vector<bool> bits(20000);
  for (size_t i = 0; i < bits.size(); i += 3) bits[i] = true;
  BitsetIdFilter third(bits);
  EXPECT_GE(Recall(*idx, gen, 30, p, &third), 0.9);
  // Fewer allowed ids than k: all of them.
  SortedIdFilter three({7, 70, 700});
  p.filter = &three;
  auto hits = idx->Search(gen.Generate(1ull << 40, 1), p);
  ASSERT_TRUE(hits.ok());
  EXPECT_EQ(hits->size(), 3u);
  // min_score drops weak results after exact scoring.
  p.filter = nullptr;
  p.min_score = 0.999f;
  hits = idx->Search(gen.Generate(123, 1), p);
  ASSERT_TRUE(hits.ok());
  ASSERT_EQ(hits->size(), 1u);
  EXPECT_EQ((*hits)[0].id, 123u);
}

TEST_F(VectorIndexTest, RemoveAndReplace) {
  SyntheticVectors gen = Gen(64);
  for (size_t threshold : {size_t{1} << 30, size_t{3000}}) {
    data_.clear();
    std::filesystem::remove_all(dir_);
    auto idx = Make(64, threshold);
    AddRange(idx.get(), gen, 0, 6000);
    std::vector<uint64_t> gone;
    for (uint64_t i = 0; i < 6000; i += 2) gone.push_back(i);
    ASSERT_TRUE(idx->Remove(gone).ok());
    for (uint64_t id : gone) data_.erase(id);
    EXPECT_EQ(idx->Stats().count, 3000u);
    EXPECT_EQ(idx->Stats().dead, 3000u);
    SearchParams p;
    for (uint64_t probe : {0, 2, 4000}) {
      auto hits = idx->Search(gen.Generate(probe, 1), p);
      ASSERT_TRUE(hits.ok());
      for (const SearchHit& h : *hits) EXPECT_EQ(h.id % 2, 1u);
    }
    EXPECT_GE(Recall(*idx, gen, 20, p), 0.9);
    // Replace: id 1's vector becomes vector 50001's.
    std::vector<float> v = gen.Generate(50001, 1);
    std::vector<uint64_t> one = {1};
    ASSERT_TRUE(idx->Replace(one, one, v).ok());
    auto hits = idx->Search(v, p);
    ASSERT_TRUE(hits.ok());
    EXPECT_EQ((*hits)[0].id, 1u);
    EXPECT_NEAR((*hits)[0].score, 1.0f, 0.005f);
    hits = idx->Search(gen.Generate(1, 1), p);
    ASSERT_TRUE(hits.ok());
    EXPECT_NE((*hits)[0].id, 1u);
    EXPECT_EQ(idx->Stats().count, 3000u);
    // Unknown ids are ignored.
    std::vector<uint64_t> unknown = {999999};
    EXPECT_TRUE(idx->Remove(unknown).ok());
    EXPECT_EQ(idx->Stats().count, 3000u);
  }
}

TEST_F(VectorIndexTest, SaveOpenRoundTripAndCompaction) {
  SyntheticVectors gen = Gen(64);
  auto idx = Make(64, 3000);
  AddRange(idx.get(), gen, 0, 8000);
  std::vector<uint64_t> gone;
  for (uint64_t i = 0; i < 8000; i += 3) gone.push_back(i);
  ASSERT_TRUE(idx->Remove(gone).ok());
  SearchParams p;
  std::vector<std::vector<SearchHit>> before;
  for (uint64_t i = 0; i < 10; ++i) before.push_back(*idx->Search(gen.Generate(i * 7, 1), p));
  ASSERT_TRUE(idx->Save("catalog-1").ok());  // 33 % dead > 25 %: compacts
  EXPECT_EQ(idx->Stats().dead, 0u);
  EXPECT_EQ(idx->commit_tag(), "catalog-1");
  VectorIndexOptions o;
  o.flat_threshold = 3000;
  for (uint64_t i = 0; i < 10; ++i) EXPECT_EQ(*idx->Search(gen.Generate(i * 7, 1), p), before[i]);

  // A second writer is refused while the first is open.
  EXPECT_EQ(VectorIndex::Open(dir_, o).error().code(), Code::kUnavailable);
  // Unsaved changes are not in what another process would open.
  std::vector<uint64_t> extra = {777777};
  ASSERT_TRUE(idx->Add(extra, gen.Generate(777777, 1)).ok());
  o.read_only = true;
  {
    auto ro = VectorIndex::Open(dir_, o);
    ASSERT_TRUE(ro.ok()) << ro.error().ToString();
    EXPECT_EQ((*ro)->commit_tag(), "catalog-1");
    EXPECT_EQ((*ro)->Stats().count, 8000u - gone.size());
    for (uint64_t i = 0; i < 10; ++i)
      EXPECT_EQ(*(*ro)->Search(gen.Generate(i * 7, 1), p), before[i]);
    EXPECT_FALSE((*ro)->Add(extra, gen.Generate(1, 1)).ok());
  }
  idx.reset();  // closes without saving: the extra vector is lost
  o.read_only = false;
  auto rw = VectorIndex::Open(dir_, o);
  ASSERT_TRUE(rw.ok()) << rw.error().ToString();
  EXPECT_EQ((*rw)->Stats().count, 8000u - gone.size());
  EXPECT_TRUE((*rw)->Stats().ivf);
  for (uint64_t i = 0; i < 10; ++i) EXPECT_EQ(*(*rw)->Search(gen.Generate(i * 7, 1), p), before[i]);
  // Adds after reopening land after the committed rows.
  ASSERT_TRUE((*rw)->Add(extra, gen.Generate(777777, 1)).ok());
  ASSERT_TRUE((*rw)->Save("catalog-2").ok());
  auto hits = (*rw)->Search(gen.Generate(777777, 1), p);
  ASSERT_TRUE(hits.ok());
  EXPECT_EQ((*hits)[0].id, 777777u);
  // Only the files of the current state remain.
  size_t files = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir_)) {
    (void)e;
    ++files;
  }
  EXPECT_EQ(files, 6u);  // MANIFEST, LOCK, rows .ids/.vec, pq codes, model
}

TEST_F(VectorIndexTest, OpenErrors) {
  VectorIndexOptions o;
  EXPECT_EQ(VectorIndex::Open(dir_ + "/none", o).error().code(), Code::kNotFound);
  o.dim = 8;
  {
    auto idx = VectorIndex::Create(dir_, o);
    ASSERT_TRUE(idx.ok());
    ASSERT_TRUE((*idx)->Save("t").ok());
  }
  o.dim = 16;
  EXPECT_EQ(VectorIndex::Open(dir_, o).error().code(), Code::kFailedPrecondition);
  o.dim = 0;
  EXPECT_TRUE(VectorIndex::Open(dir_, o).ok());
  {
    std::fstream f(dir_ + "/MANIFEST", std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(12);
    f.put('\x7f');
  }
  EXPECT_EQ(VectorIndex::Open(dir_, o).error().code(), Code::kCorruption);
  o.dim = 0;
  EXPECT_FALSE(VectorIndex::Create(dir_ + "/x", o).ok());
}

// Every file's checksum (format 2) follows appends, compaction and training, and Open()
// tells a damaged, short or missing file from a sound one.
TEST_F(VectorIndexTest, ChecksumsFollowEveryChangeAndCatchDamage) {
  namespace fs = std::filesystem;
  SyntheticVectors gen = Gen(32);
  {
    auto idx = Make(32, 1500, 1024);
    AddRange(idx.get(), gen, 0, 1000);
    ASSERT_TRUE(idx->Save("a").ok());
    AddRange(idx.get(), gen, 1000, 400);  // appended: the CRC is extended
    ASSERT_TRUE(idx->Save("b").ok());
    std::vector<uint64_t> gone;
    for (uint64_t i = 0; i < 1400; i += 2) gone.push_back(i);
    ASSERT_TRUE(idx->Remove(gone).ok());
    ASSERT_TRUE(idx->Save("c").ok());  // compacts: new row files
    AddRange(idx.get(), gen, 2000, 1200);  // trains: PQ codes and model
    ASSERT_TRUE(idx->Stats().ivf);
    ASSERT_TRUE(idx->Save("d").ok());
    AddRange(idx.get(), gen, 4000, 300);  // codes appended
    ASSERT_TRUE(idx->Save("e").ok());
  }
  VectorIndexOptions o;
  o.verify = VectorIndexOptions::Verify::kFull;
  {
    auto rw = VectorIndex::Open(dir_, o);  // verified, then reopened read-only below
    ASSERT_TRUE(rw.ok()) << rw.error().ToString();
    EXPECT_EQ((*rw)->commit_tag(), "e");
  }
  o.read_only = true;
  ASSERT_TRUE(VectorIndex::Open(dir_, o).ok());

  // Copies of the sound directory, one per kind of damage.
  auto file_with = [&](const std::string& dir, const std::string& prefix) {
    for (const auto& e : fs::directory_iterator(dir)) {
      if (e.path().filename().string().rfind(prefix, 0) == 0) return e.path().string();
    }
    return std::string();
  };
  auto garble = [](const std::string& path) {
    std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(static_cast<std::streamoff>(fs::file_size(path) / 2));
    for (int i = 0; i < 64; ++i) f.put(static_cast<char>(0x5a ^ i));
  };
  struct Case {
    std::string name;
    std::function<void(const std::string& dir)> damage;
    Code want;
  };
  const std::vector<Case> cases = {
      {"garbled rows", [&](const std::string& d) { garble(file_with(d, "rows-") + ""); },
       Code::kCorruption},
      {"garbled row ids",
       [&](const std::string& d) {
         std::string vec = file_with(d, "rows-");
         garble(vec.substr(0, vec.size() - 4) + ".ids");
       },
       Code::kCorruption},
      {"garbled codes", [&](const std::string& d) { garble(file_with(d, "pq-")); },
       Code::kCorruption},
      {"garbled model", [&](const std::string& d) { garble(file_with(d, "model-")); },
       Code::kCorruption},
      {"short rows",
       [&](const std::string& d) {
         std::string f = file_with(d, "rows-");
         fs::resize_file(f, fs::file_size(f) / 2);
       },
       Code::kCorruption},
      {"missing rows", [&](const std::string& d) { fs::remove(file_with(d, "rows-")); },
       Code::kCorruption},
      {"missing model", [&](const std::string& d) { fs::remove(file_with(d, "model-")); },
       Code::kCorruption},
      {"missing MANIFEST", [&](const std::string& d) { fs::remove(d + "/MANIFEST"); },
       Code::kNotFound},
  };
  for (const Case& c : cases) {
    const std::string copy = dir_ + "-" + std::to_string(&c - cases.data());
    fs::remove_all(copy);
    fs::copy(dir_, copy, fs::copy_options::recursive);
    c.damage(copy);
    auto opened = VectorIndex::Open(copy, o);
    ASSERT_FALSE(opened.ok()) << c.name;
    EXPECT_EQ(opened.error().code(), c.want) << c.name << ": " << opened.error().ToString();
    fs::remove_all(copy);
  }
  // Damage inside the row files is found only by reading them: kSizes does not.
  const std::string copy = dir_ + "-sizes";
  fs::copy(dir_, copy, fs::copy_options::recursive);
  garble(file_with(copy, "rows-"));
  o.verify = VectorIndexOptions::Verify::kSizes;
  EXPECT_TRUE(VectorIndex::Open(copy, o).ok());
  o.verify = VectorIndexOptions::Verify::kAuto;  // small: read whole
  EXPECT_EQ(VectorIndex::Open(copy, o).error().code(), Code::kCorruption);
  o.verify_max_bytes = 1024;  // too large for kAuto now
  EXPECT_TRUE(VectorIndex::Open(copy, o).ok());
  fs::remove_all(copy);
}

// A MANIFEST of format 1 (no checksums) is refused as another version, not as damage.
TEST_F(VectorIndexTest, FormatOneManifestIsRefusedAsAnotherVersion) {
  std::string m = "CIVECMAN";
  auto put32 = [&](uint32_t v) { m.append(reinterpret_cast<const char*>(&v), 4); };
  auto put64 = [&](uint64_t v) { m.append(reinterpret_cast<const char*>(&v), 8); };
  put32(1);
  put64(8);  // dim
  put64(0);  // rows
  for (const char* str : {"rows-1", "", "", "tag"}) {
    put32(static_cast<uint32_t>(std::strlen(str)));
    m += str;
  }
  put64(0);  // tombstone words
  const Sha256Digest d = Sha256(m);
  m.append(reinterpret_cast<const char*>(d.data()), d.size());
  std::ofstream(dir_ + "/MANIFEST", std::ios::binary) << m;
  std::ofstream(dir_ + "/rows-1.ids");
  std::ofstream(dir_ + "/rows-1.vec");
  auto opened = VectorIndex::Open(dir_, VectorIndexOptions{});
  ASSERT_FALSE(opened.ok());
  EXPECT_EQ(opened.error().code(), Code::kFailedPrecondition);
  EXPECT_NE(opened.error().message().find("format version 1"), std::string::npos)
      << opened.error().ToString();
}

TEST_F(VectorIndexTest, RetrainsWhenGrowingPastTheTrainingSize) {
  SyntheticVectors gen = Gen(64);
  VectorIndexOptions o;
  o.dim = 64;
  o.flat_threshold = 2000;
  o.retrain_growth = 3.0;
  o.training_sample = 4096;
  auto idx = VectorIndex::Create(dir_, o);
  ASSERT_TRUE(idx.ok());
  AddRange(idx->get(), gen, 0, 2000);
  const VectorIndexStats first = (*idx)->Stats();
  ASSERT_TRUE(first.ivf);
  AddRange(idx->get(), gen, 2000, 14000);
  const VectorIndexStats later = (*idx)->Stats();
  EXPECT_GT(later.trained_on, first.trained_on);
  EXPECT_GT(later.nlist, first.nlist);
  EXPECT_GE(Recall(**idx, gen, 30, SearchParams{}), 0.93);
}

// Runs in a child process (see CrashLeavesTheLastSavedState): adds batches of 100 vectors and
// saves after each with tag "batch-<n>", forever.
TEST(VectorIndexCrashChild, DISABLED_WriteUntilKilled) {
  const char* dir = std::getenv("CODEINDEX_VECTOR_CRASH_DIR");
  ASSERT_NE(dir, nullptr);
  SyntheticVectors gen = Gen(32);
  VectorIndexOptions o;
  o.dim = 32;
  o.flat_threshold = 1500;  // trains (and retrains) along the way
  o.training_sample = 2048;
  o.compact_dead_fraction = 0.05;
  auto idx = VectorIndex::Create(dir, o);
  ASSERT_TRUE(idx.ok());
  for (uint64_t batch = 1;; ++batch) {
    std::vector<uint64_t> ids(100);
    for (size_t i = 0; i < 100; ++i) ids[i] = batch * 100 + i;
    // Also remove one vector of the previous batch, so that Save compacts now and then.
    std::vector<uint64_t> gone = {(batch - 1) * 100 + 50};
    ASSERT_TRUE((*idx)->Replace(gone, ids, gen.Generate(batch * 100, 100)).ok());
    ASSERT_TRUE((*idx)->Save("batch-" + std::to_string(batch)).ok());
  }
}

TEST_F(VectorIndexTest, CrashLeavesTheLastSavedState) {
  SyntheticVectors gen = Gen(32);
  for (int trial = 0; trial < 4; ++trial) {
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    const pid_t pid = ::fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      // A fresh process image: no OpenMP or ASan state shared with the parent.
      ::setenv("CODEINDEX_VECTOR_CRASH_DIR", dir_.c_str(), 1);
      ::execl("/proc/self/exe", "vector_test", "--gtest_filter=VectorIndexCrashChild.*",
              "--gtest_also_run_disabled_tests", static_cast<char*>(nullptr));
      ::_exit(127);
    }
    // Wait for some saves, then kill at an arbitrary point.
    for (int i = 0; i < 400 && !std::filesystem::exists(dir_ + "/MANIFEST"); ++i) ::usleep(10000);
    ::usleep(static_cast<useconds_t>(200000 + trial * 250000));
    ::kill(pid, SIGKILL);
    int status = 0;
    ::waitpid(pid, &status, 0);
    ASSERT_TRUE(WIFSIGNALED(status)) << "child exited early with " << WEXITSTATUS(status);

    VectorIndexOptions o;
    auto idx = VectorIndex::Open(dir_, o);
    ASSERT_TRUE(idx.ok()) << idx.error().ToString();
    const std::string tag = (*idx)->commit_tag();
    ASSERT_EQ(tag.rfind("batch-", 0), 0u) << tag;
    const uint64_t batches = std::stoull(tag.substr(6));
    // Batch b added 100 vectors and removed one of batch b-1 (none for b = 1).
    EXPECT_EQ((*idx)->Stats().count, batches * 100 - (batches - 1)) << tag;
    // The last saved batch is searchable, the vector removed by it is gone.
    SearchParams p;
    p.k = 1;
    auto hits = (*idx)->Search(gen.Generate(batches * 100 + 7, 1), p);
    ASSERT_TRUE(hits.ok());
    ASSERT_EQ(hits->size(), 1u);
    EXPECT_EQ((*hits)[0].id, batches * 100 + 7) << tag;
    if (batches > 1) {
      p.exact = true;
      hits = (*idx)->Search(gen.Generate((batches - 1) * 100 + 50, 1), p);
      ASSERT_TRUE(hits.ok());
      EXPECT_NE((*hits)[0].id, (batches - 1) * 100 + 50);
    }
    // And it keeps working as a writer.
    std::vector<uint64_t> ids = {1};
    EXPECT_TRUE((*idx)->Add(ids, gen.Generate(1, 1)).ok());
    EXPECT_TRUE((*idx)->Save("after").ok());
  }
}

// Readers must see every Replace entirely or not at all: the writer swaps one group of 50
// identical-direction vectors for the next, so a search returns 50 hits of a single group.
TEST_F(VectorIndexTest, ConcurrentReadersSeeWholeUpdates) {
  for (size_t threshold : {size_t{1} << 30, size_t{1000}}) {
    std::filesystem::remove_all(dir_);
    SyntheticVectors gen = Gen(32, 20);
    auto idx = Make(32, threshold, 2048);
    AddRange(idx.get(), gen, 100000, 3000);  // background vectors
    std::vector<float> dir_vec = gen.Generate(999, 1);
    auto group = [&](uint64_t g) {
      std::vector<uint64_t> ids(50);
      for (size_t i = 0; i < 50; ++i) ids[i] = g * 1000 + i;
      return ids;
    };
    std::vector<float> vecs;
    for (size_t i = 0; i < 50; ++i) vecs.insert(vecs.end(), dir_vec.begin(), dir_vec.end());
    ASSERT_TRUE(idx->Add(group(1), vecs).ok());

    std::atomic<bool> stop{false};
    std::atomic<int> bad{0}, searches{0};
    std::vector<std::thread> readers;
    for (int t = 0; t < 3; ++t) {
      readers.emplace_back([&] {
        SearchParams p;
        p.k = 50;
        p.min_score = 0.99f;
        while (!stop.load()) {
          auto hits = idx->Search(dir_vec, p);
          if (!hits.ok() || hits->size() != 50) {
            ++bad;
            continue;
          }
          std::set<uint64_t> groups;
          for (const SearchHit& h : *hits) groups.insert(h.id / 1000);
          if (groups.size() != 1) ++bad;
          ++searches;
        }
      });
    }
    for (uint64_t g = 2; g < 60; ++g) {
      ASSERT_TRUE(idx->Replace(group(g - 1), group(g), vecs).ok());
      if (g % 20 == 0) {
        ASSERT_TRUE(idx->Save("g" + std::to_string(g)).ok());
      }
    }
    stop = true;
    for (std::thread& t : readers) t.join();
    EXPECT_EQ(bad.load(), 0);
    EXPECT_GT(searches.load(), 0);
  }
}

}  // namespace
}  // namespace codeindex::vec
