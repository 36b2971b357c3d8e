#include "catalog/catalog.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <string>
#include <vector>

#include "core/test_paths.h"

namespace xinyong::catalog {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

using test::SourceDir;

std::string CatalogDir() { return SourceDir() + "/data/catalog"; }

// A small valid indicator. Line numbers matter: the rejection tests below expect them.
constexpr std::string_view kBase = R"(code = "demo"
name = "示例信息"
category = "行政管理信息"
legal_basis = "《中华人民共和国行政许可法》"
source_departments = ["郑州市市场监督管理局"]
subject_types = ["legal_person"]
disclosure = "public"
nature = "neutral"
natural_key = ["WSH"]

[[field]]
code = "MC"
label = "名称"
type = "string"
role = "subject_name"
required = true

[[field]]
code = "WSH"
label = "文书号"
role = "document_number"
required = true

[[field]]
code = "RQ"
label = "决定日期"
type = "date"
role = "decision_date"
required = true
)";

// kBase with the one line `from` replaced by `to` (which may span several lines or be empty).
std::string With(std::string_view from, std::string_view to, std::string_view base = kBase) {
  std::string s(base);
  std::string needle = std::string(from) + "\n";
  size_t at = s.find(needle);
  EXPECT_NE(at, std::string::npos) << "test bug: no line '" << from << "'";
  if (at == std::string::npos) return s;
  size_t same = s.find(needle, at + 1);
  EXPECT_EQ(same, std::string::npos) << "test bug: line '" << from << "' is not unique";
  s.replace(at, needle.size(), to.empty() ? std::string() : std::string(to) + "\n");
  return s;
}

// Parses `text` as demo.toml and returns the rejection message ("" if it loaded).
std::string Rejection(const std::string& text) {
  Result<Indicator> r = Catalog::ParseIndicator(text, "demo.toml");
  if (r.ok()) return "";
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  return r.status().message();
}

// ---- The real catalog ----------------------------------------------------------------------

class RealCatalogTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto r = Catalog::LoadDirectory(CatalogDir());
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    catalog_ = std::move(r).value().release();
  }
  static void TearDownTestSuite() {
    delete catalog_;
    catalog_ = nullptr;
  }
  static const Indicator& Get(std::string_view code) {
    const Indicator* ind = catalog_->Find(code);
    EXPECT_NE(ind, nullptr) << code;
    static const Indicator kEmpty;
    return ind ? *ind : kEmpty;
  }
  static std::vector<std::string> FieldCodes(const Indicator& ind) {
    std::vector<std::string> codes;
    for (const Field& f : ind.fields) codes.push_back(f.code);
    return codes;
  }
  static std::vector<std::string> Labels(const Indicator& ind) {
    std::vector<std::string> labels;
    for (const Field& f : ind.fields) labels.push_back(f.label);
    return labels;
  }
  static const Catalog* catalog_;
};

const Catalog* RealCatalogTest::catalog_ = nullptr;

TEST_F(RealCatalogTest, LoadsAllFourteenIndicatorsWithLegalBases) {
  ASSERT_NE(catalog_, nullptr);
  std::set<std::string> codes;
  for (const Indicator& ind : catalog_->indicators()) {
    codes.insert(ind.code);
    EXPECT_THAT(ind.legal_basis, HasSubstr("《")) << ind.code;
    EXPECT_FALSE(ind.name.empty()) << ind.code;
    EXPECT_FALSE(ind.source_departments.empty()) << ind.code;
    EXPECT_FALSE(ind.subject_types.empty()) << ind.code;
    EXPECT_FALSE(ind.natural_key.empty()) << ind.code;
    EXPECT_GE(ind.FieldIndexByRole(FieldRole::kSubjectName), 0) << ind.code;
    EXPECT_THAT(ind.source_file, HasSubstr(ind.code + ".toml"));
    EXPECT_GT(ind.source_line, 0);
  }
  EXPECT_EQ(codes, (std::set<std::string>{"reg_basic", "admin_licence", "admin_penalty",
                                          "court_dishonest_debtor", "serious_dishonesty",
                                          "abnormal_operation", "tax_a_grade", "red_list",
                                          "credit_commitment", "commitment_breach",
                                          "contract_performance", "social_insurance_arrears",
                                          "utility_arrears", "self_declaration"}));
}

TEST_F(RealCatalogTest, CarriesNothingAboutSpeechOrOpinion) {
  for (const Indicator& ind : catalog_->indicators()) {
    for (const char* word : {"言论", "舆论", "观点", "发帖", "评论"}) {
      EXPECT_THAT(ind.name, ::testing::Not(HasSubstr(word))) << ind.code;
      EXPECT_THAT(ind.category, ::testing::Not(HasSubstr(word))) << ind.code;
    }
  }
}

TEST_F(RealCatalogTest, PenaltyHasExactlyTheShuanggongshiFields) {
  const Indicator& p = Get("admin_penalty");
  EXPECT_EQ(
      FieldCodes(p),
      (std::vector<std::string>{
          "CF_XDR_MC",   "CF_XDR_LB",   "CF_XDR_SHXYM", "CF_XDR_GSZC", "CF_XDR_ZZJG", "CF_XDR_SWDJ",
          "CF_XDR_SYDW", "CF_XDR_SHZZ", "CF_FRDB",      "CF_FR_ZJLX",  "CF_FR_ZJHM",  "CF_XDR_ZJLX",
          "CF_XDR_ZJHM", "CF_WSH",      "CF_WFXW",      "CF_SY",       "CF_YJ",       "CF_CFLB",
          "CF_NR",       "CF_NR_FK",    "CF_NR_WFFF",   "CF_NR_ZKDX",  "CF_JDRQ",     "CF_YXQ",
          "CF_GSJZQ",    "CF_CFJG",     "CF_CFJGDM",    "CF_SJLY",     "CF_SJLYDM",   "BZ",
          "CF_CFCX",     "SBRQ"}));
  EXPECT_TRUE(p.shuanggongshi);
  EXPECT_EQ(p.nature, Nature::kNegative);
  EXPECT_EQ(p.severity, Severity::kGeneral);
  EXPECT_EQ(p.publicity_min_months, 3);
  EXPECT_EQ(p.publicity_max_months, 12);
  EXPECT_EQ(p.retention_years, 5);
  EXPECT_EQ(p.natural_key, std::vector<std::string>{"CF_WSH"});
  EXPECT_THAT(p.legal_basis, HasSubstr("《中华人民共和国行政处罚法》"));
  EXPECT_EQ(p.fields[p.FieldIndexByRole(FieldRole::kProcedure)].enum_values,
            (std::vector<std::string>{"简易程序", "普通程序"}));
  EXPECT_EQ(p.fields[p.FieldIndexByRole(FieldRole::kReportDate)].code, "SBRQ");
  EXPECT_EQ(p.fields[p.FieldIndexByRole(FieldRole::kDocumentNumber)].label, "行政处罚决定书文号");
  EXPECT_EQ(p.fields[p.FieldIndexByRole(FieldRole::kSubjectIdNumber)].type, FieldType::kIdNumber);
}

TEST_F(RealCatalogTest, LicenceHasExactlyTheShuanggongshiFields) {
  const Indicator& l = Get("admin_licence");
  EXPECT_EQ(
      FieldCodes(l),
      (std::vector<std::string>{
          "XK_XDR_MC",   "XK_XDR_LB",   "XK_XDR_SHXYM", "XK_XDR_GSZC", "XK_XDR_ZZJG", "XK_XDR_SWDJ",
          "XK_XDR_SYDW", "XK_XDR_SHZZ", "XK_FRDB",      "XK_FR_ZJLX",  "XK_FR_ZJHM",  "XK_XDR_ZJLX",
          "XK_XDR_ZJHM", "XK_XKWS",     "XK_WSH",       "XK_XKLB",     "XK_XKZS",     "XK_XKBH",
          "XK_NR",       "XK_JDRQ",     "XK_YXQZ",      "XK_YXQZI",    "XK_XKJG",     "XK_XKJGDM",
          "XK_LYDW",     "XK_LYDWDM",   "XK_ZT",        "BZ",          "SBRQ"}));
  EXPECT_TRUE(l.shuanggongshi);
  EXPECT_EQ(l.nature, Nature::kNeutral);
  EXPECT_EQ(l.natural_key, std::vector<std::string>{"XK_WSH"});
  EXPECT_EQ(l.fields[l.FieldIndex("XK_XKLB")].enum_values,
            (std::vector<std::string>{"普通", "特许", "认可", "核准", "登记", "其他"}));
  EXPECT_EQ(l.fields[l.FieldIndex("XK_ZT")].label, "当前状态");
  EXPECT_EQ(l.fields[l.FieldIndex("XK_YXQZI")].label, "有效期至");
}

TEST_F(RealCatalogTest, NegativeIndicatorsNeedADocumentAndExpire) {
  for (const Indicator& ind : catalog_->indicators()) {
    if (ind.nature != Nature::kNegative) continue;
    EXPECT_NE(ind.severity, Severity::kNone) << ind.code;
    EXPECT_EQ(ind.retention_years, 5) << ind.code;
    int doc = ind.FieldIndexByRole(FieldRole::kDocumentNumber);
    ASSERT_GE(doc, 0) << ind.code;
    EXPECT_TRUE(ind.fields[doc].required) << ind.code;
  }
  const Indicator& s = Get("serious_dishonesty");
  EXPECT_EQ(s.severity, Severity::kSerious);
  EXPECT_EQ(s.publicity_min_months, 12);
  EXPECT_EQ(s.publicity_max_months, 36);
  EXPECT_EQ(Get("utility_arrears").severity, Severity::kMinor);
  EXPECT_EQ(Get("utility_arrears").disclosure, Disclosure::kAuthorized);
  EXPECT_EQ(Get("social_insurance_arrears").disclosure, Disclosure::kGovShared);
}

TEST_F(RealCatalogTest, OnlyTheCourtListPublishesIdNumbers) {
  for (const Indicator& ind : catalog_->indicators()) {
    EXPECT_EQ(ind.publish_id_number, ind.code == "court_dishonest_debtor") << ind.code;
  }
  const Indicator& c = Get("court_dishonest_debtor");
  EXPECT_EQ(c.natural_key, std::vector<std::string>{"SX_AH"});
  EXPECT_EQ(c.fields[c.FieldIndexByRole(FieldRole::kDocumentNumber)].label, "案号");
}

TEST_F(RealCatalogTest, CommitmentsCarryTheSevenTypes) {
  const Indicator& c = Get("credit_commitment");
  EXPECT_EQ(c.natural_key, std::vector<std::string>{"CN_CNBM"});
  EXPECT_EQ(c.fields[c.FieldIndex("承诺类型")].enum_values,
            (std::vector<std::string>{"审批替代型", "容缺受理型", "证明事项型", "信用修复型",
                                      "行业自律型", "主动型", "其他"}));
  EXPECT_EQ(c.fields[c.FieldIndex("承诺履行状态")].enum_values,
            (std::vector<std::string>{"全部履行", "部分履行", "全部未履行"}));
  EXPECT_EQ(c.fields[c.FieldIndex("公开类型")].enum_values,
            (std::vector<std::string>{"可向社会公开", "特定范围内公开", "不可公开"}));
}

TEST_F(RealCatalogTest, BrokenCommitmentsDeriveABreachRecordPublishedByTheirPublicityType) {
  const Indicator& c = Get("credit_commitment");
  EXPECT_EQ(c.fields[c.FieldIndex("CN_CNBM")].type, FieldType::kCommitmentCode);
  EXPECT_EQ(c.fields[c.FieldIndexByRole(FieldRole::kPublicityType)].public_values,
            std::vector<std::string>{"可向社会公开"});
  EXPECT_EQ(c.fields[c.FieldIndexByRole(FieldRole::kDeadline)].code, "CN_CNYXQ");
  const Indicator* b = catalog_->DerivedFrom("credit_commitment");
  ASSERT_NE(b, nullptr);
  EXPECT_EQ(b->code, "commitment_breach");
  EXPECT_EQ(b->nature, Nature::kNegative);
  EXPECT_EQ(b->derived_from->when_values, (std::vector<std::string>{"部分履行", "全部未履行"}));
  EXPECT_EQ(catalog_->DerivedFrom("admin_penalty"), nullptr);
}

TEST_F(RealCatalogTest, FieldIndexFindsCodesLabelsAndAliases) {
  const Indicator& p = Get("admin_penalty");
  int shxym = p.FieldIndex("CF_XDR_SHXYM");
  ASSERT_GE(shxym, 0);
  EXPECT_EQ(p.FieldIndex("统一社会信用代码"), shxym);
  EXPECT_EQ(p.FieldIndex("社会信用代码"), shxym);
  EXPECT_EQ(p.FieldIndex(" cf_xdr_shxym "), shxym);
  EXPECT_EQ(p.FieldIndex("行政相对人代码_1（统一社会信用代码）"), shxym);
  EXPECT_EQ(p.FieldIndex("罚款金额（万元）"), p.FieldIndex("CF_NR_FK"));
  EXPECT_EQ(p.FieldIndex("许可类别"), -1);
  EXPECT_EQ(p.FieldIndex(""), -1);
}

TEST_F(RealCatalogTest, MatchesHeaderOfCodes) {
  const Indicator& p = Get("admin_penalty");
  EXPECT_EQ(catalog_->MatchHeader(FieldCodes(p)), &p);
  const Indicator& l = Get("admin_licence");
  EXPECT_EQ(catalog_->MatchHeader(FieldCodes(l)), &l);
}

TEST_F(RealCatalogTest, MatchesHeaderOfChineseLabels) {
  // Licence and penalty share many labels (行政相对人名称, 统一社会信用代码, 备注, …); each file
  // still goes to its own indicator.
  for (const char* code :
       {"admin_licence", "admin_penalty", "reg_basic", "court_dishonest_debtor",
        "serious_dishonesty", "abnormal_operation", "tax_a_grade", "red_list", "credit_commitment",
        "contract_performance", "social_insurance_arrears", "utility_arrears"}) {
    const Indicator& ind = Get(code);
    EXPECT_EQ(catalog_->MatchHeader(Labels(ind)), &ind) << code;
  }
}

TEST_F(RealCatalogTest, MatchesHeaderWithBomAndSpaces) {
  const Indicator& p = Get("admin_penalty");
  std::vector<std::string> header = Labels(p);
  header[0] = "\xEF\xBB\xBF" + header[0];  // the BOM a spreadsheet export puts first
  header[1] = "  " + header[1] + " ";
  header[2] = "\xE3\x80\x80" + header[2];  // ideographic space
  EXPECT_EQ(catalog_->MatchHeader(header), &p);
}

TEST_F(RealCatalogTest, MatchesHeaderOfRequiredFieldsOnlyAndIgnoresExtraColumns) {
  const Indicator& l = Get("admin_licence");
  std::vector<std::string> header{"序号", "导入批次"};
  for (const Field& f : l.fields) {
    if (f.required) header.push_back(f.label);
  }
  EXPECT_EQ(catalog_->MatchHeader(header), &l);
}

TEST_F(RealCatalogTest, RejectsUnrelatedHeader) {
  EXPECT_EQ(catalog_->MatchHeader({"姓名", "年龄", "电话", "地址"}), nullptr);
  EXPECT_EQ(catalog_->MatchHeader({}), nullptr);
  EXPECT_EQ(catalog_->MatchHeader({"", "  "}), nullptr);
}

TEST_F(RealCatalogTest, RejectsHeaderMissingARequiredField) {
  const Indicator& p = Get("admin_penalty");
  std::vector<std::string> header;
  for (const Field& f : p.fields) {
    if (f.code != "CF_WSH") header.push_back(f.code);
  }
  EXPECT_EQ(catalog_->MatchHeader(header), nullptr);
}

// ---- Matching ties -------------------------------------------------------------------------

TEST(MatchHeaderTest, TieBetweenIndicatorsMatchesNeither) {
  auto a = Catalog::ParseIndicator(kBase, "a.toml");
  auto b = Catalog::ParseIndicator(With("code = \"demo\"", "code = \"demo_b\""), "b.toml");
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  ASSERT_TRUE(b.ok()) << b.status().ToString();
  auto catalog = Catalog::FromIndicators({*a, *b});
  ASSERT_TRUE(catalog.ok()) << catalog.status().ToString();
  EXPECT_EQ((*catalog)->MatchHeader({"名称", "文书号", "决定日期"}), nullptr);
  EXPECT_EQ((*catalog)->Find("demo_b")->source_file, "b.toml");
  EXPECT_EQ((*catalog)->Find("nope"), nullptr);
}

// ---- Rejections: each names the file and the line ------------------------------------------

TEST(ParseIndicatorTest, AcceptsTheBase) {
  auto r = Catalog::ParseIndicator(kBase, "demo.toml");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->code, "demo");
  EXPECT_EQ(r->source_file, "demo.toml");
  EXPECT_EQ(r->source_line, 1);
  ASSERT_EQ(r->fields.size(), 3u);
  EXPECT_EQ(r->fields[1].type, FieldType::kString);  // the default
  EXPECT_EQ(r->fields[2].role, FieldRole::kDecisionDate);
  EXPECT_EQ(r->disclosure, Disclosure::kPublic);
  EXPECT_EQ(r->severity, Severity::kNone);
}

TEST(ParseIndicatorTest, RejectsMissingLegalBasis) {
  EXPECT_EQ(Rejection(With("legal_basis = \"《中华人民共和国行政许可法》\"", "")),
            "demo.toml:1: indicator 'demo' has no legal_basis; nothing may be collected "
            "without one");
}

TEST(ParseIndicatorTest, RejectsEmptyLegalBasis) {
  EXPECT_EQ(
      Rejection(With("legal_basis = \"《中华人民共和国行政许可法》\"", "legal_basis = \" \"")),
      "demo.toml:4: indicator 'demo' has no legal_basis; nothing may be collected "
      "without one");
}

TEST(ParseIndicatorTest, RejectsUnknownDisclosure) {
  EXPECT_THAT(Rejection(With("disclosure = \"public\"", "disclosure = \"secret\"")),
              StartsWith("demo.toml:7: unknown disclosure 'secret'"));
}

TEST(ParseIndicatorTest, RejectsMissingDisclosure) {
  EXPECT_THAT(Rejection(With("disclosure = \"public\"", "")),
              StartsWith("demo.toml:1: indicator 'demo' has no 'disclosure'"));
}

TEST(ParseIndicatorTest, RejectsUnknownNature) {
  EXPECT_THAT(Rejection(With("nature = \"neutral\"", "nature = \"bad\"")),
              StartsWith("demo.toml:8: unknown nature 'bad'"));
}

TEST(ParseIndicatorTest, RejectsUnknownSeverity) {
  EXPECT_THAT(
      Rejection(With("nature = \"neutral\"", "nature = \"negative\"\nseverity = \"grave\"")),
      StartsWith("demo.toml:9: unknown severity 'grave'"));
}

TEST(ParseIndicatorTest, RejectsUnknownFieldType) {
  EXPECT_THAT(Rejection(With("type = \"string\"", "type = \"varchar\"")),
              StartsWith("demo.toml:14: unknown type 'varchar' in field 'MC'"));
}

TEST(ParseIndicatorTest, RejectsUnknownRole) {
  EXPECT_THAT(Rejection(With("role = \"subject_name\"", "role = \"subject\"")),
              StartsWith("demo.toml:15: unknown role 'subject' in field 'MC'"));
}

TEST(ParseIndicatorTest, RejectsUnknownSubjectType) {
  EXPECT_THAT(Rejection(With("subject_types = [\"legal_person\"]", "subject_types = [\"法人\"]")),
              StartsWith("demo.toml:6: unknown subject type '法人'"));
}

TEST(ParseIndicatorTest, RejectsDuplicateFieldCode) {
  EXPECT_EQ(Rejection(With("code = \"RQ\"", "code = \"MC\"")),
            "demo.toml:25: indicator 'demo' has two fields with code 'MC' (first at line 12)");
}

TEST(ParseIndicatorTest, RejectsNaturalKeyNamingNoField) {
  EXPECT_EQ(Rejection(With("natural_key = [\"WSH\"]", "natural_key = [\"WSH\", \"XH\"]")),
            "demo.toml:9: natural_key of indicator 'demo' names 'XH', which is no field");
}

TEST(ParseIndicatorTest, RejectsNaturalKeyOnOptionalField) {
  std::string text = With(
      "code = \"WSH\"\nlabel = \"文书号\"\nrole = \"document_number\"\n"
      "required = true",
      "code = \"WSH\"\nlabel = \"文书号\"\nrole = \"document_number\"\n"
      "required = false");
  EXPECT_THAT(Rejection(text), StartsWith("demo.toml:9: natural_key of indicator 'demo' names "
                                          "'WSH', which is not required"));
}

TEST(ParseIndicatorTest, RejectsEnumFieldWithoutValues) {
  EXPECT_THAT(Rejection(With("type = \"string\"", "type = \"enum\"")),
              StartsWith("demo.toml:14: enum field 'MC' of indicator 'demo' has no 'values'"));
}

TEST(ParseIndicatorTest, RejectsValuesOnANonEnumField) {
  EXPECT_THAT(Rejection(With("type = \"string\"", "type = \"string\"\nvalues = [\"a\"]")),
              StartsWith("demo.toml:15: field 'MC' of indicator 'demo' has 'values'"));
}

TEST(ParseIndicatorTest, RejectsIndicatorWithoutSubjectName) {
  EXPECT_THAT(Rejection(With("role = \"subject_name\"", "role = \"none\"")),
              StartsWith("demo.toml:1: indicator 'demo' has no field with role 'subject_name'"));
}

TEST(ParseIndicatorTest, RejectsNegativeWithoutSeverity) {
  EXPECT_THAT(Rejection(With("nature = \"neutral\"", "nature = \"negative\"")),
              StartsWith("demo.toml:8: negative indicator 'demo' has no severity"));
}

TEST(ParseIndicatorTest, AcceptsNegativeWithSeverityDocumentAndDate) {
  auto r = Catalog::ParseIndicator(
      With("nature = \"neutral\"", "nature = \"negative\"\nseverity = \"serious\""), "demo.toml");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->severity, Severity::kSerious);
}

TEST(ParseIndicatorTest, RejectsSeverityOnANonNegativeIndicator) {
  EXPECT_THAT(
      Rejection(With("nature = \"neutral\"", "nature = \"positive\"\nseverity = \"minor\"")),
      StartsWith("demo.toml:9: indicator 'demo' is positive but has severity 'minor'"));
}

// kBase made negative (general) with a fine field and the serious_when rules `rules`.
std::string WithSeriousWhen(std::string_view rules, std::string_view nature = "negative\"\nseverity = \"general") {
  return With("nature = \"neutral\"", "nature = \"" + std::string(nature) + "\"") +
         "\n[[field]]\ncode = \"LB\"\nlabel = \"处罚类别\"\n\n[[field]]\ncode = \"FK\"\n"
         "label = \"罚款金额\"\ntype = \"money\"\n\n" +
         std::string(rules);
}

// The line of the first "[[serious_when]]" in `text`.
int SeriousWhenLine(const std::string& text) {
  return 1 + static_cast<int>(std::count(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(
                                                                         text.find("[[serious_when]]")),
                                         '\n'));
}

TEST(ParseIndicatorTest, SeriousWhenRulesLoad) {
  auto r = Catalog::ParseIndicator(
      WithSeriousWhen("[[serious_when]]\nfield = \"LB\"\ncontains_any = [\"吊销\", \"责令停产停业\"]\n"
                      "legal_basis = \"实施条例第十九条\"\n\n[[serious_when]]\nfield = \"FK\"\n"
                      "at_least = 200\nlegal_basis = \"财库〔2022〕3号\"\n"),
      "demo.toml");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->serious_when.size(), 2u);
  EXPECT_EQ(r->serious_when[0].field, "LB");
  EXPECT_EQ(r->serious_when[0].contains_any, (std::vector<std::string>{"吊销", "责令停产停业"}));
  EXPECT_FALSE(r->serious_when[0].at_least.has_value());
  EXPECT_EQ(r->serious_when[1].at_least, 200.0);
  EXPECT_EQ(r->serious_when[1].legal_basis, "财库〔2022〕3号");
}

TEST(ParseIndicatorTest, RejectsSeriousWhenRulesThatCannotBeApplied) {
  const std::string ok_lb = "field = \"LB\"\ncontains_any = [\"吊销\"]\n";
  const std::string basis = "legal_basis = \"某法\"\n";
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"[[serious_when]]\n" + ok_lb, "has no legal_basis"},
      {"[[serious_when]]\n" + ok_lb + "legal_basis = \" \"\n", "has no legal_basis"},
      {"[[serious_when]]\nfield = \"XX\"\ncontains_any = [\"吊销\"]\n" + basis,
       "names field 'XX', which is no field code"},
      {"[[serious_when]]\nfield = \"FK\"\n" + basis, "needs exactly one of"},
      {"[[serious_when]]\n" + ok_lb + "at_least = 1\n" + basis, "needs exactly one of"},
      {"[[serious_when]]\nfield = \"FK\"\ncontains_any = [\"2\"]\n" + basis,
       "has 'contains_any' but field 'FK' is of type 'money'"},
      {"[[serious_when]]\nfield = \"LB\"\nat_least = 2\n" + basis,
       "has 'at_least' but field 'LB' is of type 'string'"},
      {"[[serious_when]]\nfield = \"FK\"\nat_least = -1\n" + basis, "must be between 0 and 1e15"},
      {"[[serious_when]]\nfield = \"FK\"\nat_least = \"200\"\n" + basis, "must be a number"},
      {"[[serious_when]]\nfield = \"LB\"\ncontains_any = [\"\"]\n" + basis, "an empty value"},
      {"[[serious_when]]\n" + ok_lb + basis + "severity = \"serious\"\n",
       "unknown key 'severity' in [[serious_when]]"},
  };
  for (const auto& [rule, why] : cases) {
    const std::string text = WithSeriousWhen(rule);
    const std::string msg = Rejection(text);
    EXPECT_THAT(msg, HasSubstr(why)) << rule;
    if (why.find("unknown key") == std::string::npos && why.find("must be") == std::string::npos) {
      EXPECT_THAT(msg, StartsWith("demo.toml:" + std::to_string(SeriousWhenLine(text)) + ": "))
          << rule;
    }
  }
  // Only a negative indicator that is not serious already.
  for (std::string_view nature : {"neutral", "negative\"\nseverity = \"serious"}) {
    EXPECT_THAT(Rejection(WithSeriousWhen("[[serious_when]]\n" + ok_lb + basis, nature)),
                HasSubstr("can only raise the records of a negative indicator"))
        << nature;
  }
}

TEST(ParseIndicatorTest, RejectsPublicityMinimumAboveMaximum) {
  EXPECT_THAT(Rejection(With("nature = \"neutral\"",
                             "nature = \"neutral\"\npublicity_min_months = 12\n"
                             "publicity_max_months = 3")),
              StartsWith("demo.toml:9: indicator 'demo' has publicity_min_months 12 greater than "
                         "publicity_max_months 3"));
}

TEST(ParseIndicatorTest, RejectsNegativePeriod) {
  EXPECT_THAT(Rejection(With("nature = \"neutral\"", "nature = \"neutral\"\nretention_years = -1")),
              StartsWith("demo.toml:9: 'retention_years' of indicator 'demo' must be between 0"));
}

TEST(ParseIndicatorTest, RejectsNegativeIndicatorWithoutDocument) {
  std::string text = With("nature = \"neutral\"", "nature = \"negative\"\nseverity = \"general\"");
  text = With("role = \"document_number\"", "role = \"none\"", text);
  EXPECT_THAT(Rejection(text),
              StartsWith("demo.toml:8: indicator 'demo' needs a required field with role "
                         "'document_number'"));
}

TEST(ParseIndicatorTest, RejectsShuanggongshiWithoutDecisionDate) {
  std::string text = With("nature = \"neutral\"", "nature = \"neutral\"\nshuanggongshi = true");
  text = With("role = \"decision_date\"", "role = \"none\"", text);
  EXPECT_THAT(Rejection(text), StartsWith("demo.toml:9: indicator 'demo' needs a required field "
                                          "with role 'decision_date'"));
}

TEST(ParseIndicatorTest, RejectsCategoryOutsideTheCatalog) {
  EXPECT_THAT(
      Rejection(With("category = \"行政管理信息\"", "category = \"网络言论信息\"")),
      StartsWith("demo.toml:3: indicator 'demo' has category '网络言论信息', which is not a "
                 "category of the public credit catalog"));
}

TEST(ParseIndicatorTest, RejectsUnknownKey) {
  EXPECT_EQ(Rejection(With("required = true\n\n[[field]]\ncode = \"WSH\"",
                           "requried = true\n\n[[field]]\ncode = \"WSH\"")),
            "demo.toml:16: unknown key 'requried' in field 'MC' of indicator 'demo'");
}

TEST(ParseIndicatorTest, RejectsWrongValueType) {
  EXPECT_EQ(Rejection(With("natural_key = [\"WSH\"]", "natural_key = \"WSH\"")),
            "demo.toml:9: 'natural_key' of indicator 'demo' must be an array of strings");
}

TEST(ParseIndicatorTest, RejectsTomlSyntaxErrorWithLine) {
  EXPECT_THAT(Rejection(With("nature = \"neutral\"", "nature = ")),
              StartsWith("demo.toml:8: not valid TOML: "));
}

TEST(ParseIndicatorTest, IndustryRoleNeedsAnIndustryCodeField) {
  std::string text(kBase);
  text += "\n[[field]]\ncode = \"HYDM\"\nlabel = \"行业代码\"\ntype = \"string\"\nrole = \"industry\"\n";
  EXPECT_THAT(Rejection(text), HasSubstr("has role 'industry', which needs type 'industry_code'"));
  std::string good(kBase);
  good +=
      "\n[[field]]\ncode = \"HYDM\"\nlabel = \"行业代码\"\ntype = \"industry_code\"\nrole = \"industry\"\n";
  auto ind = Catalog::ParseIndicator(good, "demo.toml");
  ASSERT_TRUE(ind.ok()) << ind.status().ToString();
  const int i = ind->FieldIndexByRole(FieldRole::kIndustry);
  ASSERT_GE(i, 0);
  EXPECT_EQ(ind->fields[static_cast<size_t>(i)].type, FieldType::kIndustryCode);
}

TEST(ParseIndicatorTest, RejectsIdNumberRoleOnPlainTextField) {
  std::string text = With("subject_types = [\"legal_person\"]",
                          "subject_types = [\"legal_person\", \"natural_person\"]");
  text +=
      "\n[[field]]\ncode = \"ZJHM\"\nlabel = \"证件号码\"\ntype = \"string\"\n"
      "role = \"subject_id_number\"\n";
  EXPECT_THAT(Rejection(text), StartsWith("demo.toml:34: field 'ZJHM' of indicator 'demo' has role "
                                          "'subject_id_number', which needs type 'id_number'"));
}

TEST(ParseIndicatorTest, RejectsNaturalPersonsWithoutIdNumberField) {
  EXPECT_THAT(Rejection(With("subject_types = [\"legal_person\"]",
                             "subject_types = [\"legal_person\", \"natural_person\"]")),
              StartsWith("demo.toml:6: indicator 'demo' covers natural persons but has no field "
                         "with role 'subject_id_number'"));
}

TEST(ParseIndicatorTest, RejectsPublishedIdNumbersOnANonPublicIndicator) {
  std::string text =
      With("disclosure = \"public\"", "disclosure = \"gov_shared\"\npublish_id_number = true");
  EXPECT_THAT(Rejection(text), StartsWith("demo.toml:8: indicator 'demo' sets publish_id_number"));
}

TEST(ParseIndicatorTest, RejectsTwoFieldsSharingRole) {
  EXPECT_THAT(Rejection(With("role = \"decision_date\"", "role = \"document_number\"")),
              StartsWith("demo.toml:28: fields 'WSH' and 'RQ' of indicator 'demo' both have role "
                         "'document_number'"));
}

TEST(ParseIndicatorTest, RejectsAliasThatNamesAnotherField) {
  EXPECT_THAT(Rejection(With("label = \"决定日期\"", "label = \"决定日期\"\naliases = [\"名称\"]")),
              StartsWith("demo.toml:24: field 'RQ' of indicator 'demo' is also called '名称', "
                         "which already names field 'MC'"));
}

TEST(ParseIndicatorTest, RejectsBadIndicatorAndFieldCodes) {
  EXPECT_THAT(Rejection(With("code = \"demo\"", "code = \"Demo-1\"")),
              StartsWith("demo.toml:1: indicator code 'Demo-1' must be lower-case"));
  EXPECT_THAT(Rejection(With("code = \"MC\"", "code = \"mc\"")),
              StartsWith("demo.toml:12: field code 'mc' of indicator 'demo' must be upper-case"));
}

// ---- Loading a directory -------------------------------------------------------------------

class TempDir {
 public:
  TempDir() {
    path_ = std::filesystem::temp_directory_path() /
            ("xinyong_catalog_test_" +
             std::to_string(::testing::UnitTest::GetInstance()->random_seed()) + "_" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  void Write(const std::string& name, std::string_view text) const {
    std::ofstream(path_ / name, std::ios::binary) << text;
  }
  std::string path() const { return path_.string(); }

 private:
  std::filesystem::path path_;
};

TEST(LoadDirectoryTest, RejectsDuplicateIndicatorCodeAcrossFiles) {
  TempDir dir;
  dir.Write("a.toml", kBase);
  dir.Write("b.toml", "# the same indicator again\n" + std::string(kBase));
  dir.Write("README.md", "not an indicator");
  auto r = Catalog::LoadDirectory(dir.path());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(r.status().message(), dir.path() +
                                      "/b.toml:2: indicator code 'demo' is already "
                                      "defined at " +
                                      dir.path() + "/a.toml:1");
}

TEST(LoadDirectoryTest, NamesTheFileOfABadIndicator) {
  TempDir dir;
  dir.Write("a.toml", kBase);
  dir.Write("b.toml", With("code = \"demo\"", "code = \"other\"",
                           With("disclosure = \"public\"", "disclosure = \"open\"")));
  auto r = Catalog::LoadDirectory(dir.path());
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.status().message(), StartsWith(dir.path() + "/b.toml:7: unknown disclosure"));
}

TEST(LoadDirectoryTest, LoadsFilesSortedByName) {
  TempDir dir;
  dir.Write("b.toml", kBase);
  dir.Write("a.toml", With("code = \"demo\"", "code = \"alpha\""));
  auto r = Catalog::LoadDirectory(dir.path());
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ((*r)->indicators().size(), 2u);
  EXPECT_EQ((*r)->indicators()[0].code, "alpha");
  EXPECT_EQ((*r)->indicators()[1].code, "demo");
}

TEST(LoadDirectoryTest, RejectsMissingAndEmptyDirectories) {
  auto missing = Catalog::LoadDirectory("/nonexistent/xinyong/catalog");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
  TempDir dir;
  auto empty = Catalog::LoadDirectory(dir.path());
  ASSERT_FALSE(empty.ok());
  EXPECT_EQ(empty.status().code(), StatusCode::kInvalidArgument);
}

TEST(FromIndicatorsTest, ValidatesIndicatorsBuiltInCode) {
  auto good = Catalog::ParseIndicator(kBase, "demo.toml");
  ASSERT_TRUE(good.ok());
  Indicator bad = *good;
  bad.code = "bad";
  bad.legal_basis.clear();
  bad.source_file = "tool";
  bad.source_line = 0;
  auto r = Catalog::FromIndicators({*good, bad});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(),
            "tool:1: indicator 'bad' has no legal_basis; nothing may be collected without one");
}

TEST(ParseIndicatorTest, PublicityTypeNeedsPublicValuesAmongItsValues) {
  const std::string field =
      "[[field]]\ncode = \"GK\"\nlabel = \"公开类型\"\ntype = \"enum\"\n"
      "role = \"publicity_type\"\nvalues = [\"可向社会公开\", \"不可公开\"]\n";
  EXPECT_THAT(Rejection(std::string(kBase) + "\n" + field),
              HasSubstr("has role 'publicity_type' but no 'public_values'"));
  EXPECT_THAT(Rejection(std::string(kBase) + "\n" + field + "public_values = [\"公开\"]\n"),
              HasSubstr("lists public value '公开', which is not one of its values"));
  EXPECT_EQ(Rejection(std::string(kBase) + "\n" + field + "public_values = [\"可向社会公开\"]\n"), "");
  EXPECT_THAT(Rejection(With("role = \"subject_name\"",
                             "role = \"subject_name\"\npublic_values = [\"x\"]")),
              HasSubstr("has 'public_values' but not role 'publicity_type'"));
}

// A source indicator and one derived from it, as a catalog must hold them together.
Result<std::unique_ptr<Catalog>> SourceAndDerived(std::string_view derivation,
                                                  std::string_view from = "MC") {
  auto source = Catalog::ParseIndicator(
      With("code = \"demo\"", "code = \"demo\"",
           std::string(kBase) + "\n[[field]]\ncode = \"ZT\"\nlabel = \"状态\"\ntype = \"enum\"\n"
                                "values = [\"好\", \"坏\"]\n"),
      "demo.toml");
  EXPECT_TRUE(source.ok()) << source.status().ToString();
  std::string text = With("code = \"demo\"", "code = \"demo_bad\"");
  text = With("natural_key = [\"WSH\"]",
              "natural_key = [\"WSH\"]\n[derived_from]\n" + std::string(derivation), text);
  text = With("role = \"subject_name\"", "role = \"subject_name\"\nfrom = \"" + std::string(from) + "\"", text);
  text = With("role = \"document_number\"", "role = \"document_number\"\nfrom = \"WSH\"", text);
  text = With("role = \"decision_date\"", "role = \"decision_date\"\nfrom = \"RQ\"", text);
  auto derived = Catalog::ParseIndicator(text, "demo_bad.toml");
  if (!derived.ok()) return derived.status();
  std::vector<Indicator> both{*source, *derived};
  return Catalog::FromIndicators(std::move(both));
}

TEST(DerivedIndicatorTest, LoadsWithItsSourceAndIsFoundByIt) {
  auto c = SourceAndDerived("indicator = \"demo\"\nwhen_field = \"ZT\"\nwhen_values = [\"坏\"]");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  ASSERT_NE((*c)->DerivedFrom("demo"), nullptr);
  EXPECT_EQ((*c)->DerivedFrom("demo")->code, "demo_bad");
  EXPECT_EQ((*c)->DerivedFrom("demo_bad"), nullptr);
}

TEST(DerivedIndicatorTest, RejectsWhatCannotBeDerived) {
  EXPECT_THAT(SourceAndDerived("indicator = \"nope\"\nwhen_field = \"ZT\"\nwhen_values = [\"坏\"]")
                  .status()
                  .message(),
              HasSubstr("is derived from 'nope', which is no other indicator"));
  EXPECT_THAT(SourceAndDerived("indicator = \"demo\"\nwhen_field = \"XX\"\nwhen_values = [\"坏\"]")
                  .status()
                  .message(),
              HasSubstr("names when_field 'XX', which is no field code of 'demo'"));
  EXPECT_THAT(SourceAndDerived("indicator = \"demo\"\nwhen_field = \"ZT\"\nwhen_values = [\"差\"]")
                  .status()
                  .message(),
              HasSubstr("lists '差', which is not a value of 'demo'.ZT"));
  EXPECT_THAT(SourceAndDerived("indicator = \"demo\"\nwhen_field = \"ZT\"\nwhen_values = [\"坏\"]",
                               "RQ")
                  .status()
                  .message(),
              HasSubstr("field 'MC' of indicator 'demo_bad' is of type 'string' but its source "
                        "'RQ' is of type 'date'"));
  EXPECT_THAT(SourceAndDerived("indicator = \"demo\"\nwhen_field = \"ZT\"").status().message(),
              HasSubstr("has no 'when_values'"));
}

TEST(DerivedIndicatorTest, EveryRequiredFieldNeedsASource) {
  std::string text = With("natural_key = [\"WSH\"]",
                          "natural_key = [\"WSH\"]\n[derived_from]\nindicator = \"x\"\n"
                          "when_field = \"ZT\"\nwhen_values = [\"坏\"]");
  EXPECT_THAT(Rejection(text), HasSubstr("field 'MC' of indicator 'demo' is required but has no "
                                         "'from'"));
  EXPECT_THAT(Rejection(With("role = \"subject_name\"", "role = \"subject_name\"\nfrom = \"X\"")),
              HasSubstr("has 'from' but the indicator has no [derived_from]"));
}

// ---- Names ---------------------------------------------------------------------------------

TEST(IndicatorNamesTest, EveryNameParsesBack) {
  for (int i = 0; i <= 21; ++i) {
    auto role = static_cast<FieldRole>(i);
    EXPECT_EQ(ParseFieldRole(FieldRoleName(role)), role) << i;
  }
  EXPECT_EQ(FieldRoleName(FieldRole::kReportDate), "report_date");
  for (int i = 1; i <= 13; ++i) {
    auto type = static_cast<FieldType>(i);
    EXPECT_EQ(ParseFieldType(FieldTypeName(type)), type) << i;
  }
  for (auto d : {Disclosure::kPublic, Disclosure::kGovShared, Disclosure::kAuthorized}) {
    EXPECT_EQ(ParseDisclosure(DisclosureName(d)), d);
  }
  EXPECT_EQ(DisclosureLabel(Disclosure::kGovShared), "政务共享");
  for (auto n : {Nature::kPositive, Nature::kNeutral, Nature::kNegative}) {
    EXPECT_EQ(ParseNature(NatureName(n)), n);
  }
  for (auto s : {Severity::kNone, Severity::kMinor, Severity::kGeneral, Severity::kSerious}) {
    EXPECT_EQ(ParseSeverity(SeverityName(s)), s);
  }
  EXPECT_EQ(SeverityLabel(Severity::kSerious), "严重");
  EXPECT_EQ(ParseFieldType("String"), std::nullopt);
  EXPECT_EQ(ParseDisclosure("社会公开"), std::nullopt);
}

TEST(NormalizeFieldNameTest, StripsBomSpacesAndFoldsCaseAndParentheses) {
  EXPECT_EQ(NormalizeFieldName("\xEF\xBB\xBF cf_wsh\t"), "CF_WSH");
  EXPECT_EQ(NormalizeFieldName("罚款金额 （万元）"), "罚款金额(万元)");
  EXPECT_EQ(NormalizeFieldName("\xE3\x80\x80\xC2\xA0"), "");
}

}  // namespace
}  // namespace xinyong::catalog
