// Data governance and city monitoring over a small store filled by the real ingester (real
// catalog and working-day calendar, RocksDB in a temp dir): every figure checked exactly — late
// rows, rejections by reason, duplicates, a gap in a document-number series, departments gone
// silent, a name conflict, a subject unknown to registration, department scoping — and the
// spreadsheet written.
#include "governance/governance.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include <zlib.h>

#include "core/test_paths.h"
#include "governance/document_number.h"
#include "governance/monitoring.h"
#include "governance/report_json.h"
#include "governance/xlsx_export.h"
#include "ingest/ingester.h"
#include "report/issuer.h"
#include "report/signer.h"
#include "storage/rocksdb/rocksdb_store.h"
#include "workflow/policy.h"
#include "workflow/service.h"

namespace xinyong::governance {
namespace {

namespace fs = std::filesystem;
using test::SourceDir;

constexpr char kMarket[] = "郑州市市场监督管理局";
constexpr char kEnv[] = "郑州市生态环境局";
constexpr char kSafety[] = "郑州市应急管理局";
constexpr char kHongda[] = "91110000600037341L";
constexpr char kUnregistered[] = "91310115MA1K3BTP2B";

Date D(const char* s) { return *Date::Parse(s); }

constexpr char kPenaltyHeader[] =
    "CF_XDR_MC,CF_XDR_LB,CF_XDR_SHXYM,CF_WSH,CF_WFXW,CF_SY,CF_YJ,CF_CFLB,CF_NR,CF_NR_FK,"
    "CF_JDRQ,CF_CFJG,CF_CFJGDM,CF_SJLY,CF_SJLYDM,CF_CFCX\n";

std::string Penalty(const std::string& name, const std::string& uscc, const std::string& doc,
                    const std::string& decided) {
  return name + ",法人及非法人组织," + uscc + "," + doc +
         ",虚假宣传,在网站发布虚假广告,《广告法》第五十五条,罚款,罚款2万元,2," + decided +
         ",郑州市市场监督管理局,11410100MB0000001X,郑州市市场监督管理局,11410100MB0000001X,普通程序\n";
}

std::string Commitment(const std::string& code, const std::string& uscc, const std::string& type,
                       const std::string& made) {
  return "CN_CNBM,CN_CNRMC,CN_CNRLB,CN_CNRDM,CN_CNLX,CN_CNSY,CN_CNNR,CN_CNZCRQ,CN_CNSLDW,CN_GKLX\n" +
         code + ",郑州宏达商贸有限公司,法人及非法人组织," + uscc + "," + type +
         ",办理许可,按期补交材料," + made + "," + kMarket + ",可向社会公开\n";
}

uint32_t Le(const std::string& z, size_t at, int bytes) {
  uint32_t v = 0;
  for (int i = bytes - 1; i >= 0; --i) v = (v << 8) | static_cast<unsigned char>(z[at + static_cast<size_t>(i)]);
  return v;
}

// The content of one entry of a zip archive, found through its central directory and inflated
// (stored or deflated entries); "" when absent or unreadable.
std::string ZipEntry(const std::string& z, const std::string& name) {
  for (size_t at = z.find("PK\x01\x02"); at != std::string::npos && at + 46 <= z.size();
       at = z.find("PK\x01\x02", at + 4)) {
    const uint32_t method = Le(z, at + 10, 2), size = Le(z, at + 20, 4), raw = Le(z, at + 24, 4);
    const uint32_t name_len = Le(z, at + 28, 2), local = Le(z, at + 42, 4);
    if (z.compare(at + 46, name_len, name) != 0) continue;
    const size_t data = local + 30 + Le(z, local + 26, 2) + Le(z, local + 28, 2);
    if (data + size > z.size()) return "";
    if (method == 0) return z.substr(data, size);
    std::string out(raw, '\0');
    z_stream s{};
    if (inflateInit2(&s, -15) != Z_OK) return "";
    s.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(z.data() + data));
    s.avail_in = size;
    s.next_out = reinterpret_cast<Bytef*>(out.data());
    s.avail_out = raw;
    const int rc = inflate(&s, Z_FINISH);
    inflateEnd(&s);
    return rc == Z_STREAM_END ? out : "";
  }
  return "";
}

class GovernanceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("xinyong-governance-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    auto cat = catalog::Catalog::LoadDirectory(SourceDir() + "/data/catalog");
    ASSERT_TRUE(cat.ok()) << cat.status().ToString();
    catalog_ = std::move(cat).value();
    auto cal = WorkCalendar::LoadFile(SourceDir() + "/data/calendar/cn_workdays.toml");
    ASSERT_TRUE(cal.ok());
    calendar_ = std::make_unique<WorkCalendar>(std::move(cal).value());
    vault_ = PersonalDataVault::ForTesting("governance-test");
    storage::RocksDbOptions options;
    options.sync = false;
    auto s = storage::RocksDbStore::Open((dir_ / "data").string(), options);
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    store_ = std::move(s).value();
    ingester_ = std::make_unique<ingest::Ingester>(*store_, *catalog_, *calendar_, *vault_);
    auto config = GovernanceConfig::Parse(
        "[[department]]\ndept = \"郑州市市场监督管理局\"\nfrequency = \"daily\"\n"
        "[[department]]\ndept = \"郑州市生态环境局\"\nfrequency = \"weekly\"\n"
        "[[department]]\ndept = \"郑州市应急管理局\"\nfrequency = \"monthly\"\n",
        "test.toml");
    ASSERT_TRUE(config.ok()) << config.status().ToString();
    config_ = std::move(config).value();
  }
  void TearDown() override {
    ingester_.reset();
    store_.reset();
    fs::remove_all(dir_);
  }

  ingest::FileReport Ingest(const std::string& csv, const std::string& indicator,
                            const std::string& dept, Date received) {
    ingest::IngestOptions o;
    o.indicator = indicator;
    o.dept = dept;
    o.received_date = received;
    auto r = ingester_->IngestBuffer(csv, indicator + ".csv", o);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : ingest::FileReport();
  }

  // Registration of 宏达 (not of the second company), penalties from two departments, a
  // resubmission, and a commitment.
  void Fill() {
    Ingest(std::string("DJ_QYMC,DJ_TYSHXYDM\n郑州宏达商贸有限公司,") + kHongda + "\n", "reg_basic",
           kMarket, D("2026-03-02"));
    // Market regulation, 2026-03-10: serials 1, 2 and 5 (3 and 4 missing); serial 2 decided on
    // 02-02, more than 7 working days before; a bad check character; a row without 文号.
    const auto first = Ingest(
        std::string(kPenaltyHeader) +
            Penalty("郑州宏达商贸有限公司", kHongda, "郑市监罚〔2026〕1号", "2026-03-09") +
            Penalty("郑州宏达商贸有限公司", kHongda, "郑市监罚〔2026〕2号", "2026-02-02") +
            Penalty("上海某某科技有限公司", kUnregistered, "郑市监罚〔2026〕5号", "2026-03-05") +
            Penalty("郑州某公司", "91110000600037341N", "郑市监罚〔2026〕6号", "2026-03-05") +
            Penalty("郑州某公司", kHongda, "", "2026-03-05"),
        "admin_penalty", kMarket, D("2026-03-10"));
    ASSERT_EQ(first.accepted, 3u);
    ASSERT_EQ(first.rejected, 2u);
    ASSERT_EQ(first.late, 1u);
    // The environment bureau names 宏达 otherwise.
    const auto second = Ingest(std::string(kPenaltyHeader) +
                                   Penalty("郑州宏达贸易公司", kHongda, "郑环罚〔2026〕9号", "2026-03-10"),
                               "admin_penalty", kEnv, D("2026-03-11"));
    ASSERT_EQ(second.accepted, 1u);
    // Market regulation sends serial 1 again (a duplicate).
    const auto third = Ingest(
        std::string(kPenaltyHeader) +
            Penalty("郑州宏达商贸有限公司", kHongda, "郑市监罚〔2026〕1号", "2026-03-09"),
        "admin_penalty", kMarket, D("2026-03-12"));
    ASSERT_EQ(third.duplicates, 1u);
  }

  // The objection and repair service over the fixture's store (rights_), and its callers: the
  // operator and the market regulator.
  void OpenRights() {
    auto policy = workflow::Policy::LoadFile(SourceDir() + "/data/rights/rights.toml", *catalog_);
    ASSERT_TRUE(policy.ok()) << policy.status().ToString();
    policy_ = std::move(policy).value();
    auto service =
        workflow::Service::Open(*store_, *catalog_, *calendar_, *vault_, *ingester_, *policy_);
    ASSERT_TRUE(service.ok()) << service.status().ToString();
    rights_ = std::move(service).value();
    operator_.role = workflow::Caller::Role::kOperator;
    operator_.role_name = "operator";
    operator_.describe = "operator token 1";
    market_.role = workflow::Caller::Role::kDepartment;
    market_.department = kMarket;
    market_.role_name = "source_department";
    market_.describe = "source_department token 2";
  }

  // An objection (`reason`) to the unregistered company's penalty through OpenRights: filed
  // and forwarded on 2026-03-16 by the operator, verified on 03-17 by the market regulator with
  // `verify`'s reason and outcome. Its id, and the penalty as it was.
  void ObjectAndVerify(const std::string& reason, workflow::StepRequest verify, uint64_t* id,
                       Record* penalty) {
    ASSERT_NO_FATAL_FAILURE(OpenRights());
    auto subject = store_->FindSubject(IdentifierKind::kUscc, kUnregistered);
    ASSERT_TRUE(subject.ok() && subject->has_value());
    std::vector<Record> records;
    ASSERT_TRUE(store_->ListRecords(**subject, "admin_penalty", &records).ok());
    ASSERT_EQ(records.size(), 1u);
    if (penalty != nullptr) *penalty = records[0];
    auto a = rights_->FileObjection(operator_, {**subject, records[0].record_id, reason, {}},
                                    D("2026-03-16"));
    ASSERT_TRUE(a.ok()) << a.status().ToString();
    *id = a->id;
    workflow::StepRequest forward;
    forward.action = workflow::Action::kForward;
    ASSERT_TRUE(rights_->Step(operator_, a->id, forward, D("2026-03-16")).ok());
    verify.action = workflow::Action::kVerify;
    auto verified = rights_->Step(market_, a->id, verify, D("2026-03-17"));
    ASSERT_TRUE(verified.ok()) << verified.status().ToString();
  }

  Result<GovernanceReport> Report(const std::string& dept = "") {
    GovernanceQuery q;
    q.dept = dept;
    q.from = D("2026-03-01");
    q.to = D("2026-03-20");
    return ComputeGovernance(*store_, *catalog_, *calendar_, config_, q);
  }

  static const IndicatorFigures* Find(const GovernanceReport& r, const std::string& dept,
                                      const std::string& indicator) {
    for (const IndicatorFigures& f : r.figures) {
      if (f.dept == dept && f.indicator == indicator) return &f;
    }
    return nullptr;
  }

  fs::path dir_;
  std::unique_ptr<catalog::Catalog> catalog_;
  std::unique_ptr<WorkCalendar> calendar_;
  std::unique_ptr<PersonalDataVault> vault_;
  std::unique_ptr<storage::RocksDbStore> store_;
  std::unique_ptr<ingest::Ingester> ingester_;
  GovernanceConfig config_;
  std::unique_ptr<workflow::Policy> policy_;
  std::unique_ptr<workflow::Service> rights_;
  workflow::Caller operator_, market_;
};

TEST(DocumentNumberTest, ReadsSeriesAndSerialWithAnyYearBrackets) {
  auto a = ParseDocumentNumber("郑市监罚〔2026〕123号");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->series, "郑市监罚〔2026〕");
  EXPECT_EQ(a->year, 2026);
  EXPECT_EQ(a->serial, 123u);
  auto b = ParseDocumentNumber(" 郑市监罚[2026]第7号 ");
  ASSERT_TRUE(b);
  EXPECT_EQ(b->series, "郑市监罚〔2026〕") << "brackets are normalized: one series";
  EXPECT_EQ(b->serial, 7u);
  auto c = ParseDocumentNumber("郑环罚（2025）0042号");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->series, "郑环罚〔2025〕");
  EXPECT_EQ(c->serial, 42u);
  EXPECT_FALSE(ParseDocumentNumber("(2026)豫0105执123号")) << "no prefix before the year";
  EXPECT_FALSE(ParseDocumentNumber("郑市监罚〔2026〕123号之一"));
  EXPECT_FALSE(ParseDocumentNumber("41010020260105000009"));
  EXPECT_FALSE(ParseDocumentNumber("郑市监罚〔26〕1号"));
  // Full-width digits and brackets, and the small 〔〕, as departments type them: one series.
  for (const char* typed : {"郑市监(稽)罚〔２０２６〕１２号", "郑市监（稽）罚﹝2026﹞12号",
                            "郑市监（稽）罚［２０２６］第１２号"}) {
    auto d = ParseDocumentNumber(typed);
    ASSERT_TRUE(d) << typed;
    EXPECT_EQ(d->series, "郑市监(稽)罚〔2026〕") << typed;
    EXPECT_EQ(d->serial, 12u) << typed;
  }
}

TEST(GovernanceConfigTest, RejectsAnUnknownFrequencyNamingTheFileAndLine) {
  auto c = GovernanceConfig::Parse("[[department]]\ndept = \"x\"\nfrequency = \"hourly\"\n", "g.toml");
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find("g.toml:3"), std::string::npos) << c.status().message();
  EXPECT_NE(c.status().message().find("hourly"), std::string::npos);
  auto twice = GovernanceConfig::Parse(
      "[[department]]\ndept = \"x\"\nfrequency = \"daily\"\n"
      "[[department]]\ndept = \"x\"\nfrequency = \"weekly\"\n",
      "g.toml");
  EXPECT_FALSE(twice.ok());
}

TEST(GovernanceConfigTest, TheShippedFileLoads) {
  auto c = GovernanceConfig::LoadFile(SourceDir() + "/data/governance/governance.toml");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_FALSE(c->departments.empty());
}

TEST_F(GovernanceTest, CountsEachDepartmentsRowsRejectionsLateAndDuplicates) {
  Fill();
  auto r = Report();
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  const IndicatorFigures* market = Find(*r, kMarket, "admin_penalty");
  ASSERT_NE(market, nullptr);
  EXPECT_TRUE(market->shuanggongshi);
  EXPECT_EQ(market->batches, 2u);
  EXPECT_EQ(market->rows, 6u);
  EXPECT_EQ(market->accepted, 3u);
  EXPECT_EQ(market->rejected, 2u);
  EXPECT_EQ(market->duplicates, 1u);
  EXPECT_EQ(market->late, 1u);
  EXPECT_DOUBLE_EQ(*market->ComplianceRate(), 4.0 / 6.0);
  EXPECT_DOUBLE_EQ(*market->TimelinessRate(), 2.0 / 3.0);
  // Serials 1, 2 and 5 held of 1-5 (6 was rejected): 上报率 3/5. The environment bureau's one
  // serial is its whole sequence.
  EXPECT_EQ(market->serials_held, 3u);
  EXPECT_EQ(market->serials_expected, 5u);
  EXPECT_DOUBLE_EQ(*market->ReportRate(), 3.0 / 5.0);
  EXPECT_DOUBLE_EQ(*Find(*r, kEnv, "admin_penalty")->ReportRate(), 1.0);
  EXPECT_DOUBLE_EQ(*r->shuanggongshi.ReportRate(), 4.0 / 6.0);
  EXPECT_FALSE(Find(*r, kMarket, "reg_basic")->ReportRate()) << "not 双公示";
  EXPECT_EQ(market->invalid_uscc, 1u);
  EXPECT_DOUBLE_EQ(*market->UsccErrorRate(), 1.0 / 6.0);
  ASSERT_EQ(market->rejections.size(), 2u);
  std::map<std::string, uint64_t> reasons;
  for (const ReasonCount& rc : market->rejections) {
    reasons[rc.code] = rc.rows;
    ASSERT_EQ(rc.examples.size(), 1u);
    EXPECT_EQ(rc.examples[0].file, "admin_penalty.csv");
  }
  EXPECT_EQ(reasons["invalid_uscc"], 1u);
  EXPECT_EQ(reasons["missing_field"], 1u);
  // The second company has no registration record: its one record counts.
  EXPECT_EQ(market->unknown_subject_records, 1u);
  ASSERT_EQ(r->unknown_subjects.size(), 1u);
  EXPECT_EQ(r->unknown_subjects[0].code, kUnregistered);
  EXPECT_EQ(r->unknown_subjects[0].dept, kMarket);

  const IndicatorFigures* env = Find(*r, kEnv, "admin_penalty");
  ASSERT_NE(env, nullptr);
  EXPECT_EQ(env->rows, 1u);
  EXPECT_EQ(env->late, 0u);
  EXPECT_EQ(env->name_conflict_rows, 1u);
  EXPECT_DOUBLE_EQ(*env->TimelinessRate(), 1.0);

  const IndicatorFigures* registration = Find(*r, kMarket, "reg_basic");
  ASSERT_NE(registration, nullptr);
  EXPECT_FALSE(registration->TimelinessRate()) << "not 双公示";
  EXPECT_EQ(r->shuanggongshi.rows, 7u);
  EXPECT_EQ(r->shuanggongshi.late, 1u);
  EXPECT_EQ(r->total.rows, 8u);
  EXPECT_EQ(r->total.batches, 4u);
}

TEST_F(GovernanceTest, FindsTheGapInADocumentNumberSeries) {
  Fill();
  auto r = Report();
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->gaps.size(), 1u);
  const SerialGap& g = r->gaps[0];
  EXPECT_EQ(g.dept, kMarket);
  EXPECT_EQ(g.series, "郑市监罚〔2026〕");
  EXPECT_EQ(g.first, 1u);
  EXPECT_EQ(g.last, 5u);
  EXPECT_EQ(g.seen, 3u);
  EXPECT_EQ(g.missing, 2u);
  EXPECT_EQ(g.listed, (std::vector<uint64_t>{3, 4}));
  EXPECT_EQ(r->gap_series_checked, 1u) << "the environment bureau's series has one serial";
}

TEST(IndicatorFiguresTest, TimelinessIsOfNewDecisionsOnly) {
  // Four rows accepted, two of them corrections; one of the two new decisions came late.
  IndicatorFigures f;
  f.shuanggongshi = true;
  f.rows = f.accepted = 4;
  f.corrected = 2;
  f.late = 1;
  EXPECT_DOUBLE_EQ(*f.TimelinessRate(), 0.5);
  f.accepted = f.corrected = 2;  // corrections only: nothing to judge
  f.late = 0;
  EXPECT_FALSE(f.TimelinessRate());
}

TEST_F(GovernanceTest, OneMistypedDocumentNumberDoesNotSinkTheReportRate) {
  Fill();
  // Serial 12345678 where 7 was meant: 1, 2, 5 and 12345678 held. The rate stays that of the
  // real run (3 of 1-5, and the typo a run of its own); the gap table counts every serial.
  Ingest(std::string(kPenaltyHeader) +
             Penalty("郑州宏达商贸有限公司", kHongda, "郑市监罚〔2026〕12345678号", "2026-03-11"),
         "admin_penalty", kMarket, D("2026-03-12"));
  auto r = Report();
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  const IndicatorFigures* market = Find(*r, kMarket, "admin_penalty");
  ASSERT_NE(market, nullptr);
  EXPECT_EQ(market->serials_held, 4u);
  EXPECT_EQ(market->serials_expected, 6u);
  EXPECT_DOUBLE_EQ(*market->ReportRate(), 4.0 / 6.0);
  ASSERT_EQ(r->gaps.size(), 1u);
  EXPECT_EQ(r->gaps[0].missing, 12345678u - 4u);
  EXPECT_TRUE(r->gaps[0].listed.empty()) << "wider than max_span: counted, not listed";
  // A run of at most max_counted_gap missing serials is still counted whole.
  config_.max_counted_gap = 20'000'000;
  auto wide = Report();
  ASSERT_TRUE(wide.ok());
  EXPECT_EQ(Find(*wide, kMarket, "admin_penalty")->serials_expected, 12345678u);
}

TEST_F(GovernanceTest, FindsDepartmentsGoneSilent) {
  Fill();
  auto r = Report();
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  std::map<std::string, SilentDepartment> silent;
  for (const SilentDepartment& s : r->silent) silent[s.dept] = s;
  ASSERT_EQ(silent.size(), 3u);
  // Daily: last 03-12 (Thu), due 03-13; 03-13 and 03-16..19 passed without a batch by 03-20.
  EXPECT_EQ(silent[kMarket].last_batch, D("2026-03-12"));
  EXPECT_EQ(silent[kMarket].due, D("2026-03-13"));
  EXPECT_EQ(silent[kMarket].missed, 5);
  // Weekly: last 03-11, due 03-18.
  EXPECT_EQ(silent[kEnv].due, D("2026-03-18"));
  EXPECT_EQ(silent[kEnv].missed, 1);
  // Monthly, never heard from.
  EXPECT_FALSE(silent[kSafety].last_batch);

  // Judged on 03-18 the weekly department is still in time.
  GovernanceQuery q;
  q.to = D("2026-03-18");
  auto earlier = ComputeGovernance(*store_, *catalog_, *calendar_, config_, q);
  ASSERT_TRUE(earlier.ok());
  for (const SilentDepartment& s : earlier->silent) EXPECT_NE(s.dept, kEnv);
}

TEST_F(GovernanceTest, FindsACodeSubmittedUnderAnotherName) {
  Fill();
  auto r = Report();
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->name_conflicts.size(), 1u);
  const NameConflict& c = r->name_conflicts[0];
  EXPECT_EQ(c.code, kHongda);
  EXPECT_EQ(c.stored_name, "郑州宏达商贸有限公司");
  ASSERT_EQ(c.variants.size(), 1u);
  EXPECT_EQ(c.variants[0].name, "郑州宏达贸易公司");
  EXPECT_EQ(c.variants[0].dept, kEnv);
  EXPECT_EQ(c.variants[0].records, 1u);
  EXPECT_EQ(r->name_conflicts_total, 1u);
  // Listed up to max_examples × 10 subjects, the total always given.
  config_.max_examples = 0;
  auto capped = Report();
  ASSERT_TRUE(capped.ok());
  EXPECT_TRUE(capped->name_conflicts.empty());
  EXPECT_EQ(capped->name_conflicts_total, 1u);
  EXPECT_EQ(GovernanceJson(*capped).at("name_conflicts_total").to_number<uint64_t>(), 1u);
}

TEST_F(GovernanceTest, ADepartmentsReportHoldsOnlyItsOwnSubmissions) {
  Fill();
  auto r = Report(kEnv);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  for (const IndicatorFigures& f : r->figures) EXPECT_EQ(f.dept, kEnv);
  EXPECT_EQ(r->total.rows, 1u);
  EXPECT_TRUE(r->gaps.empty());
  EXPECT_TRUE(r->unknown_subjects.empty()) << "the unregistered company is the market's";
  ASSERT_EQ(r->silent.size(), 1u);
  EXPECT_EQ(r->silent[0].dept, kEnv);
  ASSERT_EQ(r->name_conflicts.size(), 1u);
  const boost::json::object j = GovernanceJson(*r);
  EXPECT_EQ(j.at("dept").as_string(), kEnv);
  EXPECT_EQ(j.at("figures").as_array().size(), 1u);
}

TEST_F(GovernanceTest, APeriodWithoutSubmissionsCountsNothing) {
  Fill();
  GovernanceQuery q;
  q.from = D("2026-04-01");
  q.to = D("2026-04-30");
  auto r = ComputeGovernance(*store_, *catalog_, *calendar_, config_, q);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->figures.empty());
  EXPECT_EQ(r->total.rows, 0u);
  EXPECT_FALSE(r->total.ComplianceRate());
  q.from = D("2026-05-01");
  EXPECT_FALSE(ComputeGovernance(*store_, *catalog_, *calendar_, config_, q).ok());
}

TEST_F(GovernanceTest, TheSpreadsheetHasOneSheetPerTable) {
  Fill();
  auto r = Report();
  ASSERT_TRUE(r.ok());
  const std::string path = (dir_ / "governance.xlsx").string();
  ASSERT_TRUE(WriteGovernanceXlsx(*r, path).ok());
  std::ifstream in(path, std::ios::binary);
  std::stringstream bytes;
  bytes << in.rdbuf();
  const std::string zip = bytes.str();
  ASSERT_GT(zip.size(), 1000u);
  EXPECT_EQ(zip.substr(0, 2), "PK");
  // The central directory names a part per sheet; workbook.xml names the sheets in order.
  for (int i = 1; i <= 6; ++i) {
    EXPECT_NE(zip.find("xl/worksheets/sheet" + std::to_string(i) + ".xml"), std::string::npos) << i;
  }
  EXPECT_EQ(zip.find("xl/worksheets/sheet7.xml"), std::string::npos);
  const std::string workbook = ZipEntry(zip, "xl/workbook.xml");
  ASSERT_FALSE(workbook.empty());
  size_t last = 0;
  for (std::string_view sheet : kGovernanceSheets) {
    const size_t at = workbook.find("<sheet name=\"" + std::string(sheet) + "\"");
    ASSERT_NE(at, std::string::npos) << sheet;
    EXPECT_GT(at, last) << sheet << " in workbook order";
    last = at;
  }
  // Chinese headers and the figures: the market regulator, its rejection reason, the gap.
  const std::string strings = ZipEntry(zip, "xl/sharedStrings.xml");
  for (const char* s : {"合规率", "及时率", "重错码率", "目录外字段", "应有文号", kMarket,
                        "统一社会信用代码错误",
                        "郑市监罚〔2026〕", "3、4", "郑州宏达贸易公司", kUnregistered}) {
    EXPECT_NE(strings.find(s), std::string::npos) << s;
  }
  // Rates as percentages.
  EXPECT_NE(ZipEntry(zip, "xl/styles.xml").find("0.00%"), std::string::npos);
  auto again = GovernanceXlsxBytes(*r, dir_.string());
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->substr(0, 2), "PK");
}

TEST_F(GovernanceTest, MonitoringGivesEachMonthsFigures) {
  Fill();
  Ingest(Commitment("41010020260305000001", kHongda, "审批替代型", "2026-03-05"), "credit_commitment", kMarket,
         D("2026-03-06"));
  // A credit check that met measures, with feedback, logged in March (China time).
  CheckRun run;
  run.unix_ms = 1773800000000;  // 2026-03-18
  run.department = "郑州市财政局";
  run.requester = "test";
  run.scenario = "government_procurement";
  run.purpose = "采购资格审查";
  run.entries.push_back({1, kHongda, "restricted", {"m1"}});
  run.entries.push_back({1, kHongda, "pass", {}});
  const CheckRun* runs[] = {&run};
  auto ids = store_->LogCheckRuns(runs);
  ASSERT_TRUE(ids.ok()) << ids.status().ToString();
  ASSERT_TRUE(store_->SetCheckFeedback(ids->front(), "applied", "", run.unix_ms).ok());

  auto m = ComputeMonitoring(*store_, *catalog_, *calendar_, config_, D("2026-02-15"),
                             D("2026-03-31"));
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  ASSERT_EQ(m->months.size(), 2u);
  EXPECT_EQ(m->months[0].month, "2026-02");
  EXPECT_EQ(m->months[0].rows, 0u);
  const MonthFigures& march = m->months[1];
  EXPECT_EQ(march.month, "2026-03");
  EXPECT_EQ(march.sgs_rows, 7u);
  EXPECT_EQ(march.sgs_accepted, 4u);
  EXPECT_EQ(march.sgs_late, 1u);
  EXPECT_EQ(march.enterprises, 2u);
  EXPECT_DOUBLE_EQ(*march.SgsPerEnterprise(), 2.0);
  EXPECT_DOUBLE_EQ(*march.SgsCompliance(), 5.0 / 7.0);
  EXPECT_DOUBLE_EQ(*march.SgsTimeliness(), 3.0 / 4.0);
  EXPECT_EQ(march.invalid_uscc, 1u);
  EXPECT_EQ(march.approval_commitments, 1u);
  EXPECT_EQ(march.approval_subjects, 1u);
  EXPECT_DOUBLE_EQ(*march.ApprovalShare(), 0.5);
  EXPECT_EQ(march.checks, 2u);
  EXPECT_EQ(march.checks_by_scenario.at("government_procurement"), 2u);
  EXPECT_EQ(march.measure_cases, 1u);
  EXPECT_EQ(march.feedback, 1u);
  EXPECT_EQ(march.applied, 1u);
  EXPECT_EQ(march.objections_filed, 0u);
  EXPECT_FALSE(march.ObjectionDays());
  EXPECT_EQ(m->months[0].approval_subjects, 0u);
  const boost::json::object j = MonitoringJson(*m);
  EXPECT_EQ(j.at("months").as_array().size(), 2u);
  EXPECT_FALSE(ComputeMonitoring(*store_, *catalog_, *calendar_, config_, D("2026-03-02"),
                                 D("2026-03-01"))
                   .ok());
  // The default twelve months up to a day early in 1900 start in 1899: an empty series, no crash.
  auto early = ComputeMonitoring(*store_, *catalog_, *calendar_, config_,
                                 D("1900-03-01").AddMonths(-11), D("1900-03-01"));
  ASSERT_TRUE(early.ok()) << early.status().ToString();
  EXPECT_EQ(early->months.size(), 12u);
}

TEST(WorkdaysInTest, AYearTheCalendarLacksCostsNotTheHolidaysOfTheYearsItHas) {
  // A calendar of 2026 alone: National Day 10-01 to 10-07, Saturday 10-10 worked.
  auto cal = WorkCalendar::Parse(
      "[2026]\n"
      "holidays = [{ name = \"国庆节\", from = 2026-10-01, to = 2026-10-07 }]\n"
      "workdays = [2026-10-10]\n",
      "test");
  ASSERT_TRUE(cal.ok()) << cal.status().ToString();
  // 10-01..10-11: the holidays off; Thursday 10-08, Friday 10-09 and Saturday 10-10 on; Sunday
  // 10-11 off: 3 working days.
  EXPECT_EQ(WorkdaysIn(*cal, D("2026-09-30"), D("2026-10-11")), 3);
  // Into 2027, which it lacks: 2026's holidays still count; 2027-01-01 (a Friday) to 01-04 (a
  // Monday) by the weekday rule, two days.
  auto to_new_year = cal->WorkdaysBetween(D("2026-09-30"), D("2026-12-31"));
  ASSERT_TRUE(to_new_year.ok());
  EXPECT_EQ(WorkdaysIn(*cal, D("2026-09-30"), D("2027-01-04")), *to_new_year + 2);
  EXPECT_EQ(WorkdaysIn(*cal, D("2026-12-31"), D("2026-09-30")), 0);
}

TEST(RowsWarnedTest, CountsRowsNotWarnings) {
  BatchReport b;
  for (uint32_t row : {2u, 2u, 2u, 5u}) b.warnings.push_back({row, "DJ_TYSHXYDM", "identifier_conflict", "x"});
  b.warnings.push_back({7, "DJ_QYMC", "name_conflict", "y"});
  EXPECT_EQ(RowsWarned(b, "identifier_conflict"), 2u) << "one row warns once per conflicting code";
  EXPECT_EQ(RowsWarned(b, "name_conflict"), 1u);
  EXPECT_EQ(RowsWarned(b, "unknown_column"), 0u);
}

TEST_F(GovernanceTest, AnObjectionCountsWithItsWorkingDaysAndARevokedRecordStaysTheDepartments) {
  Fill();
  // A commitment, shared between departments only: accepted, not published.
  Ingest(Commitment("41010020260305000001", kHongda, "审批替代型", "2026-03-05"), "credit_commitment",
         kMarket, D("2026-03-06"));
  // Filed Monday 03-16, answered Wednesday 03-18: two working days.
  workflow::StepRequest step;
  step.reason = "经核实，处罚对象有误";
  step.outcome = "upheld_revoke";
  uint64_t id = 0;
  ASSERT_NO_FATAL_FAILURE(ObjectAndVerify("不是本公司", step, &id, nullptr));
  step = workflow::StepRequest();
  step.action = workflow::Action::kAnswer;
  step.reason = "异议成立，已撤销该记录。";
  ASSERT_TRUE(rights_->Step(operator_, id, step, D("2026-03-18")).ok());

  auto m = ComputeMonitoring(*store_, *catalog_, *calendar_, config_, D("2026-03-01"),
                             D("2026-03-31"));
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  ASSERT_EQ(m->months.size(), 1u);
  const MonthFigures& march = m->months[0];
  EXPECT_EQ(march.objections_filed, 1u);
  EXPECT_EQ(march.records_accepted, 6u) << "the revocation is no submission";
  // Of them the public sees the penalties and the registration, not the commitment.
  EXPECT_EQ(march.records_published, 5u);
  EXPECT_DOUBLE_EQ(*march.ObjectionShare(), 0.2);
  EXPECT_EQ(march.objections_answered, 1u);
  EXPECT_DOUBLE_EQ(*march.ObjectionDays(), 2.0);
  EXPECT_EQ(march.repairs_finished, 0u);

  // The revoked record's current version came from the objection's batch; it is still the
  // market regulator's submission.
  auto r = Report();
  ASSERT_TRUE(r.ok());
  const IndicatorFigures* f = Find(*r, kMarket, "admin_penalty");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->unknown_subject_records, 1u);
  EXPECT_EQ(f->rows, 6u);
  ASSERT_EQ(r->gaps.size(), 1u);
  EXPECT_EQ(r->gaps[0].dept, kMarket);
}

TEST_F(GovernanceTest, AnObjectionsCorrectionIsNoSubmissionOfTheDepartment) {
  Fill();
  auto before = Report();
  ASSERT_TRUE(before.ok()) << before.status().ToString();
  const IndicatorFigures* was = Find(*before, kMarket, "admin_penalty");
  ASSERT_NE(was, nullptr);
  const IndicatorFigures figures_before = *was;
  auto month_before = ComputeMonitoring(*store_, *catalog_, *calendar_, config_, D("2026-03-01"),
                                        D("2026-03-31"));
  ASSERT_TRUE(month_before.ok()) << month_before.status().ToString();

  workflow::StepRequest step;
  step.reason = "经核实，罚款金额应为1万元";
  step.outcome = "upheld_correct";
  step.corrections = {{"CF_NR_FK", "1"}};
  uint64_t id = 0;
  Record penalty;
  ASSERT_NO_FATAL_FAILURE(ObjectAndVerify("罚款金额有误", step, &id, &penalty));
  const uint64_t subject = penalty.subject_id;
  std::vector<Record> versions;
  ASSERT_TRUE(store_->ListRecordVersions(subject, penalty.record_id, &versions).ok());
  ASSERT_EQ(versions.size(), 2u) << "the correction is a new version";

  // The corrected version's batch (format "objection") is the workflow's, not a submission: the
  // market regulator's figures and the month's intake stay as they were, and the record is
  // still the market regulator's.
  auto after = Report();
  ASSERT_TRUE(after.ok()) << after.status().ToString();
  const IndicatorFigures* is = Find(*after, kMarket, "admin_penalty");
  ASSERT_NE(is, nullptr);
  EXPECT_EQ(is->batches, figures_before.batches);
  EXPECT_EQ(is->rows, figures_before.rows);
  EXPECT_EQ(is->accepted, figures_before.accepted);
  EXPECT_EQ(is->corrected, figures_before.corrected);
  EXPECT_EQ(is->unknown_subject_records, figures_before.unknown_subject_records);
  auto month = ComputeMonitoring(*store_, *catalog_, *calendar_, config_, D("2026-03-01"),
                                 D("2026-03-31"));
  ASSERT_TRUE(month.ok()) << month.status().ToString();
  EXPECT_EQ(month->months[0].records_accepted, month_before->months[0].records_accepted);
}

TEST_F(GovernanceTest, DecisionsWhoseTimelinessCannotBeJudgedAreLeftOutOfTheRate) {
  // The calendar ends with 2026: received 15 days after 2026-12-28, undecided; 5 days, on time;
  // 7 weeks, late.
  Ingest(std::string(kPenaltyHeader) +
             Penalty("郑州宏达商贸有限公司", kHongda, "郑市监罚〔2026〕901号", "2026-12-28"),
         "admin_penalty", kMarket, D("2027-01-12"));
  Ingest(std::string(kPenaltyHeader) +
             Penalty("郑州宏达商贸有限公司", kHongda, "郑市监罚〔2026〕902号", "2026-12-28"),
         "admin_penalty", kMarket, D("2027-01-02"));
  Ingest(std::string(kPenaltyHeader) +
             Penalty("郑州宏达商贸有限公司", kHongda, "郑市监罚〔2026〕903号", "2026-12-28"),
         "admin_penalty", kMarket, D("2027-02-15"));
  GovernanceQuery q;
  q.from = D("2027-01-01");
  q.to = D("2027-02-28");
  auto r = ComputeGovernance(*store_, *catalog_, *calendar_, config_, q);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  const IndicatorFigures* f = Find(*r, kMarket, "admin_penalty");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->accepted, 3u);
  EXPECT_EQ(f->late, 1u);
  EXPECT_EQ(f->timeliness_unknown, 1u);
  ASSERT_TRUE(f->TimelinessRate());
  EXPECT_DOUBLE_EQ(*f->TimelinessRate(), 0.5) << "one on time of the two judged";
  EXPECT_EQ(GovernanceJson(*r).at("figures").at(0).at("timeliness_unknown").to_number<int64_t>(), 1);
  auto m = ComputeMonitoring(*store_, *catalog_, *calendar_, config_, D("2027-01-01"),
                             D("2027-02-28"));
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  EXPECT_EQ(m->months[0].sgs_timeliness_unknown, 1u);
  ASSERT_TRUE(m->months[0].SgsTimeliness());
  EXPECT_DOUBLE_EQ(*m->months[0].SgsTimeliness(), 1.0) << "January: one on time, one undecided";
}

TEST_F(GovernanceTest, CountsIssuedCreditReportsByMonthKindAndDomain) {
  auto signer = report::ReportSigner::ForTesting("governance-test");
  // Issues a report of `kind`/`view` (and special domains) at `hour_utc` on `day` (UTC).
  auto issue = [&](report::ReportKind kind, report::ReportView view,
                   std::vector<std::string> domains, const char* day, int hour_utc) {
    report::ReportContent c;
    c.request.kind = kind;
    c.request.view = view;
    c.request.subject_code = kHongda;
    c.request.domains = std::move(domains);
    c.request.from = D("2025-01-01");
    c.request.to = D(day);
    c.subject.code = kHongda;
    c.subject.name = "郑州宏达商贸有限公司";
    c.cutoff = D(day);
    const int64_t ms = static_cast<int64_t>(D(day).days()) * 86400000 + hour_utc * 3600000LL;
    auto r = report::IssueReport(*store_, *signer, std::move(c), ms, "https://credit.example");
    ASSERT_TRUE(r.ok()) << r.status().ToString();
  };
  using report::ReportKind;
  using report::ReportView;
  issue(ReportKind::kSpecial, ReportView::kPublic, {"market"}, "2026-02-20", 3);  // before
  issue(ReportKind::kPublic, ReportView::kPublic, {}, "2026-03-10", 2);
  issue(ReportKind::kPublic, ReportView::kFull, {}, "2026-03-20", 9);
  // 16:30 UTC on 03-31 is 00:30 on 04-01 in Beijing: an April report.
  issue(ReportKind::kSpecial, ReportView::kPublic, {"market", "tax"}, "2026-03-31", 16);

  auto m = ComputeMonitoring(*store_, *catalog_, *calendar_, config_, D("2026-03-01"),
                             D("2026-04-30"));
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  ASSERT_EQ(m->months.size(), 2u);
  const MonthFigures& march = m->months[0];
  const MonthFigures& april = m->months[1];
  EXPECT_EQ(march.credit_reports, 2u);
  EXPECT_EQ(march.reports_by_kind, (std::map<std::string, uint64_t>{{"public", 1}, {"full", 1}}));
  EXPECT_TRUE(march.special_by_domain.empty());
  EXPECT_EQ(april.credit_reports, 1u);
  EXPECT_EQ(april.reports_by_kind, (std::map<std::string, uint64_t>{{"special", 1}}));
  EXPECT_EQ(april.special_by_domain,
            (std::map<std::string, uint64_t>{{"market", 1}, {"tax", 1}}));
  const boost::json::object j = MonitoringJson(*m);
  const boost::json::value& april_json = j.at("months").as_array()[1].at("credit_reports");
  EXPECT_EQ(april_json.at("issued").to_number<int64_t>(), 1);
  EXPECT_EQ(april_json.at("special_by_domain").at("tax").to_number<int64_t>(), 1);
  EXPECT_EQ(j.if_contains("credit_reports"), nullptr) << "no longer a placeholder with a note";

  // A corrupt stored report is an error naming it, not a report counted as none.
  const uint64_t id = store_->NextId(storage::IdSpace::kReport);
  ASSERT_TRUE(store_->SaveReport(id, "not a report").ok());
  auto broken = ComputeMonitoring(*store_, *catalog_, *calendar_, config_, D("2026-03-01"),
                                  D("2026-04-30"));
  ASSERT_FALSE(broken.ok());
  EXPECT_EQ(broken.status().code(), StatusCode::kDataLoss);
  EXPECT_NE(broken.status().message().find("stored report " + std::to_string(id)),
            std::string::npos);
}

}  // namespace
}  // namespace xinyong::governance
