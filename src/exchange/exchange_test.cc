// Exchange between two instances in one process: a county store fed by generated files, a city
// store with its own key, the pusher delivering to the city's Receiver through a sink that loses
// requests and answers on purpose, and the file drop read back by `ingest`.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <thread>
#include <map>
#include <set>
#include <tuple>

#include "core/test_paths.h"
#include "exchange/pusher.h"
#include "exchange/receiver.h"
#include "gen/generator.h"
#include "ingest/ingester.h"
#include "storage/rocksdb/rocksdb_store.h"

namespace xinyong::exchange {
namespace {

namespace fs = std::filesystem;
using test::SourceDir;

struct Instance {
  std::unique_ptr<PersonalDataVault> vault;
  std::unique_ptr<storage::RocksDbStore> store;
  std::unique_ptr<ingest::Ingester> ingester;
};

// Delivers to a Receiver in process; every `fail_every`-th send is lost before it arrives, and
// the one after it arrives but its answer is lost (the pusher sees a failure either way).
class FlakySink final : public Sink {
 public:
  FlakySink(Receiver& r, int fail_every) : r_(r), fail_every_(fail_every) {}
  Result<uint64_t> Cursor() override { return r_.Cursor("county-a"); }
  Status Send(std::span<const ChangeLine> lines, uint64_t after,
              std::chrono::milliseconds*) override {
    ++sends;
    const int k = sends % fail_every_;
    if (k == 0) return Status::Unavailable("request lost");
    std::string body;
    for (const ChangeLine& l : lines) AppendLine(l, &body);
    ApplyOptions o;
    o.after = after;
    auto rep = r_.Apply("county-a", "410102", body, o);
    if (!rep.ok()) return rep.status();
    skipped += rep->skipped;
    if (k == 1 && sends > 1) {
      ++answers_lost;
      return Status::Unavailable("answer lost");
    }
    return Status::Ok();
  }
  std::string Describe() const override { return "in-process"; }
  int sends = 0;
  int answers_lost = 0;
  uint64_t skipped = 0;

 private:
  Receiver& r_;
  int fail_every_;
};

// indicator, natural key → (version, status, content hash) of every current record.
using Snapshot = std::map<std::pair<std::string, std::string>, std::tuple<uint32_t, RecordStatus, uint64_t>>;

class ExchangeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("xinyong-exchange-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    auto cat = catalog::Catalog::LoadDirectory(SourceDir() + "/data/catalog");
    ASSERT_TRUE(cat.ok()) << cat.status().ToString();
    catalog_ = std::move(cat).value();
    auto cal = WorkCalendar::LoadFile(SourceDir() + "/data/calendar/cn_workdays.toml");
    ASSERT_TRUE(cal.ok()) << cal.status().ToString();
    calendar_ = std::make_unique<WorkCalendar>(std::move(cal).value());
    Open(&county_, "county");
    Open(&city_, "city");
    receiver_ = std::make_unique<Receiver>(*city_.store, *city_.ingester, *catalog_, *calendar_,
                                           *city_.vault);
  }
  void TearDown() override {
    receiver_.reset();
    // The ingester first: it waits for a commit left running, which uses the store.
    county_.ingester.reset();
    city_.ingester.reset();
    county_ = Instance();
    city_ = Instance();
    fs::remove_all(dir_);
  }
  void Open(Instance* in, const std::string& name) {
    in->vault = PersonalDataVault::ForTesting(name);  // each level has its own key
    auto s = storage::RocksDbStore::Open((dir_ / name).string());
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    in->store = std::move(s).value();
    in->ingester = std::make_unique<ingest::Ingester>(*in->store, *catalog_, *calendar_, *in->vault);
  }

  // Generated files of every indicator, ingested at the county; then one record corrected and
  // one revoked there.
  void FeedCounty(size_t subjects = 80) {
    gen::GenOptions g;
    g.out_dir = (dir_ / "gen").string();
    g.subjects = subjects;
    g.seed = 7;
    g.correction_share = 0.05;
    auto rep = gen::Generate(*catalog_, g);
    ASSERT_TRUE(rep.ok()) << rep.status().ToString();
    for (const auto& [file, rows] : rep->files) {
      ingest::IngestOptions o;
      o.batch_rows = 150;  // several batches per file
      auto r = county_.ingester->IngestFile(file, o);
      ASSERT_TRUE(r.ok()) << file << ": " << r.status().ToString();
    }
    // Revoke the first active record of admin_penalty.
    std::optional<ingest::StatusChange> change = RevocationOfTheFirstActivePenalty();
    ASSERT_TRUE(change.has_value());
    ASSERT_TRUE(county_.ingester->ChangeStatus(std::span(&*change, 1), "objection", "", Date()).ok());
  }

  // The revocation of the county's first active penalty (an upheld objection); nullopt if none.
  std::optional<ingest::StatusChange> RevocationOfTheFirstActivePenalty() {
    std::optional<ingest::StatusChange> change;
    EXPECT_TRUE(county_.store->ScanIndicator("admin_penalty", [&](uint64_t s, uint64_t r, Date) -> Result<bool> {
      std::vector<Record> v;
      XY_RETURN_IF_ERROR(county_.store->ListRecordVersions(s, r, &v));
      if (v.back().status != RecordStatus::kActive) return true;
      change = ingest::StatusChange{s, r, v.back().version, RecordStatus::kRevoked, "upheld objection"};
      return false;
    }).ok());
    return change;
  }

  Snapshot Current(const Instance& in) {
    Snapshot out;
    for (const catalog::Indicator& ind : catalog_->indicators()) {
      std::set<std::pair<uint64_t, uint64_t>> seen;  // a corrected date lists a record twice
      EXPECT_TRUE(in.store->ScanIndicator(ind.code, [&](uint64_t s, uint64_t r, Date) -> Result<bool> {
        if (!seen.insert({s, r}).second) return true;
        std::vector<Record> v;
        XY_RETURN_IF_ERROR(in.store->ListRecordVersions(s, r, &v));
        const Record& cur = v.back();
        // Natural keys are per subject: the subject's name and code, and the record's values
        // (masked numbers alike on both sides), tell records apart across instances.
        XY_ASSIGN_OR_RETURN(auto subject, in.store->GetSubject(s));
        std::string key = ingest::NaturalKeyOf(ind, cur) + "|" + (subject ? subject->name : "") +
                          "|" + (subject ? subject->uscc : "");
        for (const auto& [code, value] : cur.values) key += "|" + std::string(value);
        auto [it, fresh] = out.emplace(std::pair{ind.code, key},
                                       std::tuple{cur.version, cur.status, cur.content_hash});
        EXPECT_TRUE(fresh) << ind.code << " record " << r << " twice";
        return true;
      }).ok());
    }
    return out;
  }

  // Ingests at `in` the decision of `line` with the fine `fine`: the number of rows corrected.
  // `line`'s record ingested again at `in` with the fine `fine` (and the facts `facts` when not
  // empty); as an upheld objection's correction when `objection`.
  uint64_t Correct(Instance& in, const ChangeLine& line, const std::string& fine,
                   bool objection = false, const std::string& facts = "") {
    std::string header, row;
    for (const auto& [code, v] : line.fields) {
      const std::string value = code == "CF_NR_FK" ? fine : code == "CF_SY" && !facts.empty() ? facts : v;
      header += (header.empty() ? "" : ",") + code;
      std::string quoted = "\"";
      for (char c : value) quoted += c == '"' ? std::string("\"\"") : std::string(1, c);
      row += (row.empty() ? "" : ",") + quoted + "\"";
    }
    const fs::path file = dir_ / "admin_penalty.csv";
    std::ofstream(file, std::ios::trunc) << header << "\n" << row << "\n";
    ingest::IngestOptions o;
    o.objection = objection;
    auto r = in.ingester->IngestFile(file.string(), o);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? r->corrected : 0;
  }
  // The county's change `seq` as a line.
  ChangeLine LineAt(uint64_t seq) {
    std::vector<storage::Change> one;
    EXPECT_TRUE(county_.store->ReadChanges(seq, 1, true, &one).ok());
    EXPECT_EQ(one.size(), 1u);
    return one.empty() ? ChangeLine() : *LineOfChange(one[0], *county_.vault);
  }

  // Every current record of the county is at the city, once, at the same version and status.
  void ExpectCityHoldsTheCounty() {
    const Snapshot county = Current(county_), city = Current(city_);
    ASSERT_EQ(city.size(), county.size());
    for (const auto& [key, value] : county) {
      auto it = city.find(key);
      ASSERT_NE(it, city.end()) << key.first << " " << key.second;
      EXPECT_EQ(std::get<0>(it->second), std::get<0>(value)) << key.first << " " << key.second;
      EXPECT_EQ(std::get<1>(it->second), std::get<1>(value)) << key.first << " " << key.second;
    }
    EXPECT_EQ(city_.store->Stats()->records, county_.store->Stats()->records);
    EXPECT_EQ(city_.store->Stats()->record_versions, county_.store->Stats()->record_versions);
  }

  // The county's changes from `from` on as one batch body, and their count.
  std::pair<std::string, size_t> Body(uint64_t from, size_t limit = 1u << 20) {
    std::vector<storage::Change> changes;
    EXPECT_TRUE(county_.store->ReadChanges(from, limit, true, &changes).ok());
    std::string body;
    for (const auto& c : changes) AppendLine(*LineOfChange(c, *county_.vault), &body);
    return {body, changes.size()};
  }

  // The county's changes up to the end of its licences as one batch (no `after`), answered,
  // whose last run fails to commit after the answer. The licences are more than 2,000 records,
  // one run, so the city commits them by writing table files to <store>/ingest
  // (RocksDbStore::Commit): a file in the way of that directory fails exactly that commit; the
  // smaller runs before it are written through the log and succeed.
  struct FailedRun {
    std::vector<storage::Change> changes;  // the county's whole feed
    size_t first = 0, last = 0;            // indices of the first and last licence in it
  };
  void SendWithTheLicencesFailing(FailedRun* f) {
    FeedCounty(250);
    ASSERT_TRUE(county_.store->ReadChanges(1, 1u << 20, true, &f->changes).ok());
    const auto& changes = f->changes;
    f->first = changes.size();
    for (size_t i = 0; i < changes.size(); ++i) {
      if (changes[i].record && changes[i].record->indicator == "admin_licence") {
        f->first = std::min(f->first, i);
        f->last = i;
      }
    }
    ASSERT_GT(f->last + 1 - f->first, 2000u);  // RocksDbStore::kBulkCommitRecords
    std::string batch;
    for (size_t i = 0; i <= f->last; ++i) {
      AppendLine(*LineOfChange(changes[i], *county_.vault), &batch);
    }
    const fs::path in_the_way = dir_ / "city" / "ingest";
    fs::remove_all(in_the_way);
    { std::ofstream(in_the_way) << "not a directory"; }
    auto answered = receiver_->Apply("county-a", "410102", batch);
    ASSERT_TRUE(answered.ok()) << answered.status().ToString();
    EXPECT_EQ(answered->cursor, changes[f->last].seq);
    EXPECT_FALSE(city_.ingester->Flush().ok()) << "the licences' commit failed after the answer";
    fs::remove(in_the_way);
    ASSERT_EQ(*receiver_->Cursor("county-a"), changes[f->first - 1].seq);
  }

  fs::path dir_;
  std::unique_ptr<catalog::Catalog> catalog_;
  std::unique_ptr<WorkCalendar> calendar_;
  Instance county_, city_;
  std::unique_ptr<Receiver> receiver_;
};

TEST_F(ExchangeTest, EverythingTheCountyHoldsReachesTheCityOnceThroughLostRequestsAndAnswers) {
  FeedCounty();
  FlakySink sink(*receiver_, 3);
  PushOptions o;
  o.batch = 97;
  o.backoff_first = std::chrono::milliseconds(1);
  o.backoff_cap = std::chrono::milliseconds(2);
  Pusher pusher(*county_.store, *county_.vault, sink, o);
  auto rep = pusher.Run();
  ASSERT_TRUE(rep.ok()) << rep.status().ToString();
  EXPECT_EQ(rep->cursor, *county_.store->LastChangeSeq());
  EXPECT_GT(rep->retries, 0u);
  EXPECT_GT(sink.answers_lost, 0);
  // After a lost answer the pusher asks the receiver where it stands instead of sending the
  // batch again (a batch that does arrive twice is skipped: the next test).
  EXPECT_EQ(sink.skipped, 0u);

  ExpectCityHoldsTheCounty();
  const Snapshot county = Current(county_);
  EXPECT_GT(county.size(), 300u);
  size_t corrected = 0, revoked = 0;
  for (const auto& [key, value] : county) {
    corrected += std::get<0>(value) > 1;
    revoked += std::get<1>(value) == RecordStatus::kRevoked;
  }
  EXPECT_GT(corrected, 0u);
  EXPECT_EQ(revoked, 1u);
  // The batches written at the city name the source's region and the range.
  std::vector<storage::BatchSummary> batches;
  ASSERT_TRUE(city_.store->ListBatches(5, "410102", &batches).ok());
  ASSERT_FALSE(batches.empty());
  EXPECT_TRUE(batches[0].file.starts_with("exchange:county-a:")) << batches[0].file;

  // A second run finds nothing to send.
  FlakySink again(*receiver_, 1000);
  Pusher second(*county_.store, *county_.vault, again, o);
  auto rep2 = second.Run();
  ASSERT_TRUE(rep2.ok());
  EXPECT_EQ(rep2->sent, 0u);
}

// A passport number (any certificate but a resident ID) crosses as the department sent it, so
// the city finds the person it already knows by it and masks it as its own departments' rows.
TEST_F(ExchangeTest, AnotherCertificatesNumberReachesTheCityAsItWasSent) {
  auto penalty = [&](const std::string& doc) {
    const fs::path file = dir_ / "admin_penalty.csv";
    std::ofstream(file, std::ios::trunc)
        << "CF_XDR_MC,CF_XDR_LB,CF_XDR_ZJLX,CF_XDR_ZJHM,CF_WSH,CF_WFXW,CF_SY,CF_YJ,CF_CFLB,CF_NR,"
           "CF_NR_FK,CF_JDRQ,CF_CFJG,CF_CFJGDM,CF_SJLY,CF_SJLYDM,CF_CFCX\n"
        << "约翰,自然人,护照号,E12345678," << doc
        << ",虚假宣传,经查属实,《广告法》第五十五条,罚款,罚款人民币0.5万元,0.5,2025-03-03,"
           "郑州市市场监督管理局,11410100MB1848126Q,郑州市市场监督管理局,11410100MB1848126Q,"
           "普通程序\n";
    return file.string();
  };
  ASSERT_EQ(county_.ingester->IngestFile(penalty("郑市监罚〔2025〕1号"), {})->accepted, 1u);
  ASSERT_EQ(city_.ingester->IngestFile(penalty("郑市监罚〔2025〕2号"), {})->accepted, 1u);
  auto [body, n] = Body(1);
  ASSERT_EQ(n, 1u);
  EXPECT_EQ(body.find("护照号:"), std::string::npos) << body;
  auto applied = receiver_->Apply("county-a", "410102", body);
  ASSERT_TRUE(applied.ok()) << applied.status().ToString();
  ASSERT_TRUE(city_.ingester->Flush().ok());
  EXPECT_EQ(city_.store->Stats()->subjects, 1u) << "the county's person is the city's";
  EXPECT_EQ(city_.store->Stats()->records, 2u);
  std::vector<Record> records;
  ASSERT_TRUE(city_.store->ListRecords(1, "", &records).ok());
  ASSERT_EQ(records.size(), 2u);
  for (const Record& r : records) {
    EXPECT_EQ(r.Get("CF_XDR_ZJHM"), "E1*****78");
    ASSERT_EQ(r.personal.size(), 1u);
    EXPECT_EQ(*city_.vault->Decrypt(r.personal[0].sealed), "护照号:E12345678");
  }
}

// A decision the county received in time is not late at the city because the link delivered
// it months later, and one late at the county stays late: timeliness is the source's.
TEST_F(ExchangeTest, TimelinessIsJudgedByTheSourcesDateOfReceipt) {
  const fs::path file = dir_ / "admin_penalty.csv";
  std::ofstream(file, std::ios::trunc)
      << "CF_XDR_MC,CF_XDR_LB,CF_XDR_SHXYM,CF_WSH,CF_WFXW,CF_SY,CF_YJ,CF_CFLB,CF_NR,CF_NR_FK,"
         "CF_JDRQ,CF_CFJG,CF_CFJGDM,CF_SJLY,CF_SJLYDM,CF_CFCX\n"
      << "甲公司,法人及非法人组织,91110000600037341L,郑市监罚〔2025〕7号,虚假宣传,经查属实,"
         "《广告法》第五十五条,罚款,罚款1万元,1,2025-03-03,郑州市市场监督管理局,"
         "11410100MB1848126Q,郑州市市场监督管理局,11410100MB1848126Q,普通程序\n"
      << "甲公司,法人及非法人组织,91110000600037341L,郑市监罚〔2025〕8号,虚假宣传,经查属实,"
         "《广告法》第五十五条,罚款,罚款1万元,1,2025-02-03,郑州市市场监督管理局,"
         "11410100MB1848126Q,郑州市市场监督管理局,11410100MB1848126Q,普通程序\n";
  ingest::IngestOptions o;
  o.received_date = *Date::Parse("2025-03-05");
  auto at_county = county_.ingester->IngestFile(file.string(), o);
  ASSERT_TRUE(at_county.ok()) << at_county.status().ToString();
  ASSERT_EQ(at_county->accepted, 2u);
  ASSERT_EQ(at_county->late, 1u);
  auto applied = receiver_->Apply("county-a", "410102", Body(1).first);
  ASSERT_TRUE(applied.ok()) << applied.status().ToString();
  ASSERT_TRUE(city_.ingester->Flush().ok());
  std::vector<Record> records;
  ASSERT_TRUE(city_.store->ListRecords(1, "admin_penalty", &records).ok());
  ASSERT_EQ(records.size(), 2u);
  for (const Record& r : records) {
    EXPECT_EQ(r.late, r.document_number == "郑市监罚〔2025〕8号") << r.document_number;
    // Kept with the record, so that the level above the city judges it alike.
    EXPECT_EQ(r.received_date, *Date::Parse("2025-03-05")) << r.document_number;
  }
}

TEST_F(ExchangeTest, ABatchAppliedTwiceChangesNothingTheSecondTime) {
  FeedCounty();
  const auto [body, count] = Body(1, 200);
  auto first = receiver_->Apply("county-a", "410102", body);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_EQ(first->skipped, 0u);
  const uint64_t cursor = *receiver_->Cursor("county-a");
  EXPECT_EQ(cursor, first->cursor);
  const auto before = *city_.store->Stats();
  auto second = receiver_->Apply("county-a", "410102", body);
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(second->skipped, count);
  EXPECT_EQ(city_.store->Stats()->record_versions, before.record_versions);
  EXPECT_EQ(city_.store->Stats()->batches, before.batches);
  // Another source's cursor is its own.
  EXPECT_EQ(*receiver_->Cursor("county-b"), 0u);
}

// A batch is answered while its last commit still runs (receiver.h). When that commit fails,
// the next batch is refused, the cursor stays where the last commit left it, and sending again
// from there brings everything over once.
TEST_F(ExchangeTest, ABatchWhoseCommitFailsAfterItsAnswerIsRefusedNextAndSentAgain) {
  FailedRun f;
  ASSERT_NO_FATAL_FAILURE(SendWithTheLicencesFailing(&f));
  const auto& [changes, first, last] = f;
  // Another source's batch comes first: ten licences that were never corrected, which the
  // city then holds already when county-a sends them again. The failure stays county-a's.
  std::map<std::pair<uint64_t, uint64_t>, int> versions;
  for (const auto& c : changes) {
    if (c.record) ++versions[{c.record->subject_id, c.record->record_id}];
  }
  std::string other_body;
  for (size_t i = first, n = 0; i <= last && n < 10; ++i) {
    const Record& r = *changes[i].record;
    if (versions[{r.subject_id, r.record_id}] > 1) continue;
    AppendLine(*LineOfChange(changes[i], *county_.vault), &other_body);
    ++n;
  }
  auto other = receiver_->Apply("county-b", "410103", other_body);
  ASSERT_TRUE(other.ok()) << other.status().ToString();
  EXPECT_EQ(other->accepted, 10u);

  auto [rest, count] = Body(changes[last].seq + 1);
  ASSERT_GT(count, 0u);
  // A cursor request (a monitoring poll, say) does not make the gap acceptable either.
  EXPECT_EQ(*receiver_->Cursor("county-a"), changes[first - 1].seq);
  auto refused = receiver_->Apply("county-a", "410102", rest);  // a sender that says no `after`
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(refused.status().message().find("could not be committed"), std::string::npos)
      << refused.status().ToString();
  // A receiver that did not see the failure (this instance restarted meanwhile) refuses the
  // batch by what the sender says it believes this instance holds.
  Receiver restarted(*city_.store, *city_.ingester, *catalog_, *calendar_, *city_.vault);
  ApplyOptions believed;
  believed.after = changes[last].seq;
  auto behind = restarted.Apply("county-a", "410102", rest, believed);
  ASSERT_FALSE(behind.ok());
  EXPECT_EQ(behind.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(behind.status().message().find("send again from " + std::to_string(changes[first - 1].seq + 1)),
            std::string::npos)
      << behind.status().ToString();
  // What the pusher does next: asks for the cursor and sends again from there.
  const uint64_t cursor = *receiver_->Cursor("county-a");
  EXPECT_EQ(cursor, changes[first - 1].seq) << "up to the run before the licences";
  auto again = receiver_->Apply("county-a", "410102", Body(cursor + 1).first);
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(*receiver_->Cursor("county-a"), changes.back().seq);
  ExpectCityHoldsTheCounty();
}

// The failed run's records are erased at the county (its retention) before the pusher sends
// them again: they come as deletion events, which commit nothing here. The failure is done with
// all the same; the changes after them are applied, not refused for ever.
TEST_F(ExchangeTest, AFailedRunErasedAtTheSourceBeforeItIsSentAgainDoesNotStopTheFeed) {
  FailedRun f;
  ASSERT_NO_FATAL_FAILURE(SendWithTheLicencesFailing(&f));
  const uint64_t cursor = f.changes[f.first - 1].seq;
  std::string resend;
  for (size_t i = f.first; i < f.changes.size(); ++i) {
    ChangeLine line = *LineOfChange(f.changes[i], *county_.vault);
    if (i <= f.last) {  // as LineOfChange sends a version erased since
      line.erased = true;
      line.indicator.clear();
      line.fields.clear();
    }
    AppendLine(line, &resend);
  }
  ASSERT_GT(f.changes.size(), f.last + 1) << "changes after the licences";
  ApplyOptions o;
  o.after = cursor;  // as the pusher does after asking for the cursor
  auto again = receiver_->Apply("county-a", "410102", resend, o);
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(again->erasures, f.last + 1 - f.first);
  EXPECT_GT(again->accepted, 0u);
  EXPECT_EQ(*receiver_->Cursor("county-a"), f.changes.back().seq);
  // No licence reached the city; everything else did.
  EXPECT_EQ(city_.store->Stats()->record_versions,
            county_.store->Stats()->record_versions - (f.last + 1 - f.first));
}

// A status change from the county meets a record changed here between its matching and its
// change (a local repair, a department's correction): the run is matched again, not refused
// with an error the pusher would stop at.
TEST_F(ExchangeTest, AStatusChangeRacingALocalChangeIsMatchedAgain) {
  FeedCounty();
  const uint64_t last = *county_.store->LastChangeSeq();
  auto [body, count] = Body(1, last - 1);  // all but the revocation FeedCounty made last
  ASSERT_TRUE(receiver_->Apply("county-a", "410102", body).ok());
  int calls = 0;
  receiver_->SetBeforeStatusChangeForTesting([&](std::span<const ingest::StatusChange> changes) {
    if (calls++ > 0) return;
    ASSERT_EQ(changes.size(), 1u);
    ingest::StatusChange local = changes[0];
    local.status = RecordStatus::kRepaired;
    local.note = "repaired here";
    auto r = city_.ingester->ChangeStatus(std::span(&local, 1), "repair", "", Date());
    ASSERT_TRUE(r.ok()) << r.status().ToString();
  });
  auto revocation = receiver_->Apply("county-a", "410102", Body(last).first);
  ASSERT_TRUE(revocation.ok()) << revocation.status().ToString();
  EXPECT_EQ(calls, 1) << "matched again, and then nothing in force was left to change";
  EXPECT_EQ(revocation->status_changes, 0u);
  EXPECT_EQ(revocation->unmatched, 1u);
  EXPECT_EQ(*receiver_->Cursor("county-a"), last);
}

// The same race with the city's retention: the matched record is erased before its status
// changes (NotFound). Matched again, nothing is left to change: not a refusal of the batch.
TEST_F(ExchangeTest, AStatusChangeOfARecordErasedMeanwhileIsMatchedAgain) {
  FeedCounty();
  const uint64_t last = *county_.store->LastChangeSeq();
  ASSERT_TRUE(receiver_->Apply("county-a", "410102", Body(1, last - 1).first).ok());
  int calls = 0;
  receiver_->SetBeforeStatusChangeForTesting([&](std::span<const ingest::StatusChange> changes) {
    if (calls++ > 0) return;
    ASSERT_EQ(changes.size(), 1u);
    const storage::RecordRef erased{changes[0].subject_id, changes[0].record_id};
    ASSERT_TRUE(city_.store->Erase(std::span(&erased, 1), {}).ok());
  });
  auto revocation = receiver_->Apply("county-a", "410102", Body(last).first);
  ASSERT_TRUE(revocation.ok()) << revocation.status().ToString();
  EXPECT_EQ(revocation->status_changes, 0u);
  EXPECT_EQ(revocation->unmatched, 1u);
  EXPECT_EQ(*receiver_->Cursor("county-a"), last);
}

// A correction the county stores out of force (its record revoked there, the decision sent again
// with another fine) reaches the city with its content: a new version there too, still revoked.
TEST_F(ExchangeTest, ACorrectionOfARevokedRecordReachesTheCityWithItsContent) {
  FeedCounty();
  const uint64_t revoked = *county_.store->LastChangeSeq();
  ASSERT_TRUE(receiver_->Apply("county-a", "410102", Body(1).first).ok());
  ExpectCityHoldsTheCounty();
  // The revoked penalty as the county's feed carries it, sent again with another fine.
  const ChangeLine line = LineAt(revoked);
  ASSERT_EQ(line.status, RecordStatus::kRevoked);
  ASSERT_EQ(Correct(county_, line, "987.654321"), 1u);
  const auto before = *city_.store->Stats();

  auto applied = receiver_->Apply("county-a", "410102", Body(revoked + 1).first);
  ASSERT_TRUE(applied.ok()) << applied.status().ToString();
  EXPECT_EQ(applied->corrected, 1u);
  EXPECT_EQ(city_.store->Stats()->record_versions, before.record_versions + 1);
  ExpectCityHoldsTheCounty();  // the fine included, and revoked
  // Sent again: nothing more.
  ASSERT_TRUE(receiver_->Apply("county-a", "410102", Body(revoked + 1).first).ok());
  EXPECT_EQ(city_.store->Stats()->record_versions, before.record_versions + 1);
}

// The revocation and the correction in one run: the content first, then the status. The same
// run applied again (as after a failure between the two; here as another source, whose cursor
// lets it through) stores nothing more: the run's last content is held here already.
TEST_F(ExchangeTest, ARevocationAndItsCorrectionInOneRunAreAppliedOnce) {
  FeedCounty();
  const uint64_t revoked = *county_.store->LastChangeSeq();
  ASSERT_TRUE(receiver_->Apply("county-a", "410102", Body(1, revoked - 1).first).ok());
  ASSERT_EQ(Correct(county_, LineAt(revoked), "987.654321"), 1u);
  auto applied = receiver_->Apply("county-a", "410102", Body(revoked).first);
  ASSERT_TRUE(applied.ok()) << applied.status().ToString();
  EXPECT_EQ(applied->corrected, 1u);
  EXPECT_EQ(applied->status_changes, 1u);
  ExpectCityHoldsTheCounty();
  const auto held = *city_.store->Stats();
  auto again = receiver_->Apply("county-b", "410102", Body(revoked).first);
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(again->corrected, 0u);
  EXPECT_EQ(city_.store->Stats()->record_versions, held.record_versions);
}

// A record corrected here (an objection upheld at the city) and then revoked at the county
// without a change of content: the revocation applies, and the city's correction stays.
TEST_F(ExchangeTest, AStatusChangeDoesNotUndoAContentCorrectedHere) {
  FeedCounty();
  ASSERT_TRUE(receiver_->Apply("county-a", "410102", Body(1).first).ok());
  ChangeLine line;
  const uint64_t from = *county_.store->LastChangeSeq() + 1;
  std::optional<ingest::StatusChange> change = RevocationOfTheFirstActivePenalty();
  ASSERT_TRUE(change.has_value());
  // Its line as the county would send it, corrected at the city.
  std::vector<storage::Change> feed;
  ASSERT_TRUE(county_.store->ReadChanges(1, 1u << 20, true, &feed).ok());
  for (const auto& c : feed) {
    if (c.record && c.record->record_id == change->record_id) line = *LineOfChange(c, *county_.vault);
  }
  ASSERT_FALSE(line.fields.empty());
  ASSERT_EQ(Correct(city_, line, "0.0042"), 1u);
  ASSERT_TRUE(county_.ingester->ChangeStatus(std::span(&*change, 1), "objection", "", Date()).ok());
  const auto before = *city_.store->Stats();
  auto applied = receiver_->Apply("county-a", "410102", Body(from).first);
  ASSERT_TRUE(applied.ok()) << applied.status().ToString();
  EXPECT_EQ(applied->corrected, 0u);
  EXPECT_EQ(applied->status_changes, 1u);
  EXPECT_EQ(city_.store->Stats()->record_versions, before.record_versions + 1);
  bool seen = false;
  ASSERT_TRUE(city_.store->ScanIndicator("admin_penalty", [&](uint64_t s, uint64_t r, Date) -> Result<bool> {
    std::vector<Record> v;
    XY_RETURN_IF_ERROR(city_.store->ListRecordVersions(s, r, &v));
    if (v.back().Get("CF_NR_FK") != "0.0042") return true;
    seen = true;
    EXPECT_EQ(v.back().status, RecordStatus::kRevoked);
    return false;
  }).ok());
  EXPECT_TRUE(seen) << "the city's correction is kept, revoked";
}

// A field corrected here by an upheld objection stays corrected when the county later sends the
// record again with that field as it was (and another changed): the row is refused.
TEST_F(ExchangeTest, AnObjectionUpheldHereStandsAgainstTheCountysNextVersion) {
  FeedCounty();
  ASSERT_TRUE(receiver_->Apply("county-a", "410102", Body(1).first).ok());
  const uint64_t from = *county_.store->LastChangeSeq() + 1;
  std::optional<ChangeLine> penalty;
  std::vector<storage::Change> feed;
  ASSERT_TRUE(county_.store->ReadChanges(1, 1u << 20, true, &feed).ok());
  // A penalty stored once at the county, as it stands.
  std::map<uint64_t, int> changes_of;
  for (const auto& c : feed) {
    if (c.record) ++changes_of[c.record->record_id];
  }
  for (const auto& c : feed) {
    if (c.record && c.record->indicator == "admin_penalty" &&
        c.record->status == RecordStatus::kActive && changes_of[c.record->record_id] == 1) {
      penalty = *LineOfChange(c, *county_.vault);
      break;
    }
  }
  ASSERT_TRUE(penalty.has_value());
  std::string fine;
  for (const auto& [code, v] : penalty->fields) {
    if (code == "CF_NR_FK") fine = v;
  }
  ASSERT_EQ(Correct(city_, *penalty, "0.0042", /*objection=*/true), 1u);
  // The county corrects the facts of the same decision; its fine is still the old one.
  ASSERT_EQ(Correct(county_, *penalty, fine, false, "经复核的违法事实"), 1u);
  auto applied = receiver_->Apply("county-a", "410102", Body(from).first);
  ASSERT_TRUE(applied.ok()) << applied.status().ToString();
  EXPECT_EQ(applied->rejected, 1u);
  EXPECT_EQ(applied->corrected, 0u);
  bool kept = false;
  ASSERT_TRUE(city_.store->ScanIndicator("admin_penalty", [&](uint64_t s, uint64_t r, Date) -> Result<bool> {
    std::vector<Record> v;
    XY_RETURN_IF_ERROR(city_.store->ListRecordVersions(s, r, &v));
    if (v.back().Get("CF_NR_FK") != "0.0042") return true;
    kept = true;
    return false;
  }).ok());
  EXPECT_TRUE(kept) << "the objection's correction stands";
}

// A receiver whose last commit fails after its answer holds less than the pusher sent; the
// pusher asks for the cursor once caught up and sends again what is missing before it stops.
TEST_F(ExchangeTest, ThePusherConfirmsTheCursorOnceCaughtUpAndSendsAgainWhatIsMissing) {
  FeedCounty();
  class ForgetfulSink final : public Sink {
   public:
    Result<uint64_t> Cursor() override { return held; }
    Status Send(std::span<const ChangeLine> lines, uint64_t,
                std::chrono::milliseconds*) override {
      ++sends;
      if (lines.front().seq != held + 1) return Status::InvalidArgument("a gap in the feed");
      // The first batch that reaches the end of the feed is answered, then lost.
      if (lines.back().seq == end && !forgot) {
        forgot = true;
        return Status::Ok();
      }
      held = lines.back().seq;
      return Status::Ok();
    }
    std::string Describe() const override { return "forgetful"; }
    uint64_t held = 0, end = 0;
    bool forgot = false;
    int sends = 0;
  } sink;
  sink.end = *county_.store->LastChangeSeq();
  PushOptions o;
  o.batch = 500;
  Pusher pusher(*county_.store, *county_.vault, sink, o);
  auto rep = pusher.Run();
  ASSERT_TRUE(rep.ok()) << rep.status().ToString();
  EXPECT_TRUE(sink.forgot);
  EXPECT_EQ(sink.held, sink.end);
  EXPECT_EQ(rep->cursor, sink.end);
  EXPECT_EQ(rep->sent, sink.end) << "each change counted once";
  EXPECT_GT(rep->resent, 0u) << "the lost batch, sent again";
  const int sends = sink.sends;
  // Once confirmed, a second run sends nothing.
  Pusher second(*county_.store, *county_.vault, sink, o);
  EXPECT_EQ(second.Run()->sent, 0u);
  EXPECT_EQ(sink.sends, sends);
}

// A receiver that holds more of this source than its feed has numbered (another county pushing
// under the same source id, or this store restored from an older backup): the push refuses, and
// sends nothing, instead of taking that cursor as "nothing to send" and skipping this feed.
TEST_F(ExchangeTest, APushToAReceiverAheadOfTheFeedIsRefused) {
  FeedCounty(20);
  const uint64_t end = *county_.store->LastChangeSeq();
  class AheadSink final : public Sink {
   public:
    explicit AheadSink(uint64_t h) : held(h) {}
    Result<uint64_t> Cursor() override { return held; }
    Status Send(std::span<const ChangeLine>, uint64_t, std::chrono::milliseconds*) override {
      ++sends;
      return Status::Ok();
    }
    std::string Describe() const override { return "ahead"; }
    uint64_t held;
    int sends = 0;
  } ahead(end + 5000), level(end);
  Pusher pusher(*county_.store, *county_.vault, ahead, PushOptions());
  auto rep = pusher.Run();
  EXPECT_EQ(rep.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(rep.status().message().find("another instance pushes under the same source id"),
            std::string::npos) << rep.status().ToString();
  EXPECT_EQ(ahead.sends, 0);
  Pusher caught_up(*county_.store, *county_.vault, level, PushOptions());
  auto fine = caught_up.Run();  // holding exactly the feed is caught up, not ahead
  ASSERT_TRUE(fine.ok()) << fine.status().ToString();
  EXPECT_EQ(fine->sent, 0u);
}

// A server pushing as it runs (`follow`) does not stop for good over a failure retrying cannot
// cure (a refused token, fixed at the receiver meanwhile): it reports it, waits and goes on.
// A one-off push ends with it.
TEST_F(ExchangeTest, AFollowingPushReportsARefusalAndGoesOn) {
  FeedCounty(20);
  class RefusingSink final : public Sink {
   public:
    Result<uint64_t> Cursor() override {
      if (refusals > 0) {
        --refusals;
        return Status::PermissionDenied("the token was revoked");
      }
      return held;
    }
    Status Send(std::span<const ChangeLine> lines, uint64_t, std::chrono::milliseconds*) override {
      held = lines.back().seq;
      if (held == end && pusher != nullptr) pusher->Stop();
      return Status::Ok();
    }
    std::string Describe() const override { return "refusing"; }
    int refusals = 2;
    uint64_t held = 0, end = 0;
    Pusher* pusher = nullptr;
  } sink;
  sink.end = *county_.store->LastChangeSeq();
  PushOptions once;
  Pusher one_off(*county_.store, *county_.vault, sink, once);
  EXPECT_EQ(one_off.Run().status().code(), StatusCode::kPermissionDenied);
  PushOptions o;
  o.follow = true;
  o.persist_wait = std::chrono::milliseconds(1);
  Pusher following(*county_.store, *county_.vault, sink, o);
  std::vector<std::string> reported;
  following.on_failure = [&](const Status& s) { reported.push_back(s.ToString()); };
  sink.pusher = &following;
  auto rep = following.Run();
  ASSERT_TRUE(rep.ok()) << rep.status().ToString();
  ASSERT_EQ(reported.size(), 1u);
  EXPECT_NE(reported[0].find("the token was revoked"), std::string::npos);
  EXPECT_EQ(sink.held, sink.end) << "it went on once the refusal ended";
}

// Deletion events at the end of the feed commit no records at the city; a batch of their own
// carries the cursor past them, so the pusher's confirmation finds it there and stops.
TEST_F(ExchangeTest, AFeedEndingInDeletionEventsIsConfirmedAndThePushEnds) {
  FeedCounty();
  std::vector<storage::RecordRef> erase;
  ASSERT_TRUE(county_.store->ScanIndicator("admin_licence", [&](uint64_t s, uint64_t r, Date) -> Result<bool> {
    erase.push_back({s, r});
    return erase.size() < 3;
  }).ok());
  ASSERT_TRUE(county_.store->Erase(erase, {}).ok());
  FlakySink sink(*receiver_, 1000);
  PushOptions o;
  o.batch = 250;
  Pusher pusher(*county_.store, *county_.vault, sink, o);
  auto rep = pusher.Run();
  ASSERT_TRUE(rep.ok()) << rep.status().ToString();
  const uint64_t end = *county_.store->LastChangeSeq();
  EXPECT_EQ(rep->cursor, end);
  EXPECT_EQ(*receiver_->Cursor("county-a"), end);
  std::vector<storage::BatchSummary> batches;
  ASSERT_TRUE(city_.store->ListBatches(1, "410102", &batches).ok());
  ASSERT_EQ(batches.size(), 1u);
  EXPECT_TRUE(batches[0].file.ends_with("-" + std::to_string(end))) << batches[0].file;
  EXPECT_EQ(batches[0].rows, 0u);
  auto report = city_.store->GetBatch(batches[0].id);
  ASSERT_TRUE(report.ok() && report->has_value());
  ASSERT_EQ((*report)->warnings.size(), 1u);
  EXPECT_EQ((*report)->warnings[0].code, "nothing_to_apply");
  EXPECT_NE((*report)->warnings[0].message.find("3 deletion events"), std::string::npos)
      << (*report)->warnings[0].message;
}

TEST_F(ExchangeTest, RefusesMalformedBatchesNamingTheLine) {
  auto r = receiver_->Apply("county-a", "410102", "{\"seq\":2,\"erased\":true}\n{\"seq\":1}\n");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(r.status().message().find("line 2"), std::string::npos) << r.status().ToString();
  EXPECT_FALSE(receiver_->Apply("county a", "410102", "").ok());
  EXPECT_FALSE(receiver_->Apply("county-a", "4101", "").ok());
  auto unknown = receiver_->Apply(
      "county-a", "410102",
      "{\"seq\":1,\"indicator\":\"no_such\",\"status\":\"active\",\"fields\":{}}\n");
  ASSERT_FALSE(unknown.ok());
  EXPECT_NE(unknown.status().message().find("no_such"), std::string::npos);
}

TEST_F(ExchangeTest, FileDropWritesIngestibleFilesAndResumesFromItsStateFile) {
  FeedCounty();
  const std::string drop = (dir_ / "drop").string();
  // What an attempt that failed before its state file left (the feed ended at 37 then), and a
  // file of another source.
  fs::create_directories(drop);
  const fs::path stale = fs::path(drop) / "admin_licence.county-a-000000000001-000000000037.csv";
  const fs::path other = fs::path(drop) / "admin_licence.county-b-000000000001-000000000037.csv";
  const fs::path dotted = fs::path(drop) / "admin_licence.x.county-a-000000000001-000000000037.csv";
  std::ofstream(stale) << "left over\n";
  std::ofstream(other) << "another source's\n";
  std::ofstream(dotted) << "source x.county-a's\n";
  auto sink = MakeDirSink(drop, "county-a", *catalog_);
  PushOptions o;
  o.batch = 400;
  Pusher pusher(*county_.store, *county_.vault, *sink, o);
  auto rep = pusher.Run();
  ASSERT_TRUE(rep.ok()) << rep.status().ToString();
  EXPECT_EQ(rep->cursor, *county_.store->LastChangeSeq());
  Pusher again(*county_.store, *county_.vault, *sink, o);
  EXPECT_EQ(again.Run()->sent, 0u) << "the state file says everything was written";
  EXPECT_FALSE(fs::exists(stale)) << "replaced by the batch sent again, not overlapping it";
  EXPECT_TRUE(fs::exists(other));
  EXPECT_TRUE(fs::exists(dotted)) << "a source whose id ends with this one's";
  fs::remove(other);
  fs::remove(dotted);

  // The CSV files, ingested in name order at the city, give the county's records (the one
  // revocation travels in the _changes file, which `ingest` does not read: an upper-level
  // Xinyong takes a drop of the feed instead, the next test).
  std::vector<std::string> files;
  for (const auto& e : fs::directory_iterator(drop)) {
    const std::string name = e.path().filename().string();
    EXPECT_FALSE(name.starts_with(".tmp-")) << name;
    if (e.path().extension() == ".csv") files.push_back(e.path().string());
  }
  std::sort(files.begin(), files.end(), [](const std::string& a, const std::string& b) {
    return fs::path(a).filename().string().substr(fs::path(a).filename().string().find('.')) <
           fs::path(b).filename().string().substr(fs::path(b).filename().string().find('.'));
  });
  ASSERT_FALSE(files.empty());
  for (const auto& f : files) {
    auto r = city_.ingester->IngestFile(f, ingest::IngestOptions());
    ASSERT_TRUE(r.ok()) << f << ": " << r.status().ToString();
    EXPECT_EQ(r->rejected, 0u) << f;
  }
  EXPECT_EQ(city_.store->Stats()->records, county_.store->Stats()->records);
}

// A drop of the feed itself (one-way links, file ferries): applied by ApplyDrop, everything the
// county holds reaches the city once, revocation included; a rerun and a growing drop apply each
// change once; a missing file stops it before the gap, saying so.
TEST_F(ExchangeTest, AFeedDropIsAppliedExactlyOnceAndAMissingFileIsNamed) {
  FeedCounty();
  const std::string drop = (dir_ / "feed-drop").string();
  auto sink = MakeDirSink(drop, "county-a", *catalog_, DropFormat::kFeed);
  PushOptions o;
  o.batch = 300;
  Pusher pusher(*county_.store, *county_.vault, *sink, o);
  auto pushed = pusher.Run();
  ASSERT_TRUE(pushed.ok()) << pushed.status().ToString();
  std::vector<std::string> names;  // the feed files, in feed order
  for (const auto& e : fs::directory_iterator(drop)) {
    const std::string n = e.path().filename().string();
    EXPECT_TRUE(n.starts_with("_feed.county-a-") || n == ".xinyong-push-county-a") << n;
    if (n.starts_with("_feed.")) names.push_back(n);
  }
  std::sort(names.begin(), names.end());
  ASSERT_GT(names.size(), 3u);
  // Another source's file and a stray one are left alone.
  std::ofstream(fs::path(drop) / "_feed.county-b-000000000001-000000000002.ndjson") << "junk\n";
  std::ofstream(fs::path(drop) / "notes.txt") << "hello\n";

  // The first file removed: nothing can be applied, and the error names the gap.
  const fs::path first = fs::path(drop) / names[0];
  const fs::path aside = dir_ / "aside";
  fs::rename(first, aside);
  auto gap = ApplyDrop(*receiver_, drop, "county-a", "410102");
  ASSERT_FALSE(gap.ok());
  EXPECT_EQ(gap.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(gap.status().message().find("changes 1-"), std::string::npos) << gap.status().ToString();
  EXPECT_EQ(*receiver_->Cursor("county-a"), 0u);
  fs::rename(aside, first);

  // The drop as it was after the first two batches, then all of it.
  const fs::path held = dir_ / "held";
  fs::create_directories(held);
  for (size_t i = 2; i < names.size(); ++i) {
    fs::rename(fs::path(drop) / names[i], held / names[i]);
  }
  auto part = ApplyDrop(*receiver_, drop, "county-a", "410102");
  ASSERT_TRUE(part.ok()) << part.status().ToString();
  EXPECT_EQ(part->files, 2u);
  for (const auto& e : fs::directory_iterator(held)) fs::rename(e.path(), fs::path(drop) / e.path().filename());
  auto rest = ApplyDrop(*receiver_, drop, "county-a", "410102");
  ASSERT_TRUE(rest.ok()) << rest.status().ToString();
  EXPECT_EQ(rest->files_skipped, 2u);
  EXPECT_EQ(rest->totals.skipped, 0u);
  EXPECT_EQ(rest->totals.cursor, *county_.store->LastChangeSeq());
  EXPECT_EQ(rest->totals.status_changes, 1u) << "the revocation, in its place in the feed";
  ExpectCityHoldsTheCounty();

  auto again = ApplyDrop(*receiver_, drop, "county-a", "410102");
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->files, 0u);
  EXPECT_EQ(again->totals.lines, 0u);
  ExpectCityHoldsTheCounty();

  EXPECT_FALSE(ApplyDrop(*receiver_, (dir_ / "no-such").string(), "county-a", "410102").ok());
  EXPECT_FALSE(ApplyDrop(*receiver_, drop, "county a", "410102").ok());
}

// A socket listening on an ephemeral loopback port, its address in *addr; -1 on failure.
int ListenOnLoopback(sockaddr_in* addr) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return -1;
  addr->sin_family = AF_INET;
  addr->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr->sin_port = 0;
  socklen_t len = sizeof *addr;
  if (::bind(fd, reinterpret_cast<sockaddr*>(addr), sizeof *addr) != 0 || ::listen(fd, 8) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(addr), &len) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

// A receiver that accepts the connection and then never answers (its host lost power, a
// firewall dropped the connection): the request fails after the sink's timeout instead of
// waiting for ever, and the next one fails the same way.
TEST(HttpSinkTest, ASilentReceiverFailsTheRequestAfterTheTimeout) {
  sockaddr_in addr{};
  const int listener = ListenOnLoopback(&addr);  // the kernel completes connections; nobody reads
  ASSERT_GE(listener, 0);
  auto sink = MakeHttpSink("http://127.0.0.1:" + std::to_string(ntohs(addr.sin_port)), "token",
                           "county-a", "410102", std::chrono::milliseconds(200));
  auto cursor = sink->Cursor();
  EXPECT_EQ(cursor.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(cursor.status().message().find("no progress within 200 ms"), std::string::npos)
      << cursor.status().ToString();
  ChangeLine line;
  line.seq = 1;
  line.version = 0;
  line.erased = true;
  std::chrono::milliseconds retry_after{0};
  const Status sent = sink->Send(std::span(&line, 1), 0, &retry_after);
  EXPECT_EQ(sent.code(), StatusCode::kUnavailable) << sent.ToString();
  ::close(listener);
}

// A receiver behind a proxy whose body limit is smaller than a batch (413): the batch goes in
// halves until its parts fit, each part saying where the one before ended, and later batches
// go in parts of that size at once. A 408 from a proxy is worth retrying.
TEST(HttpSinkTest, ABatchRefusedAsTooLargeGoesInParts) {
  sockaddr_in addr{};
  const int listener = ListenOnLoopback(&addr);
  ASSERT_GE(listener, 0);
  // Answers each request on its own connection: 413 for more than 3 lines, then 408 once, then
  // 200. Records the lines and the `after=` of each request.
  std::vector<std::pair<size_t, std::string>> requests;
  std::thread proxy([&] {
    bool timed_out = false;
    for (;;) {
      const int c = ::accept(listener, nullptr, nullptr);
      if (c < 0) return;
      std::string in;
      char buf[4096];
      size_t body_at = std::string::npos, length = 0;
      while (body_at == std::string::npos || in.size() < body_at + length) {
        const ssize_t n = ::read(c, buf, sizeof buf);
        if (n <= 0) break;
        in.append(buf, static_cast<size_t>(n));
        if (body_at == std::string::npos && in.find("\r\n\r\n") != std::string::npos) {
          body_at = in.find("\r\n\r\n") + 4;
          const size_t cl = in.find("Content-Length: ");
          length = cl == std::string::npos ? 0 : std::stoul(in.substr(cl + 16));
        }
      }
      if (in.rfind("QUIT", 0) == 0) {
        ::close(c);
        return;
      }
      const size_t lines = std::count(in.begin() + static_cast<long>(std::min(body_at, in.size())),
                                      in.end(), '\n');
      const size_t a = in.find("after=");
      requests.emplace_back(lines, in.substr(a + 6, in.find(' ', a) - a - 6));
      std::string status = "200 OK";
      if (lines > 3) {
        status = "413 Payload Too Large";
      } else if (!timed_out) {
        timed_out = true;
        status = "408 Request Timeout";
      }
      const std::string answer = "HTTP/1.1 " + status +
                                 "\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}";
      static_cast<void>(::write(c, answer.data(), answer.size()));
      ::close(c);
    }
  });
  auto sink = MakeHttpSink("http://127.0.0.1:" + std::to_string(ntohs(addr.sin_port)), "token",
                           "county-a", "410102", std::chrono::milliseconds(5000));
  std::vector<ChangeLine> lines(10);
  for (size_t i = 0; i < lines.size(); ++i) {
    lines[i].seq = 100 + i;
    lines[i].erased = true;
  }
  std::chrono::milliseconds retry_after{0};
  const Status first = sink->Send(lines, 99, &retry_after);
  EXPECT_EQ(first.code(), StatusCode::kUnavailable) << "408: " << first.ToString();
  const Status again = sink->Send(lines, 99, &retry_after);
  EXPECT_TRUE(again.ok()) << again.ToString();
  {  // stop the proxy
    const int q = ::socket(AF_INET, SOCK_STREAM, 0);
    ASSERT_EQ(::connect(q, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
    static_cast<void>(::write(q, "QUIT\r\n\r\n", 8));
    ::close(q);
  }
  proxy.join();
  ::close(listener);
  // 10 lines: 413; 5: 413; 2 lines: 408 (the first Send fails). Then at most 2 a request:
  // 2, 2, 2, 2, 2, each after the one before.
  const std::vector<std::pair<size_t, std::string>> want = {
      {10, "99"}, {5, "99"}, {2, "99"}, {2, "99"}, {2, "101"}, {2, "103"}, {2, "105"}, {2, "107"}};
  EXPECT_EQ(requests, want);
}

TEST(DropFileRangeTest, ReadsOnlyThisSourcesNames) {
  EXPECT_EQ(DropFileRange("_feed.c-000000000001-000000000009.ndjson", "c"),
            std::make_optional(std::pair<uint64_t, uint64_t>{1, 9}));
  EXPECT_EQ(DropFileRange("admin_licence.c-000000000003-000000000004.2025-03-03.csv", "c"),
            std::make_optional(std::pair<uint64_t, uint64_t>{3, 4}));
  for (const char* other :
       {"_feed.c-a-000000000001-000000000009.ndjson", "_feed.x.c-000000000001-000000000009.ndjson",
        "_feed.c-000000000001-000000000009x", "_feed.c-000000000009-000000000001.ndjson",
        "_feed.c-000000000000-000000000001.ndjson", ".tmp-_feed.c-000000000001-000000000009.ndjson",
        "c-000000000001-000000000009", "_feed.c-00000000001-000000000009.ndjson"}) {
    EXPECT_EQ(DropFileRange(other, "c"), std::nullopt) << other;
  }
}

}  // namespace
}  // namespace xinyong::exchange
