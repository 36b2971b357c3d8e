// The portal's public listings through the router: the 双公示 publicity listing (order, date
// bounds, the department filter, paging and the resumption cursor, what the public does not see:
// revoked records, records past their publicity, a natural person's name) and the measures list
// with its filters; the errors name their parameter. The listing's work bound is exercised on
// ListPublicity with a small bound.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <filesystem>
#include <random>

#include "core/test_paths.h"
#include "core/utf8.h"
#include "ingest/ingester.h"
#include "server/access.h"
#include "server/platform.h"
#include "server/publicity.h"
#include "server/router.h"

namespace xinyong::server {
namespace {

namespace fs = std::filesystem;
namespace json = boost::json;

constexpr char kMarket[] = "郑州市市场监督管理局";
constexpr char kEnv[] = "郑州市生态环境局";
constexpr char kEnvPercent[] =
    "%E9%83%91%E5%B7%9E%E5%B8%82%E7%94%9F%E6%80%81%E7%8E%AF%E5%A2%83%E5%B1%80";
constexpr char kCompanyA[] = "91110000600037341L";
constexpr char kCompanyB[] = "91310115MA1K3BTP2B";
constexpr char kCompanyC[] = "9144030071526726XG";
constexpr char kPersonId[] = "11010519491231002X";
constexpr char kPersonName[] = "张三丰";

std::string Ago(int days) { return Date::Today().AddDays(-days).ToString(); }

std::string Penalty(std::string_view uscc, std::string_view name, std::string_view doc,
                    int days_ago, std::string_view dept) {
  return json::serialize(
             json::object{{"CF_XDR_MC", name},
                          {"CF_XDR_LB", "法人及非法人组织"},
                          {"CF_XDR_SHXYM", uscc},
                          {"CF_WSH", doc},
                          {"CF_WFXW", "虚假宣传"},
                          {"CF_SY", "在网站发布虚假广告"},
                          {"CF_YJ", "《中华人民共和国广告法》第五十五条"},
                          {"CF_CFLB", "罚款"},
                          {"CF_NR", std::string("罚款2万元（") + std::string(doc) + "）"},
                          {"CF_NR_FK", "2"},
                          {"CF_JDRQ", Ago(days_ago)},
                          {"CF_CFJG", std::string(" ") + std::string(dept) + " "},
                          {"CF_CFJGDM", "11410100MB0000001X"},
                          {"CF_SJLY", dept},
                          {"CF_SJLYDM", "11410100MB0000001X"},
                          {"CF_CFCX", "普通程序"}}) +
         "\n";
}

std::string PersonPenalty(std::string_view doc, int days_ago,
                          const std::string& name = kPersonName) {
  return json::serialize(json::object{
             {"CF_XDR_MC", name},
             {"CF_XDR_LB", "自然人"},
             {"CF_XDR_ZJLX", "身份证"},
             {"CF_XDR_ZJHM", kPersonId},
             {"CF_WSH", doc},
             {"CF_WFXW", name + "无证经营"},
             {"CF_SY", "未取得许可从事经营活动"},
             {"CF_YJ", "《无证无照经营查处办法》第十三条"},
             {"CF_CFLB", "罚款"},
             {"CF_NR", "对" + name + "（身份证号" + kPersonId + "）罚款500元"},
             {"CF_NR_FK", "0.05"},
             {"CF_JDRQ", Ago(days_ago)},
             {"CF_CFJG", kMarket},
             {"CF_CFJGDM", "11410100MB0000001X"},
             {"CF_SJLY", kMarket},
             {"CF_SJLYDM", "11410100MB0000001X"},
             {"CF_CFCX", "普通程序"}}) +
         "\n";
}

std::string Licence(std::string_view doc, int days_ago, std::string_view content) {
  return json::serialize(json::object{{"XK_XDR_MC", "郑州宏达商贸有限公司"},
                                      {"XK_XDR_LB", "法人及非法人组织"},
                                      {"XK_XDR_SHXYM", kCompanyA},
                                      {"XK_XKWS", "食品经营许可决定书"},
                                      {"XK_WSH", doc},
                                      {"XK_XKLB", "普通"},
                                      {"XK_NR", content},
                                      {"XK_JDRQ", Ago(days_ago)},
                                      {"XK_YXQZ", Ago(days_ago)},
                                      {"XK_YXQZI", "2099-12-31"},
                                      {"XK_XKJG", kMarket},
                                      {"XK_XKJGDM", "11410100MB0000001X"},
                                      {"XK_LYDW", kMarket},
                                      {"XK_LYDWDM", "11410100MB0000001X"}}) +
         "\n";
}

class PortalApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::random_device rd;
    dir_ = fs::temp_directory_path() / ("xinyong-portal-api-" + std::to_string(rd()));
    PlatformOptions o;
    o.data_dir = (dir_ / "data").string();
    o.share_dir = test::SourceDir() + "/data";
    o.key_file = (dir_ / "keys" / "k.key").string();
    o.sync = false;
    o.grade_on_ingest = false;
    auto p = Platform::Open(o);
    ASSERT_TRUE(p.ok()) << p.status().ToString();
    p_ = std::move(p).value();
    TokenRequest r;
    r.role = "operator";
    r.created_by = "test";
    auto t = CreateToken(*p_, r, NowUnixMs());
    ASSERT_TRUE(t.ok()) << t.status().ToString();
    operator_ = t->secret;
    // Newest first: P1 (10 days), P6 (15, a person), P2 (20, environment), P3 (30), P4 (40);
    // P5 (400 days) is past its 12 months of publicity.
    Ingest("admin_penalty", Penalty(kCompanyA, "郑州宏达商贸有限公司", "P1", 10, kMarket) +
                                Penalty(kCompanyA, "郑州宏达商贸有限公司", "P2", 20, kEnv) +
                                Penalty(kCompanyB, "上海某科技有限公司", "P3", 30, kMarket) +
                                Penalty(kCompanyB, "上海某科技有限公司", "P4", 40, kMarket) +
                                Penalty(kCompanyC, "深圳某实业有限公司", "P5", 400, kMarket) +
                                PersonPenalty("P6", 15));
  }
  void TearDown() override {
    p_.reset();
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }

  Response Call(std::string method, std::string target, std::string body = "",
                const std::string& token = "", std::string content_type = "application/json") {
    Request r;
    r.method = std::move(method);
    r.target = std::move(target);
    r.body = std::move(body);
    r.content_type = std::move(content_type);
    if (!token.empty()) r.authorization = "Bearer " + token;
    r.peer = "127.0.0.1:50000";
    return HandleRequest(*p_, r);
  }
  static json::object Body(const Response& r) {
    boost::system::error_code ec;
    json::value v = json::parse(r.body, ec);
    return !ec && v.is_object() ? v.as_object() : json::object();
  }
  json::object Get(const std::string& target, unsigned status = 200) {
    Response r = Call("GET", target);
    EXPECT_EQ(r.status, status) << target << ": " << r.body;
    return Body(r);
  }
  void Ingest(std::string_view indicator, const std::string& jsonl) {
    Response r = Call("POST", "/api/v1/batches?indicator=" + std::string(indicator), jsonl,
                      operator_, "application/x-ndjson");
    ASSERT_EQ(r.status, 201u) << r.body;
    json::object b = Body(r);
    ASSERT_EQ(b["rejected"].to_number<int64_t>(), 0) << r.body;
  }
  // The document numbers of a listing's items, in order.
  static std::vector<std::string> Docs(const json::object& b) {
    std::vector<std::string> out;
    for (const json::value& i : b.at("items").as_array()) {
      out.emplace_back(i.at("document_number").as_string());
    }
    return out;
  }
  // The parameter a 400 names.
  std::string BadParameter(const std::string& target) {
    json::object b = Get(target, 400);
    const json::value* d = b["error"].as_object().if_contains("details");
    return d != nullptr && d->is_object() ? std::string(d->at("parameter").as_string()) : "";
  }
  // The current version of the subject's record of `indicator` with this document number.
  Record Current(std::string_view code, std::string_view doc) {
    auto subject = p_->FindSubjectByCode(code);
    EXPECT_TRUE(subject.ok());
    std::vector<Record> records;
    EXPECT_TRUE(p_->store().ListRecords(subject->id, "admin_penalty", &records).ok());
    for (Record& r : records) {
      if (r.document_number == doc) return r;
    }
    ADD_FAILURE() << "no record " << doc;
    return Record();
  }

  fs::path dir_;
  std::unique_ptr<Platform> p_;
  std::string operator_;
};

using DocList = std::vector<std::string>;

TEST_F(PortalApiTest, ListsPenaltiesNewestFirstAsThePublicSeesThem) {
  json::object b = Get("/api/v1/publicity?kind=penalty");
  EXPECT_EQ(b["kind"].as_string(), "penalty");
  EXPECT_EQ(b["indicator"].as_string(), "admin_penalty");
  EXPECT_TRUE(b["from"].is_null() && b["to"].is_null() && b["dept"].is_null());
  EXPECT_EQ(b["page"].to_number<int64_t>(), 1);
  EXPECT_EQ(b["page_size"].to_number<int64_t>(), 20);
  EXPECT_FALSE(b["has_more"].as_bool());
  EXPECT_TRUE(b["next"].is_null());
  // P5 is past its publicity period.
  EXPECT_EQ(Docs(b), (DocList{"P1", "P6", "P2", "P3", "P4"}));
  bool market_listed = false;
  for (const json::value& d : b["departments"].as_array())
    market_listed |= d.as_string() == kMarket;
  EXPECT_TRUE(market_listed);

  const json::object& first = b["items"].as_array()[0].as_object();
  EXPECT_EQ(first.at("subject").at("code").as_string(), kCompanyA);
  EXPECT_EQ(first.at("subject").at("name").as_string(), "郑州宏达商贸有限公司");
  EXPECT_EQ(first.at("subject").at("type").as_string(), "legal_person");
  EXPECT_EQ(first.at("decision_date").as_string(), Ago(10));
  EXPECT_EQ(first.at("authority").as_string(), kMarket) << "trimmed";
  EXPECT_EQ(first.at("title").as_string(), "虚假宣传");
  EXPECT_EQ(first.at("content").as_string(), "罚款2万元（P1）");
  EXPECT_FALSE(first.at("content_truncated").as_bool());
  EXPECT_FALSE(first.at("under_objection").as_bool());
  // The record the records endpoint shows under the same id.
  json::object records = Get(std::string("/api/v1/subjects/") + kCompanyA + "/records");
  EXPECT_EQ(std::to_string(records["records"].as_array()[0].at("id").to_number<uint64_t>()),
            first.at("record_id").as_string());

  // Every caller gets the public's listing.
  Response as_operator = Call("GET", "/api/v1/publicity?kind=penalty", "", operator_);
  EXPECT_EQ(as_operator.status, 200u);
  EXPECT_EQ(Docs(Body(as_operator)), Docs(b));
}

TEST_F(PortalApiTest, ListsANaturalPersonsPenaltyWithoutTheName) {
  Response r = Call("GET", "/api/v1/publicity?kind=penalty");
  ASSERT_EQ(r.status, 200u);
  EXPECT_EQ(r.body.find(kPersonName), std::string::npos) << r.body;
  EXPECT_EQ(r.body.find(kPersonId), std::string::npos) << r.body;
  json::object b = Body(r);
  const json::object& item = b["items"].as_array()[1].as_object();
  ASSERT_EQ(item.at("document_number").as_string(), "P6");
  EXPECT_TRUE(item.at("subject").at("code").is_null());
  EXPECT_EQ(item.at("subject").at("name").as_string(), "张**");
  EXPECT_EQ(item.at("subject").at("type").as_string(), "natural_person");
  EXPECT_EQ(item.at("title").as_string(), "张**无证经营");
  EXPECT_TRUE(item.at("content").as_string().starts_with("对张**")) << item.at("content");
}

// A person's name is not reconciled at ingest: a decision that spells it otherwise than the stored
// name is masked as it spells it.
TEST_F(PortalApiTest, MasksAPersonsNameAsTheDecisionSpellsIt) {
  Ingest("admin_penalty", PersonPenalty("P8", 5, "张·三丰"));
  Response r = Call("GET", "/api/v1/publicity?kind=penalty");
  ASSERT_EQ(r.status, 200u);
  EXPECT_EQ(r.body.find("三丰"), std::string::npos) << r.body;
  json::object b = Body(r);
  const json::object& item = b["items"].as_array()[0].as_object();
  ASSERT_EQ(item.at("document_number").as_string(), "P8");
  EXPECT_EQ(item.at("subject").at("name").as_string(), "张**");
  EXPECT_TRUE(item.at("title").as_string().starts_with("张*")) << item.at("title");
}

TEST_F(PortalApiTest, BoundsTheDecisionDate) {
  EXPECT_EQ(Docs(Get("/api/v1/publicity?kind=penalty&from=" + Ago(30) + "&to=" + Ago(15))),
            (DocList{"P6", "P2", "P3"}));
  EXPECT_EQ(Docs(Get("/api/v1/publicity?kind=penalty&from=" + Ago(20))),
            (DocList{"P1", "P6", "P2"}));
  json::object b = Get("/api/v1/publicity?kind=penalty&to=" + Ago(20));
  EXPECT_EQ(Docs(b), (DocList{"P2", "P3", "P4"}));
  EXPECT_EQ(b["to"].as_string(), Ago(20));
  EXPECT_TRUE(b["from"].is_null());
  // One day, and a range with nothing in it.
  EXPECT_EQ(Docs(Get("/api/v1/publicity?kind=penalty&from=" + Ago(40) + "&to=" + Ago(40))),
            (DocList{"P4"}));
  EXPECT_TRUE(Docs(Get("/api/v1/publicity?kind=penalty&from=" + Ago(9))).empty());
}

TEST_F(PortalApiTest, FiltersByTheDecidingAuthority) {
  json::object b =
      Get(std::string("/api/v1/publicity?kind=penalty&dept=%20") + kEnvPercent + "%20");
  EXPECT_EQ(Docs(b), (DocList{"P2"}));
  EXPECT_EQ(b["dept"].as_string(), kEnv);
  EXPECT_EQ(Docs(Get("/api/v1/publicity?kind=penalty&dept=" + std::string(kMarket))),
            (DocList{"P1", "P6", "P3", "P4"}));
  EXPECT_TRUE(Docs(Get("/api/v1/publicity?kind=penalty&dept=nobody")).empty());
  EXPECT_EQ(Docs(Get(std::string("/api/v1/publicity?kind=penalty&to=") + Ago(30) +
                     "&dept=" + kEnvPercent)),
            DocList{});
}

TEST_F(PortalApiTest, PagesWithHasMoreAndACursor) {
  json::object p1 = Get("/api/v1/publicity?kind=penalty&page_size=2");
  EXPECT_EQ(Docs(p1), (DocList{"P1", "P6"}));
  EXPECT_TRUE(p1["has_more"].as_bool());
  ASSERT_TRUE(p1["next"].is_string());
  json::object p2 = Get("/api/v1/publicity?kind=penalty&page_size=2&page=2");
  EXPECT_EQ(Docs(p2), (DocList{"P2", "P3"}));
  EXPECT_TRUE(p2["has_more"].as_bool());
  json::object p3 = Get("/api/v1/publicity?kind=penalty&page_size=2&page=3");
  EXPECT_EQ(Docs(p3), (DocList{"P4"}));
  EXPECT_FALSE(p3["has_more"].as_bool());
  EXPECT_TRUE(p3["next"].is_null());
  // Exactly a page left: no more.
  json::object full = Get("/api/v1/publicity?kind=penalty&page_size=5");
  EXPECT_EQ(Docs(full).size(), 5u);
  EXPECT_FALSE(full["has_more"].as_bool());
  // The cursor goes on where the page ended, as the next page does.
  const std::string after = std::string(p1["next"].as_string());
  json::object resumed = Get("/api/v1/publicity?kind=penalty&page_size=2&after=" + after);
  EXPECT_EQ(Docs(resumed), Docs(p2));
  json::object last = Get("/api/v1/publicity?kind=penalty&page_size=2&after=" +
                          std::string(resumed["next"].as_string()));
  EXPECT_EQ(Docs(last), (DocList{"P4"}));
  // A page past the end is empty.
  EXPECT_TRUE(Docs(Get("/api/v1/publicity?kind=penalty&page=9")).empty());
}

TEST_F(PortalApiTest, DoesNotListRevokedOrCorrectedAwayVersions) {
  // P3 revoked (an upheld objection would do this).
  const Record p3 = Current(kCompanyB, "P3");
  const ingest::StatusChange revoke{p3.subject_id, p3.record_id, p3.version, RecordStatus::kRevoked,
                                    "test: objection upheld"};
  ASSERT_TRUE(p_->ingester().ChangeStatus({&revoke, 1}, "revoke-p3", "test", Date::Today()).ok());
  // P4 corrected to a newer decision date: its old index entry stays behind.
  Ingest("admin_penalty", Penalty(kCompanyB, "上海某科技有限公司", "P4", 5, kMarket));
  EXPECT_EQ(Docs(Get("/api/v1/publicity?kind=penalty")), (DocList{"P4", "P1", "P6", "P2"}));
  EXPECT_EQ(Docs(Get("/api/v1/publicity?kind=penalty&from=" + Ago(45) + "&to=" + Ago(25))),
            DocList{});
}

TEST_F(PortalApiTest, ListsLicencesWithTheirFieldsAndCutsLongContent) {
  std::string longer;
  for (int i = 0; i < 30; ++i) longer += "预包装食品销售";  // 7 characters each: 210 in all
  Ingest("admin_licence",
         Licence("L1", 3, "预包装食品销售（含冷藏冷冻食品）") + Licence("L2", 8, longer));
  json::object b = Get("/api/v1/publicity?kind=licence");
  EXPECT_EQ(b["indicator"].as_string(), "admin_licence");
  EXPECT_EQ(Docs(b), (DocList{"L1", "L2"}));
  const json::array& items = b["items"].as_array();
  EXPECT_EQ(items[0].at("title").as_string(), "食品经营许可决定书");
  EXPECT_EQ(items[0].at("authority").as_string(), kMarket);
  EXPECT_EQ(items[0].at("content").as_string(), "预包装食品销售（含冷藏冷冻食品）");
  const std::string cut(items[1].at("content").as_string());
  EXPECT_TRUE(items[1].at("content_truncated").as_bool());
  EXPECT_EQ(Utf8Length(cut), 200u);
  EXPECT_TRUE(cut.ends_with("…"));
  EXPECT_EQ(cut.substr(0, cut.size() - std::string("…").size()),
            longer.substr(0, longer.size() * 199 / 210));
  // The departments are the licence indicator's.
  const catalog::Indicator* ind = p_->catalog().Find("admin_licence");
  EXPECT_EQ(b["departments"].as_array().size(), ind->source_departments.size());
}

TEST_F(PortalApiTest, RefusesBadParametersNamingThem) {
  EXPECT_EQ(BadParameter("/api/v1/publicity"), "kind");
  EXPECT_EQ(BadParameter("/api/v1/publicity?kind=commitment"), "kind");
  EXPECT_EQ(BadParameter("/api/v1/publicity?kind=penalty&from=2025-13-01"), "from");
  EXPECT_EQ(BadParameter("/api/v1/publicity?kind=penalty&to=2025/01/01"), "to");
  EXPECT_EQ(BadParameter("/api/v1/publicity?kind=penalty&from=2025-02-01&to=2025-01-31"), "from");
  EXPECT_EQ(BadParameter("/api/v1/publicity?kind=penalty&page=0"), "page");
  EXPECT_EQ(BadParameter("/api/v1/publicity?kind=penalty&page=x"), "page");
  EXPECT_EQ(BadParameter("/api/v1/publicity?kind=penalty&page_size=101"), "page_size");
  EXPECT_EQ(BadParameter("/api/v1/publicity?kind=penalty&page_size=0"), "page_size");
  EXPECT_EQ(BadParameter("/api/v1/publicity?kind=penalty&after=yesterday"), "after");
  EXPECT_EQ(BadParameter("/api/v1/publicity?kind=penalty&after=20251301.1.2.0"), "after");
  EXPECT_EQ(BadParameter("/api/v1/publicity?kind=penalty&dept=" + std::string(700, 'x')), "dept");
  EXPECT_EQ(Call("POST", "/api/v1/publicity?kind=penalty").status, 405u);
}

TEST_F(PortalApiTest, StopsAtTheWorkBoundAndResumesFromTheCursor) {
  // The environment bureau decided P2 only, the third entry; two entries per call.
  PublicityQuery q;
  q.kind = FindPublicityKind("penalty");
  ASSERT_NE(q.kind, nullptr);
  q.dept = kEnv;
  q.take = 20;
  q.max_examined = 2;
  std::vector<std::string> found;
  int calls = 0;
  for (;;) {
    PublicityPage page;
    ASSERT_TRUE(ListPublicity(*p_, q, Date::Today(), &page).ok());
    ++calls;
    EXPECT_LE(page.examined, 2u);
    for (const PublicityItem& i : page.items) found.push_back(i.record.document_number);
    EXPECT_EQ(page.next.has_value(), page.more);
    if (!page.more) break;
    EXPECT_TRUE(page.bounded);
    // What the API hands out and reads back.
    auto cursor = ParseCursor(EncodeCursor(*page.next));
    ASSERT_TRUE(cursor.ok());
    q.after = *cursor;
    ASSERT_LT(calls, 10);
  }
  EXPECT_EQ(found, (DocList{"P2"}));
  // Two entries per call; the third reads P4 and stops at P5, past its publicity.
  EXPECT_EQ(calls, 3);

  // Nothing past its publicity period is read: P5 and anything older.
  q = PublicityQuery();
  q.kind = FindPublicityKind("penalty");
  PublicityPage whole;
  ASSERT_TRUE(ListPublicity(*p_, q, Date::Today(), &whole).ok());
  EXPECT_EQ(whole.items.size(), 5u);
  EXPECT_EQ(whole.examined, 5u);
  EXPECT_FALSE(whole.more);

  // A skip that the bound interrupts goes on in the cursor: page 2 of one-item pages.
  q.take = 1;
  q.skip = 3;  // P1, P6, P2 skipped; P3 is the answer
  q.max_examined = 2;
  PublicityPage page;
  ASSERT_TRUE(ListPublicity(*p_, q, Date::Today(), &page).ok());
  EXPECT_TRUE(page.items.empty());
  ASSERT_TRUE(page.next.has_value());
  EXPECT_EQ(page.next->skip, 1u);
  q.skip = 0;
  q.after = page.next;
  ASSERT_TRUE(ListPublicity(*p_, q, Date::Today(), &page).ok());
  ASSERT_EQ(page.items.size(), 1u);
  EXPECT_EQ(page.items[0].record.document_number, "P3");
}

TEST_F(PortalApiTest, ListsTheLoadedMeasuresWithFilters) {
  const rules::MeasureCatalog& catalog = p_->measures();
  json::object all = Get("/api/v1/measures");
  EXPECT_TRUE(all["scenario"].is_null() && all["kind"].is_null());
  ASSERT_EQ(all["measures"].as_array().size(), catalog.measures().size());
  ASSERT_EQ(all["scenarios"].as_array().size(), catalog.scenarios().size());
  bool procurement = false;
  for (const json::value& s : all["scenarios"].as_array()) {
    procurement |= s.at("code").as_string() == "government_procurement" &&
                   s.at("name").as_string() == "政府采购";
  }
  EXPECT_TRUE(procurement);
  const rules::Measure& m0 = catalog.measures().front();
  const json::object& j0 = all["measures"].as_array()[0].as_object();
  EXPECT_EQ(j0.at("code").as_string(), m0.code);
  EXPECT_EQ(j0.at("legal_basis").as_string(), m0.legal_basis);
  EXPECT_EQ(j0.at("implementing_body").as_string(), m0.implementing_body);
  EXPECT_EQ(j0.at("mandatory").as_bool(), m0.mandatory);
  EXPECT_EQ(j0.at("target").as_string(), rules::TargetName(m0.targets.front()));
  EXPECT_EQ(j0.at("targets").as_array().size(), m0.targets.size());
  EXPECT_EQ(j0.at("scenarios").as_array().size(), m0.scenarios.size());
  EXPECT_EQ(j0.at("trigger").at("type").as_string(), rules::TriggerTypeName(m0.trigger.type));

  size_t rewards = 0;
  for (const rules::Measure& m : catalog.measures())
    rewards += m.kind == rules::MeasureKind::kReward;
  ASSERT_GT(rewards, 0u);
  json::object only_rewards = Get("/api/v1/measures?kind=reward");
  EXPECT_EQ(only_rewards["kind"].as_string(), "reward");
  EXPECT_EQ(only_rewards["measures"].as_array().size(), rewards);
  for (const json::value& m : only_rewards["measures"].as_array()) {
    EXPECT_EQ(m.at("kind").as_string(), "reward");
  }
  EXPECT_EQ(Get("/api/v1/measures?kind=punishment")["measures"].as_array().size(),
            catalog.measures().size() - rewards);

  const auto& offered = catalog.ForScenario("government_procurement");
  json::object in_procurement = Get("/api/v1/measures?scenario=government_procurement");
  EXPECT_EQ(in_procurement["scenario"].as_string(), "government_procurement");
  ASSERT_EQ(in_procurement["measures"].as_array().size(), offered.size());
  size_t offered_punishments = 0;
  for (size_t i = 0; i < offered.size(); ++i) {
    const json::object& m = in_procurement["measures"].as_array()[i].as_object();
    EXPECT_EQ(m.at("code").as_string(), offered[i]->code);
    bool listed = false;
    for (const json::value& s : m.at("scenarios").as_array())
      listed |= s.as_string() == "government_procurement";
    EXPECT_TRUE(listed) << offered[i]->code;
    offered_punishments += offered[i]->kind == rules::MeasureKind::kPunishment;
  }
  // The scenarios stay whole for the filter control.
  EXPECT_EQ(in_procurement["scenarios"].as_array().size(), catalog.scenarios().size());
  EXPECT_EQ(Get("/api/v1/measures?scenario=government_procurement&kind=punishment")["measures"]
                .as_array()
                .size(),
            offered_punishments);

  EXPECT_EQ(BadParameter("/api/v1/measures?scenario=nowhere"), "scenario");
  EXPECT_EQ(BadParameter("/api/v1/measures?kind=bonus"), "kind");
}

}  // namespace
}  // namespace xinyong::server
