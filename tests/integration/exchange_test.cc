// Exchange between two `xinyong serve` instances on loopback: a county ingests generated data,
// its `serve --push-to` sends its change feed to the city through a small proxy this test controls; the
// link is cut and restored, and the city is killed (SIGKILL) and restarted, both mid-transfer. At
// the end the city holds exactly the county's records — same count, same versions, nothing
// twice — and its batches carry the county's region.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "catalog/catalog.h"
#include "core/test_paths.h"
#include "ingest/ingester.h"
#include "storage/rocksdb/rocksdb_store.h"

namespace xinyong {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

constexpr const char* kRegion = "410102";

// Runs xinyong with `args`; stdout into *out when given. Returns the exit status.
int RunXinyong(const std::vector<std::string>& args, std::string* out = nullptr) {
  int pipefd[2];
  if (pipe(pipefd) != 0) return -1;
  pid_t pid = fork();
  if (pid == 0) {
    dup2(pipefd[1], 1);
    close(pipefd[0]);
    close(pipefd[1]);
    int devnull = open("/dev/null", O_WRONLY);
    dup2(devnull, 2);
    std::vector<char*> argv{const_cast<char*>("xinyong")};
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    execv(XINYONG_BIN, argv.data());
    _exit(127);
  }
  close(pipefd[1]);
  std::string text;
  char buf[4096];
  ssize_t n;
  while ((n = read(pipefd[0], buf, sizeof buf)) > 0) text.append(buf, static_cast<size_t>(n));
  close(pipefd[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  if (out) *out = text;
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

// Starts xinyong with `args`; its stderr goes to `log` when given.
pid_t Spawn(const std::vector<std::string>& args, const std::string& log = "") {
  pid_t pid = fork();
  if (pid == 0) {
    int devnull = open("/dev/null", O_WRONLY);
    dup2(devnull, 1);
    dup2(log.empty() ? devnull : open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600), 2);
    std::vector<char*> argv{const_cast<char*>("xinyong")};
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    execv(XINYONG_BIN, argv.data());
    _exit(127);
  }
  return pid;
}

int WaitExit(pid_t pid) {
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

uint16_t FreePort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  socklen_t len = sizeof a;
  getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  close(fd);
  return ntohs(a.sin_port);
}

int Connect(uint16_t port) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
    close(fd);
    return -1;
  }
  return fd;
}

// One HTTP/1.0-style request on a fresh connection; the body of the answer, "" on failure.
std::string HttpGet(uint16_t port, const std::string& target, const std::string& token) {
  int fd = Connect(port);
  if (fd < 0) return "";
  std::string req = "GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n" +
                    "Authorization: Bearer " + token + "\r\n\r\n";
  if (write(fd, req.data(), req.size()) != static_cast<ssize_t>(req.size())) {
    close(fd);
    return "";
  }
  std::string res;
  char buf[4096];
  ssize_t n;
  while ((n = read(fd, buf, sizeof buf)) > 0) res.append(buf, static_cast<size_t>(n));
  close(fd);
  const size_t body = res.find("\r\n\r\n");
  if (!res.starts_with("HTTP/1.1 200") || body == std::string::npos) return "";
  return res.substr(body + 4);
}

// A TCP proxy on its own thread. It counts exchange batches passing from the pusher to the city;
// at the batch numbers given it stops forwarding and waits for the test to act (kill the city,
// cut the link) before it lets the batch through.
class Proxy {
 public:
  Proxy(uint16_t listen_port, uint16_t target_port, std::set<int> hold_at)
      : target_(target_port), hold_at_(std::move(hold_at)) {
    listen_fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    int one = 1;
    setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(listen_port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bind(listen_fd_, reinterpret_cast<sockaddr*>(&a), sizeof a);
    listen(listen_fd_, 16);
    thread_ = std::thread([this] { Loop(); });
  }
  ~Proxy() {
    stop_ = true;
    Release(false);
    thread_.join();
    for (auto& [c, s] : pairs_) {
      close(c);
      close(s);
    }
    close(listen_fd_);
  }
  // Waits until the proxy holds batch `n`; false after 20 s.
  bool WaitHeld(int n) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, 20s, [&] { return held_ == n; });
  }
  // Lets the held batch go on; with `cut`, drops every connection instead (the batch is lost)
  // and refuses connections for `refuse` first.
  void Release(bool cut, std::chrono::milliseconds refuse = 0ms) {
    std::lock_guard lock(mu_);
    cut_ = cut;
    refuse_ = refuse;
    held_ = -1;
    released_ = true;
    cv_.notify_all();
  }
  int batches() const { return batches_.load(); }

 private:
  void Loop() {
    std::vector<char> buf(1 << 16);
    auto refuse_until = std::chrono::steady_clock::now();
    while (!stop_) {
      std::vector<pollfd> fds{{listen_fd_, POLLIN, 0}};
      for (auto& [c, s] : pairs_) {
        fds.push_back({c, POLLIN, 0});
        fds.push_back({s, POLLIN, 0});
      }
      if (poll(fds.data(), fds.size(), 50) <= 0) continue;
      if (fds[0].revents & POLLIN) {
        int c = accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
        if (c >= 0) {
          int s = std::chrono::steady_clock::now() < refuse_until ? -1 : Connect(target_);
          if (s < 0) {
            close(c);
          } else {
            pairs_.push_back({c, s});
            tails_[c].clear();
          }
        }
      }
      bool drop_all = false;
      for (size_t i = 0; i < pairs_.size() && !drop_all; ++i) {
        auto& [c, s] = pairs_[i];
        bool closed = false;
        for (int dir = 0; dir < 2 && !closed; ++dir) {
          const pollfd& p = fds[1 + 2 * i + dir];
          if (!(p.revents & (POLLIN | POLLHUP | POLLERR))) continue;
          const int from = dir == 0 ? c : s, to = dir == 0 ? s : c;
          ssize_t n = read(from, buf.data(), buf.size());
          if (n <= 0) {
            closed = true;
            break;
          }
          // A request line may start anywhere in a read of a kept-alive connection, or be cut
          // in two by one: the end of the previous read is searched with it.
          std::string& tail = tails_[c];
          const std::string seen = tail + std::string(buf.data(), static_cast<size_t>(n));
          static constexpr std::string_view kPost = "POST /api/v1/exchange/changes";
          const bool request = dir == 0 && seen.find(kPost) != std::string::npos;
          if (dir == 0) tail = seen.substr(seen.size() > kPost.size() ? seen.size() - kPost.size() + 1 : 0);
          if (request) {
            const int k = ++batches_;
            if (hold_at_.count(k)) {
              std::unique_lock lock(mu_);
              held_ = k;
              released_ = false;
              cv_.notify_all();
              cv_.wait(lock, [&] { return released_; });
              if (cut_) {
                drop_all = true;
                refuse_until = std::chrono::steady_clock::now() + refuse_;
                break;
              }
            }
          }
          if (!WriteAll(to, buf.data(), static_cast<size_t>(n))) closed = true;
        }
        if (closed) {
          close(c);
          close(s);
          pairs_.erase(pairs_.begin() + static_cast<std::ptrdiff_t>(i));
          break;  // the poll results no longer line up; poll again
        }
      }
      if (drop_all) {
        for (auto& [c, s] : pairs_) {
          close(c);
          close(s);
        }
        pairs_.clear();
      }
    }
  }
  static bool WriteAll(int fd, const char* p, size_t n) {
    while (n > 0) {
      ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
      if (w <= 0) return false;
      p += w;
      n -= static_cast<size_t>(w);
    }
    return true;
  }

  uint16_t target_;
  std::set<int> hold_at_;
  int listen_fd_ = -1;
  std::thread thread_;
  std::atomic<bool> stop_{false};
  std::atomic<int> batches_{0};
  std::vector<std::pair<int, int>> pairs_;
  std::map<int, std::string> tails_;  // per client socket: the last bytes it sent
  std::mutex mu_;
  std::condition_variable cv_;
  int held_ = -1;
  bool released_ = true, cut_ = false;
  std::chrono::milliseconds refuse_{0};
};

// Every current record: indicator, natural key, subject name and code, values → version, status.
using Content = std::map<std::string, std::pair<uint32_t, RecordStatus>>;

Content Dump(const fs::path& data, const catalog::Catalog& catalog, std::set<std::string>* depts) {
  storage::RocksDbOptions o;
  o.read_only = true;
  auto store = storage::RocksDbStore::Open(data.string(), o);
  EXPECT_TRUE(store.ok()) << store.status().ToString();
  Content out;
  if (!store.ok()) return out;
  for (const catalog::Indicator& ind : catalog.indicators()) {
    std::set<std::pair<uint64_t, uint64_t>> seen;
    EXPECT_TRUE((*store)->ScanIndicator(ind.code, [&](uint64_t s, uint64_t r, Date) -> Result<bool> {
      if (!seen.insert({s, r}).second) return true;
      std::vector<Record> v;
      XY_RETURN_IF_ERROR((*store)->ListRecordVersions(s, r, &v));
      XY_ASSIGN_OR_RETURN(auto subject, (*store)->GetSubject(s));
      std::string key = ind.code + "|" + ingest::NaturalKeyOf(ind, v.back()) + "|" +
                        (subject ? subject->name + "|" + subject->uscc : "");
      for (const auto& [code, value] : v.back().values) key += "|" + std::string(value);
      EXPECT_TRUE(out.emplace(key, std::pair{v.back().version, v.back().status}).second)
          << data << ": twice: " << key;
      return true;
    }).ok());
  }
  if (depts) {
    std::vector<storage::BatchSummary> batches;
    EXPECT_TRUE((*store)->ListBatches(100000, "", &batches).ok());
    for (const auto& b : batches) depts->insert(b.dept);
  }
  return out;
}

// Kills (SIGKILL) the server processes still running when a test ends, whichever way it ends.
struct Children {
  std::vector<pid_t*> pids;
  ~Children() {
    for (pid_t* p : pids) {
      if (*p > 0 && kill(*p, SIGKILL) == 0) waitpid(*p, nullptr, 0);
    }
  }
};

TEST(ExchangeIntegrationTest, CountyReachesCityExactlyOnceThroughACutLinkAndACityRestart) {
  const fs::path dir = fs::temp_directory_path() / ("xinyong-exchange-it-" + std::to_string(getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  const std::string county = (dir / "county").string(), city = (dir / "city").string();
  // The share directory as `xinyong` itself defaults to it: $XINYONG_SHARE, else data/.
  const char* share_env = std::getenv("XINYONG_SHARE");
  const std::string share = share_env != nullptr ? share_env : test::SourceDir() + "/data";

  ASSERT_EQ(RunXinyong({"gen", "--out", (dir / "gen").string(), "--subjects", "300", "--seed", "5"}), 0);
  std::vector<std::string> ingest{"--data", county, "--share", share, "ingest", "--no-grade"};
  for (const auto& e : fs::directory_iterator(dir / "gen")) ingest.push_back(e.path().string());
  ASSERT_EQ(RunXinyong(ingest), 0);
  std::string token;
  // The city issues the county a lower_platform token: it pushes as county-a of kRegion only.
  ASSERT_EQ(RunXinyong({"--data", city, "--share", share, "token", "create", "--role",
                        "lower_platform", "--name", "county", "--source", "county-a", "--region",
                        kRegion},
                       &token),
            0);
  while (!token.empty() && (token.back() == '\n' || token.back() == '\r')) token.pop_back();
  ASSERT_FALSE(token.empty());

  std::string county_token;
  ASSERT_EQ(RunXinyong({"--data", county, "--share", share, "token", "create", "--role",
                        "operator", "--name", "test"},
                       &county_token),
            0);
  while (!county_token.empty() && county_token.back() == '\n') county_token.pop_back();

  const uint16_t city_port = FreePort(), county_port = FreePort(), proxy_port = FreePort();
  auto start_city = [&] {
    return Spawn({"--data", city, "--share", share, "serve", "--listen",
                  "127.0.0.1:" + std::to_string(city_port)});
  };
  auto wait_up = [&](uint16_t port) {
    for (int i = 0; i < 400; ++i) {
      if (!HttpGet(port, "/api/v1/exchange/cursor?source=county-a", token).empty()) return true;
      std::this_thread::sleep_for(25ms);
    }
    return false;
  };
  // A number after `"key":` in a JSON text; -1 when absent.
  auto number = [](const std::string& text, const std::string& key) -> int64_t {
    const size_t at = text.find("\"" + key + "\":");
    if (at == std::string::npos) return -1;
    return std::strtoll(text.c_str() + at + key.size() + 3, nullptr, 10);
  };
  pid_t city_pid = start_city(), county_pid = -1;
  Children children{{&city_pid, &county_pid}};
  ASSERT_TRUE(wait_up(city_port));

  {
    // Batches 4 and 9 are held: at 4 the link is cut (the batch is lost) and comes back after
    // 300 ms; at 9 the city is killed and restarted while the batch waits, then it goes on to
    // the new city process.
    Proxy proxy(proxy_port, city_port, {4, 9});
    // The county serves and pushes its change feed as it goes (serve --push-to).
    county_pid = Spawn({"--data", county, "--share", share, "serve", "--listen",
                              "127.0.0.1:" + std::to_string(county_port), "--push-to",
                              "http://127.0.0.1:" + std::to_string(proxy_port), "--push-token",
                              token, "--source", "county-a", "--region", kRegion,
                              "--push-batch", "250"},
                             (dir / "county.log").string());
    auto log = [&] {
      std::ifstream in(dir / "county.log");
      return std::string(std::istreambuf_iterator<char>(in), {});
    };
    ASSERT_TRUE(proxy.WaitHeld(4)) << "batches " << proxy.batches() << "; county: " << log();
    proxy.Release(/*cut=*/true, 300ms);
    ASSERT_TRUE(proxy.WaitHeld(9)) << log();
    kill(city_pid, SIGKILL);
    WaitExit(city_pid);
    city_pid = -1;
    city_pid = start_city();
    ASSERT_TRUE(wait_up(city_port));
    proxy.Release(/*cut=*/false);
    // Until the city holds the county's last change.
    const int64_t last =
        number(HttpGet(county_port, "/api/v1/exchange/feed?from=1&limit=1", county_token), "last");
    ASSERT_GT(last, 2000) << log();
    int64_t cursor = -1;
    for (int i = 0; i < 600 && cursor != last; ++i) {
      std::this_thread::sleep_for(50ms);
      cursor = number(HttpGet(city_port, "/api/v1/exchange/cursor?source=county-a", token), "cursor");
    }
    EXPECT_EQ(cursor, last) << log();
    EXPECT_GT(proxy.batches(), 10);
    kill(county_pid, SIGTERM);
    EXPECT_EQ(WaitExit(county_pid), 0) << log();
    county_pid = -1;
  }
  kill(city_pid, SIGTERM);
  WaitExit(city_pid);
  city_pid = -1;

  auto cat = catalog::Catalog::LoadDirectory(share + "/catalog");
  ASSERT_TRUE(cat.ok());
  std::set<std::string> city_depts;
  const Content from = Dump(county, **cat, nullptr);
  const Content to = Dump(city, **cat, &city_depts);
  EXPECT_GT(from.size(), 2000u);
  EXPECT_EQ(to.size(), from.size());
  size_t corrected = 0;
  for (const auto& [key, value] : from) {
    auto it = to.find(key);
    if (it == to.end()) {
      ADD_FAILURE() << "missing at the city: " << key;
      continue;
    }
    EXPECT_EQ(it->second, value) << key;
    corrected += value.first > 1;
  }
  EXPECT_GT(corrected, 0u) << "the generated data has corrections";
  EXPECT_EQ(city_depts, std::set<std::string>{kRegion});
  fs::remove_all(dir);
}

}  // namespace
}  // namespace xinyong
