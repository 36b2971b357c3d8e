// Personal data never leaks (DESIGN.md key decision 7, issue 5): a generated city — penalties,
// lists, commitments and more against natural persons, bad rows included — is ingested through the
// pipeline and through the HTTP API, then served and queried (profiles, records, searches, lists,
// checks, and requests that put ID numbers in the path, the query and the body). Afterwards every
// file the store wrote (raw bytes, and every key and value of every column family read back
// through RocksDB, since table files are compressed), everything logged (the log and the access
// log) and every answer of the API is scanned for any of the resident ID numbers of the input:
// none may appear in plaintext. The same scan run over the input files finds them, so the scan
// itself is known to work; and the personal-data key lives outside the data directory.
#include <fcntl.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <thread>
#include <unordered_set>
#include <vector>

#include <rocksdb/db.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include "core/test_paths.h"
#include "gen/generator.h"
#include "gen/population.h"
#include "raw_connection.h"
#include "server/http_server.h"
#include "server/platform.h"
#include "server/router.h"

namespace xinyong {
namespace {

namespace fs = std::filesystem;

std::string ReadAll(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

bool IdChar(char c) { return (c >= '0' && c <= '9') || c == 'X' || c == 'x'; }

// Finds resident ID numbers in text: every 18-character window of a run of digits (and X) that
// is one of `ids`, and every 17-digit window that is one of their first 17 digits (the number
// with its check character changed or cut off is still the number). Linear in the text.
class IdScanner {
 public:
  void Add(const std::string& id18) {
    ids_.insert(id18);
    prefixes_.insert(id18.substr(0, 17));
  }
  size_t size() const { return ids_.size(); }

  // The first ID found in `text`, "" when none.
  std::string Find(std::string_view text) const {
    size_t i = 0;
    while (i < text.size()) {
      if (!IdChar(text[i])) {
        ++i;
        continue;
      }
      size_t end = i;
      while (end < text.size() && IdChar(text[end])) ++end;
      for (size_t w = i; w + 17 <= end; ++w) {
        std::string window(text.substr(w, 17));
        if (prefixes_.count(window)) return window;
      }
      i = end;
    }
    return "";
  }

 private:
  std::unordered_set<std::string> ids_, prefixes_;
};

// One HTTP/1.1 request on a fresh connection; the whole response as received.
// `token`: sent as a bearer token when not empty.
std::string Http(uint16_t port, std::string_view method, std::string_view target,
                 std::string_view body = "", std::string_view content_type = "",
                 std::string_view token = "") {
  test::RawConnection c(port);
  if (!c.connected()) return "";
  std::string req = std::string(method) + " " + std::string(target) +
                    " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n";
  if (!content_type.empty()) req += "Content-Type: " + std::string(content_type) + "\r\n";
  if (!token.empty()) req += "Authorization: Bearer " + std::string(token) + "\r\n";
  req += "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n";
  req += body;
  std::string got;
  if (!c.Send(req)) return "";
  c.WaitForClose(30'000, &got);
  return got;
}

std::string PercentEncode(std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char ch : s) {
    if ((ch >= '0' && ch <= '9') || (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z')) {
      out.push_back(static_cast<char>(ch));
    } else {
      out += '%';
      out += kHex[ch >> 4];
      out += kHex[ch & 15];
    }
  }
  return out;
}

class PersonalDataTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::random_device rd;
    dir_ = fs::temp_directory_path() / ("xinyong-pii-" + std::to_string(rd()));
    fs::create_directories(dir_);
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
  fs::path dir_;
};

TEST_F(PersonalDataTest, NoResidentIdNumberIsStoredLoggedOrAnsweredInPlaintext) {
  const fs::path data = dir_ / "data", keys = dir_ / "keys", log = dir_ / "server.log";

  // The city, and every resident ID number in it.
  auto catalog = catalog::Catalog::LoadDirectory(test::SourceDir() + "/data/catalog");
  ASSERT_TRUE(catalog.ok()) << catalog.status().ToString();
  gen::GenOptions g;
  g.out_dir = (dir_ / "incoming").string();
  g.subjects = 3000;
  g.seed = 11;
  g.as_of = Date::Today();
  g.correction_share = 0.02;
  auto generated = gen::Generate(**catalog, g);
  ASSERT_TRUE(generated.ok()) << generated.status().ToString();
  // The persons of the city: natural persons and the persons behind organizations; every
  // number the generator can write is one of theirs.
  const gen::Population population = gen::Population::Build(g.subjects, g.seed, g.as_of);
  IdScanner scanner;
  std::vector<std::string> sample_ids;
  std::string operator_token;  // a government caller's token, made below
  for (uint32_t i = 0; i < population.size(); ++i) {
    std::string id;
    population.AppendPersonId(i, &id);
    scanner.Add(id);
    if (population.TypeOf(i) == SubjectType::kNaturalPerson && sample_ids.size() < 20) {
      sample_ids.push_back(id);
    }
  }
  std::string input;
  for (const auto& [file, rows] : generated->files) input += ReadAll(file);
  ASSERT_GT(scanner.size(), 300u) << "the city should hold many natural persons' numbers";
  ASSERT_NE(scanner.Find(input), "") << "the scanner must find the numbers where they are";

  // Everything logged goes to stderr, which goes to a file for the test.
  fflush(stderr);
  const int saved_stderr = dup(2);
  const int log_fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  ASSERT_GE(log_fd, 0);
  dup2(log_fd, 2);
  auto previous_logger = spdlog::default_logger();
  spdlog::set_default_logger(spdlog::stderr_logger_mt("pii-test"));
  spdlog::set_level(spdlog::level::trace);

  std::string answers;
  {
    server::PlatformOptions o;
    o.data_dir = data.string();
    o.share_dir = test::SourceDir() + "/data";
    o.key_file = (keys / "xinyong.key").string();
    o.sync = false;
    auto opened = server::Platform::Open(o);
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    std::unique_ptr<server::Platform> p = std::move(opened).value();

    // All files but one through the pipeline; that one through the API, as a department would.
    std::string via_api;
    for (const auto& [file, rows] : generated->files) {
      if (via_api.empty() && fs::path(file).filename() == "admin_penalty.csv") {
        via_api = file;
        continue;
      }
      auto r = p->ingester().IngestFile(file, ingest::IngestOptions());
      ASSERT_TRUE(r.ok()) << file << ": " << r.status().ToString();
    }
    ASSERT_FALSE(via_api.empty());
    // A person's number written into free text (the facts of a penalty, as a clerk might type
    // them), twice: it is stored, published and answered only as its mask.
    {
      const std::string facts = "经查，当事人雇用人员（身份证号" + sample_ids[0] + "，又作" +
                                sample_ids[1].substr(0, 6) + " " + sample_ids[1].substr(6, 8) +
                                " " + sample_ids[1].substr(14) + "）无证上岗";
      const std::string row =
          "CF_XDR_MC,CF_XDR_LB,CF_XDR_SHXYM,CF_WSH,CF_WFXW,CF_SY,CF_YJ,CF_CFLB,CF_NR,CF_NR_FK,"
          "CF_JDRQ,CF_CFJG,CF_CFJGDM,CF_SJLY,CF_SJLYDM,CF_CFCX\n"
          "郑州宏达商贸有限公司,法人及非法人组织,91110000600037341L,郑市监罚〔2026〕9001号,无证上岗,\"" +
          facts + "\",《安全生产法》,罚款,罚款1万元,1," + Date::Today().ToString() +
          ",郑州市市场监督管理局,11410100MB1848126Q,郑州市市场监督管理局,11410100MB1848126Q,普通程序\n";
      ingest::IngestOptions io;
      io.indicator = "admin_penalty";
      auto r = p->ingester().IngestBuffer(row, "admin_penalty.csv", io);
      ASSERT_TRUE(r.ok()) << r.status().ToString();
      ASSERT_EQ(r->accepted, 1u) << "the row is accepted, its text masked";
    }
    // Numbers typed where people write freely: a consent's purpose, a token's label, an
    // objection's reason and evidence, a department's answer. Kept only as masks.
    {
      auto company = p->store().FindSubject(IdentifierKind::kUscc, "91110000600037341L");
      ASSERT_TRUE(company.ok() && company->has_value());
      const Date today = Date::Today();
      auto consent = p->consents().Grant(**company, "中国某银行郑州分行", "贷款审批，经办人" + sample_ids[3],
                                         today.AddDays(30), today, 0, "test");
      ASSERT_TRUE(consent.ok()) << consent.status().ToString();
      EXPECT_FALSE(p->consents().Grant(**company, "银行" + sample_ids[3], "贷款审批",
                                       today.AddDays(30), today, 0, "test").ok())
          << "an institution's name holds no number";
      security::TokenSpec spec;
      spec.role = security::Role::kOperator;
      spec.scope.name = "值班员 " + sample_ids[4];
      auto created = p->tokens().Create(
          spec, std::chrono::duration_cast<std::chrono::milliseconds>(
                    std::chrono::system_clock::now().time_since_epoch())
                    .count());
      ASSERT_TRUE(created.ok()) << created.status().ToString();
      operator_token = created->secret;
      std::vector<Record> penalties;
      ASSERT_TRUE(p->store().ListRecords(**company, "admin_penalty", &penalties).ok());
      ASSERT_FALSE(penalties.empty());
      workflow::Caller op;
      op.role = workflow::Caller::Role::kOperator;
      op.role_name = "operator";
      op.describe = "operator token 1";
      auto a = p->rights().FileObjection(
          op, {**company, penalties[0].record_id, "处罚对象有误，实为" + sample_ids[5],
               {"身份证复印件（" + sample_ids[5] + "）"}},
          today);
      ASSERT_TRUE(a.ok()) << a.status().ToString();
      workflow::StepRequest forward;
      forward.action = workflow::Action::kForward;
      forward.reason = "转" + sample_ids[6];
      ASSERT_TRUE(p->rights().Step(op, a->id, forward, today).ok());
    }

    server::HttpServerOptions h;
    h.port = 0;
    h.threads = 2;
    h.access_log = true;
    h.handle_signals = false;
    auto srv = server::HttpServer::Create(*p, h);
    ASSERT_TRUE(srv.ok()) << srv.status().ToString();
    std::thread run([&] { (*srv)->Run(); });
    const uint16_t port = (*srv)->port();

    // Every request below expects a real answer, not a refusal: the ones only government callers
    // may make carry the operator's token (`op`), and page sizes stay within their limits.
    const std::string& op = operator_token;
    answers += Http(port, "POST", "/api/v1/batches?dept=410100-scjg&indicator=admin_penalty",
                    ReadAll(via_api), "text/csv", op);
    // Rows that are rejected for their ID numbers, and the batch report that lists them.
    std::string bad = "CF_XDR_MC,CF_XDR_LB,CF_XDR_ZJLX,CF_XDR_ZJHM,CF_WSH\n";
    for (const std::string& id : sample_ids) {
      bad += "张某,自然人,身份证," + id.substr(0, 17) + (id[17] == '0' ? "1" : "0") + ",文号\n";
    }
    answers += Http(port, "POST", "/api/v1/batches?dept=410100-scjg&indicator=admin_penalty", bad,
                    "text/csv", op);
    // A person's number in an institution's code field would become a published subject code.
    answers += Http(port, "POST", "/api/v1/batches?dept=410100-scjg&indicator=admin_penalty",
                    "CF_XDR_MC,CF_XDR_LB,CF_XDR_SYDW,CF_WSH,CF_WFXW,CF_SY,CF_YJ,CF_CFLB,CF_NR,"
                    "CF_NR_FK,CF_JDRQ,CF_CFJG,CF_CFJGDM,CF_SJLY,CF_SJLYDM,CF_CFCX\n"
                    "某某卫生院,法人及非法人组织," + sample_ids[7] +
                        ",郑卫罚〔2025〕1号,违规执业,经查属实,《执业医师法》,罚款,罚款1万元,1," +
                        Date::Today().ToString() +
                        ",郑州市卫生健康委员会,11410100MB1848126Q,郑州市卫生健康委员会,"
                        "11410100MB1848126Q,普通程序\n",
                    "text/csv", op);
    answers += Http(port, "GET", "/api/v1/batches?limit=50", "", "", op);
    for (int b = 1; b <= 30; ++b) {
      answers += Http(port, "GET", "/api/v1/batches/" + std::to_string(b), "", "", op);
    }
    // ID numbers where a caller should not put them.
    for (const std::string& id : sample_ids) {
      answers += Http(port, "GET", "/api/v1/subjects/" + id);
      answers += Http(port, "GET", "/api/v1/subjects/" + id + "/records");
      answers += Http(port, "GET", "/api/v1/search?q=" + id);
      answers += Http(port, "GET", "/api/v1/nowhere/" + id);
      answers += Http(port, "POST", "/api/v1/checks",
                      "{\"subject\":\"" + id + "\",\"scenario\":\"government_procurement\","
                      "\"purpose\":\"" + id + "\",\"department\":\"410100-czj\"}",
                      "application/json", op);
    }
    // Every subject as the public sees it, persons included; checks of persons.
    std::vector<std::pair<std::string, SubjectType>> codes;
    std::vector<std::string> names;
    ASSERT_TRUE(p->store().ScanSubjects([&](const Subject& s) {
      codes.emplace_back(s.DisplayCode(), s.type);
      names.push_back(s.name);
      return Status::Ok();
    }).ok());
    ASSERT_GT(codes.size(), 2000u);
    size_t persons = 0;
    for (size_t i = 0; i < codes.size(); ++i) {
      const auto& [code, type] = codes[i];
      const bool person = type == SubjectType::kNaturalPerson;
      if (!person && i % 10 != 0) continue;  // every person, a tenth of the organizations
      persons += person;
      std::string seen = Http(port, "GET", "/api/v1/subjects/" + code) +
                         Http(port, "GET", "/api/v1/subjects/" + code + "/records?page_size=100");
      if (person) {
        seen += Http(port, "GET", "/api/v1/subjects/" + code + "/declarations") +
                Http(port, "GET", "/api/v1/subjects/" + code + "/inspections");
      }
      // The public sees a person's name masked, as the 双公示 listing shows it ("张**").
      if (person) {
        EXPECT_EQ(seen.find(names[i]), std::string::npos) << code << ": " << seen.substr(seen.find(names[i]) > 300 ? seen.find(names[i]) - 300 : 0, 600);
      }
      answers += seen;
      if (i == 0) {  // a purpose naming a person: kept in the check log as its mask
        answers += Http(port, "POST", "/api/v1/checks",
                        "{\"subject\":\"" + code + "\",\"scenario\":\"honours\","
                        "\"purpose\":\"核查" + sample_ids[2] + "\",\"department\":\"410100-wmb\"}",
                        "application/json", op);
      }
      if (person && persons % 5 == 0) {
        answers += Http(port, "POST", "/api/v1/checks",
                        "{\"subject\":\"" + code + "\",\"scenario\":\"honours\","
                        "\"purpose\":\"评优审查\",\"department\":\"410100-wmb\"}",
                        "application/json", op);
      }
    }
    ASSERT_GT(persons, 100u);
    for (const char* q : {"张", "王", "李", "郑州", "有限公司", "zz"}) {
      answers += Http(port, "GET", std::string("/api/v1/search?limit=100&q=") + PercentEncode(q));
    }
    // The public listings, every page of them, as the public and as the operator sees them.
    const auto pages = [&](const std::string& target, std::string_view token) {
      std::string all;
      for (int page = 1; page <= 500; ++page) {
        const std::string got = Http(port, "GET", target + "&page=" + std::to_string(page), "", "",
                                     token);
        EXPECT_NE(got.find(" 200 "), std::string::npos) << target << ": " << got.substr(0, 300);
        answers += got;
        all += got;
        if (got.find("\"more\":true") == std::string::npos &&
            got.find("\"has_more\":true") == std::string::npos &&
            got.find("\"entries\":[]") != std::string::npos) {
          break;
        }
        if (got.find("\"more\":false") != std::string::npos ||
            got.find("\"has_more\":false") != std::string::npos) {
          break;
        }
      }
      return all;
    };
    for (std::string_view token : {std::string_view(), std::string_view(op)}) {
      for (const char* list : {"serious_dishonesty", "red", "court_dishonest_debtor",
                               "abnormal_operation"}) {
        pages(std::string("/api/v1/lists/") + list + "?page_size=100", token);
      }
      // Beside the lists (which name a person, as the law publishes them), the public sees no
      // person's name: commitments and 双公示 decisions show it masked.
      const std::string listed = pages("/api/v1/commitments?page_size=100", token) +
                                 pages("/api/v1/publicity?kind=penalty&page_size=100", token) +
                                 pages("/api/v1/publicity?kind=licence&page_size=100", token);
      if (token.empty()) {
        for (size_t i = 0; i < codes.size(); ++i) {
          if (codes[i].second != SubjectType::kNaturalPerson) continue;
          // A two-character name is also part of other words (马家 in 马家庄): whole values only.
          const std::string shown = names[i].size() > 6 ? names[i] : "\"" + names[i] + "\"";
          EXPECT_EQ(listed.find(shown), std::string::npos) << codes[i].first << " " << names[i];
        }
      }
    }
    answers += Http(port, "GET", "/api/v1/subjects/91110000600037341L/records?page_size=100");
    answers += Http(port, "GET", "/api/v1/subjects/91110000600037341L/checks", "", "", op);
    answers += Http(port, "GET", "/api/v1/checks/stats", "", "", op);
    (*srv)->Stop();
    run.join();
  }  // the platform closes: everything it buffered is written

  spdlog::default_logger()->flush();
  spdlog::set_default_logger(previous_logger);
  spdlog::drop("pii-test");
  fflush(stderr);
  dup2(saved_stderr, 2);
  ::close(saved_stderr);
  ::close(log_fd);

  EXPECT_GT(answers.size(), 100'000u);
  EXPECT_EQ(scanner.Find(answers), "") << "an API answer holds a resident ID number";
  const std::string logged = ReadAll(log);
  EXPECT_NE(logged.find("[access]"), std::string::npos) << "the access log was not captured";
  EXPECT_EQ(scanner.Find(logged), "") << "the log holds a resident ID number";

  // The key is outside the data directory; neither it nor any number is inside.
  const std::string key = ReadAll(keys / "xinyong.key");
  ASSERT_GE(key.size(), 32u);
  size_t files = 0;
  for (const auto& e : fs::recursive_directory_iterator(data)) {
    if (!e.is_regular_file()) continue;
    ++files;
    const std::string bytes = ReadAll(e.path());
    EXPECT_EQ(scanner.Find(bytes), "") << e.path();
    EXPECT_EQ(bytes.find(key), std::string::npos) << e.path() << " holds the key";
  }
  EXPECT_GT(files, 3u);

  // Table files are compressed: read every key and value back through RocksDB as well.
  std::vector<std::string> families;
  ASSERT_TRUE(rocksdb::DB::ListColumnFamilies(rocksdb::DBOptions(), data.string(), &families).ok());
  std::vector<rocksdb::ColumnFamilyDescriptor> cfs;
  for (const auto& f : families) cfs.emplace_back(f, rocksdb::ColumnFamilyOptions());
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* raw = nullptr;
  ASSERT_TRUE(rocksdb::DB::OpenForReadOnly(rocksdb::DBOptions(), data.string(), cfs, &handles, &raw).ok());
  std::unique_ptr<rocksdb::DB> db(raw);
  size_t entries = 0;
  std::string leaks;
  for (size_t i = 0; i < handles.size(); ++i) {
    std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(rocksdb::ReadOptions(), handles[i]));
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      ++entries;
      const std::string found =
          scanner.Find(it->key().ToStringView()) + scanner.Find(it->value().ToStringView());
      if (!found.empty() && leaks.size() < 500) leaks += families[i] + ": " + found + "; ";
    }
    EXPECT_TRUE(it->status().ok()) << it->status().ToString();
  }
  for (auto* h : handles) db->DestroyColumnFamilyHandle(h).PermitUncheckedError();
  EXPECT_EQ(leaks, "");
  EXPECT_GT(entries, 10'000u);
}

}  // namespace
}  // namespace xinyong
