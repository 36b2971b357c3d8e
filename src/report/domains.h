// Domains of the special credit report (专项信用报告): a subject chooses domains (市场监管领域,
// 税务领域, …) and a period, and the report states per domain whether a negative record exists
// in it. Each domain names its negative indicators and, where an indicator's records come from
// many bodies, the deciding bodies that make a record count (data/report/domains.toml).
// Immutable after LoadFile; thread-safe.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "catalog/catalog.h"
#include "core/status.h"
#include "model/record.h"

namespace xinyong::report {

struct Domain {
  std::string code;                      // stable, e.g. "environment"
  std::string name;                      // e.g. "生态环境领域"
  std::vector<std::string> indicators;   // negative catalog indicators
  std::vector<std::string> authorities;  // words of the deciding body; empty = every record
};

class DomainCatalog {
 public:
  // Loads and checks a domains file: every indicator in the catalog and negative, codes unique,
  // authority fields existing fields of their indicators. InvalidArgument "<file>:<line>: …".
  static Result<std::unique_ptr<DomainCatalog>> LoadFile(const std::string& path,
                                                         const catalog::Catalog& catalog);

  const std::vector<Domain>& domains() const { return domains_; }
  // nullptr when no domain has this code.
  const Domain* Find(std::string_view code) const;
  // Whether record `r` counts for domain `d` (its indicator is the domain's, and its deciding
  // body matches when the indicator has an authority field). Needs the record's values.
  bool Counts(const Domain& d, const Record& r) const;

 private:
  std::vector<Domain> domains_;
  std::map<std::string, std::string, std::less<>> authority_fields_;  // indicator → field code
};

}  // namespace xinyong::report
