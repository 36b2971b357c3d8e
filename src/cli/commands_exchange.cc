// `xinyong push`: exchange between platform levels — this instance's change feed sent to an
// upper-level instance (--to URL) or written as files in a file drop (--to-dir: the standard
// field formats, or the feed itself with --format feed). `xinyong receive`: the upper level
// applies a drop of the feed.
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
    std::string to, to_dir, token, source, region, format = "csv";
    bool once = false, follow = false;
    size_t batch = 5000;
    unsigned backoff_cap_s = 30;
  };
  auto a = std::make_shared<Args>();
  auto* to = cmd->add_option("--to", a->to, "the upper-level instance, http://HOST:PORT");
  auto* dir = cmd->add_option("--to-dir", a->to_dir, "a directory for the files of a file drop");
  to->excludes(dir);
  cmd->add_option("--format", a->format,
                  "with --to-dir: csv (the standard field formats, for any system) or feed (the "
                  "change feed itself, for `xinyong receive` at an upper level)")
      ->default_val("csv")
      ->check(CLI::IsMember({"csv", "feed"}));
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
    if (a->to.empty() && a->to_dir.empty()) {
      return UsageFail(g, "push needs --to URL or --to-dir DIR");
    }
    if (!CheckExchangeIdentity(g, a->source, a->region)) return;
    if (!a->to.empty() && a->format != "csv") return UsageFail(g, "--format is for --to-dir");
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
          a->to.empty() ? exchange::MakeDirSink(a->to_dir, a->source, p->catalog(),
                                                a->format == "feed" ? exchange::DropFormat::kFeed
                                                                    : exchange::DropFormat::kCsv)
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

void RegisterReceive(CLI::App& app, GlobalOptions& g) {
  auto* cmd = app.add_subcommand(
      "receive", "apply a lower-level instance's change feed from a file drop (push --format feed)");
  struct Args {
    std::string dir, source, region;
  };
  auto a = std::make_shared<Args>();
  cmd->add_option("--from-dir", a->dir, "the file drop's directory")->required();
  cmd->add_option("--source", a->source, "the lower-level instance's id, as it pushed")->required();
  cmd->add_option("--region", a->region, "its 6-digit administrative division code")->required();
  cmd->callback([&g, a] {
    if (!CheckExchangeIdentity(g, a->source, a->region)) return;
    auto p = OpenPlatform(g);  // audits the command
    if (!p) return;
    auto r = exchange::ApplyDrop(p->exchange(), a->dir, a->source, a->region);
    if (!r.ok()) return Fail(g, r.status().WithContext("receiving from " + a->dir));
    const exchange::ApplyReport& t = r->totals;
    if (g.json) {
      std::cout << boost::json::serialize(boost::json::object{
                       {"source", t.source},
                       {"region", t.region},
                       {"files", r->files},
                       {"files_skipped", r->files_skipped},
                       {"lines", t.lines},
                       {"skipped", t.skipped},
                       {"accepted", t.accepted},
                       {"rejected", t.rejected},
                       {"duplicates", t.duplicates},
                       {"corrected", t.corrected},
                       {"status_changes", t.status_changes},
                       {"unmatched", t.unmatched},
                       {"erasures", t.erasures},
                       {"derived", t.derived},
                       {"batches", t.batches.size()},
                       {"cursor", t.cursor}})
                << '\n';
    } else {
      std::cout << "received " << t.lines - t.skipped << " changes of " << t.source << " from "
                << r->files << " files of " << a->dir << " (" << r->files_skipped
                << " files applied before; cursor " << t.cursor << "): " << t.accepted
                << " accepted, " << t.rejected << " rejected, " << t.duplicates
                << " duplicates, " << t.corrected << " corrected, " << t.status_changes
                << " status changes (" << t.unmatched << " unmatched), " << t.derived
                << " derived, " << t.erasures << " erasures, " << t.batches.size()
                << " batches\n";
    }
  });
}

}  // namespace xinyong::cli
