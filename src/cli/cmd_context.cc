// `codeindex context [--json] FILE:START-END`: the lines with their enclosing definitions
// and the file's imports. The file is memory-mapped, never copied whole.
#include <charconv>
#include <filesystem>
#include <system_error>

#include "base/file.h"
#include "cli/commands.h"
#include "parse/parser.h"
#include "parse/symbols.h"
#include "server/shapes.h"

namespace codeindex::cli {

namespace {

bool ParseInt(std::string_view s, int* v) {
  if (s.empty()) return false;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), *v);
  return ec == std::errc() && p == s.data() + s.size();
}

}  // namespace

Status RunContext(const ContextArgs& args, std::ostream& out) {
  size_t colon = args.spec.rfind(':');
  size_t dash = colon == std::string::npos ? std::string::npos : args.spec.find('-', colon);
  int start = 0, end = 0;
  if (colon == std::string::npos || dash == std::string::npos ||
      !ParseInt(std::string_view(args.spec).substr(colon + 1, dash - colon - 1), &start) ||
      !ParseInt(std::string_view(args.spec).substr(dash + 1), &end)) {
    return Status::InvalidArgument("expected FILE:START-END (e.g. src/a.py:10-20), got '" +
                                   args.spec + "'");
  }
  std::string file = args.spec.substr(0, colon);
  std::error_code ec;
  if (!std::filesystem::is_regular_file(file, ec)) {
    return Status::NotFound(file + ": no such file");
  }
  ASSIGN_OR_RETURN(MappedFile mapped, MappedFile::Open(file));
  ASSIGN_OR_RETURN(Context ctx, ExtractContext(file, mapped.data(), start, end));
  if (args.json) {
    out << Dump(ContextJson(file, ctx)) << "\n";
    return Status::OK();
  }
  for (const Import& i : ctx.imports) out << i.line << "  " << i.text << "\n";
  if (!ctx.imports.empty()) out << "\n";
  for (const Symbol& s : ctx.enclosing) {
    out << s.start_line << "-" << s.end_line << "  " << s.kind << " " << s.name << ":  "
        << s.signature << "\n";
  }
  if (!ctx.enclosing.empty()) out << "\n";
  int n = ctx.start_line;
  size_t pos = 0;
  while (pos <= ctx.content.size()) {
    size_t nl = ctx.content.find('\n', pos);
    if (nl == std::string::npos) nl = ctx.content.size();
    out << n++ << "\t" << std::string_view(ctx.content).substr(pos, nl - pos) << "\n";
    pos = nl + 1;
  }
  return Status::OK();
}

}  // namespace codeindex::cli
