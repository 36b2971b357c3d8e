// The subcommands of `xinyong`, registered on a CLI11 app. Each sets GlobalOptions::exit_code.
#pragma once

#include <CLI/CLI.hpp>

#include <memory>
#include <string>
#include <vector>

#include "core/status.h"
#include "server/platform.h"
#include "workflow/retention.h"

namespace xinyong::cli {

struct GlobalOptions {
  std::string data_dir = "var/data";
  std::string share_dir;
  std::string key_file;
  bool json = false;
  size_t cache_mib = 0;  // the store's block cache; 0 = its default (`serve --cache-mib`)
  size_t profile_cache_mib = 1024;  // `serve --profile-cache-mib`; 0 = none
  std::vector<std::string> trusted_proxies = {"127.0.0.1", "::1"};  // `serve --trusted-proxy`
  size_t public_reports_per_client_day = 50;  // `serve --public-reports-per-day`
  int exit_code = 0;
  std::string command_line;  // the arguments after `xinyong`, for the audit log
};

void RegisterCommands(CLI::App& app, GlobalOptions& global);

// Prints "xinyong: <message>" to stderr and sets the exit status to 1.
void Fail(GlobalOptions& g, const std::string& message);
void Fail(GlobalOptions& g, const Status& status);
// A usage error (arguments missing or contradicting each other): the message, exit code 2.
void UsageFail(GlobalOptions& g, const std::string& message);
// Opens the platform named by the global options; on failure reports it (Fail) and returns null.
// `grade_on_ingest`: PlatformOptions::grade_on_ingest.
std::unique_ptr<server::Platform> OpenPlatform(GlobalOptions& g, bool read_only = false,
                                               bool grade_on_ingest = true);

// Appends "this command was run" to the audit log of a platform opened for writing: the local
// operator's commands are audited like the API's writes (ID numbers in the arguments masked).
void AuditCommand(GlobalOptions& g, server::Platform& p);

// Exchange (commands_exchange.cc): false, after Fail, unless `source` is a valid instance id
// and `region` a 6-digit division code.
bool CheckExchangeIdentity(GlobalOptions& g, const std::string& source, const std::string& region);

// One line about a retention run (commands_audit.cc; also logged by `serve`'s daily run).
std::string RetentionSummary(const workflow::RetentionReport& r);

}  // namespace xinyong::cli
