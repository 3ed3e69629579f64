// One-line diagnostics of the server on stderr ("codeindex: ..."), never on stdout (which
// belongs to the MCP protocol in `serve --mcp`). Each line is written with one write(2),
// so lines from concurrent threads never interleave.
#ifndef CODEINDEX_SERVER_LOG_H_
#define CODEINDEX_SERVER_LOG_H_

#include <string>
#include <string_view>

#include <unistd.h>

namespace codeindex {

inline void LogLine(std::string_view message) {
  std::string line = "codeindex: ";
  line += message;
  line += '\n';
  ssize_t n = ::write(2, line.data(), line.size());
  (void)n;
}

}  // namespace codeindex

#endif  // CODEINDEX_SERVER_LOG_H_
