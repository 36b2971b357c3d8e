// Grades kept by the platform on a generated city: what ingestion stores incrementally and what a
// full recompute stores must both equal the model applied to each subject's records; the
// endpoints serve the stored grade and its history.
#include "server/access.h"
#include "server/grades.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

#include "core/test_paths.h"
#include "gen/generator.h"
#include "server/router.h"

namespace xinyong::server {
namespace {

namespace fs = std::filesystem;
namespace json = boost::json;

class GradesTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    std::random_device rd;
    dir_ = new fs::path(fs::temp_directory_path() / ("xinyong-grades-" + std::to_string(rd())));
    auto catalog = catalog::Catalog::LoadDirectory(test::SourceDir() + "/data/catalog");
    ASSERT_TRUE(catalog.ok()) << catalog.status().ToString();
    gen::GenOptions o;
    o.out_dir = (*dir_ / "gen").string();
    o.subjects = 400;
    o.seed = 17;
    auto r = gen::Generate(**catalog, o);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    files_ = new std::vector<std::string>();
    for (const auto& [file, rows] : r->files) files_->push_back(file);
  }
  static void TearDownTestSuite() {
    std::error_code ec;
    fs::remove_all(*dir_, ec);
    delete dir_;
    delete files_;
  }

  void SetUp() override {
    fs::remove_all(*dir_ / "data");
    fs::remove_all(*dir_ / "keys");
    PlatformOptions o;
    o.data_dir = (*dir_ / "data").string();
    o.share_dir = test::SourceDir() + "/data";
    o.key_file = (*dir_ / "keys" / "k.key").string();
    o.sync = false;
    auto p = Platform::Open(o);
    ASSERT_TRUE(p.ok()) << p.status().ToString();
    p_ = std::move(p).value();
    for (const std::string& f : *files_) {
      auto r = p_->ingester().IngestFile(f, ingest::IngestOptions());
      ASSERT_TRUE(r.ok()) << f << ": " << r.status().ToString();
    }
  }
  void TearDown() override { p_.reset(); }

  // Every organization's stored grade against the model applied to ListRecords as of `today`.
  void ExpectStoredGradesAreTheModels(Date today, size_t* graded) {
    *graded = 0;
    ASSERT_TRUE(p_->store()
                    .ScanSubjects([&](const Subject& s) -> Status {
                      std::vector<Record> records;
                      XY_RETURN_IF_ERROR(p_->store().ListRecords(s.id, "", &records));
                      auto e = p_->evaluation().Evaluate(s, records, p_->catalog(), today);
                      XY_ASSIGN_OR_RETURN(auto stored, p_->store().GetGrade(s.id));
                      if (!e) {
                        EXPECT_FALSE(stored.has_value()) << "natural person " << s.id << " graded";
                        return Status::Ok();
                      }
                      ++*graded;
                      EXPECT_TRUE(stored.has_value()) << "subject " << s.id << " has no grade";
                      if (!stored) return Status::Ok();
                      // The same result; one that said the same already kept its older date.
                      const std::string want =
                          EncodeSubjectGrade(p_->grader().ToStored(*e, today, 0));
                      const std::string got = EncodeSubjectGrade(stored->grade);
                      EXPECT_EQ(SubjectGradeResult(got), SubjectGradeResult(want))
                          << "subject " << s.id << ": stored " << stored->grade.score << ", model "
                          << e->score;
                      EXPECT_LE(stored->grade.as_of, today);
                      return Status::Ok();
                    })
                    .ok());
  }

  Response Call(std::string method, std::string target, std::string body = "") {
    Request r;
    r.method = std::move(method);
    r.target = std::move(target);
    r.body = std::move(body);
    r.content_type = "text/csv";
    r.peer = "127.0.0.1:50000";
    // As the operator: grades are government-internal (access_test.cc tests the roles).
    if (operator_token_.empty()) {
      TokenRequest t;
      t.role = "operator";
      operator_token_ = CreateToken(*p_, t, NowUnixMs()).value().secret;
    }
    r.authorization = "Bearer " + operator_token_;
    return HandleRequest(*p_, r);
  }
  std::string operator_token_;
  static json::object Body(const Response& r) {
    boost::system::error_code ec;
    json::value v = json::parse(r.body, ec);
    EXPECT_FALSE(ec) << r.body;
    return ec || !v.is_object() ? json::object() : v.as_object();
  }
  static void ExpectError(const Response& r, unsigned status, std::string_view parameter) {
    EXPECT_EQ(r.status, status) << r.body;
    json::object e = Body(r)["error"].as_object();
    EXPECT_EQ(e["details"].as_object()["parameter"].as_string(), parameter) << r.body;
  }

  static fs::path* dir_;
  static std::vector<std::string>* files_;
  std::unique_ptr<Platform> p_;
};

fs::path* GradesTest::dir_ = nullptr;
std::vector<std::string>* GradesTest::files_ = nullptr;

TEST_F(GradesTest, IngestAndFullRecomputeBothStoreWhatTheModelSays) {
  const Date today = Date::Today();
  size_t graded = 0;
  // Every ingest batch regraded the subjects it touched.
  ExpectStoredGradesAreTheModels(today, &graded);
  EXPECT_GT(graded, 300u);

  auto r = p_->grader().RecomputeAll(today, 2);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->subjects, graded);
  EXPECT_EQ(r->changed, 0u) << "the same day, the same records: nothing new for the history";
  uint64_t by_grade = 0;
  for (const auto& [g, n] : r->by_grade) by_grade += n;
  EXPECT_EQ(by_grade, graded);
  ExpectStoredGradesAreTheModels(today, &graded);

  // A year later, windows and list memberships have moved on: the recompute follows.
  const Date later = today.AddMonths(12);
  r = p_->grader().RecomputeAll(later);
  ASSERT_TRUE(r.ok());
  EXPECT_GT(r->changed, 0u);
  ExpectStoredGradesAreTheModels(later, &graded);

  // A grade the later recompute left as it was is shown as of that recompute, since its day.
  uint64_t kept = 0;
  ASSERT_TRUE(p_->store()
                  .ScanGrades(0,
                              [&](uint64_t id, const storage::CurrentGrade& g) -> Result<bool> {
                                if (g.grade.as_of == today) kept = id;
                                return kept == 0;
                              })
                  .ok());
  ASSERT_NE(kept, 0u);
  auto v = SubjectCurrentGrade(*p_, *p_->store().GetSubject(kept).value(), later);
  ASSERT_TRUE(v.ok()) << v.status().ToString();
  EXPECT_TRUE(v->stored);
  EXPECT_EQ(v->as_of, later);
  EXPECT_EQ(v->grade.as_of, today);
}

TEST_F(GradesTest, AnIngestedPenaltyRegradesItsSubjectAndNoOther) {
  // A further penalty for a company whose penalties are not capped yet: a generated row with a
  // new decision number.
  std::string file;
  for (const std::string& f : *files_) {
    if (fs::path(f).filename().string().starts_with("admin_penalty")) file = f;
  }
  ASSERT_FALSE(file.empty());
  std::ifstream in(file);
  std::string header, line, row;
  std::getline(in, header);
  const size_t columns = static_cast<size_t>(std::count(header.begin(), header.end(), ',')) + 1;
  uint64_t target = 0;
  storage::CurrentGrade before;
  while (target == 0 && std::getline(in, line)) {
    std::vector<std::string> cells;
    std::stringstream ss(line);
    for (std::string c; std::getline(ss, c, ',');) cells.push_back(c);
    if (cells.size() != columns || cells[1] != "法人及非法人组织" || cells[2].size() != 18)
      continue;
    auto subject = p_->FindSubjectByCode(cells[2]);
    if (!subject.ok()) continue;
    auto g = p_->store().GetGrade(subject->id);
    ASSERT_TRUE(g.ok() && g->has_value());
    bool capped = false;
    for (const GradeReason& reason : (*g)->grade.reasons)
      capped |= reason.indicator == "admin_penalty" && reason.capped;
    if (capped) continue;
    target = subject->id;
    before = **g;
    cells[13] = "郑市监罚〔2026〕测试9号";  // CF_WSH
    for (size_t i = 0; i < cells.size(); ++i) row += (i ? "," : "") + cells[i];
  }
  ASSERT_NE(target, 0u);

  std::map<uint64_t, storage::CurrentGrade> others;
  ASSERT_TRUE(p_->store()
                  .ScanGrades(0,
                              [&](uint64_t id, const storage::CurrentGrade& g) -> Result<bool> {
                                if (id != target) others[id] = g;
                                return true;
                              })
                  .ok());

  Response posted =
      Call("POST", "/api/v1/batches?indicator=admin_penalty", header + "\n" + row + "\n");
  ASSERT_EQ(posted.status, 201u) << posted.body;
  ASSERT_EQ(Body(posted)["accepted"].as_int64(), 1) << posted.body;

  auto after = p_->store().GetGrade(target).value();
  ASSERT_TRUE(after.has_value());
  EXPECT_EQ(after->grade.score, before.grade.score - 30) << "one more penalty in the window";
  EXPECT_EQ(after->history, before.history + 1);
  ASSERT_TRUE(
      p_->store()
          .ScanGrades(
              0,
              [&](uint64_t id, const storage::CurrentGrade& g) -> Result<bool> {
                if (id == target) return true;
                EXPECT_EQ(EncodeSubjectGrade(g.grade), EncodeSubjectGrade(others.at(id).grade))
                    << "subject " << id << " untouched";
                EXPECT_EQ(g.history, others.at(id).history);
                return true;
              })
          .ok());

  // The endpoints: the stored grade and its history, newest first.
  const Subject subject = *p_->store().GetSubject(target).value();
  const std::string base = "/api/v1/subjects/" + subject.DisplayCode();
  json::object grade = Body(Call("GET", base + "/grade"));
  EXPECT_TRUE(grade["stored"].as_bool());
  EXPECT_EQ(grade["date"].as_string(), Date::Today().ToString());
  EXPECT_EQ(grade["since"].as_string(), Date::Today().ToString());
  EXPECT_EQ(grade["score"].as_int64(), after->grade.score);
  EXPECT_EQ(grade["history"].as_int64(), after->history);
  json::object history = Body(Call("GET", base + "/grades?page_size=1"));
  EXPECT_EQ(history["total"].as_int64(), after->history);
  ASSERT_EQ(history["entries"].as_array().size(), 1u);
  EXPECT_EQ(history["entries"].as_array()[0].at("score").as_int64(), after->grade.score);
  json::object page2 = Body(Call("GET", base + "/grades?page=2&page_size=1"));
  ASSERT_EQ(page2["entries"].as_array().size(), 1u);
  EXPECT_EQ(page2["entries"].as_array()[0].at("score").as_int64(), before.grade.score);
  ExpectError(Call("GET", base + "/grades?page=0"), 400, "page");
  ExpectError(Call("GET", base + "/grades?page_size=101"), 400, "page_size");
}

// A department reads no 授权查询 records (utility arrears), so a grade's explanation does not tell
// it that such records exist: their points stand on one line without indicator, count or ids.
TEST_F(GradesTest, ADepartmentSeesNoIndicatorItMayNotReadInTheExplanation) {
  ASSERT_TRUE(p_->grader().RecomputeAll(Date::Today()).ok());
  std::string code;
  int64_t arrears_points = 0;
  ASSERT_TRUE(p_->store().ScanGrades(0, [&](uint64_t id, const storage::CurrentGrade& c) -> Result<bool> {
    for (const GradeReason& r : c.grade.reasons) {
      if (r.indicator != "utility_arrears") continue;
      XY_ASSIGN_OR_RETURN(auto s, p_->store().GetSubject(id));
      code = s->DisplayCode();
      arrears_points = r.points;
      return false;
    }
    return true;
  }).ok());
  ASSERT_FALSE(code.empty()) << "the generated city has an organization graded on utility arrears";
  TokenRequest t;
  t.role = "using_department";
  t.dept = "郑州市财政局";
  const std::string dept = CreateToken(*p_, t, NowUnixMs()).value().secret;
  for (const char* path : {"/grade", "/grades"}) {
    Request r;
    r.method = "GET";
    r.target = "/api/v1/subjects/" + code + std::string(path);
    r.peer = "127.0.0.1:50000";
    r.authorization = "Bearer " + dept;
    const Response got = HandleRequest(*p_, r);
    ASSERT_EQ(got.status, 200u) << got.body;
    EXPECT_EQ(got.body.find("utility_arrears"), std::string::npos) << got.body;
    EXPECT_NE(got.body.find("其他信息（不在查看范围内）"), std::string::npos) << got.body;
    const Response all = Call("GET", "/api/v1/subjects/" + code + std::string(path));  // operator
    EXPECT_NE(all.body.find("utility_arrears"), std::string::npos) << all.body;
  }
  // The points still add up for the department.
  Request r;
  r.method = "GET";
  r.target = "/api/v1/subjects/" + code + "/grade";
  r.peer = "127.0.0.1:50000";
  r.authorization = "Bearer " + dept;
  json::object g = Body(HandleRequest(*p_, r));
  int64_t hidden = 0;
  for (const json::value& c : g["contributions"].as_array()) {
    if (c.at("indicator").is_null()) hidden += c.at("points").to_number<int64_t>();
  }
  EXPECT_EQ(hidden, arrears_points);
}

TEST_F(GradesTest, TheRecomputeEndpointAnswersWithCountsAndNamesBadParameters) {
  Response r = Call("POST", "/api/v1/grades:recompute");
  ASSERT_EQ(r.status, 200u) << r.body;
  json::object o = Body(r);
  EXPECT_EQ(o["date"].as_string(), Date::Today().ToString());
  EXPECT_EQ(o["changed"].as_int64(), 0);
  int64_t sum = 0;
  for (const char* g : {"A", "B", "C", "D"}) sum += o["by_grade"].as_object()[g].as_int64();
  EXPECT_EQ(sum, o["subjects"].as_int64());
  EXPECT_TRUE(o["seconds"].is_double());
  ExpectError(Call("POST", "/api/v1/grades:recompute?date=2026-02-30"), 400, "date");
  // Grades dated ahead would apply ended memberships early and hold up the daily regrade.
  const Response ahead =
      Call("POST", "/api/v1/grades:recompute?date=" + Date::Today().AddDays(1).ToString());
  ExpectError(ahead, 400, "date");
  EXPECT_NE(ahead.body.find("is after today"), std::string::npos) << ahead.body;
  // Nor does a run as of a day before the last full run's replace the current grades with older
  // ones (records decided since left out, ended memberships counted again).
  const Response behind =
      Call("POST", "/api/v1/grades:recompute?date=" + Date::Today().AddDays(-1).ToString());
  EXPECT_EQ(behind.status, 409u) << behind.body;
  EXPECT_NE(behind.body.find("would replace the current ones"), std::string::npos) << behind.body;
  auto run = p_->store().LastGradingRun();
  ASSERT_TRUE(run.ok() && run->has_value());
  EXPECT_EQ((*run)->as_of, Date::Today());
  // A regrade of some subjects with a day taken before that run is graded as of the run's day.
  std::vector<uint64_t> ids;
  ASSERT_TRUE(p_->store().ScanSubjects([&](const Subject& s) -> Status {
    if (s.type != SubjectType::kNaturalPerson && ids.size() < 3) ids.push_back(s.id);
    return Status::Ok();
  }).ok());
  auto late = p_->grader().RecomputeSubjects(ids, Date::Today().AddDays(-1));
  ASSERT_TRUE(late.ok()) << late.status().ToString();
  EXPECT_EQ(late->as_of, Date::Today());
  EXPECT_EQ(Call("GET", "/api/v1/grades:recompute").status, 405u);

  // Natural persons are not graded; the error names the code.
  std::string person;
  ASSERT_TRUE(p_->store()
                  .ScanSubjects([&](const Subject& s) -> Status {
                    if (person.empty() && s.type == SubjectType::kNaturalPerson)
                      person = s.DisplayCode();
                    return Status::Ok();
                  })
                  .ok());
  ASSERT_FALSE(person.empty());
  ExpectError(Call("GET", "/api/v1/subjects/" + person + "/grade"), 409, "code");
  ExpectError(Call("GET", "/api/v1/subjects/" + person + "/grades"), 409, "code");
}

}  // namespace
}  // namespace xinyong::server
