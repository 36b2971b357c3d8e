// HttpServer: the network front of `xinyong serve` — an asynchronous HTTP/1.1 server (Boost.Beast)
// that does socket I/O only. API requests (/api/...) go to a handler (HandleRequest for a
// Platform); every other GET is a portal file from `web_root`. Keep-alive and pipelining are
// supported; every read has a deadline (read_timeout); a body over `body_limit` gets 413, a header
// over `header_limit` 431, a connection over `max_connections` 503 and a malformed request 400,
// each followed by closing the connection. Requests that may block for long (anything but
// GET/HEAD, e.g. ingesting an uploaded file) run on a small worker pool so reads stay fast.
// Every response passes FinishResponse (response_encoding.h) on its way out: ETag and 304 for
// GET and HEAD, gzip when the client accepts it. Each I/O thread runs its own event loop; a
// connection stays on the thread that accepted it.
//
// Typical use (the CLI):
//   XY_ASSIGN_OR_RETURN(auto server, HttpServer::Create(platform, options));
//   server->Run();  // blocks until SIGINT/SIGTERM or Stop()
//
// Thread-safety: Run is called once, from one thread. Stop, port and address may be called from
// any thread at any time. The Platform (or handler) must outlive the server.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "core/status.h"
#include "server/http_message.h"
#include "server/platform.h"

namespace xinyong::server {

// A request body handed to a handler has at least this many bytes of spare capacity past its
// end, so that a JSON parser that reads ahead (simdjson) can parse it where it lies.
inline constexpr size_t kRequestBodyPadding = 64;

struct HttpServerOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 8080;  // 0 = an ephemeral port; see HttpServer::port()
  unsigned threads = 0;  // I/O threads; 0 = std::thread::hardware_concurrency()
  unsigned worker_threads = 2;  // for POST/PUT/... handlers (ingestion)
  size_t body_limit = 64u << 20;    // larger bodies get 413 and the connection is closed
  // When set: whether a request's Authorization header holds a token this server accepts,
  // asked once its header is in, before its body is read. A request without one may carry at
  // most `public_body_limit` bytes (a larger one gets 413 before any of its body is read, and no
  // 100 Continue): the public's requests are small, and anyone could otherwise make the server
  // hold a 64 MiB body per connection before the router refuses it.
  std::function<bool(std::string_view authorization)> token_is_valid;
  size_t public_body_limit = 1u << 20;
  // When set: whether a GET or HEAD request may take long (it reads the whole store). Such a
  // request runs on a worker thread like a POST; other GETs are answered on the I/O thread.
  std::function<bool(std::string_view target)> runs_long;
  size_t header_limit = 16u << 10;  // request line and header fields; larger get 431 and close
  // A deadline, not an idle timer: a request's header must arrive in full within read_timeout of
  // the connection being ready for it (so an idle keep-alive connection is closed after it), its
  // body within another read_timeout, and a response must be written within one. Bytes trickling
  // in do not extend it. A connection that misses it is closed without an answer.
  std::chrono::milliseconds read_timeout{30'000};
  size_t max_connections = 10'000;  // further connections get 503 and are closed
  std::string web_root;    // portal files; "" = none (non-API paths get 404)
  bool access_log = false;  // one line per request on stderr (method, path, status, µs)
  bool handle_signals = true;  // SIGINT and SIGTERM stop the server gracefully
  // How long Stop waits for requests in progress before closing everything.
  std::chrono::milliseconds shutdown_grace{10'000};
};

class HttpServer {
 public:
  // Handles one API request; must not throw (HandleRequest does not).
  using Handler = std::function<Response(Request&&)>;
  // Answers some API requests without holding a thread while they wait for something slow (a
  // credit check waits for its log entry to be flushed): it returns false to leave the request
  // to the Handler, or takes it and calls `reply` exactly once, from any thread, with the
  // response. It runs on the I/O thread for every API request but GET and HEAD: it must not
  // block. Must not throw.
  using AsyncHandler = std::function<bool(Request& request, std::function<void(Response)> reply)>;

  // Binds and listens (so the port is known and a busy port fails here, as Unavailable), but
  // serves nothing until Run. InvalidArgument for a bad host or option.
  static Result<std::unique_ptr<HttpServer>> Create(Platform& platform, HttpServerOptions options);
  static Result<std::unique_ptr<HttpServer>> Create(Handler api_handler, HttpServerOptions options,
                                                     AsyncHandler async_handler = nullptr);
  ~HttpServer();

  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // The bound port (the real one when options.port was 0) and host.
  uint16_t port() const;
  std::string address() const;  // "127.0.0.1:8080"

  // Serves on options.threads threads (the calling one included) until Stop or a signal; then
  // stops accepting, lets requests in progress finish (up to shutdown_grace), closes idle
  // connections and returns.
  void Run();
  // Asks Run to return as described; idempotent; safe from any thread, also before Run.
  void Stop();

 private:
  class Impl;
  explicit HttpServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace xinyong::server
