// The administrative side of the synthetic city: the departments that decide, and what they
// decide — penalty themes (违法行为 with facts, legal basis and fines), licence themes (许可 with
// certificate, category and validity), serious-dishonesty lists, honours (红名单), commitment
// texts and the smaller vocabularies of the other indicators. Plain constant tables.
// Text placeholders: {D} a date before the decision, {A} the subject's address, {M} goods value
// in 元, {G} illegal gain in 元, {P} the subject's district prefix, {B} a brand, {N} a number.
// Thread-safety: immutable data; safe to share.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

namespace xinyong::gen {

// Who a theme may concern (bit flags): organizations, individual businesses, natural persons.
enum Who : uint8_t { kWhoOrg = 1, kWhoShop = 2, kWhoPerson = 4 };
inline constexpr uint8_t kOrgsShops = kWhoOrg | kWhoShop;
inline constexpr uint8_t kAnyone = kWhoOrg | kWhoShop | kWhoPerson;

enum class Domain : uint8_t {
  kMarket,
  kEnv,
  kBuild,
  kTransport,
  kHealth,
  kEmergency,
  kUrban,
  kCulture,
  kLand,
  kTax,
  kFire,
  kDevReform,
  kHrss,
  kFinance,
  kTrading,
  kCourt,
  kCustoms,
  kCivil,
  kWater,
  kPower,
  kGas,
  kOther,
};

struct DeptSpec {
  std::string_view name;
  Domain domain;
  std::string_view penalty_prefix;  // 行政处罚决定书文号: "郑市监罚" + "〔2025〕123号"
  std::string_view licence_prefix;  // 许可决定文书号
  std::string_view other_prefix;    // lists, honours, findings
  uint16_t penalty_weight;
  uint16_t licence_weight;
  // District bureaus decide most cases locally: 郑州市金水区市场监督管理局,
  // 国家税务总局郑州市金水区税务局.
  bool district_units;
  char
      authority;  // USCC position 1-2 of the department itself: "11" 机关, "12" 事业单位, "91" 企业
  char type;
};
std::span<const DeptSpec> DeptSpecs();

// Penalty extras (bit flags of PenaltyTheme::extras).
enum PenaltyExtra : uint8_t {
  kWarn = 1,        // 警告 possible
  kConfiscate = 2,  // 没收违法所得 / 非法财物 possible
  kSuspend = 4,     // 暂扣许可证件
  kStop = 8,        // 责令停产停业
  kRevoke = 16,     // 吊销许可证件
};

struct PenaltyTheme {
  Domain domain;
  uint16_t sectors;
  uint8_t who;                 // Who bits
  std::string_view violation;  // 违法行为类型
  std::string_view facts;      // 违法事实, '|' alternatives
  std::string_view basis;      // 处罚依据
  uint32_t fine_min;           // 元
  uint32_t fine_max;
  uint8_t extras;
  std::string_view licence;  // the licence a suspension or revocation concerns
};
std::span<const PenaltyTheme> PenaltyThemes();

// How a licence number (许可编号) looks.
enum class LicenceNumber : uint8_t {
  kNone,
  kFoodBusiness,
  kFoodProduction,
  kUscc,
  kSpecialEquipment,
  kIndustrial,
  kDrug,
  kPollutant,
  kHazardousWaste,
  kBuildPermit,
  kQualification,
  kPresale,
  kSafety,
  kPersonCert,
  kRoadTransport,
  kRideHailing,
  kOverload,
  kMedicalInstitution,
  kHygiene,
  kRadiation,
  kDoctor,
  kEntertainment,
  kNetCulture,
  kTravel,
  kGuide,
  kPerformance,
  kLandPlan,
  kBuildPlan,
  kVillagePlan,
  kMining,
};

struct LicenceTheme {
  Domain domain;
  uint16_t sectors;
  uint8_t who;  // Who bits: kWhoPerson alone for personal qualifications
  uint16_t weight;
  std::string_view doc_name;  // 许可决定文书名称
  std::string_view category;  // 许可类别: 普通/特许/认可/核准/登记/其他
  std::string_view cert;      // 许可证书名称 ("" none)
  LicenceNumber number;
  std::string_view content;  // 许可内容, '|' alternatives
  uint16_t months;           // validity; 0 = indefinite (2099/12/31)
};
std::span<const LicenceTheme> LicenceThemes();

// Lists of seriously dishonest subjects (严重失信主体名单).
struct ListTheme {
  Domain domain;
  uint8_t who;
  std::string_view list;     // 名单名称
  std::string_view reasons;  // 列入原因, '|' alternatives
  std::string_view basis;    // 法律依据
  uint8_t years;             // 有效期
};
std::span<const ListTheme> ListThemes();

// Honours (诚信红名单).
struct HonourTheme {
  Domain domain;
  uint8_t who;
  std::string_view name;
  uint8_t years;
};
std::span<const HonourTheme> HonourThemes();

// 信用承诺: per commitment type, its reasons and content.
struct CommitmentTheme {
  std::string_view type;  // 承诺类型
  uint16_t weight;
  std::string_view reasons;  // 承诺事由, '|' alternatives
  std::string_view content;  // 承诺内容, '|' alternatives
};
std::span<const CommitmentTheme> CommitmentThemes();
std::string_view CommitmentLiability();    // 违诺责任, '|' alternatives
std::string_view CommitmentUnperformed();  // 未履行的承诺内容
std::string_view CommitmentPursuit();      // 违诺责任追究内容

// 经营异常名录
std::string_view AbnormalReasons();
std::string_view AbnormalRemovalReasons();

// 失信被执行人
std::string_view CourtDuties();      // {M} amount
std::string_view CourtConducts();    // 失信被执行人行为具体情形
std::string_view CourtBasisKinds();  // 民初/民终/商初/...

// 合同履行
std::string_view ContractNames();       // {P} district prefix, {B} brand, {N} number
std::string_view ContractPurchasers();  // {P}

// 社会保险
std::string_view InsuranceTypes();

// 备注 texts for rows that carry one.
std::string_view Remarks();

}  // namespace xinyong::gen
