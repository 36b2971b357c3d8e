// `xinyong audit`: the hash-chained audit log (security/audit.h). `verify` walks the whole chain
// and the recorded head — exit status 1 and the first broken entry when anything was altered,
// inserted or removed — and prints the head, which an operator may record elsewhere to detect a
// rewrite of the whole log. `log` lists the entries about one subject (its query log, 查询使用登记),
// newest first. Both only read the store, so they run beside `xinyong serve`.
// `xinyong retention` erases natural persons' negative records whose retention period is over
// (workflow/retention.h); `serve` runs the same once a day.
#include <boost/json.hpp>

#include <iostream>

#include "cli/commands.h"
#include "security/audit.h"
#include "workflow/retention.h"

namespace xinyong::cli {

namespace json = boost::json;

void RegisterAudit(CLI::App& app, GlobalOptions& g) {
  auto* cmd = app.add_subcommand("audit", "the audit log: verify its hash chain, list entries");
  cmd->require_subcommand(1);

  auto* verify = cmd->add_subcommand(
      "verify", "check that no entry of the audit log was altered, inserted or removed");
  verify->callback([&g] {
    auto p = OpenPlatform(g, /*read_only=*/true);
    if (!p) return;
    auto v = security::VerifyAudit(p->store());
    if (!v.ok()) return Fail(g, v.status());
    if (g.json) {
      json::object o{{"intact", v->intact}, {"entries", v->entries},
                     {"head", json::object{{"seq", v->head_seq}, {"hash", v->head_hash_hex}}}};
      if (!v->intact) {
        o["bad_seq"] = v->bad_seq;
        o["problem"] = v->problem;
      }
      std::cout << json::serialize(o) << "\n";
    } else if (v->intact) {
      std::cout << "audit log intact: " << v->entries << " entries; head " << v->head_seq << " "
                << (v->head_hash_hex.empty() ? "(empty log)" : v->head_hash_hex) << "\n";
    } else {
      std::cout << "audit log BROKEN after reading " << v->entries << " entries: " << v->problem
                << "\n";
    }
    if (!v->intact) g.exit_code = 1;
  });

  auto* log = cmd->add_subcommand("log", "the audit entries about one subject, newest first");
  auto code = std::make_shared<std::string>();
  auto limit = std::make_shared<size_t>(50);
  log->add_option("--subject", *code, "the subject's code")->required();
  log->add_option("--limit", *limit, "at most this many entries")->check(CLI::Range(1, 10000));
  log->callback([&g, code, limit] {
    auto p = OpenPlatform(g, /*read_only=*/true);
    if (!p) return;
    auto id = p->FindSubjectIdByCode(*code);
    if (!id.ok()) return Fail(g, id.status());
    auto entries = security::SubjectAuditEntries(p->store(), *id, *limit);
    if (!entries.ok()) return Fail(g, entries.status());
    for (const security::AuditEntry& e : *entries) {
      if (g.json) {
        std::cout << json::serialize(json::object{{"seq", e.seq},
                                                  {"unix_ms", e.unix_ms},
                                                  {"actor", e.actor},
                                                  {"action", e.action},
                                                  {"target", e.target},
                                                  {"purpose", e.purpose},
                                                  {"outcome", e.outcome}})
                  << "\n";
      } else {
        std::cout << e.seq << "  " << e.unix_ms << "  " << e.actor << "  " << e.action << "  "
                  << e.target << "  " << (e.purpose.empty() ? "-" : e.purpose) << "  "
                  << e.outcome << "\n";
      }
    }
  });
}

std::string RetentionSummary(const workflow::RetentionReport& r) {
  std::string out = std::string(r.dry_run ? "would erase " : "erased ") +
                    std::to_string(r.records_erased) + " records";
  if (!r.dry_run) {
    out += " and " + std::to_string(r.persons_erased) + " persons left without records";
  }
  out += " (retention as of " + r.as_of.ToString() + ", " + std::to_string(r.persons_scanned) +
         " persons scanned)";
  for (const auto& [indicator, n] : r.by_indicator) {
    out += "; " + indicator + " " + std::to_string(n);
  }
  return out;
}

void RegisterRetention(CLI::App& app, GlobalOptions& g) {
  auto* cmd = app.add_subcommand(
      "retention",
      "erase natural persons' negative records whose retention period (5 years after the "
      "behaviour ended) is over, and persons left without records; logged in the audit log");
  auto dry_run = std::make_shared<bool>(false);
  auto date = std::make_shared<std::string>();
  cmd->add_flag("--dry-run", *dry_run, "report what is due, erase nothing");
  cmd->add_option("--date", *date, "as of this day, YYYY-MM-DD (default: today)");
  cmd->callback([&g, dry_run, date] {
    workflow::RetentionOptions o;
    o.dry_run = *dry_run;
    if (!date->empty()) {
      auto d = Date::Parse(*date);
      if (!d.ok()) return Fail(g, "--date '" + *date + "' is not a date (YYYY-MM-DD)");
      // Erasure is for good: a day still to come would erase what is not yet due.
      if (!*dry_run && *d > Date::Today()) {
        return Fail(g, "--date " + d->ToString() + " is after today (" +
                           Date::Today().ToString() + "); only --dry-run looks ahead");
      }
      o.today = *d;
    }
    auto p = OpenPlatform(g, /*read_only=*/*dry_run);
    if (!p) return;
    auto r = workflow::RunRetention(p->store(), p->catalog(), p->ingester(), p->audit(), o);
    if (!r.ok()) return Fail(g, r.status());
    if (g.json) {
      json::object o{{"as_of", r->as_of.ToString()},
                     {"dry_run", r->dry_run},
                     {"persons_scanned", r->persons_scanned},
                     {"records_erased", r->records_erased},
                     {"versions_expired", r->versions_expired},
                     {"persons_erased", r->persons_erased}};
      json::object by;
      for (const auto& [indicator, n] : r->by_indicator) by[indicator] = n;
      o["by_indicator"] = std::move(by);
      std::cout << json::serialize(o) << '\n';
      return;
    }
    std::cout << RetentionSummary(*r) << "\n";
  });
}

}  // namespace xinyong::cli
