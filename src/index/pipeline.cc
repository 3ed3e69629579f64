#include "index/pipeline.h"

#include "index/text_derived.h"
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
    ASSIGN_OR_RETURN(std::vector<CodeBlock> blocks, ParseBlocks(rel_path, text, options));
    ProcessedFile pf;
    pf.blocks.reserve(blocks.size());
    for (CodeBlock& b : blocks) {
      BlockRecord r;
      r.start_line = b.start_line;
      r.end_line = b.end_line;
      r.type = std::move(b.type);
      r.identifier = std::move(b.identifier);
      r.segment_hash = std::move(b.segment_hash);
      r.content = std::move(b.content);
      pf.blocks.push_back(std::move(r));
    }
    // Symbols are best effort: a file whose symbols fail still has its blocks indexed.
    Result<FileSymbols> symbols = ExtractSymbols(rel_path, text, SymbolOptions{});
    if (symbols.ok()) {
      for (Symbol& s : symbols->symbols) {
        pf.symbols.push_back(SymbolRecord{std::move(s.name), std::move(s.kind), std::move(s.scope),
                                          s.start_line, s.end_line, ""});
      }
      for (Import& i : symbols->imports) pf.imports.push_back({std::move(i.text), i.line});
    }
    return pf;
  };
}

std::string ContentHash(const PipelineOptions& options) {
  return "catalog=" + std::to_string(kCatalogFormatVersion) +
         ";parse=" + std::to_string(ParseOptionsHash(options.parse)) +
         ";text=" + std::to_string(kTextIndexFormatVersion) + ";hashpath=relative";
}

Result<Pipeline> OpenPipeline(const std::string& index_dir, const PipelineOptions& options) {
  Pipeline p;
  p.processor = MakeFileProcessor(options.parse);
  p.content_hash = ContentHash(options);
  ASSIGN_OR_RETURN(auto text, TextDerivedIndex::Open(index_dir + "/text", options.sync));
  p.derived.push_back(std::move(text));
  return p;
}

}  // namespace codeindex
