#include "index/vector_derived.h"

#include <algorithm>
#include <deque>
#include <filesystem>
#include <thread>

#include "index/health.h"
#include "index/index_dir.h"

namespace codeindex {

std::string_view TrimmedForEmbedding(std::string_view s) {
  auto ws = [](char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
  };
  size_t b = 0, e = s.size();
  while (b < e && ws(s[b])) ++b;
  while (e > b && ws(s[e - 1])) --e;
  return s.substr(b, e - b);
}

Status VectorDerivedIndex::CreateEmpty() {
  index_.reset();
  RETURN_IF_ERROR(RemoveTree(dir_));
  vec::VectorIndexOptions options;
  options.dim = static_cast<size_t>(embedder_->dimension());
  ASSIGN_OR_RETURN(index_, vec::VectorIndex::Create(dir_, options));
  return Status::OK();
}

std::string VectorCommitTag(std::string_view fingerprint, const CatalogStamp& stamp) {
  return std::string(fingerprint) + "\n" + stamp.ToString();
}

void SplitVectorCommitTag(std::string_view tag, std::string* fingerprint,
                          std::optional<CatalogStamp>* stamp) {
  const size_t nl = tag.rfind('\n');
  if (nl == std::string_view::npos) {
    *fingerprint = std::string(tag);
    *stamp = std::nullopt;
    return;
  }
  *fingerprint = std::string(tag.substr(0, nl));
  *stamp = CatalogStamp::Parse(tag.substr(nl + 1));
}

namespace {

// True when `dir` holds files of a vector index (rows, codes or model), with or without a
// MANIFEST.
bool HasVectorFiles(const std::string& dir) {
  std::error_code ec;
  for (auto it = std::filesystem::directory_iterator(dir, ec);
       !ec && it != std::filesystem::directory_iterator(); it.increment(ec)) {
    const std::string n = it->path().filename().string();
    if (n.rfind("rows-", 0) == 0 || n.rfind("pq-", 0) == 0 || n.rfind("model-", 0) == 0) {
      return true;
    }
  }
  return false;
}

}  // namespace

Result<std::unique_ptr<VectorDerivedIndex>> VectorDerivedIndex::Open(
    const std::string& dir, std::shared_ptr<const Embedder> embedder, int threads) {
  std::unique_ptr<VectorDerivedIndex> d(new VectorDerivedIndex(dir, std::move(embedder), threads));
  vec::VectorIndexOptions options;
  options.dim = static_cast<size_t>(d->embedder_->dimension());
  // The writer reads every byte against the MANIFEST's checksums (a few ms per 10 MB): the
  // vectors it keeps adding to must be sound.
  options.verify = vec::VectorIndexOptions::Verify::kFull;
  auto opened = vec::VectorIndex::Open(dir, options);
  if (opened.ok()) {
    d->index_ = std::move(opened).value();
    std::string fingerprint;
    std::optional<CatalogStamp> stamp;
    SplitVectorCommitTag(d->index_->commit_tag(), &fingerprint, &stamp);
    // Vectors of another model (or settings) must all be remade.
    if (fingerprint != d->embedder_->fingerprint()) {
      d->rebuild_reason_ = "it was made with another embedding model or settings";
    }
    return d;
  }
  if (opened.error().code() == Code::kUnavailable) return opened.error();  // another writer
  // Missing, damaged, another format or another dimension: start empty, rebuild from the
  // catalog (never mix vectors of two models).
  const bool had_files = HasVectorFiles(dir);
  RETURN_IF_ERROR(d->CreateEmpty());
  if (opened.error().code() != Code::kNotFound) {
    d->rebuild_reason_ = opened.error().message();
  } else if (had_files) {
    d->rebuild_reason_ = "its MANIFEST is missing";
  }
  // (No MANIFEST and no files: a new index, or one never committed; the indexer's
  // comparison with the catalog decides.)
  return d;
}

std::string VectorDerivedIndex::CheckAgainst(const CatalogState& catalog) const {
  std::string fingerprint;
  DerivedState state;
  SplitVectorCommitTag(index_->commit_tag(), &fingerprint, &state.stamp);
  state.count = index_->Stats().count;
  return CompareWithCatalog(state, CountRule::kAtMost, catalog, /*strict=*/true);
}

Status VectorDerivedIndex::Update(const std::vector<DirtyFile>& files) {
  std::vector<uint64_t> remove_ids;
  std::vector<uint64_t> ids;
  std::vector<std::string_view> texts;
  std::deque<std::string> joined;  // context + content, where a block has context
  for (const DirtyFile& f : files) {
    for (int64_t id : f.stale_block_ids) remove_ids.push_back(static_cast<uint64_t>(id));
    for (const BlockRecord& b : f.live_blocks) {
      // Removing the live ids too makes a redo (after a crash) idempotent.
      remove_ids.push_back(static_cast<uint64_t>(b.id));
      std::string_view t = TrimmedForEmbedding(b.content);
      if (t.empty()) continue;
      if (!b.context.empty()) {
        // Embedded with its context (the enclosing signatures), as it is indexed.
        joined.push_back(b.context + "\n" + std::string(t));
        t = joined.back();
      }
      ids.push_back(static_cast<uint64_t>(b.id));
      texts.push_back(t);
    }
  }
  const size_t dim = static_cast<size_t>(embedder_->dimension());
  std::vector<float> vectors(ids.size() * dim);
  // Embed in parallel slices; the embedder is thread-safe.
  constexpr size_t kSlice = 256;
  size_t slices = (texts.size() + kSlice - 1) / kSlice;
  int nthreads = threads_ > 0 ? threads_
                              : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  nthreads = static_cast<int>(std::min<size_t>(static_cast<size_t>(nthreads), slices));
  std::atomic<size_t> next{0};
  std::vector<Status> errors(static_cast<size_t>(std::max(nthreads, 1)));
  auto work = [&](size_t t) {
    for (size_t s; (s = next.fetch_add(1)) < slices;) {
      size_t begin = s * kSlice, end = std::min(texts.size(), begin + kSlice);
      Status st = embedder_->Embed(std::span(texts).subspan(begin, end - begin),
                                   EmbedKind::kDocument, vectors.data() + begin * dim);
      if (!st.ok()) {
        errors[t] = st;
        return;
      }
    }
  };
  if (nthreads <= 1) {
    work(0);
  } else {
    std::vector<std::thread> pool;
    for (int t = 0; t < nthreads; ++t) pool.emplace_back(work, static_cast<size_t>(t));
    for (auto& th : pool) th.join();
  }
  for (const Status& e : errors) RETURN_IF_ERROR(e.WithContext("embedding"));
  return index_->Replace(remove_ids, ids, vectors);
}

Status VectorDerivedIndex::Commit() {
  return index_->Save(VectorCommitTag(embedder_->fingerprint(), stamp_));
}

Status VectorDerivedIndex::Clear() {
  RETURN_IF_ERROR(CreateEmpty());
  rebuild_reason_.clear();
  return Status::OK();
}

uint64_t VectorDerivedIndex::SizeBytes() const { return TreeSizeBytes(dir_); }

}  // namespace codeindex
