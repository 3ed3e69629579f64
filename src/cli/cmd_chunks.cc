// `codeindex chunks [--json] FILE`: the code blocks the parser makes of FILE. Segment hashes
// use FILE made absolute, as the original hashes absolute paths.
#include <filesystem>
#include <system_error>

#include <nlohmann/json.hpp>

#include "base/file.h"
#include "cli/commands.h"
#include "index/config.h"
#include "index/index_dir.h"
#include "lang/languages.h"
#include "parse/parser.h"
#include "scan/scanner.h"

namespace codeindex::cli {

namespace {

Result<MappedFile> OpenSource(const std::string& file) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(file, ec)) {
    if (std::filesystem::exists(file, ec))
      return Status::InvalidArgument(file + ": not a regular file");
    return Status::NotFound(file + ": no such file");
  }
  if (LanguageForPath(file) == nullptr) {
    return Status::InvalidArgument(file + ": unsupported file type (see `codeindex files --help`)");
  }
  // The index skips larger files (scan/scanner.h rule 6); parsing one costs ~100x its size
  // in memory.
  const uint64_t limit = ScanOptions().max_file_size;
  if (std::filesystem::file_size(file, ec) > limit) {
    return Status::InvalidArgument(file + ": larger than " + std::to_string(limit) +
                                   " bytes, which the index skips");
  }
  return MappedFile::Open(file);
}

}  // namespace

Status RunChunks(const FileArgs& args, std::ostream& out) {
  ASSIGN_OR_RETURN(MappedFile file, OpenSource(args.file));
  std::error_code ec;
  std::string hash_path = std::filesystem::absolute(args.file, ec).lexically_normal().string();
  if (ec) hash_path = args.file;
  ParseOptions options;
  if (args.workspace) {
    ASSIGN_OR_RETURN(WorkspaceConfig config, LoadConfig(IndexDirFor(*args.workspace)));
    if (config.parse) options = *config.parse;
  }
  if (args.chunker) {
    // The flag picks the chunker; the workspace's budget settings stay.
    ASSIGN_OR_RETURN(ParseOptions chosen, ParseOptionsForChunker(*args.chunker));
    options.chunker = chosen.chunker;
    options.compat = chosen.compat;
  }
  ASSIGN_OR_RETURN(std::vector<CodeBlock> blocks,
                   ParseBlocks(hash_path, file.data(), options));
  if (args.json) {
    nlohmann::ordered_json j;
    j["file_path"] = args.file;
    j["blocks"] = nlohmann::ordered_json::array();
    for (const CodeBlock& b : blocks) {
      nlohmann::ordered_json jb;
      jb["start_line"] = b.start_line;
      jb["end_line"] = b.end_line;
      jb["type"] = b.type;
      jb["identifier"] = b.identifier ? nlohmann::ordered_json(*b.identifier) : nullptr;
      jb["segment_hash"] = b.segment_hash;
      jb["content"] = b.content;
      if (!b.context.empty()) jb["context"] = b.context;
      j["blocks"].push_back(std::move(jb));
    }
    out << j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
    return Status::OK();
  }
  for (const CodeBlock& b : blocks) {
    out << "── " << args.file << ":" << b.start_line << "-" << b.end_line << "  " << b.type;
    if (b.identifier) out << "  " << *b.identifier;
    out << "\n";
    // The context (enclosing signatures) is indexed with the block, not part of it.
    for (size_t p = 0; !b.context.empty() && p <= b.context.size();) {
      size_t nl = b.context.find('\n', p);
      if (nl == std::string::npos) nl = b.context.size();
      out << "┆ " << std::string_view(b.context).substr(p, nl - p) << "\n";
      p = nl + 1;
    }
    out << b.content << "\n\n";
    if (!out) return Status::OK();  // closed pipe
  }
  return Status::OK();
}

}  // namespace codeindex::cli
