#include "rules/grading.h"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <functional>
#include <thread>

#include "core/test_paths.h"
#include "rules/session_grading.h"
#include "storage/rocksdb/rocksdb_store.h"

namespace xinyong::rules {
namespace {

using storage::IdSpace;
using storage::RecordWrite;
using storage::WriteSet;

// A new record of `indicator` for `subject`, decided on 2026-03-02, to be committed in a batch.
RecordWrite NewRecordIn(storage::Store& store, uint64_t subject, const char* indicator) {
  RecordWrite w;
  w.record.subject_id = subject;
  w.record.record_id = store.NextId(IdSpace::kRecord);
  w.record.indicator = indicator;
  w.record.decision_date = *Date::Parse("2026-03-02");
  w.natural_key = std::to_string(w.record.record_id);
  return w;
}

class GradingTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto c = catalog::Catalog::LoadDirectory(test::SourceDir() + "/data/catalog");
    ASSERT_TRUE(c.ok()) << c.status().ToString();
    catalog_ = std::move(c).value();
    auto m =
        EvaluationModel::LoadFile(test::SourceDir() + "/data/evaluation/model.toml", *catalog_);
    ASSERT_TRUE(m.ok()) << m.status().ToString();
    model_ = std::move(m).value();
    dir_ = (std::filesystem::temp_directory_path() /
            ("xinyong-grading-" + std::to_string(::getpid()) + "-" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name()))
               .string();
    std::filesystem::remove_all(dir_);
    Open();
  }
  void TearDown() override {
    grader_.reset();
    store_.reset();
    std::filesystem::remove_all(dir_);
  }
  void Open() {
    grader_.reset();
    store_.reset();
    auto s = storage::RocksDbStore::Open(dir_);
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    store_ = std::move(s).value();
    grader_ = std::make_unique<Grader>(*store_, *catalog_, *model_);
  }

  // A new subject of `type`; returns its id.
  uint64_t AddSubject(SubjectType type = SubjectType::kLegalPerson) {
    WriteSet ws;
    ws.batch.id = store_->NextId(IdSpace::kBatch);
    Subject s;
    s.id = store_->NextId(IdSpace::kSubject);
    s.type = type;
    s.name = "主体" + std::to_string(s.id);
    s.identifiers = {{IdentifierKind::kOrgCode, "C" + std::to_string(s.id)}};
    s.first_batch = ws.batch.id;
    ws.subjects.push_back(s);
    EXPECT_TRUE(store_->Commit(ws).ok());
    return s.id;
  }
  // Adds a record of `indicator` decided on `decided` to a subject; returns its id.
  uint64_t AddRecord(uint64_t subject, const std::string& indicator, const std::string& decided,
                     std::vector<std::pair<std::string, std::string>> values = {}) {
    WriteSet ws;
    ws.batch.id = store_->NextId(IdSpace::kBatch);
    RecordWrite w;
    w.record.subject_id = subject;
    w.record.record_id = store_->NextId(IdSpace::kRecord);
    w.record.indicator = indicator;
    w.record.decision_date = *Date::Parse(decided);
    w.record.document_number = "文书" + std::to_string(w.record.record_id);
    for (const auto& [k, v] : values) w.record.values.emplace_back(k, v);
    w.natural_key = w.record.document_number;
    ws.records.push_back(w);
    EXPECT_TRUE(store_->Commit(ws).ok());
    return w.record.record_id;
  }
  RecordWrite NewRecord(uint64_t subject, const char* indicator) {
    return NewRecordIn(*store_, subject, indicator);
  }
  // The subject's stored grade is what Evaluate gives for its records as of `today` (an
  // organization; a natural person has none to compare).
  void ExpectGradeOfEvaluate(uint64_t id, Date today) {
    auto subject = store_->GetSubject(id).value();
    std::vector<Record> records;
    ASSERT_TRUE(store_->ListRecords(id, "", &records).ok());
    auto e = model_->Evaluate(*subject, records, *catalog_, today);
    if (!e) return;
    storage::CurrentGrade g = Current(id);
    SubjectGrade want = grader_->ToStored(*e, today, g.grade.unix_ms);
    EXPECT_EQ(EncodeSubjectGrade(g.grade), EncodeSubjectGrade(want)) << "subject " << id;
  }
  storage::CurrentGrade Current(uint64_t subject) {
    auto g = store_->GetGrade(subject);
    EXPECT_TRUE(g.ok() && g->has_value()) << "subject " << subject << " has no grade";
    return g.ok() && g->has_value() ? **g : storage::CurrentGrade();
  }

  std::unique_ptr<catalog::Catalog> catalog_;
  std::unique_ptr<EvaluationModel> model_;
  std::string dir_;
  std::unique_ptr<storage::RocksDbStore> store_;
  std::unique_ptr<Grader> grader_;
};

TEST_F(GradingTest, HistoryGrowsOnlyWhenTheScoreOrGradeChanges) {
  const uint64_t s = AddSubject();
  auto r = grader_->RecomputeAll(*Date::Parse("2026-01-01"));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->subjects, 1u);
  EXPECT_EQ(r->changed, 1u);
  EXPECT_EQ(r->by_grade.at("B"), 1u);

  r = grader_->RecomputeAll(*Date::Parse("2026-01-02"));  // nothing happened
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->changed, 0u);
  EXPECT_EQ(Current(s).history, 1u);
  EXPECT_EQ(Current(s).grade.as_of, *Date::Parse("2026-01-01")) << "nothing rewritten";
  EXPECT_EQ(store_->LastGradingRun().value()->as_of, *Date::Parse("2026-01-02"));

  const uint64_t penalty = AddRecord(s, "admin_penalty", "2026-01-05");
  r = grader_->RecomputeSubjects(std::vector<uint64_t>{s}, *Date::Parse("2026-01-06"));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->changed, 1u);
  storage::CurrentGrade g = Current(s);
  EXPECT_EQ(g.history, 2u);
  EXPECT_EQ(g.grade.score, 770);
  EXPECT_EQ(g.grade.model, model_->name());
  ASSERT_EQ(g.grade.reasons.size(), 1u);
  EXPECT_EQ(g.grade.reasons[0].indicator, "admin_penalty");
  EXPECT_EQ(g.grade.reasons[0].points, -30);
  EXPECT_EQ(g.grade.reasons[0].record_ids, std::vector<uint64_t>{penalty});

  // Three years on the penalty has left its window: time alone changes the grade back.
  r = grader_->RecomputeAll(*Date::Parse("2029-02-01"));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->changed, 1u);
  std::vector<SubjectGrade> history;
  ASSERT_TRUE(store_->ListGradeHistory(s, 0, 10, &history).ok());
  ASSERT_EQ(history.size(), 3u);
  EXPECT_EQ(history[0].score, 800);
  EXPECT_EQ(history[0].as_of, *Date::Parse("2029-02-01"));
  EXPECT_EQ(history[1].score, 770);
  EXPECT_EQ(history[2].score, 800);
  EXPECT_EQ(history[2].as_of, *Date::Parse("2026-01-01"));
}

TEST_F(GradingTest, RecomputingSomeSubjectsLeavesTheOthersAlone) {
  const uint64_t a = AddSubject(), b = AddSubject();
  ASSERT_TRUE(grader_->RecomputeAll(*Date::Parse("2026-03-01")).ok());
  AddRecord(a, "court_dishonest_debtor", "2026-03-02");
  AddRecord(b, "admin_penalty", "2026-03-02");  // committed, but b is not recomputed
  auto r = grader_->RecomputeSubjects(std::vector<uint64_t>{a}, *Date::Parse("2026-03-03"));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->subjects, 1u);
  EXPECT_EQ(Current(a).grade.score, 500);
  EXPECT_EQ(Current(a).grade.grade, "D");
  EXPECT_EQ(Current(b).grade.score, 800);
  EXPECT_EQ(Current(b).grade.as_of, *Date::Parse("2026-03-01"));
  EXPECT_EQ(Current(b).history, 1u);
}

TEST_F(GradingTest, AfterABatchOnlyRecordsTheModelReadsCauseARegrade) {
  const uint64_t old_firm = AddSubject();
  const uint64_t penalized = AddSubject();
  ASSERT_TRUE(grader_->RecomputeAll(*Date::Parse("2026-03-01")).ok());
  // One batch: a registration record for the old firm (no rule reads it), a penalty, and a new
  // organization with only its registration record.
  WriteSet ws;
  ws.batch.id = store_->NextId(IdSpace::kBatch);
  Subject created;
  created.id = store_->NextId(IdSpace::kSubject);
  created.type = SubjectType::kOtherOrganization;
  created.name = "新设组织";
  created.identifiers = {{IdentifierKind::kOrgCode, "NEW"}};
  created.first_batch = ws.batch.id;
  ws.subjects.push_back(created);
  auto record = [&](uint64_t subject, const char* indicator) {
    ws.records.push_back(NewRecord(subject, indicator));
  };
  record(old_firm, "reg_basic");
  record(penalized, "admin_penalty");
  record(created.id, "reg_basic");
  ASSERT_TRUE(store_->Commit(ws).ok());
  auto r = grader_->RecomputeAfterBatch(ws.batch.id, ws.subjects, ws.records,
                                        *Date::Parse("2026-03-03"));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->subjects, 2u);
  EXPECT_EQ(r->changed, 2u);
  EXPECT_EQ(Current(penalized).grade.score, 770);
  EXPECT_EQ(Current(created.id).grade.score, 800);
  EXPECT_EQ(Current(created.id).grade.as_of, *Date::Parse("2026-03-03"));
  EXPECT_EQ(Current(old_firm).grade.as_of, *Date::Parse("2026-03-01")) << "not regraded";
}

// The batches of one ingestion call carry its Deferral's id: their subjects are regraded once,
// when it finishes, with the grades per-batch regrading gives. Another call's batches — with no
// deferral, or with a deferral of their own — are not held up by it.
TEST_F(GradingTest, ADeferralRegradesItsOwnBatchesSubjectsOnceWhenItFinishes) {
  const uint64_t old_firm = AddSubject();
  const uint64_t penalized = AddSubject();
  const uint64_t other = AddSubject();
  ASSERT_TRUE(grader_->RecomputeAll(*Date::Parse("2026-03-01")).ok());
  // Commits a batch of one record (and a new subject) and regrades after it; the subjects graded.
  auto batch = [&](uint64_t subject, const char* indicator, const Subject* created,
                   uint64_t deferral) -> uint64_t {
    WriteSet ws;
    ws.batch.id = store_->NextId(IdSpace::kBatch);
    if (created != nullptr) {
      Subject s = *created;
      s.first_batch = ws.batch.id;
      ws.subjects.push_back(s);
    }
    ws.records.push_back(NewRecord(subject, indicator));
    EXPECT_TRUE(store_->Commit(ws).ok());
    auto r = grader_->RecomputeAfterBatch(ws.batch.id, ws.subjects, ws.records,
                                          *Date::Parse("2026-03-03"), deferral);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? r->subjects : 0;
  };
  Subject created;
  created.id = store_->NextId(IdSpace::kSubject);
  created.type = SubjectType::kOtherOrganization;
  created.name = "新设组织";
  created.identifiers = {{IdentifierKind::kOrgCode, "NEW"}};
  auto mine = std::make_unique<Grader::Deferral>(*grader_);
  Grader::Deferral theirs(*grader_);
  ASSERT_NE(mine->id(), theirs.id());
  EXPECT_EQ(batch(penalized, "admin_penalty", nullptr, mine->id()), 0u) << "noted, not graded";
  EXPECT_EQ(batch(penalized, "admin_penalty", nullptr, mine->id()), 0u);  // a second batch
  EXPECT_EQ(batch(created.id, "reg_basic", &created, mine->id()), 0u);    // new, none read
  EXPECT_EQ(batch(old_firm, "reg_basic", nullptr, mine->id()), 0u);       // no rule reads it
  EXPECT_EQ(batch(other, "admin_penalty", nullptr, theirs.id()), 0u);
  EXPECT_EQ(Current(penalized).grade.score, 800) << "not regraded yet";
  // A batch of a call without a deferral is regraded at once, whatever is open.
  EXPECT_EQ(batch(old_firm, "admin_penalty", nullptr, 0), 1u);
  EXPECT_EQ(Current(old_firm).grade.score, 770);

  auto r = mine->Finish();
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->subjects, 2u) << "each of its subjects once (the penalized and the new one)";
  EXPECT_EQ(Current(penalized).grade.score, 740);
  EXPECT_EQ(Current(penalized).grade.as_of, *Date::Parse("2026-03-03"));
  EXPECT_EQ(Current(created.id).grade.score, 800);
  EXPECT_EQ(Current(other).grade.score, 800) << "another call's deferral still holds it";
  EXPECT_EQ(mine->Finish()->subjects, 0u) << "finished once";
  mine.reset();
  auto t = theirs.Finish();
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->subjects, 1u);
  EXPECT_EQ(Current(other).grade.score, 770);
  // A deferral that is no longer open defers nothing.
  EXPECT_EQ(batch(other, "admin_penalty", nullptr, theirs.id()), 1u);
  EXPECT_EQ(Current(other).grade.score, 740);
}

// Commits one penalty for `subject` (decided 2026-03-02) as a batch of its own, then does what
// the ingest commit observer does after it, as of 2026-03-03 with `deferral`.
Result<GradingSummary> PenaltyBatch(storage::Store& store, Grader& grader, uint64_t subject,
                                    uint64_t deferral) {
  WriteSet ws;
  ws.batch.id = store.NextId(IdSpace::kBatch);
  ws.records.push_back(NewRecordIn(store, subject, "admin_penalty"));
  XY_RETURN_IF_ERROR(store.Commit(ws));
  return grader.RecomputeAfterBatch(ws.batch.id, ws.subjects, ws.records,
                                    *Date::Parse("2026-03-03"), deferral);
}

TEST_F(GradingTest, ARegradeAProcessDiedBeforeIsDoneWhenTheStoreIsOpenedAgain) {
  const Date today = *Date::Parse("2026-03-03");
  const uint64_t before = AddSubject(), finished = AddSubject();
  std::vector<uint64_t> crashed;
  for (int i = 0; i < 5; ++i) crashed.push_back(AddSubject());
  ASSERT_TRUE(grader_->RecomputeAll(*Date::Parse("2026-03-01")).ok());
  AddRecord(before, "admin_penalty", "2026-03-02");  // before any mark: no regrade owed for it
  auto noted = [](storage::Store& store, Grader& grader, uint64_t subject, uint64_t deferral) {
    return PenaltyBatch(store, grader, subject, deferral).ok();
  };
  std::vector<std::pair<uint64_t, uint64_t>> marks;
  {  // An open deferral keeps a mark from the next change on; once finished, none is left.
    Grader::Deferral d(*grader_);
    ASSERT_TRUE(store_->ListRegradeMarks(&marks).ok());
    ASSERT_EQ(marks.size(), 1u);
    EXPECT_EQ(marks[0].second, *store_->LastChangeSeq() + 1);
    ASSERT_TRUE(noted(*store_, *grader_, finished, d.id()));
    ASSERT_TRUE(d.Finish().ok());
    ASSERT_TRUE(store_->ListRegradeMarks(&marks).ok());
    EXPECT_TRUE(marks.empty());
  }
  EXPECT_EQ(Current(finished).grade.score, 770);

  // A process that dies with its deferral open, as under SIGKILL: no destructor runs.
  grader_.reset();
  store_.reset();
  const pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    auto store = storage::RocksDbStore::Open(dir_);
    if (!store.ok()) ::_exit(2);
    Grader grader(**store, *catalog_, *model_);
    auto* open = new Grader::Deferral(grader);  // never finished
    for (uint64_t subject : crashed) {
      if (!noted(**store, grader, subject, open->id())) ::_exit(3);
    }
    ::_exit(0);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "child status " << status;
  Open();
  EXPECT_EQ(Current(crashed[0]).grade.score, 800) << "the penalty is stored, its regrade not";
  auto r = grader_->RecoverRegrades(today, /*chunk=*/2);  // five changes: three reads
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->subjects, 5u);
  for (uint64_t subject : crashed) {
    ExpectGradeOfEvaluate(subject, today);
    EXPECT_EQ(Current(subject).grade.score, 770) << "subject " << subject;
  }
  EXPECT_EQ(Current(before).grade.score, 800) << "committed before the mark: not owed";
  ASSERT_TRUE(store_->ListRegradeMarks(&marks).ok());
  EXPECT_TRUE(marks.empty());
  EXPECT_EQ(grader_->RecoverRegrades(today)->subjects, 0u) << "nothing owed any more";
}

// A batch of one penalty for `subject`, regraded as a batch of a push session would be.
void PushedPenalty(storage::Store& store, Grader& grader, SessionGrading& sessions,
                   uint64_t subject) {
  SessionGrading::Batch batch(&sessions);
  auto r = PenaltyBatch(store, grader, subject, batch.deferral());
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->subjects, 0u) << "noted in the session, not graded at once";
}

TEST_F(GradingTest, APushSessionIsRegradedOnceWhenItPausesOrGrowsOld) {
  const uint64_t a = AddSubject(), b = AddSubject();
  ASSERT_TRUE(grader_->RecomputeAll(*Date::Parse("2026-03-01")).ok());
  // Wait up to 10 s for `done` (the session thread works on its own time).
  auto eventually = [](const std::function<bool()>& done) {
    for (int i = 0; i < 1000 && !done(); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return done();
  };
  std::vector<std::pair<uint64_t, uint64_t>> marks;
  {  // Batches back to back: regraded once the session pauses, its mark gone with its regrade.
    SessionGrading sessions(*grader_, std::chrono::milliseconds(100), std::chrono::hours(1));
    PushedPenalty(*store_, *grader_, sessions, a);
    PushedPenalty(*store_, *grader_, sessions, a);
    PushedPenalty(*store_, *grader_, sessions, b);
    ASSERT_TRUE(eventually([&] {
      return Current(a).grade.score == 740 && Current(b).grade.score == 770 &&
             store_->ListRegradeMarks(&marks).ok() && marks.empty();
    })) << "a " << Current(a).grade.score << ", b " << Current(b).grade.score << ", marks "
        << marks.size();
    EXPECT_GE(sessions.finished(), 1u);
  }
  {  // A session that never pauses, one of its batches never ending while others keep coming:
     // once it is max_lag old the next batch opens a new session, and that one is regraded.
    SessionGrading sessions(*grader_, std::chrono::hours(1), std::chrono::milliseconds(100));
    SessionGrading::Batch held(&sessions);
    bool regraded = false;
    for (int i = 0; i < 1000 && !regraded; ++i) {
      PushedPenalty(*store_, *grader_, sessions, b);
      regraded = sessions.finished() > 0;
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    EXPECT_TRUE(regraded);
    EXPECT_LT(Current(b).grade.score, 770);
  }  // `held` ends first; its session is regraded when `sessions` goes
  {  // Destroyed with a session open: regraded before it goes.
    auto sessions = std::make_unique<SessionGrading>(*grader_, std::chrono::hours(1),
                                                     std::chrono::hours(1));
    PushedPenalty(*store_, *grader_, *sessions, a);
    EXPECT_EQ(Current(a).grade.score, 740) << "not yet";
    sessions.reset();
    EXPECT_EQ(Current(a).grade.score, 710);
  }
}

TEST_F(GradingTest, NaturalPersonsAreNeverGraded) {
  const uint64_t person = AddSubject(SubjectType::kNaturalPerson);
  const uint64_t firm = AddSubject(SubjectType::kIndividualBusiness);
  AddRecord(person, "admin_penalty", "2026-03-02");
  auto r = grader_->RecomputeAll(*Date::Parse("2026-03-03"), 2);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->subjects, 1u);
  r = grader_->RecomputeSubjects(std::vector<uint64_t>{person, 12345}, *Date::Parse("2026-03-03"));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->subjects, 0u);
  EXPECT_FALSE(store_->GetGrade(person).value().has_value());
  EXPECT_TRUE(store_->GetGrade(firm).value().has_value());
}

TEST_F(GradingTest, AListMembershipEndingByItselfLiftsTheGrade) {
  const uint64_t s = AddSubject();
  AddRecord(s, "serious_dishonesty", "2026-01-10", {{"YZSX_YXQZ", "2026-07-10"}});
  ASSERT_TRUE(grader_->RecomputeAll(*Date::Parse("2026-07-09")).ok());
  EXPECT_EQ(Current(s).grade.grade, "D");
  ASSERT_TRUE(grader_->RecomputeAll(*Date::Parse("2026-07-10")).ok());
  EXPECT_EQ(Current(s).grade.grade, "B");
  EXPECT_EQ(Current(s).history, 2u);
}

TEST_F(GradingTest, EveryThreadCountGivesTheSameGradesAsEvaluate) {
  std::vector<uint64_t> subjects;
  for (int i = 0; i < 60; ++i) {
    subjects.push_back(
        AddSubject(i % 10 == 9 ? SubjectType::kNaturalPerson : SubjectType::kLegalPerson));
    for (int k = 0; k < i % 7; ++k)
      AddRecord(subjects.back(), "admin_penalty", "2025-0" + std::to_string(1 + k) + "-15");
    if (i % 5 == 0) AddRecord(subjects.back(), "admin_licence", "2025-06-01");
    if (i % 11 == 0) AddRecord(subjects.back(), "abnormal_operation", "2025-06-01");
  }
  const Date today = *Date::Parse("2026-03-03");
  for (unsigned threads : {1u, 2u, 5u}) {
    auto r = grader_->RecomputeAll(today, threads);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_EQ(r->subjects, 54u);
    for (uint64_t id : subjects) ExpectGradeOfEvaluate(id, today);
  }
}

TEST_F(GradingTest, ManySubjectsAreRegradedOnEveryCoreWithTheGradesOfEvaluate) {
  // More subjects than RecomputeSubjects grades on one thread, committed as one bulk batch.
  WriteSet ws;
  ws.batch.id = store_->NextId(IdSpace::kBatch);
  std::vector<uint64_t> subjects;
  for (int i = 0; i < 5000; ++i) {
    Subject s;
    s.id = store_->NextId(IdSpace::kSubject);
    s.type = i % 10 == 9 ? SubjectType::kNaturalPerson : SubjectType::kLegalPerson;
    s.name = "主体" + std::to_string(s.id);
    s.identifiers = {{IdentifierKind::kOrgCode, "C" + std::to_string(s.id)}};
    s.first_batch = ws.batch.id;
    ws.subjects.push_back(s);
    subjects.push_back(s.id);
    for (int k = 0; k < i % 4; ++k) ws.records.push_back(NewRecord(s.id, "admin_penalty"));
    if (i % 7 == 0) ws.records.push_back(NewRecord(s.id, "court_dishonest_debtor"));
  }
  ASSERT_TRUE(store_->Commit(ws).ok());
  const Date today = *Date::Parse("2026-03-03");
  // Every subject (read in one pass), then every third one (a seek each), in reverse order,
  // with duplicates and an unknown id.
  auto r = grader_->RecomputeSubjects(subjects, today);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->subjects, 4500u);
  EXPECT_EQ(r->changed, 4500u);
  for (uint64_t id : subjects) ExpectGradeOfEvaluate(id, today);
  std::vector<uint64_t> some = {999999};
  for (size_t i = subjects.size(); i-- > 0;) {
    if (i % 3 == 0) some.insert(some.end(), 2, subjects[i]);
  }
  ws = WriteSet();
  ws.batch.id = store_->NextId(IdSpace::kBatch);
  for (size_t i = 0; i < subjects.size(); i += 3) {
    ws.records.push_back(NewRecord(subjects[i], "admin_penalty"));
  }
  ASSERT_TRUE(store_->Commit(ws).ok());
  r = grader_->RecomputeSubjects(some, today);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->subjects, 1500u);
  for (uint64_t id : subjects) ExpectGradeOfEvaluate(id, today);
  // Every other subject: half of the id range, read in one pass that skips the others.
  ws = WriteSet();
  ws.batch.id = store_->NextId(IdSpace::kBatch);
  std::vector<uint64_t> every_other;
  for (size_t i = 1; i < subjects.size(); i += 2) {
    every_other.push_back(subjects[i]);
    ws.records.push_back(NewRecord(subjects[i], "court_dishonest_debtor"));
  }
  ASSERT_TRUE(store_->Commit(ws).ok());
  r = grader_->RecomputeSubjects(every_other, today);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->subjects, 2000u) << "2,500 subjects, every fifth of them a person";
  for (uint64_t id : subjects) ExpectGradeOfEvaluate(id, today);
}

TEST_F(GradingTest, GradesSurviveReopen) {
  const uint64_t s = AddSubject();
  AddRecord(s, "admin_penalty", "2026-01-05");
  ASSERT_TRUE(grader_->RecomputeAll(*Date::Parse("2026-01-06")).ok());
  Open();
  EXPECT_EQ(Current(s).grade.score, 770);
  EXPECT_EQ(Current(s).history, 1u);
}

}  // namespace
}  // namespace xinyong::rules
