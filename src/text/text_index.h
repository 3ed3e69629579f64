// The text stage: a BM25 full-text index of code blocks, on disk, built on Xapian 1.4.
//
// What it stores. One document per code block, identified by a caller-chosen block id
// (1..kMaxBlockId). A block's terms come from the code-aware analyzer (text/analyzer.h): its
// content, its identifier (counted kIdentifierWdf + 1 times in all when the content also
// contains it; see "Identifier boost"), and its file path (boolean filter terms that never
// change the score). The format is specified in docs/text-index.md; kTextIndexFormatVersion
// below is stored in the index and checked on open.
//
// Why Xapian. bench/text_bench.cc builds the same 100K blocks of /usr/include and the Python
// standard library into Xapian and into SQLite FTS5 with the same analyzer and runs the same
// 1-3-term queries: Xapian answers ranked OR queries 30-100x faster at p50 (0.4-0.6 ms
// against 19-42 ms) and 20-50x faster at p99 (its matcher skips documents that cannot enter
// the top k; FTS5 computes bm25() for every match before sorting), and its index is half
// the size; FTS5 builds 2-5x faster. Xapian also gives single-writer/many-reader
// concurrency across processes with atomic commits. Figures: bench/README.md, "text".
//
// Ranking. Queries are the OR of their analyzed terms, ranked by Xapian's BM25Weight with
// k1 = 1.2, k2 = 0, k3 = 1, b = 0.75, min_normlen = 0.5 (Xapian's defaults are k1 = 1,
// k2 = 0, k3 = 1, b = 0.5, min_normlen = 0.5; we use the k1 and b of the BM25 literature
// and of Lucene, SQLite FTS5 and tantivy, so scores are comparable across tools). For a
// document d of length |d| (sum of its term frequencies) in a collection of N documents of
// average length avgdl, each query term t with document frequency n(t) and frequency
// wdf(t, d) in d contributes
//
//     idf(t)   = log(w),  w = (N - n(t) + 0.5) / (n(t) + 0.5),  and w := 1 + w / 2 if w < 2
//     norm(d)  = max(|d| / avgdl, min_normlen)
//     score(t) = scale(t) * idf(t) * (k1 + 1) * wdf / (k1 * ((1 - b) + b * norm(d)) + wdf)
//
// and the score is the sum over the query terms present in d. The "w < 2" adjustment is
// Xapian's: terms in more than about a third of the documents keep a small positive idf
// instead of a negative one. With k3 = 1 and each distinct query term used once, the
// query-frequency factor is 1; scale(t) is 1 for every term (see "Query semantics").
// Statistics (N, n(t), avgdl) are those of the whole index: a path filter restricts the
// matches, not the statistics, so a block's score does not depend on the filter.
// SearchParams::explain returns each term's wdf, n(t), idf and contribution, computed by the
// same formula; the contributions sum to the score (tested).
//
// Query semantics. The query text goes through the same analyzer as the documents; each
// distinct term is one OR operand, so the exact identifier ("parse_url") and its parts
// ("parse", "url") all contribute: a block containing the identifier as written collects
// the whole-word term (rarer, so higher idf) on top of the parts. Scaling part terms by 0.5
// moved known-item MRR@10 by less than 0.01 (bench/README.md "text"), so all terms weigh
// the same. Sentence queries (3+ terms) drop English stop words and add the indexed
// inflections of their words at half weight (SearchParams; devbench figures in
// bench/README.md "text"); shorter queries keep their words as written, since code uses
// "is", "in", "for", "not" as words. A query with no term left after analysis (only punctuation, single characters, or
// words over 64 bytes) is kInvalidArgument.
//
// Identifier boost. The block's identifier (function or class name) is analysed and its
// terms added with wdf kIdentifierWdf on top of the content, which usually contains the
// name already. Measured on known-item queries (a block's identifier as the query, its
// block as the answer) over 100K blocks: MRR@10 0.76 without the boost, 0.92 with wdf 1,
// 0.96 with 2, 0.99 with 4, while the block that random content queries came from lost
// 0.001, 0.006 and 0.009 of MRR (it drops behind blocks named after a query word). We use
// 2: most of the gain, little of the loss.
//
// Path terms. The file's name (without extension) and its directory's name are analysed and
// added to each of its blocks at wdf kPathWdf: "logger" finds the blocks of logger.go, "the
// template loader" those of loaders.py. Measured on devbench (bench/README.md "text").
//
// Path filter. Every block carries one boolean term per directory of its file path
// ("src/", "src/parse/") and one for the file itself, so `--path src/parse` is a term
// filter inside the match (Xapian OP_FILTER), not a post-filter, and limit is honoured
// exactly. Prefixes match whole components: "src" and "src/" select src/a.py but never
// srcx/a.py; a path naming a file selects that file. Path components are not searchable
// text: indexing them as terms cost 9% of index size and moved no MRR above by more than
// 0.01.
//
// Durability and concurrency.
//   - One writer per index directory at a time, across processes (Xapian's lock); a second
//     TextIndexWriter::Open fails with kUnavailable while the first is alive. The lock is
//     released when the writer is destroyed or its process dies, even by SIGKILL (tested).
//   - Changes become visible only at Commit(), all at once. A crash (or a writer destroyed
//     without Commit) leaves the index exactly as of the last Commit: the next Open opens it
//     normally, nothing to repair (tested by SIGKILLing a writer after Xapian flushed part
//     of its uncommitted changes). The caller makes per-file updates atomic for readers by
//     committing only between files (DeleteFile + AddBlock... of one file, then Commit),
//     and records a commit tag with each Commit so that after a crash it can tell which
//     generation of its catalog the text index matches.
//   - Any number of readers, in any process, read concurrently with the writer. Each Search
//     reads the newest revision committed when it starts, and only that revision: it sees
//     each file entirely old or entirely new. Xapian alone does not quite guarantee this
//     while the writer commits in a loop (a reader can mix two revisions: seen in our
//     concurrency test); the reader therefore checks that no commit happened during the
//     Search and otherwise runs it again (TextIndexReader::Retries() counts them).
//   - TextIndexReader is thread-safe: Search() may be called from many threads at once. A
//     Xapian::Database handle is not thread-safe, so the reader keeps a pool of handles,
//     one per concurrently running Search (grown on demand, reused while the revision does
//     not change; opening one costs about 30 us).
//   - TextIndexWriter is not thread-safe: one thread at a time (the indexer's writer thread).
//
// Ownership: the caller owns the directory; the writer and reader only ever touch files
// inside it. Deleting the directory while a reader is open is undefined (on Linux the open
// files stay readable).
#ifndef CODEINDEX_TEXT_TEXT_INDEX_H_
#define CODEINDEX_TEXT_TEXT_INDEX_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace codeindex {

// The version of what is stored (terms, document ids, metadata keys). Changelog:
//   1: first version: analyzer version 1; content terms + identifier terms at wdf
//      kIdentifierWdf, unprefixed; F/H file and P/D directory terms; document id = block id;
//      no document data.
//   2: path terms: the analysed file name (without extension) and parent directory name,
//      at wdf kPathWdf, unprefixed.
// A reader or writer refuses an index of another version with kFailedPrecondition; the
// indexer then deletes the directory and rebuilds.
inline constexpr int kTextIndexFormatVersion = 2;

// Extra wdf of each identifier term (see "Identifier boost").
inline constexpr uint32_t kIdentifierWdf = 2;
// Wdf of each term of the block's file name and directory name (see "Path terms").
inline constexpr uint32_t kPathWdf = 1;

// BM25 parameters (see the file comment).
inline constexpr double kBm25K1 = 1.2;
inline constexpr double kBm25B = 0.75;
inline constexpr double kBm25MinNormLen = 0.5;

// Block ids are 1..kMaxBlockId. They are Xapian's own document ids (32-bit in Debian's
// build), so a hit's block id costs no lookup: reading an id stored with each document
// added 0.2-1.3 ms p50 to top-200 retrieval (bench/README.md "text"). Sequential ids (the
// catalog's row ids) also keep Xapian's posting lists smallest. 0 is reserved by Xapian.
inline constexpr uint64_t kMaxBlockId = 0xFFFFFFFFu;

// The largest SearchParams::limit accepted.
inline constexpr size_t kMaxSearchLimit = 10000;

struct TextWriterOptions {
  // Create the index if `dir` holds none. false: Open fails with kNotFound.
  bool create_if_missing = true;
  // fsync at each Commit (Xapian's default). true: a committed state survives power loss
  // and OS crashes; a one-block Commit took 16 ms p50 on the benchmark machine. false:
  // 0.25 ms, and a process crash still loses nothing committed (the data is in the page
  // cache), but after an OS crash or power loss the index may be corrupt (Open or Search
  // then fail with kCorruption, and the indexer rebuilds it). For tests, and for a watcher
  // that must make edits searchable within milliseconds.
  bool sync = true;
};

class TextIndexWriter {
 public:
  // Opens (or creates) the index in `dir` for writing. Creates `dir` if needed.
  // Errors: kUnavailable when another writer holds the lock; kFailedPrecondition when the
  // index has another format version; kNotFound when absent and !create_if_missing;
  // kIOError / kCorruption otherwise.
  static Result<std::unique_ptr<TextIndexWriter>> Open(const std::string& dir,
                                                       const TextWriterOptions& options = {});

  // Discards every change since the last Commit, then releases the lock.
  ~TextIndexWriter();
  TextIndexWriter(const TextIndexWriter&) = delete;
  TextIndexWriter& operator=(const TextIndexWriter&) = delete;

  // Adds the block, or replaces the block with the same id. `file_path` is relative to the
  // workspace with '/' separators (REQUIRES: no leading "./" or "/"); `identifier` may be
  // empty. Visible to readers after the next Commit.
  Status AddBlock(uint64_t block_id, std::string_view file_path, std::string_view identifier,
                  std::string_view content);
  // Removes the block; no error if it does not exist.
  Status DeleteBlock(uint64_t block_id);
  // Removes every block of `file_path` (exact path); no error if there is none.
  Status DeleteFile(std::string_view file_path);

  // Makes every change since the last Commit visible at once, together with `tag`, an opaque
  // caller string (e.g. the catalog generation) that CommittedTag() and readers return.
  // On error nothing of the pending changes is applied, and the writer is unusable: every
  // later call returns the same error; destroy it and open a new one.
  Status Commit(std::string_view tag);

  // The tag of the last successful Commit (or of the index as found at Open); empty for a
  // new index.
  const std::string& CommittedTag() const { return committed_tag_; }

  // Number of blocks including uncommitted changes.
  Result<uint64_t> DocCount() const;

  const std::string& dir() const { return dir_; }

 private:
  struct Impl;
  TextIndexWriter(std::string dir, std::unique_ptr<Impl> impl, std::string tag);

  std::string dir_;
  std::unique_ptr<Impl> impl_;
  std::string committed_tag_;
  Status broken_;  // set when a Xapian call failed mid-transaction
};

struct SearchParams {
  // Maximum number of hits. 1..kMaxSearchLimit. Hybrid fusion asks for 100-200.
  size_t limit = 10;
  // Only blocks under this directory, or of this file. "" (or "." or "/") means everywhere.
  // A trailing '/' is optional; a leading "./" is ignored.
  std::string path_prefix;
  // Fill TextHit::explanation. Costs one posting lookup per query term per hit.
  bool explain = false;
  // Drop English stop words ("how", "the", "does", ...; QueryStopWord()) from queries of 3
  // or more words (separated by white space; the parts of one identifier are one word),
  // unless nothing would be left. Shorter queries ("is empty", "for each", "is_empty_str")
  // keep every term: there the words are likely code.
  bool drop_stop_words = true;
  // In queries of 3 or more words, also match the indexed inflections of each alphabetic
  // term of 4+ letters (same English Porter2 stem: "retried" -> "retry", "retries"), each
  // weighted kVariantScale. Listed in TextSearchResult::expansions; explained as terms.
  bool stem_variants = true;
};

// Weight of an inflection added by stem_variants, relative to the query's own terms.
inline constexpr double kVariantScale = 0.5;

// True for the English function words that `drop_stop_words` removes from sentence
// queries. Words that are also common code keywords with meaning ("not", "new", "return",
// "else", "while", "null") are not in the list.
bool QueryStopWord(std::string_view term);

// One query term's share of a hit's score.
struct TermContribution {
  std::string term;       // as analyzed
  uint32_t wdf = 0;       // frequency of the term in the block (0: absent, contributes 0)
  uint32_t doc_freq = 0;  // n(t): blocks containing the term
  double idf = 0;         // log(w) as in the file comment
  double scale = 1;       // scale(t)
  double contribution = 0;
};

struct Explanation {
  uint64_t doc_count = 0;               // N
  double avg_length = 0;                // avgdl
  uint32_t doc_length = 0;              // |d|
  double norm_length = 0;               // norm(d) = max(|d| / avgdl, min_normlen)
  std::vector<TermContribution> terms;  // one per query term, in query order
  // Sum of the contributions: equals TextHit::score up to rounding.
  double Total() const;
  // Human-readable, several lines: the formula with its constants, then one line per term.
  std::string ToString() const;
};

struct TextHit {
  uint64_t block_id = 0;
  double score = 0;
  std::unique_ptr<Explanation> explanation;  // set when SearchParams::explain
};

struct TextSearchResult {
  std::vector<TextHit> hits;  // best first; equal scores by ascending block id
  // Xapian's estimate of all matches (exact when fewer than a few thousand).
  uint64_t matches_estimated = 0;
  // The distinct analyzed query terms, in query order (for --explain).
  std::vector<std::string> query_terms;
  // Inflections added by SearchParams::stem_variants, at kVariantScale.
  std::vector<std::string> expansions;
  // The commit tag of the revision that answered.
  std::string commit_tag;
};

class TextIndexReader {
 public:
  // Opens the index in `dir`. Errors: kNotFound when there is no index; kFailedPrecondition
  // for another format version; kIOError / kCorruption otherwise.
  static Result<std::unique_ptr<TextIndexReader>> Open(const std::string& dir);
  ~TextIndexReader();
  TextIndexReader(const TextIndexReader&) = delete;
  TextIndexReader& operator=(const TextIndexReader&) = delete;

  // Ranked search (see "Query semantics" and "Ranking" in the file comment). Thread-safe.
  // Errors: kInvalidArgument for a query without terms or a bad limit; kUnavailable if
  // commits overlapped 20 attempts in a row; kNotFound if the index directory vanished;
  // kIOError, kCorruption.
  Result<TextSearchResult> Search(std::string_view query, const SearchParams& params) const;

  // Blocks and commit tag of the newest committed revision. Thread-safe.
  Result<uint64_t> DocCount() const;
  Result<std::string> CommitTag() const;
  // Both, from one revision (what the indexer's consistency checks compare). Thread-safe.
  struct Info {
    std::string commit_tag;
    uint64_t doc_count = 0;
  };
  Result<Info> GetInfo() const;
  // Xapian's own check of every table of the newest revision (CheckTextIndexFiles);
  // a commit that overlaps the check makes it run again. Thread-safe.
  Status Verify() const;
  // Bytes of the index files on disk. Thread-safe.
  Result<uint64_t> SizeBytes() const;
  // Calls run again because a commit overlapped them (for status and tests).
  uint64_t Retries() const;

  const std::string& dir() const { return dir_; }

 private:
  struct Impl;
  TextIndexReader(std::string dir, std::unique_ptr<Impl> impl);

  std::string dir_;
  std::unique_ptr<Impl> impl_;
};

// Xapian's full check (Xapian::Database::check) of every table of the index in `dir`: every
// block of every B-tree read and its structure verified; about 6 ms per MB of index. OK when
// sound; kCorruption naming the first problem; kNotFound when there is no index. REQUIRES: no
// writer commits meanwhile (readers use TextIndexReader::Verify()).
Status CheckTextIndexFiles(const std::string& dir);

// The BM25 formula with our constants, one line (for --explain headers and docs).
std::string Bm25FormulaText();

}  // namespace codeindex

#endif  // CODEINDEX_TEXT_TEXT_INDEX_H_
