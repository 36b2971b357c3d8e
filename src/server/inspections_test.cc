// Random inspection through the platform and the API: the draw's industry scope, the stored
// grades it uses (and states), re-running it from what it published, the inspecting department's
// results (only drawn subjects, known categories, dates, corrections kept, concurrent posts) and
// a subject's draws.
#include "server/inspections.h"

#include <gtest/gtest.h>
#include <sodium.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <optional>
#include <random>
#include <set>
#include <sstream>
#include <thread>

#include "core/test_paths.h"
#include "gen/inspection_results.h"
#include "rules/inspection.h"
#include "server/access.h"
#include "server/router.h"

namespace xinyong::server {
namespace {

namespace fs = std::filesystem;
namespace json = boost::json;

// Six organizations (the standard's example codes) with their industries; one has none.
constexpr char kFood[] = "91110000600037341L";      // C13
constexpr char kMachines[] = "91310115MA1K3BTP2B";  // C34
constexpr char kShop[] = "9144030071526726XG";      // F52
constexpr char kBuilder[] = "914112810713741814";   // E47
constexpr char kNoodles[] = "92340602MA2PBMEM24";   // H62, an individual business
constexpr char kSchool[] = "121200004013590816";    // no industry given
constexpr char kDept[] = "郑州市市场监督管理局";    // draws and inspects

class InspectionsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::random_device rd;
    dir_ = fs::temp_directory_path() / ("xinyong-inspections-" + std::to_string(rd()));
    PlatformOptions o;
    o.data_dir = (dir_ / "data").string();
    o.share_dir = test::SourceDir() + "/data";
    o.key_file = (dir_ / "keys" / "k.key").string();
    o.sync = false;
    auto p = Platform::Open(o);
    ASSERT_TRUE(p.ok()) << p.status().ToString();
    p_ = std::move(p).value();
    const std::string csv = std::string("企业名称,统一社会信用代码,行业代码,登记状态\n") +
                            "北京甲食品有限公司," + kFood + ",C13,存续\n" + "上海乙机械有限公司," +
                            kMachines + ",c34,存续\n" + "深圳丙商贸有限公司," + kShop +
                            ",5211,存续\n" + "义马市丁建设有限公司," + kBuilder + ",E47,存续\n" +
                            "淮北市戊面馆," + kNoodles + ",H62,存续\n" + "天津市己学校," + kSchool +
                            ",,存续\n";
    auto r = p_->ingester().IngestBuffer(csv, "reg_basic.csv", ingest::IngestOptions());
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    ASSERT_EQ(r->accepted, 6u);
    today_ = Date::Today();
    auto run = p_->grader().RecomputeAll(today_, 1);  // a full run the draws can name
    ASSERT_TRUE(run.ok()) << run.status().ToString();
    inspector_ = Token("using_department", kDept);
  }
  std::string Token(std::string role, std::string dept = "") {
    TokenRequest t;
    t.role = std::move(role);
    t.dept = std::move(dept);
    t.created_by = "test";
    using namespace std::chrono;
    auto made = CreateToken(
        *p_, t, duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count());
    EXPECT_TRUE(made.ok()) << made.status().ToString();
    return made.ok() ? made->secret : "";
  }
  void TearDown() override {
    p_.reset();
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }

  // As the inspecting department unless another token is given ("" for the public).
  Response Call(std::string method, std::string target, std::string body = "",
                std::optional<std::string> token = std::nullopt) {
    Request r;
    r.method = std::move(method);
    r.target = std::move(target);
    r.body = std::move(body);
    r.content_type = "application/json";
    r.peer = "127.0.0.1:50000";
    const std::string& t = token ? *token : inspector_;
    if (!t.empty()) r.authorization = "Bearer " + t;
    return HandleRequest(*p_, r);
  }
  static json::object Body(const Response& r) {
    boost::system::error_code ec;
    json::value v = json::parse(r.body, ec);
    EXPECT_FALSE(ec) << r.body;
    return ec || !v.is_object() ? json::object() : v.as_object();
  }
  // A 400 naming the body member `field`; returns the message.
  static std::string BadField(const Response& r, std::string_view field) {
    EXPECT_EQ(r.status, 400u) << r.body;
    json::object e = Body(r)["error"].as_object();
    EXPECT_EQ(e["details"].as_object()["field"].as_string(), field) << r.body;
    return std::string(e["message"].as_string());
  }
  // A draw for kDept: by the department itself, or by the operator when `extra` gives the seed
  // (a department may not choose it).
  json::object Draw(const std::string& extra, double ratio = 1.0) {
    if (extra.find("\"seed\"") != std::string::npos && operator_.empty()) operator_ = Token("operator");
    Response r = Call("POST", "/api/v1/inspections",
                      "{\"base_ratio\":" + std::to_string(ratio) +
                          ",\"purpose\":\"2025年度双随机抽查\",\"department\":\"" + kDept + "\"" +
                          extra + "}",
                      extra.find("\"seed\"") != std::string::npos ? operator_ : inspector_);
    EXPECT_EQ(r.status, 201u) << r.body;
    return Body(r);
  }
  static std::set<std::string> Codes(const json::object& doc) {
    std::set<std::string> out;
    for (const json::value& d : doc.at("drawn").as_array()) {
      out.insert(std::string(d.at("code").as_string()));
    }
    return out;
  }
  uint64_t SubjectId(std::string_view uscc) {
    auto id = p_->store().FindSubject(IdentifierKind::kUscc, uscc);
    EXPECT_TRUE(id.ok() && id->has_value()) << uscc;
    return id.ok() && id->has_value() ? **id : 0;
  }
  // Stores `grade` as the subject's current grade under the loaded model.
  void SetGrade(std::string_view uscc, const std::string& grade) {
    storage::GradeWrite w;
    w.subject_id = SubjectId(uscc);
    w.grade.as_of = today_;
    w.grade.unix_ms = 1;
    w.grade.score = grade == "D" ? 500 : 800;
    w.grade.grade = grade;
    w.grade.grade_label = grade;
    w.grade.model = p_->evaluation().name();
    ASSERT_TRUE(p_->store().SaveGrades(std::span(&w, 1)).ok());
  }
  static std::string Results(const std::string& items, const std::string& dept = kDept) {
    return "{\"department\":\"" + dept + "\",\"items\":[" + items + "]}";
  }
  static std::string Item(std::string_view code, std::string_view result, std::string_view checked,
                          std::string_view findings = "") {
    return "{\"code\":\"" + std::string(code) + "\",\"result\":\"" + std::string(result) +
           "\",\"checked\":\"" + std::string(checked) + "\",\"findings\":\"" +
           std::string(findings) + "\"}";
  }
  Response PostResults(uint64_t id, const std::string& items) {
    return Call("POST", "/api/v1/inspections/" + std::to_string(id) + "/results", Results(items));
  }

  fs::path dir_;
  std::unique_ptr<Platform> p_;
  Date today_;
  std::string inspector_;
  std::string operator_;
};

TEST_F(InspectionsTest, TheScopeSelectsBySectionOrDivisionAndPublishesIt) {
  json::object all = Draw("");
  EXPECT_EQ(all["in_scope"].as_int64(), 6);
  json::object c = Draw(",\"industry\":\"C\"");
  EXPECT_EQ(c["in_scope"].as_int64(), 2);
  EXPECT_EQ(Codes(c), (std::set<std::string>{kFood, kMachines}));
  EXPECT_EQ(c["scope"].at("industry").as_string(), "C");
  EXPECT_EQ(c["scope"].at("industry_name").as_string(), "制造业");
  // A division (given alone: its section is implied), and one combined with a region.
  json::object c13 = Draw(",\"industry\":\"13\"");
  EXPECT_EQ(c13["scope"].at("industry").as_string(), "C13");
  EXPECT_EQ(Codes(c13), (std::set<std::string>{kFood}));
  EXPECT_EQ(c13["drawn"].as_array()[0].at("industry").as_string(), "C13");
  json::object f = Draw(",\"industry\":\"F52\"");
  EXPECT_EQ(Codes(f), (std::set<std::string>{kShop}));  // 5211 was kept as its division
  EXPECT_EQ(Draw(",\"industry\":\"C\",\"region\":\"31\"")["in_scope"].as_int64(), 1);
  EXPECT_EQ(Draw(",\"industry\":\"H\",\"type\":\"legal_person\"")["in_scope"].as_int64(), 0);
  // The school has no industry: in the city-wide scope only.
  EXPECT_TRUE(Codes(all).contains(kSchool));
  // Not a GB/T 4754 code: a 400 naming the member and the code, nothing saved.
  std::string m = BadField(Call("POST", "/api/v1/inspections",
                                "{\"base_ratio\":1,\"industry\":\"C05\",\"purpose\":\"p\"}"),
                           "industry");
  EXPECT_NE(m.find("'C05'"), std::string::npos) << m;
  EXPECT_NE(m.find("section A"), std::string::npos) << m;
  BadField(Call("POST", "/api/v1/inspections",
                "{\"base_ratio\":1,\"industry\":\"Z\",\"purpose\":\"p\"}"),
           "industry");
  json::object listed = Body(Call("GET", "/api/v1/inspections"));
  EXPECT_EQ(listed["inspections"].as_array().size(), 6u);
  EXPECT_TRUE(listed["next_before"].is_null());
  // Paged back with `before`: every draw once, newest first; filtered by department.
  std::vector<int64_t> paged;
  std::string before;
  for (int page = 0; page < 10; ++page) {
    json::object p = Body(Call("GET", "/api/v1/inspections?limit=4" + before));
    for (const json::value& d : p["inspections"].as_array()) paged.push_back(d.at("id").to_number<int64_t>());
    if (p["next_before"].is_null()) break;
    before = "&before=" + std::to_string(p["next_before"].to_number<int64_t>());
  }
  ASSERT_EQ(paged.size(), 6u);
  EXPECT_TRUE(std::is_sorted(paged.rbegin(), paged.rend()));
  EXPECT_EQ(std::set<int64_t>(paged.begin(), paged.end()).size(), 6u);
  EXPECT_EQ(Body(Call("GET", "/api/v1/inspections?department=" + std::string("%E5%88%AB%E7%9A%84")))
                ["inspections"].as_array().size(), 0u);
  EXPECT_EQ(Body(Call("GET", "/api/v1/inspections?department=%E9%83%91%E5%B7%9E%E5%B8%82%E5%B8%82%E5%9C%BA%E7%9B%91%E7%9D%A3%E7%AE%A1%E7%90%86%E5%B1%80"))
                ["inspections"].as_array().size(), 6u);
  Response zero = Call("GET", "/api/v1/inspections?before=0");
  EXPECT_EQ(zero.status, 400u);
  EXPECT_EQ(Body(zero)["error"].at("details").at("parameter"), "before") << zero.body;
  // The listing shows the scope with its industry.
  json::object newest =
      Body(Call("GET", "/api/v1/inspections?limit=1"))["inspections"].as_array()[0].as_object();
  EXPECT_EQ(newest["scope"].at("industry").as_string(), "H");
  // The subject profile shows the industry too.
  json::object profile =
      Body(Call("GET", std::string("/api/v1/subjects/") + kMachines))["subject"].as_object();
  EXPECT_EQ(profile["industry"].as_string(), "C34");
  EXPECT_EQ(profile["industry_name"].as_string(), "通用设备制造业");
}

TEST_F(InspectionsTest, TheDrawUsesTheStoredGradesAndSaysWhichRunTheyAreFrom) {
  // The stored grade says D although the records (none) would give a good grade: a draw that
  // re-evaluated would not see it. At base 0.3, D's ratio is 0.9 and a good grade's at most 0.3:
  // a seed whose number for the code lies in [0.3, 0.9) draws it only with the stored D.
  SetGrade(kBuilder, "D");
  uint64_t seed = 1;
  while (!(rules::DrawUniform(seed, kBuilder) >= 0.3 && rules::DrawUniform(seed, kBuilder) < 0.9)) {
    ++seed;
  }
  json::object d = Draw(",\"seed\":" + std::to_string(seed), 0.3);
  ASSERT_TRUE(Codes(d).contains(kBuilder)) << json::serialize(d);
  for (const json::value& e : d["drawn"].as_array()) {
    if (e.at("code").as_string() != kBuilder) continue;
    EXPECT_EQ(e.at("grade").as_string(), "D");
    EXPECT_DOUBLE_EQ(e.at("ratio").as_double(), 0.9);
    EXPECT_EQ(e.at("grade_date").as_string(), today_.ToString());
  }
  const json::object& g = d["grades"].as_object();
  EXPECT_EQ(g.at("source").as_string(), "stored");
  EXPECT_EQ(g.at("model").as_string(), p_->evaluation().name());
  EXPECT_EQ(g.at("last_full_run").at("date").as_string(), today_.ToString());
  EXPECT_EQ(g.at("by_grade").at("D").as_int64(), 1);
  int64_t graded = 0;
  for (const char* k : {"A", "B", "C", "D", "none"}) graded += g.at("by_grade").at(k).as_int64();
  EXPECT_EQ(graded, d["in_scope"].as_int64());
  // A subject with no stored grade (under this model) is ungraded: multiplier 1.
  storage::GradeWrite other;
  other.subject_id = SubjectId(kShop);
  other.grade.as_of = today_;
  other.grade.grade = "A";
  other.grade.model = "another model";
  ASSERT_TRUE(p_->store().SaveGrades(std::span(&other, 1)).ok());
  json::object all = Draw("");
  for (const json::value& e : all["drawn"].as_array()) {
    if (e.at("code").as_string() == kShop) {
      EXPECT_EQ(e.at("grade").as_string(), "");
      EXPECT_TRUE(e.at("grade_date").is_null());
    }
  }
  EXPECT_EQ(all["grades"].at("by_grade").at("none").as_int64(), 1);
}

TEST_F(InspectionsTest, AnyoneCanReRunADrawFromWhatItPublished) {
  SetGrade(kFood, "D");
  SetGrade(kNoodles, "A");
  json::object d = Draw("", 0.4);  // a new seed, recorded
  const std::string seed(d["seed"].as_string());
  ASSERT_FALSE(seed.empty());
  EXPECT_EQ(d["seed_source"].as_string(), "random");
  // The drawing department may not pick the seed: it could search for one that spares a subject.
  const Response chosen =
      Call("POST", "/api/v1/inspections",
           "{\"base_ratio\":0.4,\"purpose\":\"抽查\",\"department\":\"" + std::string(kDept) +
               "\",\"seed\":\"" + seed + "\"}");
  EXPECT_EQ(chosen.status, 403u) << chosen.body;
  EXPECT_NE(chosen.body.find("\"field\":\"seed\""), std::string::npos) << chosen.body;
  // The same seed, scope and ratio on the same stored grades: the same list and digest.
  json::object again = Draw(",\"seed\":\"" + seed + "\"", 0.4);
  EXPECT_EQ(again["seed_source"].as_string(), "given");
  EXPECT_EQ(again["drawn"], d["drawn"]);
  EXPECT_EQ(again["scope_digest"], d["scope_digest"]);
  // From the published data alone: every in-scope subject's grade, the seed, the multipliers.
  std::vector<std::pair<std::string, std::string>> scope;  // code, grade
  std::set<std::string> drawn;
  const uint64_t s = std::stoull(seed);
  ASSERT_TRUE(p_->store()
                  .ScanSubjects([&](const Subject& subject) -> Status {
                    XY_ASSIGN_OR_RETURN(auto g, p_->store().GetGrade(subject.id));
                    const std::string grade = g ? g->grade.grade : "";
                    scope.emplace_back(subject.DisplayCode(), grade);
                    double multiplier = 1;  // ungraded
                    if (const json::value* m = d["multipliers"].as_object().if_contains(grade)) {
                      multiplier = m->to_number<double>();
                    }
                    const double ratio = std::min(1.0, 0.4 * multiplier);
                    if (rules::DrawUniform(s, subject.DisplayCode()) < ratio) {
                      drawn.insert(subject.DisplayCode());
                    }
                    return Status::Ok();
                  })
                  .ok());
  EXPECT_EQ(drawn, Codes(d));
  std::sort(scope.begin(), scope.end());
  crypto_generichash_state st;
  crypto_generichash_init(&st, nullptr, 0, 32);
  for (const auto& [code, grade] : scope) {
    const std::string line = code + "\t" + grade + "\n";
    crypto_generichash_update(&st, reinterpret_cast<const unsigned char*>(line.data()),
                              line.size());
  }
  unsigned char digest[32];
  crypto_generichash_final(&st, digest, sizeof digest);
  std::string hex;
  for (unsigned char c : digest) {
    hex += "0123456789abcdef"[c >> 4];
    hex += "0123456789abcdef"[c & 15];
  }
  EXPECT_EQ(d["scope_digest"].as_string(), hex);
  // Once a grade changes, the digest says the re-run no longer starts from the same data.
  SetGrade(kFood, "B");
  EXPECT_NE(Draw(",\"seed\":\"" + seed + "\"", 0.4)["scope_digest"], d["scope_digest"]);
}

TEST_F(InspectionsTest, ResultsOnlyForDrawnSubjectsWithKnownCategoriesAndSaneDates) {
  json::object d = Draw(",\"industry\":\"C\"");
  const uint64_t id = d["id"].to_number<uint64_t>();
  const std::string today = today_.ToString();
  // A subject outside the draw: a 400 naming the item and the code; nothing recorded.
  std::string m = BadField(
      PostResults(id, Item(kFood, "未发现问题", today) + "," + Item(kShop, "未发现问题", today)),
      "items[1].code");
  EXPECT_NE(m.find(kShop), std::string::npos) << m;
  EXPECT_EQ(Body(Call("GET", "/api/v1/inspections/" + std::to_string(id)))["counts"]
                .at("recorded")
                .as_int64(),
            0);
  m = BadField(PostResults(id, Item(kFood, "合格", today)), "items[0].result");
  EXPECT_NE(m.find("no_problem (未发现问题)"), std::string::npos) << m;
  m = BadField(PostResults(id, Item(kFood, "未发现问题", today_.AddDays(-1).ToString())),
               "items[0].checked");
  EXPECT_NE(m.find("before the draw"), std::string::npos) << m;
  m = BadField(PostResults(id, Item(kFood, "未发现问题", today_.AddDays(1).ToString())),
               "items[0].checked");
  EXPECT_NE(m.find("in the future"), std::string::npos) << m;
  BadField(PostResults(id, Item(kFood, "未发现问题", "2025-13-01")), "items[0].checked");
  m = BadField(PostResults(id, Item(kFood, "ordered_to_correct", today)), "items[0].findings");
  EXPECT_NE(m.find("发现问题已责令改正"), std::string::npos) << m;
  BadField(
      PostResults(id, Item(kFood, "no_problem", today) + "," + Item(kFood, "no_problem", today)),
      "items[1].code");
  BadField(Call("POST", "/api/v1/inspections/" + std::to_string(id) + "/results", Results("")),
           "items");
  // The operator names the department it records for.
  BadField(Call("POST", "/api/v1/inspections/" + std::to_string(id) + "/results",
                "{\"items\":[" + Item(kFood, "no_problem", today) + "]}", Token("operator")),
           "department");
  EXPECT_EQ(PostResults(999, Item(kFood, "no_problem", today)).status, 404u);
  // A resident ID number typed as a code is never echoed.
  Response r = PostResults(id, Item("11010519491231002X", "no_problem", today));
  BadField(r, "items[0].code");
  EXPECT_EQ(r.body.find("11010519491231002X"), std::string::npos) << r.body;

  // Good results, by name or label; the counts follow.
  r = PostResults(id, Item(kFood, "未发现问题", today) + "," +
                          Item(kMachines, "ordered_to_correct", today, "未亮照经营"));
  ASSERT_EQ(r.status, 200u) << r.body;
  json::object done = Body(r);
  EXPECT_EQ(done["recorded"].as_int64(), 2);
  json::object got = Body(Call("GET", "/api/v1/inspections/" + std::to_string(id)));
  const json::object& counts = got["counts"].as_object();
  EXPECT_EQ(counts.at("drawn").as_int64(), 2);
  EXPECT_EQ(counts.at("recorded").as_int64(), 2);
  EXPECT_EQ(counts.at("pending").as_int64(), 0);
  EXPECT_EQ(counts.at("with_problems").as_int64(), 1);
  ASSERT_EQ(counts.at("by_result").as_array().size(), 2u);
  EXPECT_EQ(counts.at("by_result").as_array()[0].at("result").as_string(), "no_problem");
  EXPECT_EQ(counts.at("by_result").as_array()[0].at("count").as_int64(), 1);
  EXPECT_EQ(counts.at("by_result").as_array()[1].at("label").as_string(), "发现问题已责令改正");
  for (const json::value& e : got["drawn"].as_array()) {
    const json::object& res = e.at("result").as_object();
    EXPECT_EQ(res.at("checked").as_string(), today);
    EXPECT_EQ(res.at("department").as_string(), kDept);
    EXPECT_FALSE(res.contains("history"));
  }
}

TEST_F(InspectionsTest, ClosedBusinessesAreNotDrawnAndPublishedTextsCarryNoIdNumber) {
  // A deregistered and a revoked food business: in the industry, but nothing to inspect.
  const std::string csv = std::string("企业名称,统一社会信用代码,行业代码,登记状态\n") +
                          "郑州庚食品有限公司,91410100MA44DWJQXM,C14,注销\n" +
                          "郑州辛食品有限公司,91410100MA45B3K63N,C13,吊销\n";
  auto in = p_->ingester().IngestBuffer(csv, "reg_basic.csv", ingest::IngestOptions());
  ASSERT_TRUE(in.ok()) << in.status().ToString();
  ASSERT_EQ(in->accepted, 2u) << in->rejected;
  Response r = Call("POST", "/api/v1/inspections",
                    std::string("{\"base_ratio\":1,\"industry\":\"C\",\"purpose\":\"举报人") +
                        "11010519491231002X反映问题\",\"department\":\"" + kDept + "\"}");
  ASSERT_EQ(r.status, 201u) << r.body;
  json::object d = Body(r);
  EXPECT_EQ(Codes(d), (std::set<std::string>{kFood, kMachines}));
  EXPECT_EQ(d["in_scope"].as_int64(), 2);
  const uint64_t id = d["id"].to_number<uint64_t>();
  // Free text the department typed is published: an ID number in it is masked when stored.
  r = PostResults(id, Item(kFood, "ordered_to_correct", today_.ToString(),
                           "法定代表人（身份证11010519491231002X）拒不配合"));
  ASSERT_EQ(r.status, 200u) << r.body;
  for (const std::string& token : {std::string(), inspector_}) {
    for (const std::string& target : {"/api/v1/inspections/" + std::to_string(id),
                                      std::string("/api/v1/subjects/") + kFood + "/inspections"}) {
      Response got = Call("GET", target, "", token);
      ASSERT_EQ(got.status, 200u) << target << got.body;
      EXPECT_EQ(got.body.find("11010519491231002X"), std::string::npos) << target << got.body;
      EXPECT_NE(got.body.find("拒不配合"), std::string::npos) << target << got.body;
    }
  }
  EXPECT_NE(Body(Call("GET", "/api/v1/inspections/" + std::to_string(id), "", ""))["purpose"]
                .as_string()
                .find("反映问题"),
            std::string::npos);
}

TEST_F(InspectionsTest, ACorrectionKeepsThePreviousResultInTheHistory) {
  const uint64_t id = Draw(",\"industry\":\"C13\"")["id"].to_number<uint64_t>();
  const std::string today = today_.ToString();
  ASSERT_EQ(PostResults(id, Item(kFood, "未发现问题", today)).status, 200u);
  // The same again changes nothing.
  json::object same = Body(PostResults(id, Item(kFood, "未发现问题", today)));
  EXPECT_EQ(same["unchanged"].as_int64(), 1);
  EXPECT_EQ(same["corrected"].as_int64(), 0);
  Response r = PostResults(id, Item(kFood, "发现问题已立案查处", today, "销售过期食品"));
  ASSERT_EQ(r.status, 200u) << r.body;
  EXPECT_EQ(Body(r)["corrected"].as_int64(), 1);
  ASSERT_EQ(PostResults(id, Item(kFood, "发现问题已责令改正", today, "已整改")).status, 200u);
  json::object got = Body(Call("GET", "/api/v1/inspections/" + std::to_string(id)));
  const json::object& res = got["drawn"].as_array()[0].at("result").as_object();
  EXPECT_EQ(res.at("result").as_string(), "ordered_to_correct");
  const json::array& history = res.at("history").as_array();
  ASSERT_EQ(history.size(), 2u);  // oldest first
  EXPECT_EQ(history[0].at("result").as_string(), "no_problem");
  EXPECT_EQ(history[1].at("result").as_string(), "case_filed");
  EXPECT_EQ(history[1].at("findings").as_string(), "销售过期食品");
  EXPECT_FALSE(history[1].as_object().contains("history"));
  EXPECT_EQ(got["counts"].at("by_result").as_array().size(), 1u);
}

TEST_F(InspectionsTest, ConcurrentResultPostsForOneDrawLoseNothing) {
  const uint64_t id = Draw(",\"industry\":\"C\"")["id"].to_number<uint64_t>();
  const std::string today = today_.ToString();
  constexpr int kRounds = 20;
  auto poster = [&](const char* code) {
    for (int i = 0; i < kRounds; ++i) {
      // Each post changes the result, so each is a correction of the one before.
      Response r = PostResults(id, i % 2 == 0 ? Item(code, "未发现问题", today)
                                              : Item(code, "not_disclosed", today,
                                                     "第" + std::to_string(i) + "次：年报未公示"));
      EXPECT_EQ(r.status, 200u) << r.body;
    }
  };
  std::thread a(poster, kFood), b(poster, kMachines);
  a.join();
  b.join();
  json::object got = Body(Call("GET", "/api/v1/inspections/" + std::to_string(id)));
  for (const json::value& e : got["drawn"].as_array()) {
    EXPECT_EQ(e.at("result").at("history").as_array().size(), static_cast<size_t>(kRounds - 1))
        << e.at("code").as_string();
  }
  EXPECT_EQ(got["counts"].at("recorded").as_int64(), 2);
}

TEST_F(InspectionsTest, ASubjectsDrawsAndResultsArePublic) {
  const uint64_t first = Draw(",\"industry\":\"C\"")["id"].to_number<uint64_t>();
  const uint64_t second = Draw(",\"industry\":\"C13\"")["id"].to_number<uint64_t>();
  Draw(",\"industry\":\"F\"");
  ASSERT_EQ(
      PostResults(first, Item(kFood, "not_disclosed", today_.ToString(), "年报未公示")).status,
      200u);
  json::object s = Body(Call("GET", std::string("/api/v1/subjects/") + kFood + "/inspections"));
  EXPECT_EQ(s["subject"].at("code").as_string(), kFood);
  const json::array& list = s["inspections"].as_array();
  ASSERT_EQ(list.size(), 2u);  // newest first; not the F draw
  EXPECT_EQ(list[0].at("id").to_number<uint64_t>(), second);
  EXPECT_TRUE(list[0].at("result").is_null());
  EXPECT_EQ(list[1].at("id").to_number<uint64_t>(), first);
  EXPECT_EQ(list[1].at("result").at("label").as_string(), "未按规定公示应当公示的信息");
  EXPECT_EQ(list[1].at("scope").at("industry").as_string(), "C");
  EXPECT_EQ(Body(Call("GET", std::string("/api/v1/subjects/") + kFood +
                                 "/inspections?limit=1"))["inspections"]
                .as_array()
                .size(),
            1u);
  // Legacy codes find the subject too (its organization code).
  EXPECT_EQ(
      Body(Call("GET", "/api/v1/subjects/600037341/inspections"))["inspections"].as_array().size(),
      2u);
  EXPECT_TRUE(
      Body(Call("GET", std::string("/api/v1/subjects/") + kSchool + "/inspections"))["inspections"]
          .as_array()
          .empty());
  EXPECT_EQ(Call("GET", "/api/v1/subjects/91110000600037342L/inspections").status, 400u);
  EXPECT_EQ(Call("GET", "/api/v1/subjects/P0123456789ABCDEF0123/inspections").status, 404u);

  // Who was drawn is public; each one's grade (and the ratio that tells it) is for government
  // and the subject itself (grades are government-internal).
  EXPECT_TRUE(list[0].as_object().contains("grade")) << "the inspecting department sees grades";
  const std::string draw = "/api/v1/inspections/" + std::to_string(first);
  const auto subject_token = [&](const char* code) {
    TokenRequest t;
    t.role = "subject";
    t.subject = code;
    t.created_by = "test";
    using namespace std::chrono;
    auto made = CreateToken(
        *p_, t, duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count());
    EXPECT_TRUE(made.ok()) << made.status().ToString();
    return made.ok() ? made->secret : "";
  };
  for (const std::string& token : {std::string(), subject_token(kSchool)}) {
    const json::object pub = Body(Call("GET", draw, "", token));
    ASSERT_FALSE(pub.at("drawn").as_array().empty());
    for (const json::value& e : pub.at("drawn").as_array()) {
      EXPECT_FALSE(e.as_object().contains("grade")) << e;
      EXPECT_FALSE(e.as_object().contains("ratio")) << e;
    }
    const json::object body =
        Body(Call("GET", std::string("/api/v1/subjects/") + kFood + "/inspections", "", token));
    const json::array& mine = body.at("inspections").as_array();
    ASSERT_EQ(mine.size(), 2u);
    EXPECT_FALSE(mine[0].as_object().contains("grade"));
  }
  const std::string own = subject_token(kFood);
  bool saw_own = false;
  const json::object own_view = Body(Call("GET", draw, "", own));
  for (const json::value& e : own_view.at("drawn").as_array()) {
    const bool is_own = e.at("code").as_string() == kFood;
    saw_own = saw_own || is_own;
    EXPECT_EQ(e.as_object().contains("grade"), is_own) << e;
  }
  EXPECT_TRUE(saw_own);
  const json::object own_list =
      Body(Call("GET", std::string("/api/v1/subjects/") + kFood + "/inspections", "", own));
  EXPECT_TRUE(own_list.at("inspections").as_array()[0].as_object().contains("grade"));
}

TEST_F(InspectionsTest, TheDrawingDepartmentAndTheOperatorRecordTheResultsEveryoneReadsThem) {
  const std::string today = today_.ToString();
  // The public may not draw or record, but reads every published draw and result.
  EXPECT_EQ(Call("POST", "/api/v1/inspections",
                 "{\"base_ratio\":1,\"purpose\":\"p\",\"department\":\"d\"}", "")
                .status,
            401u);
  const uint64_t id = Draw(",\"industry\":\"C13\"")["id"].to_number<uint64_t>();
  const std::string path = "/api/v1/inspections/" + std::to_string(id);
  EXPECT_EQ(Call("POST", path + "/results", Results(Item(kFood, "no_problem", today)), "").status,
            401u);
  // Another department may not record on this draw, nor act for this one.
  const std::string finance = Token("using_department", "郑州市财政局");
  Response r =
      Call("POST", path + "/results", Results(Item(kFood, "no_problem", today), ""), finance);
  EXPECT_EQ(r.status, 403u) << r.body;
  EXPECT_NE(r.body.find(kDept), std::string::npos) << r.body;
  EXPECT_EQ(
      Call("POST", path + "/results", Results(Item(kFood, "no_problem", today)), finance).status,
      403u);
  // The drawing department records; the operator corrects, naming who did.
  ASSERT_EQ(PostResults(id, Item(kFood, "no_problem", today)).status, 200u);
  const std::string op = Token("operator");
  r = Call("POST", path + "/results",
           Results(Item(kFood, "follow_up", today, "需会同卫健部门核实"), "郑州市信用中心"), op);
  ASSERT_EQ(r.status, 200u) << r.body;
  json::object got = Body(Call("GET", path, "", ""));
  const json::object& res = got["drawn"].as_array()[0].at("result").as_object();
  EXPECT_EQ(res.at("department").as_string(), "郑州市信用中心");
  EXPECT_EQ(res.at("history").as_array()[0].at("department").as_string(), kDept);
  EXPECT_EQ(Call("GET", "/api/v1/inspections", "", "").status, 200u);
  EXPECT_EQ(Call("GET", std::string("/api/v1/subjects/") + kFood + "/inspections", "", "").status,
            200u);
}

TEST_F(InspectionsTest, TheDemoResultsFileUsesOnlyRealCategoriesAndRecords) {
  json::object d = Draw("");
  std::vector<gen::DrawnSubject> drawn;
  for (const json::value& e : d["drawn"].as_array()) {
    drawn.push_back(
        {std::string(e.at("code").as_string()), std::string(e.at("grade").as_string())});
  }
  const std::string csv = gen::InspectionResultsCsv(drawn, today_, today_, 5, 1.0);
  EXPECT_EQ(csv, gen::InspectionResultsCsv(drawn, today_, today_, 5, 1.0));
  InspectionResultsRequest r;
  r.draw = d["id"].to_number<uint64_t>();
  r.department = kDept;
  std::istringstream in(csv);
  std::string line;
  std::getline(in, line);
  EXPECT_EQ(line, "统一社会信用代码,检查结果,检查日期,检查发现");
  while (std::getline(in, line)) {
    std::vector<std::string> cells;
    std::stringstream ls(line);
    for (std::string cell; std::getline(ls, cell, ',');) cells.push_back(cell);
    cells.resize(4);
    EXPECT_NE(rules::FindInspectionResult(cells[1]), nullptr) << cells[1];
    r.items.push_back({cells[0], cells[1], cells[2], cells[3]});
  }
  ASSERT_EQ(r.items.size(), drawn.size());
  std::string bad;
  auto done = RecordInspectionResults(*p_, r, today_, 1, &bad);
  ASSERT_TRUE(done.ok()) << bad << ": " << done.status().ToString();
  EXPECT_EQ(done->recorded, drawn.size());
}

}  // namespace
}  // namespace xinyong::server
