// `codeindex symbols [--json] FILE`: definitions (name, kind, lines, scope) and imports.
#include <filesystem>
#include <system_error>

#include "base/file.h"
#include "cli/commands.h"
#include "parse/parser.h"
#include "parse/symbols.h"
#include "server/shapes.h"

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
    out << Dump(SymbolsJson(args.file, fs)) << "\n";
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
