// `xinyong push`: exchange between platform levels — this instance's change feed sent to an
// upper-level instance (--to URL) or written as files in the standard field formats (--to-dir).
#include <boost/json.hpp>

#include <atomic>
#include <chrono>
#include <csignal>
#include <thread>
#include <cstdlib>
#include <iostream>

#include "cli/commands.h"
#include "exchange/pusher.h"
#include "exchange/receiver.h"

namespace xinyong::cli {

namespace {

std::atomic<exchange::Pusher*> g_pusher{nullptr};  // stopped by SIGINT / SIGTERM
std::atomic<bool> g_stop{false};

void StopPusher(int) {
  g_stop.store(true);
  if (exchange::Pusher* p = g_pusher.load()) p->Stop();
}

boost::json::object PushReportJson(const exchange::PushReport& r) {
  return {{"from", r.from},       {"cursor", r.cursor},   {"sent", r.sent},
          {"resent", r.resent},   {"batches", r.batches}, {"retries", r.retries},
          {"seconds", r.seconds}};
}

}  // namespace

// Checks the source id and region of exchange options; false (and Fail) when one is wrong.
bool CheckExchangeIdentity(GlobalOptions& g, const std::string& source, const std::string& region) {
  if (!exchange::ValidSourceId(source)) {
    Fail(g, "--source '" + source + "' is not a valid instance id (1-64 of A-Z a-z 0-9 . _ -)");
    return false;
  }
  if (!exchange::ValidRegion(region)) {
    Fail(g, "--region '" + region + "' is not a 6-digit administrative division code");
    return false;
  }
  return true;
}

void RegisterPush(CLI::App& app, GlobalOptions& g) {
  auto* cmd = app.add_subcommand(
      "push", "send this instance's change feed to an upper-level instance or a file drop");
  struct Args {
    std::string to, to_dir, token, source, region;
    bool once = false, follow = false;
    size_t batch = 5000;
    unsigned backoff_cap_s = 30;
  };
  auto a = std::make_shared<Args>();
  auto* to = cmd->add_option("--to", a->to, "the upper-level instance, http://HOST:PORT");
  auto* dir = cmd->add_option("--to-dir", a->to_dir, "a directory for the files of a file drop");
  to->excludes(dir);
  cmd->add_option("--token", a->token,
                  "an operator token of the upper-level instance (default: $XINYONG_PUSH_TOKEN)");
  cmd->add_option("--source", a->source, "this instance's id, as the upper level knows it")
      ->required();
  cmd->add_option("--region", a->region, "this instance's 6-digit administrative division code")
      ->required();
  auto* once = cmd->add_flag("--once", a->once, "send what there is, then stop (the default)");
  auto* follow = cmd->add_flag("--follow", a->follow,
                               "keep sending new changes until interrupted (SIGINT/SIGTERM)");
  once->excludes(follow);
  cmd->add_option("--batch", a->batch, "changes per batch")->default_val(5000)->check(CLI::Range(1, 100000));
  cmd->add_option("--backoff-cap-s", a->backoff_cap_s, "longest wait between retries")
      ->default_val(30)
      ->check(CLI::Range(1, 3600));
  cmd->callback([&g, a] {
    if (a->to.empty() && a->to_dir.empty()) return Fail(g, "push needs --to URL or --to-dir DIR");
    if (!CheckExchangeIdentity(g, a->source, a->region)) return;
    if (!a->to.empty() && !a->to.starts_with("http://")) {
      return Fail(g, "--to '" + a->to + "' is not an http:// URL");
    }
    std::string token = a->token;
    if (token.empty()) {
      if (const char* t = std::getenv("XINYONG_PUSH_TOKEN")) token = t;
    }
    // Read-only: a read-only open sees what was committed when it opened, so --follow opens
    // again each time it caught up. Beside a running `serve` (whose compactions may remove files
    // under a read-only open) `serve --push-to` is the way to push.
    g_stop.store(false);
    std::signal(SIGINT, StopPusher);
    std::signal(SIGTERM, StopPusher);
    exchange::PushReport total;
    bool have_first = false;
    std::string where;
    while (true) {
      auto p = OpenPlatform(g, /*read_only=*/true);
      if (!p) return;
      std::unique_ptr<exchange::Sink> sink =
          a->to.empty() ? exchange::MakeDirSink(a->to_dir, a->source, p->catalog())
                        : exchange::MakeHttpSink(a->to, token, a->source, a->region);
      where = sink->Describe();
      exchange::PushOptions o;
      o.batch = a->batch;
      o.backoff_cap = std::chrono::seconds(a->backoff_cap_s);
      exchange::Pusher pusher(p->store(), p->vault(), *sink, o);
      g_pusher.store(&pusher);
      if (g_stop.load()) pusher.Stop();
      auto r = pusher.Run();
      g_pusher.store(nullptr);
      if (!r.ok()) return Fail(g, r.status().WithContext("pushing to " + where));
      if (!have_first) {
        total.from = r->from;
        have_first = true;
      }
      total.cursor = r->cursor;
      total.sent += r->sent;
      total.resent += r->resent;
      total.batches += r->batches;
      total.retries += r->retries;
      total.seconds += r->seconds;
      if (!a->follow || g_stop.load()) break;
      for (int i = 0; i < 20 && !g_stop.load(); ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
      }
      if (g_stop.load()) break;
    }
    const exchange::PushReport* r = &total;
    if (g.json) {
      std::cout << boost::json::serialize(PushReportJson(*r)) << '\n';
    } else {
      std::cout << "pushed " << r->sent << " changes in " << r->batches << " batches to "
                << where << " (from " << r->from << " to " << r->cursor << ", "
                << r->retries << " retries, " << r->resent << " sent again, " << r->seconds
                << " s)\n";
    }
  });
}

}  // namespace xinyong::cli
