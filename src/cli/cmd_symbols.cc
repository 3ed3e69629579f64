// `codeindex symbols [--json] FILE`: definitions (name, kind, lines, scope) and imports.
#include <filesystem>
#include <system_error>

#include <nlohmann/json.hpp>

#include "base/file.h"
#include "cli/commands.h"
#include "parse/parser.h"
#include "parse/symbols.h"

namespace codeindex::cli {

namespace {

Result<MappedFile> OpenWithGrammar(const std::string& file) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(file, ec)) {
    if (std::filesystem::exists(file, ec))
      return Status::InvalidArgument(file + ": not a regular file");
    return Status::NotFound(file + ": no such file");
  }
  if (LanguageNameForPath(file).empty()) {
    return Status::InvalidArgument(file + ": no grammar for this file type, so no symbols");
  }
  return MappedFile::Open(file);
}

}  // namespace

Status RunSymbols(const FileArgs& args, std::ostream& out) {
  ASSIGN_OR_RETURN(MappedFile file, OpenWithGrammar(args.file));
  ASSIGN_OR_RETURN(FileSymbols fs, ExtractSymbols(args.file, file.data()));
  if (args.json) {
    nlohmann::ordered_json j;
    j["file_path"] = args.file;
    j["language"] = fs.language;
    j["symbols"] = nlohmann::ordered_json::array();
    for (const Symbol& s : fs.symbols) {
      nlohmann::ordered_json js;
      js["name"] = s.name;
      js["kind"] = s.kind;
      js["start_line"] = s.start_line;
      js["end_line"] = s.end_line;
      if (!s.scope.empty()) js["scope"] = s.scope;
      j["symbols"].push_back(std::move(js));
    }
    j["imports"] = nlohmann::ordered_json::array();
    for (const Import& i : fs.imports) j["imports"].push_back({{"text", i.text}, {"line", i.line}});
    out << j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
    return Status::OK();
  }
  for (const Import& i : fs.imports) {
    std::string first = i.text.substr(0, i.text.find('\n'));
    out << i.line << "  import  " << first << (first.size() < i.text.size() ? " …" : "") << "\n";
  }
  for (const Symbol& s : fs.symbols) {
    out << s.start_line << "-" << s.end_line << "  " << s.kind << "  "
        << (s.scope.empty() ? "" : s.scope + ".") << s.name << "\n";
    if (!out) return Status::OK();
  }
  return Status::OK();
}

}  // namespace codeindex::cli
