// Assembles the indexing pipeline from the stages: the file processor (parser, symbols)
// and the derived indexes (BM25 text, vectors), plus the hash of every option that changes
// what the index contains.
//
// Segment hashes are computed with the workspace-relative path (the original hashes the
// absolute path, so moving a workspace changed every hash; docs/FIDELITY.md).
#ifndef CODEINDEX_INDEX_PIPELINE_H_
#define CODEINDEX_INDEX_PIPELINE_H_

#include <memory>
#include <string>
#include <vector>

#include "base/status.h"
#include "index/derived_index.h"
#include "index/indexer.h"
#include "parse/parser.h"

namespace codeindex {

struct PipelineOptions {
  ParseOptions parse;
  // fsync derived indexes at each commit (see TextWriterOptions::sync). Tests turn it off.
  bool sync = true;
};

struct Pipeline {
  FileProcessor processor;
  std::vector<std::unique_ptr<DerivedIndex>> derived;
  // Changes whenever blocks, symbols or derived-index contents would differ.
  std::string content_hash;

  std::vector<DerivedIndex*> DerivedPointers() const;
};

// The processor alone (for tests and tools): parse + symbols of one file.
FileProcessor MakeFileProcessor(const ParseOptions& options);
std::string ContentHash(const PipelineOptions& options);

// Opens the derived indexes under `index_dir` for writing. REQUIRES: the caller holds the
// index's WriterLock.
Result<Pipeline> OpenPipeline(const std::string& index_dir, const PipelineOptions& options);

}  // namespace codeindex

#endif  // CODEINDEX_INDEX_PIPELINE_H_
