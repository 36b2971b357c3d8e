#include "server/http_server.h"

#include <algorithm>
#include <atomic>
#include <csignal>
#include <ctime>
#include <exception>
#include <filesystem>
#include <mutex>
#include <optional>
#include <thread>
#include <unordered_map>
#include <vector>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <spdlog/async_logger.h>
#include <spdlog/details/thread_pool.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include "server/redact.h"
#include "server/response_encoding.h"
#include "server/router.h"
#include "server/static_files.h"
#include "server/target.h"

namespace xinyong::server {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

namespace {

// Every connection lives on one io_context run by one thread, so its handlers never run
// concurrently and need no strand; the concrete executor type spares the type-erased
// any_io_executor on every operation.
using Executor = asio::io_context::executor_type;
using Socket = asio::basic_stream_socket<tcp, Executor>;
using Stream = beast::basic_stream<tcp, Executor, beast::unlimited_rate_policy>;

constexpr std::chrono::seconds kLingerTimeout{2};
constexpr size_t kMaxLingerBytes = 1u << 20;
constexpr std::chrono::milliseconds kStopPoll{20};
constexpr std::chrono::milliseconds kAcceptBackoff{100};

class Session;

// What the acceptor and every session share. Sessions hold it by shared_ptr, so it outlives the
// last of them whatever order the server's members are destroyed in.
struct Shared {
  HttpServerOptions options;
  HttpServer::Handler handler;
  HttpServer::AsyncHandler async_handler;  // null: none
  // Requests taken by async_handler whose reply has not been called yet: the server waits for
  // them before its event loops go away (a reply posts to one).
  std::atomic<size_t> async_pending{0};
  std::unique_ptr<StaticFiles> static_files;  // null: no portal
  std::unique_ptr<asio::thread_pool> workers;
  // Access log: asynchronous, dropping the oldest lines rather than ever blocking a request.
  // The pool is declared last so that it is destroyed first: its thread writes out what is
  // queued and exits before the logger and its sink go away.
  std::shared_ptr<spdlog::logger> access_log;  // null when off
  std::shared_ptr<spdlog::details::thread_pool> log_pool;

  std::atomic<size_t> connections{0};
  std::atomic<bool> stopping{false};

  // Open sessions, so that Stop can close idle keep-alive connections. Touched only when a
  // connection opens or closes, never per request.
  std::mutex mu;
  std::unordered_map<Session*, std::weak_ptr<Session>> sessions;  // GUARDED_BY(mu)
};

bool IsHttpParseError(const beast::error_code& ec) {
  static const auto& category = beast::error_code(http::error::bad_method).category();
  return ec.category() == category;
}

// The Date header value (RFC 9110 IMF-fixdate), formatted at most once a second per thread.
std::string_view HttpDate() {
  thread_local std::time_t last = 0;
  thread_local char text[40] = {};
  std::time_t now = std::time(nullptr);
  if (now != last) {
    std::tm tm{};
    gmtime_r(&now, &tm);
    std::strftime(text, sizeof text, "%a, %d %b %Y %H:%M:%S GMT", &tm);
    last = now;
  }
  return text;
}

// One client connection: reads requests, hands each to the handler (or the portal's files) and
// writes the responses, in order. All its handlers run on the thread of its io_context.
class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(Socket&& socket, std::shared_ptr<Shared> shared)
      : stream_(std::move(socket)), shared_(std::move(shared)) {
    shared_->connections.fetch_add(1, std::memory_order_relaxed);
  }

  ~Session() {
    {
      std::lock_guard lock(shared_->mu);
      shared_->sessions.erase(this);
    }
    shared_->connections.fetch_sub(1, std::memory_order_relaxed);
  }

  void Start() {
    {
      std::lock_guard lock(shared_->mu);
      shared_->sessions.emplace(this, weak_from_this());
    }
    asio::dispatch(stream_.get_executor(), [self = shared_from_this()] { self->ReadHeader(); });
  }

  // Over the connection limit: answer 503 and close.
  void StartRejected() {
    asio::dispatch(stream_.get_executor(), [self = shared_from_this()] {
      self->WriteError(Status::Unavailable("the server has too many connections; retry later"),
                       "(over the connection limit)");
    });
  }

  // Called at shutdown: a connection waiting for its next request is closed now; one with a
  // request in progress closes after its response.
  void StopIfIdle() {
    asio::post(stream_.get_executor(), [self = shared_from_this()] {
      if (self->state_ == State::kReading) self->stream_.cancel();
    });
  }

 private:
  enum class State { kReading, kHandling, kWriting, kClosing };

  const HttpServerOptions& options() const { return shared_->options; }

  void ReadHeader() {
    if (shared_->stopping.load(std::memory_order_relaxed)) return Close();
    parser_.emplace();
    parser_->header_limit(static_cast<std::uint32_t>(options().header_limit));
    parser_->body_limit(options().body_limit);
    state_ = State::kReading;
    stream_.expires_after(options().read_timeout);
    http::async_read_header(stream_, buffer_, *parser_,
                            beast::bind_front_handler(&Session::OnHeader, shared_from_this()));
  }

  void OnHeader(beast::error_code ec, std::size_t) {
    if (ec) return OnReadError(ec);
    if (parser_->is_done()) return OnRequest();
    const auto& req = parser_->get();
    if (options().token_is_valid && options().public_body_limit < options().body_limit &&
        (req[http::field::authorization].empty() ||
         !options().token_is_valid(req[http::field::authorization]))) {
      const size_t limit = options().public_body_limit;
      if (parser_->content_length().value_or(0) > limit) {
        if (!req[http::field::authorization].empty()) {
          // A token that is no longer valid (revoked, expired): the answer its holder needs is
          // that, not that the body is too large (a pusher would split its batches for nothing).
          PrepareErrorWrite("(refused token, large body)");
          Response r = ErrorResponse(401, "unauthenticated",
                                     "the bearer token is not valid (unknown, revoked or expired)");
          r.headers.emplace_back("WWW-Authenticate",
                                 R"(Bearer realm="xinyong", error="invalid_token")");
          return Write(std::move(r));
        }
        return WriteError(
            Status::ResourceExhausted("a request without a valid token may carry at most " +
                                      std::to_string(limit) + " bytes"),
            "(body over the public limit)");
      }
      parser_->body_limit(limit);  // a chunked body: checked as it comes
    }
    if (req.version() >= 11 && beast::iequals(req[http::field::expect], "100-continue")) {
      continue_ = {};
      continue_.version(req.version());
      continue_.result(http::status::continue_);
      stream_.expires_after(options().read_timeout);
      http::async_write(stream_, continue_,
                        [self = shared_from_this()](beast::error_code ec, std::size_t) {
                          if (ec) return self->Close();
                          self->ReadBody();
                        });
      return;
    }
    ReadBody();
  }

  void ReadBody() {
    // Beast reads at most the buffer's free capacity (at least 512 bytes, at most 64 KiB) per
    // receive, and the buffer keeps only what the parser has not taken yet: a large body would
    // come in a few hundred bytes at a time, each a system call and a timer update. Room for
    // 64 KiB reads, given back once the body is in (OnBody).
    const uint64_t length = parser_->content_length().value_or(0);
    if (length > kLargeBody) buffer_.reserve(buffer_.size() + kBodyReadBytes);
    // kRequestBodyPadding: the body reader reserves the declared length, which never shrinks
    // the string (the limit was checked with the header). A chunked body has no such room.
    if (length > 0) parser_->get().body().reserve(length + kRequestBodyPadding);
    stream_.expires_after(options().read_timeout);
    http::async_read(stream_, buffer_, *parser_,
                     beast::bind_front_handler(&Session::OnBody, shared_from_this()));
  }

  void OnBody(beast::error_code ec, std::size_t) {
    if (buffer_.capacity() >= kBodyReadBytes) buffer_.shrink_to_fit();
    if (ec) return OnReadError(ec);
    OnRequest();
  }

  void OnReadError(const beast::error_code& ec) {
    if (ec == http::error::end_of_stream || ec == beast::error::timeout ||
        ec == asio::error::operation_aborted) {
      return Close();  // the client left, went quiet, or the server is stopping
    }
    if (ec == http::error::body_limit) {
      return WriteError(Status::ResourceExhausted("the request body is larger than the limit of " +
                                                  std::to_string(options().body_limit) + " bytes"),
                        "(body over the limit)");
    }
    if (ec == http::error::header_limit) {
      PrepareErrorWrite("(header over the limit)");
      return Write(ErrorResponse(431, "header_too_large",
                                 "the request header is larger than the limit of " +
                                     std::to_string(options().header_limit) + " bytes"));
    }
    if (IsHttpParseError(ec)) {
      return WriteError(Status::InvalidArgument("malformed HTTP request: " + ec.message()),
                        "(malformed request)");
    }
    spdlog::debug("connection error: {}", ec.message());
    Close();
  }

  void OnRequest() {
    state_ = State::kHandling;
    started_ = std::chrono::steady_clock::now();
    auto& msg = parser_->get();
    keep_alive_ = msg.keep_alive();
    version_ = msg.version();
    head_ = msg.method() == http::verb::head;
    get_or_head_ = head_ || msg.method() == http::verb::get;
    if (auto it = msg.find(http::field::if_none_match); it != msg.end()) {
      if_none_match_.assign(it->value());
    } else {
      if_none_match_.clear();
    }
    accepts_gzip_ = false;
    if (auto it = msg.find(http::field::accept_encoding); it != msg.end()) {
      accepts_gzip_ = AcceptsGzip(it->value());
    }

    Request req;
    req.method.assign(msg.method_string());
    req.target.assign(msg.target());
    if (auto it = msg.find(http::field::content_type); it != msg.end()) {
      req.content_type.assign(it->value());
    }
    if (auto it = msg.find(http::field::authorization); it != msg.end()) {
      req.authorization.assign(it->value());
    }
    if (auto it = msg.find("X-Purpose"); it != msg.end()) req.purpose.assign(it->value());
    // Every X-Forwarded-For header, in order, as one list (RFC 9110: a proxy may append its
    // own header after the client's).
    for (auto [it, end] = msg.equal_range("X-Forwarded-For"); it != end; ++it) {
      if (!req.forwarded_for.empty()) req.forwarded_for += ", ";
      req.forwarded_for.append(it->value());
    }
    req.body = std::move(msg.body());
    if (peer_.empty()) {
      beast::error_code ec;
      auto ep = stream_.socket().remote_endpoint(ec);
      if (!ec) peer_ = ep.address().to_string() + ":" + std::to_string(ep.port());
    }
    req.peer = peer_;
    log_method_.assign(req.method);
    std::string_view target(req.target);
    log_target_.assign(target.substr(0, target.find('?')));

    if (shared_->static_files && !IsApiTarget(req.target)) {
      Response res = shared_->static_files->Serve(req);
      FinishResponse(Conditions(), &res);
      return Write(std::move(res));
    }
    const bool long_get =
        get_or_head_ && shared_->options.runs_long && shared_->options.runs_long(req.target);
    if (get_or_head_ && !long_get) {
      Response res = CallHandler(std::move(req));
      FinishResponse(Conditions(), &res);
      return Write(std::move(res));
    }
    if (shared_->async_handler && !long_get) {
      shared_->async_pending.fetch_add(1);
      auto reply = [self = shared_from_this(), accepts_gzip = accepts_gzip_](Response res) {
        asio::post(self->stream_.get_executor(),
                   [self, res = std::move(res), accepts_gzip]() mutable {
                     FinishResponse(
                         {.get_or_head = false, .if_none_match = {}, .accepts_gzip = accepts_gzip},
                         &res);
                     self->Write(std::move(res));
                   });
        self->shared_->async_pending.fetch_sub(1);
      };
      if (shared_->async_handler(req, std::move(reply))) return;
      shared_->async_pending.fetch_sub(1);
    }
    // Handlers that may run long (ingestion) leave the I/O threads free for other connections;
    // so does compressing their (possibly large) answers.
    asio::post(*shared_->workers, [self = shared_from_this(), req = std::move(req),
                                   conditions = long_get ? Conditions()
                                                         : ResponseConditions{
                                                               .get_or_head = false,
                                                               .if_none_match = {},
                                                               .accepts_gzip = accepts_gzip_}]() mutable {
      Response res = self->CallHandler(std::move(req));
      FinishResponse(conditions, &res);
      asio::post(self->stream_.get_executor(), [self, res = std::move(res)]() mutable {
        self->Write(std::move(res));
      });
    });
  }

  ResponseConditions Conditions() const {
    return {.get_or_head = get_or_head_,
            .if_none_match = if_none_match_,
            .accepts_gzip = accepts_gzip_};
  }

  Response CallHandler(Request&& req) {
    try {
      return shared_->handler(std::move(req));
    } catch (const std::exception& e) {
      spdlog::error("handler failed on {} {}: {}", ForLog(log_method_), LogPath(log_target_),
                    ForLog(e.what()));
    } catch (...) {
      spdlog::error("handler failed on {} {}", ForLog(log_method_), LogPath(log_target_));
    }
    return StatusResponse(Status::Internal("internal error; the server log has the details"));
  }

  void WriteError(const Status& status, std::string_view reason) {
    PrepareErrorWrite(reason);
    Write(StatusResponse(status));
  }

  // The request could not be read: answer and close, since what follows on the connection is
  // not known to be a request boundary.
  void PrepareErrorWrite(std::string_view reason) {
    keep_alive_ = false;
    head_ = false;
    if (version_ == 0) version_ = 11;
    if (parser_ && parser_->got_some()) {
      const auto& msg = parser_->get();
      if (msg.version() == 10 || msg.version() == 11) version_ = msg.version();
    }
    started_ = std::chrono::steady_clock::now();
    log_method_.assign("-");
    log_target_.assign(reason);
  }

  void Write(Response&& res) {
    state_ = State::kWriting;
    close_after_ = !keep_alive_ || shared_->stopping.load(std::memory_order_relaxed);
    status_ = res.status;
    res_.clear();
    res_.body().clear();
    res_.version(version_);
    res_.result(res.status);
    res_.set(http::field::server, "xinyong");
    res_.set(http::field::date, HttpDate());
    if (!res.content_type.empty()) res_.set(http::field::content_type, res.content_type);
    res_.set("X-Content-Type-Options", "nosniff");
    for (const auto& [name, value] : res.headers) res_.set(name, value);
    res_.keep_alive(!close_after_);
    res_.body() = std::move(res.body);
    if (res.status == 304) {
      // No body and no Content-Length: the headers stand for the representation the client has.
      res_.body().clear();
    } else if (head_) {
      res_.content_length(res_.body().size());
      res_.body().clear();
    } else {
      res_.prepare_payload();
    }
    stream_.expires_after(options().read_timeout);
    http::async_write(stream_, res_,
                      beast::bind_front_handler(&Session::OnWrite, shared_from_this()));
  }

  void OnWrite(beast::error_code ec, std::size_t) {
    LogRequest();
    if (ec) return Close();
    if (close_after_) return LingerClose();
    ReadHeader();
  }

  void LogRequest() {
    const bool server_error = status_ >= 500;
    if (!shared_->access_log && !server_error) return;
    auto micros = std::chrono::duration_cast<std::chrono::microseconds>(
                      std::chrono::steady_clock::now() - started_)
                      .count();
    std::string method = ForLog(log_method_, 32);
    std::string path = log_method_ == "-" ? log_target_ : LogPath(log_target_);
    if (shared_->access_log) shared_->access_log->info("{} {} {} {}us", method, path, status_, micros);
    if (server_error) spdlog::error("{} {} answered {} after {}us", method, path, status_, micros);
  }

  // Stops sending, then reads and discards what the client still sends until it closes (or a
  // short timeout), so that unread request bytes do not turn the close into a reset that could
  // destroy the response before the client reads it.
  void LingerClose() {
    state_ = State::kClosing;
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
    if (ec) return Close();
    lingered_ = 0;
    stream_.expires_after(kLingerTimeout);
    Drain();
  }

  void Drain() {
    buffer_.consume(buffer_.size());
    stream_.async_read_some(buffer_.prepare(8192),
                            [self = shared_from_this()](beast::error_code ec, std::size_t n) {
                              self->lingered_ += n;
                              if (ec || self->lingered_ > kMaxLingerBytes) return self->Close();
                              self->Drain();
                            });
  }

  void Close() {
    state_ = State::kClosing;
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ec);
    stream_.socket().close(ec);
  }

  Stream stream_;
  std::shared_ptr<Shared> shared_;
  beast::flat_buffer buffer_;  // kept across requests: holds pipelined bytes, reuses memory
  static constexpr size_t kLargeBody = 256 * 1024;
  static constexpr size_t kBodyReadBytes = 64 * 1024;
  std::optional<http::request_parser<http::string_body>> parser_;
  http::response<http::string_body> res_;
  http::response<http::empty_body> continue_;
  State state_ = State::kReading;
  bool keep_alive_ = false;
  bool close_after_ = false;
  bool head_ = false;
  bool get_or_head_ = false;
  bool accepts_gzip_ = false;
  std::string if_none_match_;
  unsigned version_ = 0;
  unsigned status_ = 0;
  size_t lingered_ = 0;
  std::string peer_;
  std::string log_method_;
  std::string log_target_;
  std::chrono::steady_clock::time_point started_;
};

}  // namespace

class HttpServer::Impl {
 public:
  // One io_context per I/O thread, each run by its own thread: a connection stays on the
  // context it was accepted onto, so threads share no reactor, lock or queue on the request
  // path. The first context also runs the acceptor, the signals and the stop logic.
  Impl(std::shared_ptr<Shared> shared, unsigned threads)
      : shared_(std::move(shared)),
        contexts_(MakeContexts(threads)),
        control_(*contexts_.front()),
        acceptor_(control_),
        signals_(control_),
        stop_timer_(control_),
        accept_timer_(control_) {
    // Keeps each context's run() going while it has no connection, until the stop begins.
    for (auto& c : contexts_) guards_.emplace_back(c->get_executor());
  }

  Status Listen() {
    const auto& o = shared_->options;
    beast::error_code ec;
    tcp::endpoint endpoint;
    auto address = asio::ip::make_address(o.host, ec);
    if (!ec) {
      endpoint = tcp::endpoint(address, o.port);
    } else {
      tcp::resolver resolver(control_);
      auto results = resolver.resolve(o.host, std::to_string(o.port), ec);
      if (ec || results.empty()) {
        return Status::InvalidArgument("cannot resolve the listen host '" + o.host + "'");
      }
      endpoint = results.begin()->endpoint();
    }
    auto fail = [&](const char* what) {
      return Status::Unavailable(std::string("cannot ") + what + " " + o.host + ":" +
                                 std::to_string(o.port) + ": " + ec.message());
    };
    acceptor_.open(endpoint.protocol(), ec);
    if (ec) return fail("open a socket for");
    acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
    if (ec) return fail("configure");
    acceptor_.bind(endpoint, ec);
    if (ec) return fail("bind to");
    acceptor_.listen(asio::socket_base::max_listen_connections, ec);
    if (ec) return fail("listen on");
    auto local = acceptor_.local_endpoint(ec);
    if (ec) return fail("read the address of");
    port_ = local.port();
    address_ = local.address().to_string();
    return Status::Ok();
  }

  uint16_t port() const { return port_; }
  std::string address() const {
    if (address_.find(':') != std::string::npos) return "[" + address_ + "]:" + std::to_string(port_);
    return address_ + ":" + std::to_string(port_);
  }

  void Run() {
    if (ran_.exchange(true)) return;
    if (shared_->options.handle_signals) {
      signals_.add(SIGINT);
      signals_.add(SIGTERM);
      signals_.async_wait([this](const beast::error_code& ec, int signal) {
        if (ec) return;
        spdlog::info("signal {} received: stopping", signal);
        Stop();
      });
    }
    asio::post(control_, [this] {
      if (shared_->stopping.load()) return BeginStop();
      DoAccept();
    });
    std::vector<std::thread> threads;
    for (size_t i = 1; i < contexts_.size(); ++i) {
      threads.emplace_back([this, i] { RunLoop(*contexts_[i]); });
    }
    RunLoop(control_);
    for (auto& t : threads) t.join();
    // Requests still on the worker pool (an ingest cannot be cut in half) finish here.
    shared_->workers->join();
    // So do those waiting for an asynchronous reply (a check's log flush: milliseconds), whose
    // reply posts to an event loop that must still exist.
    const auto deadline = std::chrono::steady_clock::now() + shared_->options.shutdown_grace;
    while (shared_->async_pending.load() > 0 && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
  }

  void Stop() {
    if (shared_->stopping.exchange(true)) return;
    asio::post(control_, [this] { BeginStop(); });
  }

 private:
  static std::vector<std::unique_ptr<asio::io_context>> MakeContexts(unsigned n) {
    std::vector<std::unique_ptr<asio::io_context>> out;
    // Concurrency hint 1: each context is run by exactly one thread.
    for (unsigned i = 0; i < std::max(1u, n); ++i) {
      out.push_back(std::make_unique<asio::io_context>(1));
    }
    return out;
  }

  static void RunLoop(asio::io_context& ioc) {
    while (true) {
      try {
        ioc.run();
        return;
      } catch (const std::exception& e) {
        spdlog::error("unexpected exception in the I/O loop: {}", e.what());
      }
    }
  }

  void DoAccept() {
    // Round robin over the contexts: connections spread evenly over the threads.
    asio::io_context& target = *contexts_[next_context_++ % contexts_.size()];
    acceptor_.async_accept(
        target, [this](beast::error_code ec, Socket socket) { OnAccept(ec, std::move(socket)); });
  }

  void OnAccept(beast::error_code ec, Socket socket) {
    if (stop_begun_ || ec == asio::error::operation_aborted) return;
    if (ec) {
      // Out of file descriptors and the like: back off instead of spinning.
      spdlog::error("accepting a connection failed: {}", ec.message());
      accept_timer_.expires_after(kAcceptBackoff);
      accept_timer_.async_wait([this](beast::error_code ec) {
        if (!ec && !stop_begun_) DoAccept();
      });
      return;
    }
    beast::error_code ignored;
    socket.set_option(tcp::no_delay(true), ignored);
    auto session = std::make_shared<Session>(std::move(socket), shared_);
    if (shared_->connections.load(std::memory_order_relaxed) > shared_->options.max_connections) {
      session->StartRejected();
    } else {
      session->Start();
    }
    DoAccept();
  }

  // On the control context: stop accepting, close idle connections, wait for the busy ones.
  void BeginStop() {
    if (stop_begun_) return;
    stop_begun_ = true;
    beast::error_code ec;
    acceptor_.close(ec);
    signals_.cancel(ec);
    signals_.clear(ec);
    accept_timer_.cancel();
    std::vector<std::shared_ptr<Session>> open;
    {
      std::lock_guard lock(shared_->mu);
      for (auto& [ptr, weak] : shared_->sessions) {
        if (auto s = weak.lock()) open.push_back(std::move(s));
      }
    }
    for (auto& s : open) s->StopIfIdle();
    open.clear();
    // From now on each context's run() returns once its last connection is gone.
    for (auto& g : guards_) g.reset();
    stop_deadline_ = std::chrono::steady_clock::now() + shared_->options.shutdown_grace;
    PollStop();
  }

  void PollStop() {
    size_t left = shared_->connections.load();
    if (left == 0) return;  // Run returns once the last handlers are done
    if (std::chrono::steady_clock::now() >= stop_deadline_) {
      spdlog::warn("closing {} connection(s) still busy after the shutdown grace period", left);
      for (auto& c : contexts_) c->stop();
      return;
    }
    stop_timer_.expires_after(kStopPoll);
    stop_timer_.async_wait([this](beast::error_code ec) {
      if (!ec) PollStop();
    });
  }

  // Declared first, destroyed last: sessions still queued in the contexts refer to it.
  std::shared_ptr<Shared> shared_;
  uint16_t port_ = 0;
  std::string address_;
  std::atomic<bool> ran_{false};
  std::vector<std::unique_ptr<asio::io_context>> contexts_;
  asio::io_context& control_;                                // contexts_.front()
  std::vector<asio::executor_work_guard<Executor>> guards_;  // released when the stop begins
  // The I/O objects below belong to control_ and are destroyed before it; all of them, and
  // the members after them, are used on control_'s thread only.
  tcp::acceptor acceptor_;
  asio::signal_set signals_;
  asio::steady_timer stop_timer_;
  asio::steady_timer accept_timer_;
  size_t next_context_ = 0;
  bool stop_begun_ = false;
  std::chrono::steady_clock::time_point stop_deadline_;
};

HttpServer::HttpServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
HttpServer::~HttpServer() = default;

Result<std::unique_ptr<HttpServer>> HttpServer::Create(Platform& platform,
                                                       HttpServerOptions options) {
  if (!options.token_is_valid) {
    options.token_is_valid = [&platform](std::string_view authorization) {
      return HasValidToken(platform, authorization);
    };
  }
  if (!options.runs_long) options.runs_long = RunsLong;
  return Create([&platform](Request&& req) { return HandleRequest(platform, std::move(req)); },
                std::move(options),
                [&platform](Request& req, std::function<void(Response)> reply) {
                  return HandleRequestAsync(platform, req, std::move(reply));
                });
}

Result<std::unique_ptr<HttpServer>> HttpServer::Create(Handler api_handler,
                                                       HttpServerOptions options,
                                                       AsyncHandler async_handler) {
  if (!api_handler) return Status::InvalidArgument("the HTTP server needs a request handler");
  if (options.body_limit == 0) return Status::InvalidArgument("body_limit must be positive");
  if (options.header_limit < 1024 || options.header_limit > (1u << 30)) {
    return Status::InvalidArgument("header_limit must be from 1 KiB to 1 GiB");
  }
  if (options.max_connections == 0) {
    return Status::InvalidArgument("max_connections must be positive");
  }
  if (options.read_timeout.count() <= 0) {
    return Status::InvalidArgument("read_timeout must be positive");
  }
  unsigned threads = options.threads;
  if (threads == 0) threads = std::max(1u, std::thread::hardware_concurrency());
  unsigned workers = std::max(1u, options.worker_threads);

  auto shared = std::make_shared<Shared>();
  if (!options.web_root.empty()) {
    std::error_code ec;
    if (!std::filesystem::is_directory(options.web_root, ec)) {
      return Status::InvalidArgument("the web root '" + options.web_root + "' is not a directory");
    }
    shared->static_files = std::make_unique<StaticFiles>(options.web_root);
  }
  if (options.access_log) {
    shared->log_pool = std::make_shared<spdlog::details::thread_pool>(8192, 1);
    auto sink = std::make_shared<spdlog::sinks::stderr_sink_mt>();
    shared->access_log = std::make_shared<spdlog::async_logger>(
        "xinyong.access", std::move(sink), shared->log_pool,
        spdlog::async_overflow_policy::overrun_oldest);
    shared->access_log->set_pattern("[%Y-%m-%d %H:%M:%S.%e] [access] %v");
  }
  shared->workers = std::make_unique<asio::thread_pool>(workers);
  shared->handler = std::move(api_handler);
  shared->async_handler = std::move(async_handler);
  shared->options = std::move(options);

  auto impl = std::make_unique<Impl>(shared, threads);
  XY_RETURN_IF_ERROR(impl->Listen());
  return std::unique_ptr<HttpServer>(new HttpServer(std::move(impl)));
}

uint16_t HttpServer::port() const { return impl_->port(); }
std::string HttpServer::address() const { return impl_->address(); }
void HttpServer::Run() { impl_->Run(); }
void HttpServer::Stop() { impl_->Stop(); }

}  // namespace xinyong::server
