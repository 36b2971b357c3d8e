// Roles end to end through the router: every route of Routes() called with every role (tokens
// made by the real token code), and the cases issue 5 names — a department and another
// department's rejected rows, what the public never sees, a financial institution and the
// subject's consent — plus expiry, revocation, and 401 against 403.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <map>
#include <mutex>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <thread>

#include "core/test_paths.h"
#include "security/audit.h"
#include "security/token.h"
#include "server/access.h"
#include "server/platform.h"
#include "server/router.h"

namespace xinyong::server {
namespace {

namespace fs = std::filesystem;
namespace json = boost::json;
using security::Role;

constexpr char kCompany[] = "郑州宏达（集团）商贸有限公司";
constexpr char kUscc[] = "91110000600037341L";
constexpr char kOtherUscc[] = "914112810713741814";
constexpr char kMarket[] = "郑州市市场监督管理局";
constexpr char kSocialSecurity[] = "郑州市人力资源和社会保障局";
constexpr char kFinance[] = "郑州市财政局";
constexpr char kBank[] = "郑州银行";

// The policy, stated again here on purpose: a route whose roles change, or a new route without
// an entry, fails this test until the table (and README.md's) says so.
const std::map<std::string, std::set<Role>>& Policy() {
  const std::set<Role> everyone(std::begin(security::kAllRoles), std::end(security::kAllRoles));
  const std::set<Role> op{Role::kOperator};
  const std::set<Role> sources{Role::kOperator, Role::kSourceDepartment};
  const std::set<Role> users{Role::kOperator, Role::kUsingDepartment};
  const std::set<Role> government{Role::kOperator, Role::kSourceDepartment, Role::kUsingDepartment};
  const std::set<Role> grades{Role::kOperator, Role::kSourceDepartment, Role::kUsingDepartment,
                              Role::kSubject};
  const std::set<Role> applicants{Role::kOperator, Role::kSubject};
  const std::set<Role> rights_readers{Role::kOperator, Role::kSourceDepartment, Role::kSubject};
  const std::set<Role> pushers{Role::kOperator, Role::kLowerPlatform};
  static const std::map<std::string, std::set<Role>> policy = {
      {"GET /api/v1/health", everyone},
      {"GET /api/v1/catalog", everyone},
      {"GET /api/v1/subjects/{code}", everyone},
      {"GET /api/v1/subjects/{code}/records", everyone},
      {"GET /api/v1/subjects/{code}/grade", grades},
      {"GET /api/v1/subjects/{code}/grades", grades},
      {"POST /api/v1/grades:recompute", op},
      {"GET /api/v1/search", everyone},
      {"POST /api/v1/batches", sources},
      {"GET /api/v1/batches", sources},
      {"GET /api/v1/batches/{id}", sources},
      {"GET /api/v1/lists/{type}", everyone},
      {"GET /api/v1/publicity", everyone},
      {"GET /api/v1/measures", everyone},
      {"GET /api/v1/commitments", everyone},
      {"GET /api/v1/subjects/{code}/commitments", everyone},
      {"POST /api/v1/subjects/{code}/commitments", applicants},
      {"POST /api/v1/subjects/{code}/commitments/{number}/fulfilment", government},
      {"GET /api/v1/subjects/{code}/consents",
       {Role::kOperator, Role::kSubject, Role::kFinancialInstitution}},
      {"GET /api/v1/subjects/{code}/access-log", {Role::kOperator, Role::kSubject}},
      {"POST /api/v1/subjects/{code}/consents", {Role::kOperator, Role::kSubject}},
      {"DELETE /api/v1/subjects/{code}/consents/{id}", {Role::kOperator, Role::kSubject}},
      {"POST /api/v1/inspections", users},
      {"GET /api/v1/inspections", everyone},
      {"GET /api/v1/inspections/{id}", everyone},
      {"POST /api/v1/inspections/{id}/results", users},
      {"GET /api/v1/subjects/{code}/inspections", everyone},
      {"POST /api/v1/checks", users},
      {"POST /api/v1/checks:batch", users},
      {"GET /api/v1/checks/stats", users},
      {"GET /api/v1/checks/{id}", users},
      {"POST /api/v1/checks/{id}/feedback", users},
      {"POST /api/v1/tokens", op},
      {"GET /api/v1/tokens", op},
      {"DELETE /api/v1/tokens/{id}", op},
      {"GET /api/v1/subjects/{code}/checks", applicants},
      // Voluntary declarations (自主申报): the subject's own, the operator's on its behalf.
      {"POST /api/v1/subjects/{code}/declarations", applicants},
      {"GET /api/v1/subjects/{code}/declarations", everyone},
      {"GET /api/v1/subjects/{code}/declarations/{number}", everyone},
      {"POST /api/v1/subjects/{code}/declarations/{number}:withdraw", applicants},
      // Objections and credit repair (src/workflow).
      {"POST /api/v1/objections", applicants},
      {"GET /api/v1/objections", rights_readers},
      {"GET /api/v1/objections/{id}", rights_readers},
      {"POST /api/v1/objections/{id}:forward", op},
      {"POST /api/v1/objections/{id}:verify", sources},
      {"POST /api/v1/objections/{id}:answer", op},
      {"POST /api/v1/objections/{id}:withdraw", applicants},
      {"POST /api/v1/repairs", applicants},
      {"GET /api/v1/repairs", rights_readers},
      {"GET /api/v1/repairs/{id}", rights_readers},
      {"POST /api/v1/repairs/{id}:accept", op},
      {"POST /api/v1/repairs/{id}:refuse", op},
      {"POST /api/v1/repairs/{id}:extend", sources},
      {"POST /api/v1/repairs/{id}:decide", sources},
      {"POST /api/v1/repairs/{id}:withdraw", applicants},
      // Anyone may ask for a report; the handler narrows (a person's, a special or a full report
      // only for the subject itself or the operator; the walk asks for a company's public one).
      {"POST /api/v1/subjects/{code}/reports", everyone},
      {"GET /api/v1/reports/public-key", everyone},
      {"GET /api/v1/reports/{number}/verification", everyone},
      {"GET /api/v1/governance", sources},
      {"GET /api/v1/governance.xlsx", sources},
      {"GET /api/v1/monitoring", op},
      {"POST /api/v1/exchange/changes", pushers},
      {"GET /api/v1/exchange/cursor", pushers},
      {"GET /api/v1/exchange/feed", op},
  };
  return policy;
}

std::string Recent(int days_ago) { return Date::Today().AddDays(-days_ago).ToString(); }

// A penalty (社会公开), a social-insurance arrears finding (政务共享) and a utility arrears record
// (授权查询) of the company, as JSON Lines of each indicator.
std::string Penalty(std::string_view doc, std::string_view uscc = kUscc) {
  return json::serialize(json::object{{"CF_XDR_MC", kCompany},
                                      {"CF_XDR_LB", "法人及非法人组织"},
                                      {"CF_XDR_SHXYM", uscc},
                                      {"CF_WSH", doc},
                                      {"CF_WFXW", "虚假宣传"},
                                      {"CF_SY", "在网站发布虚假广告"},
                                      {"CF_YJ", "《中华人民共和国广告法》第五十五条"},
                                      {"CF_CFLB", "罚款"},
                                      {"CF_NR", "罚款2万元"},
                                      {"CF_NR_FK", "2"},
                                      {"CF_JDRQ", Recent(20)},
                                      {"CF_CFJG", kMarket},
                                      {"CF_CFJGDM", "11410100MB0000001X"},
                                      {"CF_SJLY", kMarket},
                                      {"CF_SJLYDM", "11410100MB0000001X"},
                                      {"CF_CFCX", "普通程序"}}) +
         "\n";
}
std::string Arrears() {
  return json::serialize(json::object{{"SB_DWMC", kCompany},
                                      {"SB_TYSHXYDM", kUscc},
                                      {"SB_QFJE", "3.5"},
                                      {"SB_QFQSNY", "2026-01"},
                                      {"SB_QFJZNY", "2026-06"},
                                      {"SB_RDRQ", Recent(15)},
                                      {"SB_RDWSH", "郑人社欠〔2026〕7号"}}) +
         "\n";
}
std::string Utility() {
  return json::serialize(json::object{{"SDQ_YHMC", kCompany},
                                      {"SDQ_TYSHXYDM", kUscc},
                                      {"SDQ_QFLX", "供水"},
                                      {"SDQ_QFJE", "0.8"},
                                      {"SDQ_RDRQ", Recent(10)},
                                      {"SDQ_RDWSH", "郑水欠〔2026〕88号"},
                                      {"SDQ_GYDW", "郑州自来水投资控股有限公司"}}) +
         "\n";
}

class AccessTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::random_device rd;
    dir_ = fs::temp_directory_path() / ("xinyong-access-" + std::to_string(rd()));
    PlatformOptions o;
    o.data_dir = (dir_ / "data").string();
    o.share_dir = test::SourceDir() + "/data";
    o.key_file = (dir_ / "keys" / "k.key").string();
    o.sync = false;
    o.grade_on_ingest = false;
    auto p = Platform::Open(o);
    ASSERT_TRUE(p.ok()) << p.status().ToString();
    p_ = std::move(p).value();

    operator_ = Token("operator");
    market_ = Token("source_department", kMarket);
    social_security_ = Token("source_department", kSocialSecurity);
    finance_ = Token("using_department", kFinance);
    bank_ = Token("financial_institution", "", kBank);
    // The records: a penalty from the market regulator's own token (its batch, with a rejected
    // row), the arrears of the other two indicators from the operator.
    Response r = Call("POST", "/api/v1/batches?indicator=admin_penalty",
                      Penalty("郑市监罚〔2026〕101号") + "{\"CF_XDR_MC\":\"缺代码的公司\"}\n" +
                          Penalty("郑市监罚〔2026〕102号", kOtherUscc),
                      market_, "application/x-ndjson");
    ASSERT_EQ(r.status, 201u) << r.body;
    market_batch_ = json::parse(r.body).at("batch").to_number<uint64_t>();
    ASSERT_EQ(json::parse(r.body).at("rejected").to_number<int64_t>(), 1) << r.body;
    r = Call("POST", "/api/v1/batches?indicator=social_insurance_arrears", Arrears(), operator_,
             "application/x-ndjson");
    ASSERT_EQ(r.status, 201u) << r.body;
    r = Call("POST", "/api/v1/batches?indicator=utility_arrears", Utility(), operator_,
             "application/x-ndjson");
    ASSERT_EQ(r.status, 201u) << r.body;
    ASSERT_EQ(json::parse(r.body).at("accepted").to_number<int64_t>(), 1) << r.body;
    subject_ = Token("subject", "", "", kUscc);
    TokenRequest lower;
    lower.role = "lower_platform";
    lower.source = "zhongmou";
    lower.region = "410122";
    auto t = CreateToken(*p_, lower, NowUnixMs());
    ASSERT_TRUE(t.ok()) << t.status().ToString();
    lower_ = t->secret;
  }

  void TearDown() override {
    p_.reset();
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }

  std::string Token(std::string role, std::string dept = "", std::string institution = "",
                    std::string subject = "") {
    TokenRequest r;
    r.role = std::move(role);
    r.dept = std::move(dept);
    r.institution = std::move(institution);
    r.subject = std::move(subject);
    r.created_by = "test";
    auto t = CreateToken(*p_, r, NowUnixMs());
    EXPECT_TRUE(t.ok()) << t.status().ToString();
    return t.ok() ? t->secret : "";
  }

  // The token of a role ("" for the public).
  std::string TokenOf(Role role) {
    switch (role) {
      case Role::kPublic: return "";
      case Role::kOperator: return operator_;
      case Role::kSourceDepartment: return market_;
      case Role::kUsingDepartment: return finance_;
      case Role::kFinancialInstitution: return bank_;
      case Role::kSubject: return subject_;
      case Role::kLowerPlatform: return lower_;
    }
    return "";
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
  Response Get(std::string target, const std::string& token) {
    return Call("GET", std::move(target), "", token);
  }
  static json::object Body(const Response& r) {
    boost::system::error_code ec;
    json::value v = json::parse(r.body, ec);
    return !ec && v.is_object() ? v.as_object() : json::object();
  }
  static std::set<std::string> IndicatorsOf(const Response& r) {
    std::set<std::string> out;
    const json::object body = Body(r);
    for (const auto& rec : body.at("records").as_array()) {
      out.emplace(rec.at("indicator").as_string());
    }
    return out;
  }
  std::set<std::string> RecordsSeenBy(const std::string& token) {
    Response r = Get(std::string("/api/v1/subjects/") + kUscc + "/records", token);
    EXPECT_EQ(r.status, 200u) << r.body;
    return IndicatorsOf(r);
  }

  // A request for `route` that a caller the route admits gets past the router with: the
  // placeholders filled with things that exist (the company, the market regulator's batch),
  // and a body where one is needed.
  Request Example(const RouteInfo& route) {
    std::string path(route.pattern);
    auto fill = [&](std::string_view name, std::string_view value) {
      if (size_t at = path.find(name); at != std::string::npos) path.replace(at, name.size(), value);
    };
    fill("{code}", kUscc);
    fill("{type}", "red");
    fill("{number}", "41010020260105000009");
    const bool token_route = path.starts_with("/api/v1/tokens/");
    const bool consent_route = path.find("/consents/") != std::string::npos;
    fill("{id}", token_route || consent_route ? "999" : std::to_string(market_batch_));
    Request r;
    r.method = std::string(route.method);
    r.target = path;
    r.content_type = "application/json";
    r.peer = "127.0.0.1:50000";
    if (r.method == "POST") {
      r.body = "{}";
      if (path == "/api/v1/batches") {
        r.target += "?indicator=admin_penalty";
        r.body = Penalty("郑市监罚〔2026〕303号");
        r.content_type = "application/x-ndjson";
      } else if (path == "/api/v1/checks") {
        r.body = std::string("{\"subject\":\"") + kUscc +
                 "\",\"scenario\":\"government_procurement\",\"purpose\":\"采购资格审查\"}";
      } else if (path.ends_with("/consents")) {
        r.body = std::string("{\"institution\":\"中原银行\",\"purpose\":\"授信\",\"expires\":\"") +
                 Date::Today().AddDays(30).ToString() + "\"}";
      } else if (path == "/api/v1/tokens") {
        r.body = "{\"role\":\"operator\",\"name\":\"walk\"}";
      }
    }
    return r;
  }

  fs::path dir_;
  std::unique_ptr<Platform> p_;
  std::string operator_, market_, social_security_, finance_, bank_, subject_, lower_;
  uint64_t market_batch_ = 0;
};

TEST_F(AccessTest, EveryRouteAdmitsExactlyTheRolesOfThePolicy) {
  std::set<std::string> seen;
  for (const RouteInfo& route : Routes()) {
    const std::string key = std::string(route.method) + " " + std::string(route.pattern);
    seen.insert(key);
    auto it = Policy().find(key);
    ASSERT_NE(it, Policy().end()) << key << " has no policy in this test (and README.md's table)";
    EXPECT_FALSE(route.roles.empty()) << key << " admits nobody: give it roles in kRoutes";
    for (Role role : security::kAllRoles) {
      const bool allowed = it->second.contains(role);
      EXPECT_EQ(route.roles.Has(role), allowed) << key << " for " << security::RoleName(role);
      Request r = Example(route);
      const std::string token = TokenOf(role);
      if (!token.empty()) r.authorization = "Bearer " + token;
      Response res = HandleRequest(*p_, r);
      const std::string who = key + " as " + std::string(security::RoleName(role)) + ": ";
      if (allowed) {
        EXPECT_NE(res.status, 401u) << who << res.body;
        EXPECT_NE(res.status, 403u) << who << res.body;
        EXPECT_NE(res.status, 405u) << who << res.body;
        EXPECT_LT(res.status, 500u) << who << res.body;
      } else if (role == Role::kPublic) {
        EXPECT_EQ(res.status, 401u) << who << res.body;
        EXPECT_EQ(res.Header("WWW-Authenticate"), "Bearer realm=\"xinyong\"") << who;
      } else {
        ASSERT_EQ(res.status, 403u) << who << res.body;
        const json::object e = Body(res)["error"].as_object();
        EXPECT_EQ(e.at("code").as_string(), "permission_denied") << who;
        EXPECT_EQ(e.at("details").at("role").as_string(), security::RoleName(role)) << who;
        EXPECT_NE(e.at("message").as_string().find(security::RoleName(role)), std::string::npos)
            << who << res.body;
      }
    }
  }
  for (const auto& [key, roles] : Policy()) {
    EXPECT_TRUE(seen.contains(key)) << key << " is in the policy but not a route";
  }
}

TEST_F(AccessTest, ALowerPlatformPushesAsItsOwnSourceAndRegionAndSeesWhatThePublicSees) {
  // Its own source: named or not.
  Response own = Get("/api/v1/exchange/cursor", lower_);
  ASSERT_EQ(own.status, 200u) << own.body;
  EXPECT_EQ(Body(own)["source"].as_string(), "zhongmou");
  EXPECT_EQ(Get("/api/v1/exchange/cursor?source=zhongmou", lower_).status, 200u);
  // Another county's source or region: refused before anything is applied.
  Response other = Get("/api/v1/exchange/cursor?source=xinzheng", lower_);
  EXPECT_EQ(other.status, 403u) << other.body;
  EXPECT_NE(other.body.find("zhongmou"), std::string::npos) << other.body;
  const std::string line =
      "{\"seq\":1,\"record\":1,\"version\":0,\"erased\":true}\n";
  for (const char* query : {"?source=xinzheng", "?region=410102", "?source=zhongmou&region=410102"}) {
    Response r = Call("POST", std::string("/api/v1/exchange/changes") + query, line, lower_,
                      "application/x-ndjson");
    EXPECT_EQ(r.status, 403u) << query << ": " << r.body;
  }
  auto cursor = p_->exchange().Cursor("xinzheng");
  ASSERT_TRUE(cursor.ok());
  EXPECT_EQ(*cursor, 0u);
  // Its own: applied (one erasure event, counted, nothing erased) under its region.
  Response pushed = Call("POST", "/api/v1/exchange/changes", line, lower_, "application/x-ndjson");
  ASSERT_EQ(pushed.status, 200u) << pushed.body;
  EXPECT_EQ(Body(pushed)["source"].as_string(), "zhongmou");
  EXPECT_EQ(Body(pushed)["region"].as_string(), "410122");
  EXPECT_EQ(Body(pushed)["cursor"].to_number<int64_t>(), 1);
  // The operator may push as any source; the feed stays the operator's.
  EXPECT_EQ(Get("/api/v1/exchange/cursor?source=xinzheng", operator_).status, 200u);
  EXPECT_EQ(Get("/api/v1/exchange/feed?from=1&limit=1", lower_).status, 403u);
  // Elsewhere it is the public: a subject's public view, no grade.
  Response profile = Get(std::string("/api/v1/subjects/") + kUscc + "/records", lower_);
  ASSERT_EQ(profile.status, 200u) << profile.body;
  Response as_public = Get(std::string("/api/v1/subjects/") + kUscc + "/records", "");
  EXPECT_EQ(Body(profile)["records"], Body(as_public)["records"]);
  EXPECT_EQ(Get(std::string("/api/v1/subjects/") + kUscc + "/grade", lower_).status, 403u);
}

// A lower platform changes only what its region sent: a penalty the city's market regulator
// stored is neither revoked nor rewritten by a county's push, whose own records it may change.
TEST_F(AccessTest, ALowerPlatformChangesOnlyTheRecordsItsRegionSent) {
  auto line = [](uint64_t seq, std::string_view status, std::string_view doc,
                 std::string_view amount) {
    json::object fields = json::parse(Penalty(doc)).as_object();
    fields["CF_NR_FK"] = amount;
    return json::serialize(json::object{{"seq", seq},
                                        {"record", seq},
                                        {"version", 1},
                                        {"indicator", "admin_penalty"},
                                        {"status", status},
                                        {"received", Recent(15)},
                                        {"fields", std::move(fields)}}) +
           "\n";
  };
  auto city_penalty = [&]() {
    auto s = p_->FindSubjectByCode(kUscc);
    EXPECT_TRUE(s.ok());
    std::vector<Record> records;
    EXPECT_TRUE(p_->store().ListRecords(s->id, "admin_penalty", &records).ok());
    for (const Record& r : records) {
      if (r.document_number == "郑市监罚〔2026〕101号") return r;
    }
    return Record();
  };
  const Record before = city_penalty();
  ASSERT_NE(before.record_id, 0u);
  auto push = [&](const std::string& body, const std::string& token, const std::string& query) {
    Response r = Call("POST", "/api/v1/exchange/changes" + query, body, token,
                      "application/x-ndjson");
    EXPECT_EQ(r.status, 200u) << r.body;
    return Body(r);
  };
  // The county revokes it, then sends it with another amount: nothing of it changes.
  json::object revoked = push(line(1, "revoked", "郑市监罚〔2026〕101号", "2"), lower_, "");
  EXPECT_EQ(revoked["unmatched"].to_number<int64_t>(), 1) << json::serialize(revoked);
  json::object rewritten = push(line(2, "active", "郑市监罚〔2026〕101号", "0.1"), lower_, "");
  EXPECT_EQ(rewritten["rejected"].to_number<int64_t>(), 1) << json::serialize(rewritten);
  const Record after = city_penalty();
  EXPECT_EQ(after.version, before.version);
  EXPECT_EQ(after.status, RecordStatus::kActive);
  EXPECT_EQ(after.Get("CF_NR_FK"), "2");
  // Its own record: stored, corrected, revoked.
  EXPECT_EQ(push(line(3, "active", "中牟市监罚〔2026〕7号", "1"), lower_, "")["accepted"]
                .to_number<int64_t>(),
            1);
  EXPECT_EQ(push(line(4, "active", "中牟市监罚〔2026〕7号", "1.5"), lower_, "")["corrected"]
                .to_number<int64_t>(),
            1);
  EXPECT_EQ(push(line(5, "revoked", "中牟市监罚〔2026〕7号", "1.5"), lower_, "")["status_changes"]
                .to_number<int64_t>(),
            1);
  // The operator, pushing as a source, is not limited.
  json::object by_operator = push(line(1, "revoked", "郑市监罚〔2026〕101号", "2"), operator_,
                                  "?source=city-mirror&region=410100");
  EXPECT_EQ(by_operator["status_changes"].to_number<int64_t>(), 1) << json::serialize(by_operator);
}

TEST_F(AccessTest, ALowerPlatformTokenNamesItsSourceAndRegionAndNothingElse) {
  auto create = [&](std::string role, std::string source, std::string region) {
    TokenRequest r;
    r.role = std::move(role);
    r.source = std::move(source);
    r.region = std::move(region);
    if (r.role == "using_department") r.dept = kFinance;
    return CreateToken(*p_, r, NowUnixMs());
  };
  EXPECT_EQ(create("lower_platform", "", "410122").status().message().substr(0, 7), "source:");
  EXPECT_EQ(create("lower_platform", "zhongmou", "").status().message().substr(0, 7), "region:");
  EXPECT_EQ(create("lower_platform", "中牟", "410122").status().message().substr(0, 7), "source:");
  EXPECT_EQ(create("lower_platform", "zhongmou", "41012").status().message().substr(0, 7), "region:");
  EXPECT_FALSE(create("operator", "zhongmou", "410122").ok());
  EXPECT_FALSE(create("using_department", "", "410122").ok());
  auto t = create("lower_platform", "zhongmou", "410122");
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  // Stored and read back with its scope (a format of its own; other tokens keep theirs).
  auto back = p_->tokens().Authenticate(t->secret, NowUnixMs());
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  ASSERT_TRUE(back->principal.has_value()) << back->refusal;
  EXPECT_EQ(back->principal->role(), Role::kLowerPlatform);
  EXPECT_EQ(back->principal->source(), "zhongmou");
  EXPECT_EQ(back->principal->region(), "410122");
  EXPECT_EQ(back->principal->Describe(),
            "lower_platform token " + std::to_string(t->info.id) + " (zhongmou; 410122)");
  json::object j = TokenJson(t->info, NowUnixMs());
  EXPECT_EQ(j["source"].as_string(), "zhongmou");
  EXPECT_EQ(j["region"].as_string(), "410122");
}

TEST_F(AccessTest, ADepartmentCannotReadAnotherDepartmentsRejectedRows) {
  const std::string path = "/api/v1/batches/" + std::to_string(market_batch_);
  Response own = Get(path, market_);
  ASSERT_EQ(own.status, 200u) << own.body;
  EXPECT_EQ(Body(own)["dept"].as_string(), kMarket);  // forced from the token
  EXPECT_EQ(Body(own)["rejections"].as_array().size(), 1u);

  Response other = Get(path, social_security_);
  EXPECT_EQ(other.status, 403u) << other.body;
  EXPECT_EQ(other.body.find("缺代码的公司"), std::string::npos);
  // Its list holds its own batches only (none yet); the operator's holds all three.
  EXPECT_TRUE(Body(Get("/api/v1/batches", social_security_))["batches"].as_array().empty());
  EXPECT_EQ(Body(Get("/api/v1/batches", market_))["batches"].as_array().size(), 1u);
  EXPECT_EQ(Body(Get("/api/v1/batches", operator_))["batches"].as_array().size(), 3u);

  // A department submits as itself and only its own indicators, named or detected.
  EXPECT_EQ(Call("POST", "/api/v1/batches?indicator=admin_penalty&dept=410100-sthj",
                 Penalty("郑市监罚〔2026〕401号"), market_, "application/x-ndjson")
                .status,
            403u);
  EXPECT_EQ(Call("POST", "/api/v1/batches?indicator=utility_arrears", Utility(), market_,
                 "application/x-ndjson")
                .status,
            403u);
  Response detected =
      Call("POST", "/api/v1/batches", Arrears(), market_, "application/x-ndjson");
  EXPECT_EQ(detected.status, 403u) << detected.body;
  EXPECT_NE(detected.body.find("social_insurance_arrears"), std::string::npos) << detected.body;
  Response allowed =
      Call("POST", "/api/v1/batches", Arrears(), social_security_, "application/x-ndjson");
  EXPECT_EQ(allowed.status, 201u) << allowed.body;
  // An explicit list narrows a department to it.
  const std::string penalties_only = [&] {
    TokenRequest r;
    r.role = "source_department";
    r.dept = kMarket;
    r.indicators = {"admin_penalty"};
    return CreateToken(*p_, r, NowUnixMs()).value().secret;
  }();
  const std::string reg = "DJ_QYMC,DJ_TYSHXYDM,DJ_DJZT,DJ_HZRQ\n" + std::string(kCompany) + "," +
                          kUscc + ",存续," + Recent(30) + "\n";
  EXPECT_EQ(Call("POST", "/api/v1/batches", reg, penalties_only, "text/csv").status, 403u);
  EXPECT_EQ(Call("POST", "/api/v1/batches", reg, market_, "text/csv").status, 201u);
}

TEST_F(AccessTest, ThePublicNeverSeesGovernmentSharedOrAuthorizedRecords) {
  const std::set<std::string> everything{"admin_penalty", "social_insurance_arrears",
                                         "utility_arrears"};
  EXPECT_EQ(RecordsSeenBy(""), std::set<std::string>{"admin_penalty"});
  EXPECT_EQ(RecordsSeenBy(operator_), everything);
  EXPECT_EQ(RecordsSeenBy(subject_), everything);
  const std::set<std::string> government{"admin_penalty", "social_insurance_arrears"};
  EXPECT_EQ(RecordsSeenBy(finance_), government);
  EXPECT_EQ(RecordsSeenBy(market_), government);
  EXPECT_EQ(RecordsSeenBy(bank_), std::set<std::string>{"admin_penalty"});

  json::object pub = Body(Get(std::string("/api/v1/subjects/") + kUscc, ""));
  EXPECT_EQ(pub["view"].as_string(), "public");
  EXPECT_EQ(pub["category_counts"].as_object().size(), 1u);
  EXPECT_EQ(pub["public_records"].to_number<int64_t>(), 1);
  EXPECT_EQ(pub["visible_records"].to_number<int64_t>(), 1);
  for (const auto& r : pub["latest_records"].as_array()) {
    EXPECT_EQ(r.at("indicator").as_string(), "admin_penalty");
  }
  json::object op = Body(Get(std::string("/api/v1/subjects/") + kUscc, operator_));
  EXPECT_EQ(op["view"].as_string(), "operator");
  EXPECT_EQ(op["category_counts"].as_object().size(), 3u);
  EXPECT_EQ(op["public_records"].to_number<int64_t>(), 1);
  EXPECT_EQ(op["visible_records"].to_number<int64_t>(), 3);
  // Nor by category or by another subject's token.
  const std::string other_subject = Token("subject", "", "", kOtherUscc);
  EXPECT_EQ(RecordsSeenBy(other_subject), std::set<std::string>{"admin_penalty"});
  Response by_category = Get(std::string("/api/v1/subjects/") + kUscc +
                                 "/records?category=utility_arrears",
                             "");
  EXPECT_TRUE(IndicatorsOf(by_category).empty()) << by_category.body;
}

TEST_F(AccessTest, AFinancialInstitutionSeesAuthorizedRecordsOnlyWhileConsentStands) {
  const std::string consents = std::string("/api/v1/subjects/") + kUscc + "/consents";
  EXPECT_EQ(RecordsSeenBy(bank_), std::set<std::string>{"admin_penalty"});
  // Only the subject (or the operator for it) records consent.
  const std::string body = std::string("{\"institution\":\"") + kBank +
                           "\",\"purpose\":\"信易贷授信审查\",\"expires\":\"" +
                           Date::Today().AddDays(90).ToString() + "\"}";
  EXPECT_EQ(Call("POST", consents, body, bank_).status, 403u);
  const std::string other_subject = Token("subject", "", "", kOtherUscc);
  EXPECT_EQ(Call("POST", consents, body, other_subject).status, 403u);
  Response granted = Call("POST", consents, body, subject_);
  ASSERT_EQ(granted.status, 201u) << granted.body;
  const int64_t id = Body(granted)["id"].to_number<int64_t>();
  EXPECT_EQ(Body(granted)["state"].as_string(), "standing");

  const std::set<std::string> with_consent{"admin_penalty", "utility_arrears"};
  EXPECT_EQ(RecordsSeenBy(bank_), with_consent);  // never the 政务共享 one
  json::object profile = Body(Get(std::string("/api/v1/subjects/") + kUscc, bank_));
  EXPECT_EQ(profile["visible_records"].to_number<int64_t>(), 2);
  // Another institution has no consent.
  const std::string other_bank = Token("financial_institution", "", "中原银行");
  EXPECT_EQ(RecordsSeenBy(other_bank), std::set<std::string>{"admin_penalty"});
  // The bank sees its own consent; the other bank none.
  EXPECT_EQ(Body(Get(consents, bank_))["consents"].as_array().size(), 1u);
  EXPECT_TRUE(Body(Get(consents, other_bank))["consents"].as_array().empty());

  // Withdrawn: the next request no longer sees them; the consent stays in the history.
  Response withdrawn = Call("DELETE", consents + "/" + std::to_string(id), "", subject_);
  ASSERT_EQ(withdrawn.status, 200u) << withdrawn.body;
  EXPECT_EQ(Body(withdrawn)["state"].as_string(), "withdrawn");
  EXPECT_EQ(RecordsSeenBy(bank_), std::set<std::string>{"admin_penalty"});
  json::array history = Body(Get(consents, subject_))["consents"].as_array();
  ASSERT_EQ(history.size(), 1u);
  EXPECT_EQ(history[0].at("withdrawn").as_string(), Date::Today().ToString());
  EXPECT_EQ(Call("DELETE", consents + "/" + std::to_string(id), "", subject_).status, 409u);
  EXPECT_EQ(Call("DELETE", consents + "/77", "", operator_).status, 404u);

  // The operator records one on the subject's behalf; an expired one gives nothing.
  ASSERT_EQ(Call("POST", consents, body, operator_).status, 201u);
  EXPECT_EQ(RecordsSeenBy(bank_), with_consent);
  const std::string bad = std::string("{\"institution\":\"") + kBank +
                          "\",\"purpose\":\"x\",\"expires\":\"" +
                          Date::Today().AddDays(-1).ToString() + "\"}";
  Response refused = Call("POST", consents, bad, subject_);
  EXPECT_EQ(refused.status, 400u);
  EXPECT_EQ(Body(refused)["error"].at("details").at("field").as_string(), "expires");
}

TEST_F(AccessTest, ExpiredRevokedAndMalformedTokensAre401AndAWrongRoleIs403) {
  // No token where one is needed: 401 naming the scheme, no invalid_token.
  Response none = Call("POST", "/api/v1/grades:recompute", "", "");
  EXPECT_EQ(none.status, 401u);
  EXPECT_EQ(none.Header("WWW-Authenticate"), "Bearer realm=\"xinyong\"");
  // A token of the wrong role: 403 naming the role.
  Response wrong = Call("POST", "/api/v1/grades:recompute", "", finance_);
  EXPECT_EQ(wrong.status, 403u);
  EXPECT_NE(wrong.body.find("using_department"), std::string::npos) << wrong.body;
  // Malformed headers and unknown tokens, even on public routes.
  for (const std::string& header : {std::string("Basic dXNlcjpwYXNz"), std::string("Bearer"),
                                    std::string("Bearer xy_nonsense"),
                                    "Bearer xy_" + std::string(43, 'Q')}) {
    Request r;
    r.method = "GET";
    r.target = "/api/v1/health";
    r.authorization = header;
    Response res = HandleRequest(*p_, r);
    EXPECT_EQ(res.status, 401u) << header;
    EXPECT_EQ(res.Header("WWW-Authenticate"), "Bearer realm=\"xinyong\", error=\"invalid_token\"");
  }
  // The scheme is case-insensitive.
  Request lower;
  lower.method = "GET";
  lower.target = "/api/v1/tokens";
  lower.authorization = "bearer  " + operator_;
  EXPECT_EQ(HandleRequest(*p_, lower).status, 200u);

  // Expired: a token made two days ago for one day.
  security::TokenSpec spec;
  spec.role = Role::kOperator;
  spec.expires_days = 1;
  auto old = p_->tokens().Create(spec, NowUnixMs() - 2 * 86'400'000);
  ASSERT_TRUE(old.ok());
  Response expired = Get("/api/v1/tokens", old->secret);
  EXPECT_EQ(expired.status, 401u);
  EXPECT_NE(expired.body.find("expired"), std::string::npos) << expired.body;

  // Revoked through the API while "the server runs": refused on the next request.
  Response made = Call("POST", "/api/v1/tokens",
                       std::string("{\"role\":\"using_department\",\"dept\":\"") + kFinance +
                           "\",\"name\":\"审批窗口\",\"expires_days\":30}",
                       operator_);
  ASSERT_EQ(made.status, 201u) << made.body;
  EXPECT_EQ(made.Header("Cache-Control"), "no-store");
  const std::string secret(Body(made)["token"].as_string());
  const int64_t id = Body(made)["id"].to_number<int64_t>();
  const std::string check = std::string("{\"subject\":\"") + kUscc +
                            "\",\"scenario\":\"government_procurement\",\"purpose\":\"审查\"}";
  ASSERT_EQ(Call("POST", "/api/v1/checks", check, secret).status, 201u);
  // The list never shows a secret.
  Response list = Get("/api/v1/tokens", operator_);
  EXPECT_EQ(list.Header("Cache-Control"), "private, no-cache");  // not for shared caches
  EXPECT_EQ(Get("/api/v1/health", "").Header("Cache-Control"), "");  // the HTTP layer's default
  EXPECT_EQ(list.body.find(secret), std::string::npos);
  EXPECT_EQ(list.body.find(operator_), std::string::npos);
  Response revoked = Call("DELETE", "/api/v1/tokens/" + std::to_string(id), "", operator_);
  ASSERT_EQ(revoked.status, 200u) << revoked.body;
  EXPECT_EQ(Body(revoked)["state"].as_string(), "revoked");
  Response after = Call("POST", "/api/v1/checks", check, secret);
  EXPECT_EQ(after.status, 401u);
  EXPECT_NE(after.body.find("revoked"), std::string::npos) << after.body;
  EXPECT_EQ(Call("DELETE", "/api/v1/tokens/" + std::to_string(id), "", operator_).status, 409u);
  // A read with the refused token is audited (a probe with a credential); the public's is not.
  auto entries = [&] { return security::VerifyAudit(p_->store())->entries; };
  const uint64_t audited = entries();
  EXPECT_EQ(Get(std::string("/api/v1/subjects/") + kUscc + "/records", secret).status, 401u);
  for (int i = 0; i < 200 && entries() < audited + 1; ++i) {  // written without a wait
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_EQ(entries(), audited + 1);
  // In the audit log, naming the subject, but not in the subject's own access log: anyone can
  // send junk tokens by the thousand, and would push the real reads out of that list.
  const uint64_t subject = p_->FindSubjectIdByCode(kUscc).value();
  auto probe = security::SubjectAuditEntries(p_->store(), subject, 1000);
  ASSERT_TRUE(probe.ok());
  for (const security::AuditEntry& e : *probe) EXPECT_NE(e.actor, "a refused token") << e.seq;
  std::optional<security::AuditEntry> last;
  ASSERT_TRUE(p_->store().ScanAudit(1, [&](uint64_t, std::string_view v) {
    last.emplace();
    EXPECT_TRUE(security::DecodeAuditEntry(v, &*last));
    return true;
  }).ok());
  ASSERT_TRUE(last.has_value());
  EXPECT_EQ(last->actor, "a refused token");
  EXPECT_EQ(last->outcome, "401 (subject " + std::to_string(subject) + ")");
  EXPECT_EQ(last->subject_id, 0u);
  EXPECT_EQ(Get(std::string("/api/v1/subjects/") + kUscc + "/records", "").status, 200u);
  EXPECT_EQ(entries(), audited + 1);
  // But one address cannot fill the log with junk tokens: at most 60 such entries a minute
  // (two minutes at most here, should the clock pass one), while another address is heard.
  const auto settled = [&] {
    uint64_t n = entries();
    for (int i = 0; i < 100; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
      const uint64_t again = entries();
      if (again == n && i > 5) break;
      n = again;
    }
    return n;
  };
  const uint64_t before_flood = settled();
  for (int i = 0; i < 300; ++i) {
    ASSERT_EQ(Get("/api/v1/health", "xy_" + std::string(43, static_cast<char>('a' + i % 26))).status,
              401u);
  }
  const uint64_t flooded = settled() - before_flood;
  EXPECT_GE(flooded, 1u);
  EXPECT_LE(flooded, 120u);
  Request other;
  other.method = "GET";
  other.target = "/api/v1/health";
  other.authorization = "Bearer xy_" + std::string(43, 'z');
  other.peer = "192.0.2.7:5000";
  EXPECT_EQ(HandleRequest(*p_, other).status, 401u);
  EXPECT_EQ(settled(), before_flood + flooded + 1);
  // The asynchronous path of single checks enforces the same.
  Request async;
  async.method = "POST";
  async.target = "/api/v1/checks";
  async.body = check;
  async.authorization = "Bearer " + secret;
  std::optional<Response> answered;
  ASSERT_TRUE(HandleRequestAsync(*p_, async, [&](Response r) { answered = std::move(r); }));
  ASSERT_TRUE(answered.has_value());
  EXPECT_EQ(answered->status, 401u);
  async.authorization.clear();
  answered.reset();
  ASSERT_TRUE(HandleRequestAsync(*p_, async, [&](Response r) { answered = std::move(r); }));
  ASSERT_TRUE(answered.has_value());
  EXPECT_EQ(answered->status, 401u);
}

TEST_F(AccessTest, AUsingDepartmentChecksAsItselfAndSeesItsOwnChecks) {
  const std::string check = std::string("{\"subject\":\"") + kUscc +
                            "\",\"scenario\":\"government_procurement\",\"purpose\":\"采购资格审查\"";
  Response mine = Call("POST", "/api/v1/checks", check + "}", finance_);
  ASSERT_EQ(mine.status, 201u) << mine.body;
  const std::string id = std::to_string(Body(mine)["id"].to_number<int64_t>());
  Response logged = Get("/api/v1/checks/" + id, finance_);
  ASSERT_EQ(logged.status, 200u) << logged.body;
  EXPECT_EQ(Body(logged)["department"].as_string(), kFinance);
  // The body may name the same department, never another.
  EXPECT_EQ(Call("POST", "/api/v1/checks", check + ",\"department\":\"" + kFinance + "\"}", finance_)
                .status,
            201u);
  Response other = Call("POST", "/api/v1/checks", check + ",\"department\":\"郑州市发改委\"}", finance_);
  EXPECT_EQ(other.status, 403u) << other.body;
  // The operator names any department; the operator's check is not the finance bureau's.
  Response ops = Call("POST", "/api/v1/checks", check + ",\"department\":\"郑州市发改委\"}", operator_);
  ASSERT_EQ(ops.status, 201u) << ops.body;
  const std::string ops_id = std::to_string(Body(ops)["id"].to_number<int64_t>());
  EXPECT_EQ(Get("/api/v1/checks/" + ops_id, finance_).status, 403u);
  EXPECT_EQ(Call("POST", "/api/v1/checks/" + ops_id + "/feedback", "{\"action\":\"applied\"}",
                 finance_)
                .status,
            403u);
  EXPECT_EQ(Call("POST", "/api/v1/checks/" + id + "/feedback", "{\"action\":\"applied\"}", finance_)
                .status,
            200u);
  // Counts: its own two checks; the operator's count all three.
  json::object stats = Body(Get("/api/v1/checks/stats", finance_));
  EXPECT_EQ(stats["total"].at("checks").to_number<int64_t>(), 2);
  EXPECT_EQ(stats["by_department"].as_object().size(), 1u);
  EXPECT_EQ(Body(Get("/api/v1/checks/stats", operator_))["total"].at("checks").to_number<int64_t>(), 3);
  // The log says which token asked.
  EXPECT_NE(Body(logged)["requester"].as_string().find("using_department token"), std::string::npos)
      << logged.body;
}

TEST_F(AccessTest, ASubjectReadsItsOwnGradeAndNoOneElses) {
  EXPECT_NE(Get(std::string("/api/v1/subjects/") + kUscc + "/grade", subject_).status, 403u);
  EXPECT_EQ(Get(std::string("/api/v1/subjects/") + kOtherUscc + "/grade", subject_).status, 403u);
  EXPECT_EQ(Get(std::string("/api/v1/subjects/") + kOtherUscc + "/grade", "").status, 401u);
}

// The audit log and the subject's query log (查询使用登记): a department's reads and checks are
// recorded with their declared purpose and the subject reads who looked; the public's reads are
// not recorded; another subject may not read the log; the chain stays intact.
TEST_F(AccessTest, ASubjectSeesWhoLookedAtItsDataAndWhy) {
  auto count = [&] {
    auto v = security::VerifyAudit(p_->store());
    EXPECT_TRUE(v.ok() && v->intact) << (v.ok() ? v->problem : v.status().ToString());
    return v.ok() ? v->entries : 0;
  };
  const uint64_t before = count();
  ASSERT_GT(before, 0u);  // the set-up's batches were writes
  // The public reads the profile: nothing to record.
  ASSERT_EQ(Get(std::string("/api/v1/subjects/") + kUscc, "").status, 200u);
  EXPECT_EQ(count(), before);

  // The finance bureau reads the records, declaring why in the X-Purpose header, then checks.
  Request r;
  r.method = "GET";
  r.target = std::string("/api/v1/subjects/") + kUscc + "/records";
  r.authorization = "Bearer " + finance_;
  r.purpose = "%E6%94%BF%E5%BA%9C%E9%87%87%E8%B4%AD%E8%B5%84%E6%A0%BC%E5%AE%A1%E6%9F%A5";  // 政府采购资格审查
  ASSERT_EQ(HandleRequest(*p_, r).status, 200u);
  // (A purpose in the query too: the check's own, in its body, is the one recorded.)
  Response c = Call("POST", "/api/v1/checks?purpose=other",
                    std::string("{\"subject\":\"") + kUscc +
                        "\",\"scenario\":\"government_procurement\",\"purpose\":\"招标资格审查\"}",
                    finance_);
  ASSERT_EQ(c.status, 201u) << c.body;
  EXPECT_EQ(count(), before + 2);

  Response log = Get(std::string("/api/v1/subjects/") + kUscc + "/access-log", subject_);
  ASSERT_EQ(log.status, 200u) << log.body;
  const json::object log_body = Body(log);  // kept: `entries` refers into it
  const json::array& entries = log_body.at("entries").as_array();
  ASSERT_GE(entries.size(), 2u);
  // Newest first: the check, then the read.
  EXPECT_EQ(entries[0].at("what").as_string(), "POST /api/v1/checks");
  EXPECT_EQ(entries[0].at("purpose").as_string(), "招标资格审查");
  EXPECT_EQ(entries[1].at("what").as_string(), "GET /api/v1/subjects/{code}/records");
  EXPECT_EQ(entries[1].at("purpose").as_string(), "政府采购资格审查");
  EXPECT_EQ(entries[1].at("role").as_string(), "using_department");
  EXPECT_NE(std::string(entries[1].at("who").as_string()).find(kFinance), std::string::npos);
  EXPECT_EQ(entries[1].at("outcome").as_string(), "200");

  // A check answered asynchronously (as the HTTP server answers them) is recorded with the
  // subject and purpose of the check made, in the check log's own write, so before it is
  // answered; one refused for a subject that does not exist, with what its request said, once
  // the audit log's writer has it.
  auto check_async = [&](std::string_view subject, std::string_view purpose,
                         std::string target = "/api/v1/checks") {
    Request a;
    a.method = "POST";
    a.target = std::move(target);
    a.body = std::string("{\"subject\":\"") + std::string(subject) +
             "\",\"scenario\":\"government_procurement\",\"purpose\":\"" + std::string(purpose) +
             "\"}";
    a.authorization = "Bearer " + finance_;
    std::mutex mu;
    std::condition_variable cv;
    std::optional<Response> answered;
    EXPECT_TRUE(HandleRequestAsync(*p_, a, [&](Response res) {
      std::lock_guard lock(mu);
      answered = std::move(res);
      cv.notify_one();
    }));
    std::unique_lock lock(mu);
    cv.wait_for(lock, std::chrono::seconds(10), [&] { return answered.has_value(); });
    return answered ? answered->status : 0u;
  };
  const uint64_t synced = count();
  EXPECT_EQ(check_async(kUscc, "资格复核"), 201u);
  EXPECT_EQ(count(), synced + 1) << "the check's entry is in before its answer";
  EXPECT_EQ(check_async("91410100MA44XXXX0X", "资格复核"), 400u);
  for (int i = 0; i < 200 && count() < synced + 2; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_EQ(count(), synced + 2);
  const json::object later = Body(Get(std::string("/api/v1/subjects/") + kUscc + "/access-log", subject_));
  const json::value& newest = later.at("entries").as_array().at(0);
  EXPECT_EQ(newest.at("what").as_string(), "POST /api/v1/checks");
  EXPECT_EQ(newest.at("purpose").as_string(), "资格复核");
  EXPECT_EQ(newest.at("outcome").as_string(), "201");
  // With a purpose in the query too, the check's own is recorded, as on the synchronous path.
  EXPECT_EQ(check_async(kUscc, "二次复核", "/api/v1/checks?purpose=other"), 201u);
  const json::object queried =
      Body(Get(std::string("/api/v1/subjects/") + kUscc + "/access-log", subject_));
  EXPECT_EQ(queried.at("entries").as_array().at(0).at("purpose").as_string(), "二次复核");

  // A batch of checks: an entry for each subject checked, with the batch's purpose.
  const uint64_t before_batch = count();
  Response batch = Call("POST", "/api/v1/checks:batch",
                        std::string("{\"subjects\":[\"") + kUscc + "\",\"" + kOtherUscc +
                            "\",\"" + kUscc +
                            "\",\"91410100MA44XXXX0X\"],\"scenario\":\"government_procurement\","
                            "\"purpose\":\"批量资格审查\"}",
                        finance_);
  ASSERT_EQ(batch.status, 200u) << batch.body;
  EXPECT_EQ(count(), before_batch + 2) << "two subjects found (one twice): an entry each";
  const json::object after_batch =
      Body(Get(std::string("/api/v1/subjects/") + kUscc + "/access-log", subject_));
  const json::value& batched = after_batch.at("entries").as_array().at(0);
  EXPECT_EQ(batched.at("what").as_string(), "POST /api/v1/checks:batch");
  EXPECT_EQ(batched.at("purpose").as_string(), "批量资格审查");
  const json::object other_log =
      Body(Get(std::string("/api/v1/subjects/") + kOtherUscc + "/access-log", operator_));
  EXPECT_EQ(other_log.at("entries").as_array().at(0).at("what").as_string(),
            "POST /api/v1/checks:batch");

  // Requests anyone can send, refused for want of a token, naming the subject: in the audit
  // log, not in the subject's access log, where they would push the real reads out of sight.
  const uint64_t before_junk = count();
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(Call("POST", std::string("/api/v1/subjects/") + kUscc + "/consents?purpose=junk",
                   "{}", "").status, 401u);
    EXPECT_EQ(Get(std::string("/api/v1/subjects/") + kUscc + "/records?purpose=junk",
                  "not-a-token").status, 401u);
  }
  for (int i = 0; i < 200 && count() < before_junk + 10; ++i) {  // written without a wait
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_EQ(count(), before_junk + 10);
  const json::object after_junk =
      Body(Get(std::string("/api/v1/subjects/") + kUscc + "/access-log", subject_));
  for (const json::value& e : after_junk.at("entries").as_array()) {
    EXPECT_NE(e.at("purpose").as_string(), "junk") << json::serialize(e);
  }

  // Another subject may not read it; the operator may.
  const std::string other = Token("subject", "", "", kOtherUscc);
  EXPECT_EQ(Get(std::string("/api/v1/subjects/") + kUscc + "/access-log", other).status, 403u);
  EXPECT_EQ(Get(std::string("/api/v1/subjects/") + kUscc + "/access-log", operator_).status, 200u);
}

}  // namespace
}  // namespace xinyong::server
