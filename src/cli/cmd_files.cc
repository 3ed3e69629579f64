// `codeindex files`: the scanner's output, one relative path per line.
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "scan/scanner.h"

namespace codeindex::cli {

Status RunFiles(const FilesArgs& args, std::ostream& out) {
  ScanOptions options;
  options.workspace = args.workspace;
  ASSIGN_OR_RETURN(ScanResult result, Scan(options));
  for (const Status& e : result.errors) std::cerr << "codeindex: " << e.ToString() << "\n";
  if (args.json) {
    nlohmann::json j;
    j["files"] = nlohmann::json::array();
    for (const ScannedFile& f : result.files) {
      // Paths are raw bytes; JSON needs UTF-8, so invalid sequences become U+FFFD here.
      j["files"].push_back({{"path", f.path}, {"size", f.size}});
    }
    out << j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
  } else {
    const char end = args.null_separated ? '\0' : '\n';
    for (const ScannedFile& f : result.files) {
      out << f.path << end;
      if (!out) return Status::OK();  // closed pipe: stop quietly
    }
  }
  if (args.stats) {
    const ScanStats& s = result.stats;
    std::cerr << "dirs " << s.dirs_visited << ", files seen " << s.files_seen << ", listed "
              << result.files.size() << ", skipped: ignored " << s.skipped_ignored
              << ", extension " << s.skipped_extension << ", size " << s.skipped_size
              << ", binary " << s.skipped_binary << "\n";
  }
  return Status::OK();
}

}  // namespace codeindex::cli
