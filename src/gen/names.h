// Vocabulary of the synthetic city: Zhengzhou's districts and roads, surnames and given names,
// brand syllables, industries, shop types and institution patterns. Plain constant tables; every
// string is common enough to be representable in GBK. Alternatives inside one string are
// separated by '|' and picked with PickAlt.
// Thread-safety: immutable data; safe to share.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

#include "gen/rng.h"

namespace xinyong::gen {

// What a subject does, so that its licences and penalties fit it (a restaurant gets a food
// licence, a builder a construction permit). Bit flags.
enum Sector : uint16_t {
  kTech = 1 << 0,
  kTrade = 1 << 1,
  kFood = 1 << 2,
  kBuild = 1 << 3,
  kProperty = 1 << 4,
  kTransport = 1 << 5,
  kMedical = 1 << 6,
  kAgri = 1 << 7,
  kMaking = 1 << 8,
  kCulture = 1 << 9,
  kService = 1 << 10,
  kEnv = 1 << 11,
  kEdu = 1 << 12,
};
inline constexpr uint16_t kAnySector = 0xFFFF;

// A county-level division of Zhengzhou (GB/T 2260).
struct District {
  std::string_view code;     // "410105"
  std::string_view name;     // "金水区"
  std::string_view prefix;   // how local names start: "郑州市金水区", "中牟县"
  std::string_view address;  // how addresses start: "河南省郑州市金水区"
  std::string_view abbr;     // in document numbers: "金"
  std::string_view court;    // court code in case numbers: "豫0105"
  uint16_t weight;           // share of the city's subjects
  bool county;               // a county or county-level city (cooperatives live here)
  std::string_view roads;    // '|'-separated
  std::string_view streets;  // 街道/镇, '|'-separated
};
std::span<const District> Districts();

// `gbt` is the GB/T 4754-2017 section and division the register gives such a company ("I65");
// `weight` is its share among companies, so that the city's industries follow a real one:
// wholesale and retail first, then business services, manufacturing, construction, IT.
struct Industry {
  std::string_view word;  // "智能科技"
  uint16_t sector;
  std::string_view gbt;
  uint16_t weight;
};
std::span<const Industry> Industries();

// Individual businesses (个体工商户).
struct ShopType {
  std::string_view word;  // "烩面馆"
  uint16_t sector;
  std::string_view gbt;   // GB/T 4754-2017 section and division: "H62"
};
std::span<const ShopType> ShopTypes();

// Institutions and social organizations: a name pattern with placeholders {P} district prefix,
// {R} road, {N} ordinal, {B} brand, {I} short industry word, {S} home province of a chamber.
struct OrgPattern {
  char authority;  // USCC position 1: '1' 机构编制, '5' 民政
  char type;       // USCC position 2
  std::string_view pattern;
  uint16_t sector;
  std::string_view scope;  // 宗旨和业务范围
  std::string_view gbt;    // GB/T 4754-2017 section and division: "P83"
};
std::span<const OrgPattern> OrgPatterns();

struct WeightedWord {
  std::string_view word;
  uint16_t weight;
};
std::span<const WeightedWord> Surnames();
std::span<const std::string_view> MaleGivenChars();
std::span<const std::string_view> FemaleGivenChars();
std::span<const std::string_view> BrandFirst();
std::span<const std::string_view> BrandSecond();
// Well-known-sounding two-character brands, used before the composed ones.
std::span<const std::string_view> Brands();
std::span<const std::string_view> Buildings();
std::span<const std::string_view> Ordinals();          // 一 … 二十
std::span<const std::string_view> ChamberProvinces();  // 浙江, 福建, …
std::span<const std::string_view> ShortIndustries();   // 餐饮, 建材, …
// 6-digit address codes of Henan for resident IDs, Zhengzhou first (weighted by repetition).
std::span<const std::string_view> HenanIdRegions();
// Business scope (经营范围) text for a sector.
std::string_view ScopeFor(uint16_t sector);

// One of the '|'-separated alternatives of `alts`.
std::string_view PickAlt(std::string_view alts, Rng& rng);
// The i-th alternative (modulo their number).
std::string_view NthAlt(std::string_view alts, uint64_t i);

}  // namespace xinyong::gen
