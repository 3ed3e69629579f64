// `codeindex files`: the scanner's output, one relative path per line (or NUL-terminated
// with -0, or one JSON object with --json).
//
// Exit status: 0 when the whole workspace could be read; 3 (I/O error) when some directory
// or file could not be, after printing everything else and one stderr line per problem
// (like find and ripgrep, so that scripts notice a partial listing); 1 when the workspace
// does not exist or is not a directory.
#include <iostream>

#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "index/config.h"
#include "index/index_dir.h"
#include "scan/scanner.h"

namespace codeindex::cli {

Status RunFiles(const FilesArgs& args, std::ostream& out) {
  ScanOptions options;
  options.workspace = args.workspace;
  options.threads = args.threads;
  // The links `index` would follow (follow_symlinks in .codeindex/config.toml).
  ASSIGN_OR_RETURN(WorkspaceConfig config, LoadConfig(IndexDirFor(args.workspace)));
  options.follow_symlinks = config.follow_symlinks;
  ASSIGN_OR_RETURN(ScanResult result, Scan(options));
  const ScanStats& s = result.stats;
  if (args.json) {
    // Paths are raw bytes; JSON needs UTF-8, so invalid sequences become U+FFFD here
    // (use -0 for exact bytes).
    nlohmann::json j;
    j["files"] = nlohmann::json::array();
    for (const ScannedFile& f : result.files) {
      j["files"].push_back({{"path", f.path}, {"size", f.size}, {"mtime_ns", f.mtime_ns}});
    }
    j["errors"] = nlohmann::json::array();
    for (const Status& e : result.errors) j["errors"].push_back(e.message());
    j["stats"] = {
        {"dirs_visited", s.dirs_visited},       {"dirs_skipped", s.dirs_skipped},
        {"files_seen", s.files_seen},           {"listed", result.files.size()},
        {"skipped_ignored", s.skipped_ignored}, {"skipped_extension", s.skipped_extension},
        {"skipped_size", s.skipped_size},       {"skipped_binary", s.skipped_binary},
        {"symlink_loops", s.symlink_loops},     {"broken_links", s.broken_links},
        {"links_outside", s.links_outside}};
    out << j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
  } else {
    const char end = args.null_separated ? '\0' : '\n';
    for (const ScannedFile& f : result.files) {
      out << f.path << end;
      if (!out) return Status::OK();  // closed pipe: stop quietly
    }
  }
  out.flush();
  for (const Status& e : result.errors) std::cerr << "codeindex: " << e.ToString() << "\n";
  if (args.stats) {
    std::cerr << "codeindex: dirs " << s.dirs_visited << " (skipped " << s.dirs_skipped
              << "), files seen " << s.files_seen << ", listed " << result.files.size()
              << ", skipped: ignored " << s.skipped_ignored << ", extension " << s.skipped_extension
              << ", size " << s.skipped_size << ", binary " << s.skipped_binary
              << "; symlink loops " << s.symlink_loops << ", broken links " << s.broken_links
              << ", links not followed " << s.links_outside << "\n";
  }
  if (!result.errors.empty()) {
    return Status::IOError(std::to_string(result.errors.size()) +
                           (result.errors.size() == 1 ? " path" : " paths") +
                           " could not be read; the listing above is incomplete");
  }
  return Status::OK();
}

}  // namespace codeindex::cli
