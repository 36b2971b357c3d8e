// The rights service on a real store and ingester: who may take which step, the deadlines, the
// effects of an upheld objection and of a repair on the records (and on what was derived from
// them), and the history kept. End-to-end effects on checks, grades and lists through the API are
// in src/server/rights_test.cc.
#include "workflow/service.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>

#include "core/test_paths.h"
#include "storage/rocksdb/rocksdb_store.h"

namespace xinyong::workflow {
namespace {

namespace fs = std::filesystem;
using test::SourceDir;

constexpr char kUscc[] = "91110000600037341L";
constexpr char kMarket[] = "郑州市市场监督管理局";
constexpr char kSafety[] = "郑州市应急管理局";

Date D(const char* s) { return *Date::Parse(s); }

std::string PenaltyRow(const std::string& doc, const std::string& date, const std::string& body) {
  return "CF_XDR_MC,CF_XDR_LB,CF_XDR_SHXYM,CF_WSH,CF_WFXW,CF_SY,CF_YJ,CF_CFLB,CF_NR,CF_NR_FK,"
         "CF_JDRQ,CF_CFJG,CF_CFJGDM,CF_SJLY,CF_SJLYDM,CF_CFCX\n"
         "郑州宏达商贸有限公司,法人及非法人组织," + std::string(kUscc) + "," + doc +
         ",虚假宣传,在网站发布虚假广告,《广告法》第五十五条,罚款,罚款2万元,2," + date + "," + body +
         ",11410100MB0000001X," + body + ",11410100MB0000001X,普通程序\n";
}

// A credit commitment found 全部未履行: the ingester derives a commitment_breach from it.
std::string BrokenCommitment(const std::string& code, const std::string& made) {
  return "CN_CNBM,CN_CNRMC,CN_CNRLB,CN_CNRDM,CN_CNLX,CN_CNSY,CN_CNNR,CN_CNZCRQ,CN_LXZT,CN_WLXNR,"
         "CN_LXZTRDRQ,CN_LXZTRDDW,CN_CNSLDW,CN_GKLX\n" +
         code + ",郑州宏达商贸有限公司,法人及非法人组织," + kUscc +
         ",审批替代型,办理许可,按期补交材料," + made + ",全部未履行,未补交材料," + made + "," +
         kMarket + "," + kMarket + ",可向社会公开\n";
}

class ServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("xinyong-rights-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    auto cat = catalog::Catalog::LoadDirectory(SourceDir() + "/data/catalog");
    ASSERT_TRUE(cat.ok()) << cat.status().ToString();
    catalog_ = std::move(cat).value();
    auto cal = WorkCalendar::LoadFile(SourceDir() + "/data/calendar/cn_workdays.toml");
    ASSERT_TRUE(cal.ok());
    calendar_ = std::make_unique<WorkCalendar>(std::move(cal).value());
    vault_ = PersonalDataVault::ForTesting("rights-test");
    auto policy = Policy::LoadFile(SourceDir() + "/data/rights/rights.toml", *catalog_);
    ASSERT_TRUE(policy.ok()) << policy.status().ToString();
    policy_ = std::move(policy).value();
    Open();
    operator_.role = Caller::Role::kOperator;
    operator_.role_name = "operator";
    operator_.describe = "operator token 1";
    market_.role = Caller::Role::kDepartment;
    market_.department = kMarket;
    market_.role_name = "source_department";
    market_.describe = "source_department token 2 (郑州市市场监督管理局)";
    safety_ = market_;
    safety_.department = kSafety;
    safety_.describe = "source_department token 3 (郑州市应急管理局)";
  }
  void TearDown() override {
    service_.reset();
    ingester_.reset();
    store_.reset();
    fs::remove_all(dir_);
  }
  void Open() {
    service_.reset();
    ingester_.reset();
    store_.reset();
    storage::RocksDbOptions options;
    options.sync = false;  // a test needs no fsync
    auto s = storage::RocksDbStore::Open((dir_ / "data").string(), options);
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    store_ = std::move(s).value();
    ingester_ = std::make_unique<ingest::Ingester>(*store_, *catalog_, *calendar_, *vault_);
    ingester_->SetCommitObserver([this](const ingest::CommittedBatch& b) {
      for (const storage::RecordWrite& w : b.records) observed_.push_back(w.record);
    });
    auto svc = Service::Open(*store_, *catalog_, *calendar_, *vault_, *ingester_, *policy_);
    ASSERT_TRUE(svc.ok()) << svc.status().ToString();
    service_ = std::move(svc).value();
  }
  // Ingests `csv` of `indicator` received on `day`; returns the subject's id.
  uint64_t Ingest(const std::string& csv, const std::string& indicator, Date day) {
    ingest::IngestOptions o;
    o.indicator = indicator;
    o.received_date = day;
    auto r = ingester_->IngestBuffer(csv, indicator + ".csv", o);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_EQ(r->rejected, 0u);
    auto id = store_->FindSubject(IdentifierKind::kUscc, kUscc);
    EXPECT_TRUE(id.ok() && *id);
    subject_.role = Caller::Role::kSubject;
    subject_.subject_id = **id;
    subject_.role_name = "subject";
    subject_.describe = "subject token 4 (subject #" + std::to_string(**id) + ")";
    return **id;
  }
  Record Current(uint64_t subject, const std::string& indicator) {
    std::vector<Record> records;
    EXPECT_TRUE(store_->ListRecords(subject, indicator, &records).ok());
    EXPECT_EQ(records.size(), 1u) << indicator;
    return records.empty() ? Record() : records.front();
  }
  // kMarket's penalty `doc` decided 2026-09-01, objected to through the operator on 2026-09-28
  // and forwarded to kMarket; `subject` and `penalty` are set.
  Result<Application> ForwardedObjection(const std::string& doc, const std::string& reason,
                                         uint64_t* subject, Record* penalty) {
    *subject = Ingest(PenaltyRow(doc, "2026-09-01", kMarket), "admin_penalty", D("2026-09-02"));
    *penalty = Current(*subject, "admin_penalty");
    XY_ASSIGN_OR_RETURN(Application a,
                        service_->FileObjection(operator_, {*subject, penalty->record_id, reason, {}},
                                                D("2026-09-28")));
    return service_->Step(operator_, a.id, Step(Action::kForward), D("2026-09-28"));
  }
  StepRequest Step(Action action, std::string reason = "", std::string outcome = "") {
    StepRequest s;
    s.action = action;
    s.reason = std::move(reason);
    s.outcome = std::move(outcome);
    return s;
  }

  fs::path dir_;
  std::unique_ptr<catalog::Catalog> catalog_;
  std::unique_ptr<WorkCalendar> calendar_;
  std::unique_ptr<PersonalDataVault> vault_;
  std::unique_ptr<Policy> policy_;
  std::unique_ptr<storage::RocksDbStore> store_;
  std::unique_ptr<ingest::Ingester> ingester_;
  std::unique_ptr<Service> service_;
  std::vector<Record> observed_;
  Caller operator_, market_, safety_, subject_;
};

TEST_F(ServiceTest, AnUpheldObjectionRevokesTheRecordAndWhatWasDerivedFromIt) {
  const Date filed = D("2026-09-29");
  const uint64_t s = Ingest(BrokenCommitment("41010020260302000001", "2026-03-02"),
                            "credit_commitment", D("2026-03-03"));
  const Record commitment = Current(s, "credit_commitment");
  const Record breach = Current(s, "commitment_breach");
  ASSERT_EQ(breach.status, RecordStatus::kActive);

  const uint64_t before_filing = service_->OpenVersion(s);
  auto a = service_->FileObjection(subject_, {s, commitment.record_id, "材料已按期补交，认定有误",
                                              {"补交材料回执 2026-03-20"}},
                                   filed);
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  // What readers that keep answers about the subject watch (the server's profile cache).
  const uint64_t filed_version = service_->OpenVersion(s);
  EXPECT_GT(filed_version, before_filing);
  EXPECT_EQ(a->state, State::kSubmitted);
  EXPECT_FALSE(a->on_behalf);
  EXPECT_EQ(a->departments, std::vector<std::string>{kMarket});  // CN_CNSLDW, the accepting unit
  EXPECT_EQ(a->due->ToString(), "2026-10-12");        // 5 working days past National Day
  EXPECT_EQ(a->overall_due->ToString(), "2026-10-21");  // 12
  EXPECT_EQ(service_->UnderObjection(s), std::vector<uint64_t>{commitment.record_id});
  // A second objection to the same record waits for the first.
  EXPECT_EQ(service_->FileObjection(operator_, {s, commitment.record_id, "再次", {}}, filed)
                .status()
                .code(),
            StatusCode::kAlreadyExists);

  // Before forwarding, the department does not see it; the subject cannot forward it.
  EXPECT_EQ(service_->Step(market_, a->id, Step(Action::kVerify, "x", "rejected"), filed)
                .status()
                .code(),
            StatusCode::kNotFound);
  EXPECT_EQ(service_->Step(subject_, a->id, Step(Action::kForward), filed).status().code(),
            StatusCode::kPermissionDenied);
  // Answering before verification is not a step of the table.
  auto early = service_->Step(operator_, a->id, Step(Action::kAnswer, "答复"), filed);
  EXPECT_EQ(early.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(early.status().message().find("possible: forward, withdraw"), std::string::npos)
      << early.status().message();

  auto f = service_->Step(operator_, a->id, Step(Action::kForward, "请核实"), D("2026-09-30"));
  ASSERT_TRUE(f.ok()) << f.status().ToString();
  EXPECT_EQ(service_->OpenVersion(s), filed_version) << "forwarding leaves it open: no change";
  EXPECT_EQ(f->department, kMarket);
  EXPECT_EQ(f->due->ToString(), "2026-10-13");  // 5 working days from 30 September
  // Another department may not answer for it.
  EXPECT_EQ(service_->Step(safety_, a->id, Step(Action::kVerify, "x", "rejected"), filed)
                .status()
                .code(),
            StatusCode::kNotFound);
  // The operator records a department's answer only by naming the department.
  EXPECT_EQ(service_->Step(operator_, a->id, Step(Action::kVerify, "x", "rejected"), filed)
                .status()
                .code(),
            StatusCode::kPermissionDenied);
  EXPECT_EQ(service_->Step(market_, a->id, Step(Action::kVerify, "", "upheld_revoke"), filed)
                .status()
                .code(),
            StatusCode::kInvalidArgument);  // an answer needs its reasons
  // A revocation sent with corrections is refused before anything changes.
  StepRequest mixed = Step(Action::kVerify, "经核实，撤销", "upheld_revoke");
  mixed.corrections = {{"CN_CNNR", "按期补交材料"}};
  auto refused = service_->Step(market_, a->id, mixed, filed);
  EXPECT_EQ(refused.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(Current(s, "credit_commitment").status, RecordStatus::kActive);
  EXPECT_EQ(Current(s, "credit_commitment").version, commitment.version);
  // Text that is not UTF-8 (a GBK terminal) is refused, not kept where it would make the
  // application unreadable.
  auto gbk = service_->Step(market_, a->id, Step(Action::kVerify, "\xba\xcb\xca\xb5", "rejected"),
                            filed);
  EXPECT_EQ(gbk.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(gbk.status().message().find("reason: not UTF-8"), std::string::npos)
      << gbk.status().message();
  StepRequest gbk_docs = Step(Action::kVerify, "经核实", "rejected");
  gbk_docs.documents = {"\xce\xc4\xbc\xfe"};
  EXPECT_EQ(service_->Step(market_, a->id, gbk_docs, filed).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(service_->FileObjection(operator_, {s, commitment.record_id, "\xd2\xec\xd2\xe9", {}},
                                    filed)
                .status()
                .code(),
            StatusCode::kInvalidArgument);

  observed_.clear();
  auto v = service_->Step(market_, a->id,
                          Step(Action::kVerify, "经核实已按期补交，撤销认定", "upheld_revoke"),
                          D("2026-10-09"));
  ASSERT_TRUE(v.ok()) << v.status().ToString();
  EXPECT_EQ(v->outcome, "upheld_revoke");
  EXPECT_EQ(v->due->ToString(), "2026-10-12");  // notify within 2 working days (10 Oct is worked)
  // Both records have a new version, revoked, and the commit observer saw them.
  std::vector<Record> versions;
  ASSERT_TRUE(store_->ListRecordVersions(s, commitment.record_id, &versions).ok());
  EXPECT_EQ(versions.back().status, RecordStatus::kRevoked);
  EXPECT_EQ(versions.back().version, commitment.version + 1);
  versions.clear();
  ASSERT_TRUE(store_->ListRecordVersions(s, breach.record_id, &versions).ok());
  EXPECT_EQ(versions.back().status, RecordStatus::kRevoked);
  ASSERT_EQ(observed_.size(), 2u);
  EXPECT_EQ(observed_[1].record_id, breach.record_id);
  // Still open until the applicant has the written answer.
  EXPECT_EQ(service_->UnderObjection(s).size(), 1u);

  auto done = service_->Step(operator_, a->id,
                             Step(Action::kAnswer, "您的异议成立：经核实，已撤销该认定及其失信记录。"),
                             D("2026-10-12"));
  ASSERT_TRUE(done.ok()) << done.status().ToString();
  EXPECT_EQ(done->state, State::kAnswered);
  EXPECT_FALSE(done->due.has_value());
  EXPECT_TRUE(service_->UnderObjection(s).empty());
  EXPECT_GT(service_->OpenVersion(s), filed_version);
  EXPECT_EQ(service_->Step(subject_, a->id, Step(Action::kWithdraw), filed).status().code(),
            StatusCode::kFailedPrecondition);

  // The whole history is kept, and survives a reopen; the subject sees it, the department too.
  Open();
  std::vector<Event> history;
  auto got = service_->Get(subject_, a->id, &history);
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(got->reply, "您的异议成立：经核实，已撤销该认定及其失信记录。");
  ASSERT_EQ(history.size(), 4u);
  EXPECT_EQ(history[0].action, Action::kFile);
  EXPECT_EQ(history[0].documents, std::vector<std::string>{"补交材料回执 2026-03-20"});
  EXPECT_EQ(history[2].department, kMarket);
  EXPECT_EQ(history[2].effects.size(), 2u);
  EXPECT_EQ(history[3].actor, "operator token 1");
  EXPECT_TRUE(service_->Get(market_, a->id, nullptr).ok());
  EXPECT_EQ(service_->Get(safety_, a->id, nullptr).status().code(), StatusCode::kNotFound);
}

TEST_F(ServiceTest, AnUpheldCorrectionIsANewVersionValidatedLikeIngestion) {
  uint64_t s = 0;
  Record penalty;
  auto a = ForwardedObjection("郑市监罚〔2026〕101号", "罚款金额有误", &s, &penalty);
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  EXPECT_TRUE(a->on_behalf);

  StepRequest bad = Step(Action::kVerify, "文号有误", "upheld_correct");
  bad.corrections = {{"CF_WSH", "郑市监罚〔2026〕102号"}};
  auto r = service_->Step(market_, a->id, bad, D("2026-09-29"));
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(r.status().message().find("natural key"), std::string::npos) << r.status().message();
  bad.corrections = {{"CF_NR_FK", "不是金额"}};
  r = service_->Step(market_, a->id, bad, D("2026-09-29"));
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);  // the ingester's own validation
  EXPECT_NE(r.status().message().find("CF_NR_FK"), std::string::npos) << r.status().message();

  StepRequest fix = Step(Action::kVerify, "罚款金额录入有误，更正为1万元", "upheld_correct");
  // A resident ID written into a corrected text is kept masked in the application too.
  fix.corrections = {{"CF_NR", "罚款1万元（经办人110105194912310021）"}, {"CF_NR_FK", "1"}};
  auto v = service_->Step(market_, a->id, fix, D("2026-09-29"));
  ASSERT_TRUE(v.ok()) << v.status().ToString();
  const Record now = Current(s, "admin_penalty");
  EXPECT_EQ(now.record_id, penalty.record_id);
  EXPECT_EQ(now.version, penalty.version + 1);
  EXPECT_EQ(now.status, RecordStatus::kActive);
  EXPECT_EQ(now.Get("CF_NR").find("110105194912310021"), std::string::npos);
  EXPECT_FALSE(now.late);  // the correction keeps the original report date
  ASSERT_EQ(v->corrections.size(), 2u);
  EXPECT_EQ(v->corrections[0].second.find("110105194912310021"), std::string::npos)
      << v->corrections[0].second;
  EXPECT_NE(v->corrections[0].second.find("罚款1万元"), std::string::npos);
  std::vector<Event> history;
  ASSERT_TRUE(service_->Get(operator_, a->id, &history).ok());
  ASSERT_FALSE(history.empty());
  for (const Event& e : history) {
    for (const auto& [code, value] : e.corrections) {
      EXPECT_EQ(value.find("110105194912310021"), std::string::npos) << value;
    }
  }
}

// The department's answer acts on the record as it stands; when the record was corrected after
// the objection was filed, the answer's effects say which version was objected to.
TEST_F(ServiceTest, AnAnswerSaysWhenTheRecordChangedSinceTheObjection) {
  uint64_t s = 0;
  Record penalty;
  auto a = ForwardedObjection("郑市监罚〔2026〕103号", "处罚日期有误", &s, &penalty);
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  EXPECT_EQ(a->record_version, penalty.version);
  Ingest(PenaltyRow("郑市监罚〔2026〕103号", "2026-09-03", kMarket), "admin_penalty",
         D("2026-09-04"));  // the department corrects it itself meanwhile
  ASSERT_EQ(Current(s, "admin_penalty").version, penalty.version + 1);
  auto v = service_->Step(market_, a->id, Step(Action::kVerify, "已自行更正", "rejected"),
                          D("2026-09-29"));
  ASSERT_TRUE(v.ok()) << v.status().ToString();
  EXPECT_EQ(v->record_version, penalty.version) << "the version objected to stays on file";
  std::vector<Event> history;
  ASSERT_TRUE(service_->Get(operator_, a->id, &history).ok());
  ASSERT_FALSE(history.empty());
  const auto& effects = history.back().effects;
  ASSERT_EQ(effects.size(), 1u);
  EXPECT_NE(effects[0].find("changed after the objection was filed: filed against version 1, "
                           "answered on version 2"),
            std::string::npos)
      << effects[0];
}

// A deadline in a year the calendar lacks is left out with a note; once the operator adds the
// year, the application has its deadlines.
TEST_F(ServiceTest, ADeadlineLeftOutForACalendarGapIsFilledInOnceTheYearIsAdded) {
  const uint64_t s = Ingest(PenaltyRow("郑市监罚〔2026〕104号", "2026-12-01", kMarket),
                            "admin_penalty", D("2026-12-02"));
  const Record penalty = Current(s, "admin_penalty");
  auto a = service_->FileObjection(operator_, {s, penalty.record_id, "处罚有误", {}},
                                   D("2026-12-24"));
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  EXPECT_FALSE(a->overall_due.has_value());
  EXPECT_NE(a->deadline_note.find("2027"), std::string::npos) << a->deadline_note;

  std::ifstream in(SourceDir() + "/data/calendar/cn_workdays.toml");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  text += "\n[2027]\nholidays = [\n  { name = \"元旦\", from = 2027-01-01, to = 2027-01-03 },\n]\n"
          "workdays = []\n";
  auto extended = WorkCalendar::Parse(text, "extended");
  ASSERT_TRUE(extended.ok()) << extended.status().ToString();
  calendar_ = std::make_unique<WorkCalendar>(std::move(extended).value());
  Open();
  auto got = service_->Get(operator_, a->id, nullptr);
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  ASSERT_TRUE(got->overall_due.has_value());
  EXPECT_GT(*got->overall_due, D("2027-01-01"));
  EXPECT_TRUE(got->deadline_note.empty()) << got->deadline_note;
  std::vector<Application> open;
  ListFilter filter;
  ASSERT_TRUE(service_->List(operator_, filter, D("2026-12-28"), &open).ok());
  ASSERT_EQ(open.size(), 1u);
  EXPECT_EQ(open[0].overall_due, got->overall_due);
}

TEST_F(ServiceTest, OverdueStepsAreInTheQueuesOfTheOperatorAndTheDepartment) {
  const uint64_t s = Ingest(PenaltyRow("郑市监罚〔2026〕101号", "2026-09-01", kMarket),
                            "admin_penalty", D("2026-09-02"));
  const Record penalty = Current(s, "admin_penalty");
  auto a = service_->FileObjection(subject_, {s, penalty.record_id, "不是本公司", {}},
                                   D("2026-09-29"));
  ASSERT_TRUE(a.ok());
  ListFilter overdue;
  overdue.overdue_only = true;
  std::vector<Application> out;
  ASSERT_TRUE(service_->List(operator_, overdue, D("2026-10-12"), &out).ok());
  EXPECT_TRUE(out.empty());  // due on 12 October: still in time that day
  ASSERT_TRUE(service_->List(operator_, overdue, D("2026-10-13"), &out).ok());
  ASSERT_EQ(out.size(), 1u);
  // Forwarded late; the department's own step then runs to 20 October (5 working days).
  ASSERT_TRUE(service_->Step(operator_, a->id, Step(Action::kForward), D("2026-10-13")).ok());
  out.clear();
  ASSERT_TRUE(service_->List(market_, overdue, D("2026-10-20"), &out).ok());
  EXPECT_TRUE(out.empty());
  ASSERT_TRUE(service_->List(market_, overdue, D("2026-10-21"), &out).ok());
  ASSERT_EQ(out.size(), 1u);  // the step is late; the whole (12 days) is due that very day
  EXPECT_TRUE(OverdueOn(out[0], D("2026-10-21")).step);
  EXPECT_FALSE(OverdueOn(out[0], D("2026-10-21")).overall);
  out.clear();
  ASSERT_TRUE(service_->List(market_, overdue, D("2026-10-22"), &out).ok());
  ASSERT_EQ(out.size(), 1u);
  EXPECT_TRUE(OverdueOn(out[0], D("2026-10-22")).step);
  EXPECT_TRUE(OverdueOn(out[0], D("2026-10-22")).overall);
  out.clear();
  ASSERT_TRUE(service_->List(safety_, ListFilter(), D("2026-10-22"), &out).ok());
  EXPECT_TRUE(out.empty());  // not forwarded to it
  ASSERT_TRUE(service_->List(subject_, ListFilter(), D("2026-10-22"), &out).ok());
  EXPECT_EQ(out.size(), 1u);
}

// A complex case is extended within its time, not after the deadline ran out.
TEST_F(ServiceTest, AnExtensionComesBeforeTheDeadline) {
  const uint64_t s = Ingest(PenaltyRow("郑市监罚〔2026〕104号", "2026-03-02", kMarket),
                            "admin_penalty", D("2026-03-03"));
  const Record penalty = Current(s, "admin_penalty");
  RepairRequest req{s, penalty.record_id, "已整改并缴纳罚款", {"缴款凭证"}, {}};
  req.commitment = NewCommitment{"严格遵守广告法律法规", "", ""};
  auto a = service_->ApplyRepair(subject_, req, D("2026-09-29"));
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  auto accepted = service_->Step(operator_, a->id, Step(Action::kAccept), D("2026-09-30"));
  ASSERT_TRUE(accepted.ok()) << accepted.status().ToString();
  ASSERT_TRUE(accepted->due.has_value());
  const Date late = accepted->due->AddDays(1);
  auto ext = service_->Step(market_, a->id, Step(Action::kExtend, "需调查核实"), late);
  EXPECT_EQ(ext.status().code(), StatusCode::kFailedPrecondition) << ext.status().ToString();
  EXPECT_TRUE(
      service_->Step(market_, a->id, Step(Action::kExtend, "需调查核实"), *accepted->due).ok());
}

// A 信用修复型 commitment found breached is no commitment to repair on.
TEST_F(ServiceTest, ABreachedRepairCommitmentDoesNotCount) {
  const uint64_t s = Ingest(PenaltyRow("郑市监罚〔2026〕102号", "2026-03-02", kMarket),
                            "admin_penalty", D("2026-03-03"));
  std::string broken = BrokenCommitment("41010020260601000001", "2026-06-01");
  broken.replace(broken.find("审批替代型"), std::string("审批替代型").size(), "信用修复型");
  Ingest(broken, "credit_commitment", D("2026-06-02"));
  const Record penalty = Current(s, "admin_penalty");
  RepairRequest req{s, penalty.record_id, "已缴纳罚款并删除虚假广告", {"缴款书 NO.2026031502"}, {}};
  auto a = service_->ApplyRepair(subject_, req, D("2026-09-29"));
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  bool seen = false;
  for (const Condition& c : a->conditions) {
    if (c.code != "repair_commitment") continue;
    seen = true;
    EXPECT_FALSE(c.met) << c.detail;
  }
  EXPECT_TRUE(seen);
}

// Nor is one whose term (承诺有效期) ran out before the application.
TEST_F(ServiceTest, AnExpiredRepairCommitmentDoesNotCount) {
  const uint64_t s = Ingest(PenaltyRow("郑市监罚〔2026〕105号", "2026-03-02", kMarket),
                            "admin_penalty", D("2026-03-03"));
  Ingest("CN_CNBM,CN_CNRMC,CN_CNRLB,CN_CNRDM,CN_CNLX,CN_CNSY,CN_CNNR,CN_CNZCRQ,CN_CNYXQ,CN_CNSLDW,"
         "CN_GKLX\n41010020260401000001,郑州宏达商贸有限公司,法人及非法人组织," +
             std::string(kUscc) + ",信用修复型,申请信用修复,依法经营,2026-04-01,2026-08-31," +
             kMarket + ",可向社会公开\n",
         "credit_commitment", D("2026-04-02"));
  const Record penalty = Current(s, "admin_penalty");
  RepairRequest req{s, penalty.record_id, "已缴纳罚款并删除虚假广告", {"缴款书 NO.2026031503"}, {}};
  auto conditions = service_->RepairConditions(s, penalty.record_id, req.declaration,
                                               req.evidence, D("2026-08-31"));
  ASSERT_TRUE(conditions.ok()) << conditions.status().ToString();
  auto met = [](const std::vector<Condition>& cs) {
    for (const Condition& c : cs) {
      if (c.code == "repair_commitment") return c.met;
    }
    return false;
  };
  EXPECT_TRUE(met(*conditions)) << "in force on its last day";
  auto later = service_->RepairConditions(s, penalty.record_id, req.declaration, req.evidence,
                                          D("2026-09-29"));
  ASSERT_TRUE(later.ok());
  EXPECT_FALSE(met(*later)) << "its term ran out on 2026-08-31";
}

// One commitment carries one repair: a second repair of the subject cannot rely on the one the
// first relies on, until the first is withdrawn.
TEST_F(ServiceTest, OneRepairCommitmentCarriesOneRepair) {
  const std::string other = PenaltyRow("郑市监罚〔2026〕108号", "2026-03-02", kMarket);
  const uint64_t s = Ingest(PenaltyRow("郑市监罚〔2026〕107号", "2026-03-02", kMarket) +
                                other.substr(other.find('\n') + 1),  // its row, not its header
                            "admin_penalty", D("2026-03-03"));
  Ingest("CN_CNBM,CN_CNRMC,CN_CNRLB,CN_CNRDM,CN_CNLX,CN_CNSY,CN_CNNR,CN_CNZCRQ,CN_CNSLDW,CN_GKLX\n"
         "41010020260601000001,郑州宏达商贸有限公司,法人及非法人组织," +
             std::string(kUscc) + ",信用修复型,申请信用修复,依法经营," + "2026-06-01," + kMarket +
             ",可向社会公开\n",
         "credit_commitment", D("2026-06-02"));
  std::vector<Record> penalties;
  ASSERT_TRUE(store_->ListRecords(s, "admin_penalty", &penalties).ok());
  ASSERT_EQ(penalties.size(), 2u);
  auto commitment_met = [](const std::vector<Condition>& cs) {
    for (const Condition& c : cs) {
      if (c.code == "repair_commitment") return c.met;
    }
    return false;
  };
  RepairRequest first{s, penalties[0].record_id, "已缴纳罚款并删除虚假广告", {"缴款书 NO.1"}, {}};
  auto a = service_->ApplyRepair(subject_, first, D("2026-09-29"));
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  EXPECT_TRUE(commitment_met(a->conditions));
  EXPECT_EQ(a->commitment_code, "41010020260601000001");
  RepairRequest second{s, penalties[1].record_id, "已缴纳罚款并删除虚假广告", {"缴款书 NO.2"}, {}};
  auto b = service_->ApplyRepair(subject_, second, D("2026-09-29"));
  ASSERT_TRUE(b.ok()) << b.status().ToString();
  EXPECT_FALSE(commitment_met(b->conditions)) << "the first repair relies on it";
  EXPECT_TRUE(b->commitment_code.empty());
  // The first withdrawn: the commitment is free for the second.
  ASSERT_TRUE(service_->Step(subject_, a->id, Step(Action::kWithdraw), D("2026-09-30")).ok());
  auto again = service_->RepairConditions(s, penalties[1].record_id, second.declaration,
                                          second.evidence, D("2026-09-30"));
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(commitment_met(*again));
}

// A repair keeps the commitment it relies on when its conditions are checked again: a newer
// one made meanwhile stays free for another repair.
TEST_F(ServiceTest, ARepairKeepsItsCommitmentWhenANewerOneComes) {
  const uint64_t s = Ingest(PenaltyRow("郑市监罚〔2026〕109号", "2026-03-02", kMarket),
                            "admin_penalty", D("2026-03-03"));
  auto commitment = [&](const std::string& code, const std::string& made) {
    Ingest("CN_CNBM,CN_CNRMC,CN_CNRLB,CN_CNRDM,CN_CNLX,CN_CNSY,CN_CNNR,CN_CNZCRQ,CN_CNSLDW,CN_GKLX\n" +
               code + ",郑州宏达商贸有限公司,法人及非法人组织," + kUscc +
               ",信用修复型,申请信用修复,依法经营," + made + "," + kMarket + ",可向社会公开\n",
           "credit_commitment", D(made.c_str()).AddDays(1));
  };
  commitment("41010020260601000011", "2026-06-01");
  const Record penalty = Current(s, "admin_penalty");
  RepairRequest req{s, penalty.record_id, "已缴纳罚款并删除虚假广告", {"缴款书 NO.3"}, {}};
  auto a = service_->ApplyRepair(subject_, req, D("2026-09-21"));
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  ASSERT_EQ(a->commitment_code, "41010020260601000011");
  commitment("41010020260922000012", "2026-09-22");  // newer
  auto accepted = service_->Step(operator_, a->id, Step(Action::kAccept), D("2026-09-24"));
  ASSERT_TRUE(accepted.ok()) << accepted.status().ToString();
  EXPECT_EQ(accepted->commitment_code, "41010020260601000011");
}

TEST_F(ServiceTest, ARepairIsCheckedDecidedByTheFindingBodyAndRepairsTheRecord) {
  const uint64_t s = Ingest(PenaltyRow("郑市监罚〔2026〕101号", "2026-03-02", kMarket),
                            "admin_penalty", D("2026-03-03"));
  const Record penalty = Current(s, "admin_penalty");
  RepairRequest req{s, penalty.record_id, "已缴纳罚款并删除虚假广告", {"缴款书 NO.2026031501"}, {}};
  // Too early: the minimum of 3 months runs to 2 June; no commitment yet.
  auto early = service_->ApplyRepair(subject_, req, D("2026-05-20"));
  ASSERT_TRUE(early.ok()) << early.status().ToString();
  std::vector<std::string> unmet;
  for (const Condition& c : early->conditions) {
    if (!c.met) unmet.push_back(c.code);
  }
  EXPECT_EQ(unmet, (std::vector<std::string>{"minimum_period", "repair_commitment"}));
  EXPECT_EQ(early->department, kMarket);
  EXPECT_EQ(early->due->ToString(), "2026-05-25");  // 3 working days
  auto refused = service_->Step(operator_, early->id, Step(Action::kAccept), D("2026-05-20"));
  EXPECT_EQ(refused.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(refused.status().message().find("minimum_period"), std::string::npos);
  EXPECT_TRUE(service_->Step(operator_, early->id, Step(Action::kRefuse), D("2026-05-20"))
                  .status()
                  .code() == StatusCode::kInvalidArgument);  // refusing needs reasons
  ASSERT_TRUE(service_->Step(operator_, early->id,
                             Step(Action::kRefuse, "最短公示期未满，且未作出信用修复承诺"),
                             D("2026-05-21"))
                  .ok());

  // A commitment code that already names one of the subject's commitments (a 审批替代型 one
  // in force): refused — it would make the repair a new version of that commitment.
  const std::string approval = "41010020260901000123";
  Ingest("CN_CNBM,CN_CNRMC,CN_CNRLB,CN_CNRDM,CN_CNLX,CN_CNSY,CN_CNNR,CN_CNZCRQ,CN_CNSLDW,CN_GKLX\n" +
             approval + ",郑州宏达商贸有限公司,法人及非法人组织," + kUscc +
             ",审批替代型,办理许可,按期补交材料,2026-09-01," + kMarket + ",可向社会公开\n",
         "credit_commitment", D("2026-09-02"));
  // Written with spaces, as the ingester would normalize it.
  req.commitment = NewCommitment{"严格遵守广告法律法规", "", "410100 20260901 000123"};
  auto taken = service_->ApplyRepair(operator_, req, D("2026-09-29"));
  ASSERT_EQ(taken.status().code(), StatusCode::kInvalidArgument) << taken.status().ToString();
  EXPECT_NE(taken.status().message().find("commitment.code"), std::string::npos);
  std::vector<Record> approvals;
  ASSERT_TRUE(store_->ListRecords(s, "credit_commitment", &approvals).ok());
  ASSERT_EQ(approvals.size(), 1u);
  EXPECT_EQ(approvals[0].version, 1u);
  EXPECT_EQ(approvals[0].Get("CN_CNLX"), "审批替代型");

  // Later, with a 信用修复型 commitment made as part of the application.
  req.commitment = NewCommitment{"严格遵守广告法律法规，如有违反愿承担相应责任", "", ""};
  auto a = service_->ApplyRepair(operator_, req, D("2026-09-29"));
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  for (const Condition& c : a->conditions) EXPECT_TRUE(c.met) << c.code << ": " << c.detail;
  EXPECT_FALSE(a->commitment_code.empty());
  ASSERT_TRUE(service_->Step(operator_, a->id, Step(Action::kAccept), D("2026-09-30")).ok());

  // Only the body that made the finding decides; it may extend a complex case once.
  EXPECT_EQ(service_->Step(safety_, a->id, Step(Action::kDecide, "", "repaired"), D("2026-10-08"))
                .status()
                .code(),
            StatusCode::kNotFound);
  Caller op_as_safety = operator_;
  op_as_safety.department = kSafety;
  EXPECT_EQ(service_->Step(op_as_safety, a->id, Step(Action::kDecide, "", "repaired"),
                           D("2026-10-08"))
                .status()
                .code(),
            StatusCode::kPermissionDenied);
  auto ext = service_->Step(market_, a->id, Step(Action::kExtend, "需调查核实整改情况"),
                            D("2026-10-08"));
  ASSERT_TRUE(ext.ok()) << ext.status().ToString();
  EXPECT_EQ(ext->due->ToString(), "2026-10-29");  // 17 working days from 30 September
  EXPECT_EQ(service_->Step(market_, a->id, Step(Action::kExtend, "再延"), D("2026-10-09"))
                .status()
                .code(),
            StatusCode::kFailedPrecondition);

  observed_.clear();
  auto done = service_->Step(market_, a->id, Step(Action::kDecide, "整改到位，准予修复", "repaired"),
                             D("2026-10-12"));
  ASSERT_TRUE(done.ok()) << done.status().ToString();
  EXPECT_EQ(done->state, State::kRepaired);
  std::vector<Record> versions;
  ASSERT_TRUE(store_->ListRecordVersions(s, penalty.record_id, &versions).ok());
  EXPECT_EQ(versions.back().status, RecordStatus::kRepaired);
  ASSERT_EQ(observed_.size(), 1u);
  EXPECT_EQ(observed_[0].status, RecordStatus::kRepaired);
  // Nothing left to repair or object to.
  EXPECT_EQ(service_->ApplyRepair(subject_, req, D("2026-10-13")).status().code(),
            StatusCode::kFailedPrecondition);
  EXPECT_EQ(service_->FileObjection(subject_, {s, penalty.record_id, "x", {}}, D("2026-10-13"))
                .status()
                .code(),
            StatusCode::kFailedPrecondition);
}

TEST_F(ServiceTest, NothingToRepairOncePublicityEndedByItself) {
  // A general penalty is published at most 12 months.
  const uint64_t s = Ingest(PenaltyRow("郑市监罚〔2025〕9号", "2025-06-03", kMarket),
                            "admin_penalty", D("2025-06-04"));
  const Record penalty = Current(s, "admin_penalty");
  auto a = service_->ApplyRepair(subject_, {s, penalty.record_id, "已整改", {"凭证"}, {}},
                                 D("2026-06-03"));
  EXPECT_EQ(a.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(a.status().message().find("ended by itself on 2026-06-03"), std::string::npos)
      << a.status().message();
  auto c = service_->RepairConditions(s, penalty.record_id, "", {}, D("2026-06-02"));
  ASSERT_TRUE(c.ok());
  EXPECT_TRUE(c->at(3).met) << c->at(3).detail;  // publicity_not_ended, the day before
}

TEST_F(ServiceTest, WorkSafetyPenaltiesWaitAYear) {
  const uint64_t s = Ingest(PenaltyRow("郑应急罚〔2026〕3号", "2026-03-02", kSafety),
                            "admin_penalty", D("2026-03-03"));
  const Record penalty = Current(s, "admin_penalty");
  auto c = service_->RepairConditions(s, penalty.record_id, "已整改", {"凭证"}, D("2026-09-29"));
  ASSERT_TRUE(c.ok());
  const Condition& minimum = c->at(4);
  EXPECT_EQ(minimum.code, "minimum_period");
  EXPECT_FALSE(minimum.met);
  EXPECT_NE(minimum.detail.find("2027-03-02"), std::string::npos) << minimum.detail;
  // A district's work-safety bureau too, matched by a part of its name.
  const uint64_t s2 = Ingest(PenaltyRow("金应急罚〔2026〕4号", "2026-03-02", "郑州市金水区应急管理局"),
                             "admin_penalty", D("2026-03-03"));
  std::vector<Record> records;
  ASSERT_TRUE(store_->ListRecords(s2, "admin_penalty", &records).ok());
  const Record* district = nullptr;
  for (const Record& r : records) {
    if (r.document_number == "金应急罚〔2026〕4号") district = &r;
  }
  ASSERT_NE(district, nullptr);
  c = service_->RepairConditions(s2, district->record_id, "已整改", {"凭证"}, D("2026-09-29"));
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->at(4).code, "minimum_period");
  EXPECT_FALSE(c->at(4).met) << c->at(4).detail;
}

TEST_F(ServiceTest, TheApplicantMayWithdrawAndOthersMayNot) {
  const uint64_t s = Ingest(PenaltyRow("郑市监罚〔2026〕101号", "2026-09-01", kMarket),
                            "admin_penalty", D("2026-09-02"));
  const Record penalty = Current(s, "admin_penalty");
  Caller other = subject_;
  other.subject_id = s + 100;
  EXPECT_EQ(service_->FileObjection(other, {s, penalty.record_id, "x", {}}, D("2026-09-28"))
                .status()
                .code(),
            StatusCode::kPermissionDenied);
  EXPECT_EQ(service_->FileObjection(market_, {s, penalty.record_id, "x", {}}, D("2026-09-28"))
                .status()
                .code(),
            StatusCode::kPermissionDenied);
  EXPECT_EQ(service_->FileObjection(subject_, {s, penalty.record_id, "  ", {}}, D("2026-09-28"))
                .status()
                .code(),
            StatusCode::kInvalidArgument);
  auto a = service_->FileObjection(subject_, {s, penalty.record_id, "x", {}}, D("2026-09-28"));
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(service_->Step(other, a->id, Step(Action::kWithdraw), D("2026-09-28")).status().code(),
            StatusCode::kNotFound);
  auto w = service_->Step(subject_, a->id, Step(Action::kWithdraw, "已与部门沟通"), D("2026-09-28"));
  ASSERT_TRUE(w.ok());
  EXPECT_EQ(w->state, State::kWithdrawn);
  EXPECT_TRUE(service_->UnderObjection(s).empty());
  EXPECT_EQ(Current(s, "admin_penalty").status, RecordStatus::kActive);
}

}  // namespace
}  // namespace xinyong::workflow
