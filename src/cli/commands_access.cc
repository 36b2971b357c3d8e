// `xinyong token`: API tokens — create (the secret printed once), list (never the secrets),
// revoke. They write the store, so, like `ingest`, they need the data directory to themselves;
// while `serve` runs the operator uses POST/GET/DELETE /api/v1/tokens instead, which the
// server sees at once. Everything goes through server/access.h, as the API does.
#include <boost/json.hpp>

#include <iostream>
#include <memory>
#include <sstream>

#include "cli/commands.h"
#include "server/access.h"

namespace xinyong::cli {

namespace json = boost::json;

namespace {

// The platform opened for writing; a store held by a running server gets a hint.
std::unique_ptr<server::Platform> OpenForTokens(GlobalOptions& g) {
  server::PlatformOptions o;
  o.data_dir = g.data_dir;
  o.share_dir = g.share_dir;
  o.key_file = g.key_file;
  o.block_cache_bytes = g.cache_mib << 20;
  auto p = server::Platform::Open(o);
  if (!p.ok()) {
    std::string message = p.status().message();
    if (message.find("lock") != std::string::npos) {
      message += " (is `xinyong serve` running on it? then use POST /api/v1/tokens or "
                 "DELETE /api/v1/tokens/ID with an operator token)";
    }
    Fail(g, message);
    return nullptr;
  }
  AuditCommand(g, **p);
  return std::move(p).value();
}

std::vector<std::string> SplitList(const std::string& s) {
  std::vector<std::string> out;
  std::stringstream in(s);
  for (std::string item; std::getline(in, item, ',');) {
    if (!item.empty()) out.push_back(item);
  }
  return out;
}

// What a token is for, in one short phrase.
std::string ScopeText(const security::TokenInfo& t) {
  const auto& s = t.scope;
  std::string out;
  auto add = [&](const std::string& part) {
    if (part.empty()) return;
    if (!out.empty()) out += "; ";
    out += part;
  };
  add(s.department);
  if (!s.indicators.empty()) {
    std::string list;
    for (const auto& i : s.indicators) list += (list.empty() ? "" : ",") + i;
    add(list);
  } else if (t.role == security::Role::kSourceDepartment) {
    add("all its indicators");
  }
  add(s.subject_code);
  add(s.institution);
  if (!s.source.empty()) add("source " + s.source + ", region " + s.region);
  return out.empty() ? "-" : out;
}

}  // namespace

void RegisterToken(CLI::App& app, GlobalOptions& g) {
  auto* cmd = app.add_subcommand("token", "API tokens (roles): create, list, revoke");
  cmd->require_subcommand(1);

  struct CreateArgs {
    server::TokenRequest request;
    std::string indicators;
  };
  auto a = std::make_shared<CreateArgs>();
  a->request.expires_days = security::kDefaultExpiryDays;
  auto* create = cmd->add_subcommand(
      "create", "create a token; prints it once on stdout (the store keeps only its hash)");
  create
      ->add_option("--role", a->request.role,
                   "operator, source_department, using_department, financial_institution, "
                   "subject or lower_platform")
      ->required();
  create->add_option("--name", a->request.name, "who holds it (a label for people)");
  create->add_option("--dept", a->request.dept,
                     "department roles: the department, as the catalog's source_departments "
                     "name it for a source department");
  create->add_option("--indicators", a->indicators,
                     "source_department: the indicators it may submit, comma-separated "
                     "(default: every indicator its department is a source of)");
  create->add_option("--subject", a->request.subject, "subject: the subject's code");
  create->add_option("--institution", a->request.institution,
                     "financial_institution: the institution, as subjects' consents name it");
  create->add_option("--source", a->request.source,
                     "lower_platform: the exchange source id the lower instance pushes as "
                     "(its push --source)");
  create->add_option("--region", a->request.region,
                     "lower_platform: its 6-digit division code (its push --region)");
  create->add_option("--expires-days", a->request.expires_days, "days until it expires")
      ->default_val(security::kDefaultExpiryDays)
      ->check(CLI::Range(1, security::kMaxExpiryDays));
  create->callback([&g, a] {
    auto p = OpenForTokens(g);
    if (!p) return;
    server::TokenRequest r = a->request;
    r.indicators = SplitList(a->indicators);
    r.created_by = "command line";
    const int64_t now = server::NowUnixMs();
    auto t = server::CreateToken(*p, r, now);
    if (!t.ok()) {
      std::string message = t.status().message();
      if (message.starts_with("expires_days:")) message = "--expires-days" + message.substr(12);
      else if (!message.empty() && message.find(':') < 12) message = "--" + message;
      return Fail(g, message);
    }
    if (g.json) {
      json::object o = server::TokenJson(t->info, now);
      o["token"] = t->secret;
      std::cout << json::serialize(o) << '\n';
    } else {
      std::cout << t->secret << '\n';
    }
    std::cerr << "xinyong: token " << t->info.id << " (" << security::RoleName(t->info.role) << ", "
              << ScopeText(t->info) << ") expires " << security::FormatUnixMs(t->info.expires_ms)
              << "; it is shown only this once: keep it\n";
  });

  auto* list = cmd->add_subcommand("list", "every token: id, role, state, expiry, scope (never the token)");
  list->callback([&g] {
    auto p = OpenPlatform(g, /*read_only=*/true);
    if (!p) return;
    std::vector<security::TokenInfo> tokens;
    if (Status st = p->tokens().List(&tokens); !st.ok()) return Fail(g, st);
    const int64_t now = server::NowUnixMs();
    for (const auto& t : tokens) {
      if (g.json) {
        std::cout << json::serialize(server::TokenJson(t, now)) << '\n';
        continue;
      }
      std::cout << t.id << '\t' << security::RoleName(t.role) << '\t' << t.State(now) << '\t'
                << security::FormatUnixMs(t.expires_ms) << '\t' << ScopeText(t) << '\t'
                << (t.scope.name.empty() ? "-" : t.scope.name) << '\n';
    }
  });

  auto id = std::make_shared<uint64_t>(0);
  auto* revoke = cmd->add_subcommand("revoke", "revoke a token from now on");
  revoke->add_option("id", *id, "the token's id (token list)")->required()->check(CLI::PositiveNumber);
  revoke->callback([&g, id] {
    auto p = OpenForTokens(g);
    if (!p) return;
    const int64_t now = server::NowUnixMs();
    auto t = p->tokens().Revoke(*id, now, "command line");
    if (!t.ok()) return Fail(g, t.status());
    if (g.json) {
      std::cout << json::serialize(server::TokenJson(*t, now)) << '\n';
    } else {
      std::cout << "token " << t->id << " revoked at " << security::FormatUnixMs(t->revoked_ms) << '\n';
    }
  });
}

}  // namespace xinyong::cli
