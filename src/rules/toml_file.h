// Reading the rules' TOML data files (measures, evaluation model, inspection ratios) with errors
// that name the file and line, as every loader of this module reports them.
#pragma once

#include <string>
#include <string_view>

#include <toml.hpp>

#include "core/status.h"

namespace xinyong::rules {

// InvalidArgument "<file>:<line>: <message>".
Status FileError(const std::string& file, int line, std::string_view message);
// The same at a value's line.
Status FileError(const std::string& file, const toml::value& at, std::string_view message);

// Reads and parses a TOML file. Unavailable when it cannot be read (`what` names the kind of
// file: "measures file"), InvalidArgument "<file>:<line>: not valid TOML: …" for a syntax error.
Status ParseTomlFile(const std::string& file, std::string_view what, toml::value* root);

}  // namespace xinyong::rules
