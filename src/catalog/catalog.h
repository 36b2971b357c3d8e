// Catalog: the set of indicators the platform may collect, loaded from TOML files in
// data/catalog/ (one file per indicator). Loading fails — with the file and line named — if any
// indicator lacks a legal basis, names an unknown field type, role or disclosure level, repeats a
// code, or has a natural key that names no field (src/catalog/README.md lists every rule).
// Every such failure is InvalidArgument with a message starting "<file>:<line>: ".
// Thread-safety: immutable after Load; safe to share between threads.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "catalog/indicator.h"
#include "core/status.h"

namespace xinyong::catalog {

class Catalog {
 public:
  // Loads every *.toml file of `dir`, sorted by name.
  static Result<std::unique_ptr<Catalog>> LoadDirectory(const std::string& dir);
  // Loads one indicator from TOML text; `source_name` is used in error messages.
  static Result<Indicator> ParseIndicator(std::string_view toml_text, const std::string& source_name);
  // Builds a catalog from indicators already parsed (tests, tools).
  static Result<std::unique_ptr<Catalog>> FromIndicators(std::vector<Indicator> indicators);

  const std::vector<Indicator>& indicators() const { return indicators_; }
  // nullptr if no indicator has this code.
  const Indicator* Find(std::string_view code) const;
  // The indicator whose fields best match a file's header (codes, labels or aliases): the one
  // that recognizes the most header cells, requiring all its required fields to be present.
  // Cells are compared after NormalizeFieldName; a field named by several cells counts once.
  // nullptr when none qualifies, or when two qualify with the same count: an ambiguous file is
  // not guessed, the caller must name its indicator.
  const Indicator* MatchHeader(const std::vector<std::string>& header) const;
  // The indicator derived from `source` (its derived_from names it), or nullptr.
  const Indicator* DerivedFrom(std::string_view source) const;

 private:
  std::vector<Indicator> indicators_;
};

}  // namespace xinyong::catalog
