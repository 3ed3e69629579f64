// `codeindex serve`: the HTTP/SSE API (server/http_server.h), or MCP on stdio with --mcp
// (server/mcp_server.h). Both keep the index current with the background indexer.
#include <cstdio>
#include <iostream>
#include <thread>

#include <pthread.h>
#include <signal.h>
#include <stdlib.h>

#include "cli/commands.h"
#include "server/http_server.h"
#include "server/log.h"
#include "server/mcp_server.h"
#include "server/service.h"

namespace codeindex::cli {

namespace {

// Blocks SIGINT and SIGTERM in this thread and every thread it starts afterwards, so that
// only the sigwait() below receives them.
sigset_t BlockStopSignals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  return set;
}

}  // namespace

Status RunServe(const ServeArgs& args, std::ostream& out) {
  sigset_t stop_signals = BlockStopSignals();
  ServiceOptions so;
  so.workspace = args.workspace;
  if (args.no_cache) so.cache_overrides.cache_enabled = false;
  so.cache_overrides.cache_size_mb = args.cache_size_mb;
  so.cache_overrides.cache_ttl_seconds = args.cache_ttl_seconds;
  ASSIGN_OR_RETURN(std::unique_ptr<Service> service, Service::Start(so));
  std::string token = args.token;
  if (token.empty()) {
    if (const char* env = std::getenv("CODEINDEX_TOKEN")) token = env;
  }

  if (args.mcp) {
    // stdout belongs to the protocol: nothing else may be printed there.
    std::thread signals([&service, stop_signals] {
      int sig = 0;
      sigwait(&stop_signals, &sig);
      LogLine("mcp: stopping on signal");
      service->Stop();  // the indexer stops at a batch boundary; the index stays consistent
      std::_Exit(0);
    });
    signals.detach();
    McpServer mcp(service.get(), "0.1.0");
    mcp.Run(std::cin, stdout);
    service->Stop();
    return Status::OK();
  }

  if (token.empty() && args.host != "127.0.0.1" && args.host != "localhost" &&
      args.host != "::1") {
    std::cerr << "codeindex: warning: serving " << service->workspace() << " on " << args.host
              << " without a token: anyone who can reach this address can read the indexed "
                 "code (set --token or CODEINDEX_TOKEN)\n";
  }
  HttpServerOptions ho;
  ho.host = args.host;
  ho.port = args.port;
  ho.token = token;
  ASSIGN_OR_RETURN(std::unique_ptr<HttpServer> http, HttpServer::Start(service.get(), ho));
  out << "codeindex: serving " << service->workspace() << " on http://" << args.host << ":"
      << http->port() << std::endl;
  int sig = 0;
  sigwait(&stop_signals, &sig);
  LogLine(std::string("stopping on ") + (sig == SIGINT ? "SIGINT" : "SIGTERM"));
  http->Stop();
  service->Stop();
  return Status::OK();
}

}  // namespace codeindex::cli
