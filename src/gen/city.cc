#include "gen/city.h"

#include "core/identifiers.h"
#include "gen/rng.h"

namespace xinyong::gen {

namespace {

uint64_t Fnv(std::string_view s) {
  uint64_t h = 0xcbf29ce484222325ULL;
  for (unsigned char c : s) {
    h ^= c;
    h *= 0x100000001b3ULL;
  }
  return h;
}

// Two CJK characters after "郑州市" (or from the start) for the document prefixes of a
// department the tables do not know: "郑州市统计局" → "郑统计".
std::string ShortName(std::string_view name) {
  std::string_view rest = name;
  if (rest.starts_with("郑州市")) rest.remove_prefix(std::string_view("郑州市").size());
  std::string out = "郑";
  for (int k = 0; k < 2 && rest.size() >= 3 && static_cast<unsigned char>(rest[0]) >= 0xE0; ++k) {
    out.append(rest.substr(0, 3));
    rest.remove_prefix(3);
  }
  return out;
}

}  // namespace

City::City(Population population, const catalog::Catalog& catalog)
    : population_(std::move(population)) {
  const auto districts = Districts();
  for (const DeptSpec& spec : DeptSpecs()) {
    int i = AddDept(spec.name, spec.domain, spec.penalty_prefix, spec.licence_prefix,
                    spec.other_prefix, spec.authority, spec.type, "410100");
    depts_[static_cast<size_t>(i)].penalty_weight = spec.penalty_weight;
    depts_[static_cast<size_t>(i)].licence_weight = spec.licence_weight;
    if (!spec.district_units) continue;
    std::vector<int> units;
    for (size_t d = 0; d < districts.size(); ++d) {
      const District& dist = districts[d];
      std::string abbr(dist.abbr);
      int u;
      if (spec.domain == Domain::kMarket) {
        u = AddDept(std::string(dist.prefix) + "市场监督管理局", spec.domain, abbr + "市监处罚",
                    abbr + "市监许", abbr + "市监", '1', '1', dist.code);
      } else {
        u = AddDept("国家税务总局" + std::string(dist.prefix) + "税务局", spec.domain,
                    "郑" + abbr + "税罚", "郑" + abbr + "税许", "郑" + abbr + "税", '1', '1',
                    dist.code);
      }
      depts_[static_cast<size_t>(u)].parent = i;
      depts_[static_cast<size_t>(u)].district = static_cast<int>(d);
      units.push_back(u);
    }
    depts_[static_cast<size_t>(i)].units = std::move(units);
  }
  // Departments the catalog names but the tables do not know still decide, with generic texts.
  for (const auto& ind : catalog.indicators()) {
    for (const auto& name : ind.source_departments) {
      if (FindDept(name) >= 0) continue;
      std::string s = ShortName(name);
      AddDept(name, Domain::kOther, s + "罚", s + "许", s, '1', '1', "410100");
    }
  }
}

int City::AddDept(std::string_view name, Domain domain, std::string_view penalty_prefix,
                  std::string_view licence_prefix, std::string_view other_prefix, char authority,
                  char type, std::string_view region) {
  Dept d;
  d.name = std::string(name);
  d.domain = domain;
  d.penalty_prefix = std::string(penalty_prefix);
  d.licence_prefix = std::string(licence_prefix);
  d.other_prefix = std::string(other_prefix);
  // The body's own code: fixed by its name, so it is the same in every run and every seed.
  uint64_t h = Mix64(Fnv(name));
  char code[18];
  code[0] = authority;
  code[1] = type;
  for (int k = 0; k < 6; ++k) code[2 + k] = region[static_cast<size_t>(k)];
  if (authority == '1' && type == '1') {
    code[8] = 'M';
    code[9] = 'B';
    code[10] = '1';
    for (int k = 11; k < 16; ++k) {
      code[k] = ident::kUsccAlphabet[h % 31];
      h /= 31;
    }
  } else {
    for (int k = 8; k < 16; ++k) {
      code[k] = static_cast<char>('0' + h % 10);
      h /= 10;
    }
  }
  code[16] = ident::OrgCodeCheckChar(std::string_view(code + 8, 8));
  code[17] = ident::UsccCheckChar(std::string_view(code, 17));
  d.code.assign(code, 18);
  depts_.push_back(std::move(d));
  return static_cast<int>(depts_.size() - 1);
}

int City::FindDept(std::string_view name) const {
  for (size_t i = 0; i < depts_.size(); ++i) {
    if (depts_[i].name == name) return static_cast<int>(i);
  }
  return -1;
}

int City::DeptOfDomain(Domain d) const {
  for (size_t i = 0; i < depts_.size(); ++i) {
    if (depts_[i].domain == d && depts_[i].parent < 0) return static_cast<int>(i);
  }
  return -1;
}

int City::UnitOf(int i, int district) const {
  const Dept& d = depts_[static_cast<size_t>(i)];
  if (d.units.empty() || district < 0 || static_cast<size_t>(district) >= d.units.size()) return i;
  return d.units[static_cast<size_t>(district)];
}

}  // namespace xinyong::gen
