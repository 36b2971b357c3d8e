#include "workflow/policy.h"

#include <algorithm>

#include "rules/toml_file.h"

namespace xinyong::workflow {

namespace {

// Reads the file's values with errors naming the file and the line.
class Reader {
 public:
  Reader(const std::string& file, const catalog::Catalog& catalog) : file_(file), catalog_(catalog) {}

  Status Fail(const toml::value& at, std::string_view message) const {
    return rules::FileError(file_, at, message);
  }

  // A table member `key` that must be a positive integer of at most 366.
  Status Workdays(const toml::value& table, const char* key, int* out) const {
    if (!table.contains(key)) return Fail(table, std::string("missing `") + key + "`");
    const toml::value& v = table.at(key);
    if (!v.is_integer() || v.as_integer() < 1 || v.as_integer() > 366) {
      return Fail(v, std::string("`") + key + "` must be a whole number of working days, 1 to 366");
    }
    *out = static_cast<int>(v.as_integer());
    return Status::Ok();
  }

  Status String(const toml::value& table, const char* key, bool required, std::string* out) const {
    if (!table.contains(key)) {
      return required ? Fail(table, std::string("missing `") + key + "`") : Status::Ok();
    }
    const toml::value& v = table.at(key);
    if (!v.is_string() || v.as_string().str.empty()) {
      return Fail(v, std::string("`") + key + "` must be a non-empty string");
    }
    *out = v.as_string().str;
    return Status::Ok();
  }

  Status Strings(const toml::value& table, const char* key, std::vector<std::string>* out) const {
    if (!table.contains(key)) return Status::Ok();
    return StringList(table.at(key), key, out);
  }

  Status StringList(const toml::value& v, std::string_view key,
                    std::vector<std::string>* out) const {
    if (!v.is_array()) return Fail(v, "`" + std::string(key) + "` must be an array of strings");
    for (const toml::value& e : v.as_array()) {
      if (!e.is_string() || e.as_string().str.empty()) {
        return Fail(e, "`" + std::string(key) + "` must hold non-empty strings");
      }
      out->push_back(e.as_string().str);
    }
    return Status::Ok();
  }

  Result<const catalog::Indicator*> Indicator(const toml::value& at, const std::string& code) const {
    const catalog::Indicator* ind = catalog_.Find(code);
    if (ind == nullptr) return Fail(at, "the catalog has no indicator '" + code + "'");
    return ind;
  }

  Status Field(const toml::value& at, const catalog::Indicator& ind, const std::string& code) const {
    for (const catalog::Field& f : ind.fields) {
      if (f.code == code) return Status::Ok();
    }
    return Fail(at, "indicator " + ind.code + " has no field '" + code + "'");
  }

 private:
  const std::string& file_;
  const catalog::Catalog& catalog_;
};

}  // namespace

Result<std::unique_ptr<Policy>> Policy::LoadFile(const std::string& path,
                                                 const catalog::Catalog& catalog) {
  toml::value root;
  XY_RETURN_IF_ERROR(rules::ParseTomlFile(path, "rights policy", &root));
  Reader r(path, catalog);
  auto p = std::make_unique<Policy>();
  XY_RETURN_IF_ERROR(r.String(root, "legal_basis", true, &p->legal_basis_));

  if (!root.contains("objection") || !root.at("objection").is_table()) {
    return r.Fail(root, "missing [objection]");
  }
  const toml::value& o = root.at("objection");
  XY_RETURN_IF_ERROR(r.Workdays(o, "forward_workdays", &p->forward_));
  XY_RETURN_IF_ERROR(r.Workdays(o, "verify_workdays", &p->verify_));
  XY_RETURN_IF_ERROR(r.Workdays(o, "notify_workdays", &p->notify_));
  XY_RETURN_IF_ERROR(r.Workdays(o, "total_workdays", &p->total_));
  if (p->total_ < std::max({p->forward_, p->verify_, p->notify_})) {
    return r.Fail(o.at("total_workdays"), "`total_workdays` is shorter than a single step");
  }

  if (!root.contains("repair") || !root.at("repair").is_table()) {
    return r.Fail(root, "missing [repair]");
  }
  const toml::value& rp = root.at("repair");
  XY_RETURN_IF_ERROR(r.Workdays(rp, "accept_workdays", &p->accept_));
  XY_RETURN_IF_ERROR(r.Workdays(rp, "decide_workdays", &p->decide_));
  XY_RETURN_IF_ERROR(r.Workdays(rp, "complex_extra_workdays", &p->extra_));
  if (rp.contains("not_repairable")) {
    const toml::value& list = rp.at("not_repairable");
    if (!list.is_array()) return r.Fail(list, "[[repair.not_repairable]] must be an array of tables");
    for (const toml::value& e : list.as_array()) {
      std::string indicator, reason;
      XY_RETURN_IF_ERROR(r.String(e, "indicator", true, &indicator));
      XY_RETURN_IF_ERROR(r.String(e, "reason", true, &reason));
      XY_RETURN_IF_ERROR(r.Indicator(e, indicator).status());
      p->not_repairable_[indicator] = reason;
    }
  }
  if (rp.contains("minimum")) {
    const toml::value& list = rp.at("minimum");
    if (!list.is_array()) return r.Fail(list, "[[repair.minimum]] must be an array of tables");
    for (const toml::value& e : list.as_array()) {
      MinimumRule m;
      XY_RETURN_IF_ERROR(r.String(e, "indicator", true, &m.indicator));
      XY_ASSIGN_OR_RETURN(const catalog::Indicator* ind, r.Indicator(e, m.indicator));
      if (!e.contains("months") || !e.at("months").is_integer() || e.at("months").as_integer() < 1 ||
          e.at("months").as_integer() > 120) {
        return r.Fail(e, "a minimum rule needs `months`, 1 to 120");
      }
      m.months = static_cast<int>(e.at("months").as_integer());
      XY_RETURN_IF_ERROR(r.Strings(e, "departments", &m.departments));
      XY_RETURN_IF_ERROR(r.Strings(e, "department_keywords", &m.department_keywords));
      for (const std::string& k : m.department_keywords) {
        if (k.empty()) return r.Fail(e, "a department keyword cannot be empty");
      }
      XY_RETURN_IF_ERROR(r.Strings(e, "fields", &m.fields));
      XY_RETURN_IF_ERROR(r.Strings(e, "keywords", &m.keywords));
      XY_RETURN_IF_ERROR(r.String(e, "reason", true, &m.reason));
      for (const std::string& f : m.fields) XY_RETURN_IF_ERROR(r.Field(e, *ind, f));
      if (m.departments.empty() && m.department_keywords.empty() &&
          (m.fields.empty() || m.keywords.empty())) {
        return r.Fail(e, "a minimum rule needs `departments`, `department_keywords`, or `fields` "
                         "and `keywords`");
      }
      if (ind->publicity_max_months > 0 && m.months > ind->publicity_max_months) {
        return r.Fail(e, "a minimum of " + std::to_string(m.months) + " months is longer than " +
                             ind->code + "'s maximum publicity of " +
                             std::to_string(ind->publicity_max_months));
      }
      p->minimums_.push_back(std::move(m));
    }
  }
  if (root.contains("declaration")) {
    const toml::value& d = root.at("declaration");
    if (!d.is_table()) return r.Fail(d, "[declaration] must be a table");
    Declaration& dc = p->declaration_;
    XY_RETURN_IF_ERROR(r.String(d, "division", true, &dc.division));
    if (dc.division.size() != 6 ||
        !std::all_of(dc.division.begin(), dc.division.end(), [](char c) { return c >= '0' && c <= '9'; })) {
      return r.Fail(d.at("division"), "`division` must be a 6-digit division code");
    }
    XY_RETURN_IF_ERROR(r.String(d, "accepting_unit", true, &dc.accepting_unit));
    XY_RETURN_IF_ERROR(r.String(d, "accepting_unit_code", false, &dc.accepting_unit_code));
    XY_RETURN_IF_ERROR(r.String(d, "commitment", true, &dc.commitment));
    XY_RETURN_IF_ERROR(r.String(d, "liability", true, &dc.liability));
    XY_RETURN_IF_ERROR(r.String(d, "commitment_liability", false, &dc.commitment_liability));
  }
  if (root.contains("deciding_body")) {
    const toml::value& t = root.at("deciding_body");
    if (!t.is_table()) return r.Fail(t, "[deciding_body] must be a table");
    for (const auto& [code, fields] : t.as_table()) {
      XY_ASSIGN_OR_RETURN(const catalog::Indicator* ind, r.Indicator(fields, code));
      std::vector<std::string> list;
      XY_RETURN_IF_ERROR(r.StringList(fields, code, &list));
      if (list.empty()) return r.Fail(fields, "[deciding_body] " + code + " names no field");
      for (const std::string& f : list) XY_RETURN_IF_ERROR(r.Field(fields, *ind, f));
      p->deciding_body_[code] = std::move(list);
    }
  }
  return p;
}

int Policy::Workdays(Clock clock, bool extended) const {
  switch (clock) {
    case Clock::kNone: return 0;
    case Clock::kForward: return forward_;
    case Clock::kVerify: return verify_;
    case Clock::kNotify: return notify_;
    case Clock::kAccept: return accept_;
    case Clock::kDecide: return decide_ + (extended ? extra_ : 0);
  }
  return 0;
}

std::string_view Policy::NotRepairable(std::string_view indicator) const {
  auto it = not_repairable_.find(indicator);
  return it == not_repairable_.end() ? std::string_view() : std::string_view(it->second);
}

int Policy::MinimumMonths(const Record& r, const catalog::Indicator& ind,
                          const std::vector<std::string>& deciding_body, std::string* why) const {
  int months = ind.publicity_min_months;
  why->clear();
  for (const MinimumRule& m : minimums_) {
    if (m.indicator != ind.code || m.months <= months) continue;
    bool applies = false;
    for (const std::string& d : m.departments) {
      applies = applies ||
                std::find(deciding_body.begin(), deciding_body.end(), d) != deciding_body.end();
    }
    for (const std::string& body : deciding_body) {
      for (const std::string& k : m.department_keywords) {
        applies = applies || body.find(k) != std::string::npos;
      }
    }
    for (const std::string& f : m.fields) {
      const std::string_view v = r.Get(f);
      for (const std::string& k : m.keywords) {
        applies = applies || v.find(k) != std::string_view::npos;
      }
    }
    if (applies) {
      months = m.months;
      *why = m.reason;
    }
  }
  return months;
}

const std::vector<std::string>& Policy::DecidingBodyFields(std::string_view indicator) const {
  static const std::vector<std::string> kNone;
  auto it = deciding_body_.find(indicator);
  return it == deciding_body_.end() ? kNone : it->second;
}

}  // namespace xinyong::workflow
