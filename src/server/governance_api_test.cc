// Data governance and monitoring through the router with real tokens: a source department reads
// its own figures only (another department's is 403), the operator reads all of them, the
// spreadsheet comes as a workbook, the monitoring series is the operator's and counts the credit
// reports issued.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <filesystem>
#include <random>
#include <set>
#include <thread>

#include "core/test_paths.h"
#include "server/access.h"
#include "server/handlers.h"
#include "server/platform.h"
#include "server/router.h"

namespace xinyong::server {
namespace {

namespace fs = std::filesystem;
namespace json = boost::json;

constexpr char kMarket[] = "郑州市市场监督管理局";
constexpr char kEnv[] = "郑州市生态环境局";

std::string Ago(int days) { return Date::Today().AddDays(-days).ToString(); }

std::string Penalty(std::string_view uscc, std::string_view doc, int days_ago) {
  return json::serialize(json::object{{"CF_XDR_MC", "郑州宏达商贸有限公司"},
                                      {"CF_XDR_LB", "法人及非法人组织"},
                                      {"CF_XDR_SHXYM", uscc},
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
                                      {"CF_CFCX", "普通程序"}}) +
         "\n";
}

class GovernanceApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::random_device rd;
    dir_ = fs::temp_directory_path() / ("xinyong-governance-api-" + std::to_string(rd()));
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
    env_ = Token("source_department", kEnv);
    // The market regulator: two rows, one with a bad check character; the environment
    // bureau: one row.
    Upload(market_, Penalty("91110000600037341L", "郑市监罚〔2026〕1号", 2) +
                        Penalty("91110000600037341N", "郑市监罚〔2026〕2号", 2));
    Upload(env_, Penalty("91110000600037341L", "郑环罚〔2026〕1号", 2));
  }
  void TearDown() override {
    p_.reset();
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
  std::string Token(std::string role, std::string dept = "") {
    TokenRequest r;
    r.role = std::move(role);
    r.dept = std::move(dept);
    r.created_by = "test";
    auto t = CreateToken(*p_, r, NowUnixMs());
    EXPECT_TRUE(t.ok()) << t.status().ToString();
    return t.ok() ? t->secret : "";
  }
  Response Get(const std::string& target, const std::string& token) {
    Request r;
    r.method = "GET";
    r.target = target;
    r.authorization = "Bearer " + token;
    r.peer = "127.0.0.1:50000";
    return HandleRequest(*p_, r);
  }
  void Upload(const std::string& token, const std::string& jsonl) {
    Request r;
    r.method = "POST";
    r.target = "/api/v1/batches?indicator=admin_penalty";
    r.body = jsonl;
    r.content_type = "application/x-ndjson";
    r.authorization = "Bearer " + token;
    r.peer = "127.0.0.1:50000";
    Response res = HandleRequest(*p_, r);
    ASSERT_EQ(res.status, 201u) << res.body;
  }
  static json::object Body(const Response& r) {
    boost::system::error_code ec;
    json::value v = json::parse(r.body, ec);
    return !ec && v.is_object() ? v.as_object() : json::object();
  }
  static std::set<std::string> Depts(const json::object& report) {
    std::set<std::string> out;
    for (const json::value& f : report.at("figures").as_array()) {
      out.insert(std::string(f.at("dept").as_string()));
    }
    return out;
  }

  fs::path dir_;
  std::unique_ptr<Platform> p_;
  std::string operator_, market_, env_;
};

TEST_F(GovernanceApiTest, ADepartmentSeesOnlyItsOwnFigures) {
  Response mine = Get("/api/v1/governance", market_);
  ASSERT_EQ(mine.status, 200u) << mine.body;
  json::object m = Body(mine);
  EXPECT_EQ(Depts(m), std::set<std::string>{kMarket});
  EXPECT_EQ(m.at("dept").as_string(), kMarket);
  EXPECT_EQ(m.at("total").at("rows").to_number<int64_t>(), 2);
  EXPECT_EQ(m.at("total").at("invalid_uscc").to_number<int64_t>(), 1);
  EXPECT_DOUBLE_EQ(m.at("total").at("compliance_rate").to_number<double>(), 0.5);

  Response other = Get(std::string("/api/v1/governance?dept=") + "%E9%83%91%E5%B7%9E%E5%B8%82%E7%94%9F%E6%80%81%E7%8E%AF%E5%A2%83%E5%B1%80", market_);
  EXPECT_EQ(other.status, 403u) << other.body;
  EXPECT_EQ(Get("/api/v1/governance.xlsx?dept=x", market_).status, 403u);

  json::object e = Body(Get("/api/v1/governance", env_));
  EXPECT_EQ(Depts(e), std::set<std::string>{kEnv});
  EXPECT_EQ(e.at("total").at("rows").to_number<int64_t>(), 1);
}

TEST_F(GovernanceApiTest, OneWholeStoreReadAtATimeTheNextIsAskedToWait) {
  {
    auto busy = LockWholeStoreReads();
    // Asked from another thread, as the server would (try_lock on a mutex the calling thread
    // holds is undefined).
    std::thread asker([&] {
      for (const char* target : {"/api/v1/governance", "/api/v1/governance.xlsx",
                                 "/api/v1/governance?format=xlsx", "/api/v1/monitoring"}) {
        Response r = Get(target, operator_);
        EXPECT_EQ(r.status, 429u) << target << ": " << r.body;
        EXPECT_EQ(r.Header("Retry-After"), "5") << target;
      }
    });
    asker.join();
  }
  EXPECT_EQ(Get("/api/v1/governance", operator_).status, 200u);
  EXPECT_EQ(Get("/api/v1/monitoring", operator_).status, 200u);
}

TEST_F(GovernanceApiTest, TheOperatorSeesEveryDepartmentOrTheOneItNames) {
  json::object all = Body(Get("/api/v1/governance", operator_));
  EXPECT_EQ(Depts(all), (std::set<std::string>{kMarket, kEnv}));
  EXPECT_EQ(all.at("total").at("rows").to_number<int64_t>(), 3);
  json::object env = Body(Get("/api/v1/governance?dept=%E9%83%91%E5%B7%9E%E5%B8%82%E7%94%9F%E6%80%81%E7%8E%AF%E5%A2%83%E5%B1%80", operator_));
  EXPECT_EQ(Depts(env), std::set<std::string>{kEnv});
  // A period before every submission counts nothing.
  json::object before = Body(Get("/api/v1/governance?to=" + Ago(30), operator_));
  EXPECT_TRUE(before.at("figures").as_array().empty());
  Response bad = Get("/api/v1/governance?from=2026-13-01", operator_);
  EXPECT_EQ(bad.status, 400u);
  EXPECT_EQ(Body(bad).at("error").at("details").at("parameter").as_string(), "from");
}

TEST_F(GovernanceApiTest, TheSpreadsheetIsAWorkbook) {
  for (const char* target : {"/api/v1/governance.xlsx", "/api/v1/governance?format=xlsx"}) {
    Response r = Get(target, market_);
    ASSERT_EQ(r.status, 200u) << target << ": " << r.body.substr(0, 200);
    EXPECT_EQ(r.content_type, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
    EXPECT_EQ(r.body.substr(0, 2), "PK");
    EXPECT_NE(r.body.find("xl/worksheets/sheet6.xml"), std::string::npos);
    EXPECT_NE(r.Header("Content-Disposition").find("attachment"), std::string::npos);
  }
  EXPECT_EQ(Get("/api/v1/governance?format=pdf", operator_).status, 400u);
}

TEST_F(GovernanceApiTest, MonitoringIsTheOperatorsSeries) {
  EXPECT_EQ(Get("/api/v1/monitoring", market_).status, 403u);
  Response r = Get("/api/v1/monitoring", operator_);
  ASSERT_EQ(r.status, 200u) << r.body;
  json::object o = Body(r);
  const json::array& months = o.at("months").as_array();
  ASSERT_EQ(months.size(), 12u);
  const json::object& current = months.back().as_object();
  EXPECT_EQ(current.at("month").as_string(), Date::Today().ToString().substr(0, 7));
  // Received today: three 双公示 rows, one rejected for its code.
  EXPECT_EQ(current.at("shuanggongshi").at("rows").to_number<int64_t>(), 3);
  EXPECT_EQ(current.at("uscc").at("invalid").to_number<int64_t>(), 1);
  EXPECT_EQ(Get("/api/v1/monitoring?from=2026-05-01&to=2026-04-01", operator_).status, 400u);
}

TEST_F(GovernanceApiTest, MonitoringCountsTheCreditReportsIssued) {
  auto issue = [&](const std::string& token, const std::string& body) {
    Request r;
    r.method = "POST";
    r.target = "/api/v1/subjects/91110000600037341L/reports?format=html";
    r.body = body;
    r.content_type = "application/json";
    if (!token.empty()) r.authorization = "Bearer " + token;
    r.peer = "127.0.0.1:50000";
    Response res = HandleRequest(*p_, r);
    EXPECT_EQ(res.status, 201u) << body << ": " << res.body.substr(0, 300);
  };
  auto reports = [&] {
    json::object o = Body(Get("/api/v1/monitoring", operator_));
    return o.at("months").as_array().back().at("credit_reports").as_object();
  };
  json::object none = reports();
  EXPECT_EQ(none.at("issued").to_number<int64_t>(), 0);
  EXPECT_TRUE(none.at("by_kind").as_object().empty());

  issue("", "");  // the public's report of an organization
  issue(operator_, R"({"view":"full"})");
  issue(operator_, R"({"kind":"special","domains":["market","tax"]})");
  issue(operator_, R"({"kind":"special","domains":["market"]})");
  json::object c = reports();
  EXPECT_EQ(c.at("issued").to_number<int64_t>(), 4);
  const json::object& kinds = c.at("by_kind").as_object();
  EXPECT_EQ(kinds.at("public").to_number<int64_t>(), 1);
  EXPECT_EQ(kinds.at("full").to_number<int64_t>(), 1);
  EXPECT_EQ(kinds.at("special").to_number<int64_t>(), 2);
  const json::object& domains = c.at("special_by_domain").as_object();
  EXPECT_EQ(domains.size(), 2u);
  EXPECT_EQ(domains.at("market").to_number<int64_t>(), 2);
  EXPECT_EQ(domains.at("tax").to_number<int64_t>(), 1);
}

}  // namespace
}  // namespace xinyong::server
