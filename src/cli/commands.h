// The subcommands of `xinyong`, registered on a CLI11 app. Each sets GlobalOptions::exit_code.
#pragma once

#include <CLI/CLI.hpp>

#include <string>

namespace xinyong::cli {

struct GlobalOptions {
  std::string data_dir = "var/data";
  std::string share_dir;
  std::string key_file;
  bool json = false;
  int exit_code = 0;
};

void RegisterCommands(CLI::App& app, GlobalOptions& global);

}  // namespace xinyong::cli
