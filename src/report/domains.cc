#include "report/domains.h"

#include <algorithm>
#include <set>

#include "rules/toml_file.h"

namespace xinyong::report {

namespace {

Status StringList(const std::string& path, const toml::value& table, const char* key,
                  std::vector<std::string>* out) {
  if (!table.contains(key)) return Status::Ok();
  const toml::value& v = table.at(key);
  if (!v.is_array()) return rules::FileError(path, v, std::string("`") + key + "` must be a list");
  for (const toml::value& e : v.as_array()) {
    if (!e.is_string() || e.as_string().str.empty()) {
      return rules::FileError(path, e, std::string("`") + key + "` must list non-empty strings");
    }
    out->push_back(e.as_string().str);
  }
  return Status::Ok();
}

}  // namespace

Result<std::unique_ptr<DomainCatalog>> DomainCatalog::LoadFile(const std::string& path,
                                                               const catalog::Catalog& catalog) {
  toml::value root;
  XY_RETURN_IF_ERROR(rules::ParseTomlFile(path, "report domains file", &root));
  auto out = std::unique_ptr<DomainCatalog>(new DomainCatalog());
  if (root.contains("authority_fields")) {
    const toml::value& t = root.at("authority_fields");
    if (!t.is_table()) return rules::FileError(path, t, "[authority_fields] must be a table");
    for (const auto& [indicator, field] : t.as_table()) {
      const catalog::Indicator* ind = catalog.Find(indicator);
      if (ind == nullptr) {
        return rules::FileError(path, field,
                                "authority_fields: '" + indicator + "' is not a catalog indicator");
      }
      if (!field.is_string() || ind->FieldIndex(field.as_string().str) < 0) {
        return rules::FileError(
            path, field, "authority_fields." + indicator + " must name a field of the indicator");
      }
      out->authority_fields_[indicator] = ind->fields[ind->FieldIndex(field.as_string().str)].code;
    }
  }
  if (!root.contains("domain") || !root.at("domain").is_array()) {
    return rules::FileError(path, root, "no [[domain]] entries");
  }
  std::set<std::string> codes;
  for (const toml::value& d : root.at("domain").as_array()) {
    Domain dom;
    for (auto [key, dst] : {std::pair{"code", &dom.code}, std::pair{"name", &dom.name}}) {
      if (!d.contains(key) || !d.at(key).is_string() || d.at(key).as_string().str.empty()) {
        return rules::FileError(path, d, std::string("a domain needs a `") + key + "`");
      }
      *dst = d.at(key).as_string().str;
    }
    if (dom.code.find_first_of(", ") != std::string::npos) {
      return rules::FileError(path, d.at("code"), "a domain code may not contain ',' or ' '");
    }
    if (!codes.insert(dom.code).second) {
      return rules::FileError(path, d, "domain '" + dom.code + "' is defined twice");
    }
    XY_RETURN_IF_ERROR(StringList(path, d, "indicators", &dom.indicators));
    XY_RETURN_IF_ERROR(StringList(path, d, "authorities", &dom.authorities));
    if (dom.indicators.empty()) {
      return rules::FileError(path, d, "domain '" + dom.code + "' names no indicators");
    }
    for (const std::string& code : dom.indicators) {
      const catalog::Indicator* ind = catalog.Find(code);
      if (ind == nullptr) {
        return rules::FileError(
            path, d, "domain '" + dom.code + "': '" + code + "' is not a catalog indicator");
      }
      if (ind->nature != catalog::Nature::kNegative) {
        return rules::FileError(
            path, d, "domain '" + dom.code + "': '" + code + "' is not a negative indicator");
      }
    }
    out->domains_.push_back(std::move(dom));
  }
  return out;
}

const Domain* DomainCatalog::Find(std::string_view code) const {
  for (const Domain& d : domains_) {
    if (d.code == code) return &d;
  }
  return nullptr;
}

bool DomainCatalog::Counts(const Domain& d, const Record& r) const {
  if (std::find(d.indicators.begin(), d.indicators.end(), r.indicator) == d.indicators.end()) {
    return false;
  }
  if (d.authorities.empty()) return true;
  auto f = authority_fields_.find(r.indicator);
  if (f == authority_fields_.end()) return true;
  const std::string_view body = r.Get(f->second);
  return std::any_of(d.authorities.begin(), d.authorities.end(),
                     [&](const std::string& a) { return body.find(a) != std::string_view::npos; });
}

}  // namespace xinyong::report
