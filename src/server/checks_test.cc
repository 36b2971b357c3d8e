// Credit checks on a generated city: the trigger index — kept current by ingestion alone, and
// built from the store afterwards — must give every subject, in every scenario, on the day it was
// made and on later days, exactly the outcome (measures, records cited, document numbers, dates)
// that the Checker gives from all the subject's records; a batch of checks must be logged, all of
// them, under consecutive ids.
#include "server/checks.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <random>
#include <set>

#include "core/test_paths.h"
#include "gen/generator.h"

namespace xinyong::server {
namespace {

namespace fs = std::filesystem;

std::string Describe(const rules::CheckOutcome& o) {
  std::string s(rules::CheckResultName(o.result));
  for (const rules::AppliedMeasure& m : o.measures) {
    s += " [" + m.measure->code;
    for (const rules::TriggerEvidence& t : m.triggers) {
      s += " " + t.indicator + "#" + std::to_string(t.record_id) + " " + t.document_number + " " +
           t.date.ToString() + (t.until ? "~" + t.until->ToString() : "") + " " + t.detail;
      if (t.via_subject != 0) {
        s += " via " + std::to_string(t.via_subject) + " as " + std::string(PersonRoleName(t.link));
      }
    }
    s += "]";
  }
  for (const rules::AppliedMeasure& m : o.withheld_rewards) s += " withheld " + m.measure->code;
  return s;
}

class ChecksTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::random_device rd;
    dir_ = fs::temp_directory_path() / ("xinyong-checks-" + std::to_string(rd()));
    PlatformOptions o;
    o.data_dir = (dir_ / "data").string();
    o.share_dir = test::SourceDir() + "/data";
    o.key_file = (dir_ / "keys" / "k.key").string();
    o.sync = false;
    o.grade_on_ingest = false;  // the checks below are given their grade
    auto p = Platform::Open(o);
    ASSERT_TRUE(p.ok()) << p.status().ToString();
    p_ = std::move(p).value();
  }
  void TearDown() override {
    p_.reset();
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }

  // A city of `subjects` generated as of `as_of` (corrections and bad rows included), ingested.
  void IngestCity(uint64_t subjects, uint64_t seed, Date as_of) {
    gen::GenOptions o;
    o.out_dir = (dir_ / ("gen" + std::to_string(seed))).string();
    o.subjects = subjects;
    o.seed = seed;
    o.as_of = as_of;
    o.correction_share = 0.02;
    auto r = gen::Generate(p_->catalog(), o);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    for (const auto& [file, rows] : r->files) {
      auto f = p_->ingester().IngestFile(file, ingest::IngestOptions());
      ASSERT_TRUE(f.ok()) << file << ": " << f.status().ToString();
    }
  }

  // Every subject in every scenario on `day`: the index's facts against all the records — for a
  // person, with the current versions of the records that name it (落实到人). `linked` counts the
  // evidence that reached a person through another subject's record.
  void ExpectIndexAgreesWithRecords(const rules::TriggerIndex& index, Date day, size_t* fired,
                                    size_t* linked = nullptr) {
    const rules::Checker& checker = p_->checker();
    std::string buffer, linked_buffer;
    std::vector<rules::TriggerFact> facts, want_facts;
    std::vector<PersonLink> links;
    std::vector<Record> linked_records;
    ASSERT_TRUE(p_->store().ScanSubjects([&](const Subject& s) -> Status {
      rules::SubjectFacts all;
      XY_RETURN_IF_ERROR(p_->store().ListRecords(s.id, "", &all.records));
      if (auto e = p_->evaluation().Evaluate(s, all.records, p_->catalog(), day)) {
        all.grade = e->grade;
      }
      want_facts.clear();
      checker.Collect(all.records, &want_facts);
      index.Lookup(s.id, &buffer, &facts);
      std::string_view hash;
      for (const Identifier& i : s.identifiers) {
        if (i.kind == IdentifierKind::kResidentIdHash) hash = i.value;
      }
      if (s.type == SubjectType::kNaturalPerson && !hash.empty()) {
        links.clear();
        XY_RETURN_IF_ERROR(p_->store().ListPersonLinks(hash, &links));
        linked_records.clear();
        for (const PersonLink& l : links) {
          std::vector<Record> versions;
          XY_RETURN_IF_ERROR(p_->store().ListRecordVersions(l.subject_id, l.record_id, &versions));
          linked_records.push_back(versions.empty() ? Record() : versions.back());
        }
        const size_t own = want_facts.size();
        for (size_t i = 0; i < links.size(); ++i) {
          checker.CollectLinked(linked_records[i], links[i].role, hash, &want_facts);
        }
        std::sort(want_facts.begin() + static_cast<std::ptrdiff_t>(own), want_facts.end(),
                  rules::CitedBefore);
        index.LookupLinked(hash, &linked_buffer, &facts);
      }
      for (const rules::Scenario& sc : p_->measures().scenarios()) {
        if (!index.Covers(sc.code)) continue;
        auto want = checker.Evaluate(s, want_facts, all.grade, sc.code, day);
        auto got = checker.Evaluate(s, facts, all.grade, sc.code, day);
        EXPECT_TRUE(want.ok() && got.ok());
        if (!want.ok() || !got.ok()) return Status::Ok();
        EXPECT_EQ(Describe(*got), Describe(*want))
            << "subject " << s.id << ", " << sc.code << ", " << day.ToString();
        *fired += want->measures.size();
        for (const rules::AppliedMeasure& m : want->measures) {
          fired_codes_.insert(m.measure->code);
          for (const rules::TriggerEvidence& t : m.triggers) {
            if (linked != nullptr && t.via_subject != 0) ++*linked;
          }
        }
        // The records alone give what they gave before there were linked facts.
        if (s.type != SubjectType::kNaturalPerson) {
          auto from_records = checker.Evaluate(s, all, sc.code, day);
          EXPECT_TRUE(from_records.ok() && Describe(*from_records) == Describe(*want));
        }
      }
      return Status::Ok();
    }).ok());
  }

  fs::path dir_;
  std::unique_ptr<Platform> p_;
  std::set<std::string> fired_codes_;  // every measure ExpectIndexAgreesWithRecords saw apply
};

TEST_F(ChecksTest, TriggerIndexGivesEveryCheckWhatAllTheRecordsGive) {
  const Date today = Date::Today();
  // Built on the empty store, then kept current by the ingestion of two cities (the second
  // adds records to subjects of the first and corrects some).
  auto incremental = p_->triggers();
  ASSERT_TRUE(incremental.ok()) << incremental.status().ToString();
  ASSERT_EQ((*incremental)->Stats().subjects, 0u);
  IngestCity(600, 5, today);
  IngestCity(600, 6, today);
  auto built = rules::TriggerIndex::Build(p_->store(), p_->checker(), today, 2);
  ASSERT_TRUE(built.ok()) << built.status().ToString();
  const rules::TriggerIndexStats a = (*incremental)->Stats(), b = (*built)->Stats();
  EXPECT_GT(a.subjects, 100u);
  EXPECT_GT(a.persons, 10u);
  EXPECT_EQ(a.subjects, b.subjects);
  EXPECT_EQ(a.persons, b.persons);
  EXPECT_EQ(a.facts, b.facts);
  // An index of one scenario's indicators (lists), read from the subjects that have any.
  auto lists = rules::TriggerIndex::Build(p_->store(), p_->checker(), today, 2,
                                          p_->checker().IndicatorsOf("government_procurement"));
  ASSERT_TRUE(lists.ok()) << lists.status().ToString();
  EXPECT_TRUE((*lists)->Covers("government_procurement"));
  EXPECT_FALSE((*lists)->Covers("supervision"));
  EXPECT_GT((*lists)->Stats().subjects, 10u);
  EXPECT_LT((*lists)->Stats().subjects, b.subjects);
  for (int later : {0, 400}) {
    size_t fired = 0;
    ExpectIndexAgreesWithRecords(*lists.value(), today.AddDays(later), &fired);
  }
  // On later days memberships end, windows and publicity periods pass: the facts the index
  // dropped must be exactly those that could no longer fire.
  for (int later : {0, 45, 200, 400, 1200}) {
    const Date day = today.AddDays(later);
    size_t fired_incremental = 0, fired_built = 0, linked = 0;
    ExpectIndexAgreesWithRecords(**incremental, day, &fired_incremental);
    ExpectIndexAgreesWithRecords(*built.value(), day, &fired_built, &linked);
    EXPECT_EQ(fired_incremental, fired_built);
    if (later == 0) {
      EXPECT_GT(fired_built, 100u) << "the city should trigger measures";
      // Among them a penalty made serious by its content (its severity kept in the index).
      EXPECT_TRUE(fired_codes_.contains("CJ-QL-003"));
      EXPECT_GT(linked, 10u) << "the city's legal representatives should be reached (落实到人)";
    }
  }
}

TEST_F(ChecksTest, TheCodeDirectoryResolvesEveryCodeAsTheStoreDoes) {
  const Date today = Date::Today();
  IngestCity(300, 9, today);
  // The store's answer for every code (and legacy code) of every subject, before the directory.
  struct Code {
    std::string code;  // as a caller writes it
    IdentifierKind kind;
    std::string value;  // as stored
    uint64_t id;        // the store's answer
  };
  std::vector<Code> want;
  auto collect = [&] {
    want.clear();
    ASSERT_TRUE(p_->store().ScanSubjects([&](const Subject& s) {
      for (const Identifier& i : s.identifiers) {
        if (i.kind == IdentifierKind::kResidentIdHash || i.kind == IdentifierKind::kOtherIdHash) {
          continue;  // not codes
        }
        const std::string code = i.kind == IdentifierKind::kPersonCode ? "P" + i.value : i.value;
        auto id = p_->FindSubjectIdByCode(code);
        EXPECT_TRUE(id.ok()) << code << ": " << id.status().ToString();
        if (id.ok()) want.push_back({code, i.kind, i.value, *id});
      }
      return Status::Ok();
    }).ok());
  };
  collect();
  ASSERT_GT(want.size(), 300u);
  auto codes = p_->codes();
  ASSERT_TRUE(codes.ok()) << codes.status().ToString();
  auto expect_same = [&](const char* when) {
    for (const Code& c : want) {
      auto s = p_->FindSubjectByCode(c.code);
      ASSERT_TRUE(s.ok()) << when << ": " << c.code << ": " << s.status().ToString();
      EXPECT_EQ(s->id, c.id) << when << ": " << c.code;
    }
  };
  expect_same("built");
  // A second city ingested after the build: its subjects reach the directory with each commit.
  IngestCity(200, 10, today);
  collect();
  for (const Code& c : want) {
    EXPECT_EQ((*codes)->Find(c.kind, c.value), search::CodeDirectory::Kept(c.kind) ? c.id : 0)
        << c.code;
  }
  expect_same("after more ingestion");
  // Errors are the store's: nobody's code, not a code, too long to be one, a resident ID number.
  EXPECT_EQ(p_->FindSubjectByCode("P00000000000000000000").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(p_->FindSubjectByCode("91410100MA44DWJQ4X").status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(p_->FindSubjectByCode(std::string(41, 'A')).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(p_->FindSubjectByCode("410102199001011234").status().code(),
            StatusCode::kPermissionDenied);
  // A hint naming the wrong subject (as a hash two codes share would): that subject does not
  // hold the code, so the store decides.
  const Code* uscc = nullptr;   // a company's USCC
  const Code* other = nullptr;  // another company's
  for (const Code& c : want) {
    if (c.kind != IdentifierKind::kUscc) continue;
    if (uscc == nullptr) {
      uscc = &c;
    } else if (c.id != uscc->id) {
      other = &c;
      break;
    }
  }
  ASSERT_TRUE(uscc != nullptr && other != nullptr);
  Subject wrong;
  wrong.id = other->id;
  wrong.identifiers = {{IdentifierKind::kUscc, uscc->value}};
  // The platform's directory is not const (its commit observer applies to it); tests only may.
  const_cast<search::CodeDirectory*>(*codes)->Apply(std::span(&wrong, 1));
  ASSERT_EQ((*codes)->Find(IdentifierKind::kUscc, uscc->value), other->id);
  auto found = p_->FindSubjectByCode(uscc->code);
  ASSERT_TRUE(found.ok()) << found.status().ToString();
  EXPECT_EQ(found->id, uscc->id);
  // A subject erased after the build: the directory still names it, the store says none has it.
  const Code gone = *other;
  ASSERT_TRUE(p_->store().Erase({}, std::span(&gone.id, 1)).ok());
  EXPECT_EQ((*codes)->Find(gone.kind, gone.value), gone.id);
  EXPECT_EQ(p_->FindSubjectByCode(gone.code).status().code(), StatusCode::kNotFound) << gone.code;
}

TEST_F(ChecksTest, ABatchThroughTheCodeDirectoryIsTheBatchThroughTheStore) {
  const Date today = Date::Today();
  IngestCity(300, 9, today);
  std::vector<std::string> codes;
  std::vector<Subject> companies;
  ASSERT_TRUE(p_->store().ScanSubjects([&](const Subject& s) {
    codes.push_back(s.DisplayCode());
    if (!s.uscc.empty()) companies.push_back(s);
    return Status::Ok();
  }).ok());
  ASSERT_GE(companies.size(), 3u);
  std::shuffle(codes.begin(), codes.end(), std::mt19937(5));
  codes.push_back("91410100MA44DWJQ4X");     // not a valid USCC
  codes.push_back("P00000000000000000000");  // nobody's code
  const CheckRequest request{"", "government_procurement", "政府采购", "410100-czj", "127.0.0.1"};
  ASSERT_TRUE(p_->triggers().ok());
  auto by_store = EvaluateChecks(*p_, request, codes, today, 2);
  ASSERT_TRUE(by_store.ok()) << by_store.status().ToString();

  auto directory = p_->codes();
  ASSERT_TRUE(directory.ok());
  // A hint naming the wrong subject (as a hash two codes share would), and a subject erased
  // after the directory was built: both go back to the store.
  const Subject& misled = companies[0];
  Subject wrong;
  wrong.id = companies[1].id;
  wrong.identifiers = {{IdentifierKind::kUscc, misled.uscc}};
  // The platform's directory is not const (its commit observer applies to it); tests only may.
  const_cast<search::CodeDirectory*>(*directory)->Apply(std::span(&wrong, 1));
  const Subject& erased = companies[2];
  ASSERT_TRUE(p_->store().Erase({}, std::span(&erased.id, 1)).ok());

  auto by_directory = EvaluateChecks(*p_, request, codes, today, 2);
  ASSERT_TRUE(by_directory.ok()) << by_directory.status().ToString();
  size_t checked = 0;
  for (size_t i = 0; i < codes.size(); ++i) {
    const BatchItem& x = by_store->items[i];
    const BatchItem& y = by_directory->items[i];
    if (codes[i] == erased.DisplayCode()) {
      EXPECT_EQ(y.status.code(), StatusCode::kNotFound);
      EXPECT_EQ(y.subject_id, 0u);
      continue;
    }
    ASSERT_EQ(x.status.code(), y.status.code()) << codes[i];
    EXPECT_EQ(x.subject_id, y.subject_id) << codes[i];
    if (!y.status.ok()) continue;
    ++checked;
    EXPECT_EQ(x.code, y.code) << codes[i];
    EXPECT_EQ(Describe(x.outcome), Describe(y.outcome)) << codes[i];
  }
  EXPECT_EQ(checked, codes.size() - 3);
  const auto at = std::find(codes.begin(), codes.end(), misled.DisplayCode()) - codes.begin();
  EXPECT_EQ(by_directory->items[static_cast<size_t>(at)].subject_id, misled.id);
}

TEST_F(ChecksTest, ABatchIsEvaluatedAsSingleChecksAreAndLoggedUnderConsecutiveIds) {
  const Date today = Date::Today();
  IngestCity(300, 9, today);
  std::vector<std::string> codes;
  ASSERT_TRUE(p_->store().ScanSubjects([&](const Subject& s) {
    codes.push_back(s.DisplayCode());
    return Status::Ok();
  }).ok());
  std::shuffle(codes.begin(), codes.end(), std::mt19937(3));
  codes.insert(codes.begin() + 5, "91410100MA44DWJQ4X");  // not a valid USCC
  codes.push_back("P00000000000000000000");                // nobody's code
  const CheckRequest request{"", "supervision", "年度检查", "410100-scjg", "127.0.0.1"};

  // Without the index (records read from the store), then with it: the same outcomes. A batch of
  // every subject reads subjects in one pass per thread (Store::FindSubjects, GetSubjects).
  auto from_store = EvaluateChecks(*p_, request, codes, today, 2);
  ASSERT_TRUE(from_store.ok()) << from_store.status().ToString();
  ASSERT_TRUE(p_->triggers().ok());
  auto from_index = EvaluateChecks(*p_, request, codes, today, 2);
  ASSERT_TRUE(from_index.ok());
  ASSERT_EQ(from_index->items.size(), codes.size());
  size_t failed = 0;
  for (size_t i = 0; i < codes.size(); ++i) {
    const BatchItem& x = from_store->items[i];
    const BatchItem& y = from_index->items[i];
    EXPECT_EQ(x.status.code(), y.status.code()) << codes[i];
    if (!y.status.ok()) {
      ++failed;
      continue;
    }
    EXPECT_EQ(Describe(x.outcome), Describe(y.outcome)) << codes[i];
    // A single check of the same code says the same.
    CheckRequest one = request;
    one.subject = codes[i];
    auto single = EvaluateCheck(*p_, one, today);
    ASSERT_TRUE(single.ok()) << codes[i];
    EXPECT_EQ(Describe(single->outcome), Describe(y.outcome)) << codes[i];
    EXPECT_EQ(single->subject.DisplayCode(), y.code);
  }
  EXPECT_EQ(failed, 2u);
  // A few codes of the city are read by point reads rather than in one pass: the same again.
  const std::vector<std::string> few(codes.begin(), codes.begin() + 20);
  auto some = EvaluateChecks(*p_, request, few, today, 2);
  ASSERT_TRUE(some.ok());
  for (size_t i = 0; i < few.size(); ++i) {
    EXPECT_EQ(some->items[i].status.code(), from_index->items[i].status.code()) << few[i];
    EXPECT_EQ(some->items[i].code, from_index->items[i].code);
    EXPECT_EQ(Describe(some->items[i].outcome), Describe(from_index->items[i].outcome)) << few[i];
  }
  EXPECT_EQ(from_index->items[5].status.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(from_index->items.back().status.code(), StatusCode::kNotFound);

  ASSERT_TRUE(LogChecks(*p_, &*from_index).ok());
  uint64_t next = 0;
  for (const BatchItem& item : from_index->items) {
    if (!item.status.ok()) {
      EXPECT_EQ(item.id, 0u);
      continue;
    }
    if (next != 0) {
      EXPECT_EQ(item.id, next);
    }
    next = item.id + 1;
    auto logged = p_->store().GetCheck(item.id);
    ASSERT_TRUE(logged.ok() && logged->has_value()) << item.id;
    EXPECT_EQ((*logged)->subject_code, item.code);
    EXPECT_EQ((*logged)->result, rules::CheckResultName(item.outcome.result));
    EXPECT_EQ((*logged)->purpose, "年度检查");
    EXPECT_EQ((*logged)->measures.size(), item.outcome.measures.size());
  }

  // An unknown scenario fails the whole batch.
  CheckRequest bad = request;
  bad.scenario = "no_such_scenario";
  auto none = EvaluateChecks(*p_, bad, codes, today);
  ASSERT_FALSE(none.ok());
  EXPECT_TRUE(none.status().message().starts_with("unknown scenario"));
}

// 落实到人 end to end: a person named as legal representative in a company's serious-dishonesty
// entry is reached, when checked, by the measures aimed at legal representatives — citing the
// company's entry — and no longer once a correction names someone else.
// A serious-dishonesty entry names a person as a company's legal representative: checks of the
// person in scenarios whose measures reach legal representatives find it, until the entry is
// corrected to name someone else.
void ExpectALegalRepresentativeReached(Platform& p) {
  const std::string person_id = "11010519491231002X", other_id = "110105194912310038";
  ingest::IngestOptions o;
  o.indicator = "admin_penalty";
  o.dept = "410100-scjg";
  auto pen = p.ingester().IngestBuffer(
      "CF_XDR_MC,CF_XDR_LB,CF_XDR_ZJLX,CF_XDR_ZJHM,CF_WSH,CF_WFXW,CF_SY,CF_YJ,CF_CFLB,CF_NR,"
      "CF_NR_FK,CF_JDRQ,CF_CFJG,CF_CFJGDM,CF_SJLY,CF_SJLYDM,CF_CFCX\n"
      "张三,自然人,身份证," + person_id + ",郑市监罚〔2024〕300号,虚假宣传,在网站发布虚假广告,"
      "《中华人民共和国广告法》第五十五条,罚款,罚款2万元,2,2024-07-15,郑州市市场监督管理局,"
      "11410100MB0000001X,郑州市市场监督管理局,11410100MB0000001X,普通程序\n",
      "penalty.csv", o);
  ASSERT_TRUE(pen.ok()) << pen.status().ToString();
  ASSERT_EQ(pen->accepted, 1u);
  auto list_row = [](std::string_view rep, std::string_view responsible) {
    return "YZSX_ZTMC,YZSX_ZTLB,YZSX_TYSHXYDM,YZSX_FDDBR,YZSX_FR_ZJHM,YZSX_ZRR,YZSX_ZRR_ZJHM,"
           "YZSX_MDMC,YZSX_RDBM,YZSX_RDBMDM,YZSX_RDWSH,YZSX_LRYY,YZSX_FLYJ,YZSX_LRRQ,YZSX_YXQZ\n"
           "郑州宏达（集团）商贸有限公司,法人及非法人组织,91110000600037341L,张三," +
           std::string(rep) + ",李四," + std::string(responsible) +
           ",环境违法严重失信名单,郑州市生态环境局,11410100MB1EM1ACX8,郑环严失认〔2024〕1号,"
           "逃避监管排放水污染物,《中华人民共和国环境保护法》第五十四条,2024-09-11,2099-09-11\n";
  };
  o.indicator = "serious_dishonesty";
  o.dept = "410100-sthj";
  auto listed = p.ingester().IngestBuffer(list_row(person_id, other_id), "list.csv", o);
  ASSERT_TRUE(listed.ok()) << listed.status().ToString();
  ASSERT_EQ(listed->accepted, 1u);

  auto hash = p.vault().LookupHash(person_id);
  auto id = p.store().FindSubject(IdentifierKind::kResidentIdHash,
                                    std::string_view(reinterpret_cast<const char*>(hash.data()),
                                                     hash.size()));
  ASSERT_TRUE(id.ok() && id->has_value());
  auto person = p.store().GetSubject(**id);
  ASSERT_TRUE(person.ok() && person->has_value());
  const std::string code = (*person)->DisplayCode();
  const Date today = Date::Today();
  auto check = [&](std::string_view scenario) {
    CheckRequest r{code, std::string(scenario), "评优资格审查", "410100-wmb", "test"};
    auto c = EvaluateCheck(p, r, today);
    EXPECT_TRUE(c.ok()) << c.status().ToString();
    return c.ok() ? std::move(c).value() : CheckDone();
  };
  CheckDone c = check("honours");
  EXPECT_EQ(c.outcome.result, rules::CheckResult::kRefused);
  ASSERT_FALSE(c.outcome.measures.empty());
  for (const rules::AppliedMeasure& a : c.outcome.measures) {
    const auto& t = a.measure->targets;
    EXPECT_NE(std::find(t.begin(), t.end(), rules::Target::kLegalRepresentative), t.end());
    ASSERT_EQ(a.triggers.size(), 1u);
    EXPECT_EQ(a.triggers[0].indicator, "serious_dishonesty");
    EXPECT_EQ(a.triggers[0].document_number, "郑环严失认〔2024〕1号");
    EXPECT_EQ(a.triggers[0].via_code, "91110000600037341L");
    EXPECT_EQ(a.triggers[0].via_name, "郑州宏达（集团）商贸有限公司");
  }
  const std::string body = boost::json::serialize(CheckJson(c, today));
  EXPECT_NE(body.find("\"via\""), std::string::npos);
  EXPECT_NE(body.find("法定代表人"), std::string::npos);
  EXPECT_EQ(body.find(person_id), std::string::npos);
  // In a scenario whose measures on this list reach the company only, the person passes.
  for (const rules::AppliedMeasure& a : check("government_procurement").outcome.measures) {
    const auto& t = a.measure->targets;
    EXPECT_NE(std::find(t.begin(), t.end(), rules::Target::kLegalRepresentative), t.end());
  }

  // The register corrects the entry: another legal representative; the person is reached no more.
  auto corrected = p.ingester().IngestBuffer(list_row(other_id, ""), "list2.csv", o);
  ASSERT_TRUE(corrected.ok()) << corrected.status().ToString();
  ASSERT_EQ(corrected->corrected, 1u);
  EXPECT_EQ(check("honours").outcome.result, rules::CheckResult::kPass);
}

TEST_F(ChecksTest, TheAnswerShowsRewardsWithheldBesideAPunishmentWithTheReason) {
  CheckDone c;
  c.subject.id = 7;
  c.subject.type = SubjectType::kLegalPerson;
  c.subject.name = "郑州某某商贸有限公司";
  c.subject.uscc = "91410100MA44DWJQ4H";
  c.log.scenario = "administrative_approval";
  const Date day = *Date::Parse("2026-11-22");
  auto entry = [](std::string indicator, uint64_t id) {
    Record r;
    r.subject_id = 7;
    r.record_id = id;
    r.indicator = std::move(indicator);
    r.decision_date = *Date::Parse("2026-03-01");
    r.document_number = "文" + std::to_string(id) + "号";
    return r;
  };
  rules::SubjectFacts facts;
  facts.records = {entry("red_list", 21)};
  auto answer = [&] {
    auto o = p_->checker().Evaluate(c.subject, facts, c.log.scenario, day);
    EXPECT_TRUE(o.ok()) << o.status().ToString();
    if (o.ok()) c.outcome = std::move(o).value();
    return CheckJson(c, day);
  };
  boost::json::object honoured = answer();
  EXPECT_EQ(honoured["result"], "pass_with_reward");
  EXPECT_FALSE(honoured["measures"].as_array().empty());
  EXPECT_TRUE(honoured["withheld_rewards"].as_array().empty());
  EXPECT_FALSE(honoured.contains("withheld_reason"));

  facts.records.push_back(entry("serious_dishonesty", 11));
  boost::json::object listed = answer();
  EXPECT_EQ(listed["result"], "refused");
  for (const boost::json::value& m : listed["measures"].as_array()) {
    EXPECT_EQ(m.at("kind"), "punishment");
  }
  ASSERT_EQ(listed["withheld_rewards"].as_array().size(), honoured["measures"].as_array().size());
  for (const boost::json::value& m : listed["withheld_rewards"].as_array()) {
    EXPECT_EQ(m.at("kind"), "reward");
    EXPECT_EQ(m.at("triggers").at(0).at("record_id"), 21);
  }
  EXPECT_EQ(listed["withheld_reason"].as_string(), rules::kRewardsWithheldReason);
}

TEST_F(ChecksTest, ALegalRepresentativeNamedInAListEntryIsReachedWhenChecked) {
  ExpectALegalRepresentativeReached(*p_);  // the linked records read from the store
}

TEST_F(ChecksTest, TheTriggerIndexReachesALegalRepresentativeAsTheStoreDoes) {
  auto index = p_->triggers();  // kept current by the ingestion below
  ASSERT_TRUE(index.ok()) << index.status().ToString();
  ExpectALegalRepresentativeReached(*p_);
  // The entry corrected: the incremental index no longer links it to the first person, and an
  // index built afresh agrees.
  auto built = rules::TriggerIndex::Build(p_->store(), p_->checker(), Date::Today(), 2);
  ASSERT_TRUE(built.ok()) << built.status().ToString();
  const rules::TriggerIndexStats a = (*index)->Stats(), b = (*built)->Stats();
  EXPECT_EQ(a.persons, 1u);  // the new legal representative
  EXPECT_EQ(a.persons, b.persons);
  EXPECT_EQ(a.facts, b.facts);
}

}  // namespace
}  // namespace xinyong::server
