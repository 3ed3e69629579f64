#include "server/http_server.h"

#include <atomic>
#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <thread>
#include <vector>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "server/compress.h"
#include "server/conversation.h"
#include "server/log.h"
#include "server/request.h"

namespace codeindex {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;
using error_code = boost::system::error_code;

namespace {

// Most SSE events a slow client may have queued before it is dropped.
constexpr size_t kMaxSseQueue = 4096;

}  // namespace

class Session;

class HttpServer::Impl {
 public:
  Impl(Service* service, HttpServerOptions options)
      : service_(service),
        options_(std::move(options)),
        ioc_(Threads()),
        acceptor_(net::make_strand(ioc_)) {}
  ~Impl() { Stop(std::chrono::milliseconds(0)); }

  int Threads() const {
    if (options_.threads > 0) return options_.threads;
    return std::max(2u, std::thread::hardware_concurrency());
  }

  Status Listen() {
    error_code ec;
    net::ip::address address = net::ip::make_address(options_.host, ec);
    if (ec) return Status::InvalidArgument("--host " + options_.host + ": not an IP address");
    tcp::endpoint ep(address, static_cast<unsigned short>(options_.port));
    const std::string where = options_.host + ":" + std::to_string(options_.port);
    acceptor_.open(ep.protocol(), ec);
    if (!ec) acceptor_.set_option(net::socket_base::reuse_address(true), ec);
    if (!ec) acceptor_.bind(ep, ec);
    // The kernel's limit (somaxconn, 4096 on Debian 12): 1000 clients connecting at once are
    // all queued instead of retrying SYNs.
    if (!ec) acceptor_.listen(net::socket_base::max_listen_connections, ec);
    // Non-blocking, so that each wake-up drains the backlog (see DoAccept).
    if (!ec) acceptor_.non_blocking(true, ec);
    if (ec) return Status::IOError("cannot listen on " + where + ": " + ec.message());
    port_ = acceptor_.local_endpoint().port();
    return Status::OK();
  }

  void Run() {
    DoAccept();
    for (int i = 0; i < Threads(); ++i) {
      threads_.emplace_back([this] {
        for (;;) {
          try {
            ioc_.run();
            return;
          } catch (const std::exception& e) {
            // A handler threw (it should not): log and keep serving.
            LogLine(std::string("http: unexpected exception: ") + e.what());
          }
        }
      });
    }
  }

  void DoAccept();
  void Accepted(tcp::socket socket);
  void Stop(std::chrono::milliseconds grace);

  void Register(const std::shared_ptr<Session>& s);
  void Unregister(Session* s);

  // Declared first, destroyed last: sessions destroyed with the io_context unregister.
  std::mutex sessions_mu_;
  std::condition_variable sessions_cv_;
  std::map<Session*, std::weak_ptr<Session>> sessions_;  // GUARDED_BY(sessions_mu_)
  // Event-bus subscriptions of SSE sessions, removed at Stop() before the io_context (which
  // their sinks post to) goes away.
  std::set<uint64_t> subscriptions_;  // GUARDED_BY(sessions_mu_)

  Service* service_;
  HttpServerOptions options_;
  net::io_context ioc_;
  tcp::acceptor acceptor_;
  int port_ = 0;
  std::vector<std::thread> threads_;
  std::atomic<bool> stopping_{false};
  bool stopped_ = false;  // guarded by stop_mu_
  std::mutex stop_mu_;
};

// One connection: reads requests one after the other (keep-alive), answers each, or turns
// into an SSE stream. All its handlers run on its strand.
class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, HttpServer::Impl* server)
      : stream_(std::move(socket)), server_(server) {}

  ~Session() {
    if (subscription_) {
      server_->service_->events().Unsubscribe(subscription_);
      std::lock_guard lock(server_->sessions_mu_);
      server_->subscriptions_.erase(subscription_);
    }
    if (sse_) server_->service_->stats().sse_clients.fetch_sub(1);
    server_->service_->stats().connections.fetch_sub(1);
    server_->Unregister(this);
  }

  void Start() {
    server_->service_->stats().connections.fetch_add(1);
    net::dispatch(stream_.get_executor(), [self = shared_from_this()] { self->DoRead(); });
  }

  // Called at shutdown (from any thread): idle and SSE connections close now; one in the
  // middle of a request closes after answering it.
  void Shutdown() {
    net::post(stream_.get_executor(), [self = shared_from_this()] {
      if (self->reading_ || self->sse_) self->Close();
    });
  }

 private:
  void DoRead() {
    if (server_->stopping_.load()) return Close();
    parser_.emplace();
    parser_->body_limit(server_->options_.max_body_bytes);
    parser_->header_limit(kMaxHeaderBytes);
    reading_ = true;
    stream_.expires_after(server_->options_.read_timeout);
    http::async_read(stream_, buffer_, *parser_,
                     [self = shared_from_this()](error_code ec, size_t) { self->OnRead(ec); });
  }

  void OnRead(error_code ec) {
    reading_ = false;
    if (ec == http::error::end_of_stream || ec == net::error::eof || ec == beast::error::timeout ||
        ec == net::error::operation_aborted || ec == net::error::connection_reset) {
      return Close();
    }
    if (ec == http::error::body_limit) {
      return SendError(413, "request body larger than " +
                                std::to_string(server_->options_.max_body_bytes) + " bytes");
    }
    if (ec == http::error::header_limit) {
      return SendError(431,
                       "request headers larger than " + std::to_string(kMaxHeaderBytes) + " bytes");
    }
    if (ec) return SendError(400, "malformed HTTP request: " + ec.message());
    Handle(parser_->release());
  }

  void SendError(int status, const std::string& message) {
    keep_alive_ = false;
    Reply r = ErrorReply(status, message);
    Send(r.status, std::move(r.body), "", false);
  }

  static std::string Header(const http::request<http::string_body>& req, http::field f) {
    auto it = req.find(f);
    return it == req.end() ? std::string() : std::string(it->value());
  }

  void Handle(http::request<http::string_body> req) {
    Stats().in_flight.fetch_add(1);
    keep_alive_ = req.keep_alive();
    std::string accept = Header(req, http::field::accept_encoding);
    Reply r;
    bool head = req.method() == http::verb::head;
    try {
      r = Route(req);
    } catch (const std::exception& e) {
      LogLine(std::string("http: handler threw: ") + e.what());
      r = ErrorReply(500, "internal error");
    }
    Stats().in_flight.fetch_sub(1);
    if (sse_) return;  // the connection became an event stream
    Send(r.status, std::move(r.body), accept, head, r.content_type);
  }

  ServerStats& Stats() { return server_->service_->stats(); }

  Reply Route(const http::request<http::string_body>& req) {
    Service* svc = server_->service_;
    Result<Target> target = ParseTarget(std::string_view(req.target().data(), req.target().size()));
    if (!target.ok()) return ErrorReply(target.error());
    const std::string& path = target->path;
    if (!server_->options_.token.empty()) {
      std::string auth = Header(req, http::field::authorization);
      constexpr std::string_view kBearer = "Bearer ";
      if (auth.size() <= kBearer.size() || auth.compare(0, kBearer.size(), kBearer) != 0 ||
          !ConstantTimeEquals(std::string_view(auth).substr(kBearer.size()),
                              server_->options_.token)) {
        extra_header_ = "Bearer";
        return ErrorReply(401, "missing or wrong bearer token (Authorization: Bearer TOKEN)");
      }
    }
    const http::verb m = req.method();
    const bool get = m == http::verb::get || m == http::verb::head;
    auto param = [&](const char* name) -> const std::string* {
      auto it = target->params.find(name);
      return it == target->params.end() ? nullptr : &it->second;
    };
    if (path == "/v1/search") {
      if (m != http::verb::post) return MethodNotAllowed("POST");
      return svc->Search(req.body());
    }
    if (path == "/v1/symbols") {
      if (!get) return MethodNotAllowed("GET");
      const std::string* file = param("file");
      if (!file) return ErrorReply(400, "'file' query parameter is required");
      return svc->Symbols(*file);
    }
    if (path == "/v1/find_symbol") {
      if (!get) return MethodNotAllowed("GET");
      const std::string* name = param("name");
      if (!name) return ErrorReply(400, "'name' query parameter is required");
      long long limit = 100;
      if (const std::string* l = param("limit")) {
        Result<long long> v = ParseIntParam("limit", *l, 1, 10000);
        if (!v.ok()) return ErrorReply(v.error());
        limit = *v;
      }
      return svc->FindSymbol(*name, static_cast<size_t>(limit));
    }
    if (path == "/v1/context") {
      if (!get) return MethodNotAllowed("GET");
      const std::string* file = param("file");
      const std::string* start = param("start");
      const std::string* end = param("end");
      if (!file || !start || !end) {
        return ErrorReply(400, "'file', 'start' and 'end' query parameters are required");
      }
      Result<long long> s = ParseIntParam("start", *start, 1, INT32_MAX);
      if (!s.ok()) return ErrorReply(s.error());
      Result<long long> e = ParseIntParam("end", *end, 1, INT32_MAX);
      if (!e.ok()) return ErrorReply(e.error());
      return svc->Context(*file, *s, *e);
    }
    if (path == "/v1/status") {
      if (!get) return MethodNotAllowed("GET");
      return svc->IndexStatusReply();
    }
    if (path == "/v1/index") {
      if (m != http::verb::post) return MethodNotAllowed("POST");
      if (!req.body().empty()) {
        Result<nlohmann::json> j = ParseJson(req.body());
        if (!j.ok()) return ErrorReply(j.error());
        if (!j->is_object()) return ErrorReply(400, "the request body must be a JSON object");
      }
      return svc->Reindex();
    }
    if (path == "/v1/conversation/manage") {
      if (m != http::verb::post) return MethodNotAllowed("POST");
      return ManageConversation(svc->workspace(), req.body());
    }
    if (path == "/metrics") {
      if (!get) return MethodNotAllowed("GET");
      return svc->Metrics();
    }
    if (path == "/v1/events") {
      if (m != http::verb::get) return MethodNotAllowed("GET");
      StartSse();
      return Reply{};
    }
    return ErrorReply(404, "no such endpoint: " + path);
  }

  Reply MethodNotAllowed(const char* allow) {
    extra_header_ = std::string("Allow:") + allow;
    return ErrorReply(405, std::string("method not allowed; use ") + allow);
  }

  void Send(int status, std::string body, const std::string& accept_encoding, bool head,
            const std::string& content_type = {}) {
    Stats().RecordRequest(status);
    auto res = std::make_shared<http::response<http::string_body>>();
    res->version(11);
    res->result(static_cast<unsigned>(status));
    res->set(http::field::server, "codeindex");
    res->set(http::field::content_type,
             content_type.empty() ? std::string("application/json") : content_type);
    if (extra_header_ == "Bearer") {
      res->set(http::field::www_authenticate, "Bearer");
    } else if (extra_header_.rfind("Allow:", 0) == 0) {
      res->set(http::field::allow, extra_header_.substr(6));
    }
    extra_header_.clear();
    body += '\n';
    ContentCoding coding = ChooseContentCoding(accept_encoding);
    if (body.size() >= kMinCompressBytes && coding != ContentCoding::kIdentity) {
      Result<std::string> packed =
          coding == ContentCoding::kZstd ? ZstdCompress(body) : GzipCompress(body);
      if (packed.ok()) {
        body = std::move(packed).value();
        res->set(http::field::content_encoding, std::string(ContentCodingName(coding)));
      }
    }
    res->set(http::field::vary, "Accept-Encoding");
    const bool keep = keep_alive_ && !server_->stopping_.load();
    res->keep_alive(keep);
    res->body() = std::move(body);
    res->prepare_payload();
    if (head) res->body().clear();
    stream_.expires_after(server_->options_.write_timeout);
    http::async_write(stream_, *res, [self = shared_from_this(), res, keep](error_code ec, size_t) {
      if (ec || !keep) return self->Close();
      self->DoRead();
    });
  }

  // ---- Server-Sent Events ----

  void StartSse() {
    sse_ = true;
    Stats().sse_clients.fetch_add(1);
    Stats().RecordRequest(200);
    Enqueue(
        "HTTP/1.1 200 OK\r\nServer: codeindex\r\nContent-Type: text/event-stream\r\n"
        "Cache-Control: no-cache\r\nConnection: close\r\nX-Accel-Buffering: no\r\n\r\n"
        ": codeindex events\n\n");
    std::weak_ptr<Session> weak = shared_from_this();
    auto executor = stream_.get_executor();
    subscription_ = server_->service_->events().Subscribe(
        [weak, executor](const std::shared_ptr<const Event>& e) {
          net::post(executor, [weak, e] {
            if (auto self = weak.lock()) self->Enqueue(FormatSse(*e));
          });
        });
    {
      std::lock_guard lock(server_->sessions_mu_);
      server_->subscriptions_.insert(subscription_);
    }
    // Notice the client going away: it sends nothing more, so any read completion ends it.
    stream_.socket().async_read_some(
        net::buffer(sink_), [self = shared_from_this()](error_code, size_t) { self->Close(); });
    ArmHeartbeat();
  }

  void ArmHeartbeat() {
    heartbeat_.emplace(stream_.get_executor());
    heartbeat_->expires_after(server_->options_.sse_heartbeat);
    heartbeat_->async_wait([self = shared_from_this()](error_code ec) {
      if (ec || self->closed_) return;
      if (self->queue_.empty()) self->Enqueue(": heartbeat\n\n");
      self->ArmHeartbeat();
    });
  }

  void Enqueue(std::string data) {
    if (closed_) return;
    if (queue_.size() >= kMaxSseQueue) return Close();  // not reading its events
    queue_.push_back(std::move(data));
    if (queue_.size() == 1) WriteNext();
  }

  void WriteNext() {
    stream_.expires_after(server_->options_.write_timeout);
    net::async_write(stream_, net::buffer(queue_.front()),
                     [self = shared_from_this()](error_code ec, size_t) {
                       if (ec) return self->Close();
                       self->queue_.pop_front();
                       if (!self->queue_.empty()) {
                         self->WriteNext();
                       } else {
                         self->stream_.expires_never();
                       }
                     });
  }

  void Close() {
    if (closed_) return;
    closed_ = true;
    if (subscription_) {
      server_->service_->events().Unsubscribe(subscription_);
      std::lock_guard lock(server_->sessions_mu_);
      server_->subscriptions_.erase(subscription_);
      subscription_ = 0;
    }
    if (heartbeat_) heartbeat_->cancel();
    error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ec);
    stream_.socket().close(ec);
  }

  beast::tcp_stream stream_;
  HttpServer::Impl* server_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  bool keep_alive_ = true;
  bool reading_ = false;
  bool closed_ = false;
  std::string extra_header_;
  // SSE state.
  bool sse_ = false;
  uint64_t subscription_ = 0;
  std::deque<std::string> queue_;
  std::optional<net::steady_timer> heartbeat_;
  char sink_[256];
};

void HttpServer::Impl::DoAccept() {
  acceptor_.async_accept(net::make_strand(ioc_), [this](error_code ec, tcp::socket socket) {
    if (ec) {
      if (stopping_.load() || !acceptor_.is_open()) return;
      LogLine("http: accept failed: " + ec.message());
      // EMFILE and the like: back off a little rather than spin.
      if (ec == net::error::no_descriptors)
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
      return DoAccept();
    }
    if (stopping_.load()) return;
    Accepted(std::move(socket));
    // Take every connection already waiting (up to a bound), instead of one per trip through
    // the handler queue: when 1000 clients connect at once, the last is accepted in
    // milliseconds rather than after ~1000 rounds of requests.
    for (int i = 0; i < 256; ++i) {
      tcp::socket more(net::make_strand(ioc_));
      error_code again;
      acceptor_.accept(more, again);
      if (again) break;
      Accepted(std::move(more));
    }
    DoAccept();
  });
}

void HttpServer::Impl::Accepted(tcp::socket socket) {
  error_code ignored;
  socket.set_option(tcp::no_delay(true), ignored);
  if (service_->stats().connections.load() >= static_cast<int64_t>(options_.max_connections)) {
    service_->stats().RecordRejected();
    socket.close(ignored);
    return;
  }
  auto s = std::make_shared<Session>(std::move(socket), this);
  Register(s);
  s->Start();
}

void HttpServer::Impl::Register(const std::shared_ptr<Session>& s) {
  std::lock_guard lock(sessions_mu_);
  sessions_[s.get()] = s;
}

void HttpServer::Impl::Unregister(Session* s) {
  std::lock_guard lock(sessions_mu_);
  sessions_.erase(s);
  if (sessions_.empty()) sessions_cv_.notify_all();
}

void HttpServer::Impl::Stop(std::chrono::milliseconds grace) {
  std::lock_guard stop_lock(stop_mu_);
  if (stopped_) return;
  stopped_ = true;
  stopping_.store(true);
  net::post(acceptor_.get_executor(), [this] {
    error_code ec;
    acceptor_.close(ec);
  });
  std::vector<std::shared_ptr<Session>> live;
  {
    std::lock_guard lock(sessions_mu_);
    for (auto& [p, w] : sessions_) {
      if (auto s = w.lock()) live.push_back(std::move(s));
    }
  }
  for (auto& s : live) s->Shutdown();
  live.clear();
  {
    std::unique_lock lock(sessions_mu_);
    sessions_cv_.wait_for(lock, grace, [this] { return sessions_.empty(); });
  }
  ioc_.stop();
  for (std::thread& t : threads_) {
    if (t.joinable()) t.join();
  }
  std::set<uint64_t> subs;
  {
    std::lock_guard lock(sessions_mu_);
    subs.swap(subscriptions_);
  }
  for (uint64_t id : subs) service_->events().Unsubscribe(id);
}

Result<std::unique_ptr<HttpServer>> HttpServer::Start(Service* service, HttpServerOptions options) {
  auto impl = std::make_unique<Impl>(service, std::move(options));
  RETURN_IF_ERROR(impl->Listen());
  impl->Run();
  return std::unique_ptr<HttpServer>(new HttpServer(std::move(impl)));
}

HttpServer::HttpServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

HttpServer::~HttpServer() { Stop(std::chrono::milliseconds(1000)); }

int HttpServer::port() const { return impl_->port_; }

void HttpServer::Stop(std::chrono::milliseconds grace) { impl_->Stop(grace); }

}  // namespace codeindex
