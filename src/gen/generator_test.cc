#include "gen/generator.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "catalog/catalog.h"
#include "core/identifiers.h"
#include "core/industry.h"
#include "core/test_paths.h"
#include "ingest/csv_reader.h"
#include "ingest/encoding.h"
#include "ingest/ingester.h"
#include "ingest/text_source.h"
#include "storage/rocksdb/rocksdb_store.h"

namespace xinyong::gen {
namespace {

namespace fs = std::filesystem;

constexpr uint64_t kSubjects = 2000;

using test::SourceDir;

Date AsOf() { return *Date::FromYmd(2025, 6, 30); }

std::string ReadAll(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Rows of a CSV file as the ingester's reader sees them (header first).
std::vector<std::vector<std::string>> ReadCsv(const fs::path& p) {
  auto src = ingest::TextSource::OpenFile(p.string());
  EXPECT_TRUE(src.ok()) << src.status().ToString();
  ingest::CsvReader reader(std::move(src).value());
  std::vector<std::vector<std::string>> rows;
  ingest::CsvRow row;
  while (true) {
    auto more = reader.ReadRow(&row);
    EXPECT_TRUE(more.ok());
    if (!more.ok() || !*more) break;
    rows.emplace_back(row.cells.begin(), row.cells.end());
  }
  return rows;
}

class GeneratorTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto cat = catalog::Catalog::LoadDirectory(SourceDir() + "/data/catalog");
    ASSERT_TRUE(cat.ok()) << cat.status().ToString();
    catalog_ = std::move(cat).value().release();
    root_ = new fs::path(fs::temp_directory_path() /
                         ("xinyong_gen_test_" + std::to_string(::getpid())));
    fs::remove_all(*root_);
    auto run = [](const std::string& name, bool gbk, uint64_t seed) {
      GenOptions o;
      o.out_dir = (*root_ / name).string();
      o.subjects = kSubjects;
      o.seed = seed;
      o.gbk = gbk;
      o.as_of = AsOf();
      auto r = Generate(*catalog_, o);
      EXPECT_TRUE(r.ok()) << r.status().ToString();
      return r.ok() ? *r : GenReport();
    };
    utf8_ = new GenReport(run("utf8", false, 7));
    again_ = new GenReport(run("again", false, 7));
    gbk_ = new GenReport(run("gbk", true, 7));
    other_ = new GenReport(run("other", false, 8));
  }
  static void TearDownTestSuite() {
    fs::remove_all(*root_);
    delete utf8_;
    delete again_;
    delete gbk_;
    delete other_;
    delete root_;
    delete catalog_;
  }
  static fs::path Dir(const std::string& name) { return *root_ / name; }
  static fs::path FileOf(const std::string& run, const std::string& code) {
    bool jsonl = code == "credit_commitment" || code == "contract_performance";
    return Dir(run) / (code + (jsonl ? ".jsonl" : ".csv"));
  }

  static catalog::Catalog* catalog_;
  static fs::path* root_;
  static GenReport* utf8_;
  static GenReport* again_;
  static GenReport* gbk_;
  static GenReport* other_;
};

catalog::Catalog* GeneratorTest::catalog_ = nullptr;
fs::path* GeneratorTest::root_ = nullptr;
GenReport* GeneratorTest::utf8_ = nullptr;
GenReport* GeneratorTest::again_ = nullptr;
GenReport* GeneratorTest::gbk_ = nullptr;
GenReport* GeneratorTest::other_ = nullptr;

// Without deliberately bad rows, every row of every file is accepted by the real ingestion: a
// file the generator writes in a form its catalog refuses (a declaration's 申报编号 as a
// document number instead of a 承诺编码) would otherwise go unnoticed behind the bad share.
TEST_F(GeneratorTest, WithoutBadRowsEveryRowIsAccepted) {
  GenOptions o;
  o.out_dir = Dir("clean").string();
  o.subjects = 500;
  o.seed = 5;
  o.as_of = AsOf();
  o.bad_row_share = 0;
  auto gen = Generate(*catalog_, o);
  ASSERT_TRUE(gen.ok()) << gen.status().ToString();
  auto cal = WorkCalendar::LoadFile(SourceDir() + "/data/calendar/cn_workdays.toml");
  ASSERT_TRUE(cal.ok()) << cal.status().ToString();
  auto vault = PersonalDataVault::ForTesting("gen-test");
  auto store = storage::RocksDbStore::Open(Dir("clean-store").string());
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  ingest::Ingester ingester(**store, *catalog_, *cal, *vault);
  size_t files = 0;
  for (const auto& [file, rows] : gen->files) {
    ingest::IngestOptions io;
    io.received_date = AsOf();
    auto r = ingester.IngestFile(file, io);
    ASSERT_TRUE(r.ok()) << file << ": " << r.status().ToString();
    EXPECT_EQ(r->rejected, 0u) << fs::path(file).filename();
    ++files;
  }
  EXPECT_GE(files, 10u);
}

TEST_F(GeneratorTest, SameSeedGivesIdenticalBytes) {
  ASSERT_EQ(utf8_->files.size(), again_->files.size());
  for (size_t i = 0; i < utf8_->files.size(); ++i) {
    fs::path a = utf8_->files[i].first, b = again_->files[i].first;
    EXPECT_EQ(a.filename(), b.filename());
    EXPECT_EQ(ReadAll(a), ReadAll(b)) << a.filename();
  }
}

TEST_F(GeneratorTest, AnotherSeedGivesOtherData) {
  EXPECT_NE(ReadAll(FileOf("utf8", "reg_basic")), ReadAll(FileOf("other", "reg_basic")));
  EXPECT_NE(ReadAll(FileOf("utf8", "admin_penalty")), ReadAll(FileOf("other", "admin_penalty")));
}

TEST_F(GeneratorTest, ThreadCountDoesNotChangeOutput) {
  GenOptions o;
  o.out_dir = (Dir("single")).string();
  o.subjects = kSubjects;
  o.seed = 7;
  o.as_of = AsOf();
  o.threads = 1;
  auto r = Generate(*catalog_, o);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  for (const auto& [path, rows] : r->files) {
    EXPECT_EQ(ReadAll(path), ReadAll(Dir("utf8") / fs::path(path).filename())) << path;
  }
}

// Derived indicators (commitment breaches) are made by the ingester, never written as files.
size_t SubmittedIndicators(const catalog::Catalog& c) {
  size_t n = 0;
  for (const auto& ind : c.indicators()) n += ind.derived_from ? 0 : 1;
  return n;
}

TEST_F(GeneratorTest, EveryIndicatorGetsAFileWithRows) {
  for (const auto& ind : catalog_->indicators()) {
    fs::path p = FileOf("utf8", ind.code);
    if (ind.derived_from) {
      EXPECT_FALSE(fs::exists(p)) << p;
      continue;
    }
    ASSERT_TRUE(fs::exists(p)) << p;
    uint64_t rows = 0;
    for (const auto& [path, n] : utf8_->files) {
      if (fs::path(path).filename() == p.filename()) rows = n;
    }
    EXPECT_GT(rows, 0u) << ind.code;
  }
}

TEST_F(GeneratorTest, HeadersUseCodesOrUniqueLabels) {
  for (const auto& ind : catalog_->indicators()) {
    if (ind.derived_from) continue;
    fs::path p = FileOf("utf8", ind.code);
    if (p.extension() != ".csv") continue;
    auto rows = ReadCsv(p);
    ASSERT_FALSE(rows.empty());
    const auto& header = rows[0];
    ASSERT_EQ(header.size(), ind.fields.size()) << ind.code;
    bool labels = false;
    for (size_t i = 0; i < header.size(); ++i) {
      std::string cell = header[i];
      if (cell.starts_with("\xEF\xBB\xBF")) cell = cell.substr(3);
      EXPECT_EQ(ind.FieldIndex(cell), static_cast<int>(i)) << ind.code << " column " << cell;
      labels |= cell == ind.fields[i].label && cell != ind.fields[i].code;
    }
    EXPECT_EQ(labels, ind.code == "admin_licence" || ind.code == "social_insurance_arrears")
        << ind.code;
  }
}

TEST_F(GeneratorTest, RegistrationCodesValidateExceptDeliberateErrors) {
  auto rows = ReadCsv(FileOf("utf8", "reg_basic"));
  const catalog::Indicator* ind = catalog_->Find("reg_basic");
  const int col = ind->FieldIndex("DJ_TYSHXYDM");
  size_t valid = 0, invalid = 0;
  std::set<std::string> codes;
  for (size_t r = 1; r < rows.size(); ++r) {
    if (rows[r].size() != rows[0].size() || rows[r][static_cast<size_t>(col)].empty()) continue;
    const std::string& code = rows[r][static_cast<size_t>(col)];
    if (ident::ParseUscc(code).ok()) {
      ++valid;
      codes.insert(code);
      EXPECT_EQ(code.substr(2, 4), "4101") << code;
    } else {
      ++invalid;
    }
  }
  EXPECT_GT(valid, kSubjects * 7 / 10);
  EXPECT_GT(invalid, 0u);
  EXPECT_LT(static_cast<double>(invalid) / static_cast<double>(valid + invalid), 0.05);
  // Duplicated rows repeat a code; everything else is one code per subject.
  EXPECT_GT(codes.size(), valid * 97 / 100);
}

TEST_F(GeneratorTest, OrganizationsHaveRealIndustriesWeightedLikeARealCity) {
  auto rows = ReadCsv(FileOf("utf8", "reg_basic"));
  const catalog::Indicator* ind = catalog_->Find("reg_basic");
  const size_t col = static_cast<size_t>(ind->FieldIndex("DJ_HYDM"));
  std::map<char, size_t> by_section;
  size_t with = 0;
  for (size_t r = 1; r < rows.size(); ++r) {
    if (rows[r].size() != rows[0].size()) continue;
    const std::string& code = rows[r][col];
    ASSERT_FALSE(code.empty()) << "row " << r;  // every organization has one
    auto parsed = industry::ParseIndustryCode(code);
    ASSERT_TRUE(parsed.ok()) << code << ": " << parsed.status().message();
    EXPECT_EQ(*parsed, code);  // written in the normalized form
    ++by_section[code[0]];
    ++with;
  }
  ASSERT_GT(with, kSubjects / 2);
  // Wholesale and retail lead (shops and trading companies), manufacturing, construction and
  // business services follow; no section takes everything.
  auto share = [&](char s) { return static_cast<double>(by_section[s]) / static_cast<double>(with); };
  EXPECT_GT(share('F'), 0.25);
  EXPECT_LT(share('F'), 0.5);
  for (char s : {'C', 'E', 'L', 'H', 'I'}) EXPECT_GT(share(s), 0.03) << s;
  EXPECT_GT(by_section.size(), 12u);
}

TEST_F(GeneratorTest, PersonalIdsAndLegacyCodesValidate) {
  auto rows = ReadCsv(FileOf("utf8", "admin_penalty"));
  const catalog::Indicator* ind = catalog_->Find("admin_penalty");
  const auto col = [&](const char* code) { return static_cast<size_t>(ind->FieldIndex(code)); };
  size_t persons = 0, reps = 0, reg_numbers = 0, org_codes = 0;
  for (size_t r = 1; r < rows.size(); ++r) {
    const auto& row = rows[r];
    if (row.size() != rows[0].size()) continue;
    if (!row[col("CF_XDR_ZJHM")].empty()) {
      ++persons;
      EXPECT_TRUE(ident::ParseResidentId(row[col("CF_XDR_ZJHM")], AsOf()).ok())
          << row[col("CF_XDR_ZJHM")];
      EXPECT_EQ(row[col("CF_XDR_LB")], "自然人");
    }
    if (!row[col("CF_FR_ZJHM")].empty()) {
      ++reps;
      auto id = ident::ParseResidentId(row[col("CF_FR_ZJHM")], AsOf());
      ASSERT_TRUE(id.ok()) << row[col("CF_FR_ZJHM")];
      EXPECT_GE(id->birth_date.year(), 1955);
      EXPECT_LE(id->birth_date.year(), 2000);
      EXPECT_EQ(id->region.substr(0, 2), "41");
    }
    if (!row[col("CF_XDR_GSZC")].empty()) {
      ++reg_numbers;
      EXPECT_TRUE(ident::ParseRegistrationNumber(row[col("CF_XDR_GSZC")]).ok())
          << row[col("CF_XDR_GSZC")];
    }
    if (!row[col("CF_XDR_ZZJG")].empty()) {
      ++org_codes;
      EXPECT_TRUE(ident::ParseOrgCode(row[col("CF_XDR_ZZJG")]).ok()) << row[col("CF_XDR_ZZJG")];
    }
  }
  EXPECT_GT(persons, 100u);
  EXPECT_GT(reps, 1000u);
  EXPECT_GT(reg_numbers, 10u);
  EXPECT_GT(org_codes, 10u);
}

TEST_F(GeneratorTest, DatesRespectAsOfAndReportsFollowDecisions) {
  auto rows = ReadCsv(FileOf("utf8", "admin_penalty"));
  const catalog::Indicator* ind = catalog_->Find("admin_penalty");
  const size_t jd = static_cast<size_t>(ind->FieldIndex("CF_JDRQ"));
  const size_t sb = static_cast<size_t>(ind->FieldIndex("SBRQ"));
  size_t future = 0, late = 0, total = 0;
  for (size_t r = 1; r < rows.size(); ++r) {
    const auto& row = rows[r];
    if (row.size() != rows[0].size()) continue;
    auto decision = Date::Parse(row[jd]);
    auto report = Date::Parse(row[sb]);
    if (!decision.ok() || !report.ok()) continue;
    ++total;
    if (*decision > AsOf()) {
      ++future;
      continue;
    }
    EXPECT_LE(*report, AsOf());
    EXPECT_GE(*report, *decision);
    EXPECT_GE(*decision, AsOf().AddDays(-3 * 366));
    if (report->days() - decision->days() > 10) ++late;
  }
  EXPECT_GT(future, 0u);
  EXPECT_LT(future, total / 50);
  // About 3% are reported late on purpose.
  EXPECT_GT(late, total / 100);
  EXPECT_LT(late, total / 15);
}

TEST_F(GeneratorTest, GbkRunDecodesToTheUtf8Text) {
  ASSERT_EQ(utf8_->files.size(), gbk_->files.size());
  for (size_t i = 0; i < utf8_->files.size(); ++i) {
    std::string utf8 = ReadAll(utf8_->files[i].first);
    std::string raw = ReadAll(gbk_->files[i].first);
    if (fs::path(utf8_->files[i].first).extension() == ".jsonl") {
      EXPECT_EQ(raw, utf8);  // JSON Lines stay UTF-8
      continue;
    }
    if (utf8.starts_with("\xEF\xBB\xBF")) utf8 = utf8.substr(3);
    EXPECT_NE(raw, utf8);
    // Only GBK: no four-byte GB18030 sequences.
    for (size_t k = 0; k + 1 < raw.size(); ++k) {
      auto b = static_cast<unsigned char>(raw[k]);
      if (b < 0x80) continue;
      auto n = static_cast<unsigned char>(raw[k + 1]);
      ASSERT_FALSE(n >= 0x30 && n <= 0x39) << utf8_->files[i].first << " byte " << k;
      ++k;
    }
    auto dec = ingest::Gb18030Decoder::Create();
    ASSERT_TRUE(dec.ok());
    std::string back;
    ASSERT_TRUE((*dec)->Decode(raw, true, &back).ok());
    EXPECT_EQ(back, utf8) << utf8_->files[i].first;
  }
}

TEST_F(GeneratorTest, AboutTwentyRowsPerSubject) {
  double per_subject = static_cast<double>(utf8_->total_rows) / static_cast<double>(kSubjects);
  EXPECT_GT(per_subject, 17.0);
  EXPECT_LT(per_subject, 23.0);
  uint64_t licences = 0, penalties = 0;
  for (const auto& [path, rows] : utf8_->files) {
    if (fs::path(path).filename() == "admin_licence.csv") licences = rows;
    if (fs::path(path).filename() == "admin_penalty.csv") penalties = rows;
  }
  EXPECT_GT(licences + penalties, utf8_->total_rows * 3 / 4);
}

TEST_F(GeneratorTest, BadRowsOfEveryKindAtTheConfiguredShare) {
  double share = static_cast<double>(utf8_->bad_rows) / static_cast<double>(utf8_->total_rows);
  EXPECT_GT(share, 0.012);
  EXPECT_LT(share, 0.03);
  ASSERT_EQ(utf8_->bad_by_kind.size(), 7u);
  for (const auto& [kind, n] : utf8_->bad_by_kind) EXPECT_GT(n, 0u) << kind;
  EXPECT_GT(utf8_->corrections, 0u);
  EXPECT_GT(utf8_->late_rows, 0u);
}

TEST_F(GeneratorTest, CommitmentCodesFollowTheStandardLayout) {
  std::ifstream in(FileOf("utf8", "credit_commitment"));
  std::string line;
  size_t checked = 0;
  while (std::getline(in, line)) {
    auto p = line.find("\"CN_CNBM\":\"");
    auto d = line.find("\"CN_CNZCRQ\":\"");
    if (p == std::string::npos || d == std::string::npos) continue;
    std::string code = line.substr(p + 11, 20);
    std::string date = line.substr(d + 13, 10);
    if (code.find('"') != std::string::npos) continue;
    EXPECT_EQ(code.substr(0, 4), "4101") << code;
    std::string ymd = date.substr(0, 4) + date.substr(5, 2) + date.substr(8, 2);
    if (Date::Parse(date).ok()) {
      EXPECT_EQ(code.substr(6, 8), ymd);
    }
    ++checked;
  }
  EXPECT_GT(checked, 1000u);
}

TEST_F(GeneratorTest, LargeFilesAreSplitIntoParts) {
  GenOptions o;
  o.out_dir = Dir("parts").string();
  o.subjects = 500;
  o.seed = 3;
  o.as_of = AsOf();
  o.rows_per_file = 1000;
  auto r = Generate(*catalog_, o);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  uint64_t parts = 0, rows = 0;
  for (const auto& [path, n] : r->files) {
    std::string name = fs::path(path).filename().string();
    if (!name.starts_with("admin_licence")) continue;
    ++parts;
    rows += n;
    EXPECT_LE(n, 1000u);
    EXPECT_THAT(name, ::testing::MatchesRegex("admin_licence\\.part-000[0-9]\\.csv"));
    auto csv = ReadCsv(path);
    EXPECT_EQ(csv.size(), n + 1) << name;  // each part repeats the header
  }
  EXPECT_EQ(parts, (rows + 999) / 1000);
  EXPECT_GT(parts, 1u);
  EXPECT_FALSE(fs::exists(Dir("parts") / "admin_licence.csv"));

  // A second run with one file per indicator leaves no stale parts behind.
  o.rows_per_file = 1000000;
  ASSERT_TRUE(Generate(*catalog_, o).ok());
  EXPECT_TRUE(fs::exists(Dir("parts") / "admin_licence.csv"));
  EXPECT_FALSE(fs::exists(Dir("parts") / "admin_licence.part-0001.csv"));
}

TEST_F(GeneratorTest, TinyPopulationStillWritesEveryFile) {
  GenOptions o;
  o.out_dir = Dir("tiny").string();
  o.subjects = 2;
  o.as_of = AsOf();
  auto r = Generate(*catalog_, o);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->files.size(), SubmittedIndicators(*catalog_));
}

TEST_F(GeneratorTest, IndicatorsOptionWritesOnlyThoseFilesWithTheSameBytes) {
  // Stale files of a full run in the same directory must not survive a partial run.
  const fs::path dir = Dir("only");
  fs::create_directories(dir);
  std::ofstream(dir / "admin_licence.csv") << "stale";
  std::ofstream(dir / "credit_commitment.jsonl") << "stale";
  GenOptions o;
  o.out_dir = dir.string();
  o.subjects = kSubjects;
  o.seed = 7;
  o.as_of = AsOf();
  o.indicators = {"admin_penalty", "reg_basic"};
  auto r = Generate(*catalog_, o);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  std::set<std::string> written;
  uint64_t rows = 0;
  for (const auto& [path, n] : r->files) {
    written.insert(fs::path(path).filename().string());
    rows += n;
    // Byte-identical to the same indicator's file of the full run with the same seed.
    EXPECT_EQ(ReadAll(path), ReadAll(Dir("utf8") / fs::path(path).filename())) << path;
  }
  EXPECT_EQ(written, (std::set<std::string>{"admin_penalty.csv", "reg_basic.csv"}));
  EXPECT_EQ(r->total_rows, rows);
  std::set<std::string> on_disk;
  for (const auto& e : fs::directory_iterator(dir)) on_disk.insert(e.path().filename().string());
  EXPECT_EQ(on_disk, written);
}

TEST_F(GeneratorTest, IndicatorsOptionRejectsAnUnknownCode) {
  GenOptions o;
  o.out_dir = Dir("unknown").string();
  o.subjects = 10;
  o.as_of = AsOf();
  o.indicators = {"reg_basic", "no_such_indicator"};
  auto r = Generate(*catalog_, o);
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(r.status().message(), ::testing::HasSubstr("no_such_indicator"));
  EXPECT_FALSE(fs::exists(Dir("unknown")));
}

TEST_F(GeneratorTest, RejectsUnusableOptions) {
  GenOptions o;
  o.subjects = 10;
  EXPECT_EQ(Generate(*catalog_, o).status().code(), StatusCode::kInvalidArgument);
  o.out_dir = Dir("bad").string();
  o.subjects = 0;
  EXPECT_EQ(Generate(*catalog_, o).status().code(), StatusCode::kInvalidArgument);
  o.subjects = 10;
  o.bad_row_share = 1.5;
  EXPECT_EQ(Generate(*catalog_, o).status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace xinyong::gen
