#include "gen/indicator_generator.h"

#include "core/utf8.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "core/identifiers.h"
#include "gen/format.h"
#include "gen/row_sink.h"
#include "ingest/csv_reader.h"

namespace xinyong::gen {

using catalog::Field;
using catalog::FieldRole;
using catalog::FieldType;

enum class IndicatorGenerator::Family : uint8_t {
  kRegistration,
  kLicence,
  kPenalty,
  kCourt,
  kSerious,
  kAbnormal,
  kTaxGrade,
  kHonour,
  kCommitment,
  kContract,
  kSocialInsurance,
  kUtility,
  kGeneric,
};

enum class IndicatorGenerator::Slot : uint8_t {
  kEmpty,
  kName,
  kCategory,
  kUscc,
  kRegNo,
  kOrgCode,
  kTaxNo,
  kInstCert,
  kSocialCert,
  kIdType,
  kIdNumber,
  kRepName,
  kRepIdType,
  kRepId,
  kRespName,  // 直接责任人员 (a person of the population), in some list entries
  kRespId,
  kDecisionDate,
  kReportDate,
  kDocNo,
  kCommitCode,  // a document number in the 承诺编码 format (a declaration's 申报编号)
  kProcedure,
  kDeptName,
  kDeptCode,
  kSourceName,
  kSourceCode,
  kValidFrom,
  kValidTo,
  kRemark,
  kProvince,
  kAddress,
  kViolation,
  kFacts,
  kBasis,
  kPenaltyKinds,
  kPenaltyContent,
  kFine,
  kConfiscation,
  kSuspended,
  kPublicityEnd,
  kLicDocName,
  kLicCategory,
  kLicCert,
  kLicNo,
  kLicContent,
  kLicStatus,
  kRegType,
  kCapital,
  kFounded,
  kRegAuthority,
  kScope,
  kRegStatus,
  kIndustry,
  kCourt,
  kBasisDocNo,
  kBasisIssuer,
  kFiledDate,
  kDuty,
  kPerformance,
  kConduct,
  kPerformedPart,
  kUnperformedPart,
  kListName,
  kListReason,
  kListBasis,
  kAbnReason,
  kRemovalDate,
  kRemovalReason,
  kRemovalAuthority,
  kEvalYear,
  kEvalResult,
  kHonour,
  kCommitType,
  kCommitReason,
  kCommitContent,
  kCommitLiability,
  kCommitState,
  kCommitUnperformed,
  kCommitPursuit,
  kCommitStateDate,
  kCommitStateDept,
  kCommitStateDeptCode,
  kCommitFalse,
  kPublicType,
  kContractName,
  kContractAmount,
  kCounterparty,
  kContractState,
  kInsuranceType,
  kArrearsAmount,
  kArrearsFrom,
  kArrearsTo,
  kAccountNo,
  kUtilityType,
  kAnyEnum,
  kAnyDate,
  kAnyMoney,
  kAnyInteger,
  kAnyText,
  kAnyCode,
};

struct IndicatorGenerator::Profile {
  std::string_view code;
  Family family;
  double per_subject;   // rows per subject of the whole population (random mode)
  double person_share;  // share of rows about natural persons, where allowed
  bool jsonl;
  bool labels;  // Chinese labels as the header, CRLF and a BOM, as spreadsheets export
  char date_sep;
};

// Everything one row's fields are rendered from.
struct IndicatorGenerator::Ctx {
  uint32_t subject = 0;
  int dept = -1;    // deciding body
  int source = -1;  // 数据来源单位: the city department
  int theme = 0;
  int court = 0;  // Districts() index, or Districts().size() for the intermediate court
  Date decision, report, aux, aux2, valid_to;
  int year = 0;
  uint32_t serial = 0;
  bool late = false, simple = false, bad_uscc = false, bad_date = false, show_rep_id = true;
  uint8_t kinds = 0;  // PenaltyKind bits
  uint8_t state = 0;
  uint64_t fine = 0, gain = 0, goods = 0;  // 元
  uint64_t amount = 0;                     // hundredths of 万元
  uint32_t number = 0;
  std::string_view text1, text2;
};

namespace {

using Family = IndicatorGenerator::Family;
using Slot = IndicatorGenerator::Slot;
using Profile = IndicatorGenerator::Profile;

// Penalty kinds as bits of Ctx::kinds.
enum PenaltyKind : uint8_t {
  kKindWarn = 1,
  kKindFine = 2,
  kKindConfiscate = 4,
  kKindSuspend = 8,
  kKindStop = 16,
  kKindRevoke = 32,
};

// Record volumes: about 20 rows per subject in all, licences and penalties the bulk.
constexpr Profile kProfiles[] = {
    {"reg_basic", Family::kRegistration, 0, 0, false, false, '-'},
    {"admin_licence", Family::kLicence, 11.0, 0.06, false, true, '/'},
    {"admin_penalty", Family::kPenalty, 6.0, 0.12, false, false, '-'},
    {"court_dishonest_debtor", Family::kCourt, 0.05, 0.45, false, false, '-'},
    {"serious_dishonesty", Family::kSerious, 0.012, 0.15, false, false, '-'},
    {"abnormal_operation", Family::kAbnormal, 0.07, 0, false, false, '-'},
    {"tax_a_grade", Family::kTaxGrade, 0, 0, false, false, '-'},
    {"red_list", Family::kHonour, 0.03, 0.10, false, false, '-'},
    {"credit_commitment", Family::kCommitment, 1.2, 0.08, true, false, '-'},
    {"contract_performance", Family::kContract, 0.6, 0, true, false, '-'},
    {"social_insurance_arrears", Family::kSocialInsurance, 0.03, 0, false, true, '/'},
    {"utility_arrears", Family::kUtility, 0.05, 0, false, false, '-'},
};
constexpr Profile kGenericProfile = {"", Family::kGeneric, 0.3, 0.10, false, false, '-'};

// Share of eligible subjects with an A grade in one evaluation year.
constexpr double kTaxAShare = 0.07;

struct CodeSlot {
  std::string_view code;
  Slot slot;
};

// Field codes whose meaning the role does not carry.
constexpr CodeSlot kCodeSlots[] = {
    {"CF_WFXW", Slot::kViolation},
    {"CF_SY", Slot::kFacts},
    {"CF_YJ", Slot::kBasis},
    {"CF_CFLB", Slot::kPenaltyKinds},
    {"CF_NR", Slot::kPenaltyContent},
    {"CF_NR_FK", Slot::kFine},
    {"CF_NR_WFFF", Slot::kConfiscation},
    {"CF_NR_ZKDX", Slot::kSuspended},
    {"CF_YXQ", Slot::kPublicityEnd},
    {"CF_GSJZQ", Slot::kPublicityEnd},
    {"CF_CFJG", Slot::kDeptName},
    {"CF_CFJGDM", Slot::kDeptCode},
    {"CF_SJLY", Slot::kSourceName},
    {"CF_SJLYDM", Slot::kSourceCode},
    {"XK_XKWS", Slot::kLicDocName},
    {"XK_XKLB", Slot::kLicCategory},
    {"XK_XKZS", Slot::kLicCert},
    {"XK_XKBH", Slot::kLicNo},
    {"XK_NR", Slot::kLicContent},
    {"XK_YXQZ", Slot::kValidFrom},
    {"XK_YXQZI", Slot::kValidTo},
    {"XK_XKJG", Slot::kDeptName},
    {"XK_XKJGDM", Slot::kDeptCode},
    {"XK_LYDW", Slot::kSourceName},
    {"XK_LYDWDM", Slot::kSourceCode},
    {"XK_ZT", Slot::kLicStatus},
    {"DJ_QYLX", Slot::kRegType},
    {"DJ_ZCZB", Slot::kCapital},
    {"DJ_CLRQ", Slot::kFounded},
    {"DJ_DJJG", Slot::kRegAuthority},
    {"DJ_ZS", Slot::kAddress},
    {"DJ_JYFW", Slot::kScope},
    {"DJ_DJZT", Slot::kRegStatus},
    {"SX_ZXFY", Slot::kCourt},
    {"SX_SF", Slot::kProvince},
    {"SX_ZXYJWH", Slot::kBasisDocNo},
    {"SX_ZCZXYJDW", Slot::kBasisIssuer},
    {"SX_LARQ", Slot::kFiledDate},
    {"SX_YW", Slot::kDuty},
    {"SX_LXQK", Slot::kPerformance},
    {"SX_JTQX", Slot::kConduct},
    {"SX_YLXBF", Slot::kPerformedPart},
    {"SX_WLXBF", Slot::kUnperformedPart},
    {"YZSX_MDMC", Slot::kListName},
    {"YZSX_RDBM", Slot::kDeptName},
    {"YZSX_RDBMDM", Slot::kDeptCode},
    {"YZSX_LRYY", Slot::kListReason},
    {"YZSX_FLYJ", Slot::kListBasis},
    {"YZSX_YXQZ", Slot::kValidTo},
    {"JYYC_LRYY", Slot::kAbnReason},
    {"JYYC_ZCJDJG", Slot::kDeptName},
    {"JYYC_YCRQ", Slot::kRemovalDate},
    {"JYYC_YCYY", Slot::kRemovalReason},
    {"JYYC_YCJDJG", Slot::kRemovalAuthority},
    {"NS_PJND", Slot::kEvalYear},
    {"NS_PJJG", Slot::kEvalResult},
    {"NS_PJDW", Slot::kDeptName},
    {"RY_SYJG", Slot::kDeptName},
    {"RY_RYMC", Slot::kHonour},
    {"RY_YXQZ", Slot::kValidTo},
    {"CN_CNLX", Slot::kCommitType},
    {"CN_CNSY", Slot::kCommitReason},
    {"CN_CNNR", Slot::kCommitContent},
    {"CN_WNZR", Slot::kCommitLiability},
    {"CN_CNYXQ", Slot::kValidTo},
    {"CN_LXZT", Slot::kCommitState},
    {"CN_WLXNR", Slot::kCommitUnperformed},
    {"CN_WNZRZJNR", Slot::kCommitPursuit},
    {"CN_LXZTRDRQ", Slot::kCommitStateDate},
    {"CN_LXZTRDDW", Slot::kCommitStateDept},
    {"CN_LXZTRDDWDM", Slot::kCommitStateDeptCode},
    {"CN_XJCN", Slot::kCommitFalse},
    {"CN_CNSLDW", Slot::kDeptName},
    {"CN_CNSLDWDM", Slot::kDeptCode},
    {"CN_GKLX", Slot::kPublicType},
    {"HT_HTMC", Slot::kContractName},
    {"HT_HTBH", Slot::kDocNo},
    {"HT_HTJE", Slot::kContractAmount},
    {"HT_DFMC", Slot::kCounterparty},
    {"HT_LYZT", Slot::kContractState},
    {"SB_XZ", Slot::kInsuranceType},
    {"SB_QFJE", Slot::kArrearsAmount},
    {"SB_QFQSNY", Slot::kArrearsFrom},
    {"SB_QFJZNY", Slot::kArrearsTo},
    {"SB_RDJG", Slot::kDeptName},
    {"SDQ_HH", Slot::kAccountNo},
    {"SDQ_QFLX", Slot::kUtilityType},
    {"SDQ_QFJE", Slot::kArrearsAmount},
    {"SDQ_GYDW", Slot::kDeptName},
};

bool Contains(std::string_view s, std::string_view what) {
  return s.find(what) != std::string_view::npos;
}

// The slot of a field: its role, then its code, then what its label and type suggest.
Slot SlotFor(const Field& f) {
  switch (f.role) {
    case FieldRole::kSubjectName:
      return Slot::kName;
    case FieldRole::kSubjectCategory:
      return Slot::kCategory;
    case FieldRole::kSubjectUscc:
      return Slot::kUscc;
    case FieldRole::kSubjectRegNumber:
      return Slot::kRegNo;
    case FieldRole::kSubjectOrgCode:
      return Slot::kOrgCode;
    case FieldRole::kSubjectTaxNumber:
      return Slot::kTaxNo;
    case FieldRole::kSubjectInstCert:
      return Slot::kInstCert;
    case FieldRole::kSubjectSocialOrgCert:
      return Slot::kSocialCert;
    case FieldRole::kSubjectIdType:
      return Slot::kIdType;
    case FieldRole::kSubjectIdNumber:
      return Slot::kIdNumber;
    case FieldRole::kDecisionDate:
      return Slot::kDecisionDate;
    case FieldRole::kDocumentNumber:
      return f.type == FieldType::kCommitmentCode ? Slot::kCommitCode : Slot::kDocNo;
    case FieldRole::kProcedure:
      return Slot::kProcedure;
    case FieldRole::kLegalRepIdNumber:
      return Slot::kRepId;
    case FieldRole::kResponsiblePersonIdNumber:
      return Slot::kRespId;
    case FieldRole::kReportDate:
      return Slot::kReportDate;
    case FieldRole::kIndustry:
      return Slot::kIndustry;
    default:
      break;
  }
  for (const auto& cs : kCodeSlots) {
    if (cs.code == f.code) return cs.slot;
  }
  const std::string_view l = f.label;
  if (Contains(l, "直接责任人")) return Slot::kRespName;
  if (Contains(l, "法定代表人") || Contains(l, "负责人")) {
    if (Contains(l, "证件类型")) return Slot::kRepIdType;
    if (Contains(l, "证件号码") || f.type == FieldType::kIdNumber) return Slot::kRepId;
    return Slot::kRepName;
  }
  if (Contains(l, "证件类型")) return Slot::kIdType;
  if (f.type == FieldType::kIdNumber) return Slot::kIdNumber;
  if (f.type == FieldType::kUscc) return Slot::kUscc;
  if (f.type == FieldType::kOrgCode) return Slot::kOrgCode;
  if (f.type == FieldType::kRegNumber) return Slot::kRegNo;
  if (f.type == FieldType::kTaxNumber) return Slot::kTaxNo;
  if (Contains(l, "数据来源单位"))
    return Contains(l, "代码") ? Slot::kSourceCode : Slot::kSourceName;
  const bool body = Contains(l, "机关") || Contains(l, "单位") || Contains(l, "部门");
  if (body && Contains(l, "代码")) return Slot::kDeptCode;
  if (body && (f.type == FieldType::kString || f.type == FieldType::kText)) return Slot::kDeptName;
  if (f.type == FieldType::kDate) {
    if (Contains(l, "有效期自")) return Slot::kValidFrom;
    if (Contains(l, "有效期") || Contains(l, "截止")) return Slot::kValidTo;
    return Slot::kAnyDate;
  }
  if (Contains(l, "备注")) return Slot::kRemark;
  if (Contains(l, "省份")) return Slot::kProvince;
  if (Contains(l, "住所") || Contains(l, "地址")) return Slot::kAddress;
  switch (f.type) {
    case FieldType::kEnum:
      return Slot::kAnyEnum;
    case FieldType::kMoney:
      return Slot::kAnyMoney;
    case FieldType::kInteger:
      return Slot::kAnyInteger;
    case FieldType::kCode:
      return Slot::kAnyCode;
    default:
      return Slot::kAnyText;
  }
}

// Adds n working-ish days (Monday to Friday) to d.
Date AddWeekdays(Date d, int n) {
  while (n > 0) {
    d = d.AddDays(1);
    if (!d.IsWeekend()) --n;
  }
  return d;
}

// A fine or amount between lo and hi, log-uniform, rounded to `step`.
uint64_t LogUniform(Rng& r, uint64_t lo, uint64_t hi, uint64_t step) {
  if (hi <= lo) return std::max<uint64_t>(lo / step, 1) * step;
  double v =
      std::exp(std::log(static_cast<double>(lo)) +
               r.Unit() * (std::log(static_cast<double>(hi)) - std::log(static_cast<double>(lo))));
  uint64_t x = static_cast<uint64_t>(v) / step * step;
  return std::max<uint64_t>(x, step);
}

// Cuts `s` (from byte `from`) to at most `max_chars` characters.
void TruncateChars(std::string* s, size_t from, size_t max_chars) {
  size_t chars = 0;
  for (size_t i = from; i < s->size(); ++i) {
    if ((static_cast<unsigned char>((*s)[i]) & 0xC0) != 0x80) {
      if (chars == max_chars) {
        s->resize(i);
        return;
      }
      ++chars;
    }
  }
}

// Bytes JSON must escape: every control byte, '"' and '\\'.
inline bool JsonSpecial(unsigned char c) { return c < 0x20 || c == '"' || c == '\\'; }

void AppendJsonString(std::string_view v, std::string* out) {
  out->push_back('"');
  size_t start = 0;
  for (size_t i = 0; i < v.size(); ++i) {
    const char c = v[i];
    if (!JsonSpecial(static_cast<unsigned char>(c))) continue;
    out->append(v.substr(start, i - start));
    start = i + 1;
    switch (c) {
      case '"':
        *out += "\\\"";
        break;
      case '\\':
        *out += "\\\\";
        break;
      case '\n':
        *out += "\\n";
        break;
      case '\r':
        *out += "\\r";
        break;
      case '\t':
        *out += "\\t";
        break;
      default: {
        static constexpr char kHex[] = "0123456789abcdef";
        *out += "\\u00";
        out->push_back(kHex[(c >> 4) & 0xF]);
        out->push_back(kHex[c & 0xF]);
      }
    }
  }
  out->append(v.substr(start));
  out->push_back('"');
}

constexpr std::string_view kIdType = "身份证";

}  // namespace

std::string_view BadKindName(BadKind k) {
  switch (k) {
    case BadKind::kNone:
      return "none";
    case BadKind::kBadUscc:
      return "bad_uscc";
    case BadKind::kMissingRequired:
      return "missing_required";
    case BadKind::kBadDate:
      return "bad_date";
    case BadKind::kFutureDate:
      return "future_date";
    case BadKind::kDuplicate:
      return "duplicate";
    case BadKind::kSimpleProcedure:
      return "simple_procedure_person";
    case BadKind::kWrongColumns:
      return "wrong_columns";
    case BadKind::kCount:
      break;
  }
  return "unknown";
}

IndicatorGenerator::IndicatorGenerator(const City& city, const catalog::Indicator& indicator,
                                       const IndicatorOptions& options)
    : city_(city),
      pop_(city.population()),
      ind_(indicator),
      opt_(options),
      profile_(&kGenericProfile),
      seed_(0),
      ctrl_(0) {
  uint64_t h = 0xcbf29ce484222325ULL;
  for (unsigned char c : ind_.code) {
    h ^= c;
    h *= 0x100000001b3ULL;
  }
  seed_ = SubSeed(city.seed(), h);
  ctrl_ = Rng(SubSeed(seed_, 0xC7A1ULL));
  for (const Profile& p : kProfiles) {
    if (p.code == ind_.code) profile_ = &p;
  }
  allowed_types_ = ind_.subject_types;
  if (allowed_types_.empty()) {
    allowed_types_ = {SubjectType::kLegalPerson, SubjectType::kIndividualBusiness,
                      SubjectType::kOtherOrganization, SubjectType::kNaturalPerson};
  }
  for (int k = 1; k <= static_cast<int>(SubjectKind::kPerson); ++k) {
    SubjectType t = Population::TypeOfKind(static_cast<SubjectKind>(k));
    if (std::find(allowed_types_.begin(), allowed_types_.end(), t) != allowed_types_.end()) {
      allowed_kinds_ |= 1u << k;
    }
  }
  for (size_t i = 0; i < ind_.fields.size(); ++i) {
    const Field& f = ind_.fields[i];
    Slot s = SlotFor(f);
    slots_.push_back(s);
    has_uscc_slot_ |= s == Slot::kUscc;
    uscc_required_ |= s == Slot::kUscc && f.required;
    has_reg_slot_ |= s == Slot::kRegNo;
    has_org_slot_ |= s == Slot::kOrgCode;
    has_tax_slot_ |= s == Slot::kTaxNo;
    has_id_slot_ |= s == Slot::kIdNumber;
    has_procedure_slot_ |= s == Slot::kProcedure;
    has_date_slot_ |= s == Slot::kDecisionDate;
    has_report_slot_ |= s == Slot::kReportDate;
    if (f.required) required_.push_back(static_cast<int>(i));
    if (s == Slot::kRemark && remark_field_ < 0) remark_field_ = static_cast<int>(i);
  }
  // The field a correction changes: an amount if there is one, else a text outside the key.
  auto in_key = [&](const Field& f) {
    return std::find(ind_.natural_key.begin(), ind_.natural_key.end(), f.code) !=
           ind_.natural_key.end();
  };
  for (size_t i = 0; i < ind_.fields.size() && correct_field_ < 0; ++i) {
    if (ind_.fields[i].type == FieldType::kMoney && !in_key(ind_.fields[i]))
      correct_field_ = static_cast<int>(i);
  }
  if (correct_field_ < 0) correct_field_ = remark_field_;
  for (size_t i = 0; i < ind_.fields.size() && correct_field_ < 0; ++i) {
    const Slot s = slots_[i];
    if (ind_.fields[i].type == FieldType::kText && !in_key(ind_.fields[i]) && s != Slot::kName) {
      correct_field_ = static_cast<int>(i);
    }
  }

  // Deciding bodies: the catalog's 提供单位, with the themes each may decide on.
  for (const auto& name : ind_.source_departments) {
    int d = city_.FindDept(name);
    if (d >= 0 && std::find(depts_.begin(), depts_.end(), d) == depts_.end()) depts_.push_back(d);
  }
  if (depts_.empty()) depts_.push_back(0);
  const Family fam = profile_->family;
  themed_ = fam == Family::kPenalty || fam == Family::kLicence || fam == Family::kSerious ||
            fam == Family::kHonour;
  for (int d : depts_) {
    const Domain dom = city_.dept(d).domain;
    std::vector<uint16_t> mine;
    bool persons = false;
    for (size_t i = 0; i < ThemeCount(); ++i) {
      if (ThemeDomain(i) != dom) continue;
      mine.push_back(static_cast<uint16_t>(i));
      persons |= (ThemeWho(i) & kWhoPerson) != 0;
    }
    if (!themed_ || persons || mine.empty())
      person_depts_.push_back(static_cast<int>(themes_.size()));
    themes_.push_back(std::move(mine));
  }
  persons_allowed_ = has_id_slot_ && !person_depts_.empty() &&
                     (allowed_kinds_ & (1u << static_cast<int>(SubjectKind::kPerson))) != 0;
  ring_.reserve(256);
}

IndicatorGenerator::~IndicatorGenerator() = default;

size_t IndicatorGenerator::ThemeCount() const {
  switch (profile_->family) {
    case Family::kPenalty:
      return PenaltyThemes().size();
    case Family::kLicence:
      return LicenceThemes().size();
    case Family::kSerious:
      return ListThemes().size();
    case Family::kHonour:
      return HonourThemes().size();
    default:
      return 0;
  }
}

Domain IndicatorGenerator::ThemeDomain(size_t t) const {
  switch (profile_->family) {
    case Family::kPenalty:
      return PenaltyThemes()[t].domain;
    case Family::kLicence:
      return LicenceThemes()[t].domain;
    case Family::kSerious:
      return ListThemes()[t].domain;
    case Family::kHonour:
      return HonourThemes()[t].domain;
    default:
      return Domain::kOther;
  }
}

uint8_t IndicatorGenerator::ThemeWho(size_t t) const {
  switch (profile_->family) {
    case Family::kPenalty:
      return PenaltyThemes()[t].who;
    case Family::kLicence:
      return LicenceThemes()[t].who;
    case Family::kSerious:
      return ListThemes()[t].who;
    case Family::kHonour:
      return HonourThemes()[t].who;
    default:
      return kAnyone;
  }
}

double IndicatorGenerator::ExpectedRowsPerSubject(const catalog::Indicator& indicator) {
  for (const Profile& p : kProfiles) {
    if (p.code != indicator.code) continue;
    if (p.family == Family::kRegistration) return 0.85;
    if (p.family == Family::kTaxGrade) return 3 * kTaxAShare;
    return p.per_subject;
  }
  return kGenericProfile.per_subject;
}

bool IndicatorGenerator::Eligible(uint32_t i) const {
  const Subject& s = pop_[i];
  if ((allowed_kinds_ & (1u << static_cast<int>(s.kind))) == 0) return false;
  const Family fam = profile_->family;
  // Revoked and deregistered entities get no new licences, commitments, contracts or honours.
  if ((fam == Family::kLicence || fam == Family::kCommitment || fam == Family::kContract ||
       fam == Family::kHonour || fam == Family::kTaxGrade) &&
      s.status >= 3) {
    return false;
  }
  if (s.kind == SubjectKind::kPerson) return has_id_slot_;
  if (s.has_uscc()) return has_uscc_slot_;
  if (uscc_required_) return false;  // legacy codes cannot stand in for a required USCC
  if (s.legacy == Legacy::kRegNumber) return has_reg_slot_;
  if (s.legacy == Legacy::kOrgCode) return has_org_slot_ || has_tax_slot_;
  return false;
}

int64_t IndicatorGenerator::PickSubject(Rng& r, bool person, bool need_uscc) const {
  const std::vector<uint32_t>& pool = person ? eligible_persons_ : eligible_orgs_;
  if (pool.empty()) return -1;
  const size_t n = pool.size();
  size_t idx = 0;
  for (int tries = 0; tries < 12; ++tries) {
    // A few subjects have many records (chains, builders), most have a handful.
    double u = r.Unit();
    idx = std::min(n - 1, static_cast<size_t>(static_cast<double>(n) * u * std::sqrt(u)));
    if (!need_uscc || pop_[pool[idx]].has_uscc()) return pool[idx];
  }
  for (size_t k = 1; k < n; ++k) {
    uint32_t s = pool[(idx + k) % n];
    if (pop_[s].has_uscc()) return s;
  }
  return -1;
}

uint32_t IndicatorGenerator::NextSerial(uint64_t key) { return ++counters_[key]; }

int IndicatorGenerator::ChooseDeptAndTheme(Ctx& c, Rng& r) const {
  const Subject& subj = pop_[c.subject];
  const Family fam = profile_->family;
  const uint8_t mine = subj.kind == SubjectKind::kPerson       ? kWhoPerson
                       : subj.kind == SubjectKind::kIndividual ? kWhoShop
                                                               : kWhoOrg;
  const uint16_t sector = pop_.SectorOf(c.subject);
  int k = 0;
  uint16_t fitting[64];
  uint32_t weights[64];
  size_t n = 0;
  uint32_t total = 0;
  // The department and the theme are chosen together so that both fit the subject (a builder
  // gets a construction permit, a restaurant a food licence); heavier licence themes come up
  // more often. A department without a fitting theme is passed over, at most a few times.
  for (int attempt = 0; attempt < 5 && n == 0; ++attempt) {
    k = PickDept(r, c, fam == Family::kLicence);
    if (!themed_) return k;
    const bool last = attempt == 4;
    for (uint16_t t : themes_[static_cast<size_t>(k)]) {
      if ((ThemeWho(t) & mine) == 0) continue;
      uint16_t fits = kAnySector;
      uint32_t w = 1;
      if (fam == Family::kPenalty) fits = PenaltyThemes()[t].sectors;
      if (fam == Family::kLicence) {
        fits = LicenceThemes()[t].sectors;
        w = LicenceThemes()[t].weight;
      }
      if (!last && (fits & sector) == 0) continue;
      if (n == 64) break;
      fitting[n] = t;
      weights[n] = w;
      total += w;
      ++n;
    }
  }
  if (n == 0) {
    // A department the tables do not know: borrow any theme the subject may have.
    const size_t count = ThemeCount();
    c.theme = static_cast<int>(r.Below(count));
    for (size_t tries = 0; tries < count && (ThemeWho(static_cast<size_t>(c.theme)) & mine) == 0;
         ++tries) {
      c.theme = static_cast<int>((static_cast<size_t>(c.theme) + 1) % count);
    }
    return k;
  }
  uint32_t x = r.Below(total);
  size_t pick = 0;
  while (pick + 1 < n && x >= weights[pick]) x -= weights[pick++];
  c.theme = fitting[pick];
  return k;
}

int IndicatorGenerator::PickDept(Rng& r, const Ctx& c, bool licence) const {
  const bool person = pop_[c.subject].kind == SubjectKind::kPerson;
  const std::vector<int>* cands = nullptr;
  std::vector<int> all;
  if (person && !person_depts_.empty()) {
    cands = &person_depts_;
  } else {
    all.resize(depts_.size());
    for (size_t k = 0; k < depts_.size(); ++k) all[k] = static_cast<int>(k);
    cands = &all;
  }
  uint32_t total = 0;
  for (int k : *cands) {
    const Dept& d = city_.dept(depts_[static_cast<size_t>(k)]);
    total += licence ? d.licence_weight : d.penalty_weight;
  }
  uint32_t x = r.Below(std::max<uint32_t>(total, 1));
  for (int k : *cands) {
    const Dept& d = city_.dept(depts_[static_cast<size_t>(k)]);
    uint32_t w = licence ? d.licence_weight : d.penalty_weight;
    if (x < w) return k;
    x -= w;
  }
  return cands->front();
}

void IndicatorGenerator::Prepare(Ctx& c, Rng& r, Entry* e, BadKind kind) {
  const Subject& subj = pop_[c.subject];
  const bool person = subj.kind == SubjectKind::kPerson;
  const Date as_of = city_.as_of();
  const Family fam = profile_->family;

  // Decision date: spread over the three years before as_of, mostly on working days.
  c.decision = as_of.AddDays(-static_cast<int32_t>(r.Below(3 * 365 + 1)));
  if (c.decision.IsWeekend() && r.Chance(0.9))
    c.decision = c.decision.AddDays(c.decision.weekday() == 5 ? -1 : -2);
  if (fam == Family::kRegistration) {
    // 核准日期: the founding date, or the latest change since.
    Date founded = Date::FromDays(subj.founded);
    c.decision = founded;
    if (r.Chance(0.5) && as_of > founded) {
      c.decision = founded.AddDays(
          static_cast<int32_t>(r.Below(static_cast<uint64_t>(as_of.days() - founded.days()) + 1)));
    }
  }
  if (fam == Family::kTaxGrade) {
    c.year = e->year;
    c.decision = Date::FromDays(DaysFromCivil(e->year + 1, 4, 1 + r.Below(25)));
    if (c.decision > as_of) c.decision = as_of;
  }

  // The deciding body, its theme (what was decided) and the data-source department.
  const int k = ChooseDeptAndTheme(c, r);
  c.source = depts_[static_cast<size_t>(k)];
  c.dept = c.source;
  if (!city_.dept(c.source).units.empty() && r.Chance(0.7))
    c.dept = city_.UnitOf(c.source, subj.district);
  if (fam == Family::kAbnormal || fam == Family::kRegistration)
    c.dept = city_.UnitOf(c.source, subj.district);

  // Family specifics.
  c.aux = c.decision.AddDays(-static_cast<int32_t>(10 + r.Below(60)));  // inspection date
  c.number = 20 + r.Below(900);
  switch (fam) {
    case Family::kPenalty: {
      const PenaltyTheme& t = PenaltyThemes()[static_cast<size_t>(c.theme)];
      c.simple = !person && t.fine_min <= 3000 && r.Chance(0.25);
      if (kind == BadKind::kSimpleProcedure) c.simple = true;
      if (c.simple) {
        c.kinds = (t.extras & kWarn) && r.Chance(0.5) ? kKindWarn : kKindFine;
        c.fine = LogUniform(r, 100, person ? 200 : 3000, 100);
      } else {
        c.kinds = t.fine_max > 0 ? kKindFine : kKindWarn;
        if ((t.extras & kWarn) && r.Chance(0.35)) c.kinds |= kKindWarn;
        if ((t.extras & kConfiscate) && r.Chance(0.45)) c.kinds |= kKindConfiscate;
        if ((t.extras & kSuspend) && r.Chance(0.05)) c.kinds |= kKindSuspend;
        if ((t.extras & kStop) && r.Chance(0.08)) c.kinds |= kKindStop;
        if ((t.extras & kRevoke) && r.Chance(0.02)) c.kinds |= kKindRevoke;
        c.fine = LogUniform(r, std::max<uint32_t>(t.fine_min, 100),
                            std::max(t.fine_max, t.fine_min), 100);
      }
      c.goods = c.fine / 100 * (20 + r.Below(180)) + r.Below(100);
      c.gain = (c.kinds & kKindConfiscate)
                   ? LogUniform(r, 200, std::max<uint64_t>(c.fine, 300), 100)
                   : c.goods / 100 * (5 + r.Below(40));
      c.text1 = PickAlt(t.facts, r);
      break;
    }
    case Family::kLicence: {
      // A 设立登记 is made on the founding day; older subjects get a 变更登记 instead.
      if (LicenceThemes()[static_cast<size_t>(c.theme)].doc_name == "准予设立登记通知书") {
        const Date founded = Date::FromDays(subj.founded);
        if (founded >= as_of.AddDays(-3 * 365) && founded <= as_of) {
          c.decision = founded;
        } else if (static_cast<size_t>(c.theme) + 1 < LicenceThemes().size() &&
                   LicenceThemes()[static_cast<size_t>(c.theme) + 1].doc_name ==
                       "准予变更登记通知书") {
          c.theme += 1;
        }
      }
      const LicenceTheme& t = LicenceThemes()[static_cast<size_t>(c.theme)];
      c.valid_to = t.months == 0 ? Date::FromDays(DaysFromCivil(2099, 12, 31))
                                 : c.decision.AddMonths(t.months).AddDays(-1);
      c.text1 = PickAlt(t.content, r);
      c.state = c.valid_to >= as_of ? (r.Chance(0.02) ? 1 : 0) : 1;  // 0 有效, 1 无效
      break;
    }
    case Family::kCourt: {
      const auto districts = Districts();
      c.court = r.Chance(0.1)   ? static_cast<int>(districts.size())
                : r.Chance(0.8) ? subj.district
                                : static_cast<int>(r.Below(districts.size()));
      c.aux2 = c.decision.AddDays(-static_cast<int32_t>(30 + r.Below(300)));  // 立案
      c.amount = LogUniform(r, 5000, 3000000, 1);                             // 元
      c.goods = c.amount;
      c.state = r.Chance(0.75) ? 0 : 1;  // 全部未履行 / 部分未履行
      c.text1 = PickAlt(CourtDuties(), r);
      c.text2 = PickAlt(CourtConducts(), r);
      c.number = static_cast<uint32_t>(1 + r.Below(9000));
      break;
    }
    case Family::kSerious: {
      const ListTheme& t = ListThemes()[static_cast<size_t>(c.theme)];
      c.valid_to = c.decision.AddMonths(12 * t.years);
      c.text1 = PickAlt(t.reasons, r);
      break;
    }
    case Family::kAbnormal: {
      c.text1 = PickAlt(AbnormalReasons(), r);
      c.state = 0;
      if (as_of.days() - c.decision.days() > 40 && r.Chance(0.3)) {
        c.state = 1;  // removed
        c.aux2 = c.decision.AddDays(30 + static_cast<int32_t>(r.Below(static_cast<uint64_t>(
                                             as_of.days() - c.decision.days() - 30))));
        c.text2 = PickAlt(AbnormalRemovalReasons(), r);
      }
      break;
    }
    case Family::kHonour: {
      const HonourTheme& t = HonourThemes()[static_cast<size_t>(c.theme)];
      c.valid_to = c.decision.AddMonths(12 * t.years);
      c.number = 1 + r.Below(80);  // many subjects share one commendation document
      break;
    }
    case Family::kCommitment: {
      const auto themes = CommitmentThemes();
      uint32_t total = 0;
      for (const auto& t : themes) total += t.weight;
      uint32_t x = r.Below(total);
      c.theme = 0;
      for (size_t i = 0; i < themes.size(); ++i) {
        if (x < themes[i].weight) {
          c.theme = static_cast<int>(i);
          break;
        }
        x -= themes[i].weight;
      }
      c.text1 = PickAlt(themes[static_cast<size_t>(c.theme)].reasons, r);
      c.text2 = PickAlt(themes[static_cast<size_t>(c.theme)].content, r);
      c.valid_to = c.decision.AddMonths(r.Chance(0.6) ? 12 : 36);
      const bool settled = as_of.days() - c.decision.days() > 180 || c.valid_to < as_of;
      double u = r.Unit();
      // 0 open: some settled ones stay without a finding, overdue once past their deadline.
      c.state = settled ? (u < 0.84 ? 1 : u < 0.91 ? 2 : u < 0.96 ? 3 : 0) : (u < 0.6 ? 0 : 1);
      if (c.state != 0) {
        int32_t span = std::max<int32_t>(as_of.days() - c.decision.days(), 1);
        c.aux2 = c.decision.AddDays(static_cast<int32_t>(r.Below(static_cast<uint64_t>(span))) + 1);
        if (c.aux2 > as_of) c.aux2 = as_of;
      }
      break;
    }
    case Family::kContract: {
      c.amount = LogUniform(r, 500, 300000, 1);  // hundredths of 万元: 5 to 3000 万元
      double u = r.Unit();
      c.state = as_of.days() - c.decision.days() < 90 ? 0 : (u < 0.85 ? 0 : u < 0.95 ? 1 : 2);
      c.text1 = PickAlt(ContractNames(), r);
      c.text2 = PickAlt(ContractPurchasers(), r);
      c.number = 1 + r.Below(9);
      break;
    }
    case Family::kSocialInsurance:
    case Family::kUtility: {
      c.amount = fam == Family::kUtility ? LogUniform(r, 5, 3000, 1) : LogUniform(r, 30, 8000, 1);
      c.text1 = PickAlt(InsuranceTypes(), r);
      c.aux = c.decision.AddMonths(-static_cast<int>(3 + r.Below(22)));
      c.aux2 = c.decision.AddMonths(-static_cast<int>(1 + r.Below(2)));
      break;
    }
    default:
      break;
  }
  c.show_rep_id = r.Chance(0.9);

  // Bad dates come from the decision date.
  if (kind == BadKind::kFutureDate)
    c.decision = as_of.AddDays(400 + static_cast<int32_t>(r.Below(700)));
  if (kind == BadKind::kBadDate) c.bad_date = true;
  if (kind == BadKind::kBadUscc) c.bad_uscc = true;

  // 上报日期: a few working days after the decision, a share of them late; never after as_of.
  c.late = ind_.shuanggongshi && has_report_slot_ && r.Chance(opt_.late_share);
  int delay;
  if (c.late) {
    delay = 8 + static_cast<int>(r.Below(40));
  } else {
    static constexpr uint16_t kDelayWeights[] = {15, 30, 20, 15, 10, 6, 4};
    delay = static_cast<int>(r.Weighted(kDelayWeights, 100));
  }
  c.report = AddWeekdays(c.decision, delay);
  if (c.report > as_of && kind != BadKind::kFutureDate) c.report = std::max(as_of, c.decision);
  if (c.late && AddWeekdays(c.decision, 8) > c.report) c.late = false;  // capped by as_of

  // The document year and serial; a re-emitted row keeps the serial it had.
  c.year = fam == Family::kTaxGrade ? e->year : c.decision.year();
  if (fam == Family::kCourt) c.year = c.aux2.year();
  if (e->serial != 0) {
    c.serial = e->serial;
  } else {
    uint64_t key;
    switch (fam) {
      case Family::kCourt:
        key = (static_cast<uint64_t>(c.court) << 32) | static_cast<uint32_t>(c.year);
        break;
      case Family::kCommitment: {
        uint64_t division = static_cast<uint64_t>(subj.district);
        key = (division << 32) | static_cast<uint32_t>(c.decision.days());
        break;
      }
      case Family::kContract:
        key = static_cast<uint32_t>(c.year);
        break;
      default:
        key = (static_cast<uint64_t>(c.dept) << 32) | static_cast<uint32_t>(c.year);
        break;
    }
    c.serial = NextSerial(key);
    e->serial = c.serial;
  }
}

void IndicatorGenerator::AppendTemplate(std::string_view tpl, const Ctx& c, Rng& r,
                                        std::string* out) const {
  const Subject& s = pop_[c.subject];
  for (size_t k = 0; k < tpl.size();) {
    if (tpl[k] == '{' && k + 2 < tpl.size() && tpl[k + 2] == '}') {
      switch (tpl[k + 1]) {
        case 'D':
          AppendChineseDate(c.aux, out);
          break;
        case 'A':
          pop_.AppendAddress(c.subject, out);
          break;
        case 'M':
          AppendUint(c.goods, out);
          break;
        case 'G':
          AppendUint(c.gain, out);
          break;
        case 'P':
          *out += Districts()[s.district].prefix;
          break;
        case 'B':
          pop_.AppendBrand(static_cast<uint16_t>(r.Below(Population::BrandSpace())), out);
          break;
        case 'N':
          AppendUint(c.number, out);
          break;
        default:
          break;
      }
      k += 3;
    } else {
      out->push_back(tpl[k]);
      ++k;
    }
  }
}

// 承诺编码: 6-digit division + 8-digit date + 6-digit serial (FACTS §7).
void IndicatorGenerator::AppendCommitmentCode(const Ctx& c, std::string* out) const {
  *out += Districts()[pop_[c.subject].district].code;
  AppendUint(c.decision.ToYmdNumber(), out);
  AppendPadded(c.serial % 1000000, 6, out);
}

void IndicatorGenerator::AppendDocNo(const Ctx& c, std::string* out) const {
  const Dept& d = city_.dept(c.dept);
  auto bracket = [&](std::string_view prefix, std::string_view infix, uint32_t serial) {
    *out += prefix;
    *out += infix;
    *out += "〔";
    AppendUint(static_cast<uint64_t>(c.year), out);
    *out += "〕";
    if (prefix.ends_with("字")) {
      *out += "第";
      AppendPadded(serial, 4, out);
    } else {
      AppendUint(serial, out);
    }
    *out += "号";
  };
  switch (profile_->family) {
    case Family::kPenalty:
      bracket(d.penalty_prefix, "", c.serial);
      return;
    case Family::kLicence:
      bracket(d.licence_prefix, "", c.serial);
      return;
    case Family::kSerious:
      bracket(d.other_prefix, "严失认", c.serial);
      return;
    case Family::kAbnormal:
      bracket(d.other_prefix, "经异列", c.serial);
      return;
    case Family::kHonour:
      bracket(d.other_prefix, "", c.number);
      return;
    case Family::kSocialInsurance:
      bracket(d.other_prefix, "欠认", c.serial);
      return;
    case Family::kCourt: {
      const auto districts = Districts();
      *out += "（";
      AppendUint(static_cast<uint64_t>(c.year), out);
      *out += "）";
      *out += c.court < static_cast<int>(districts.size())
                  ? districts[static_cast<size_t>(c.court)].court
                  : std::string_view("豫01");
      *out += "执";
      AppendUint(c.serial, out);
      *out += "号";
      return;
    }
    case Family::kCommitment:
      AppendCommitmentCode(c, out);
      return;
    case Family::kContract:
      *out += "ZZCG";
      AppendUint(static_cast<uint64_t>(c.year), out);
      *out += "-";
      AppendPadded(c.serial % 1000000, 6, out);
      return;
    case Family::kUtility:
      *out += d.other_prefix;
      *out += "-";
      AppendUint(static_cast<uint64_t>(c.year), out);
      *out += "-";
      AppendPadded(c.serial % 1000000, 6, out);
      return;
    default:
      bracket(d.other_prefix, "", c.serial);
      return;
  }
}

namespace {

void AppendCourtName(int court, std::string* out) {
  const auto districts = Districts();
  if (court >= static_cast<int>(districts.size())) {
    *out += "郑州市中级人民法院";
    return;
  }
  *out += districts[static_cast<size_t>(court)].prefix;
  *out += "人民法院";
}

void AppendYearMonth(Date d, std::string* out) {
  AppendUint(static_cast<uint64_t>(d.year()), out);
  out->push_back('-');
  AppendPadded(static_cast<uint64_t>(d.month()), 2, out);
}

void AppendLicenceNumber(LicenceNumber style, const Population& pop, uint32_t subject,
                         Date decision, uint32_t serial, Rng& r, std::string* out) {
  const Subject& s = pop[subject];
  std::string_view region = Districts()[s.district].code;
  const int year = decision.year();
  auto digits = [&](int n) {
    for (int k = 0; k < n; ++k) out->push_back(static_cast<char>('0' + r.Below(10)));
  };
  switch (style) {
    case LicenceNumber::kNone:
      return;
    case LicenceNumber::kFoodBusiness:
      *out += "JY";
      out->push_back("123"[r.Below(3)]);
      *out += region;
      digits(7);
      return;
    case LicenceNumber::kFoodProduction:
      *out += "SC";
      digits(3);
      *out += region;
      digits(5);
      return;
    case LicenceNumber::kUscc:
      if (s.has_uscc()) {
        out->append(s.uscc_view());
      } else if (s.legacy == Legacy::kRegNumber) {
        pop.AppendRegNumber(subject, out);
      } else {
        pop.AppendOrgCode(subject, out);
      }
      return;
    case LicenceNumber::kSpecialEquipment:
      *out += r.Chance(0.7) ? "梯11豫A" : "容11豫A";
      digits(5);
      *out += "(";
      AppendPadded(static_cast<uint64_t>(year % 100), 2, out);
      *out += ")";
      return;
    case LicenceNumber::kIndustrial:
      *out += "XK";
      digits(2);
      *out += "-";
      digits(3);
      *out += "-";
      digits(5);
      return;
    case LicenceNumber::kDrug:
      *out += "豫AA371";
      digits(4);
      return;
    case LicenceNumber::kPollutant:
      if (s.has_uscc()) {
        out->append(s.uscc_view());
      } else {
        *out += region;
        digits(12);
      }
      *out += "001";
      out->push_back("PVUWQ"[r.Below(5)]);
      return;
    case LicenceNumber::kHazardousWaste:
      *out += "HW4101";
      digits(4);
      return;
    case LicenceNumber::kBuildPermit:
      *out += region;
      AppendUint(decision.ToYmdNumber(), out);
      AppendPadded(serial % 100, 2, out);
      *out += "01";
      return;
    case LicenceNumber::kQualification:
      *out += "D241";
      digits(6);
      return;
    case LicenceNumber::kPresale:
      *out += "郑房预售字〔";
      AppendUint(static_cast<uint64_t>(year), out);
      *out += "〕第";
      AppendPadded(serial % 10000, 4, out);
      *out += "号";
      return;
    case LicenceNumber::kSafety:
      *out += "（豫）JZ安许证字〔";
      AppendUint(static_cast<uint64_t>(year), out);
      *out += "〕";
      digits(6);
      return;
    case LicenceNumber::kPersonCert:
      *out += "豫";
      AppendUint(static_cast<uint64_t>(year), out);
      digits(8);
      return;
    case LicenceNumber::kRoadTransport:
      *out += "豫交运管许可郑字";
      *out += region;
      digits(6);
      *out += "号";
      return;
    case LicenceNumber::kRideHailing:
      *out += "豫交运管郑字";
      *out += region;
      digits(6);
      *out += "号";
      return;
    case LicenceNumber::kOverload:
      *out += "豫超";
      AppendUint(static_cast<uint64_t>(year), out);
      digits(6);
      return;
    case LicenceNumber::kMedicalInstitution:
      *out += "PDY";
      digits(5);
      *out += region;
      *out += "17A1002";
      return;
    case LicenceNumber::kHygiene:
      *out += "豫卫公证字〔";
      AppendUint(static_cast<uint64_t>(year), out);
      *out += "〕第";
      *out += region;
      *out += "-";
      digits(6);
      *out += "号";
      return;
    case LicenceNumber::kRadiation:
      *out += "豫卫放证字〔";
      AppendUint(static_cast<uint64_t>(year), out);
      *out += "〕第";
      digits(6);
      *out += "号";
      return;
    case LicenceNumber::kDoctor:
      *out += "110";
      *out += region;
      digits(6);
      return;
    case LicenceNumber::kEntertainment:
      *out += region;
      AppendUint(static_cast<uint64_t>(year), out);
      digits(6);
      return;
    case LicenceNumber::kNetCulture:
      *out += "豫网文〔";
      AppendUint(static_cast<uint64_t>(year), out);
      *out += "〕";
      digits(4);
      *out += "-";
      digits(3);
      *out += "号";
      return;
    case LicenceNumber::kTravel:
      *out += "L-HEN-";
      digits(5);
      return;
    case LicenceNumber::kGuide:
      *out += "D-4101-";
      digits(6);
      return;
    case LicenceNumber::kPerformance:
      *out += region;
      AppendUint(static_cast<uint64_t>(year), out);
      digits(5);
      return;
    case LicenceNumber::kLandPlan:
    case LicenceNumber::kBuildPlan:
    case LicenceNumber::kVillagePlan:
      *out += style == LicenceNumber::kLandPlan    ? "地字第"
              : style == LicenceNumber::kBuildPlan ? "建字第"
                                                   : "乡字第";
      *out += style == LicenceNumber::kVillagePlan ? region : std::string_view("410100");
      AppendUint(static_cast<uint64_t>(year), out);
      AppendPadded(serial % 100000, 5, out);
      *out += "号";
      return;
    case LicenceNumber::kMining:
      *out += "C41010020";
      AppendUint(static_cast<uint64_t>(year), out);
      digits(6);
      return;
  }
}

constexpr std::string_view kKindNames[] = {"警告",         "罚款",         "没收违法所得",
                                           "暂扣许可证件", "责令停产停业", "吊销许可证件"};

}  // namespace

void IndicatorGenerator::Render(size_t field, Ctx& c, Rng& r, std::string* out) {
  const Field& f = ind_.fields[field];
  const Subject& s = pop_[c.subject];
  const bool person = s.kind == SubjectKind::kPerson;
  const char sep = profile_->date_sep;
  const Family fam = profile_->family;
  switch (slots_[field]) {
    case Slot::kEmpty:
      return;
    case Slot::kName:
      pop_.AppendName(c.subject, out);
      return;
    case Slot::kCategory:
      *out += pop_.CategoryOf(c.subject);
      return;
    case Slot::kUscc:
      if (!s.has_uscc()) return;
      out->append(s.uscc_view());
      if (c.bad_uscc) {
        // Any other character of the alphabet breaks the check.
        size_t v = ident::kUsccAlphabet.find(s.uscc[17]);
        out->back() = ident::kUsccAlphabet[(v + 1 + r.Below(30)) % 31];
      }
      return;
    case Slot::kRegNo:
      if (s.legacy == Legacy::kRegNumber ||
          (fam == Family::kAbnormal && s.has_uscc() && s.founded < DaysFromCivil(2015, 10, 1))) {
        pop_.AppendRegNumber(c.subject, out);
      }
      return;
    case Slot::kOrgCode:
      if (s.legacy == Legacy::kOrgCode ||
          (fam == Family::kCourt && s.has_uscc() && (s.extra & 4))) {
        pop_.AppendOrgCode(c.subject, out);
      }
      return;
    case Slot::kTaxNo:
      if (s.legacy == Legacy::kOrgCode && (s.extra & 2)) pop_.AppendTaxNumber(c.subject, out);
      return;
    case Slot::kInstCert:
      if (s.extra & 1) pop_.AppendInstitutionCert(c.subject, out);
      return;
    case Slot::kSocialCert:
      if (s.extra & 1) pop_.AppendSocialOrgCert(c.subject, out);
      return;
    case Slot::kIdType:
      if (person) *out += kIdType;
      return;
    case Slot::kIdNumber:
      if (person) pop_.AppendPersonId(c.subject, out);
      return;
    case Slot::kRepName:
      if (!person) pop_.AppendPersonName(pop_.RepresentativeOf(c.subject), out);
      return;
    case Slot::kRepIdType:
      if (!person && c.show_rep_id) *out += kIdType;
      return;
    case Slot::kRepId:
      if (!person && c.show_rep_id) pop_.AppendPersonId(pop_.RepresentativeOf(c.subject), out);
      return;
    case Slot::kRespName:
    case Slot::kRespId:
      // Half the entries against an organization also name a responsible person.
      if (!person && c.show_rep_id && (s.extra & 8)) {
        const uint32_t who = pop_.ResponsiblePersonOf(c.subject);
        if (who == c.subject) return;
        if (slots_[field] == Slot::kRespName) {
          pop_.AppendPersonName(who, out);
        } else {
          pop_.AppendPersonId(who, out);
        }
      }
      return;
    case Slot::kDecisionDate:
      if (c.bad_date) {
        // Dates no parser accepts: a 30th of February, a 13th month, a month 0, a word.
        const int y = c.decision.year();
        switch (r.Below(5)) {
          case 0:
            AppendUint(static_cast<uint64_t>(y), out);
            *out += "-02-30";
            break;
          case 1:
            AppendUint(static_cast<uint64_t>(y), out);
            *out += "/13/";
            AppendPadded(1 + r.Below(28), 2, out);
            break;
          case 2:
            AppendUint(static_cast<uint64_t>(y), out);
            *out += "-00-";
            AppendPadded(1 + r.Below(28), 2, out);
            break;
          case 3:
            AppendUint(static_cast<uint64_t>(y), out);
            *out += "年13月";
            AppendUint(1 + r.Below(28), out);
            *out += "日";
            break;
          default:
            *out += "待定";
            break;
        }
        return;
      }
      AppendDate(c.decision, sep, out);
      return;
    case Slot::kReportDate:
      AppendDate(c.report, sep, out);
      return;
    case Slot::kDocNo:
      AppendDocNo(c, out);
      return;
    case Slot::kCommitCode:
      AppendCommitmentCode(c, out);
      return;
    case Slot::kProcedure:
      *out += c.simple ? "简易程序" : "普通程序";
      return;
    case Slot::kDeptName:
      *out += city_.dept(c.dept).name;
      return;
    case Slot::kDeptCode:
      *out += city_.dept(c.dept).code;
      return;
    case Slot::kSourceName:
      *out += city_.dept(c.source).name;
      return;
    case Slot::kSourceCode:
      *out += city_.dept(c.source).code;
      return;
    case Slot::kValidFrom:
      AppendDate(c.decision, sep, out);
      return;
    case Slot::kValidTo:
      AppendDate(c.valid_to.days() != 0 ? c.valid_to : c.decision.AddMonths(12), sep, out);
      return;
    case Slot::kRemark:
      if (r.Chance(0.08)) *out += PickAlt(Remarks(), r);
      return;
    case Slot::kProvince:
      *out += "河南";
      return;
    case Slot::kAddress:
      pop_.AppendAddress(c.subject, out);
      return;
    case Slot::kViolation:
      *out += fam == Family::kPenalty ? PenaltyThemes()[static_cast<size_t>(c.theme)].violation
                                      : std::string_view("违反相关管理规定");
      return;
    case Slot::kFacts:
      if (fam != Family::kPenalty) {
        *out += "经查，当事人存在违法行为，事实清楚，证据确凿。";
        return;
      }
      AppendTemplate(c.text1, c, r, out);
      // Some departments write the evidence on a line of its own.
      if (r.Chance(0.04)) *out += "\n以上事实有现场检查笔录、询问笔录、现场照片等证据为证。";
      return;
    case Slot::kBasis:
      *out += fam == Family::kPenalty ? PenaltyThemes()[static_cast<size_t>(c.theme)].basis
                                      : std::string_view("《中华人民共和国行政处罚法》");
      return;
    case Slot::kPenaltyKinds: {
      bool first = true;
      for (int b = 0; b < 6; ++b) {
        if (!(c.kinds & (1 << b))) continue;
        if (!first) *out += ";";
        *out += kKindNames[b];
        first = false;
      }
      if (first) *out += "警告";
      return;
    }
    case Slot::kPenaltyContent: {
      const PenaltyTheme& t =
          PenaltyThemes()[static_cast<size_t>(fam == Family::kPenalty ? c.theme : 0)];
      const bool numbered = (c.serial & 1) != 0;
      int n = 0;
      auto item = [&](auto&& body) {
        if (numbered) {
          if (n > 0) *out += "；";
          AppendUint(static_cast<uint64_t>(n + 1), out);
          *out += ".";
        } else {
          *out += n == 0 ? "决定给予当事人" : "，";
        }
        body();
        ++n;
      };
      if (c.kinds & kKindWarn) item([&] { *out += "警告"; });
      if (c.kinds & kKindFine)
        item([&] {
          *out += "罚款人民币";
          AppendUint(c.fine, out);
          *out += "元";
        });
      if (c.kinds & kKindConfiscate)
        item([&] {
          *out += "没收违法所得";
          AppendUint(c.gain, out);
          *out += "元";
        });
      if (c.kinds & kKindSuspend)
        item([&] {
          *out += "暂扣";
          *out += t.licence.empty() ? "许可证件" : t.licence;
          *out += "三个月";
        });
      if (c.kinds & kKindStop) item([&] { *out += "责令停产停业整顿三十日"; });
      if (c.kinds & kKindRevoke)
        item([&] {
          *out += "吊销";
          *out += t.licence.empty() ? "许可证件" : t.licence;
        });
      *out += numbered ? "。" : "的行政处罚。";
      return;
    }
    case Slot::kFine:
      if (c.kinds & kKindFine) AppendWan(c.fine / 100, out);
      return;
    case Slot::kConfiscation:
      if (c.kinds & kKindConfiscate) AppendWan(c.gain / 100, out);
      return;
    case Slot::kSuspended: {
      if (!(c.kinds & (kKindSuspend | kKindRevoke)) || fam != Family::kPenalty) return;
      const PenaltyTheme& t = PenaltyThemes()[static_cast<size_t>(c.theme)];
      if (t.licence.empty()) return;
      *out += t.licence;
      *out += "（";
      AppendLicenceNumber(
          t.licence == "食品经营许可证" ? LicenceNumber::kFoodBusiness : LicenceNumber::kUscc, pop_,
          c.subject, c.decision, c.serial, r, out);
      *out += "）";
      return;
    }
    case Slot::kPublicityEnd:
      AppendDate(
          c.decision.AddMonths(ind_.publicity_max_months > 0 ? ind_.publicity_max_months : 12), sep,
          out);
      return;
    case Slot::kLicDocName:
      *out += LicenceThemes()[static_cast<size_t>(c.theme)].doc_name;
      return;
    case Slot::kLicCategory:
      *out += LicenceThemes()[static_cast<size_t>(c.theme)].category;
      return;
    case Slot::kLicCert:
      *out += LicenceThemes()[static_cast<size_t>(c.theme)].cert;
      return;
    case Slot::kLicNo:
      AppendLicenceNumber(LicenceThemes()[static_cast<size_t>(c.theme)].number, pop_, c.subject,
                          c.decision, c.serial, r, out);
      return;
    case Slot::kLicContent:
      AppendTemplate(c.text1, c, r, out);
      return;
    case Slot::kLicStatus:
      *out += c.state == 0 ? "有效" : "无效";
      return;
    case Slot::kRegType:
      *out += pop_.RegistrationType(c.subject);
      return;
    case Slot::kCapital: {
      static constexpr uint16_t kCompany[] = {10,  50,   100,  100,  200,   300,
                                              500, 1000, 2000, 5000, 10000, 30};
      static constexpr uint16_t kSmall[] = {1, 2, 3, 5, 10, 20};
      if (s.kind == SubjectKind::kIndividual || s.kind == SubjectKind::kCooperative ||
          s.kind == SubjectKind::kOrganization || s.kind == SubjectKind::kSoleProprietor ||
          s.kind == SubjectKind::kPartnership) {
        AppendUint(kSmall[s.extra % 6] * (s.kind == SubjectKind::kIndividual ? 1u : 10u), out);
      } else if (s.kind != SubjectKind::kBranch) {
        AppendUint(kCompany[s.extra % 12], out);
      }
      return;
    }
    case Slot::kFounded:
      AppendDate(Date::FromDays(s.founded), sep, out);
      return;
    case Slot::kRegAuthority:
      if (s.kind == SubjectKind::kOrganization) {
        *out += OrgPatterns()[s.industry].authority == '1' ? "郑州市事业单位登记管理局"
                                                           : "郑州市民政局";
      } else if (s.kind == SubjectKind::kCompany &&
                 (s.form == 3 || s.form == 5 || s.form == 6 || s.form == 8)) {
        *out += city_.dept(c.source).name;
      } else {
        *out += city_.dept(c.dept).name;
      }
      return;
    case Slot::kScope:
      *out += s.kind == SubjectKind::kOrganization ? OrgPatterns()[s.industry].scope
                                                   : ScopeFor(pop_.SectorOf(c.subject));
      return;
    case Slot::kIndustry:
      *out += pop_.IndustryCodeOf(c.subject);
      return;
    case Slot::kRegStatus: {
      static constexpr std::string_view kStatus[] = {"存续", "在业", "迁出", "吊销", "注销"};
      *out += kStatus[s.status % 5];
      return;
    }
    case Slot::kCourt:
      AppendCourtName(c.court, out);
      return;
    case Slot::kBasisDocNo:
      if (c.serial % 7 == 0) {
        *out += "郑仲裁字〔";
        AppendUint(static_cast<uint64_t>(c.aux2.year() - 1), out);
        *out += "〕第";
        AppendUint(c.number, out);
        *out += "号";
      } else {
        const auto districts = Districts();
        *out += "（";
        AppendUint(static_cast<uint64_t>(c.aux2.year() - (c.number % 3 == 0 ? 0 : 1)), out);
        *out += "）";
        *out += c.court < static_cast<int>(districts.size())
                    ? districts[static_cast<size_t>(c.court)].court
                    : std::string_view("豫01");
        *out += NthAlt(CourtBasisKinds(), c.number);
        AppendUint(c.number, out);
        *out += "号";
      }
      return;
    case Slot::kBasisIssuer:
      if (c.serial % 7 == 0) {
        *out += "郑州仲裁委员会";
      } else {
        AppendCourtName(c.court, out);
      }
      return;
    case Slot::kFiledDate:
      AppendDate(c.aux2, sep, out);
      return;
    case Slot::kDuty:
      AppendTemplate(c.text1, c, r, out);
      return;
    case Slot::kPerformance:
      *out += c.state == 0 ? "全部未履行" : "部分未履行";
      return;
    case Slot::kConduct:
      *out += c.text2;
      return;
    case Slot::kPerformedPart:
      if (c.state == 1) {
        *out += "已履行";
        AppendUint(c.amount / 10 * (1 + c.number % 6), out);
        *out += "元";
      }
      return;
    case Slot::kUnperformedPart:
      if (c.state == 1) {
        *out += "未履行";
        AppendUint(c.amount - c.amount / 10 * (1 + c.number % 6), out);
        *out += "元及利息";
      } else {
        *out += "全部未履行";
      }
      return;
    case Slot::kListName:
      *out += fam == Family::kSerious ? ListThemes()[static_cast<size_t>(c.theme)].list
                                      : std::string_view("严重失信主体名单");
      return;
    case Slot::kListReason:
      *out += c.text1;
      return;
    case Slot::kListBasis:
      *out += fam == Family::kSerious ? ListThemes()[static_cast<size_t>(c.theme)].basis
                                      : std::string_view("《河南省社会信用条例》");
      return;
    case Slot::kAbnReason:
      *out += c.text1;
      return;
    case Slot::kRemovalDate:
      if (c.state == 1) AppendDate(c.aux2, sep, out);
      return;
    case Slot::kRemovalReason:
      if (c.state == 1) *out += c.text2;
      return;
    case Slot::kRemovalAuthority:
      if (c.state == 1) *out += city_.dept(c.dept).name;
      return;
    case Slot::kEvalYear:
      AppendUint(static_cast<uint64_t>(c.year), out);
      return;
    case Slot::kEvalResult:
      *out += "A";
      return;
    case Slot::kHonour:
      *out += fam == Family::kHonour ? HonourThemes()[static_cast<size_t>(c.theme)].name
                                     : std::string_view("诚信示范");
      return;
    case Slot::kCommitType:
      *out += CommitmentThemes()[static_cast<size_t>(c.theme)].type;
      return;
    case Slot::kCommitReason:
      *out += c.text1;
      return;
    case Slot::kCommitContent:
      *out += c.text2;
      return;
    case Slot::kCommitLiability:
      *out += PickAlt(CommitmentLiability(), r);
      return;
    case Slot::kCommitState: {
      static constexpr std::string_view kStates[] = {"", "全部履行", "部分履行", "全部未履行"};
      *out += kStates[c.state % 4];
      return;
    }
    case Slot::kCommitUnperformed:
      if (c.state >= 2) *out += PickAlt(CommitmentUnperformed(), r);
      return;
    case Slot::kCommitPursuit:
      if (c.state >= 2) *out += PickAlt(CommitmentPursuit(), r);
      return;
    case Slot::kCommitStateDate:
      if (c.state != 0) AppendDate(c.aux2, sep, out);
      return;
    case Slot::kCommitStateDept:
      if (c.state != 0) *out += city_.dept(c.dept).name;
      return;
    case Slot::kCommitStateDeptCode:
      if (c.state != 0) *out += city_.dept(c.dept).code;
      return;
    case Slot::kCommitFalse:
      // 虚假承诺: a share of the commitments found wholly unfulfilled were false.
      if (c.state == 3) {
        *out += r.Chance(0.3) ? "是" : "否";
      } else if (c.state != 0) {
        *out += "否";
      }
      return;
    case Slot::kPublicType: {
      uint32_t x = r.Below(100);
      *out += x < 90 ? "可向社会公开" : x < 98 ? "特定范围内公开" : "不可公开";
      return;
    }
    case Slot::kContractName:
      AppendTemplate(c.text1, c, r, out);
      return;
    case Slot::kContractAmount:
      AppendWan(c.amount, out);
      return;
    case Slot::kCounterparty:
      AppendTemplate(c.text2, c, r, out);
      return;
    case Slot::kContractState: {
      static constexpr std::string_view kStates[] = {"正常履约", "部分履约", "违约"};
      *out += kStates[c.state % 3];
      return;
    }
    case Slot::kInsuranceType:
      *out += c.text1;
      return;
    case Slot::kArrearsAmount:
      AppendWan(std::max<uint64_t>(c.amount, 1), out);
      return;
    case Slot::kArrearsFrom:
      AppendYearMonth(c.aux, out);
      return;
    case Slot::kArrearsTo:
      AppendYearMonth(c.aux2, out);
      return;
    case Slot::kAccountNo: {
      const Domain dom = city_.dept(c.dept).domain;
      uint64_t h = Mix64(c.subject * 31ULL + static_cast<uint64_t>(c.dept));
      if (dom == Domain::kWater) {
        *out += "01";
        AppendPadded(h % 100000000, 8, out);
      } else if (dom == Domain::kPower) {
        *out += "41";
        AppendPadded(h % 100000000, 8, out);
      } else {
        *out += "3";
        AppendPadded(h % 1000000000, 9, out);
      }
      return;
    }
    case Slot::kUtilityType: {
      const Domain dom = city_.dept(c.dept).domain;
      if (dom == Domain::kWater)
        *out += "供水";
      else if (dom == Domain::kPower)
        *out += "供电";
      else if (dom == Domain::kGas)
        *out += "燃气";
      else if (!f.enum_values.empty())
        *out += f.enum_values[r.Below(f.enum_values.size())];
      return;
    }
    case Slot::kAnyEnum:
      if (!f.enum_values.empty()) *out += f.enum_values[r.Below(f.enum_values.size())];
      return;
    case Slot::kAnyDate:
      AppendDate(c.decision, sep, out);
      return;
    case Slot::kAnyMoney:
      AppendWan(LogUniform(r, 10, 100000, 1), out);
      return;
    case Slot::kAnyInteger:
      AppendUint(1 + r.Below(100), out);
      return;
    case Slot::kAnyText:
      *out += f.type == FieldType::kText ? std::string_view("详见相关决定文书")
                                         : std::string_view("按规定填报");
      return;
    case Slot::kAnyCode:
      *out += city_.dept(c.dept).code;
      return;
  }
}

void IndicatorGenerator::Correct() {
  int target = correct_field_;
  if (target >= 0 && cell_[static_cast<size_t>(target)].empty()) target = remark_field_;
  if (target < 0) return;
  std::string& v = cell_[static_cast<size_t>(target)];
  const Field& f = ind_.fields[static_cast<size_t>(target)];
  if (f.type == FieldType::kMoney && !v.empty()) {
    // A corrected amount: three fifths of the published one.
    uint64_t hundredths = 0;
    int decimals = -1;
    for (char ch : v) {
      if (ch == '.') {
        decimals = 0;
      } else if (ch >= '0' && ch <= '9' && decimals < 2) {
        hundredths = hundredths * 10 + static_cast<uint64_t>(ch - '0');
        if (decimals >= 0) ++decimals;
      }
    }
    if (decimals < 0) decimals = 0;
    for (; decimals < 2; ++decimals) hundredths *= 10;
    uint64_t fixed = std::max<uint64_t>(hundredths * 3 / 5, 1);
    if (fixed == hundredths) ++fixed;
    v.clear();
    AppendWan(fixed, &v);
  } else if (target == remark_field_) {
    v = "更正：原公示信息有误，予以更正";
  } else {
    v += "（更正）";
  }
}

void IndicatorGenerator::Serialize(BadKind kind, Rng& r) {
  line_.clear();
  const size_t n = cell_.size();
  if (profile_->jsonl) {
    line_ += "{";
    bool first = true;
    for (size_t i = 0; i < n; ++i) {
      if (cell_[i].empty() && static_cast<int>(i) != forced_empty_) continue;
      if (!first) line_ += ",";
      first = false;
      AppendJsonString(ind_.fields[i].code, &line_);
      line_ += ":";
      AppendJsonString(cell_[i], &line_);
    }
    line_ += "}";
    if (kind == BadKind::kWrongColumns) {
      // A broken object: cut at a value boundary near the middle.
      size_t cut = line_.find("\",\"", line_.size() / 2);
      if (cut == std::string::npos) cut = line_.size() / 2;
      line_.resize(cut + 1);
    }
    line_ += "\n";
    return;
  }
  size_t cells = n;
  bool extra = false;
  if (kind == BadKind::kWrongColumns) {
    if (r.Chance(0.5)) {
      cells = n - 1;
    } else {
      extra = true;
    }
  }
  for (size_t i = 0; i < cells; ++i) {
    if (i > 0) line_ += ",";
    ingest::AppendCsvField(cell_[i], &line_);
  }
  if (extra) line_ += ",";
  line_ += profile_->labels ? "\r\n" : "\n";
}

// Keeps a rendered value within what the catalog allows: one of the enum values, at most
// max_length characters. `s` holds the value from byte `start` on.
void IndicatorGenerator::Conform(size_t field, size_t start, Rng& r, std::string* s) const {
  if (s->size() == start) return;
  const Field& f = ind_.fields[field];
  if (f.type == FieldType::kEnum && !f.enum_values.empty()) {
    std::string_view v(s->data() + start, s->size() - start);
    if (std::find(f.enum_values.begin(), f.enum_values.end(), v) == f.enum_values.end()) {
      s->resize(start);
      *s += f.enum_values[r.Below(f.enum_values.size())];
    }
    return;
  }
  if (f.type != FieldType::kString && f.type != FieldType::kText) return;
  const size_t max = f.max_length ? f.max_length : (f.type == FieldType::kText ? 4000 : 500);
  if (s->size() - start > max && Utf8Length(std::string_view(*s).substr(start)) > max) {
    TruncateChars(s, start, max);
  }
}

Status IndicatorGenerator::Emit(Entry* e, BadKind kind, bool correction) {
  Rng r(SubSeed(seed_, e->base * 2 + 1));
  Ctx c;
  c.subject = e->subject;
  Prepare(c, r, e, kind);
  if (!profile_->jsonl && !correction && (kind == BadKind::kNone || kind == BadKind::kDuplicate)) {
    // Most rows: rendered straight into the file buffer.
    XY_ASSIGN_OR_RETURN(std::string * out, sink_->BeginRow());
    for (size_t i = 0; i < slots_.size(); ++i) {
      if (i > 0) out->push_back(',');
      const size_t start = out->size();
      Render(i, c, r, out);
      Conform(i, start, r, out);
      std::string_view v = std::string_view(*out).substr(start);
      if (ingest::NeedsCsvQuotes(v)) {
        line_.assign(v);
        out->resize(start);
        ingest::AppendCsvField(line_, out);
      }
    }
    *out += profile_->labels ? "\r\n" : "\n";
    XY_RETURN_IF_ERROR(sink_->EndRow());
    Count(kind, c.late, false);
    return Status::Ok();
  }
  for (size_t i = 0; i < cell_.size(); ++i) {
    std::string& v = cell_[i];
    v.clear();
    Render(i, c, r, &v);
    Conform(i, 0, r, &v);
  }
  forced_empty_ = -1;
  if (kind == BadKind::kMissingRequired) {
    // Prefer a required field that has a value; the subject's name and the decision date are
    // the usual gaps in real exports.
    int f = required_[r.Below(required_.size())];
    for (int tries = 0; tries < 4 && cell_[static_cast<size_t>(f)].empty(); ++tries) {
      f = required_[r.Below(required_.size())];
    }
    cell_[static_cast<size_t>(f)].clear();
    forced_empty_ = f;
  }
  if (correction) Correct();
  Serialize(kind, r);
  XY_RETURN_IF_ERROR(sink_->Add(line_));
  Count(kind, c.late, correction);
  return Status::Ok();
}

void IndicatorGenerator::Count(BadKind kind, bool late, bool correction) {
  ++tally_->rows;
  if (kind != BadKind::kNone) {
    ++tally_->bad;
    ++tally_->by_kind[static_cast<size_t>(kind)];
  } else if (late) {
    ++tally_->late;
  }
  if (correction) ++tally_->corrections;
}

Status IndicatorGenerator::Step(uint64_t base, int64_t subject_hint, int32_t year) {
  if (!ring_.empty() && correct_field_ >= 0 && ctrl_.Chance(opt_.correction_share)) {
    size_t k = ctrl_.Below(ring_.size());
    Entry e = ring_[k];
    ring_[k] = ring_.back();
    ring_.pop_back();
    XY_RETURN_IF_ERROR(Emit(&e, BadKind::kNone, true));
  }
  BadKind kind = BadKind::kNone;
  if (ctrl_.Chance(opt_.bad_share)) {
    static constexpr uint16_t kWeights[] = {0, 20, 15, 12, 10, 20, 10, 13};
    kind = static_cast<BadKind>(ctrl_.Weighted(kWeights, 100));
  }
  if (kind == BadKind::kDuplicate) {
    if (!ring_.empty()) {
      Entry e = ring_[ctrl_.Below(ring_.size())];
      XY_RETURN_IF_ERROR(Emit(&e, BadKind::kDuplicate, false));
      kind = BadKind::kNone;
    } else {
      kind = BadKind::kMissingRequired;
    }
  }
  const bool persons_allowed = persons_allowed_;
  if (kind == BadKind::kBadUscc && !has_uscc_slot_) kind = BadKind::kBadDate;
  if (kind == BadKind::kSimpleProcedure &&
      (!has_procedure_slot_ || !persons_allowed || subject_hint >= 0)) {
    kind = BadKind::kMissingRequired;
  }
  if ((kind == BadKind::kBadDate || kind == BadKind::kFutureDate) && !has_date_slot_)
    kind = BadKind::kMissingRequired;
  if (kind == BadKind::kMissingRequired && required_.empty()) kind = BadKind::kWrongColumns;

  int64_t subject = subject_hint;
  if (subject < 0) {
    Rng pick(SubSeed(seed_, base * 2));
    bool person = kind == BadKind::kSimpleProcedure ||
                  (persons_allowed && pick.Chance(profile_->person_share));
    subject = PickSubject(pick, person, kind == BadKind::kBadUscc);
    if (subject < 0 && person) subject = PickSubject(pick, false, kind == BadKind::kBadUscc);
    if (subject < 0) return Status::Ok();
    if (kind == BadKind::kSimpleProcedure &&
        pop_[static_cast<uint32_t>(subject)].kind != SubjectKind::kPerson) {
      kind = BadKind::kMissingRequired;
    }
  }
  if (kind == BadKind::kBadUscc && !pop_[static_cast<uint32_t>(subject)].has_uscc())
    kind = BadKind::kBadDate;
  Entry e{base, static_cast<uint32_t>(subject), 0, year};
  XY_RETURN_IF_ERROR(Emit(&e, kind, false));
  if (kind == BadKind::kNone) {
    if (ring_.size() < 256) {
      ring_.push_back(e);
    } else {
      ring_[ring_next_++ % ring_.size()] = e;
    }
  }
  return Status::Ok();
}

Status IndicatorGenerator::Run(std::vector<std::pair<std::string, uint64_t>>* files,
                               GenTally* tally) {
  std::string header;
  if (!profile_->jsonl) {
    for (size_t i = 0; i < ind_.fields.size(); ++i) {
      const Field& f = ind_.fields[i];
      if (i > 0) header += ",";
      // Chinese labels where they name the field unambiguously, as spreadsheets export them.
      bool label = profile_->labels && ind_.FieldIndex(f.label) == static_cast<int>(i);
      ingest::AppendCsvField(label ? f.label : f.code, &header);
    }
    header += profile_->labels ? "\r\n" : "\n";
  }
  RowSink sink(opt_.out_dir, ind_.code, profile_->jsonl ? "jsonl" : "csv", header, profile_->labels,
               opt_.gbk && !profile_->jsonl, opt_.rows_per_file);
  sink_ = &sink;
  tally_ = tally;
  cell_.assign(ind_.fields.size(), std::string());
  for (auto& v : cell_) v.reserve(256);
  line_.reserve(8192);

  const Family fam = profile_->family;
  uint64_t base = 0;
  if (fam == Family::kRegistration) {
    // One registration row per organization.
    for (uint32_t s : pop_.organizations()) {
      if (Eligible(s)) XY_RETURN_IF_ERROR(Step(base++, s, 0));
    }
  } else if (fam == Family::kTaxGrade) {
    // One row per A-graded subject and evaluation year; grades are published in April.
    const Date as_of = city_.as_of();
    std::vector<int> years;
    for (int y = as_of.year() - 4; y < as_of.year(); ++y) {
      if (Date::FromDays(DaysFromCivil(y + 1, 4, 1)) <= as_of) years.push_back(y);
    }
    if (years.size() > 3) years.erase(years.begin(), years.end() - 3);
    for (int y : years) {
      for (uint32_t s : pop_.organizations()) {
        if (Eligible(s) && pop_[s].has_uscc() && ctrl_.Chance(kTaxAShare)) {
          XY_RETURN_IF_ERROR(Step(base++, s, y));
        }
      }
    }
  } else {
    for (uint32_t i : pop_.organizations()) {
      if (Eligible(i)) eligible_orgs_.push_back(i);
    }
    for (uint32_t i : pop_.persons()) {
      if (Eligible(i)) eligible_persons_.push_back(i);
    }
    const uint64_t rows = static_cast<uint64_t>(
        std::llround(profile_->per_subject * static_cast<double>(pop_.size())));
    for (; base < rows; ++base) XY_RETURN_IF_ERROR(Step(base, -1, 0));
  }
  Status st = sink.Finish(files);
  sink_ = nullptr;
  return st;
}

}  // namespace xinyong::gen
