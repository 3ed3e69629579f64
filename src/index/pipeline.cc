#include "index/pipeline.h"

#include "index/index_dir.h"
#include "index/text_derived.h"
#include "index/vector_derived.h"
#include "parse/symbols.h"
#include "store/catalog.h"
#include "text/text_index.h"

namespace codeindex {

std::vector<DerivedIndex*> Pipeline::DerivedPointers() const {
  std::vector<DerivedIndex*> out;
  for (const auto& d : derived) out.push_back(d.get());
  return out;
}

FileProcessor MakeFileProcessor(const ParseOptions& options) {
  return [options](const std::string& rel_path, const std::string& text) -> Result<ProcessedFile> {
    // One parse gives both the blocks and the symbols.
    ASSIGN_OR_RETURN(ParsedFile parsed, ParseFile(rel_path, text, options));
    ProcessedFile pf;
    pf.blocks.reserve(parsed.blocks.size());
    for (CodeBlock& b : parsed.blocks) {
      BlockRecord r;
      r.start_line = b.start_line;
      r.end_line = b.end_line;
      r.type = std::move(b.type);
      r.identifier = std::move(b.identifier);
      r.segment_hash = std::move(b.segment_hash);
      r.content = std::move(b.content);
      r.context = std::move(b.context);
      pf.blocks.push_back(std::move(r));
    }
    for (Symbol& s : parsed.symbols.symbols) {
      pf.symbols.push_back(SymbolRecord{std::move(s.name), std::move(s.kind), std::move(s.scope),
                                        s.start_line, s.end_line, ""});
    }
    for (Import& i : parsed.symbols.imports) pf.imports.push_back({std::move(i.text), i.line});
    pf.lines = parsed.lines;
    pf.covered_lines = parsed.covered_lines;
    return pf;
  };
}

std::string ContentHash(const PipelineOptions& options) {
  return "catalog=" + std::to_string(kCatalogFormatVersion) +
         ";parse=" + std::to_string(ParseOptionsHash(options.parse)) +
         ";text=" + std::to_string(kTextIndexFormatVersion) + ";hashpath=relative";
}

Result<std::shared_ptr<const Embedder>> OpenWorkspaceEmbedder(const WorkspaceConfig& config,
                                                              const std::string& index_dir) {
  if (!config.embeddings) return Status::FailedPrecondition("embeddings are off (provider none)");
  ASSIGN_OR_RETURN(std::unique_ptr<Embedder> embedder, OpenEmbedder(config.embedder));
  // A static model embeds a chunk in about the time of 45 SHA-256s of it: a cache would only
  // cost. Transformers and remote providers are worth caching.
  if (config.embedder.provider == Provider::kStatic) {
    return std::shared_ptr<const Embedder>(std::move(embedder));
  }
  RETURN_IF_ERROR(MakeDirectories(index_dir + "/embeddings"));
  ASSIGN_OR_RETURN(std::unique_ptr<EmbeddingCache> cache,
                   EmbeddingCache::Open(index_dir + "/embeddings/cache.db"));
  return std::shared_ptr<const Embedder>(std::make_shared<CachingEmbedder>(
      std::move(embedder), std::shared_ptr<EmbeddingCache>(std::move(cache))));
}

Result<Pipeline> OpenPipeline(const std::string& index_dir, const PipelineOptions& options) {
  Pipeline p;
  // The chunker is the workspace's ([index] in config.toml) unless the caller set one.
  PipelineOptions resolved = options;
  if (options.config.parse) resolved.parse = *options.config.parse;
  p.processor = MakeFileProcessor(resolved.parse);
  p.content_hash = ContentHash(resolved);
  p.scan.follow_symlinks = options.config.follow_symlinks;
  ASSIGN_OR_RETURN(auto text, TextDerivedIndex::Open(index_dir + "/text", options.sync));
  p.derived.push_back(std::move(text));

  WorkspaceConfig used = options.config;
  if (used.embeddings) {
    Result<std::shared_ptr<const Embedder>> embedder = OpenWorkspaceEmbedder(used, index_dir);
    if (embedder.ok()) {
      p.embedder = std::move(embedder).value();
    } else if (used.embedder.provider == Provider::kStatic && used.embedder.model.empty()) {
      // The built-in default model is missing: keep text search working and say why.
      p.embedder_warning = "semantic search unavailable: " + embedder.error().ToString();
      used.embeddings = false;
    } else {
      return embedder.error().WithContext("embedding model");
    }
  }
  if (p.embedder) {
    ASSIGN_OR_RETURN(auto vectors, VectorDerivedIndex::Open(index_dir + "/vectors", p.embedder,
                                                            options.embed_threads));
    p.derived.push_back(std::move(vectors));
  } else {
    RETURN_IF_ERROR(RemoveTree(index_dir + "/vectors"));
  }
  p.embedder_json = EmbedderConfigToJson(used);
  return p;
}

}  // namespace codeindex
