#include "text/text_index.h"

#include <algorithm>
#include <cctype>
#include <atomic>
#include <cmath>
#include <filesystem>
#include <mutex>
#include <optional>
#include <sstream>
#include <utility>

#include <fcntl.h>
#include <unistd.h>
#include <xapian.h>

#include "base/hash.h"
#include "text/analyzer.h"

#if defined(__SANITIZE_ADDRESS__)
#define CODEINDEX_TEXT_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define CODEINDEX_TEXT_ASAN 1
#endif
#endif

#ifdef CODEINDEX_TEXT_ASAN
// Xapian 1.4.22's Database::check() (CheckTextIndexFiles) frees a 440-byte table-check object
// through a pointer to its 432-byte base: harmless with glibc's allocator, which ignores the
// size, but fatal under AddressSanitizer's new-delete-type-mismatch check, which no
// suppression file can silence. Sanitized builds of every program that links the text stage
// (the binary, its tests) therefore run with that one check off; every other ASan check
// stays on. The ASan runtime calls this before main().
extern "C" const char* __asan_default_options() { return "new_delete_type_mismatch=0"; }
#endif

namespace codeindex {
namespace {

namespace fs = std::filesystem;

constexpr char kFormatKey[] = "codeindex.text.format";
constexpr char kTagKey[] = "codeindex.text.commit_tag";
// Xapian glass rejects terms over 245 bytes; longer path terms are hashed (docs/text-index.md).
constexpr size_t kMaxPathTermBytes = 240;
// Attempts of one reader call when commits keep overlapping it (TextIndexReader::Impl).
constexpr int kSearchAttempts = 20;

std::string PathTerm(char prefix, char hashed_prefix, std::string_view path) {
  std::string t;
  if (1 + path.size() <= kMaxPathTermBytes) {
    t.reserve(1 + path.size());
    t.push_back(prefix);
    t.append(path);
  } else {
    t.push_back(hashed_prefix);
    t.append(Sha256Hex(path));
  }
  return t;
}
std::string FileTerm(std::string_view path) { return PathTerm('F', 'H', path); }
// REQUIRES: `dir` ends with '/'.
std::string DirTerm(std::string_view dir) { return PathTerm('P', 'D', dir); }

Status CheckBlockId(uint64_t id) {
  if (id == 0 || id > kMaxBlockId) {
    return Status::InvalidArgument("block id " + std::to_string(id) + " is outside 1.." +
                                   std::to_string(kMaxBlockId));
  }
  return Status::OK();
}

// "./src//parse/" -> "src/parse"; "", ".", "/" -> "".
std::string NormalizePrefix(std::string_view p) {
  std::string out;
  size_t i = 0;
  while (i < p.size()) {
    size_t j = p.find('/', i);
    if (j == std::string_view::npos) j = p.size();
    std::string_view comp = p.substr(i, j - i);
    if (!comp.empty() && comp != ".") {
      if (!out.empty()) out.push_back('/');
      out.append(comp);
    }
    i = j + 1;
  }
  return out;
}

Status FromXapian(const Xapian::Error& e, std::string_view context) {
  std::string msg = std::string(context) + ": " + e.get_description();
  std::string_view type = e.get_type();
  if (type == "DatabaseLockError") {
    return Status::Unavailable(std::string(context) +
                               ": another process is writing this text index (" + e.get_msg() +
                               ")");
  }
  if (type == "DatabaseNotFoundError") return Status::NotFound(msg);
  if (type == "DatabaseCorruptError") return Status::Corruption(msg);
  // A table shorter than its root says (a truncated file): Xapian's generic DatabaseError
  // "EOF reading block N". Other DatabaseErrors are the operating system's (EIO, ...).
  if (type == "DatabaseError" && e.get_msg().find("EOF reading block") != std::string::npos) {
    return Status::Corruption(msg);
  }
  if (type == "DatabaseVersionError") return Status::FailedPrecondition(msg);
  if (type == "DatabaseModifiedError") return Status::Unavailable(msg);
  if (type == "InvalidArgumentError" || type == "InvalidOperationError" ||
      type == "UnimplementedError" || type == "AssertionError") {
    return Status::Internal(msg);
  }
  return Status::IOError(msg);
}

// Checks the stored format version. An index with no version and no documents is a fresh
// one whose creator died before its first commit.
Status CheckFormat(const Xapian::Database& db, const std::string& dir) {
  std::string v = db.get_metadata(kFormatKey);
  if (v == std::to_string(kTextIndexFormatVersion)) return Status::OK();
  if (v.empty() && db.get_doccount() == 0) return Status::OK();
  return Status::FailedPrecondition("text index " + dir + " has format version " +
                                    (v.empty() ? "none" : v) + ", this build reads version " +
                                    std::to_string(kTextIndexFormatVersion) +
                                    ": delete the directory and index again");
}

Xapian::BM25Weight MakeWeight() {
  // (k1, k2, k3, b, min_normlen); see text_index.h for the choice.
  return Xapian::BM25Weight(kBm25K1, 0.0, 1.0, kBm25B, kBm25MinNormLen);
}

// Restates Xapian's BM25Weight::init + get_sumpart in the same operation order, so the
// explained contribution equals the matcher's to the last bit (the score only differs by
// summation order).
// The indexed terms that are inflections of `term` (same English Porter2 stem: "retry",
// "retries", "retrying" for "retried"), found by a scan of the terms sharing the stem's
// first letters (the stem minus its last letter: "retri" comes from "retry" too). Only for
// alphabetic terms of 4+ letters; at most kMaxVariants.
std::vector<std::string> StemVariants(const Xapian::Database& db, const std::string& term) {
  constexpr size_t kMaxVariants = 8;
  constexpr size_t kMaxScanned = 256;
  std::vector<std::string> out;
  if (term.size() < 4) return out;
  for (char c : term) {
    if (c < 'a' || c > 'z') return out;
  }
  thread_local Xapian::Stem stemmer("english");
  const std::string stem = stemmer(term);
  const std::string scan = stem.substr(0, std::max<size_t>(3, stem.size() - 1));
  size_t scanned = 0;
  for (Xapian::TermIterator it = db.allterms_begin(scan); it != db.allterms_end(scan); ++it) {
    if (++scanned > kMaxScanned || out.size() == kMaxVariants) break;
    const std::string v = *it;
    if (v == term) continue;
    bool alpha = true;
    for (char c : v) alpha = alpha && c >= 'a' && c <= 'z';
    if (alpha && stemmer(v) == stem) out.push_back(v);
  }
  return out;
}

TermContribution ExplainTerm(const Xapian::Database& db, Xapian::docid did, const std::string& term,
                             double norm_length, double scale) {
  TermContribution c;
  c.term = term;
  c.doc_freq = db.get_termfreq(term);
  Xapian::PostingIterator pi = db.postlist_begin(term);
  if (pi != db.postlist_end(term)) {
    pi.skip_to(did);
    if (pi != db.postlist_end(term) && *pi == did) c.wdf = pi.get_wdf();
  }
  const double n_docs = db.get_doccount();
  double w = (n_docs - c.doc_freq + 0.5) / (c.doc_freq + 0.5);
  if (w < 2) w = w * 0.5 + 1;
  c.idf = std::log(w);
  c.scale = scale;
  double termweight = c.idf * c.scale;
  termweight *= (1.0 + 1.0) * 1.0 / (1.0 + 1.0);  // k3 factor with wqf 1: exactly 1
  termweight *= (kBm25K1 + 1);
  if (c.wdf > 0) {
    double wdf = c.wdf;
    double denom = kBm25K1 * (norm_length * kBm25B + (1 - kBm25B)) + wdf;
    c.contribution = termweight * (wdf / denom);
  }
  return c;
}

}  // namespace

std::string Bm25FormulaText() {
  std::ostringstream s;
  s << "BM25 (Xapian BM25Weight k1=" << kBm25K1 << " k2=0 k3=1 b=" << kBm25B
    << " min_normlen=" << kBm25MinNormLen
    << "): score = sum over query terms t of idf(t) * (k1+1) * wdf / (k1 * ((1-b) + b * "
       "norm) + wdf), idf = log(w), w = (N - n + 0.5) / (n + 0.5) (w := 1 + w/2 if w < 2), "
       "norm = max(doclen / avgdl, min_normlen)";
  return s.str();
}

double Explanation::Total() const {
  double t = 0;
  for (const TermContribution& c : terms) t += c.contribution;
  return t;
}

std::string Explanation::ToString() const {
  std::ostringstream s;
  s << Bm25FormulaText() << "\n";
  s << "N=" << doc_count << " avgdl=" << avg_length << " doclen=" << doc_length
    << " norm=" << norm_length << "\n";
  for (const TermContribution& c : terms) {
    s << "  " << c.term << ": wdf=" << c.wdf << " n=" << c.doc_freq << " idf=" << c.idf;
    if (c.scale != 1.0) s << " scale=" << c.scale;
    s << " -> " << c.contribution << "\n";
  }
  s << "  total " << Total();
  return s.str();
}

// ---------------------------------------------------------------------------------------
// Writer

struct TextIndexWriter::Impl {
  Xapian::WritableDatabase db;
  Analyzer analyzer;
  TermList terms;  // reused across AddBlock calls
  bool in_transaction = false;

  // Begins the transaction that holds every change until the next Commit. Inside it Xapian
  // still flushes posting lists to disk every XAPIAN_FLUSH_THRESHOLD changes (memory stays
  // bounded) but does not make them visible.
  void EnsureTransaction() {
    if (!in_transaction) {
      db.begin_transaction(/*flushed=*/true);
      in_transaction = true;
    }
  }
};

TextIndexWriter::TextIndexWriter(std::string dir, std::unique_ptr<Impl> impl, std::string tag)
    : dir_(std::move(dir)), impl_(std::move(impl)), committed_tag_(std::move(tag)) {}

TextIndexWriter::~TextIndexWriter() {
  if (!impl_) return;
  try {
    if (impl_->in_transaction) impl_->db.cancel_transaction();
    impl_->db.close();
  } catch (const Xapian::Error&) {
    // Nothing to report to: the uncommitted changes are discarded either way.
  }
}

Result<std::unique_ptr<TextIndexWriter>> TextIndexWriter::Open(const std::string& dir,
                                                               const TextWriterOptions& options) {
  std::error_code ec;
  const bool exists = fs::exists(fs::path(dir) / "iamglass", ec);
  if (!exists) {
    if (!options.create_if_missing) return Status::NotFound("no text index in " + dir);
    fs::create_directories(dir, ec);
    if (ec) return Status::IOError("creating " + dir + ": " + ec.message());
  }
  int flags = exists ? Xapian::DB_OPEN : (Xapian::DB_CREATE_OR_OPEN | Xapian::DB_BACKEND_GLASS);
  if (!options.sync) flags |= Xapian::DB_NO_SYNC;
  try {
    auto impl = std::make_unique<Impl>();
    impl->db = Xapian::WritableDatabase(dir, flags);
    RETURN_IF_ERROR(CheckFormat(impl->db, dir));
    if (impl->db.get_metadata(kFormatKey).empty()) {
      impl->db.set_metadata(kFormatKey, std::to_string(kTextIndexFormatVersion));
      impl->db.commit();
    }
    std::string tag = impl->db.get_metadata(kTagKey);
    return std::unique_ptr<TextIndexWriter>(
        new TextIndexWriter(dir, std::move(impl), std::move(tag)));
  } catch (const Xapian::Error& e) {
    return FromXapian(e, "opening text index " + dir + " for writing");
  }
}

Status TextIndexWriter::AddBlock(uint64_t block_id, std::string_view file_path,
                                 std::string_view identifier, std::string_view content) {
  RETURN_IF_ERROR(broken_);
  RETURN_IF_ERROR(CheckBlockId(block_id));
  try {
    impl_->EnsureTransaction();
    Xapian::Document doc;
    TermList& terms = impl_->terms;
    terms.clear();
    impl_->analyzer.Analyze(content, &terms);
    for (size_t i = 0; i < terms.size(); ++i) doc.add_term(std::string(terms[i]));
    terms.clear();
    impl_->analyzer.Analyze(identifier, &terms);
    for (size_t i = 0; i < terms.size(); ++i) {
      doc.add_term(std::string(terms[i]), kIdentifierWdf);
    }
    // Path terms: the file's name without extension and its directory's name, so that a
    // query naming a file or folder ("logger", "the loader") matches its blocks.
    {
      std::string_view name = file_path;
      std::string_view dir;
      if (size_t slash = name.rfind('/'); slash != std::string_view::npos) {
        dir = name.substr(0, slash);
        name = name.substr(slash + 1);
        if (size_t up = dir.rfind('/'); up != std::string_view::npos) dir = dir.substr(up + 1);
      }
      if (size_t dot = name.find('.'); dot != std::string_view::npos && dot > 0) {
        name = name.substr(0, dot);
      }
      for (std::string_view part : {name, dir}) {
        terms.clear();
        impl_->analyzer.Analyze(part, &terms);
        for (size_t i = 0; i < terms.size(); ++i) doc.add_term(std::string(terms[i]), kPathWdf);
      }
    }
    doc.add_boolean_term(FileTerm(file_path));
    for (size_t slash = file_path.find('/'); slash != std::string_view::npos;
         slash = file_path.find('/', slash + 1)) {
      doc.add_boolean_term(DirTerm(file_path.substr(0, slash + 1)));
    }
    impl_->db.replace_document(static_cast<Xapian::docid>(block_id), doc);
  } catch (const Xapian::Error& e) {
    broken_ = FromXapian(e, "adding a block of " + std::string(file_path) + " to " + dir_);
    return broken_;
  }
  return Status::OK();
}

Status TextIndexWriter::DeleteBlock(uint64_t block_id) {
  RETURN_IF_ERROR(broken_);
  RETURN_IF_ERROR(CheckBlockId(block_id));
  try {
    impl_->EnsureTransaction();
    impl_->db.delete_document(static_cast<Xapian::docid>(block_id));
  } catch (const Xapian::DocNotFoundError&) {
    // Not an error: the caller may delete what was never added.
  } catch (const Xapian::Error& e) {
    broken_ = FromXapian(e, "deleting block " + std::to_string(block_id) + " from " + dir_);
    return broken_;
  }
  return Status::OK();
}

Status TextIndexWriter::DeleteFile(std::string_view file_path) {
  RETURN_IF_ERROR(broken_);
  try {
    impl_->EnsureTransaction();
    impl_->db.delete_document(FileTerm(file_path));
  } catch (const Xapian::Error& e) {
    broken_ = FromXapian(e, "deleting " + std::string(file_path) + " from " + dir_);
    return broken_;
  }
  return Status::OK();
}

Status TextIndexWriter::Commit(std::string_view tag) {
  RETURN_IF_ERROR(broken_);
  try {
    impl_->EnsureTransaction();
    impl_->db.set_metadata(kTagKey, std::string(tag));
    impl_->in_transaction = false;  // commit_transaction ends it, even when it throws
    impl_->db.commit_transaction();
  } catch (const Xapian::Error& e) {
    broken_ = FromXapian(e, "committing text index " + dir_);
    return broken_;
  }
  committed_tag_ = std::string(tag);
  return Status::OK();
}

Result<uint64_t> TextIndexWriter::DocCount() const {
  try {
    return static_cast<uint64_t>(impl_->db.get_doccount());
  } catch (const Xapian::Error& e) {
    return FromXapian(e, "counting blocks of " + dir_);
  }
}

// ---------------------------------------------------------------------------------------
// Reader

namespace {

struct Handle {
  Xapian::Database db;
  std::string version;  // content of the version file read just before opening db
};

// The content of Xapian's version file (under a kilobyte, replaced by rename at each commit,
// and naming the newest revision, so two different commits never have the same content).
// Empty if unreadable.
std::string ReadVersionFile(const std::string& dir) {
  std::string path = dir + "/iamglass";
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return {};
  std::string out;
  char buf[4096];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n <= 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  return out;
}

}  // namespace

struct TextIndexReader::Impl {
  std::string dir;
  Analyzer analyzer;
  std::atomic<uint64_t> retries{0};
  std::mutex mu;
  std::vector<std::unique_ptr<Handle>> idle;  // guarded by mu

  // An idle handle, or nullptr.
  std::unique_ptr<Handle> Acquire() {
    std::lock_guard<std::mutex> lock(mu);
    if (idle.empty()) return nullptr;
    std::unique_ptr<Handle> h = std::move(idle.back());
    idle.pop_back();
    return h;
  }

  void Release(std::unique_ptr<Handle> h) {
    std::lock_guard<std::mutex> lock(mu);
    idle.push_back(std::move(h));
  }

  // Runs fn(db) on a handle at the newest committed revision, and returns its result only
  // if no commit happened while it ran; otherwise runs it again (up to kSearchAttempts).
  //
  // Why: while a reader reads revision R, the writer may build R+1 only in blocks that R
  // does not use, so R stays intact; once R+1 is committed, building R+2 may overwrite R's
  // blocks. Xapian detects most such reads (DatabaseModifiedError) but not all. In the
  // concurrency test (a writer committing in a loop, ~1000 searches per run), one run in
  // about 30 had a search return postings of one revision with document data or metadata
  // of another (a document without data; hits of generation 36 under the tag of generation
  // 40) when handles were moved forward with Xapian's reopen(); with a fresh handle per
  // revision, one run in about 180. With the check below: 0 failures in 800 runs. Checking
  // that the version file is unchanged after the call proves that no commit overlapped
  // it, so the result comes from one revision. Costs two reads of a 104-byte file per
  // call, 6-8 us each (bench/README.md "text").
  //
  // Pooled handles are reused only while the revision is unchanged; a new revision gets a
  // fresh handle (never reopen()). Xapian handles are not thread-safe, hence one per
  // concurrent call.
  template <typename Fn>
  auto WithHandle(std::string_view what, Fn&& fn)
      -> decltype(fn(std::declval<Xapian::Database&>())) {
    std::unique_ptr<Handle> h = Acquire();
    for (int attempt = 0; attempt < kSearchAttempts; ++attempt) {
      std::string version = ReadVersionFile(dir);
      if (version.empty()) return Status::NotFound("no text index in " + dir);
      std::optional<decltype(fn(std::declval<Xapian::Database&>()))> result;
      try {
        if (!h || h->version != version) {
          h = std::make_unique<Handle>();
          h->version = version;
          h->db = Xapian::Database(dir, Xapian::DB_OPEN);
        }
        result.emplace(fn(h->db));
      } catch (const Xapian::DatabaseModifiedError&) {
        h.reset();
      } catch (const Xapian::Error& e) {
        h.reset();
        if (ReadVersionFile(dir) == version) {
          return FromXapian(e, std::string(what) + " in " + dir);
        }
      }
      if (result.has_value() && ReadVersionFile(dir) == version) {
        Release(std::move(h));
        return std::move(*result);
      }
      retries.fetch_add(1, std::memory_order_relaxed);
    }
    return Status::Unavailable(std::string(what) + " in " + dir + ": the index changed " +
                               std::to_string(kSearchAttempts) + " times during the call");
  }
};

TextIndexReader::TextIndexReader(std::string dir, std::unique_ptr<Impl> impl)
    : dir_(std::move(dir)), impl_(std::move(impl)) {}

TextIndexReader::~TextIndexReader() = default;

Result<std::unique_ptr<TextIndexReader>> TextIndexReader::Open(const std::string& dir) {
  std::error_code ec;
  if (!fs::exists(fs::path(dir) / "iamglass", ec)) {
    return Status::NotFound("no text index in " + dir + " (run `codeindex index`)");
  }
  auto impl = std::make_unique<Impl>();
  impl->dir = dir;
  Result<bool> checked =
      impl->WithHandle("opening the text index", [&](Xapian::Database& db) -> Result<bool> {
        Status st = CheckFormat(db, dir);
        if (!st.ok()) return st;
        return true;
      });
  if (!checked.ok()) return checked.error();
  return std::unique_ptr<TextIndexReader>(new TextIndexReader(dir, std::move(impl)));
}

uint64_t TextIndexReader::Retries() const { return impl_->retries.load(); }

bool QueryStopWord(std::string_view term) {
  static constexpr std::string_view kWords[] = {
      "about", "after", "all", "also", "am", "an", "and", "any", "are", "as", "at", "be",
      "been", "before", "being", "between", "both", "but", "by", "can", "could", "did", "do",
      "does", "doing", "done", "down", "during", "each", "either", "every", "for", "from",
      "had", "has", "have", "having", "he", "her", "here", "him", "his", "how", "if", "in",
      "into", "is", "it", "its", "itself", "just", "me", "might", "more", "most", "must",
      "my", "of", "off", "on", "once", "only", "or", "other", "our", "out", "over", "own",
      "same", "shall", "she", "should", "so", "some", "such", "than", "that", "the", "their",
      "them", "then", "there", "these", "they", "this", "those", "through", "to", "too",
      "under", "until", "up", "us", "very", "via", "was", "we", "were", "what", "when",
      "where", "which", "who", "whom", "why", "will", "with", "would", "you", "your"};
  return std::binary_search(std::begin(kWords), std::end(kWords), term);
}

Result<TextSearchResult> TextIndexReader::Search(std::string_view query,
                                                 const SearchParams& params) const {
  if (params.limit == 0 || params.limit > kMaxSearchLimit) {
    return Status::InvalidArgument("limit must be between 1 and " +
                                   std::to_string(kMaxSearchLimit) + ", got " +
                                   std::to_string(params.limit));
  }
  TextSearchResult result;
  {
    TermList terms;
    impl_->analyzer.Analyze(query, &terms);
    for (size_t i = 0; i < terms.size(); ++i) {
      std::string_view t = terms[i];
      if (std::find(result.query_terms.begin(), result.query_terms.end(), t) ==
          result.query_terms.end()) {
        result.query_terms.emplace_back(t);
      }
    }
  }
  // A sentence: three or more words as written (an identifier's parts do not count:
  // "is_empty_string" is one word and keeps its "is").
  size_t words = 0;
  for (size_t i = 0; i < query.size();) {
    while (i < query.size() && std::isspace(static_cast<unsigned char>(query[i]))) ++i;
    if (i < query.size()) ++words;
    while (i < query.size() && !std::isspace(static_cast<unsigned char>(query[i]))) ++i;
  }
  const bool sentence = words >= 3;
  if (params.drop_stop_words && sentence) {
    std::vector<std::string> kept;
    for (const std::string& t : result.query_terms) {
      if (!QueryStopWord(t)) kept.push_back(t);
    }
    if (!kept.empty()) result.query_terms = std::move(kept);
  }
  if (result.query_terms.empty()) {
    return Status::InvalidArgument(
        "the query has no searchable term: text search needs a word of 2 to 64 letters, "
        "digits or '_'");
  }
  const std::string prefix = NormalizePrefix(params.path_prefix);
  const bool stem = params.stem_variants && sentence;

  return impl_->WithHandle("searching", [&](Xapian::Database& db) -> Result<TextSearchResult> {
    TextSearchResult r;
    r.query_terms = result.query_terms;
    // (term, scale): the query's terms at 1, their indexed inflections at kVariantScale.
    std::vector<std::pair<std::string, double>> weighted;
    for (const std::string& t : r.query_terms) weighted.emplace_back(t, 1.0);
    if (stem) {
      for (const std::string& t : r.query_terms) {
        for (std::string& v : StemVariants(db, t)) {
          bool seen = false;
          for (const auto& w : weighted) seen = seen || w.first == v;
          if (seen) continue;
          r.expansions.push_back(v);
          weighted.emplace_back(std::move(v), kVariantScale);
        }
      }
    }
    std::vector<Xapian::Query> subs;
    subs.reserve(weighted.size());
    for (const auto& [t, scale] : weighted) {
      if (scale == 1.0) {
        subs.emplace_back(t);
      } else {
        subs.emplace_back(Xapian::Query::OP_SCALE_WEIGHT, Xapian::Query(t), scale);
      }
    }
    Xapian::Query q(Xapian::Query::OP_OR, subs.begin(), subs.end());
    if (!prefix.empty()) {
      Xapian::Query filter(Xapian::Query::OP_OR, Xapian::Query(DirTerm(prefix + "/")),
                           Xapian::Query(FileTerm(prefix)));
      q = Xapian::Query(Xapian::Query::OP_FILTER, q, filter);
    }
    Xapian::Enquire enquire(db);
    enquire.set_weighting_scheme(MakeWeight());
    enquire.set_query(q);
    Xapian::MSet mset = enquire.get_mset(0, static_cast<Xapian::doccount>(params.limit));
    r.matches_estimated = mset.get_matches_estimated();
    r.hits.reserve(mset.size());
    double avg = 0, len_factor = 0;
    uint64_t n_docs = 0;
    if (params.explain) {
      n_docs = db.get_doccount();
      avg = db.get_avlength();
      len_factor = avg != 0 ? 1 / avg : 0;
    }
    for (Xapian::MSetIterator it = mset.begin(); it != mset.end(); ++it) {
      TextHit hit;
      hit.score = it.get_weight();
      hit.block_id = *it;
      if (params.explain) {
        auto ex = std::make_unique<Explanation>();
        ex->doc_count = n_docs;
        ex->avg_length = avg;
        ex->doc_length = db.get_doclength(*it);
        ex->norm_length = std::max(ex->doc_length * len_factor, kBm25MinNormLen);
        for (const auto& [t, scale] : weighted) {
          ex->terms.push_back(ExplainTerm(db, *it, t, ex->norm_length, scale));
        }
        hit.explanation = std::move(ex);
      }
      r.hits.push_back(std::move(hit));
    }
    r.commit_tag = db.get_metadata(kTagKey);
    return r;
  });
}

Result<uint64_t> TextIndexReader::DocCount() const {
  return impl_->WithHandle("counting blocks", [](Xapian::Database& db) -> Result<uint64_t> {
    return db.get_doccount();
  });
}

Result<std::string> TextIndexReader::CommitTag() const {
  return impl_->WithHandle(
      "reading the commit tag",
      [](Xapian::Database& db) -> Result<std::string> { return db.get_metadata(kTagKey); });
}

Result<TextIndexReader::Info> TextIndexReader::GetInfo() const {
  return impl_->WithHandle("reading the commit tag", [](Xapian::Database& db) -> Result<Info> {
    return Info{db.get_metadata(kTagKey), db.get_doccount()};
  });
}

Status CheckTextIndexFiles(const std::string& dir) {
  std::error_code ec;
  if (!fs::exists(fs::path(dir) / "iamglass", ec)) {
    return Status::NotFound("no text index in " + dir);
  }
  try {
    // No output stream: Xapian throws at the first problem it finds in a table's structure
    // (and counts, without throwing, the problems it finds between tables).
    const size_t errors = Xapian::Database::check(dir, 0, nullptr);
    if (errors > 0) {
      return Status::Corruption("Xapian's check of " + dir + " found " +
                                std::to_string(errors) + " problem(s)");
    }
  } catch (const Xapian::Error& e) {
    Status s = FromXapian(e, "checking " + dir);
    // Whatever the check trips on in the files (the version file is there) is damage: a
    // missing or short table, a malformed block.
    if (s.code() == Code::kIOError || s.code() == Code::kInternal ||
        s.code() == Code::kNotFound) {
      return Status::Corruption(s.message());
    }
    return s;
  }
  return Status::OK();
}

Status TextIndexReader::Verify() const {
  // As WithHandle: the check counts only if no commit overlapped it.
  for (int attempt = 0; attempt < kSearchAttempts; ++attempt) {
    const std::string version = ReadVersionFile(dir_);
    if (version.empty()) return Status::NotFound("no text index in " + dir_);
    Status s = CheckTextIndexFiles(dir_);
    if (ReadVersionFile(dir_) == version) return s;
    impl_->retries.fetch_add(1, std::memory_order_relaxed);
  }
  return Status::Unavailable("checking " + dir_ + ": the index changed " +
                             std::to_string(kSearchAttempts) + " times during the check");
}

Result<uint64_t> TextIndexReader::SizeBytes() const {
  std::error_code ec;
  uint64_t total = 0;
  for (fs::directory_iterator it(dir_, ec), end; !ec && it != end; it.increment(ec)) {
    std::error_code ec2;
    if (it->is_regular_file(ec2)) {
      uint64_t s = it->file_size(ec2);
      if (!ec2) total += s;
    }
  }
  if (ec) return Status::IOError("listing " + dir_ + ": " + ec.message());
  return total;
}

}  // namespace codeindex
