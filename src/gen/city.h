// City: everything the row generators share — the population, the deciding bodies (city
// departments from the catalog's 提供单位 plus the district bureaus of market regulation and tax,
// each with a valid USCC), and the date the data is "as of". Built once per run.
// Thread-safety: immutable after Build; shared by the indicator threads.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "catalog/catalog.h"
#include "core/date.h"
#include "gen/population.h"
#include "gen/themes.h"

namespace xinyong::gen {

struct Dept {
  std::string name;
  std::string code;  // the body's own USCC
  std::string penalty_prefix, licence_prefix, other_prefix;
  Domain domain = Domain::kOther;
  int parent = -1;    // the city department of a district bureau
  int district = -1;  // Districts() index of a district bureau; -1 for city level
  uint16_t penalty_weight = 1, licence_weight = 1;
  std::vector<int> units;  // district bureaus by district index (empty: none)
};

class City {
 public:
  City(Population population, const catalog::Catalog& catalog);

  const Population& population() const { return population_; }
  Date as_of() const { return population_.as_of(); }
  uint64_t seed() const { return population_.seed(); }
  const std::vector<Dept>& depts() const { return depts_; }
  const Dept& dept(int i) const { return depts_[static_cast<size_t>(i)]; }
  // The department of that exact name; -1 if none.
  int FindDept(std::string_view name) const;
  // The first city department of a domain; -1 if none.
  int DeptOfDomain(Domain d) const;
  // The district bureau of department `i` for district `d`, or `i` itself.
  int UnitOf(int i, int district) const;

 private:
  int AddDept(std::string_view name, Domain domain, std::string_view penalty_prefix,
              std::string_view licence_prefix, std::string_view other_prefix, char authority,
              char type, std::string_view region);

  Population population_;
  std::vector<Dept> depts_;
};

}  // namespace xinyong::gen
