// Credit reports on a small hand-made city: what goes into which section, what each view shows,
// the period, the special report's domains and its five-year limit, masked ID numbers, and the
// endpoints — who may have which report, the verification of an issued one before and after a
// new record, and the published key verifying a downloaded file offline.
#include "server/grades.h"
#include "server/reports.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>

#include "core/test_paths.h"
#include "report/envelope.h"
#include "server/access.h"
#include "server/declarations.h"
#include "server/router.h"

namespace xinyong::server {
namespace {

namespace fs = std::filesystem;
namespace json = boost::json;

constexpr char kCompany[] = "郑州宏达（集团）商贸有限公司";
constexpr char kCompanyUscc[] = "91110000600037341L";
constexpr char kPersonId[] = "11010519491231002X";  // the GB 11643 example number

std::string Ago(int days) { return Date::Today().AddDays(-days).ToString(); }

// Penalty rows: who ("company" or "person"), document number, decision date, deciding body.
std::string PenaltyCsv(const std::vector<std::array<std::string, 4>>& rows) {
  std::string csv =
      "CF_XDR_MC,CF_XDR_LB,CF_XDR_SHXYM,CF_XDR_ZJLX,CF_XDR_ZJHM,CF_WSH,CF_WFXW,CF_SY,CF_YJ,"
      "CF_CFLB,CF_NR,CF_NR_FK,CF_JDRQ,CF_CFJG,CF_CFJGDM,CF_SJLY,CF_SJLYDM,CF_CFCX\n";
  for (const auto& [who, doc, date, authority] : rows) {
    const bool person = who == "person";
    csv += person ? std::string("张三,自然人,,身份证,") + kPersonId
                  : std::string(kCompany) + ",法人及非法人组织," + kCompanyUscc + ",,";
    csv += "," + doc +
           ",虚假宣传,在网站发布虚假广告,《中华人民共和国广告法》第五十五条,罚款,罚款2万元,2," +
           date + "," + authority + ",11410100MB0000001X," + authority +
           ",11410100MB0000001X,普通程序\n";
  }
  return csv;
}

class ReportsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::random_device rd;
    dir_ = fs::temp_directory_path() / ("xinyong-reports-" + std::to_string(rd()));
    PlatformOptions o;
    o.data_dir = (dir_ / "data").string();
    o.share_dir = test::SourceDir() + "/data";
    o.key_file = (dir_ / "keys" / "k.key").string();
    o.sync = false;
    o.public_base_url = "https://credit.example.cn";
    auto p = Platform::Open(o);
    ASSERT_TRUE(p.ok()) << p.status().ToString();
    p_ = std::move(p).value();
    Ingest("admin_penalty",
           PenaltyCsv({{"company", "郑市监罚〔2026〕101号", Ago(100), "郑州市市场监督管理局"},
                       {"company", "郑环罚〔2026〕7号", Ago(60), "郑州市生态环境局"},
                       {"company", "郑市监罚〔2020〕9号", Ago(2200), "郑州市市场监督管理局"},
                       {"person", "郑市监罚〔2026〕300号", Ago(90), "郑州市市场监督管理局"}}));
    Ingest("social_insurance_arrears",
           std::string(
               "SB_DWMC,SB_TYSHXYDM,SB_XZ,SB_QFJE,SB_QFQSNY,SB_QFJZNY,SB_RDRQ,SB_RDWSH,SB_RDJG\n") +
               kCompany + "," + kCompanyUscc + ",养老保险,3.5,2025-01,2025-06," + Ago(120) +
               ",郑社保欠〔2026〕5号,郑州市社会保险中心\n");
    auto company = p_->FindSubjectByCode(kCompanyUscc);
    ASSERT_TRUE(company.ok()) << company.status().ToString();
    company_ = *company;
    ASSERT_TRUE(p_->store()
                    .ScanSubjects([&](const Subject& s) {
                      if (s.type == SubjectType::kNaturalPerson) person_ = s;
                      return Status::Ok();
                    })
                    .ok());
    ASSERT_NE(person_.id, 0u);
  }
  void TearDown() override {
    p_.reset();
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }

  void Ingest(const std::string& indicator, std::string csv) {
    ingest::IngestOptions io;
    io.indicator = indicator;
    auto r = p_->ingester().IngestBuffer(std::move(csv), indicator + ".csv", io);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    ASSERT_EQ(r->rejected, 0u) << indicator;
  }

  report::ReportRequest MakeRequest(report::ReportKind kind, report::ReportView view) {
    report::ReportRequest r;
    r.kind = kind;
    r.view = view;
    r.to = Date::Today();
    r.from = Date::FromDays(r.to.AddMonths(-60).days() + 1);
    return r;
  }

  static const report::ReportSection* Section(const report::ReportContent& c,
                                              std::string_view key) {
    for (const auto& s : c.sections) {
      if (s.key == key) return &s;
    }
    return nullptr;
  }

  // The platform opened again with `o`.
  void Reopen(const PlatformOptions& o) {
    p_.reset();
    auto p = Platform::Open(o);
    ASSERT_TRUE(p.ok()) << p.status().ToString();
    p_ = std::move(p).value();
  }

  Response Call(const std::string& method, const std::string& target, const std::string& body = "",
                const std::string& token = "") {
    Request r;
    r.method = method;
    r.target = target;
    r.body = body;
    r.content_type = "application/json";
    r.peer = "127.0.0.1:1";
    if (!token.empty()) r.authorization = "Bearer " + token;
    return HandleRequest(*p_, r);
  }
  std::string Token(const std::string& role, const std::string& subject = "") {
    TokenRequest t;
    t.role = role;
    t.subject = subject;
    t.dept = role == "using_department" ? "郑州市财政局" : "";
    t.institution = role == "financial_institution" ? "郑州银行" : "";
    auto token = CreateToken(*p_, t, NowUnixMs());
    EXPECT_TRUE(token.ok()) << token.status().ToString();
    return token.ok() ? token->secret : "";
  }

  fs::path dir_;
  std::unique_ptr<Platform> p_;
  Subject company_, person_;
};

TEST_F(ReportsTest, PublicReportGroupsRecordsBySectionAndHidesNonPublicItems) {
  auto c = BuildReportContent(*p_, company_,
                              MakeRequest(report::ReportKind::kPublic, report::ReportView::kPublic),
                              Date::Today());
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  std::vector<std::string> keys;
  for (const auto& s : c->sections) keys.push_back(s.key);
  EXPECT_EQ(keys, (std::vector<std::string>{"basic", "licences", "penalties", "court", "lists",
                                            "commitments", "evaluations", "honours", "contracts",
                                            "self_declared"}));
  const auto* pen = Section(*c, "penalties");
  ASSERT_NE(pen, nullptr);
  // The two recent penalties; not the one from six years ago (outside the period), not the
  // social-insurance arrears (政务共享: not for the public).
  ASSERT_EQ(pen->items.size(), 2u);
  EXPECT_EQ(pen->items[0].document_number, "郑环罚〔2026〕7号");
  EXPECT_EQ(pen->items[1].document_number, "郑市监罚〔2026〕101号");
  for (const auto& i : pen->items) EXPECT_NE(i.indicator, "social_insurance_arrears");
  const auto* self = Section(*c, "self_declared");
  ASSERT_NE(self, nullptr);
  EXPECT_TRUE(self->placeholder);
  EXPECT_TRUE(self->items.empty());
  EXPECT_EQ(c->subject.uscc, kCompanyUscc);
  EXPECT_TRUE(Section(*c, "evaluations")->facts.empty()) << "grades are not for the public";
}

TEST_F(ReportsTest, FullViewAddsNonPublicItemsAndTheGrade) {
  auto c = BuildReportContent(*p_, company_,
                              MakeRequest(report::ReportKind::kPublic, report::ReportView::kFull),
                              Date::Today());
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  const auto* pen = Section(*c, "penalties");
  ASSERT_EQ(pen->items.size(), 3u);
  EXPECT_EQ(pen->items[2].indicator, "social_insurance_arrears");  // newest first
  const auto* ev = Section(*c, "evaluations");
  ASSERT_FALSE(ev->facts.empty());
  EXPECT_EQ(ev->facts[0].label, "公共信用综合评价等级");
}

TEST_F(ReportsTest, PeriodBoundsTheRecords) {
  auto r = MakeRequest(report::ReportKind::kPublic, report::ReportView::kPublic);
  r.from = Date::Today().AddDays(-80);
  auto c = BuildReportContent(*p_, company_, r, Date::Today());
  ASSERT_TRUE(c.ok());
  ASSERT_EQ(Section(*c, "penalties")->items.size(), 1u);
  EXPECT_EQ(Section(*c, "penalties")->items[0].document_number, "郑环罚〔2026〕7号");
}

TEST_F(ReportsTest, SpecialReportStatesEachDomain) {
  auto r = MakeRequest(report::ReportKind::kSpecial, report::ReportView::kPublic);
  r.domains = {"environment", "tax", "market"};
  auto c = BuildReportContent(*p_, company_, r, Date::Today());
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  ASSERT_EQ(c->sections.size(), 4u);  // basic + three domains, in the order asked
  EXPECT_EQ(c->sections[1].key, "domain:environment");
  EXPECT_EQ(c->sections[1].title, "生态环境领域");
  ASSERT_EQ(c->sections[1].items.size(), 1u);
  EXPECT_EQ(c->sections[1].facts[0].value, "有违法违规记录");
  EXPECT_EQ(c->sections[2].key, "domain:tax");
  EXPECT_TRUE(c->sections[2].items.empty());
  EXPECT_EQ(c->sections[2].facts[0].value, "无违法违规记录");
  EXPECT_NE(c->sections[2].summary.find("无违法违规记录"), std::string::npos);
  // 市场监管: the recent penalty only; the one of six years ago is outside the period.
  EXPECT_EQ(c->sections[3].items.size(), 1u);

  r.domains = {"nothing"};
  EXPECT_EQ(BuildReportContent(*p_, company_, r, Date::Today()).status().code(),
            StatusCode::kInvalidArgument);
  r.domains = {"tax"};
  r.from = Date::Today().AddMonths(-60);  // one day more than five years
  auto too_long = BuildReportContent(*p_, company_, r, Date::Today());
  EXPECT_EQ(too_long.status().code(), StatusCode::kInvalidArgument);
}

TEST_F(ReportsTest, ResidentIdNumbersAreMasked) {
  auto c = BuildReportContent(*p_, person_,
                              MakeRequest(report::ReportKind::kPublic, report::ReportView::kFull),
                              Date::Today());
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  const std::string text = report::CanonicalContent(*c);
  EXPECT_EQ(text.find(kPersonId), std::string::npos);
  EXPECT_FALSE(c->subject.id_masked.empty());
  EXPECT_NE(text.find(c->subject.id_masked), std::string::npos);
  EXPECT_TRUE(c->subject.natural_person);
}

TEST_F(ReportsTest, WhoMayHaveWhichReport) {
  const std::string company = "/api/v1/subjects/" + std::string(kCompanyUscc) + "/reports";
  const std::string person = "/api/v1/subjects/" + person_.DisplayCode() + "/reports";
  Response r = Call("POST", company, "");
  ASSERT_EQ(r.status, 201u) << r.body;
  EXPECT_EQ(r.content_type, "application/pdf");
  EXPECT_TRUE(r.body.starts_with("%PDF"));
  EXPECT_TRUE(r.Header("X-Report-Number").starts_with("XYBG-"));
  EXPECT_EQ(Call("POST", person, "").status, 403u) << "a person's report is not for the public";
  EXPECT_EQ(Call("POST", company, R"({"kind":"special","domains":["tax"]})").status, 403u);
  EXPECT_EQ(Call("POST", company, R"({"view":"full"})").status, 403u);
  const std::string other = Token("subject", person_.DisplayCode());
  EXPECT_EQ(Call("POST", company, R"({"view":"full"})", other).status, 403u);
  const std::string own = Token("subject", kCompanyUscc);
  Response special = Call("POST", company,
                          R"({"kind":"special","domains":"tax,environment","format":"html"})", own);
  ASSERT_EQ(special.status, 201u) << special.body;
  EXPECT_EQ(special.content_type, "text/html; charset=utf-8");
  EXPECT_NE(special.body.find("生态环境领域"), std::string::npos);
  Response mine = Call("POST", person, R"({"format":"html"})", other);
  EXPECT_EQ(mine.status, 201u) << mine.body;
  EXPECT_EQ(mine.body.find(kPersonId), std::string::npos);
  Response op = Call("POST", person, "", Token("operator"));
  EXPECT_EQ(op.status, 201u) << op.body;
  // Bad requests name the field.
  Response bad =
      Call("POST", company, R"({"kind":"special","domains":["tax"],"from":"2019-01-01"})", own);
  EXPECT_EQ(bad.status, 400u);
  EXPECT_EQ(json::parse(bad.body).at("error").at("details").at("field"), "to") << bad.body;
  EXPECT_EQ(Call("POST", company, R"({"format":"docx"})").status, 400u);
}

TEST_F(ReportsTest, VerificationSaysAuthenticAndWhatChangedSinceIssue) {
  const std::string company = "/api/v1/subjects/" + std::string(kCompanyUscc) + "/reports";
  Response issued = Call("POST", company, R"({"format":"html"})");
  ASSERT_EQ(issued.status, 201u) << issued.body;
  const std::string number(issued.Header("X-Report-Number"));
  const std::string url = "/api/v1/reports/" + number + "/verification";
  EXPECT_NE(issued.body.find("https://credit.example.cn/verify.html?number=" + number),
            std::string::npos);
  Response v = Call("GET", url);
  ASSERT_EQ(v.status, 200u) << v.body;
  json::object o = json::parse(v.body).as_object();
  EXPECT_TRUE(o.at("authentic").as_bool());
  EXPECT_FALSE(o.at("changed").as_bool()) << v.body;
  EXPECT_EQ(o.at("subject").at("name"), kCompany);
  // What the report said, section by section, for the reader to compare with the file.
  auto penalties_said = [](const json::object& o) {
    for (const json::value& s : o.at("sections").as_array()) {
      if (s.at("title") == "行政处罚及其他负面行政管理信息") return std::string(s.at("summary").as_string());
    }
    return std::string();
  };
  const std::string said = penalties_said(o);
  EXPECT_FALSE(said.empty()) << v.body;

  // A new penalty inside the report's period: the report is still authentic, but changed.
  Ingest("admin_penalty",
         PenaltyCsv({{"company", "郑市监罚〔2026〕555号", Ago(10), "郑州市市场监督管理局"}}));
  v = Call("GET", url);
  ASSERT_EQ(v.status, 200u) << v.body;
  o = json::parse(v.body).as_object();
  EXPECT_TRUE(o.at("authentic").as_bool());
  EXPECT_TRUE(o.at("changed").as_bool());
  EXPECT_FALSE(o.contains("changed_sections")) << "where it changed is not for the public";
  EXPECT_EQ(penalties_said(o), said) << "what the issued report said, not what is true now";
  for (const std::string& token : {Token("operator"), Token("subject", kCompanyUscc)}) {
    v = Call("GET", url, "", token);
    ASSERT_EQ(v.status, 200u) << v.body;
    o = json::parse(v.body).as_object();
    EXPECT_TRUE(o.at("changed").as_bool());
    ASSERT_EQ(o.at("changed_sections").as_array().size(), 1u) << v.body;
    EXPECT_EQ(o.at("changed_sections").at(0).at("key"), "penalties");
  }

  EXPECT_EQ(Call("GET", "/api/v1/reports/XYBG-20200101-999999/verification").status, 404u);
  EXPECT_EQ(Call("GET", "/api/v1/reports/not-a-number/verification").status, 400u);
}

// A domain renamed in the share directory after a special report was issued: the report is
// still authentic, and verification says it cannot be compared rather than failing.
TEST_F(ReportsTest, VerificationSurvivesADomainThatIsGoneSinceIssue) {
  const std::string company = "/api/v1/subjects/" + std::string(kCompanyUscc) + "/reports";
  const std::string own = Token("subject", kCompanyUscc);
  Response issued =
      Call("POST", company, R"({"kind":"special","domains":["tax"],"format":"html"})", own);
  ASSERT_EQ(issued.status, 201u) << issued.body;
  const std::string url =
      "/api/v1/reports/" + std::string(issued.Header("X-Report-Number")) + "/verification";
  const fs::path share = dir_ / "share";
  ASSERT_TRUE(test::CopyShareWith(share, "report/domains.toml", "code = \"tax\"",
                                  "code = \"taxes\""));
  PlatformOptions o = p_->options();
  o.share_dir = share.string();
  ASSERT_NO_FATAL_FAILURE(Reopen(o));
  Response v = Call("GET", url, "", Token("operator"));
  ASSERT_EQ(v.status, 200u) << v.body;
  json::object b = json::parse(v.body).as_object();
  EXPECT_TRUE(b.at("authentic").as_bool());
  EXPECT_TRUE(b.at("changed").as_bool());
  ASSERT_EQ(b.at("changed_sections").as_array().size(), 1u) << v.body;
  EXPECT_EQ(b.at("changed_sections").at(0).at("key"), "request");
}

// A record under an open objection stays in the report, marked (FACTS §5); the mark is part of
// what the report said.
TEST_F(ReportsTest, ARecordUnderObjectionIsMarkedInTheReport) {
  std::vector<Record> penalties;
  ASSERT_TRUE(p_->store().ListRecords(company_.id, "admin_penalty", &penalties).ok());
  ASSERT_FALSE(penalties.empty());
  const Record& objected = penalties.front();
  const std::string own = Token("subject", kCompanyUscc);
  Response filed = Call("POST", "/api/v1/objections",
                        json::serialize(json::object{{"record", objected.record_id},
                                                     {"reason", "处罚对象有误"}}),
                        own);
  ASSERT_EQ(filed.status, 201u) << filed.body;
  auto c = BuildReportContent(*p_, company_,
                              MakeRequest(report::ReportKind::kPublic, report::ReportView::kPublic),
                              Date::Today());
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  size_t marked = 0, listed = 0;
  for (const report::ReportSection& s : c->sections) {
    for (const report::ReportItem& i : s.items) {
      ++listed;
      for (const report::ReportField& f : i.fields) {
        if (f.label != report::kObjectionLabel) continue;
        EXPECT_EQ(i.record_id, objected.record_id);
        EXPECT_EQ(f.value, report::kUnderObjection);
        ++marked;
      }
    }
  }
  EXPECT_EQ(marked, 1u) << "of " << listed << " items";
}

// A full-view report of an organization whose grade is computed when asked (none stored under
// the current model): verified on later days, it has not changed.
TEST_F(ReportsTest, AGradeComputedForTheReportDoesNotChangeItTheNextDay) {
  const fs::path share = dir_ / "share";
  ASSERT_TRUE(test::CopyShareWith(share, "evaluation/model.toml", "name = \"公共信用综合评价模型（示范）\"",
                                  "name = \"公共信用综合评价模型（试行）\""));
  PlatformOptions o = p_->options();
  o.share_dir = share.string();
  ASSERT_NO_FATAL_FAILURE(Reopen(o));
  const Date today = Date::Today();
  auto g = SubjectCurrentGrade(*p_, company_, today);
  ASSERT_TRUE(g.ok()) << g.status().ToString();
  ASSERT_FALSE(g->stored) << "the stored grade is of the other model";
  auto issued = IssueReport(*p_, company_, MakeRequest(report::ReportKind::kPublic,
                                                       report::ReportView::kFull),
                            today, NowUnixMs(), "https://credit.example.cn", false);
  ASSERT_TRUE(issued.ok()) << issued.status().ToString();
  const std::string number = issued->content.number;
  for (int days : {0, 1, 2}) {
    auto v = VerifyIssuedReport(*p_, number, today.AddDays(days));
    ASSERT_TRUE(v.ok() && v->has_value()) << v.status().ToString();
    EXPECT_TRUE((*v)->authentic());
    EXPECT_FALSE((*v)->changed) << "day +" << days << ": "
                                << ((*v)->changed_parts.empty() ? "" : (*v)->changed_parts[0].first);
  }
}

// The report key file replaced by another key: verification says the key differs, not that the
// report was tampered with; a read-only open without a key file makes none.
TEST_F(ReportsTest, AnotherReportKeyIsSaidToBeAnotherKey) {
  auto issued = IssueReport(*p_, company_, MakeRequest(report::ReportKind::kPublic,
                                                       report::ReportView::kPublic),
                            Date::Today(), NowUnixMs(), "https://credit.example.cn", false);
  ASSERT_TRUE(issued.ok()) << issued.status().ToString();
  PlatformOptions o = p_->options();
  o.report_key_file = (dir_ / "keys" / "other.report.key").string();
  ASSERT_TRUE(report::ReportSigner::OpenOrCreate(o.report_key_file).ok());
  ASSERT_NO_FATAL_FAILURE(Reopen(o));
  auto v = VerifyIssuedReport(*p_, issued->content.number, Date::Today());
  ASSERT_TRUE(v.ok() && v->has_value()) << v.status().ToString();
  EXPECT_FALSE((*v)->authentic());
  EXPECT_FALSE((*v)->key_matches);
  const json::object j = VerificationJson(**v, Date::Today());
  EXPECT_NE(j.at("message").as_string().find("签名密钥与平台当前密钥不一致"), json::string::npos)
      << json::serialize(j);

  // Missing while the store holds issued reports: refused, even read-only.
  p_.reset();
  o.read_only = true;
  o.report_key_file = (dir_ / "keys" / "none.report.key").string();
  EXPECT_EQ(Platform::Open(o).status().code(), StatusCode::kFailedPrecondition);
  // A store that issued none, opened read-only without its key file: nothing is made, and the
  // key's users say what is missing.
  PlatformOptions fresh = o;
  fresh.read_only = false;
  fresh.data_dir = (dir_ / "fresh").string();
  fresh.key_file = (dir_ / "keys" / "fresh.key").string();
  fresh.report_key_file = (dir_ / "keys" / "fresh.report.key").string();
  ASSERT_TRUE(Platform::Open(fresh).ok());
  fs::remove(fresh.report_key_file);
  fresh.read_only = true;
  ASSERT_NO_FATAL_FAILURE(Reopen(fresh));
  EXPECT_FALSE(fs::exists(fresh.report_key_file));
  EXPECT_EQ(p_->report_signer().status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(p_->report_signer().status().message().find("fresh.report.key"), std::string::npos);
  EXPECT_EQ(ReportPublicKeyJson(*p_).status().code(), StatusCode::kFailedPrecondition);
  EXPECT_FALSE(fs::exists(fresh.report_key_file));
}

// A natural person's report verified by someone else: the name masked in free text too; a record
// erased since (retention) is not served again, to anyone.
TEST_F(ReportsTest, APersonsReportKeepsTheNameMaskedAndErasedRecordsOut) {
  std::string csv = PenaltyCsv({{"person", "郑市监罚〔2026〕557号", Ago(30), "郑州市市场监督管理局"}});
  const std::string facts = "在网站发布虚假广告";
  csv.replace(csv.rfind(facts), facts.size(), "张三在网站发布虚假广告");
  Ingest("admin_penalty", csv);
  const std::string person = "/api/v1/subjects/" + person_.DisplayCode() + "/reports";
  Response issued = Call("POST", person, R"({"format":"html","view":"full"})", Token("operator"));
  ASSERT_EQ(issued.status, 201u) << issued.body;
  const std::string url =
      "/api/v1/reports/" + std::string(issued.Header("X-Report-Number")) + "/verification";
  Response pub = Call("GET", url);
  ASSERT_EQ(pub.status, 200u) << pub.body;
  EXPECT_EQ(pub.body.find("张三"), std::string::npos) << pub.body;
  EXPECT_NE(pub.body.find("张*在网站发布虚假广告"), std::string::npos) << pub.body;
  EXPECT_NE(pub.body.find("郑市监罚〔2026〕557号"), std::string::npos);

  // Erased (as retention does): left out for the public and the person alike.
  std::vector<Record> records;
  ASSERT_TRUE(p_->store().ListRecords(person_.id, "admin_penalty", &records).ok());
  std::vector<storage::RecordRef> erase;
  for (const Record& r : records) {
    if (r.document_number == "郑市监罚〔2026〕557号") erase.push_back({person_.id, r.record_id});
  }
  ASSERT_EQ(erase.size(), 1u);
  ASSERT_TRUE(p_->ingester().Erase(erase, {}).ok());
  for (const std::string& token : {std::string(), Token("subject", person_.DisplayCode())}) {
    Response v = Call("GET", url, "", token);
    ASSERT_EQ(v.status, 200u) << v.body;
    EXPECT_EQ(v.body.find("郑市监罚〔2026〕557号"), std::string::npos) << v.body;
    EXPECT_NE(v.body.find("郑市监罚〔2026〕300号"), std::string::npos) << "the other is held";
    EXPECT_TRUE(json::parse(v.body).at("erased_left_out").as_bool());
  }
}

TEST_F(ReportsTest, NumbersCannotBeGuessedAndThePublicLearnsOnlyAuthenticity) {
  const std::string person = "/api/v1/subjects/" + person_.DisplayCode() + "/reports";
  Response issued = Call("POST", person, R"({"format":"html","view":"full"})", Token("operator"));
  ASSERT_EQ(issued.status, 201u) << issued.body;
  const std::string number(issued.Header("X-Report-Number"));
  // XYBG-YYYYMMDD-NNNNNN-XXXXXXXX: the serial alone does not find the report.
  ASSERT_EQ(number.size(), 29u) << number;
  EXPECT_EQ(number[20], '-');
  for (char ch : number.substr(21)) {
    EXPECT_TRUE((ch >= 'A' && ch <= 'Z') || (ch >= '2' && ch <= '7')) << number;
  }
  EXPECT_EQ(Call("GET", "/api/v1/reports/" + number.substr(0, 20) + "/verification").status, 404u);
  std::string wrong = number;
  wrong.back() = wrong.back() == 'A' ? 'B' : 'A';
  EXPECT_EQ(Call("GET", "/api/v1/reports/" + wrong + "/verification").status, 404u);

  Ingest("admin_penalty",
         PenaltyCsv({{"person", "郑市监罚〔2026〕556号", Ago(5), "郑州市市场监督管理局"}}));
  const std::string url = "/api/v1/reports/" + number + "/verification";
  Response pub = Call("GET", url);
  ASSERT_EQ(pub.status, 200u) << pub.body;
  json::object o = json::parse(pub.body).as_object();
  EXPECT_TRUE(o.at("authentic").as_bool());
  EXPECT_FALSE(o.contains("changed"));
  EXPECT_FALSE(o.contains("changed_sections"));
  EXPECT_FALSE(o.at("subject").as_object().contains("code"));
  EXPECT_EQ(o.at("subject").at("name"), "张*");
  EXPECT_EQ(pub.body.find(person_.DisplayCode()), std::string::npos) << pub.body;
  EXPECT_EQ(pub.body.find(person_.name), std::string::npos) << pub.body;
  // What the report said, record by record and field by field, for comparison with the
  // document in hand: an edited amount or period shows.
  EXPECT_EQ(o.at("period").at("to").as_string(), Date::Today().ToString());
  bool listed = false;
  for (const json::value& s : o.at("sections").as_array()) {
    for (const json::value& item : s.at("items").as_array()) {
      if (item.at("document_number") != "郑市监罚〔2026〕300号") continue;
      listed = true;
      bool amount = false;
      for (const json::value& f : item.at("fields").as_array()) {
        amount = amount || f.at("value").as_string().find("罚款2万") != json::string::npos;
      }
      EXPECT_TRUE(amount) << pub.body;
    }
  }
  EXPECT_TRUE(listed) << pub.body;
  // Another subject's token is the public here; the person itself learns what changed.
  o = json::parse(Call("GET", url, "", Token("subject", kCompanyUscc)).body).as_object();
  EXPECT_FALSE(o.contains("changed"));
  Response own = Call("GET", url, "", Token("subject", person_.DisplayCode()));
  ASSERT_EQ(own.status, 200u) << own.body;
  o = json::parse(own.body).as_object();
  EXPECT_TRUE(o.at("changed").as_bool());
  ASSERT_EQ(o.at("changed_sections").as_array().size(), 1u) << own.body;
  EXPECT_EQ(o.at("changed_sections").at(0).at("key"), "penalties");
}

TEST_F(ReportsTest, PublicViewSpecialReportConcludesOverNonPublicRecordsToo) {
  // The social-insurance arrears (政务共享) are not listed in a public view, but the domain is
  // not certified clean while they are in force.
  auto r = MakeRequest(report::ReportKind::kSpecial, report::ReportView::kPublic);
  r.domains = {"human_resources"};
  auto c = BuildReportContent(*p_, company_, r, Date::Today());
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  ASSERT_EQ(c->sections.size(), 2u);
  EXPECT_TRUE(c->sections[1].items.empty());
  EXPECT_EQ(c->sections[1].facts[0].value, "有违法违规记录");
  EXPECT_NE(c->sections[1].summary.find("1 条为非公开信息"), std::string::npos)
      << c->sections[1].summary;
  r.view = report::ReportView::kFull;
  c = BuildReportContent(*p_, company_, r, Date::Today());
  ASSERT_TRUE(c.ok());
  ASSERT_EQ(c->sections[1].items.size(), 1u);
  EXPECT_EQ(c->sections[1].facts[0].value, "有违法违规记录");
}

TEST_F(ReportsTest, PublicGetsTodaysIdenticalReportAgainInsteadOfANewOne) {
  auto count = [&] {
    size_t n = 0;
    EXPECT_TRUE(p_->store().ScanReports(storage::Store::ScanOrder::kOldestFirst, [&](uint64_t, std::string_view) { return ++n, true; }).ok());
    return n;
  };
  const std::string company = "/api/v1/subjects/" + std::string(kCompanyUscc) + "/reports";
  Response first = Call("POST", company, R"({"format":"html"})");
  ASSERT_EQ(first.status, 201u) << first.body;
  Response again = Call("POST", company, R"({"format":"pdf"})");
  ASSERT_EQ(again.status, 200u) << again.body;
  EXPECT_EQ(again.Header("X-Report-Number"), first.Header("X-Report-Number"));
  EXPECT_EQ(again.Header("X-Report-Digest"), first.Header("X-Report-Digest"));
  auto env = report::ExtractEnvelope(again.body);
  ASSERT_TRUE(env.ok()) << env.status().ToString();
  EXPECT_TRUE(report::CheckSignature(*env, (*p_->report_signer())->public_key()).signature_valid);
  EXPECT_EQ(count(), 1u);
  // Another period is another report; so is the same one after the information changed.
  const std::string from = R"({"from":")" + Ago(30) + R"("})";
  EXPECT_EQ(Call("POST", company, from).status, 201u);
  EXPECT_EQ(Call("POST", company, from).status, 200u);
  EXPECT_EQ(count(), 2u);
  Ingest("admin_penalty",
         PenaltyCsv({{"company", "郑市监罚〔2026〕557号", Ago(3), "郑州市市场监督管理局"}}));
  Response changed = Call("POST", company, "");
  EXPECT_EQ(changed.status, 201u);
  EXPECT_NE(changed.Header("X-Report-Number"), first.Header("X-Report-Number"));
  // The operator (and a subject) always get a new report.
  EXPECT_EQ(Call("POST", company, "", Token("operator")).status, 201u);
  EXPECT_EQ(count(), 4u);
}

// Without a token, at most kPublicReportsPerSubjectDay reports of one subject a day: requests
// that differ are refused after that (429); the same request still gets its report; a token
// holder is not limited by it.
TEST_F(ReportsTest, ThePublicIssuesABoundedNumberOfReportsOfASubjectADay) {
  const std::string company = "/api/v1/subjects/" + std::string(kCompanyUscc) + "/reports";
  auto period = [](int days) { return R"({"format":"html","from":")" + Ago(days) + R"("})"; };
  // Reports issued with a token do not count.
  for (int i = 0; i < 3; ++i) {
    ASSERT_EQ(Call("POST", company, period(200 + i), Token("operator")).status, 201u);
  }
  for (size_t i = 0; i < kPublicReportsPerSubjectDay; ++i) {
    ASSERT_EQ(Call("POST", company, period(static_cast<int>(10 + i))).status, 201u) << i;
  }
  Response refused = Call("POST", company, period(100));
  EXPECT_EQ(refused.status, 429u) << refused.body;
  EXPECT_NE(refused.body.find("too_many_reports"), std::string::npos) << refused.body;
  const int retry = std::stoi(std::string(refused.Header("Retry-After")));
  EXPECT_TRUE(retry > 0 && retry <= 86400) << retry << ": until midnight in Beijing";
  EXPECT_EQ(Call("POST", company, period(10)).status, 200u) << "the same request, the same report";
  EXPECT_EQ(Call("POST", company, R"({"format":"html"})").status, 201u)
      << "the default period is never refused";
  EXPECT_EQ(Call("POST", company, period(100), Token("operator")).status, 201u);
}

// Nor may one client address have more than public_reports_per_client_day new reports issued
// without a token in a day, of whatever subjects: a crawler cannot fill the store. Behind a
// trusted proxy, the address it names counts.
TEST_F(ReportsTest, OneAddressIssuesABoundedNumberOfNewReportsADay) {
  PlatformOptions o = p_->options();
  o.public_reports_per_client_day = 3;
  o.trusted_proxies = {"10.0.0.1"};
  ASSERT_NO_FATAL_FAILURE(Reopen(o));
  auto ask = [&](const std::string& body, const std::string& peer, const std::string& xff = "") {
    Request r;
    r.method = "POST";
    r.target = "/api/v1/subjects/" + std::string(kCompanyUscc) + "/reports";
    r.body = body;
    r.content_type = "application/json";
    r.peer = peer;
    r.forwarded_for = xff;
    return HandleRequest(*p_, r);
  };
  auto period = [](int days) { return R"({"format":"html","from":")" + Ago(days) + R"("})"; };
  EXPECT_EQ(ask(R"({"format":"html"})", "192.0.2.5:4000").status, 201u);
  EXPECT_EQ(ask(period(10), "192.0.2.5:4001").status, 201u);
  EXPECT_EQ(ask(period(11), "192.0.2.5:4002").status, 201u);
  Response refused = ask(period(12), "192.0.2.5:4003");
  EXPECT_EQ(refused.status, 429u) << refused.body;
  EXPECT_NE(refused.body.find("this address"), std::string::npos) << refused.body;
  EXPECT_FALSE(refused.Header("Retry-After").empty());
  EXPECT_EQ(ask(period(10), "192.0.2.5:4004").status, 200u) << "a report it has: given again";
  EXPECT_EQ(ask(period(12), "192.0.2.6:4000").status, 201u) << "another address";
  // Behind the proxy: the address the proxy names, not the proxy's, nor what a client wrote.
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(ask(period(20 + i), "10.0.0.1:5000", "198.51.100.7").status, 201u) << i;
  }
  EXPECT_EQ(ask(period(30), "10.0.0.1:5000", "198.51.100.7").status, 429u);
  EXPECT_EQ(ask(period(30), "10.0.0.1:5000", "198.51.100.7, 198.51.100.8").status, 201u);
  EXPECT_EQ(ask(period(31), "10.0.0.1:5000", "1.2.3.4, 198.51.100.7").status, 429u)
      << "the entry a client wrote before the proxy's is not believed";
  EXPECT_EQ(ask(period(31), "10.0.0.1:5000", "198.51.100.7:40001").status, 429u)
      << "another port is the same client";
}

TEST(ClientAddressTest, ThePeerOrWhatTrustedProxiesSay) {
  Request r;
  r.peer = "192.0.2.5:4000";
  r.forwarded_for = "203.0.113.9";
  const std::vector<std::string> proxies = {"10.0.0.1", "10.0.0.2"};
  EXPECT_EQ(ClientAddress(r, proxies), "192.0.2.5") << "not a proxy: its header is not believed";
  r.peer = "10.0.0.1:5000";
  EXPECT_EQ(ClientAddress(r, proxies), "203.0.113.9");
  r.forwarded_for = "203.0.113.9, 10.0.0.2";  // two proxies in a row
  EXPECT_EQ(ClientAddress(r, proxies), "203.0.113.9");
  r.forwarded_for = "";
  EXPECT_EQ(ClientAddress(r, proxies), "10.0.0.1");
  r.peer = "::1:5000";
  EXPECT_EQ(ClientAddress(r, {}), "::1");
  // Ports, brackets and IPv4 mapped into IPv6 do not make another client; nor do the free
  // addresses of one IPv6 /64.
  r.peer = "::ffff:10.0.0.1:5000";  // a dual-stack listener's IPv4 peer
  r.forwarded_for = "203.0.113.9:51234";
  EXPECT_EQ(ClientAddress(r, proxies), "203.0.113.9");
  r.forwarded_for = "[2001:db8::1]:443";
  EXPECT_EQ(ClientAddress(r, proxies), "2001:db8::1");
  EXPECT_EQ(ClientBucket("2001:db8::1"), ClientBucket("2001:db8::ffff:1"));
  EXPECT_NE(ClientBucket("2001:db8::1"), ClientBucket("2001:db8:0:1::1"));
  EXPECT_EQ(ClientBucket("203.0.113.9"), "203.0.113.9");
  // What is no address ends the walk at the proxy.
  r.forwarded_for = "unknown";
  EXPECT_EQ(ClientAddress(r, proxies), "10.0.0.1");
  EXPECT_EQ(CanonicalAddress("localhost"), "");
}

TEST_F(ReportsTest, OpenRefusesANewReportKeyWhenReportsWereIssued) {
  ASSERT_EQ(Call("POST", "/api/v1/subjects/" + std::string(kCompanyUscc) + "/reports", "").status,
            201u);
  PlatformOptions o = p_->options();
  p_.reset();
  ASSERT_TRUE(fs::remove(o.report_key_file));
  auto p = Platform::Open(o);
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(p.status().message().find(o.report_key_file), std::string::npos)
      << p.status().message();
  EXPECT_FALSE(fs::exists(o.report_key_file)) << "no new key was made";
  // A store without reports gets its key on first use.
  PlatformOptions fresh = o;
  fresh.data_dir = (dir_ / "data2").string();
  fresh.key_file = (dir_ / "keys" / "k2.key").string();
  fresh.report_key_file.clear();
  auto q = Platform::Open(fresh);
  ASSERT_TRUE(q.ok()) << q.status().ToString();
  EXPECT_TRUE(fs::exists(q.value()->options().report_key_file));
}

TEST_F(ReportsTest, DeclarationsGoToTheSelfDeclaredSection) {
  DeclarationRequest d;
  d.kind = "荣誉奖励";
  d.title = "郑州市守合同重信用企业";
  d.content = "2025 年度郑州市守合同重信用企业";
  d.issuer = "郑州市市场监督管理局";
  d.obtained = Ago(20);
  d.publicity = "可向社会公开";
  d.truthful = true;
  std::string bad_field;
  auto declared = Declare(*p_, company_, d, Date::Today(), &bad_field);
  ASSERT_TRUE(declared.ok()) << declared.status().ToString() << " " << bad_field;
  auto c = BuildReportContent(*p_, company_,
                              MakeRequest(report::ReportKind::kPublic, report::ReportView::kPublic),
                              Date::Today());
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  const auto* self = Section(*c, "self_declared");
  ASSERT_NE(self, nullptr);
  EXPECT_FALSE(self->placeholder);
  ASSERT_EQ(self->items.size(), 1u);
  EXPECT_EQ(self->items[0].indicator, kDeclarationIndicator);
}

TEST_F(ReportsTest, PublishedKeyVerifiesADownloadedReportOffline) {
  const std::string company = "/api/v1/subjects/" + std::string(kCompanyUscc) + "/reports";
  Response pdf = Call("POST", company, R"({"format":"pdf"})");
  ASSERT_EQ(pdf.status, 201u);
  Response key = Call("GET", "/api/v1/reports/public-key");
  ASSERT_EQ(key.status, 200u);
  auto k = report::ParsePublicKey(key.body);
  ASSERT_TRUE(k.ok()) << k.status().ToString();
  auto env = report::ExtractEnvelope(pdf.body);
  ASSERT_TRUE(env.ok()) << env.status().ToString();
  const auto check = report::CheckSignature(*env, *k);
  EXPECT_TRUE(check.signature_valid);
  EXPECT_EQ(check.number, pdf.Header("X-Report-Number"));
  EXPECT_EQ(check.digest, pdf.Header("X-Report-Digest"));
}

}  // namespace
}  // namespace xinyong::server
