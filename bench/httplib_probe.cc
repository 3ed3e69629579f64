// Transport probe for the HTTP library choice (bench/README.md "## server"): Debian's
// cpp-httplib (compiled library 0.11) serving a fixed small JSON answer, to compare with
// `codeindex serve` under the same wrk load. Not part of the build:
//   g++ -O2 -std=c++17 bench/httplib_probe.cc $(pkg-config --cflags --libs cpp-httplib) \
//       -lpthread -o /tmp/httplib_probe && /tmp/httplib_probe 17879 [THREADS]
#include <httplib.h>

#include <cstdlib>
#include <string>

int main(int argc, char** argv) {
  int port = argc > 1 ? std::atoi(argv[1]) : 17879;
  int threads = argc > 2 ? std::atoi(argv[2]) : 0;
  httplib::Server svr;
  if (threads > 0) {
    svr.new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
  }
  const std::string body = R"({"results":[],"took_ms":0.1})";
  svr.Post("/v1/search", [&](const httplib::Request&, httplib::Response& res) {
    res.set_content(body, "application/json");
  });
  svr.Get("/v1/status", [&](const httplib::Request&, httplib::Response& res) {
    res.set_content(body, "application/json");
  });
  return svr.listen("127.0.0.1", port) ? 0 : 1;
}
