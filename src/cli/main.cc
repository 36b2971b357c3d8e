// xinyong: the command line. A thin main over the library (STYLE.md): every command opens what
// it needs, calls one library function and prints the result — human-readable by default, one
// JSON document per line with --json. Exit status: 0 success, 1 failure or invalid input,
// 2 usage error. Errors go to stderr as one sentence naming the input.
#include <CLI/CLI.hpp>
#include <boost/json.hpp>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <cstdio>
#include <iostream>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "server/redact.h"

// jemalloc's start-up options (read from this symbol before MALLOC_CONF, which still overrides).
// Without background threads jemalloc purges an arena the moment the last thread using it exits,
// and a thread of its own per batch is how ingestion commits and the pusher reads ahead: each
// batch then faulted its memory in again from zeroed pages (about one page fault per ingested
// row, a fifth of the pusher's CPU; docs/benchmarks.md). With them, dirty pages are returned to
// the system by the background threads on jemalloc's usual ten-second decay instead.
extern "C" {
// NOLINTNEXTLINE: the name is jemalloc's interface.
const char* malloc_conf = "background_thread:true";
}

int main(int argc, char** argv) {
  // Diagnostics go to stderr; stdout carries only the command's results.
  spdlog::set_default_logger(spdlog::stderr_logger_mt("xinyong"));
  CLI::App app{"xinyong — public credit information platform (公共信用信息平台)", "xinyong"};
  app.require_subcommand(1);
  app.fallthrough();  // global options (--json, --data) may also follow the subcommand
  xinyong::cli::GlobalOptions global;
  global.command_line = xinyong::server::CommandLineForAudit(argc, argv);
  app.add_option("--data", global.data_dir, "data directory")->default_val("var/data");
  app.add_option("--share", global.share_dir,
                 "directory with catalog/ and calendar/ (default: $XINYONG_SHARE or the source tree's data/)");
  app.add_option("--key-file", global.key_file,
                 "personal-data key file (default: keys/<data dir name>.key beside the data directory)");
  app.add_flag("--json", global.json, "one JSON document per line");
  xinyong::cli::RegisterCommands(app, global);
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return 2;
  }
  return global.exit_code;
}
