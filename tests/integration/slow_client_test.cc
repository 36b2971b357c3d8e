// A slow-client attack (slowloris) on the HTTP server over loopback: hundreds of connections send
// the start of a request and then one more header byte now and then, never finishing, to hold on
// to the server's connections. Meanwhile ordinary clients must still be answered; once the read
// timeout has passed, the server must have closed every slow connection, and it must still serve.
#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include "raw_connection.h"
#include "server/http_server.h"

namespace xinyong::server {
namespace {

namespace json = boost::json;
using test::RawConnection;

constexpr int kSlowClients = 300;
// Short, so that the test is: a real server keeps the default of 30 s.
constexpr std::chrono::milliseconds kReadTimeout{800};

// One complete GET on a fresh connection; true when it was answered 200.
bool GetHealth(uint16_t port) {
  RawConnection c(port);
  if (!c.connected()) return false;
  if (!c.Send("GET /api/v1/health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")) return false;
  std::string received;
  if (!c.WaitForClose(10'000, &received)) return false;
  return received.starts_with("HTTP/1.1 200 OK\r\n") &&
         received.find("\"status\":\"ok\"") != std::string::npos;
}

TEST(SlowClientTest, SlowlorisConnectionsAreClosedAndOthersAreServed) {
  HttpServerOptions o;
  o.port = 0;
  o.threads = 2;
  o.handle_signals = false;
  o.read_timeout = kReadTimeout;
  auto s = HttpServer::Create(
      [](Request&&) { return JsonResponse(200, json::object{{"status", "ok"}}); }, o);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  std::unique_ptr<HttpServer> server = std::move(s).value();
  std::thread run([&] { server->Run(); });
  const uint16_t port = server->port();

  // The attack: every connection sends a request line and part of a header.
  std::vector<std::unique_ptr<RawConnection>> slow;
  for (int i = 0; i < kSlowClients; ++i) {
    auto c = std::make_unique<RawConnection>(port);
    ASSERT_TRUE(c->connected()) << "connection " << i;
    ASSERT_TRUE(c->Send("GET /api/v1/health HTTP/1.1\r\nHost: x\r\nX-Slow: "));
    slow.push_back(std::move(c));
  }

  // Ordinary clients while the attack goes on: each request must be answered.
  std::atomic<bool> attacking{true};
  std::atomic<int> answered{0}, failed{0};
  std::thread normal([&] {
    while (attacking.load()) {
      (GetHealth(port) ? answered : failed).fetch_add(1);
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  });

  // Keep trickling one byte on every open slow connection until the server has closed them all,
  // or for at most 40 read timeouts (a server that resets its timeout per byte never closes them).
  std::vector<bool> closed(slow.size(), false);
  int open = kSlowClients;
  const auto give_up = std::chrono::steady_clock::now() + 40 * kReadTimeout;
  while (open > 0 && std::chrono::steady_clock::now() < give_up) {
    for (size_t i = 0; i < slow.size(); ++i) {
      if (closed[i]) continue;
      if (!slow[i]->Send("a") || slow[i]->ClosedByServer()) {
        closed[i] = true;
        --open;
      }
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  attacking = false;
  normal.join();

  EXPECT_EQ(open, 0) << "slow connections the server did not close";
  EXPECT_GT(answered.load(), 0);
  EXPECT_EQ(failed.load(), 0) << "requests of ordinary clients not answered during the attack";
  // The server is none the worse for it.
  for (int i = 0; i < 5; ++i) EXPECT_TRUE(GetHealth(port));

  server->Stop();
  run.join();
}

}  // namespace
}  // namespace xinyong::server
