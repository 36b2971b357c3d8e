// Objections and credit repair end to end through the router, with real tokens: the record
// marked 异议处理中 while published, and what follows an upheld objection or a repair at once —
// the credit check, the list, the grade, the public views — while the subject and the operator
// keep the history; the queues with their overdue steps; publicity ending by itself.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <filesystem>
#include <random>

#include "core/test_paths.h"
#include "ingest/ingester.h"
#include "security/audit.h"
#include "server/access.h"
#include "server/platform.h"
#include "server/router.h"

namespace xinyong::server {
namespace {

namespace fs = std::filesystem;
namespace json = boost::json;

constexpr char kCompany[] = "郑州宏达（集团）商贸有限公司";
constexpr char kUscc[] = "91110000600037341L";
constexpr char kMarket[] = "郑州市市场监督管理局";
constexpr char kEnv[] = "郑州市生态环境局";

std::string Ago(int days) { return Date::Today().AddDays(-days).ToString(); }

std::string SeriousDishonesty(std::string_view doc, int days_ago) {
  return json::serialize(json::object{{"YZSX_ZTMC", kCompany},
                                      {"YZSX_ZTLB", "法人及非法人组织"},
                                      {"YZSX_TYSHXYDM", kUscc},
                                      {"YZSX_MDMC", "严重违法失信名单"},
                                      {"YZSX_RDBM", kMarket},
                                      {"YZSX_RDBMDM", "11410100MB0000001X"},
                                      {"YZSX_RDWSH", doc},
                                      {"YZSX_LRYY", "提交虚假材料取得登记"},
                                      {"YZSX_FLYJ", "《市场监督管理严重违法失信名单管理办法》"},
                                      {"YZSX_LRRQ", Ago(days_ago)}}) +
         "\n";
}

std::string Penalty(std::string_view doc, int days_ago) {
  return json::serialize(json::object{{"CF_XDR_MC", kCompany},
                                      {"CF_XDR_LB", "法人及非法人组织"},
                                      {"CF_XDR_SHXYM", kUscc},
                                      {"CF_WSH", doc},
                                      {"CF_WFXW", "虚假宣传"},
                                      {"CF_SY", "在网站发布虚假广告"},
                                      {"CF_YJ", "《中华人民共和国广告法》第五十五条"},
                                      {"CF_CFLB", "罚款"},
                                      {"CF_NR", "罚款2万元"},
                                      {"CF_NR_FK", "2"},
                                      {"CF_JDRQ", Ago(days_ago)},
                                      {"CF_CFJG", kMarket},
                                      {"CF_CFJGDM", "11410100MB0000001X"},
                                      {"CF_SJLY", kMarket},
                                      {"CF_SJLYDM", "11410100MB0000001X"},
                                      {"CF_CFCX", "普通程序"},
                                      {"SBRQ", Ago(days_ago)}}) +
         "\n";
}

// A commitment found 全部未履行 `days_ago`: a commitment_breach is derived from it.
std::string BrokenCommitment(std::string_view code, int days_ago) {
  return json::serialize(json::object{{"CN_CNBM", code},
                                      {"CN_CNRMC", kCompany},
                                      {"CN_CNRLB", "法人及非法人组织"},
                                      {"CN_CNRDM", kUscc},
                                      {"CN_CNLX", "容缺受理型"},
                                      {"CN_CNSY", "申请排污许可"},
                                      {"CN_CNNR", "六十日内补齐材料"},
                                      {"CN_CNZCRQ", Ago(days_ago + 10)},
                                      {"CN_LXZT", "全部未履行"},
                                      {"CN_WLXNR", "未补齐材料"},
                                      {"CN_LXZTRDRQ", Ago(days_ago)},
                                      {"CN_LXZTRDDW", kEnv},
                                      {"CN_CNSLDW", kEnv},
                                      {"CN_GKLX", "可向社会公开"}}) +
         "\n";
}

class RightsApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::random_device rd;
    dir_ = fs::temp_directory_path() / ("xinyong-rights-api-" + std::to_string(rd()));
    PlatformOptions o;
    o.data_dir = (dir_ / "data").string();
    o.share_dir = test::SourceDir() + "/data";
    o.key_file = (dir_ / "keys" / "k.key").string();
    o.sync = false;
    o.grade_on_ingest = true;
    auto p = Platform::Open(o);
    ASSERT_TRUE(p.ok()) << p.status().ToString();
    p_ = std::move(p).value();
    operator_ = Token("operator");
    market_ = Token("source_department", kMarket);
    env_ = Token("source_department", kEnv);
    user_ = Token("using_department", "郑州市财政局");
  }
  void TearDown() override {
    p_.reset();
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }

  std::string Token(std::string role, std::string dept = "", std::string subject = "") {
    TokenRequest r;
    r.role = std::move(role);
    r.dept = std::move(dept);
    r.subject = std::move(subject);
    r.created_by = "test";
    auto t = CreateToken(*p_, r, NowUnixMs());
    EXPECT_TRUE(t.ok()) << t.status().ToString();
    return t.ok() ? t->secret : "";
  }
  Response Call(std::string method, std::string target, std::string body, const std::string& token,
                std::string content_type = "application/json") {
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
  json::object Ok(const Response& r, unsigned status = 200) {
    EXPECT_EQ(r.status, status) << r.body;
    return Body(r);
  }
  void Ingest(std::string_view indicator, const std::string& jsonl) {
    json::object b = Ok(Call("POST", "/api/v1/batches?indicator=" + std::string(indicator), jsonl,
                             operator_, "application/x-ndjson"),
                        201);
    EXPECT_EQ(b["rejected"].to_number<int64_t>(), 0) << json::serialize(b);
    if (subject_.empty()) subject_ = Token("subject", "", kUscc);
  }
  // The id of the subject's record of `indicator` (as the subject sees its records).
  uint64_t RecordId(std::string_view indicator) {
    json::object b = Ok(Call("GET", std::string("/api/v1/subjects/") + kUscc +
                                        "/records?category=" + std::string(indicator),
                             "", subject_));
    const json::array& recs = b["records"].as_array();
    EXPECT_EQ(recs.size(), 1u) << indicator;
    return recs.empty() ? 0 : recs[0].at("id").to_number<uint64_t>();
  }
  std::string Check(std::string_view scenario) {
    json::object b = Ok(Call("POST", "/api/v1/checks",
                             std::string("{\"subject\":\"") + kUscc + "\",\"scenario\":\"" +
                                 std::string(scenario) + "\",\"purpose\":\"资格审查\"}",
                             user_),
                        201);
    return std::string(b["result"].as_string());
  }
  int64_t Score() {
    json::object b = Ok(Call("GET", std::string("/api/v1/subjects/") + kUscc + "/grade", "", operator_));
    return b["score"].to_number<int64_t>();
  }
  // The public profile's latest record of `indicator`, or null.
  json::value PublicRecord(std::string_view indicator) {
    json::object b = Ok(Call("GET", std::string("/api/v1/subjects/") + kUscc, "", ""));
    for (const json::value& r : b["latest_records"].as_array()) {
      if (r.at("indicator").as_string() == indicator) return r;
    }
    return nullptr;
  }
  json::object Step(std::string_view kind, uint64_t id, std::string_view action,
                    const json::object& body, const std::string& token, unsigned status = 200) {
    return Ok(Call("POST", "/api/v1/" + std::string(kind) + "/" + std::to_string(id) + ":" +
                               std::string(action),
                   json::serialize(body), token),
              status);
  }

  // A subject token of a second company (a penalty ingested for it).
  std::string OtherSubject() {
    std::string row = Penalty("郑市监罚〔2026〕99号", 10);
    for (auto [from, to] : {std::pair<std::string_view, std::string_view>{kUscc, "914112810713741814"},
                            {kCompany, "郑州另一家商贸有限公司"}}) {
      row.replace(row.find(from), from.size(), to);
    }
    Ok(Call("POST", "/api/v1/batches?indicator=admin_penalty", row, operator_,
            "application/x-ndjson"),
       201);
    return Token("subject", "", "914112810713741814");
  }

  fs::path dir_;
  std::unique_ptr<Platform> p_;
  std::string operator_, market_, env_, user_, subject_;
};

TEST_F(RightsApiTest, AnUpheldObjectionLiftsTheMeasuresAtOnceAndTheHistoryStays) {
  Ingest("serious_dishonesty", SeriousDishonesty("郑市监严失〔2026〕7号", 30));
  ASSERT_TRUE(p_->triggers().ok());  // the server builds it before it listens
  const uint64_t record = RecordId("serious_dishonesty");
  EXPECT_EQ(Check("government_procurement"), "refused");
  const int64_t before = Score();
  auto list = [&] {
    return Ok(Call("GET", "/api/v1/lists/serious_dishonesty", "", ""))["entries"].as_array().size();
  };
  ASSERT_EQ(list(), 1u);

  json::object filed = Ok(Call("POST", "/api/v1/objections",
                               json::serialize(json::object{
                                   {"record", record},
                                   {"reason", "登记材料真实，已提交核查，不应列入"},
                                   {"evidence", json::array{"登记档案复印件"}}}),
                               subject_),
                          201);
  const uint64_t id = filed["id"].to_number<uint64_t>();
  EXPECT_EQ(filed["state"].as_string(), "submitted");
  EXPECT_EQ(filed["deadline_step"].as_string(), "forward");
  EXPECT_FALSE(filed["deadline"].is_null());
  // Still published while open, marked as under objection; the measures still apply.
  json::value shown = PublicRecord("serious_dishonesty");
  ASSERT_TRUE(shown.is_object());
  EXPECT_EQ(shown.at("under_objection").as_bool(), true);
  EXPECT_EQ(shown.at("objection_label").as_string(), "异议处理中");
  EXPECT_EQ(Check("government_procurement"), "refused");
  // So on the public list (FACTS §5).
  const json::value listed = Ok(Call("GET", "/api/v1/lists/serious_dishonesty", "", ""))["entries"]
                                 .as_array()
                                 .at(0)
                                 .at("record");
  EXPECT_EQ(listed.at("under_objection").as_bool(), true) << listed;
  EXPECT_EQ(listed.at("objection_label").as_string(), "异议处理中") << listed;

  // Roles: the department cannot forward, the subject cannot verify; the walk of every route and
  // role is access_test's.
  EXPECT_EQ(Call("POST", "/api/v1/objections/" + std::to_string(id) + ":forward", "{}", market_).status,
            403u);
  Step("objections", id, "forward", {{"reason", "请于5个工作日内核实"}}, operator_);
  EXPECT_EQ(Call("POST", "/api/v1/objections/" + std::to_string(id) + ":verify",
                 R"({"outcome":"rejected","reason":"x"})", subject_)
                .status,
            403u);
  // Another department does not see it; the market regulator has it in its queue.
  EXPECT_EQ(Call("GET", "/api/v1/objections/" + std::to_string(id), "", env_).status, 404u);
  // A read of the objection by id is audited against its subject (the path names none).
  {
    auto subject = p_->FindSubjectIdByCode(kUscc);
    ASSERT_TRUE(subject.ok());
    auto before = security::SubjectAuditEntries(p_->store(), *subject, 1000);
    ASSERT_TRUE(before.ok());
    Ok(Call("GET", "/api/v1/objections/" + std::to_string(id), "", market_));
    auto after = security::SubjectAuditEntries(p_->store(), *subject, 1000);
    ASSERT_TRUE(after.ok());
    EXPECT_EQ(after->size(), before->size() + 1);
  }
  EXPECT_EQ(Ok(Call("GET", "/api/v1/objections", "", market_))["objections"].as_array().size(), 1u);
  {  // the department saw the subject's application: in the subject's access log
    auto seen_by = security::SubjectAuditEntries(p_->store(), *p_->FindSubjectIdByCode(kUscc), 1);
    ASSERT_TRUE(seen_by.ok() && seen_by->size() == 1u);
    EXPECT_EQ(seen_by->front().target, "GET /api/v1/objections");
  }
  EXPECT_TRUE(Ok(Call("GET", "/api/v1/objections", "", env_))["objections"].as_array().empty());

  json::object verified = Step("objections", id, "verify",
                               {{"outcome", "upheld_revoke"},
                                {"reason", "经复核，认定依据不足，撤销列入决定"},
                                {"documents", json::array{"郑市监撤〔2026〕1号"}}},
                               market_);
  EXPECT_EQ(verified["state"].as_string(), "verified");
  // At once: the check passes, the list is empty, the grade is back, the public sees nothing.
  EXPECT_NE(Check("government_procurement"), "refused");
  EXPECT_EQ(list(), 0u);
  EXPECT_GT(Score(), before);
  EXPECT_TRUE(PublicRecord("serious_dishonesty").is_null());
  // The subject and the operator keep the history of the record.
  for (const std::string& token : {subject_, operator_}) {
    json::object all = Ok(Call("GET", std::string("/api/v1/subjects/") + kUscc +
                                          "/records?category=serious_dishonesty&status=all",
                               "", token));
    ASSERT_EQ(all["records"].as_array().size(), 1u);
    EXPECT_EQ(all["records"].as_array()[0].at("status").as_string(), "revoked");
  }
  EXPECT_EQ(Call("GET", std::string("/api/v1/subjects/") + kUscc + "/records?status=all", "", "")
                .status,
            403u);

  json::object answered = Step("objections", id, "answer",
                               {{"reason", "您的异议成立。经市场监管局复核，已撤销列入决定并移出名单。"}},
                               operator_);
  EXPECT_EQ(answered["state"].as_string(), "answered");
  EXPECT_EQ(answered["open"].as_bool(), false);
  json::object seen = Ok(Call("GET", "/api/v1/objections/" + std::to_string(id), "", subject_));
  EXPECT_EQ(seen["reply"].as_string(), "您的异议成立。经市场监管局复核，已撤销列入决定并移出名单。");
  EXPECT_EQ(seen["outcome"].as_string(), "upheld_revoke");
  const json::array& history = seen["history"].as_array();
  ASSERT_EQ(history.size(), 4u);
  EXPECT_EQ(history[2].at("department").as_string(), kMarket);
  EXPECT_FALSE(history[2].at("effects").as_array().empty());
  // Closed: no further step.
  EXPECT_EQ(Call("POST", "/api/v1/objections/" + std::to_string(id) + ":withdraw", "{}", subject_).status,
            409u);
}

TEST_F(RightsApiTest, RevokingACommitmentRevokesTheBreachDerivedFromIt) {
  Ingest("credit_commitment", BrokenCommitment("41010020260105000009", 40));
  ASSERT_TRUE(p_->triggers().ok());
  const uint64_t commitment = RecordId("credit_commitment");
  ASSERT_NE(RecordId("commitment_breach"), 0u);
  EXPECT_EQ(Check("administrative_approval"), "refused");
  json::object filed = Ok(Call("POST", "/api/v1/objections",
                               json::serialize(json::object{{"subject", kUscc},
                                                            {"record", commitment},
                                                            {"reason", "材料已按期补齐"}}),
                               operator_),
                          201);
  const uint64_t id = filed["id"].to_number<uint64_t>();
  EXPECT_EQ(filed["on_behalf"].as_bool(), true);
  Step("objections", id, "forward", {}, operator_);  // to the accepting unit
  // The operator records the department's written answer by naming the department.
  Step("objections", id, "verify", {{"outcome", "upheld_revoke"}, {"reason", "x"}}, operator_, 403);
  Step("objections", id, "verify",
       {{"outcome", "upheld_revoke"}, {"reason", "材料已按期补齐，认定有误"}, {"department", kEnv}},
       operator_);
  EXPECT_NE(Check("administrative_approval"), "refused");
  json::object all = Ok(Call("GET", std::string("/api/v1/subjects/") + kUscc +
                                        "/records?category=commitment_breach&status=all",
                             "", subject_));
  EXPECT_EQ(all["records"].as_array()[0].at("status").as_string(), "revoked");
}

TEST_F(RightsApiTest, ARepairDecidedByTheFindingBodyLiftsTheMeasures) {
  Ingest("credit_commitment", BrokenCommitment("41010020260105000010", 120));
  ASSERT_TRUE(p_->triggers().ok());
  const uint64_t breach = RecordId("commitment_breach");
  EXPECT_EQ(Check("administrative_approval"), "refused");
  json::object applied =
      Ok(Call("POST", "/api/v1/repairs",
              json::serialize(json::object{
                  {"record", breach},
                  {"declaration", "已补齐全部材料并通过核查"},
                  {"evidence", json::array{"补齐材料受理回执"}},
                  {"commitment", json::object{{"content", "今后如实承诺并按期履行"}}}}),
              subject_),
         201);
  const uint64_t id = applied["id"].to_number<uint64_t>();
  EXPECT_EQ(applied["department"].as_string(), kEnv);
  for (const json::value& c : applied["conditions"].as_array()) {
    EXPECT_TRUE(c.at("met").as_bool()) << json::serialize(c);
  }
  Step("repairs", id, "accept", {}, operator_);
  // Only the body that made the finding decides: another department does not even see it.
  Step("repairs", id, "decide", {{"outcome", "repaired"}}, market_, 404);
  json::object decided = Step("repairs", id, "decide",
                              {{"outcome", "repaired"}, {"reason", "整改到位，准予修复"}}, env_);
  EXPECT_EQ(decided["state"].as_string(), "repaired");
  EXPECT_NE(Check("administrative_approval"), "refused");
  json::object all = Ok(Call("GET", std::string("/api/v1/subjects/") + kUscc +
                                        "/records?category=commitment_breach&status=all",
                             "", operator_));
  EXPECT_EQ(all["records"].as_array()[0].at("status").as_string(), "repaired");
  EXPECT_EQ(Ok(Call("GET", "/api/v1/repairs?state=repaired", "", env_))["repairs"].as_array().size(),
            1u);
  EXPECT_EQ(Call("GET", "/api/v1/repairs?state=answered", "", operator_).status, 400u);
}

TEST_F(RightsApiTest, OverdueStepsAreQueuedWithTheirDeadlines) {
  Ingest("admin_penalty", Penalty("郑市监罚〔2026〕88号", 30));
  const uint64_t record = RecordId("admin_penalty");
  // Filed a month ago (through the service: the API files as of today).
  workflow::Caller op;
  op.role = workflow::Caller::Role::kOperator;
  op.role_name = "operator";
  op.describe = "operator token 1";
  auto subject = p_->FindSubjectIdByCode(kUscc);
  ASSERT_TRUE(subject.ok());
  auto late = p_->rights().FileObjection(op, {*subject, record, "处罚对象错误", {}},
                                         Date::Today().AddDays(-30));
  ASSERT_TRUE(late.ok()) << late.status().ToString();
  json::object q = Ok(Call("GET", "/api/v1/objections?overdue=true", "", operator_));
  ASSERT_EQ(q["objections"].as_array().size(), 1u);
  const json::value& item = q["objections"].as_array()[0];
  EXPECT_EQ(item.at("overdue").as_bool(), true);
  EXPECT_EQ(item.at("overdue_steps").as_array().size(), 2u);  // forwarding and the whole
  EXPECT_EQ(Ok(Call("GET", "/api/v1/objections?overdue=true", "", subject_))["objections"]
                .as_array()
                .size(),
            1u);  // its own
  EXPECT_EQ(Call("GET", "/api/v1/objections?overdue=maybe", "", operator_).status, 400u);
}

TEST_F(RightsApiTest, PublicityEndsByItselfAtTheMaximumPeriod) {
  // A general penalty is published for at most 12 months.
  Ingest("admin_penalty", Penalty("郑市监罚〔2025〕5号", 400) + Penalty("郑市监罚〔2026〕6号", 30));
  json::object pub = Ok(Call("GET", std::string("/api/v1/subjects/") + kUscc + "/records", "", ""));
  ASSERT_EQ(pub["records"].as_array().size(), 1u);
  EXPECT_EQ(pub["records"].as_array()[0].at("document_number").as_string(), "郑市监罚〔2026〕6号");
  json::object profile = Ok(Call("GET", std::string("/api/v1/subjects/") + kUscc, "", ""));
  EXPECT_EQ(profile["public_records"].to_number<int64_t>(), 1);
  // Government and the subject still see both.
  EXPECT_EQ(Ok(Call("GET", std::string("/api/v1/subjects/") + kUscc + "/records", "", market_))
                ["records"].as_array().size(),
            2u);
  EXPECT_EQ(Ok(Call("GET", std::string("/api/v1/subjects/") + kUscc + "/records", "", subject_))
                ["records"].as_array().size(),
            2u);
  // Nothing left to repair in the old one.
  json::object own =
      Ok(Call("GET", std::string("/api/v1/subjects/") + kUscc + "/records", "", subject_));
  for (const json::value& r : own["records"].as_array()) {
    if (r.at("document_number").as_string() != "郑市监罚〔2025〕5号") continue;
    Response refused = Call("POST", "/api/v1/repairs",
                            json::serialize(json::object{{"record", r.at("id")},
                                                         {"declaration", "已缴纳罚款"},
                                                         {"evidence", json::array{"凭证"}}}),
                            subject_);
    EXPECT_EQ(refused.status, 409u) << refused.body;
    EXPECT_NE(refused.body.find("ended by itself"), std::string::npos) << refused.body;
  }
}

// Self-service (issue 5, part 7): a subject declares information about itself with a
// truthfulness commitment; it is shown everywhere as self-declared, moves no measure, and a
// false one becomes a broken commitment — a negative record through the ordinary path.
TEST_F(RightsApiTest, ADeclarationIsShownAsSelfDeclaredAndAFalseOneBreaksItsCommitment) {
  Ingest("admin_penalty", Penalty("郑市监罚〔2026〕31号", 20));
  const std::string path = std::string("/api/v1/subjects/") + kUscc + "/declarations";
  json::object decl{{"kind", "资质证照"},
                    {"title", "建筑业企业资质证书（施工总承包二级）"},
                    {"content", "建筑工程施工总承包二级资质，证书编号D241000001"},
                    {"issuer", "河南省住房和城乡建设厅"},
                    {"obtained", Ago(400)},
                    {"valid_until", Date::Today().AddDays(800).ToString()}};
  // Without the truthfulness commitment nothing is stored.
  json::object refused = Ok(Call("POST", path, json::serialize(decl), subject_), 400);
  EXPECT_EQ(refused["error"].at("details").at("field"), "truthful");
  decl["truthful"] = true;
  // Another subject's token cannot declare for this one; the public cannot at all.
  const std::string other = OtherSubject();
  EXPECT_EQ(Call("POST", path, json::serialize(decl), "").status, 401u);
  // A bad value is named by its request field.
  json::object bad = decl;
  bad["kind"] = "自我表扬";
  EXPECT_EQ(Ok(Call("POST", path, json::serialize(bad), subject_), 400)["error"]
                .at("details").at("field"), "kind");

  const std::string before = Check("government_procurement");
  json::object made = Ok(Call("POST", path, json::serialize(decl), subject_), 201);
  const std::string number(made["number"].as_string());
  EXPECT_EQ(number.size(), 20u);
  EXPECT_EQ(made["self_declared"], true);
  EXPECT_EQ(made["source_label"], "自主申报");
  EXPECT_EQ(made["status"], "active");
  EXPECT_EQ(made["publicity"], "可向社会公开");  // an organization's default
  // Its truthfulness commitment: 主动型, same number, accepted by the policy's unit.
  ASSERT_TRUE(made["commitment"].is_object());
  EXPECT_EQ(made["commitment"].at("code").as_string(), number);
  EXPECT_EQ(made["commitment"].at("type"), "主动型");
  EXPECT_EQ(made["commitment"].at("state"), "open");
  // The public sees it, marked, in the listing and among the records; it changes no check.
  json::object pub = Ok(Call("GET", path, "", ""));
  ASSERT_EQ(pub["declarations"].as_array().size(), 1u);
  json::object recs = Ok(Call("GET", std::string("/api/v1/subjects/") + kUscc +
                                         "/records?category=self_declaration", "", ""));
  ASSERT_EQ(recs["records"].as_array().size(), 1u);
  EXPECT_EQ(recs["records"].as_array()[0].at("self_declared"), true);
  EXPECT_EQ(Check("government_procurement"), before);

  // Withdrawn by another subject: forbidden; found false by the operator: revoked, and its
  // commitment broken — a 违背信用承诺 record follows.
  const std::string end = path + "/" + number + ":withdraw";
  EXPECT_EQ(Call("POST", end, R"({"reason":"x"})", other).status, 403u);
  EXPECT_EQ(Call("POST", end, R"({"reason":"x","false_declaration":true})", subject_).status, 403u);
  json::object revoked = Ok(Call("POST", end,
                                 R"({"reason":"发证机关核实无此证书","false_declaration":true})",
                                 operator_));
  EXPECT_EQ(revoked["status"], "revoked");
  EXPECT_EQ(revoked["commitment"].at("state"), "unfulfilled");
  EXPECT_EQ(revoked["commitment"].at("false_commitment"), true);
  EXPECT_EQ(Ok(Call("GET", path, "", ""))["declarations"].as_array().size(), 0u);
  EXPECT_EQ(Ok(Call("GET", path + "?status=all", "", subject_))["declarations"].as_array().size(), 1u);
  EXPECT_EQ(Call("GET", path + "?status=all", "", "").status, 403u);
  json::object breach = Ok(Call("GET", std::string("/api/v1/subjects/") + kUscc +
                                           "/records?category=commitment_breach", "", operator_));
  EXPECT_EQ(breach["records"].as_array().size(), 1u);
  // Ended once: a second time is a conflict.
  EXPECT_EQ(Call("POST", end, R"({"reason":"again"})", operator_).status, 409u);
}

// A declaration's dates make sense; its truthfulness commitment is found broken only with the
// declaration (never a published declaration whose commitment says it is false), also after it
// was found kept; the reason must fit the finding's text.
TEST_F(RightsApiTest, ADeclarationIsFoundFalseOnlyWithItselfAndItsDatesMakeSense) {
  Ingest("admin_penalty", Penalty("郑市监罚〔2026〕32号", 20));  // the subject, and its token
  const std::string path = std::string("/api/v1/subjects/") + kUscc + "/declarations";
  json::object decl{{"kind", "荣誉奖励"},     {"title", "郑州市守合同重信用企业"},
                    {"content", "2025年度"}, {"issuer", "郑州市市场监督管理局"},
                    {"truthful", true}};
  auto refused = [&](json::object d, const char* field) {
    json::object e = Ok(Call("POST", path, json::serialize(d), subject_), 400);
    EXPECT_EQ(e["error"].at("details").at("field"), field) << e;
  };
  const Date today = Date::Today();
  decl["obtained"] = today.AddDays(1).ToString();
  refused(decl, "obtained");
  decl["obtained"] = Ago(400);
  decl["valid_until"] = Ago(1);
  refused(decl, "valid_until");
  decl["obtained"] = today.ToString();
  decl["valid_until"] = "2025-02-30";
  refused(decl, "valid_until");
  decl["valid_until"] = today.AddDays(365).ToString();
  decl["obtained"] = today.AddDays(400).ToString();
  refused(decl, "obtained");
  decl["obtained"] = Ago(30);
  const std::string number(Ok(Call("POST", path, json::serialize(decl), subject_), 201)["number"].as_string());

  // The accepting unit may find it kept, but not broken: that revokes the declaration too.
  const std::string unit = Token("using_department", "郑州市发展和改革委员会");
  const std::string fulfilment =
      std::string("/api/v1/subjects/") + kUscc + "/commitments/" + number + "/fulfilment";
  for (const char* finding : {R"({"status":"全部未履行","unfulfilled":"无此荣誉"})",
                              R"({"status":"全部履行","false_commitment":true,"unfulfilled":"x"})"}) {
    json::object e = Ok(Call("POST", fulfilment, finding, unit), 409);
    EXPECT_EQ(e["error"].at("details").at("field"), "status") << e;
  }
  EXPECT_EQ(Ok(Call("GET", path + "/" + number, "", ""))["status"], "active");
  EXPECT_EQ(Ok(Call("POST", fulfilment, R"({"status":"全部履行"})", unit))["commitment"].at("state"),
            "fulfilled");
  // Found false later all the same, by the operator; a reason too long for the finding is named.
  const std::string end = path + "/" + number + ":withdraw";
  json::object too_long = Ok(Call("POST", end,
                                  json::serialize(json::object{{"reason", std::string(2500, 'x')},
                                                               {"false_declaration", true}}),
                                  operator_),
                             400);
  EXPECT_EQ(too_long["error"].at("details").at("field"), "reason") << too_long;
  json::object revoked = Ok(Call("POST", end,
                                 R"({"reason":"评定机关核实无此荣誉","false_declaration":true})",
                                 operator_));
  EXPECT_EQ(revoked["status"], "revoked");
  EXPECT_EQ(revoked["commitment"].at("state"), "unfulfilled");
  EXPECT_EQ(revoked["commitment"].at("false_commitment"), true);
}

// A subject sees the credit checks run on it, with their results — without the official's
// token and address — whether or not the log's index by subject has caught up.
TEST_F(RightsApiTest, ASubjectSeesTheChecksRunOnIt) {
  Ingest("serious_dishonesty", SeriousDishonesty("郑市监严失〔2026〕8号", 30));
  const std::string path = std::string("/api/v1/subjects/") + kUscc + "/checks";
  EXPECT_EQ(Check("government_procurement"), "refused");
  auto listed = [&] { return Ok(Call("GET", path, "", subject_))["checks"].as_array(); };
  json::array one = listed();
  ASSERT_EQ(one.size(), 1u);
  EXPECT_EQ(one[0].at("scenario"), "government_procurement");
  EXPECT_EQ(one[0].at("purpose"), "资格审查");
  EXPECT_EQ(one[0].at("result"), "refused");
  EXPECT_FALSE(one[0].as_object().contains("requester"));
  // Indexed (a single check indexes itself with its log entry), then one more: both, newest
  // first, none twice.
  ASSERT_TRUE(p_->store().IndexChecks(1000).ok());
  EXPECT_EQ(Check("bidding"), "refused");
  json::array two = listed();
  ASSERT_EQ(two.size(), 2u);
  EXPECT_EQ(two[0].at("scenario"), "bidding");
  EXPECT_EQ(two[1].at("scenario"), "government_procurement");
  // The operator sees the requester; another subject and the public see nothing.
  EXPECT_TRUE(Ok(Call("GET", path, "", operator_))["checks"].as_array()[0].as_object().contains(
      "requester"));
  EXPECT_EQ(Call("GET", path, "", OtherSubject()).status, 403u);
  EXPECT_EQ(Call("GET", path, "", "").status, 401u);
}

// A natural person's declaration is not public unless the person makes it so, and its
// certificate number appears nowhere in what the API answers.
TEST_F(RightsApiTest, APersonsDeclarationIsNotPublicByDefaultAndNeverShowsTheIdNumber) {
  const std::string id = "11010519491231002X";
  ingest::IngestOptions o;
  o.indicator = "admin_penalty";
  o.dept = kMarket;
  auto pen = p_->ingester().IngestBuffer(
      "CF_XDR_MC,CF_XDR_LB,CF_XDR_ZJLX,CF_XDR_ZJHM,CF_WSH,CF_WFXW,CF_SY,CF_YJ,CF_CFLB,CF_NR,"
      "CF_NR_FK,CF_JDRQ,CF_CFJG,CF_CFJGDM,CF_SJLY,CF_SJLYDM,CF_CFCX\n"
      "张三,自然人,身份证," + id + ",郑市监罚〔2026〕300号,虚假宣传,在网站发布虚假广告,"
      "《中华人民共和国广告法》第五十五条,罚款,罚款2万元,2," + Ago(30) + ",郑州市市场监督管理局,"
      "11410100MB0000001X,郑州市市场监督管理局,11410100MB0000001X,普通程序\n",
      "penalty.csv", o);
  ASSERT_TRUE(pen.ok() && pen->accepted == 1u);
  auto hash = p_->vault().LookupHash(id);
  auto sid = p_->store().FindSubject(
      IdentifierKind::kResidentIdHash,
      std::string_view(reinterpret_cast<const char*>(hash.data()), hash.size()));
  ASSERT_TRUE(sid.ok() && sid->has_value());
  const std::string code = (*p_->store().GetSubject(**sid))->DisplayCode();
  const std::string person = Token("subject", "", code);
  const std::string path = "/api/v1/subjects/" + code + "/declarations";
  const std::string body = json::serialize(json::object{{"kind", "社会公益"},
                                                        {"title", "无偿献血"},
                                                        {"content", "2025年无偿献血400毫升"},
                                                        {"truthful", true}});
  Response made = Call("POST", path, body, person);
  json::object d = Ok(made, 201);
  EXPECT_EQ(d["publicity"], "不可公开");
  EXPECT_EQ(d["commitment"].at("publicity"), "不可公开");
  EXPECT_EQ(made.body.find(id), std::string::npos);
  EXPECT_EQ(made.body.find("11010519491231"), std::string::npos);
  EXPECT_EQ(Ok(Call("GET", path, "", ""))["declarations"].as_array().size(), 0u);
  Response own = Call("GET", path, "", person);
  EXPECT_EQ(Ok(own)["declarations"].as_array().size(), 1u);
  EXPECT_EQ(own.body.find("11010519491231"), std::string::npos);
  // The subject withdraws it; it stays in its own history.
  const std::string number(d["number"].as_string());
  EXPECT_EQ(Ok(Call("POST", path + "/" + number + ":withdraw", R"({"reason":"填报有误"})", person))
                ["status"], "revoked");
  EXPECT_EQ(Ok(Call("GET", path, "", person))["declarations"].as_array().size(), 0u);
  EXPECT_EQ(Ok(Call("GET", path + "?status=all", "", person))["declarations"].as_array().size(), 1u);
  // To the public a withdrawn declaration answers exactly as a number never given.
  {
    std::string never = number;
    never.back() = never.back() == '9' ? '8' : '9';
    Response hidden = Call("GET", path + "/" + number, "", "");
    Response absent = Call("GET", path + "/" + never, "", "");
    EXPECT_EQ(hidden.status, 404u);
    std::string expected = absent.body;
    expected.replace(expected.find(never), never.size(), number);
    EXPECT_EQ(hidden.body, expected);
  }
  // Withdrawing does not take back what was published: the operator still finds it false.
  json::object found = Ok(Call("POST", path + "/" + number + ":withdraw",
                               R"({"reason":"血站无此记录","false_declaration":true})", operator_));
  EXPECT_EQ(found["commitment"].at("state"), "unfulfilled");
  EXPECT_EQ(Call("POST", path + "/" + number + ":withdraw",
                 R"({"reason":"again","false_declaration":true})", operator_).status, 409u);
  // An ID number typed into the free text is masked before it is stored.
  Response typed = Call("POST", path,
                        json::serialize(json::object{{"kind", "其他"},
                                                     {"title", "身份信息"},
                                                     {"content", "本人身份证号" + id},
                                                     {"truthful", true}}),
                        person);
  EXPECT_EQ(typed.status, 201u) << typed.body;
  EXPECT_EQ(typed.body.find("11010519491231"), std::string::npos);
}

// A subject makes a 主动型 commitment on its own (主动承诺, issue 7): recorded as a credit_commitment
// through the ordinary path, accepted by the [declaration] unit, numbered from the self-service
// range; the operator may make one on its behalf; bad fields are named; ID numbers are masked.
TEST_F(RightsApiTest, ASubjectMakesACommitmentOnline) {
  Ingest("admin_penalty", Penalty("郑市监罚〔2026〕41号", 20));
  const std::string path = std::string("/api/v1/subjects/") + kUscc + "/commitments";
  const std::string until = Date::Today().AddDays(365).ToString();
  json::object body{{"reason", "参与诚信经营承诺活动"},
                    {"content", "依法诚信经营，不制售假冒伪劣商品；联系人身份证号11010519491231002X"},
                    {"valid_until", until}};
  // The public cannot; another subject's token cannot make one for this subject.
  EXPECT_EQ(Call("POST", path, json::serialize(body), "").status, 401u);
  const std::string other = OtherSubject();
  EXPECT_EQ(Call("POST", path, json::serialize(body), other).status, 403u);
  EXPECT_EQ(Call("POST", "/api/v1/subjects/P99999999/commitments", json::serialize(body),
                 operator_).status,
            404u);
  // Bad fields are named, and nothing is stored.
  auto field_of = [&](json::object b) {
    json::object e = Ok(Call("POST", path, json::serialize(b), subject_), 400);
    return std::string(e["error"].at("details").at("field").as_string());
  };
  json::object bad = body;
  bad.erase("reason");
  EXPECT_EQ(field_of(bad), "reason");
  bad = body;
  bad["content"] = "  ";
  EXPECT_EQ(field_of(bad), "content");
  bad = body;
  bad["valid_until"] = "2026-13-40";
  EXPECT_EQ(field_of(bad), "valid_until");
  bad["valid_until"] = Ago(1);
  EXPECT_EQ(field_of(bad), "valid_until");
  bad = body;
  bad["publicity"] = "特定范围内公开";
  EXPECT_EQ(field_of(bad), "publicity");
  bad = body;
  bad["reason"] = 7;
  EXPECT_EQ(field_of(bad), "reason");
  EXPECT_EQ(Ok(Call("GET", path, "", subject_))["total"], 0);

  // Made by the subject: 主动型, open, numbered from the self-service range, the default
  // liability, public (an organization's default), the ID number masked.
  Response made = Call("POST", path, json::serialize(body), subject_);
  json::object c = Ok(made, 201);
  const std::string number(c["code"].as_string());
  const std::string today = Date::Today().ToString();
  ASSERT_EQ(number.size(), 20u);
  EXPECT_EQ(number.substr(0, 14), "410100" + today.substr(0, 4) + today.substr(5, 2) +
                                      today.substr(8, 2));
  EXPECT_GE(std::stoi(number.substr(14)), 900000);
  EXPECT_EQ(c["type"], "主动型");
  EXPECT_EQ(c["state"], "open");
  EXPECT_EQ(c["made"], json::value(today));
  EXPECT_EQ(c["deadline"], json::value(until));
  EXPECT_EQ(c["publicity"], "可向社会公开");
  EXPECT_EQ(c["accepting_unit"].as_string(), p_->rights().policy().declaration().accepting_unit);
  const json::object& fields = c["record"].at("fields").as_object();
  EXPECT_EQ(fields.at("CN_CNSY"), "参与诚信经营承诺活动");
  EXPECT_EQ(fields.at("CN_WNZR").as_string(), p_->rights().policy().declaration().commitment_liability);
  EXPECT_EQ(made.body.find("11010519491231"), std::string::npos);
  EXPECT_NE(std::string(fields.at("CN_CNNR").as_string()).find("依法诚信经营"), std::string::npos);
  // Listed like any commitment, to the public too.
  json::object pub = Ok(Call("GET", path, "", ""));
  ASSERT_EQ(pub["commitments"].as_array().size(), 1u);
  EXPECT_EQ(pub["commitments"].as_array()[0].at("code").as_string(), number);
  EXPECT_EQ(pub["commitments"].as_array()[0].at("type"), "主动型");
  EXPECT_EQ(pub["commitments"].as_array()[0].at("state"), "open");

  // The operator on the subject's behalf, not public, with its own liability: the subject sees
  // it, the public does not; a declaration made next never takes either number.
  json::object hidden{{"reason", "年度守信承诺"},
                      {"content", "按时足额缴纳税费"},
                      {"liability", "自愿接受相关部门依法依规实施的失信惩戒"},
                      {"publicity", "不可公开"}};
  json::object second = Ok(Call("POST", path, json::serialize(hidden), operator_), 201);
  EXPECT_NE(second["code"].as_string(), number);
  EXPECT_EQ(second["deadline"], nullptr);
  EXPECT_EQ(second["publicity"], "不可公开");
  EXPECT_EQ(second["record"].at("fields").at("CN_WNZR"), "自愿接受相关部门依法依规实施的失信惩戒");
  EXPECT_EQ(Ok(Call("GET", path, "", ""))["commitments"].as_array().size(), 1u);
  json::object own = Ok(Call("GET", path + "?type=%E4%B8%BB%E5%8A%A8%E5%9E%8B", "", subject_));
  EXPECT_EQ(own["total"], 2);
  json::object decl = Ok(Call("POST", std::string("/api/v1/subjects/") + kUscc + "/declarations",
                              json::serialize(json::object{{"kind", "荣誉奖励"},
                                                           {"title", "守合同重信用企业"},
                                                           {"content", "2025年度"},
                                                           {"truthful", true}}),
                              subject_),
                         201);
  EXPECT_NE(decl["number"].as_string(), number);
  EXPECT_NE(decl["number"].as_string(), second["code"].as_string());
  EXPECT_EQ(Ok(Call("GET", path, "", subject_))["total"], 3);
}

}  // namespace
}  // namespace xinyong::server
