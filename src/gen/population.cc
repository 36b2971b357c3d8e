#include "gen/population.h"

#include <array>

#include "core/identifiers.h"
#include "gen/format.h"

namespace xinyong::gen {

namespace {

constexpr uint64_t kPow31_5 = 31ULL * 31 * 31 * 31 * 31;
// Birth days since 1955-01-01 (up to December 2000) × 3-digit sequence numbers.
constexpr uint64_t kPersonSpace = 16777ULL * 1000;

// A keyed permutation of [0, n): a four-round Feistel network over 2 × half_bits bits, walking
// the cycle until the value falls inside the range (n <= 2^(2 × half_bits)). Codes drawn from it
// are unique per subject index yet look unrelated to each other.
uint64_t Permute(uint64_t x, uint64_t n, int half_bits, uint64_t key) {
  const uint64_t mask = (1ULL << half_bits) - 1;
  x %= n;
  do {
    uint64_t l = x >> half_bits, r = x & mask;
    for (uint64_t round = 0; round < 4; ++round) {
      uint64_t f = Mix64(r ^ (key + round * 0x9E3779B97F4A7C15ULL)) & mask;
      uint64_t next = l ^ f;
      l = r;
      r = next;
    }
    x = (l << half_bits) | r;
  } while (x >= n);
  return x;
}

int32_t DaysOf(int y, int m, int d) {
  return DaysFromCivil(y, static_cast<unsigned>(m), static_cast<unsigned>(d));
}

size_t CountAlts(std::string_view alts) {
  size_t n = 1;
  for (char c : alts) n += c == '|';
  return n;
}

bool IsZone(const District& d) { return d.code[4] == '7'; }

}  // namespace

Population Population::Build(uint64_t n, uint64_t seed, Date as_of) {
  Population p;
  p.seed_ = seed;
  p.as_of_ = as_of;
  p.subjects_.resize(n);
  const auto districts = Districts();
  uint32_t district_total = 0;
  std::vector<uint16_t> district_weights, county_weights;
  uint32_t county_total = 0;
  std::vector<uint8_t> road_counts;
  std::vector<uint16_t> industry_weights;
  uint32_t industry_total = 0;
  for (const Industry& x : Industries()) {
    industry_weights.push_back(x.weight);
    industry_total += x.weight;
  }
  for (const auto& d : districts) {
    district_weights.push_back(d.weight);
    district_total += d.weight;
    county_weights.push_back(d.county ? d.weight : 0);
    county_total += d.county ? d.weight : 0;
    road_counts.push_back(static_cast<uint8_t>(CountAlts(d.roads)));
  }
  const int32_t today = as_of.days();
  const int32_t d1990 = DaysOf(1990, 1, 1);
  const int32_t d2015 = DaysOf(2014, 12, 31);
  const uint32_t brand_space = BrandSpace();

  for (uint64_t i = 0; i < n; ++i) {
    Rng r(SubSeed(seed ^ 0x5AB1EC7ULL, i));
    Subject& s = p.subjects_[i];
    s = Subject{};
    double u = r.Unit();
    if (u < 0.70) {
      double v = r.Unit();
      s.kind = v < 0.05   ? SubjectKind::kBranch
               : v < 0.08 ? SubjectKind::kPartnership
               : v < 0.11 ? SubjectKind::kSoleProprietor
               : v < 0.14 ? SubjectKind::kCooperative
                          : SubjectKind::kCompany;
    } else if (u < 0.85) {
      s.kind = SubjectKind::kIndividual;
    } else if (u < 0.90) {
      s.kind = SubjectKind::kOrganization;
    } else {
      s.kind = SubjectKind::kPerson;
    }
    s.district = static_cast<uint8_t>(s.kind == SubjectKind::kCooperative
                                          ? r.Weighted(county_weights, county_total)
                                          : r.Weighted(district_weights, district_total));
    // Most market entities are young: founding dates lean towards the present.
    double age = r.Unit();
    age = age * age * (0.6 + 0.4 * age);
    int32_t span = std::max<int32_t>(today - 30 - d1990, 1);
    s.founded = today - 30 - static_cast<int32_t>(age * span);
    if (s.kind == SubjectKind::kOrganization)
      s.founded = today - 60 - static_cast<int32_t>(r.Unit() * span);
    s.brand = static_cast<uint16_t>(r.Below(brand_space));
    s.road = static_cast<uint8_t>(r.Below(road_counts[s.district]));
    s.house = static_cast<uint16_t>(1 + r.Below(r.Chance(0.8) ? 200 : 900));
    s.extra = static_cast<uint8_t>(r.Next() >> 56);
    double st = r.Unit();
    s.status = st < 0.85 ? 0 : st < 0.93 ? 1 : st < 0.94 ? 2 : st < 0.97 ? 3 : 4;
    switch (s.kind) {
      case SubjectKind::kCompany: {
        s.industry = static_cast<uint8_t>(r.Weighted(industry_weights, industry_total));
        static constexpr uint16_t kFormWeights[] = {45, 8, 12, 4, 8, 3, 2, 12, 6};
        s.form = static_cast<uint8_t>(r.Weighted(kFormWeights, 100));
        // ~5% of enterprises never got a USCC: revoked or dormant before the 2015 re-coding.
        if (r.Chance(0.058)) {
          s.legacy = r.Chance(0.5) ? Legacy::kRegNumber : Legacy::kOrgCode;
          s.founded = d1990 + static_cast<int32_t>(r.Unit() * (d2015 - d1990));
          s.status = r.Chance(0.6) ? 3 : 0;
        }
        break;
      }
      case SubjectKind::kBranch:
      case SubjectKind::kPartnership:
      case SubjectKind::kSoleProprietor:
        s.industry = static_cast<uint8_t>(r.Weighted(industry_weights, industry_total));
        s.form = static_cast<uint8_t>(r.Below(4));
        break;
      case SubjectKind::kCooperative:
        s.form = static_cast<uint8_t>(r.Below(7));
        break;
      case SubjectKind::kIndividual:
        s.industry = static_cast<uint8_t>(r.Below(ShopTypes().size()));
        s.form = static_cast<uint8_t>(r.Below(10));
        break;
      case SubjectKind::kOrganization:
        s.industry = static_cast<uint8_t>(r.Below(OrgPatterns().size()));
        s.form = static_cast<uint8_t>(r.Below(20));
        break;
      case SubjectKind::kPerson:
        break;
    }
    if (s.kind == SubjectKind::kPerson) {
      p.persons_.push_back(static_cast<uint32_t>(i));
      continue;
    }
    p.organizations_.push_back(static_cast<uint32_t>(i));
    if (s.legacy != Legacy::kNone) continue;
    char a = '9', t = '1';
    std::string_view region = districts[s.district].code;
    if (s.kind == SubjectKind::kCooperative) t = '3';
    if (s.kind == SubjectKind::kIndividual) t = '2';
    if (s.kind == SubjectKind::kOrganization) {
      const OrgPattern& op = OrgPatterns()[s.industry];
      a = op.authority;
      t = op.type;
      if (op.pattern.starts_with("郑州市") || op.pattern.starts_with("河南省") ||
          op.pattern.starts_with("郑州{")) {
        region = "410100";
      }
    }
    char body[8];
    p.OrgCodeBody(static_cast<uint32_t>(i), body);
    s.uscc[0] = a;
    s.uscc[1] = t;
    for (int k = 0; k < 6; ++k) s.uscc[2 + k] = region[static_cast<size_t>(k)];
    for (int k = 0; k < 8; ++k) s.uscc[8 + k] = body[k];
    s.uscc[16] = ident::OrgCodeCheckChar(std::string_view(body, 8));
    s.uscc[17] = ident::UsccCheckChar(std::string_view(s.uscc, 17));
  }
  return p;
}

void Population::OrgCodeBody(uint32_t i, char out[8]) const {
  const Subject& s = subjects_[i];
  const uint64_t offset = Mix64(seed_ ^ 0x0C0DEULL);
  const bool social =
      s.kind == SubjectKind::kOrganization && OrgPatterns()[s.industry].authority == '5';
  const bool modern = s.legacy == Legacy::kNone && s.founded >= DaysOf(2015, 10, 1) &&
                      (s.kind != SubjectKind::kOrganization || social);
  if (modern) {
    // New-style codes assigned at registration: "MA" (enterprises) or "MJ" (social organizations),
    // a Henan series character, and five characters of the GB 32100 alphabet.
    uint64_t x = Permute(i, 3 * kPow31_5, 14, offset);
    out[0] = 'M';
    out[1] = social ? 'J' : 'A';
    out[2] = "349"[x / kPow31_5];
    uint64_t rest = x % kPow31_5;
    for (int k = 7; k >= 3; --k) {
      out[k] = ident::kUsccAlphabet[rest % 31];
      rest /= 31;
    }
  } else {
    // 1..99999999: 00000000 would be the all-zero placeholder that ingestion refuses.
    uint64_t x = 1 + Permute(i, 100000000ULL - 1, 14, offset);
    for (int k = 7; k >= 0; --k) {
      out[k] = static_cast<char>('0' + x % 10);
      x /= 10;
    }
  }
}

SubjectType Population::TypeOfKind(SubjectKind k) {
  switch (k) {
    case SubjectKind::kBranch:
    case SubjectKind::kPartnership:
    case SubjectKind::kSoleProprietor:
      return SubjectType::kOtherOrganization;
    case SubjectKind::kIndividual:
      return SubjectType::kIndividualBusiness;
    case SubjectKind::kPerson:
      return SubjectType::kNaturalPerson;
    default:
      return SubjectType::kLegalPerson;
  }
}

uint16_t Population::SectorOf(uint32_t i) const {
  const Subject& s = subjects_[i];
  switch (s.kind) {
    case SubjectKind::kCooperative:
      return kAgri;
    case SubjectKind::kSoleProprietor:
      return s.form & 1 ? kTrade : kService;
    case SubjectKind::kPartnership:
      return kService;
    case SubjectKind::kIndividual:
      return ShopTypes()[s.industry].sector;
    case SubjectKind::kOrganization:
      return OrgPatterns()[s.industry].sector;
    case SubjectKind::kPerson:
      return kAnySector;
    default:
      return Industries()[s.industry].sector;
  }
}

std::string_view Population::IndustryCodeOf(uint32_t i) const {
  const Subject& s = subjects_[i];
  switch (s.kind) {
    case SubjectKind::kCooperative: {
      // Crops, husbandry, or farm-machinery services (by the name's form, see AppendName).
      static constexpr std::string_view kCoopCodes[] = {"A01", "A01", "A01", "A05",
                                                        "A03", "A01", "A01"};
      return kCoopCodes[s.form % 7];
    }
    case SubjectKind::kSoleProprietor:
      return s.form & 1 ? "F52" : "L72";  // 商行 / 信息咨询服务中心
    case SubjectKind::kPartnership:
      return s.form & 1 ? "L72" : "J67";  // 企业管理咨询 / 股权投资
    case SubjectKind::kIndividual:
      return ShopTypes()[s.industry].gbt;
    case SubjectKind::kOrganization:
      return OrgPatterns()[s.industry].gbt;
    case SubjectKind::kPerson:
      return {};
    default:
      return Industries()[s.industry].gbt;
  }
}

std::string_view Population::CategoryOf(uint32_t i) const {
  switch (subjects_[i].kind) {
    case SubjectKind::kPerson:
      return "自然人";
    case SubjectKind::kIndividual:
      return "个体工商户";
    default:
      return "法人及非法人组织";
  }
}

uint32_t Population::BrandSpace() {
  return static_cast<uint32_t>(Brands().size() + BrandFirst().size() * BrandSecond().size());
}

void Population::AppendBrand(uint16_t b, std::string* out) const {
  const auto brands = Brands();
  if (b < brands.size()) {
    *out += brands[b];
    return;
  }
  uint32_t x = b - static_cast<uint32_t>(brands.size());
  const auto second = BrandSecond();
  const auto first = BrandFirst();
  std::string_view f = first[(x / second.size()) % first.size()];
  std::string_view g = second[x % second.size()];
  if (f == g) g = second[(x + 1) % second.size()];
  *out += f;
  *out += g;
}

void Population::AppendCompanyName(const Subject& s, uint8_t form, std::string* out) const {
  const District& d = Districts()[s.district];
  std::string_view industry = Industries()[s.industry].word;
  std::string_view lead = "郑州", tail = "有限公司";
  switch (form) {
    case 1:
      tail = "有限责任公司";
      break;
    case 2:
      lead = "河南";
      break;
    case 3:
      lead = "河南";
      tail = "股份有限公司";
      break;
    case 4:
      lead = "";
      break;
    case 5:
      industry = "";
      tail = "（集团）有限公司";
      break;
    case 6:
      lead = "河南";
      tail = "集团有限公司";
      break;
    case 7:
      lead = d.county ? d.prefix : std::string_view("郑州");
      break;
    case 8:
      tail = "股份有限公司";
      break;
    default:
      break;
  }
  *out += lead;
  AppendBrand(s.brand, out);
  if (form == 4) *out += "（郑州）";
  *out += industry;
  *out += tail;
}

void Population::AppendName(uint32_t i, std::string* out) const {
  const Subject& s = subjects_[i];
  const District& d = Districts()[s.district];
  switch (s.kind) {
    case SubjectKind::kCompany:
      AppendCompanyName(s, s.form, out);
      return;
    case SubjectKind::kBranch: {
      uint8_t parent_form = static_cast<uint8_t>(s.form == 3 ? 2 : s.form == 2 ? 8 : 0);
      AppendCompanyName(s, parent_form, out);
      if (parent_form == 2) {
        *out += "郑州分公司";
      } else if (IsZone(d)) {
        *out += d.abbr;
        *out += "区分公司";
      } else {
        *out += d.name;
        *out += "分公司";
      }
      return;
    }
    case SubjectKind::kPartnership:
      *out += "郑州";
      AppendBrand(s.brand, out);
      *out += s.form & 1 ? std::string_view("企业管理咨询中心（有限合伙）")
                         : std::string_view("股权投资合伙企业（有限合伙）");
      return;
    case SubjectKind::kSoleProprietor:
      if (s.form & 1) {
        *out += d.prefix;
        AppendBrand(s.brand, out);
        *out += "商行";
      } else {
        *out += "郑州";
        AppendBrand(s.brand, out);
        *out += "信息咨询服务中心";
      }
      return;
    case SubjectKind::kCooperative: {
      static constexpr std::string_view kCrops[] = {
          "蔬菜种植", "红枣种植", "小麦种植", "农机服务", "养殖", "中药材种植", "花卉苗木种植"};
      *out += d.prefix;
      AppendBrand(s.brand, out);
      *out += kCrops[s.form % 7];
      *out += "专业合作社";
      return;
    }
    case SubjectKind::kIndividual: {
      *out += d.prefix;  // 郑州市金水区, 中牟县, 郑州高新技术产业开发区
      switch (s.form % 5) {
        case 0:
          *out += "老";
          AppendPersonSurname(i, out);
          break;
        case 1:
          AppendPersonSurname(i, out);
          *out += "记";
          break;
        case 2:
          AppendPersonSurname(i, out);
          *out += "家";
          break;
        case 3:
          *out += "小";
          AppendPersonSurname(i, out);
          break;
        default:
          AppendBrand(s.brand, out);
          break;
      }
      *out += ShopTypes()[s.industry].word;
      if (s.form >= 8) *out += "（个体工商户）";
      return;
    }
    case SubjectKind::kOrganization: {
      std::string_view pattern = OrgPatterns()[s.industry].pattern;
      for (size_t k = 0; k < pattern.size();) {
        if (pattern[k] == '{' && k + 2 < pattern.size() && pattern[k + 2] == '}') {
          switch (pattern[k + 1]) {
            case 'P':
              *out += d.prefix;
              break;
            case 'R':
              *out += NthAlt(d.roads, s.road);
              break;
            case 'N':
              *out += Ordinals()[s.form % Ordinals().size()];
              break;
            case 'B':
              AppendBrand(s.brand, out);
              break;
            case 'I':
              *out += ShortIndustries()[s.extra % ShortIndustries().size()];
              break;
            case 'S': {
              // Chambers are named after a province; service centres after a 街道.
              if (pattern.find("商会") != std::string_view::npos) {
                *out += ChamberProvinces()[s.extra % ChamberProvinces().size()];
              } else {
                *out += NthAlt(d.streets, s.extra);
              }
              break;
            }
            default:
              break;
          }
          k += 3;
        } else {
          out->push_back(pattern[k]);
          ++k;
        }
      }
      return;
    }
    case SubjectKind::kPerson:
      AppendPersonName(i, out);
      return;
  }
}

void Population::AppendRegNumber(uint32_t i, std::string* out) const {
  const Subject& s = subjects_[i];
  char digits[15];
  std::string_view region = Districts()[s.district].code;
  for (int k = 0; k < 6; ++k) digits[k] = region[static_cast<size_t>(k)];
  uint64_t x = Permute(i, 100000000ULL, 14, Mix64(seed_ ^ 0x4E6ULL));
  for (int k = 13; k >= 6; --k) {
    digits[k] = static_cast<char>('0' + x % 10);
    x /= 10;
  }
  digits[14] = ident::RegistrationNumberCheckDigit(std::string_view(digits, 14));
  out->append(digits, 15);
}

void Population::AppendOrgCode(uint32_t i, std::string* out) const {
  const Subject& s = subjects_[i];
  if (s.has_uscc()) {
    out->append(s.uscc + 8, 9);
    return;
  }
  char body[8];
  OrgCodeBody(i, body);
  out->append(body, 8);
  out->push_back(ident::OrgCodeCheckChar(std::string_view(body, 8)));
}

void Population::AppendTaxNumber(uint32_t i, std::string* out) const {
  *out += Districts()[subjects_[i].district].code;
  AppendOrgCode(i, out);
}

void Population::AppendInstitutionCert(uint32_t i, std::string* out) const {
  const Subject& s = subjects_[i];
  if (s.kind != SubjectKind::kOrganization || OrgPatterns()[s.industry].authority != '1') return;
  *out += "事证第1";
  out->append(s.uscc + 2, 6);
  AppendPadded(i % 100000, 5, out);
  *out += "号";
}

void Population::AppendSocialOrgCert(uint32_t i, std::string* out) const {
  const Subject& s = subjects_[i];
  if (s.kind != SubjectKind::kOrganization || OrgPatterns()[s.industry].authority != '5') return;
  *out += "郑民证字第";
  AppendPadded(i % 1000000, 6, out);
  *out += "号";
}

void Population::AppendAddress(uint32_t i, std::string* out) const {
  const Subject& s = subjects_[i];
  const District& d = Districts()[s.district];
  *out += d.address;
  *out += NthAlt(d.roads, s.road);
  AppendUint(s.house, out);
  *out += "号";
  switch (s.extra % 4) {
    case 0:
      if (s.kind == SubjectKind::kCompany || s.kind == SubjectKind::kPartnership) {
        *out += Buildings()[s.extra % Buildings().size()];
        AppendUint(1 + s.extra % 28, out);
        *out += "层";
        AppendUint((1 + s.extra % 28) * 100 + 1 + s.house % 20, out);
        *out += "室";
      }
      break;
    case 1:
      if (s.kind != SubjectKind::kIndividual) {
        AppendUint(1 + s.extra % 12, out);
        *out += "号楼";
        AppendUint(1 + s.house % 3, out);
        *out += "单元";
        AppendUint(100 + s.extra % 30 * 100 + 1 + s.house % 4, out);
        *out += "号";
      } else {
        *out += "附";
        AppendUint(1 + s.extra % 9, out);
        *out += "号";
      }
      break;
    default:
      break;
  }
}

std::string_view Population::RegistrationType(uint32_t i) const {
  const Subject& s = subjects_[i];
  switch (s.kind) {
    case SubjectKind::kCompany:
      switch (s.form) {
        case 3:
        case 8:
          return "股份有限公司（非上市、自然人投资或控股）";
        case 5:
        case 6:
          return "其他有限责任公司";
        default:
          return s.extra % 10 < 7   ? "有限责任公司（自然人投资或控股）"
                 : s.extra % 10 < 9 ? "有限责任公司（自然人独资）"
                                    : "有限责任公司（非自然人投资或控股的法人独资）";
      }
    case SubjectKind::kBranch:
      return "有限责任公司分公司（自然人投资或控股）";
    case SubjectKind::kPartnership:
      return "有限合伙企业";
    case SubjectKind::kSoleProprietor:
      return "个人独资企业";
    case SubjectKind::kCooperative:
      return "农民专业合作社";
    case SubjectKind::kIndividual:
      return "个体工商户";
    case SubjectKind::kOrganization: {
      const OrgPattern& op = OrgPatterns()[s.industry];
      if (op.authority == '1') return "事业单位";
      return op.type == '1' ? "社会团体" : op.type == '2' ? "民办非企业单位" : "基金会";
    }
    case SubjectKind::kPerson:
      return "";
  }
  return "";
}

Population::PersonKey Population::PersonOf(uint32_t i) const {
  PersonKey k;
  uint64_t x = Permute(i, kPersonSpace, 12, Mix64(seed_ ^ 0x9E0ULL));
  k.birth_days = static_cast<uint32_t>(x / 1000);
  k.seq = static_cast<uint16_t>(x % 1000);
  uint64_t h = Mix64(SubSeed(seed_ ^ 0x9E01ULL, i));
  const auto regions = HenanIdRegions();
  k.region = static_cast<uint8_t>((h & 0xFFFF) % regions.size());
  h >>= 16;
  // Surnames by weight through a table with one entry per unit of weight.
  static const std::vector<uint8_t> by_weight = [] {
    std::vector<uint8_t> t;
    const auto surnames = Surnames();
    for (size_t n = 0; n < surnames.size(); ++n)
      t.insert(t.end(), surnames[n].weight, static_cast<uint8_t>(n));
    return t;
  }();
  k.surname = by_weight[(h & 0xFFFF) % by_weight.size()];
  h >>= 16;
  const bool male = k.seq % 2 == 1;
  const size_t pool = male ? MaleGivenChars().size() : FemaleGivenChars().size();
  k.given1 = static_cast<uint8_t>((h & 0xFF) % pool);
  h >>= 8;
  k.given2 = (h & 0xFF) % 10 < 3 ? 0xFF : static_cast<uint8_t>((h >> 8 & 0xFF) % pool);
  return k;
}

void Population::AppendPersonSurname(uint32_t i, std::string* out) const {
  *out += Surnames()[PersonOf(i).surname].word;
}

void Population::AppendPersonName(uint32_t i, std::string* out) const {
  PersonKey k = PersonOf(i);
  const auto given = k.seq % 2 == 1 ? MaleGivenChars() : FemaleGivenChars();
  *out += Surnames()[k.surname].word;
  *out += given[k.given1];
  if (k.given2 != 0xFF && k.given2 != k.given1) *out += given[k.given2];
}

uint32_t Population::RepresentativeOf(uint32_t i) const {
  if (persons_.empty() || subjects_[i].kind == SubjectKind::kPerson) return i;
  const uint64_t h = Mix64(SubSeed(seed_ ^ 0x4E9ULL, i));
  if (h % 6 != 0) return i;
  return persons_[(h >> 8) % persons_.size()];
}

uint32_t Population::ResponsiblePersonOf(uint32_t i) const {
  if (persons_.size() < 2 || subjects_[i].kind == SubjectKind::kPerson) return i;
  const uint64_t h = Mix64(SubSeed(seed_ ^ 0x4EAULL, i));
  uint32_t p = persons_[h % persons_.size()];
  if (p == RepresentativeOf(i)) p = persons_[(h % persons_.size() + 1) % persons_.size()];
  return p;
}

void Population::AppendPersonId(uint32_t i, std::string* out) const {
  PersonKey k = PersonOf(i);
  char id[18];
  std::string_view region = HenanIdRegions()[k.region];
  for (int n = 0; n < 6; ++n) id[n] = region[static_cast<size_t>(n)];
  int y;
  unsigned m, d;
  CivilFromDays(DaysOf(1955, 1, 1) + static_cast<int32_t>(k.birth_days), &y, &m, &d);
  uint32_t ymd = static_cast<uint32_t>(y) * 10000 + m * 100 + d;
  for (int n = 13; n >= 6; --n) {
    id[n] = static_cast<char>('0' + ymd % 10);
    ymd /= 10;
  }
  id[14] = static_cast<char>('0' + k.seq / 100);
  id[15] = static_cast<char>('0' + k.seq / 10 % 10);
  id[16] = static_cast<char>('0' + k.seq % 10);
  id[17] = ident::ResidentIdCheckChar(std::string_view(id, 17));
  out->append(id, 18);
}

}  // namespace xinyong::gen
