// The HTTP/1.1 + Server-Sent Events transport of `codeindex serve` (API in
// docs/interface.md and docs/http-api.md), over Service (server/service.h).
//
// Built on Boost.Beast/Asio (Debian's libboost-dev): asynchronous I/O on a few threads, so
// 1000 keep-alive connections cost 1000 sockets and buffers, not 1000 threads, and a slow or
// vanished client holds no worker (cpp-httplib, measured, was rejected: its Debian build
// listens with a backlog of 5 and dedicates a pool thread to each keep-alive connection;
// bench/README.md "## server").
//
// Limits: request headers kMaxHeaderBytes (431), body HttpServerOptions::max_body_bytes
// (413), a request must arrive within read_timeout of the previous one (idle keep-alive
// connections are closed then), a response must be taken within write_timeout.
// Handlers run on the I/O threads; a search is CPU work of about a millisecond.
//
// Security: binds 127.0.0.1 unless told otherwise; with a token every request must carry
// "Authorization: Bearer TOKEN" (401 otherwise, compared in constant time).
//
// Thread safety: Start/Stop/Wait/port may be called from any thread.
#ifndef CODEINDEX_SERVER_HTTP_SERVER_H_
#define CODEINDEX_SERVER_HTTP_SERVER_H_

#include <chrono>
#include <memory>
#include <string>

#include "base/status.h"
#include "server/service.h"

namespace codeindex {

inline constexpr size_t kMaxHeaderBytes = 16 << 10;

struct HttpServerOptions {
  std::string host = "127.0.0.1";
  int port = 7878;    // 0: any free port (see HttpServer::port())
  std::string token;  // empty: no authentication
  // I/O threads; 0 = one per core (at least 2). More do not help: handlers are CPU-bound.
  int threads = 0;
  // Largest request body. 1 MiB: a search body is a query of at most 4 KiB plus a few fields.
  size_t max_body_bytes = 1 << 20;
  // A connection idle this long (or trickling a request) is closed. 60 s keeps editor
  // connections alive between keystrokes without holding dead peers for long.
  std::chrono::milliseconds read_timeout{60000};
  // A client that does not take its response (or SSE events) within this is dropped.
  std::chrono::milliseconds write_timeout{30000};
  // SSE comment sent when no event went out for this long, so that proxies keep the stream
  // open and a vanished client is noticed.
  std::chrono::milliseconds sse_heartbeat{15000};
  // Connections beyond this are closed at accept (each costs a socket and ~10 KiB).
  size_t max_connections = 10000;
};

class HttpServer {
 public:
  // Binds and starts serving. kIOError naming host:port if it cannot bind.
  // REQUIRES: `service` outlives the server.
  static Result<std::unique_ptr<HttpServer>> Start(Service* service, HttpServerOptions options);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // The bound port (useful with port 0).
  int port() const;
  // Graceful stop: no new connections, idle and SSE connections closed, requests in progress
  // answered (up to `grace`), then the I/O threads end. Idempotent.
  void Stop(std::chrono::milliseconds grace = std::chrono::milliseconds(5000));

  class Impl;

 private:
  explicit HttpServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace codeindex

#endif  // CODEINDEX_SERVER_HTTP_SERVER_H_
