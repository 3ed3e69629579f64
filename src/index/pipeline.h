// Assembles the indexing pipeline from the stages: the file processor (parser, symbols)
// and the derived indexes (BM25 text, vectors), plus the hash of every option that changes
// what the catalog and the text index contain.
//
// Segment hashes are computed with the workspace-relative path (the original hashes the
// absolute path, so moving a workspace changed every hash; docs/FIDELITY.md).
//
// The embedder is not part of the content hash: a change of model re-makes the vectors only
// (VectorDerivedIndex::RebuildReason), never re-parses.
#ifndef CODEINDEX_INDEX_PIPELINE_H_
#define CODEINDEX_INDEX_PIPELINE_H_

#include <memory>
#include <string>
#include <vector>

#include "base/status.h"
#include "embed/embedder.h"
#include "index/config.h"
#include "index/derived_index.h"
#include "index/indexer.h"
#include "parse/parser.h"

namespace codeindex {

struct PipelineOptions {
  ParseOptions parse;
  WorkspaceConfig config;
  // fsync derived indexes at each commit (see TextWriterOptions::sync). Tests turn it off.
  bool sync = true;
  // Threads that embed blocks (0 = one per core).
  int embed_threads = 0;
};

struct Pipeline {
  FileProcessor processor;
  std::vector<std::unique_ptr<DerivedIndex>> derived;
  // Changes whenever blocks, symbols or text-index contents would differ.
  std::string content_hash;
  // The embedder the vectors are made with; null when embeddings are off or unavailable.
  std::shared_ptr<const Embedder> embedder;
  // Why there is no embedder when the default one could not be opened (a warning for the
  // user: the index still serves text search).
  std::string embedder_warning;
  // What to record in the catalog (meta "embedder") for `search` to embed queries alike.
  std::string embedder_json;
  // The scan options the configuration asks for (follow_symlinks); the front end copies
  // them into IndexerOptions::scan.
  ScanOptions scan;

  std::vector<DerivedIndex*> DerivedPointers() const;
};

// The processor alone (for tests and tools): parse + symbols of one file.
FileProcessor MakeFileProcessor(const ParseOptions& options);
std::string ContentHash(const PipelineOptions& options);

// Opens the embedder `config` asks for, with the on-disk embedding cache under `index_dir`
// for the kinds where a cache pays (transformer, remote). kNotFound-style errors when the
// model cannot be loaded.
Result<std::shared_ptr<const Embedder>> OpenWorkspaceEmbedder(const WorkspaceConfig& config,
                                                              const std::string& index_dir);

// Opens the derived indexes under `index_dir` for writing. REQUIRES: the caller holds the
// index's WriterLock.
Result<Pipeline> OpenPipeline(const std::string& index_dir, const PipelineOptions& options);

}  // namespace codeindex

#endif  // CODEINDEX_INDEX_PIPELINE_H_
