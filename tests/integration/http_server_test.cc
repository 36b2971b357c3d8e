// The HTTP server over real sockets: keep-alive, limits (body 413, header 431, connections 503,
// read timeouts that a client trickling bytes cannot extend), malformed requests, the portal's
// files, path traversal, and a graceful stop. The slow-client attack is slow_client_test.cc.
#include "server/access.h"
#include "server/http_server.h"

#include <sys/socket.h>
#include <sys/time.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <future>
#include <random>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/json.hpp>
#include <gtest/gtest.h>

#include "core/test_paths.h"
#include "raw_connection.h"
#include "server/platform.h"
#include "server/router.h"
#include "server/response_encoding.h"

namespace xinyong::server {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace fs = std::filesystem;
namespace json = boost::json;
using tcp = asio::ip::tcp;

using test::SourceDir;

using Res = http::response<http::string_body>;

// A blocking HTTP/1.1 client on one connection; reads give up after 10 s instead of hanging.
class Client {
 public:
  explicit Client(uint16_t port) : socket_(ioc_) {
    socket_.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
    timeval tv{10, 0};
    ::setsockopt(socket_.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  }

  Res Send(http::verb method, std::string target, std::string body = "",
           std::string content_type = "") {
    http::request<http::string_body> req(method, target, 11);
    req.set(http::field::host, "127.0.0.1");
    if (!content_type.empty()) req.set(http::field::content_type, content_type);
    if (!authorization.empty()) req.set(http::field::authorization, authorization);
    req.body() = std::move(body);
    req.prepare_payload();
    http::write(socket_, req);
    return Read();
  }
  Res Get(std::string target) { return Send(http::verb::get, std::move(target)); }
  std::string authorization;  // sent with Send when set ("Bearer xy_...")

  // A GET or HEAD with extra request headers.
  Res GetWith(std::string target, std::vector<std::pair<http::field, std::string>> headers,
              http::verb method = http::verb::get) {
    http::request<http::empty_body> req(method, target, 11);
    req.set(http::field::host, "127.0.0.1");
    for (const auto& [name, value] : headers) req.set(name, value);
    http::write(socket_, req);
    return Read(method == http::verb::head);
  }

  void WriteRaw(std::string_view bytes) { asio::write(socket_, asio::buffer(bytes)); }

  Res Read(bool head = false) {
    http::response_parser<http::string_body> parser;
    parser.body_limit(64u << 20);
    parser.skip(head);
    http::read(socket_, buffer_, parser);
    return parser.release();
  }

  // True when the server closed the connection (a read ends with EOF or a reset).
  bool Closed() {
    beast::error_code ec;
    char c;
    if (buffer_.size() > 0) return false;
    socket_.read_some(asio::buffer(&c, 1), ec);
    return ec == asio::error::eof || ec == asio::error::connection_reset;
  }

 private:
  asio::io_context ioc_;
  tcp::socket socket_;
  beast::flat_buffer buffer_;
};

json::object ErrorOf(const Res& r) {
  json::value v = json::parse(r.body());
  return v.at("error").as_object();
}

class HttpServerTest : public ::testing::Test {
 protected:
  static constexpr size_t kBodyLimit = 2048;

  void SetUp() override {
    std::random_device rd;
    dir_ = fs::temp_directory_path() / ("xinyong-http-" + std::to_string(rd()));
    fs::create_directories(dir_);
    PlatformOptions po;
    po.data_dir = (dir_ / "data").string();
    po.share_dir = SourceDir() + "/data";
    po.key_file = (dir_ / "keys" / "k.key").string();
    po.sync = false;
    auto p = Platform::Open(po);
    ASSERT_TRUE(p.ok()) << p.status().ToString();
    platform_ = std::move(p).value();
    TokenRequest t;
    t.role = "operator";
    auto token = CreateToken(*platform_, t, NowUnixMs());
    ASSERT_TRUE(token.ok()) << token.status().ToString();
    operator_ = "Bearer " + token->secret;

    HttpServerOptions o;
    o.host = "127.0.0.1";
    o.port = 0;
    o.threads = 2;
    o.body_limit = kBodyLimit;
    o.web_root = SourceDir() + "/web";
    o.handle_signals = false;
    o.access_log = true;
    o.shutdown_grace = std::chrono::milliseconds(3000);
    auto s = HttpServer::Create(*platform_, o);
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    server_ = std::move(s).value();
    ASSERT_NE(server_->port(), 0);
    thread_ = std::thread([this] { server_->Run(); });
  }

  void TearDown() override {
    if (server_) server_->Stop();
    if (thread_.joinable()) thread_.join();
    server_.reset();
    platform_.reset();
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }

  uint16_t port() const { return server_->port(); }

  fs::path dir_;
  std::unique_ptr<Platform> platform_;
  std::string operator_;  // the Authorization header of an operator's token
  std::unique_ptr<HttpServer> server_;
  std::thread thread_;
};

TEST_F(HttpServerTest, HealthAnswersJson) {
  Client c(port());
  Res r = c.Get("/api/v1/health");
  EXPECT_EQ(r.result_int(), 200);
  EXPECT_EQ(r[http::field::content_type], "application/json; charset=utf-8");
  EXPECT_TRUE(r[http::field::date].ends_with(" GMT")) << r[http::field::date];
  json::value v = json::parse(r.body());
  EXPECT_EQ(v.at("status").as_string(), "ok");
  EXPECT_EQ(v.at("version").as_string(), "0.1.0");
  EXPECT_EQ(server_->address(), "127.0.0.1:" + std::to_string(port()));
}

TEST_F(HttpServerTest, KeepAliveServesSeveralRequestsOnOneConnection) {
  Client c(port());
  Res a = c.Get("/api/v1/health");
  EXPECT_EQ(a.result_int(), 200);
  EXPECT_TRUE(a.keep_alive());
  Res b = c.Get("/api/v1/catalog");
  EXPECT_EQ(b.result_int(), 200);
  EXPECT_TRUE(json::parse(b.body()).at("indicators").is_array());
  Res d = c.Get("/api/v1/nothing-here");
  EXPECT_EQ(d.result_int(), 404);
  EXPECT_EQ(ErrorOf(d).at("code").as_string(), "not_found");
  EXPECT_EQ(c.Get("/api/v1/health").result_int(), 200);  // a 404 does not end the connection
}

TEST_F(HttpServerTest, PipelinedRequestsAreAnsweredInOrder) {
  Client c(port());
  c.WriteRaw(
      "GET /api/v1/health HTTP/1.1\r\nHost: x\r\n\r\n"
      "GET /api/v1/nope HTTP/1.1\r\nHost: x\r\n\r\n"
      "GET /api/v1/catalog HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_EQ(c.Read().result_int(), 200);
  EXPECT_EQ(c.Read().result_int(), 404);
  EXPECT_EQ(c.Read().result_int(), 200);
}

TEST_F(HttpServerTest, BodyOverTheLimitIs413AndCloses) {
  Client c(port());
  Res r = c.Send(http::verb::post, "/api/v1/batches?indicator=admin_penalty",
                 std::string(kBodyLimit * 4, 'a'), "text/csv");
  EXPECT_EQ(r.result_int(), 413);
  EXPECT_EQ(ErrorOf(r).at("code").as_string(), "resource_exhausted");
  EXPECT_FALSE(r.keep_alive());
  EXPECT_TRUE(c.Closed());
}

TEST_F(HttpServerTest, ChunkedBodyOverTheLimitIs413) {
  Client c(port());
  std::string chunk(1000, 'a');
  std::string raw =
      "POST /api/v1/batches HTTP/1.1\r\nHost: x\r\nContent-Type: text/csv\r\n"
      "Transfer-Encoding: chunked\r\n\r\n";
  for (int i = 0; i < 4; ++i) raw += "3e8\r\n" + chunk + "\r\n";
  raw += "0\r\n\r\n";
  c.WriteRaw(raw);
  EXPECT_EQ(c.Read().result_int(), 413);
}

// A request without a valid token may carry only a small body: a larger one is refused once its
// header is in, without a 100 Continue and without reading the body; a valid token's may carry
// up to the body limit.
TEST_F(HttpServerTest, ABodyWithoutAValidTokenIsLimitedBeforeItIsRead) {
  HttpServerOptions o;
  o.host = "127.0.0.1";
  o.port = 0;
  o.threads = 1;
  o.body_limit = 1u << 20;
  o.public_body_limit = 1000;
  o.handle_signals = false;
  auto s = HttpServer::Create(*platform_, o);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  std::thread run([&] { (*s)->Run(); });
  auto head = [](std::string_view authorization) {
    return "POST /api/v1/batches?indicator=no_such_indicator HTTP/1.1\r\nHost: x\r\n"
           "Content-Type: text/csv\r\nContent-Length: 5000\r\nExpect: 100-continue\r\n" +
           (authorization.empty() ? std::string()
                                  : "Authorization: " + std::string(authorization) + "\r\n") +
           "\r\n";
  };
  {
    Client c((*s)->port());
    c.WriteRaw(head(""));
    Res r = c.Read();
    EXPECT_EQ(r.result_int(), 413);
    EXPECT_NE(ErrorOf(r).at("message").as_string().find("without a valid token"),
              std::string::npos);
    EXPECT_TRUE(c.Closed());
  }
  {  // a token no longer valid: told so (401), not that the body is too large
    Client c((*s)->port());
    c.WriteRaw(head("Bearer xy_not-a-token"));
    Res r = c.Read();
    EXPECT_EQ(r.result_int(), 401);
    EXPECT_EQ(r[http::field::www_authenticate], R"(Bearer realm="xinyong", error="invalid_token")");
    EXPECT_TRUE(c.Closed());
  }
  {  // a small anonymous body is read and goes to the router (which wants a token here)
    Client c((*s)->port());
    EXPECT_EQ(c.Send(http::verb::post, "/api/v1/batches", "a,b\n", "text/csv").result_int(), 401);
  }
  Client c((*s)->port());
  c.WriteRaw(head(operator_));
  EXPECT_EQ(c.Read().result_int(), 100);
  c.WriteRaw(std::string(5000, 'a'));
  EXPECT_EQ(c.Read().result_int(), 400) << "the body reached the handler";
  (*s)->Stop();
  run.join();
}

TEST_F(HttpServerTest, BodyWithinTheLimitReachesTheHandler) {
  Client c(port());
  c.authorization = operator_;
  Res r = c.Send(http::verb::post, "/api/v1/batches?indicator=no_such_indicator",
                 "a,b\n1,2\n", "text/csv");
  EXPECT_EQ(r.result_int(), 400);
  EXPECT_EQ(ErrorOf(r).at("code").as_string(), "invalid_argument");
  EXPECT_TRUE(r.keep_alive());
  EXPECT_EQ(c.Get("/api/v1/health").result_int(), 200);
}

TEST_F(HttpServerTest, GarbageRequestLineIs400AndCloses) {
  Client c(port());
  c.WriteRaw("GARBAGE\r\n\r\n");
  Res r = c.Read();
  EXPECT_EQ(r.result_int(), 400);
  EXPECT_EQ(ErrorOf(r).at("code").as_string(), "invalid_argument");
  EXPECT_TRUE(c.Closed());

  Client d(port());
  d.WriteRaw("GET /api/v1/health HTTP/9.9\r\n\r\n");
  EXPECT_EQ(d.Read().result_int(), 400);
}

TEST_F(HttpServerTest, OversizedHeaderIs431AndCloses) {
  Client c(port());
  c.WriteRaw("GET /api/v1/health HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(20000, 'a') +
             "\r\n\r\n");
  Res r = c.Read();
  EXPECT_EQ(r.result_int(), 431);
  EXPECT_EQ(ErrorOf(r).at("code").as_string(), "header_too_large");
  EXPECT_FALSE(r.keep_alive());
  EXPECT_TRUE(c.Closed());
}

TEST_F(HttpServerTest, PortalIndexIsServed) {
  Client c(port());
  Res r = c.Get("/");
  ASSERT_EQ(r.result_int(), 200);
  EXPECT_EQ(r[http::field::content_type], "text/html; charset=utf-8");
  EXPECT_NE(r.body().find("信用郑州"), std::string::npos);
  EXPECT_NE(r.body().find("lang=\"zh-CN\""), std::string::npos);
  Res same = c.Get("/index.html");
  EXPECT_EQ(same.body(), r.body());

  Res missing = c.Get("/no-such-file.css");
  EXPECT_EQ(missing.result_int(), 404);
  EXPECT_EQ(ErrorOf(missing).at("code").as_string(), "not_found");

  // HEAD: the headers of GET, no body.
  c.WriteRaw("HEAD / HTTP/1.1\r\nHost: x\r\n\r\n");
  Res head = c.Read(/*head=*/true);
  EXPECT_EQ(head.result_int(), 200);
  EXPECT_EQ(head[http::field::content_length], std::to_string(r.body().size()));
  EXPECT_EQ(c.Get("/api/v1/health").result_int(), 200);  // the connection is still in step

  Res post = c.Send(http::verb::post, "/index.html", "x");
  EXPECT_EQ(post.result_int(), 405);
  EXPECT_EQ(post[http::field::allow], "GET, HEAD");
}

// Two penalty decisions on one company, small enough for the fixture's body limit; the profile
// that results is well over the gzip threshold.
std::string TwoPenalties() {
  std::string csv =
      "CF_XDR_MC,CF_XDR_LB,CF_XDR_SHXYM,CF_WSH,CF_WFXW,CF_SY,CF_YJ,CF_CFLB,CF_NR,CF_JDRQ,CF_CFJG,"
      "CF_CFJGDM,CF_SJLY,CF_SJLYDM\n";
  for (std::string_view n : {"101", "205"}) {
    csv += "郑州宏达（集团）商贸有限公司,法人及非法人组织,91110000600037341L,郑市监罚〔2024〕" +
           std::string(n) +
           "号,虚假宣传,在网站发布虚假广告,《广告法》第五十五条,罚款,罚款2万元," +
           // Recent: a general penalty is published for 12 months only (FACTS §4).
           Date::Today().AddDays(-30).ToString() +
           ",郑州市市场监督管理局,11410100MB0000001X,郑州市市场监督管理局,11410100MB0000001X\n";
  }
  return csv;
}

TEST_F(HttpServerTest, ProfileEtagGives304AndHeadHasTheSameHeaders) {
  Client c(port());
  c.authorization = operator_;
  Res posted = c.Send(http::verb::post, "/api/v1/batches?indicator=admin_penalty", TwoPenalties(),
                      "text/csv");
  ASSERT_EQ(posted.result_int(), 201) << posted.body();
  c.authorization.clear();  // the rest as the public
  const std::string target = "/api/v1/subjects/91110000600037341L";
  Res first = c.Get(target);
  ASSERT_EQ(first.result_int(), 200) << first.body();
  const std::string etag(first[http::field::etag]);
  EXPECT_EQ(etag, BodyEtag(first.body()));
  EXPECT_EQ(first[http::field::cache_control], "no-cache");
  EXPECT_EQ(first[http::field::vary], "Accept-Encoding");
  EXPECT_EQ(json::parse(first.body()).at("public_records").to_number<int64_t>(), 2);

  Res same = c.GetWith(target, {{http::field::if_none_match, etag}});
  EXPECT_EQ(same.result_int(), 304);
  EXPECT_TRUE(same.body().empty());
  EXPECT_EQ(same[http::field::etag], etag);
  EXPECT_EQ(same[http::field::cache_control], "no-cache");
  EXPECT_TRUE(same.keep_alive());
  for (std::string list : {"\"nope\", W/" + etag, std::string("*")}) {
    EXPECT_EQ(c.GetWith(target, {{http::field::if_none_match, list}}).result_int(), 304) << list;
  }
  Res other = c.GetWith(target, {{http::field::if_none_match, "\"0000000000000000\""}});
  EXPECT_EQ(other.result_int(), 200);
  EXPECT_EQ(other.body(), first.body());

  Res head = c.GetWith(target, {}, http::verb::head);
  EXPECT_EQ(head.result_int(), 200);
  EXPECT_EQ(head[http::field::etag], etag);
  EXPECT_EQ(head[http::field::content_length], std::to_string(first.body().size()));
  Res head304 = c.GetWith(target, {{http::field::if_none_match, etag}}, http::verb::head);
  EXPECT_EQ(head304.result_int(), 304);
  EXPECT_EQ(c.Get("/api/v1/health").result_int(), 200);  // the connection is still in step

  // The records endpoint revalidates the same way.
  Res records = c.Get(target + "/records");
  ASSERT_EQ(records.result_int(), 200);
  Res records304 = c.GetWith(
      target + "/records", {{http::field::if_none_match, std::string(records[http::field::etag])}});
  EXPECT_EQ(records304.result_int(), 304);
}

TEST_F(HttpServerTest, GzipWhenAcceptedAndThePlainBodyOtherwise) {
  Client c(port());
  c.authorization = operator_;
  ASSERT_EQ(c.Send(http::verb::post, "/api/v1/batches?indicator=admin_penalty", TwoPenalties(),
                   "text/csv")
                .result_int(),
            201);
  c.authorization.clear();
  for (std::string target : {"/api/v1/subjects/91110000600037341L", "/api/v1/catalog", "/"}) {
    Res plain = c.Get(target);
    ASSERT_EQ(plain.result_int(), 200) << target;
    ASSERT_GT(plain.body().size(), kGzipMinBytes) << target;
    EXPECT_EQ(plain[http::field::content_encoding], "") << target;
    EXPECT_EQ(plain[http::field::vary], "Accept-Encoding") << target;

    Res gz = c.GetWith(target, {{http::field::accept_encoding, "gzip, deflate, br"}});
    ASSERT_EQ(gz.result_int(), 200) << target;
    EXPECT_EQ(gz[http::field::content_encoding], "gzip") << target;
    EXPECT_EQ(gz[http::field::vary], "Accept-Encoding") << target;
    EXPECT_EQ(gz[http::field::content_type], plain[http::field::content_type]) << target;
    EXPECT_LT(gz.body().size(), plain.body().size()) << target;
    std::string inflated;
    ASSERT_TRUE(GzipDecompress(gz.body(), &inflated)) << target;
    EXPECT_EQ(inflated, plain.body()) << target;
    EXPECT_NE(gz[http::field::etag], plain[http::field::etag]) << target;

    Res refused = c.GetWith(target, {{http::field::accept_encoding, "gzip;q=0, identity"}});
    EXPECT_EQ(refused[http::field::content_encoding], "") << target;
    EXPECT_EQ(refused.body(), plain.body()) << target;

    // HEAD reports what GET would send: the same encoding, length and tag.
    Res head = c.GetWith(target, {{http::field::accept_encoding, "gzip"}}, http::verb::head);
    EXPECT_EQ(head.result_int(), 200) << target;
    EXPECT_EQ(head[http::field::content_encoding], "gzip") << target;
    EXPECT_EQ(head[http::field::content_length], std::to_string(gz.body().size())) << target;
    EXPECT_EQ(head[http::field::etag], gz[http::field::etag]) << target;

    // The gzip representation revalidates with its own tag.
    Res gz304 =
        c.GetWith(target, {{http::field::accept_encoding, "gzip"},
                           {http::field::if_none_match, std::string(gz[http::field::etag])}});
    EXPECT_EQ(gz304.result_int(), 304) << target;
  }
  // Small answers are not worth compressing.
  Res health = c.GetWith("/api/v1/health", {{http::field::accept_encoding, "gzip"}});
  EXPECT_EQ(health[http::field::content_encoding], "");
  EXPECT_NO_THROW(json::parse(health.body()));
}

TEST_F(HttpServerTest, PathTraversalIsRefused) {
  for (std::string target :
       {"/../CMakeLists.txt", "/%2e%2e/CMakeLists.txt", "/%2E%2E%2FCMakeLists.txt",
        "/..%2f..%2fCMakeLists.txt", "/x/../../CMakeLists.txt", "/.%2e/CMakeLists.txt",
        "/..\\CMakeLists.txt", "/%2e%2e%5cCMakeLists.txt", "/.git/config", "//etc/passwd",
        "/%00index.html"}) {
    Client c(port());
    c.WriteRaw("GET " + target + " HTTP/1.1\r\nHost: x\r\n\r\n");
    Res r = c.Read();
    EXPECT_NE(r.result_int(), 200) << target;
    EXPECT_GE(r.result_int(), 400) << target;
    EXPECT_EQ(r.body().find("cmake_minimum_required"), std::string::npos) << target;
    EXPECT_EQ(r.body().find("root:"), std::string::npos) << target;
  }
}

TEST_F(HttpServerTest, ConcurrentClients) {
  std::vector<std::thread> threads;
  std::atomic<int> ok{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      Client c(port());
      for (int i = 0; i < 50; ++i) {
        if (c.Get("/api/v1/search?q=%E9%83%91%E5%B7%9E").result_int() == 200) ++ok;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok.load(), 200);
}

TEST_F(HttpServerTest, StopClosesIdleConnectionsAndReturnsPromptly) {
  Client idle(port());
  EXPECT_EQ(idle.Get("/api/v1/health").result_int(), 200);
  auto start = std::chrono::steady_clock::now();
  server_->Stop();
  thread_.join();
  auto took = std::chrono::steady_clock::now() - start;
  EXPECT_LT(took, std::chrono::milliseconds(2000));
  EXPECT_TRUE(idle.Closed());
  server_->Stop();  // idempotent
}

TEST(HttpServerCreateTest, BusyPortAndBadOptionsFail) {
  HttpServerOptions o;
  o.port = 0;
  o.handle_signals = false;
  auto handler = [](Request&&) { return Response{}; };
  auto a = HttpServer::Create(handler, o);
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  o.port = (*a)->port();
  auto b = HttpServer::Create(handler, o);
  ASSERT_FALSE(b.ok());
  EXPECT_EQ(b.status().code(), StatusCode::kUnavailable);
  o.port = 0;
  o.web_root = "/no/such/dir";
  EXPECT_EQ(HttpServer::Create(handler, o).status().code(), StatusCode::kInvalidArgument);
  o.web_root.clear();
  o.host = "not a host name";
  EXPECT_FALSE(HttpServer::Create(handler, o).ok());
  // Stop before Run: Run returns at once.
  (*a)->Stop();
  (*a)->Run();
}

TEST(HttpServerCreateTest, ConnectionsOverTheLimitGet503) {
  HttpServerOptions o;
  o.port = 0;
  o.threads = 1;
  o.max_connections = 1;
  o.handle_signals = false;
  auto s = HttpServer::Create([](Request&&) { return JsonResponse(200, json::object{}); }, o);
  ASSERT_TRUE(s.ok());
  std::thread t([&] { (*s)->Run(); });
  {
    Client first((*s)->port());
    EXPECT_EQ(first.Get("/api/x").result_int(), 200);
    Client second((*s)->port());
    Res r = second.Read();
    EXPECT_EQ(r.result_int(), 503);
    EXPECT_EQ(ErrorOf(r).at("code").as_string(), "unavailable");
    EXPECT_FALSE(r.keep_alive());
    EXPECT_TRUE(second.Closed());
    EXPECT_EQ(first.Get("/api/x").result_int(), 200);  // the admitted connection is unaffected
  }
  // Once the first connection is gone its place is free again. The server notices the close
  // asynchronously: retry (bounded) until a new connection is admitted.
  int status = 0;
  for (int attempt = 0; attempt < 200 && status != 200; ++attempt) {
    Client next((*s)->port());
    next.WriteRaw("GET /api/x HTTP/1.1\r\nHost: x\r\n\r\n");
    status = next.Read().result_int();
    if (status != 200) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_EQ(status, 200);
  (*s)->Stop();
  t.join();
}

TEST(HttpServerCreateTest, AGetThatRunsLongLeavesTheIoThreadFree) {
  HttpServerOptions o;
  o.port = 0;
  o.threads = 1;  // one I/O thread: a slow GET on it would hold every other connection
  o.handle_signals = false;
  o.runs_long = [](std::string_view target) { return target.starts_with("/api/slow"); };
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  std::atomic<bool> slow_started = false, let_go = false;
  auto let_slow_go = [&] {
    if (!let_go.exchange(true)) release.set_value();
  };
  // However the test ends (a failed read throws), the slow handler is let go before Stop.
  struct Finally {
    std::function<void()> f;
    ~Finally() { f(); }
  };
  auto s = HttpServer::Create(
      [&](Request&& r) {
        if (r.target.starts_with("/api/slow")) {
          slow_started = true;
          released.wait();
        }
        return JsonResponse(200, json::object{{"target", r.target}});
      },
      o);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  std::thread t([&] { (*s)->Run(); });
  Finally stop{[&] {
    let_slow_go();
    (*s)->Stop();
    t.join();
  }};
  {
    Client slow((*s)->port());
    slow.WriteRaw("GET /api/slow HTTP/1.1\r\nHost: x\r\n\r\n");
    for (int i = 0; i < 500 && !slow_started; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    ASSERT_TRUE(slow_started);
    // Answered while the slow request is still being handled. On the one I/O thread it would
    // wait for it: a watchdog lets the slow one go after 5 s, so that the test fails, not hangs.
    std::thread watchdog([&] {
      for (int i = 0; i < 500 && !let_go; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
      let_slow_go();
    });
    Client fast((*s)->port());
    EXPECT_EQ(fast.Get("/api/fast").result_int(), 200);
    EXPECT_FALSE(let_go) << "the fast GET was answered only once the slow one was let go";
    let_slow_go();
    watchdog.join();
    Res r = slow.Read();
    EXPECT_EQ(r.result_int(), 200);
    EXPECT_NE(r.body().find("/api/slow"), std::string::npos);
    // A long HEAD keeps the HEAD rules: the length of the body it would have, and no body —
    // the next answer on the connection follows the head at once.
    Client head((*s)->port());
    head.WriteRaw("HEAD /api/slow HTTP/1.1\r\nHost: x\r\n\r\n");
    Res h = head.Read(/*head=*/true);
    EXPECT_EQ(h.result_int(), 200);
    EXPECT_EQ(h[boost::beast::http::field::content_length], std::to_string(r.body().size()));
    Res next = head.Get("/api/fast");
    EXPECT_EQ(next.result_int(), 200);
    EXPECT_NE(next.body().find("/api/fast"), std::string::npos);
  }
}

TEST(HttpServerCreateTest, EveryXForwardedForHeaderReachesTheHandlerInOrder) {
  HttpServerOptions o;
  o.port = 0;
  o.threads = 1;
  o.handle_signals = false;
  auto s = HttpServer::Create(
      [](Request&& r) { return JsonResponse(200, json::object{{"xff", r.forwarded_for}}); }, o);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  std::thread t([&] { (*s)->Run(); });
  {
    Client c((*s)->port());
    // A proxy that appends its own header after the client's (HAProxy's option forwardfor).
    c.WriteRaw("GET /api/x HTTP/1.1\r\nHost: x\r\nX-Forwarded-For: 1.2.3.4\r\n"
               "X-Forwarded-For: 198.51.100.7\r\n\r\n");
    Res r = c.Read();
    EXPECT_EQ(json::parse(r.body()).at("xff").as_string(), "1.2.3.4, 198.51.100.7");
  }
  (*s)->Stop();
  t.join();
}

TEST(HttpServerRoutesTest, GovernanceAndMonitoringRunLong) {
  EXPECT_TRUE(RunsLong("/api/v1/governance?dept=x"));
  EXPECT_TRUE(RunsLong("/api/v1/governance.xlsx"));
  EXPECT_TRUE(RunsLong("/api/v1/monitoring"));
  // Every spelling the router takes for them.
  EXPECT_TRUE(RunsLong("/api/v1/governance/"));
  EXPECT_TRUE(RunsLong("/api/v1/%6Donitoring"));
  EXPECT_TRUE(RunsLong("/api/v1/governance%2Exlsx?dept=x"));
  EXPECT_FALSE(RunsLong("/api/v1/subjects/91410100MA44DWJQ4H"));
  EXPECT_FALSE(RunsLong("/api/v1/governance/x"));
}

// A server with a trivial handler and a short read timeout, run on its own thread, for the tests
// of the time limits.
class TimeoutServer {
 public:
  static constexpr std::chrono::milliseconds kReadTimeout{300};

  TimeoutServer() {
    HttpServerOptions o;
    o.port = 0;
    o.threads = 1;
    o.handle_signals = false;
    o.read_timeout = kReadTimeout;
    o.body_limit = 1u << 20;
    auto s = HttpServer::Create(
        [](Request&& r) { return JsonResponse(200, json::object{{"bytes", r.body.size()}}); }, o);
    EXPECT_TRUE(s.ok()) << s.status().ToString();
    if (!s.ok()) return;
    server_ = std::move(s).value();
    thread_ = std::thread([this] { server_->Run(); });
  }
  ~TimeoutServer() {
    if (server_) server_->Stop();
    if (thread_.joinable()) thread_.join();
  }
  uint16_t port() const { return server_->port(); }

 private:
  std::unique_ptr<HttpServer> server_;
  std::thread thread_;
};

// Sends `bytes` one byte every 50 ms, i.e. far slower than the read timeout allows for all of
// them, and reports how many went out before the server closed the connection (all of them when
// it never did). Each byte keeps the connection busy, so only a deadline for the whole request,
// not one per read, closes it.
size_t TrickleUntilClosed(test::RawConnection& c, std::string_view bytes) {
  for (size_t sent = 0; sent < bytes.size(); ++sent) {
    if (!c.Send(bytes.substr(sent, 1))) return sent;
    if (c.WaitForClose(50)) return sent + 1;
  }
  return bytes.size();
}

TEST(HttpServerTimeoutTest, UnfinishedHeaderIsClosedAfterTheReadTimeout) {
  TimeoutServer server;
  test::RawConnection c(server.port());
  ASSERT_TRUE(c.connected());
  ASSERT_TRUE(c.Send("GET /api/x HTTP/1.1\r\nHost: x\r\n"));  // no blank line: never complete
  std::string received;
  EXPECT_TRUE(c.WaitForClose(10'000, &received));
  EXPECT_EQ(received, "");  // closed without an answer

  // A fresh connection that sends nothing at all is closed the same way.
  test::RawConnection silent(server.port());
  ASSERT_TRUE(silent.connected());
  EXPECT_TRUE(silent.WaitForClose(10'000));
}

TEST(HttpServerTimeoutTest, UnfinishedBodyIsClosedAfterTheReadTimeout) {
  TimeoutServer server;
  test::RawConnection c(server.port());
  ASSERT_TRUE(c.connected());
  ASSERT_TRUE(c.Send("POST /api/x HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n0123456789"));
  std::string received;
  EXPECT_TRUE(c.WaitForClose(10'000, &received));
  EXPECT_EQ(received, "");
}

TEST(HttpServerTimeoutTest, IdleKeepAliveConnectionIsClosedAfterTheReadTimeout) {
  TimeoutServer server;
  Client c(server.port());
  Res r = c.Get("/api/x");
  EXPECT_EQ(r.result_int(), 200);
  EXPECT_TRUE(r.keep_alive());
  EXPECT_TRUE(c.Closed());  // blocks until the server gives up on the next request
}

TEST(HttpServerTimeoutTest, TricklingHeaderDoesNotExtendTheReadTimeout) {
  TimeoutServer server;
  test::RawConnection c(server.port());
  ASSERT_TRUE(c.connected());
  // 400 bytes at one per 50 ms would take 20 s; the header must be complete within 300 ms.
  const std::string header = "GET /api/x HTTP/1.1\r\nHost: x\r\nX-Pad: " + std::string(400, 'a');
  EXPECT_LT(TrickleUntilClosed(c, header), header.size());
}

TEST(HttpServerTimeoutTest, TricklingBodyDoesNotExtendTheReadTimeout) {
  TimeoutServer server;
  test::RawConnection c(server.port());
  ASSERT_TRUE(c.connected());
  ASSERT_TRUE(c.Send("POST /api/x HTTP/1.1\r\nHost: x\r\nContent-Length: 400\r\n\r\n"));
  const std::string body(400, 'b');
  EXPECT_LT(TrickleUntilClosed(c, body), body.size());
}

TEST(HttpServerTimeoutTest, RequestWithinTheReadTimeoutIsAnswered) {
  // The limit is on the whole request, not a cut-off for slow but reasonable clients: a request
  // sent in a few pieces with short pauses is answered.
  TimeoutServer server;
  test::RawConnection c(server.port());
  ASSERT_TRUE(c.connected());
  for (std::string_view piece :
       {"POST /api/x HTTP/1.1\r\n", "Host: x\r\nContent-Length: 5\r\n", "Connection: close\r\n\r\n",
        "he", "llo"}) {
    ASSERT_TRUE(c.Send(piece));
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  std::string received;
  EXPECT_TRUE(c.WaitForClose(10'000, &received));
  EXPECT_TRUE(received.starts_with("HTTP/1.1 200 OK\r\n")) << received;
  EXPECT_NE(received.find("{\"bytes\":5}"), std::string::npos) << received;
}

}  // namespace
}  // namespace xinyong::server
