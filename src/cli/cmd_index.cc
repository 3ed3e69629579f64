// `codeindex index`: build or update WORKSPACE/.codeindex/.
#include <signal.h>
#include <sys/stat.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <iostream>
#include <nlohmann/json.hpp>

#include "base/malloc_tuning.h"
#include "cli/commands.h"
#include "cli/progress.h"
#include "index/config.h"
#include "index/index_dir.h"
#include "index/indexer.h"
#include "index/pipeline.h"
#include "scan/scanner.h"

namespace codeindex::cli {

namespace {

std::atomic<bool> g_interrupted{false};

void OnInterrupt(int) { g_interrupted.store(true); }

}  // namespace

Status RunIndex(const IndexArgs& args, std::ostream& out) {
  TuneMallocForIndexing();
  RETURN_IF_ERROR(ResolveWorkspaceRoot(args.workspace).status());
  const std::string index_dir = IndexDirFor(args.workspace);
  ASSIGN_OR_RETURN(auto lock, WriterLock::Acquire(index_dir, /*wait=*/false));
  PipelineOptions pipeline_options;
  ASSIGN_OR_RETURN(pipeline_options.config, LoadConfig(index_dir));
  ConfigOverrides overrides;
  overrides.provider = args.embedding.provider;
  overrides.model = args.embedding.model;
  overrides.base_url = args.embedding.base_url;
  overrides.dimensions = args.embedding.dimensions;
  overrides.batch_size = args.embedding.batch_size;
  RETURN_IF_ERROR(ApplyOverrides(overrides, &pipeline_options.config));
  ASSIGN_OR_RETURN(Pipeline pipeline, OpenPipeline(index_dir, pipeline_options));
  if (!pipeline.embedder_warning.empty()) {
    std::cerr << "codeindex: " << pipeline.embedder_warning << "\n";
  }

  // Ctrl-C finishes the current batch and leaves a consistent index.
  struct sigaction sa {};
  sa.sa_handler = OnInterrupt;
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);

  ProgressBar bar("indexing");
  IndexerOptions options;
  options.workspace = args.workspace;
  options.index_dir = index_dir;
  options.content_hash = pipeline.content_hash;
  options.scan = pipeline.scan;
  options.cancel = &g_interrupted;
  // Test knob (like git's GIT_TEST_*): small batches put many commit points in a small run,
  // for the kill -9 and search-during-index tests. Not a user setting.
  if (const char* b = std::getenv("CODEINDEX_TEST_BATCH_BLOCKS"); b != nullptr && *b != '\0') {
    options.batch_blocks = std::max<size_t>(1, std::strtoull(b, nullptr, 10));
  }
  options.meta = {{"embedder", pipeline.embedder_json},
                  {"model", pipeline.embedder ? pipeline.embedder->model_id() : ""}};
  options.progress = [&bar](const IndexProgress& p) {
    if (p.phase == IndexProgress::Phase::kIndexing) bar.Update(p.files_done, p.files_total, p.blocks);
    if (p.phase == IndexProgress::Phase::kDone) bar.Finish();
  };
  Indexer indexer(options, pipeline.processor, pipeline.DerivedPointers());
  Result<IndexStats> stats = indexer.Run();
  bar.Finish();
  if (!stats.ok()) return stats.error();
  for (const Status& e : stats->errors) std::cerr << "codeindex: " << e.ToString() << "\n";
  if (args.json) {
    nlohmann::json j = {{"files", stats->files_scanned},
                        {"parsed", stats->files_parsed},
                        {"unchanged", stats->files_unchanged},
                        {"removed", stats->files_removed},
                        {"failed", stats->files_failed},
                        {"recovered", stats->files_recovered},
                        {"blocks_added", stats->blocks_added},
                        {"rebuilt", stats->rebuilt},
                        {"seconds", stats->seconds}};
    out << j.dump() << "\n";
  } else {
    out << "indexed " << stats->files_scanned << " files in " << stats->seconds << " s: "
        << stats->files_parsed << " parsed (" << stats->blocks_added << " blocks), "
        << stats->files_unchanged << " unchanged, " << stats->files_removed << " removed";
    if (stats->files_failed > 0) out << ", " << stats->files_failed << " failed";
    if (stats->files_recovered > 0) out << ", " << stats->files_recovered << " recovered";
    for (const std::string& d : stats->derived_rebuilt) out << ", " << d << " rebuilt";
    out << "\n";
  }
  return Status::OK();
}

}  // namespace codeindex::cli
