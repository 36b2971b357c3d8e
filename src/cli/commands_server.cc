// The commands that go through the server module's handlers or start long-running work:
// `search` (the very handler behind GET /api/v1/search, so CLI and API rank identically),
// `serve` and `gen`.
#include <boost/json.hpp>
#include <boost/url/encode.hpp>
#include <boost/url/rfc/unreserved_chars.hpp>

#include <charconv>
#include <chrono>
#include <condition_variable>
#include <iostream>
#include <mutex>
#include <thread>

#include <spdlog/spdlog.h>

#include "cli/commands.h"
#include "exchange/pusher.h"
#include "gen/generator.h"
#include "server/http_server.h"
#include "server/platform.h"
#include "server/reports.h"
#include "server/router.h"
#include "server/static_files.h"

namespace xinyong::cli {

namespace json = boost::json;

namespace {

// The next midnight in Beijing (UTC+8, no daylight saving): when the day's work runs again.
std::chrono::system_clock::time_point NextBeijingMidnight() {
  using namespace std::chrono;
  const int64_t beijing = duration_cast<seconds>(system_clock::now().time_since_epoch()).count() +
                          8 * 3600;
  return system_clock::time_point(seconds((beijing / 86400 + 1) * 86400 - 8 * 3600));
}

}  // namespace

void RegisterSearch(CLI::App& app, GlobalOptions& g) {
  auto* cmd = app.add_subcommand("search", "find subjects by name or code, ranked");
  auto query = std::make_shared<std::string>();
  auto limit = std::make_shared<int>(20);
  auto page = std::make_shared<int>(1);
  auto type = std::make_shared<std::string>();
  cmd->add_option("query", *query, "name fragment (汉字 or pinyin) or code")->required();
  cmd->add_option("--limit", *limit, "at most this many results (1-100)")->default_val(20);
  cmd->add_option("--page", *page, "page of results, from 1")->default_val(1);
  cmd->add_option("--type", *type, "legal_person, individual_business or other_organization");
  cmd->callback([&g, query, limit, page, type] {
    auto p = OpenPlatform(g, /*read_only=*/true);
    if (!p) return;
    server::Request req;
    req.method = "GET";
    req.target = "/api/v1/search?q=" +
                 boost::urls::encode(*query, boost::urls::unreserved_chars) +
                 "&limit=" + std::to_string(*limit) + "&page=" + std::to_string(*page);
    if (!type->empty()) {
      req.target += "&type=" + boost::urls::encode(*type, boost::urls::unreserved_chars);
    }
    server::Response res = server::HandleRequest(*p, std::move(req));
    json::value v = json::parse(res.body);
    if (res.status != 200) {
      return Fail(g, std::string(v.at("error").at("message").as_string()));
    }
    if (g.json) {
      for (const auto& r : v.at("results").as_array()) std::cout << json::serialize(r) << '\n';
      return;
    }
    for (const auto& r : v.at("results").as_array()) {
      const auto& o = r.as_object();
      char score[32];
      std::snprintf(score, sizeof score, "%.2f", o.at("score").to_number<double>());
      std::cout << o.at("code").as_string().c_str() << '\t' << o.at("name").as_string().c_str()
                << '\t' << score << '\n';
    }
  });
}

void RegisterServe(CLI::App& app, GlobalOptions& g) {
  auto* cmd = app.add_subcommand("serve", "the HTTP server: API under /api/v1, portal under /");
  struct Args {
    std::string listen = "127.0.0.1:8080";
    std::string web;
    unsigned threads = 0;
    bool access_log = false;
    size_t body_limit_mib = 64;
    size_t cache_mib = 0;
    size_t profile_cache_mib = 1024;
    unsigned workers = 32;
    unsigned read_timeout_s = 30;
    size_t max_connections = 10'000;
    std::string push_to, push_token, source, region;  // exchange: a background pusher
    size_t push_batch = 5000;
    std::vector<std::string> trusted_proxies;  // besides loopback
    size_t public_reports_per_day = 50;
  };
  auto a = std::make_shared<Args>();
  cmd->add_option("--listen", a->listen, "HOST:PORT")->default_val("127.0.0.1:8080");
  cmd->add_option("--web", a->web, "portal files (default: $XINYONG_WEB, else the source tree's web/)");
  cmd->add_option("--threads", a->threads, "I/O threads (default: one per core)")
      ->check(CLI::Range(0u, 1024u));
  cmd->add_option("--body-limit-mib", a->body_limit_mib, "largest request body")->default_val(64);
  cmd->add_option("--workers", a->workers,
                  "threads for POST requests (ingestion, credit checks); a check waits for its "
                  "log to be synced, and concurrent checks share one sync")
      ->default_val(32)
      ->check(CLI::Range(1, 1024));
  cmd->add_option("--read-timeout-s", a->read_timeout_s,
                  "seconds for a request's header, again for its body, and for writing a "
                  "response; an idle keep-alive connection is closed after it too")
      ->default_val(30)
      ->check(CLI::Range(1, 3600));
  cmd->add_option("--max-connections", a->max_connections,
                  "open connections at most; further ones get 503 (keep it below the process's "
                  "open-file limit, ulimit -n)")
      ->default_val(10'000)
      ->check(CLI::Range(1, 1'000'000));
  cmd->add_flag("--access-log", a->access_log, "one line per request on stderr");
  cmd->add_option("--push-to", a->push_to,
                  "exchange: push the change feed to this upper-level instance (http://HOST:PORT) "
                  "while serving; needs --source and --region");
  cmd->add_option("--push-token", a->push_token,
                  "an operator token of the upper-level instance (default: $XINYONG_PUSH_TOKEN)");
  cmd->add_option("--push-batch", a->push_batch, "exchange: changes per pushed batch")
      ->default_val(5000)
      ->check(CLI::Range(1, 100000));
  cmd->add_option("--source", a->source, "exchange: this instance's id");
  cmd->add_option("--region", a->region, "exchange: this instance's 6-digit division code");
  cmd->add_option("--cache-mib", a->cache_mib,
                  "the store's block cache of uncompressed blocks (default 256)");
  cmd->add_option("--profile-cache-mib", a->profile_cache_mib,
                  "public subject profiles kept in memory and answered again until the data "
                  "they show changes; 0 turns the cache off")
      ->default_val(1024)
      ->check(CLI::Range(0, 1 << 20));
  cmd->add_option("--trusted-proxy", a->trusted_proxies,
                  "address of a reverse proxy in front of the server (repeatable; loopback is "
                  "always one): its requests count as from the address it names in "
                  "X-Forwarded-For");
  cmd->add_option("--public-reports-per-day", a->public_reports_per_day,
                  "new credit reports one address may have issued without a token in a day; "
                  "0: no limit")
      ->default_val(50);
  cmd->callback([&g, a] {
    server::HttpServerOptions o;
    auto colon = a->listen.rfind(':');
    if (colon == std::string::npos) return Fail(g, "--listen '" + a->listen + "' is not HOST:PORT");
    o.host = a->listen.substr(0, colon);
    // The whole rest must be the port: "127.0.0.1:80x" is no port 80.
    const std::string_view port_text = std::string_view(a->listen).substr(colon + 1);
    unsigned port = 0;
    const auto [end, ec] =
        std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
    if (port_text.empty() || ec != std::errc() || end != port_text.data() + port_text.size() ||
        port > 65535) {
      return Fail(g, "--listen '" + a->listen + "' has no valid port");
    }
    o.port = static_cast<uint16_t>(port);
    o.threads = a->threads;
    o.worker_threads = a->workers;
    o.access_log = a->access_log;
    o.body_limit = a->body_limit_mib << 20;
    o.read_timeout = std::chrono::seconds(a->read_timeout_s);
    o.max_connections = a->max_connections;
    o.web_root = a->web.empty() ? server::DefaultWebRoot() : a->web;
    g.cache_mib = a->cache_mib;
    g.profile_cache_mib = a->profile_cache_mib;
    for (const std::string& proxy : a->trusted_proxies) {
      if (server::CanonicalAddress(proxy).empty()) {
        return Fail(g, "--trusted-proxy '" + proxy + "' is not an IP address");
      }
      g.trusted_proxies.push_back(proxy);
    }
    g.public_reports_per_client_day = a->public_reports_per_day;
    if (!a->push_to.empty()) {
      if (!a->push_to.starts_with("http://")) {
        return Fail(g, "--push-to '" + a->push_to + "' is not an http:// URL");
      }
      if (!CheckExchangeIdentity(g, a->source, a->region)) return;
      if (a->push_token.empty()) {
        if (const char* t = std::getenv("XINYONG_PUSH_TOKEN")) a->push_token = t;
      }
    }
    auto p = OpenPlatform(g, /*read_only=*/false);
    if (!p) return;
    // The name index is built before the first request, not by it.
    if (auto names = p->names(); !names.ok()) return Fail(g, names.status().message());
    else std::cerr << "xinyong: name index of " << (*names)->Stats().subjects << " subjects built in "
                   << (*names)->Stats().build_seconds << " s\n";
    // So are the code directory (subject codes → subjects) and the credit checks' trigger index.
    if (auto codes = p->codes(); !codes.ok()) return Fail(g, codes.status().message());
    else std::cerr << "xinyong: code directory of " << (*codes)->Stats().codes << " codes built in "
                   << (*codes)->Stats().build_seconds << " s\n";
    const auto t0 = std::chrono::steady_clock::now();
    auto triggers = p->triggers();
    if (!triggers.ok()) return Fail(g, triggers.status().message());
    const rules::TriggerIndexStats ts = (*triggers)->Stats();
    std::cerr << "xinyong: trigger index of " << ts.subjects << " subjects (" << ts.facts
              << " facts, " << ts.bytes / 1024 << " KiB) built in "
              << std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count()
              << " s\n";
    auto s = server::HttpServer::Create(*p, o);
    if (!s.ok()) return Fail(g, s.status().message());
    std::cerr << "xinyong: serving http://" << (*s)->address() << " (data " << g.data_dir << ")\n";
    // Retention and grading run at start and then just after each midnight (Beijing time)
    // while the server runs.
    std::mutex mu;
    std::condition_variable stop_cv;
    bool stopping = false;
    std::thread daily([&] {
      std::unique_lock lock(mu);
      do {
        lock.unlock();
        // Once a day too: the calendar running out (GET /api/v1/health carries it as well).
        if (std::string w = p->calendar().CoverageWarning(Date::Today()); !w.empty()) {
          spdlog::warn("{}", w);
        }
        auto r = workflow::RunRetention(p->store(), p->catalog(), p->ingester(), p->audit(), {});
        if (r.ok()) {
          spdlog::info("retention: {}", RetentionSummary(*r));
        } else {
          spdlog::error("retention failed: {}", r.status().ToString());
        }
        // Grades move with time as well as with records: a list entry or a publicity period
        // that ends takes its score with it, and checks read the stored grade. Every
        // organization is graded again each day, unless a full grading ran today already.
        if (p->options().grade_on_ingest) {
          const Date today = Date::Today();
          auto last = p->store().LastGradingRun();
          if (last.ok() && (!last->has_value() || (*last)->as_of < today)) {
            auto graded = p->grader().RecomputeAll(today);
            if (graded.ok()) {
              spdlog::info("grading as of {}: {} organizations, {} changed, {:.1f} s",
                           today.ToString(), graded->subjects, graded->changed, graded->seconds);
            } else {
              spdlog::error("grading failed: {}", graded.status().ToString());
            }
          } else if (!last.ok()) {
            spdlog::error("grading skipped: {}", last.status().ToString());
          }
        }
        spdlog::info("day's work done (retention, grading)");
        lock.lock();
      } while (!stop_cv.wait_until(lock, NextBeijingMidnight() + std::chrono::minutes(1),
                                   [&] { return stopping; }));
    });
    // Exchange: the change feed goes to the upper level as it grows, until the server stops.
    std::unique_ptr<exchange::Sink> sink;
    std::unique_ptr<exchange::Pusher> pusher;
    std::thread pushing;
    if (!a->push_to.empty()) {
      sink = exchange::MakeHttpSink(a->push_to, a->push_token, a->source, a->region);
      exchange::PushOptions po;
      po.follow = true;
      po.batch = a->push_batch;
      pusher = std::make_unique<exchange::Pusher>(p->store(), p->vault(), *sink, po);
      pusher->on_failure = [&, wait_s = po.persist_wait.count() / 1000](const Status& failure) {
        spdlog::error("push to {} failed, trying again in {} s: {}", a->push_to, wait_s,
                      failure.ToString());
      };
      pushing = std::thread([&] {
        auto r = pusher->Run();
        if (!r.ok()) spdlog::error("push to {} stopped: {}", a->push_to, r.status().ToString());
      });
      std::cerr << "xinyong: pushing the change feed to " << a->push_to << " as " << a->source
                << " (" << a->region << ")\n";
    }
    (*s)->Run();
    if (pusher) {
      pusher->Stop();
      pushing.join();
    }
    {
      std::lock_guard lock(mu);
      stopping = true;
    }
    stop_cv.notify_all();
    daily.join();
  });
}

void RegisterGen(CLI::App& app, GlobalOptions& g) {
  auto* cmd = app.add_subcommand("gen", "synthetic source files for every catalog indicator");
  struct Args {
    std::string out, encoding = "utf-8", as_of;
    uint64_t subjects = 1000, seed = 1;
    double bad_share = 0.02;
    std::vector<std::string> indicators;
  };
  auto a = std::make_shared<Args>();
  cmd->add_option("--out", a->out, "output directory")->required();
  cmd->add_option("--subjects", a->subjects, "number of subjects")->required();
  cmd->add_option("--seed", a->seed, "random seed (same seed, same files)")->default_val(1);
  cmd->add_option("--encoding", a->encoding, "utf-8 or gbk")
      ->check(CLI::IsMember({"utf-8", "gbk"}))
      ->default_val("utf-8");
  cmd->add_option("--as-of", a->as_of, "the generated city's today, YYYY-MM-DD (default: today)");
  cmd->add_option("--bad-share", a->bad_share, "share of deliberately bad rows (0-0.5)")
      ->check(CLI::Range(0.0, 0.5))
      ->default_val(0.02);
  cmd->add_option("--indicators", a->indicators,
                  "write only these indicators' files, comma-separated codes (default: all)")
      ->delimiter(',');
  cmd->callback([&g, a] {
    std::string share = g.share_dir.empty() ? server::DefaultShareDir() : g.share_dir;
    auto catalog = catalog::Catalog::LoadDirectory(share + "/catalog");
    if (!catalog.ok()) return Fail(g, catalog.status().message());
    gen::GenOptions o;
    o.out_dir = a->out;
    o.subjects = a->subjects;
    o.seed = a->seed;
    o.gbk = a->encoding == "gbk";
    o.bad_row_share = a->bad_share;
    o.indicators = a->indicators;
    if (!a->as_of.empty()) {
      auto d = Date::Parse(a->as_of);
      if (!d.ok()) return Fail(g, "--as-of: " + d.status().message());
      o.as_of = *d;
    }
    auto r = gen::Generate(**catalog, o);
    if (!r.ok()) return Fail(g, r.status().message());
    for (const auto& [file, rows] : r->files) {
      if (g.json) {
        std::cout << json::serialize(json::object{{"file", file}, {"rows", rows}}) << '\n';
      } else {
        std::cout << file << '\t' << rows << '\n';
      }
    }
    if (!g.json) {
      std::cerr << "xinyong: " << r->total_rows << " rows in " << r->files.size() << " files, "
                << r->seconds << " s\n";
    }
  });
}

}  // namespace xinyong::cli
