// SIGKILL in the middle of a large ingest, then restart: the store opens, every batch is wholly
// present or wholly absent, and running the same ingest again ends with exactly the content of
// an uninterrupted run. Drives the real `xinyong` binary.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <fcntl.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <thread>
#include <tuple>

#include "core/identifiers.h"
#include "storage/rocksdb/rocksdb_store.h"

namespace xinyong {
namespace {

namespace fs = std::filesystem;

// A valid USCC for company i: 91 + 410105 + 8 digits of i + org check + final check.
std::string CompanyCode(int i) {
  char org[16];
  std::snprintf(org, sizeof org, "%08d", i);
  std::string s = std::string("91410105") + org;
  s.push_back(ident::OrgCodeCheckChar(org));
  s.push_back(ident::UsccCheckChar(s));
  return s;
}

// Penalty decision `doc` of company doc % 20000 + 1 (company 0's organization code would be
// 000000000, the placeholder ingestion refuses), with a fine of `fine` 万元.
void WriteRow(std::ofstream& f, int doc, int fine) {
  const int company = doc % 20000 + 1;
  f << "郑州测试" << company << "有限公司,法人及非法人组织," << CompanyCode(company)
    << ",郑市监罚〔2025〕" << doc << "号,虚假宣传,\"经查，当事人发布虚假广告，违反《广告法》\","
    << "《广告法》第五十五条,罚款,罚款" << fine << "万元," << fine << ".5,2025-03-03,"
    << "郑州市市场监督管理局,11410100MB1848126Q,郑州市市场监督管理局,11410100MB1848126Q\n";
}

// `rows` decisions; every 1,000th is corrected 2,500 rows later and corrected back to its first
// content 5,000 rows after that (other batches of 5,000 rows), as a department's file that
// fixes and then undoes a fix may: a rerun after a kill between the two must still end with
// the third version.
void WriteFile(const fs::path& path, int rows) {
  std::ofstream f(path);
  f << "CF_XDR_MC,CF_XDR_LB,CF_XDR_SHXYM,CF_WSH,CF_WFXW,CF_SY,CF_YJ,CF_CFLB,CF_NR,CF_NR_FK,CF_JDRQ,"
       "CF_CFJG,CF_CFJGDM,CF_SJLY,CF_SJLYDM\n";
  for (int i = 0; i < rows; ++i) {
    WriteRow(f, i, i % 97);
    if (i >= 2500 && (i - 2500) % 1000 == 0) WriteRow(f, i - 2500, (i - 2500) % 97 + 1);
    if (i >= 7500 && (i - 7500) % 1000 == 0) WriteRow(f, i - 7500, (i - 7500) % 97);
  }
}

pid_t StartIngest(const fs::path& data, const fs::path& file) {
  pid_t pid = fork();
  if (pid == 0) {
    std::string data_s = data.string(), file_s = file.string();
    int devnull = open("/dev/null", O_WRONLY);
    dup2(devnull, 1);
    execl(XINYONG_BIN, "xinyong", "--data", data_s.c_str(), "ingest", file_s.c_str(),
          "--received", "2025-03-10", "--batch-rows", "5000", static_cast<char*>(nullptr));
    _exit(127);
  }
  return pid;
}

int Wait(pid_t pid) {
  int status = 0;
  waitpid(pid, &status, 0);
  return status;
}

using Content = std::set<std::tuple<std::string, std::string, uint64_t, uint32_t>>;

// Every current record, keyed by subject code and document number (ids differ between runs).
Content Dump(const fs::path& data, uint64_t* batches_checked) {
  *batches_checked = 0;
  // Killed before it created the store (a slow start on a loaded machine): nothing was stored,
  // which is a consistent state too.
  if (!fs::exists(data / "CURRENT")) return {};
  storage::RocksDbOptions o;
  o.read_only = true;
  auto store = storage::RocksDbStore::Open(data.string(), o);
  EXPECT_TRUE(store.ok()) << store.status().ToString();
  Content c;
  if (!store.ok()) return c;
  auto& s = **store;
  uint64_t max_subject = s.NextId(storage::IdSpace::kSubject);
  std::map<uint64_t, uint64_t> per_batch;
  uint64_t versions = 0;
  for (uint64_t id = 1; id < max_subject; ++id) {
    auto subject = s.GetSubject(id);
    if (!subject.ok() || !subject->has_value()) continue;
    std::vector<Record> records, history;
    EXPECT_TRUE(s.ListRecords(id, "", &records).ok());
    for (const auto& r : records) {
      c.emplace((*subject)->uscc, r.document_number, r.content_hash, r.version);
      history.clear();
      EXPECT_TRUE(s.ListRecordVersions(id, r.record_id, &history).ok());
      for (const auto& v : history) ++per_batch[v.batch_id];
      versions += history.size();
    }
  }
  // Wholly present or wholly absent: each committed batch owns exactly the record versions it
  // accepted, and no version belongs to a batch that was not committed.
  std::vector<storage::BatchSummary> batches;
  EXPECT_TRUE(s.ListBatches(100000, "", &batches).ok());
  uint64_t accepted = 0;
  for (const auto& b : batches) {
    EXPECT_EQ(b.rows, b.accepted + b.rejected + b.duplicates) << "batch " << b.id;
    EXPECT_EQ(per_batch[b.id], b.accepted) << "batch " << b.id;
    accepted += b.accepted;
    per_batch.erase(b.id);
  }
  EXPECT_TRUE(per_batch.empty()) << "records of a batch that has no report";
  auto stats = s.Stats();
  EXPECT_EQ(stats->record_versions, accepted);
  EXPECT_EQ(versions, accepted);
  EXPECT_EQ(stats->records, c.size());
  *batches_checked = batches.size();
  return c;
}

TEST(CrashRecoveryTest, KilledIngestLeavesWholeBatchesAndRerunMatchesAnUninterruptedRun) {
  fs::path dir = fs::temp_directory_path() / ("xinyong-crash-" + std::to_string(getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  const fs::path file = dir / "admin_penalty.csv";
  WriteFile(file, 300000);

  // Reference: one uninterrupted run.
  ASSERT_EQ(Wait(StartIngest(dir / "reference", file)), 0);
  uint64_t ref_batches = 0;
  Content reference = Dump(dir / "reference", &ref_batches);
  ASSERT_EQ(reference.size(), 300000u);
  size_t third = 0;  // decisions corrected and corrected back
  for (const auto& r : reference) third += std::get<3>(r) == 3;
  ASSERT_EQ(third, 293u);

  // Kill at a few different moments; each time the store must be consistent.
  for (int delay_ms : {300, 900, 1700}) {
    fs::remove_all(dir / "crashed");
    fs::remove_all(dir / "keys");
    pid_t pid = StartIngest(dir / "crashed", file);
    std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms));
    kill(pid, SIGKILL);
    int status = Wait(pid);
    uint64_t batches = 0;
    Content partial = Dump(dir / "crashed", &batches);
    EXPECT_LE(partial.size(), reference.size());
    // Each record stored is one of the reference, at its version there or, corrected later in
    // the file, an earlier one.
    std::map<std::pair<std::string, std::string>, uint32_t> final_version;
    for (const auto& [code, doc, hash, version] : reference) final_version[{code, doc}] = version;
    for (const auto& [code, doc, hash, version] : partial) {
      auto it = final_version.find({code, doc});
      ASSERT_NE(it, final_version.end()) << "unexpected record " << doc;
      EXPECT_LE(version, it->second) << doc;
      if (version == it->second) {
        EXPECT_TRUE(reference.count({code, doc, hash, version})) << "unexpected content " << doc;
      }
    }
    std::printf("killed after %d ms (%s): %zu records in %llu whole batches\n", delay_ms,
                WIFSIGNALED(status) ? "signalled" : "had finished", partial.size(),
                static_cast<unsigned long long>(batches));

    ASSERT_EQ(Wait(StartIngest(dir / "crashed", file)), 0);
    Content rerun = Dump(dir / "crashed", &batches);
    EXPECT_EQ(rerun, reference);
  }
  fs::remove_all(dir);
}

}  // namespace
}  // namespace xinyong
