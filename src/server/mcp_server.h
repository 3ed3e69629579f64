// `codeindex serve --mcp`: the Model Context Protocol over stdio (JSON-RPC 2.0, one message
// per line, https://modelcontextprotocol.io/specification/2025-11-25/basic/transports).
//
// Protocol revision: the client's requested version when it is one of
// kMcpProtocolVersions, else the newest we speak (the client then decides). Capabilities:
// tools only. Tools (input schemas in mcp_server.cc, answers are the HTTP API's JSON objects,
// as text content and as structuredContent):
//   codebase_search {query, path?, limit?, mode?, min_score?}  -> the search --json object
//   find_symbol     {name, limit?}                              -> {"name", "symbols": [...]}
//   read_context    {file, start, end}                          -> the context --json object
//   index_status    {}                                          -> the status --json object
// A tool that fails answers a result with isError: true and the error text (the model sees
// it); unknown tools and malformed requests are JSON-RPC errors. Requests are answered in
// order, one at a time (a client has one conversation); the index updater runs meanwhile.
//
// stdout carries only protocol messages; diagnostics go to stderr.
//
// Thread safety: one McpServer per stdio stream; HandleMessage is not reentrant.
#ifndef CODEINDEX_SERVER_MCP_SERVER_H_
#define CODEINDEX_SERVER_MCP_SERVER_H_

#include <cstdio>
#include <istream>
#include <optional>
#include <string>
#include <string_view>

#include "server/service.h"

namespace codeindex {

inline constexpr const char* kMcpProtocolVersions[] = {"2025-11-25", "2025-06-18", "2025-03-26",
                                                       "2024-11-05"};

class McpServer {
 public:
  // REQUIRES: `service` outlives this.
  McpServer(Service* service, std::string version)
      : service_(service), version_(std::move(version)) {}

  // Answers one JSON-RPC message (a request, notification or batch). nullopt when nothing
  // is to be sent back (notifications, responses).
  std::optional<std::string> HandleMessage(std::string_view line);

  // Reads messages from `in` until EOF or until `*stop` becomes true, writing answers to
  // `out` (flushed after each). Lines longer than kMaxMcpMessageBytes are answered with a
  // parse error and skipped.
  void Run(std::istream& in, std::FILE* out);

 private:
  std::optional<nlohmann::json> HandleOne(const nlohmann::json& message);
  nlohmann::json CallTool(const nlohmann::json& params, nlohmann::json* error);

  Service* service_;
  std::string version_;
};

inline constexpr size_t kMaxMcpMessageBytes = 4 << 20;

}  // namespace codeindex

#endif  // CODEINDEX_SERVER_MCP_SERVER_H_
