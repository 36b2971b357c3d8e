#include "server/router.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <future>
#include <optional>
#include <random>
#include <set>
#include <string>

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include "core/identifiers.h"
#include "core/test_paths.h"
#include "ingest/ingester.h"
#include "security/audit.h"
#include "server/access.h"
#include "server/platform.h"
#include "server/redact.h"
#include "server/response_cache.h"
#include "server/response_encoding.h"
#include "server/target.h"

namespace xinyong::server {
namespace {

namespace fs = std::filesystem;
namespace json = boost::json;

constexpr char kHongda[] = "郑州宏达（集团）商贸有限公司";
constexpr char kHongdaUscc[] = "91110000600037341L";
constexpr char kHongdaOrgCode[] = "600037341";
constexpr char kYima[] = "义马市金鑫建材有限公司";
constexpr char kYimaUscc[] = "914112810713741814";
constexpr char kPersonId[] = "11010519491231002X";  // the GB 11643 example number

using test::SourceDir;

// Decision dates of the sample, counted back from today: a general penalty is published for 12
// months only (FACTS §4; public views hide it after that), so fixed dates would leave the public
// view with time. In the order of the sample: 033 oldest, 101, 义马, the bad row, the person, 205,
// then the registration row, the newest.
std::string Ago(int days) { return Date::Today().AddDays(-days).ToString(); }
const std::string kD033 = Ago(330), kD101 = Ago(250), kDYima = Ago(230), kDBad = Ago(200),
                  kDPerson = Ago(190), kD205 = Ago(150), kDReg = Ago(120);
// Between 033 and 101 (the old "from 2024-01-01"), between 205 and the registration row, and
// after everything.
const std::string kFrom = Ago(300), kBefore205Reg = Ago(140), kAfterAll = Ago(100);

// Percent-encodes everything but unreserved ASCII.
std::string Enc(std::string_view s) {
  static const char* kHex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

// Seven admin_penalty rows: three decisions on one company, one on another, a row with a bad
// USCC, a repeat of the first row, and a decision on a natural person.
std::string SampleCsv() {
  const std::string tail =
      ",虚假宣传,在网站发布虚假广告,《中华人民共和国广告法》第五十五条,罚款,罚款2万元,2,";
  const std::string org = ",郑州市市场监督管理局,11410100MB0000001X,郑州市市场监督管理局,"
                          "11410100MB0000001X,普通程序\n";
  std::string csv =
      "CF_XDR_MC,CF_XDR_LB,CF_XDR_SHXYM,CF_XDR_ZJLX,CF_XDR_ZJHM,CF_WSH,CF_WFXW,CF_SY,CF_YJ,"
      "CF_CFLB,CF_NR,CF_NR_FK,CF_JDRQ,CF_CFJG,CF_CFJGDM,CF_SJLY,CF_SJLYDM,CF_CFCX\n";
  auto row = [&](std::string_view name, std::string_view category, std::string_view uscc,
                 std::string_view id_type, std::string_view id, std::string_view doc,
                 std::string_view date) {
    csv += std::string(name) + "," + std::string(category) + "," + std::string(uscc) + "," +
           std::string(id_type) + "," + std::string(id) + "," + std::string(doc) + tail +
           std::string(date) + org;
  };
  row(kHongda, "法人及非法人组织", kHongdaUscc, "", "", "郑市监罚〔2024〕101号", kD101);
  row(kHongda, "法人及非法人组织", kHongdaUscc, "", "", "郑市监罚〔2024〕205号", kD205);
  row(kHongda, "法人及非法人组织", kHongdaUscc, "", "", "郑市监罚〔2023〕033号", kD033);
  row(kYima, "法人及非法人组织", kYimaUscc, "", "", "义市监罚〔2024〕12号", kDYima);
  row("郑州错误代码有限公司", "法人及非法人组织", "91110000600037341A", "", "",
      "郑市监罚〔2024〕150号", kDBad);
  row(kHongda, "法人及非法人组织", kHongdaUscc, "", "", "郑市监罚〔2024〕101号", kD101);
  row("张三", "自然人", "", "身份证", kPersonId, "郑市监罚〔2024〕300号", kDPerson);
  return csv;
}

class RouterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::random_device rd;
    dir_ = fs::temp_directory_path() / ("xinyong-router-" + std::to_string(rd()));
    fs::create_directories(dir_);
    PlatformOptions o;
    o.data_dir = (dir_ / "data").string();
    o.share_dir = SourceDir() + "/data";
    o.key_file = (dir_ / "keys" / "k.key").string();
    o.sync = false;
    auto p = Platform::Open(o);
    ASSERT_TRUE(p.ok()) << p.status().ToString();
    platform_ = std::move(p).value();
    TokenRequest t;
    t.role = "operator";
    auto token = CreateToken(*platform_, t, NowUnixMs());
    ASSERT_TRUE(token.ok()) << token.status().ToString();
    operator_token_ = token->secret;
  }

  void TearDown() override {
    platform_.reset();
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }

  // Requests other than GET carry the operator's token (every route that changes something
  // needs a role; access_test.cc tests the roles); GETs go as the public, or with OperatorGet.
  Response Call(std::string method, std::string target, std::string body = "",
                std::string content_type = "") {
    Request r;
    r.method = std::move(method);
    r.target = std::move(target);
    r.body = std::move(body);
    r.content_type = std::move(content_type);
    r.peer = "127.0.0.1:50000";
    if (r.method != "GET" && r.method != "HEAD") r.authorization = "Bearer " + operator_token_;
    return HandleRequest(*platform_, r);
  }
  Response Get(std::string target) { return Call("GET", std::move(target)); }
  Response OperatorGet(std::string target) {
    Request r;
    r.method = "GET";
    r.target = std::move(target);
    r.authorization = "Bearer " + operator_token_;
    return HandleRequest(*platform_, r);
  }

  static json::object Body(const Response& r) {
    EXPECT_EQ(r.content_type, kJsonContentType);
    boost::system::error_code ec;
    json::value v = json::parse(r.body, ec);
    EXPECT_FALSE(ec) << r.body;
    if (ec || !v.is_object()) return {};
    return v.as_object();
  }

  // Checks the error shape and returns the error object.
  static json::object Error(const Response& r, unsigned status, std::string_view code) {
    EXPECT_EQ(r.status, status) << r.body;
    json::object o = Body(r);
    EXPECT_TRUE(o.contains("error")) << r.body;
    if (!o.contains("error")) return {};
    json::object e = o["error"].as_object();
    EXPECT_EQ(e["code"].as_string(), code) << r.body;
    EXPECT_TRUE(e["message"].is_string());
    EXPECT_TRUE(e.contains("details"));
    return e;
  }

  json::object PostSample() {
    Response r = Call("POST", "/api/v1/batches?dept=410100-scjg", SampleCsv(), "text/csv");
    EXPECT_EQ(r.status, 201u) << r.body;
    return Body(r);
  }

  fs::path dir_;
  std::unique_ptr<Platform> platform_;
  std::string operator_token_;
};

TEST_F(RouterTest, HealthCountsRecordsAndSubjects) {
  json::object h = Body(Get("/api/v1/health"));
  EXPECT_EQ(h["status"].as_string(), "ok");
  EXPECT_EQ(h["records"].to_number<int64_t>(), 0);
  EXPECT_EQ(h["subjects"].to_number<int64_t>(), 0);
  EXPECT_EQ(h["version"].as_string(), "0.1.0");
  // The calendar's last day, and its warning exactly when the calendar says one is due.
  EXPECT_EQ(h["calendar_until"].as_string(), platform_->calendar().covered_until().ToString());
  EXPECT_EQ(h["warnings"].as_array().size(),
            platform_->calendar().CoverageWarning(Date::Today()).empty() ? 0u : 1u);
  PostSample();
  h = Body(Get("/api/v1/health"));
  EXPECT_EQ(h["records"].to_number<int64_t>(), 5);
  EXPECT_EQ(h["subjects"].to_number<int64_t>(), 3);
}

TEST_F(RouterTest, CatalogListsIndicatorsWithFieldsAndLegalBasis) {
  json::object c = Body(Get("/api/v1/catalog"));
  const json::array& inds = c["indicators"].as_array();
  ASSERT_FALSE(inds.empty());
  bool found = false;
  for (const auto& i : inds) {
    if (i.at("code") != "admin_penalty") continue;
    found = true;
    EXPECT_FALSE(i.at("legal_basis").as_string().empty());
    EXPECT_FALSE(i.at("fields").as_array().empty());
    EXPECT_EQ(i.at("disclosure").as_string(), "public");
  }
  EXPECT_TRUE(found);
}

TEST_F(RouterTest, PostedCsvIsIngestedAndReportCountsAddUp) {
  json::object r = PostSample();
  EXPECT_EQ(r["rows"].to_number<int64_t>(), 7);
  EXPECT_EQ(r["accepted"].to_number<int64_t>(), 5);
  EXPECT_EQ(r["rejected"].to_number<int64_t>(), 1);
  EXPECT_EQ(r["duplicates"].to_number<int64_t>(), 1);
  EXPECT_EQ(r["rows"].to_number<int64_t>(),
            r["accepted"].to_number<int64_t>() + r["rejected"].to_number<int64_t>() +
                r["duplicates"].to_number<int64_t>());
  EXPECT_EQ(r["indicator"].as_string(), "admin_penalty");
  EXPECT_EQ(r["file"].as_string(), "api-upload.csv");
  const json::array& reports = r["reports"].as_array();
  ASSERT_EQ(reports.size(), 1u);
  const json::object& b = reports[0].as_object();
  EXPECT_EQ(b.at("dept").as_string(), "410100-scjg");
  const json::array& rejections = b.at("rejections").as_array();
  ASSERT_EQ(rejections.size(), 1u);
  EXPECT_EQ(rejections[0].at("row").to_number<int64_t>(), 5);
  EXPECT_EQ(rejections[0].at("field").as_string(), "CF_XDR_SHXYM");
  // The natural person's ID number is nowhere in the report.
  EXPECT_EQ(json::serialize(r).find(kPersonId), std::string::npos);
}

TEST_F(RouterTest, BatchReportIsReadableByIdAndListed) {
  json::object r = PostSample();
  int64_t id = r["batch"].to_number<int64_t>();
  Response got = OperatorGet("/api/v1/batches/" + std::to_string(id));
  ASSERT_EQ(got.status, 200u) << got.body;
  json::object b = Body(got);
  EXPECT_EQ(b["batch"].to_number<int64_t>(), id);
  EXPECT_EQ(b["rejected"].to_number<int64_t>(), 1);
  EXPECT_EQ(b["rejections"].as_array().size(), 1u);

  json::object list = Body(OperatorGet("/api/v1/batches?limit=5"));
  ASSERT_EQ(list["batches"].as_array().size(), 1u);
  EXPECT_EQ(list["batches"].as_array()[0].at("batch").to_number<int64_t>(), id);

  Error(OperatorGet("/api/v1/batches/999999"), 404, "not_found");
  json::object e = Error(OperatorGet("/api/v1/batches/abc"), 400, "invalid_argument");
  EXPECT_EQ(e["details"].at("parameter").as_string(), "id");
  Error(OperatorGet("/api/v1/batches?limit=0"), 400, "invalid_argument");
}

TEST_F(RouterTest, PostedJsonLinesAreIngested) {
  std::string line =
      R"({"CF_XDR_MC":"义马市金鑫建材有限公司","CF_XDR_LB":"法人及非法人组织",)"
      R"("CF_XDR_SHXYM":"914112810713741814","CF_WSH":"义市监罚〔2024〕99号",)"
      R"("CF_WFXW":"无照经营","CF_SY":"未取得营业执照从事经营","CF_YJ":"《无证无照经营查处办法》",)"
      R"("CF_CFLB":"罚款","CF_NR":"罚款1万元","CF_NR_FK":"1","CF_JDRQ":"2024-09-01",)"
      R"("CF_CFJG":"义马市市场监督管理局","CF_CFJGDM":"11411281MB0000002X",)"
      R"("CF_SJLY":"义马市市场监督管理局","CF_SJLYDM":"11411281MB0000002X"})"
      "\n";
  Response r = Call("POST", "/api/v1/batches?indicator=admin_penalty", line,
                    "application/x-ndjson");
  ASSERT_EQ(r.status, 201u) << r.body;
  json::object b = Body(r);
  EXPECT_EQ(b["format"].as_string(), "jsonl");
  EXPECT_EQ(b["accepted"].to_number<int64_t>(), 1);
  EXPECT_EQ(b["file"].as_string(), "api-upload.jsonl");
}

TEST_F(RouterTest, IngestErrorsAre400WithTheMessage) {
  json::object e = Error(Call("POST", "/api/v1/batches?indicator=no_such", SampleCsv(), "text/csv"),
                         400, "invalid_argument");
  EXPECT_NE(std::string(e["message"].as_string()).find("no_such"), std::string::npos);
  Error(Call("POST", "/api/v1/batches", "", "text/csv"), 400, "invalid_argument");
  Error(Call("POST", "/api/v1/batches", "foo,bar\n1,2\n", "text/csv"), 400, "invalid_argument");
  Error(Call("POST", "/api/v1/batches", std::string("\x00\x01\x02\xff\xfe", 5) + std::string(200, '\0'),
             "text/csv"),
        400, "invalid_argument");
  Error(Call("POST", "/api/v1/batches", SampleCsv(), "multipart/form-data; boundary=x"), 415,
        "unsupported_media_type");
  e = Error(Call("POST", "/api/v1/batches?format=xml", SampleCsv()), 400, "invalid_argument");
  EXPECT_EQ(e["details"].at("parameter").as_string(), "format");
  // Nothing was stored by any of them.
  EXPECT_EQ(Body(Get("/api/v1/health"))["records"].to_number<int64_t>(), 0);
}

TEST_F(RouterTest, SubjectByUsccOrgCodeAndEncodedForms) {
  PostSample();
  // Known only from penalty decisions: no registration status yet, but the member is there.
  EXPECT_TRUE(Body(Get(std::string("/api/v1/subjects/") + kYimaUscc))["subject"]
                  .at("status")
                  .is_null());
  for (std::string code : {std::string(kHongdaUscc), std::string(kHongdaOrgCode),
                           std::string("60003734-1"), Enc("９１１１００００６０００３７３４１Ｌ"),
                           std::string("91110000600037341l")}) {
    Response r = Get("/api/v1/subjects/" + code);
    ASSERT_EQ(r.status, 200u) << code << ": " << r.body;
    json::object o = Body(r);
    EXPECT_EQ(o["subject"].at("code").as_string(), kHongdaUscc);
    EXPECT_EQ(o["subject"].at("name").as_string(), kHongda);
    EXPECT_EQ(o["category_counts"].at("admin_penalty").to_number<int64_t>(), 3);
    const json::array& latest = o["latest_records"].as_array();
    ASSERT_EQ(latest.size(), 3u);
    EXPECT_EQ(latest[0].at("decision_date").as_string(), kD205);  // newest first
    EXPECT_EQ(latest[2].at("decision_date").as_string(), kD033);
  }
}

TEST_F(RouterTest, UnknownOrInvalidSubjectCodes) {
  PostSample();
  Error(Get("/api/v1/subjects/91410100MA44XXXX1X"), 400, "invalid_argument");
  // A valid USCC nobody has.
  std::string org8 = "MA440000";
  std::string first17 = "91410100" + org8 + ident::OrgCodeCheckChar(org8);
  std::string uscc = first17 + ident::UsccCheckChar(first17);
  ASSERT_TRUE(ident::ParseUscc(uscc).ok());
  Error(Get("/api/v1/subjects/" + uscc), 404, "not_found");
  Error(Get("/api/v1/subjects/" + Enc("不是代码")), 404, "not_found");
  Error(Get("/api/v1/subjects/P99999999999999999999999"), 404, "not_found");  // no overflow
  Error(Get("/api/v1/subjects/P0"), 404, "not_found");
  // A resident ID is refused, and not echoed.
  Response r = Get(std::string("/api/v1/subjects/") + kPersonId);
  json::object e = Error(r, 403, "permission_denied");
  EXPECT_EQ(r.body.find(kPersonId), std::string::npos);
  EXPECT_EQ(r.body.find("11010519491231002"), std::string::npos);
}

TEST_F(RouterTest, RecordsArePagedNewestFirst) {
  PostSample();
  json::object p1 = Body(Get(std::string("/api/v1/subjects/") + kHongdaUscc +
                             "/records?page=1&page_size=2"));
  EXPECT_EQ(p1["total"].to_number<int64_t>(), 3);
  EXPECT_EQ(p1["page"].to_number<int64_t>(), 1);
  EXPECT_EQ(p1["page_size"].to_number<int64_t>(), 2);
  EXPECT_EQ(p1["subject"].at("code").as_string(), kHongdaUscc);
  EXPECT_EQ(p1["subject"].at("name").as_string(), kHongda);
  const json::array& r1 = p1["records"].as_array();
  ASSERT_EQ(r1.size(), 2u);
  EXPECT_EQ(r1[0].at("document_number").as_string(), "郑市监罚〔2024〕205号");
  EXPECT_EQ(r1[1].at("document_number").as_string(), "郑市监罚〔2024〕101号");
  EXPECT_EQ(r1[0].at("indicator").as_string(), "admin_penalty");
  json::object p2 = Body(Get(std::string("/api/v1/subjects/") + kHongdaUscc +
                             "/records?page=2&page_size=2"));
  ASSERT_EQ(p2["records"].as_array().size(), 1u);
  EXPECT_EQ(p2["records"].as_array()[0].at("document_number").as_string(),
            "郑市监罚〔2023〕033号");
  json::object p9 =
      Body(Get(std::string("/api/v1/subjects/") + kHongdaUscc + "/records?page=9"));
  EXPECT_TRUE(p9["records"].as_array().empty());
  EXPECT_EQ(p9["page_size"].to_number<int64_t>(), 20);
}

TEST_F(RouterTest, RecordsFilterByIndicatorCodeOrCategoryName) {
  PostSample();
  std::string base = std::string("/api/v1/subjects/") + kHongdaUscc + "/records?category=";
  EXPECT_EQ(Body(Get(base + "admin_penalty"))["total"].to_number<int64_t>(), 3);
  EXPECT_EQ(Body(Get(base + Enc("行政管理信息")))["total"].to_number<int64_t>(), 3);
  EXPECT_EQ(Body(Get(base + "admin_licence"))["total"].to_number<int64_t>(), 0);
  json::object e = Error(Get(base + "nonsense"), 400, "invalid_argument");
  EXPECT_EQ(e["details"].at("parameter").as_string(), "category");
}

TEST_F(RouterTest, ProfileHasNamesCountsLatestRecordsAndTotal) {
  PostSample();
  Response reg = Call("POST", "/api/v1/batches?indicator=reg_basic",
                      std::string("DJ_QYMC,DJ_TYSHXYDM,DJ_DJZT,DJ_HZRQ\n") +
                          "郑州宏达控股有限公司," + kHongdaUscc + ",存续," + kDReg + "\n",
                      "text/csv");
  ASSERT_EQ(reg.status, 201u) << reg.body;
  ASSERT_EQ(Body(reg)["accepted"].to_number<int64_t>(), 1) << reg.body;

  json::object o = Body(Get(std::string("/api/v1/subjects/") + kHongdaUscc));
  const json::object& subject = o["subject"].as_object();
  EXPECT_EQ(subject.at("code").as_string(), kHongdaUscc);
  EXPECT_EQ(subject.at("name").as_string(), "郑州宏达控股有限公司");
  EXPECT_EQ(subject.at("type").as_string(), "legal_person");
  ASSERT_EQ(subject.at("former_names").as_array().size(), 1u);
  EXPECT_EQ(subject.at("former_names").as_array()[0].as_string(), kHongda);
  EXPECT_EQ(subject.at("status").as_string(), "存续");  // from the registration row
  EXPECT_EQ(o["category_counts"].at("admin_penalty").to_number<int64_t>(), 3);
  EXPECT_EQ(o["category_counts"].at("reg_basic").to_number<int64_t>(), 1);
  EXPECT_EQ(o["category_counts"].as_object().size(), 2u);
  EXPECT_EQ(o["public_records"].to_number<int64_t>(), 4);
  const json::array& latest = o["latest_records"].as_array();
  ASSERT_EQ(latest.size(), 4u);
  EXPECT_EQ(latest[0].at("decision_date").as_string(), kDReg);
  EXPECT_EQ(latest[0].at("indicator").as_string(), "reg_basic");

  // Filters of the records endpoint, on the same subject.
  std::string base = std::string("/api/v1/subjects/") + kHongdaUscc + "/records?";
  auto total = [&](const std::string& q) {
    Response r = Get(base + q);
    EXPECT_EQ(r.status, 200u) << q << ": " << r.body;
    return Body(r)["total"].to_number<int64_t>();
  };
  EXPECT_EQ(total("nature=negative"), 3);
  EXPECT_EQ(total("nature=neutral"), 1);
  EXPECT_EQ(total("nature=positive"), 0);
  EXPECT_EQ(total("nature="), 4);
  EXPECT_EQ(total("from=" + kFrom), 3);
  EXPECT_EQ(total("to=" + kD101), 2);  // inclusive
  EXPECT_EQ(total("from=" + kD101 + "&to=" + kD101), 1);
  EXPECT_EQ(total("from=" + kFrom + "&to=" + kBefore205Reg + "&nature=negative"), 2);
  EXPECT_EQ(total("from=" + kFrom + "&category=admin_penalty"), 2);
  EXPECT_EQ(total("from=" + kAfterAll), 0);
  json::object page = Body(Get(base + "from=" + kFrom + "&page_size=2&page=2"));
  EXPECT_EQ(page["total"].to_number<int64_t>(), 3);
  ASSERT_EQ(page["records"].as_array().size(), 1u);
  EXPECT_EQ(page["records"].as_array()[0].at("decision_date").as_string(), kD101);
}

TEST_F(RouterTest, BadRecordFiltersAre400NamingTheParameter) {
  PostSample();
  std::string base = std::string("/api/v1/subjects/") + kHongdaUscc + "/records?";
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"from=2024-13-01", "from"},
      {"from=2024-02-30", "from"},
      {"from=20240501", "from"},
      {"from=2024-5-1", "from"},
      {"from=2024-05-01x", "from"},
      {"to=" + Enc("2024年5月1日"), "to"},
      {"to=yesterday", "to"},
      {"from=2024-08-01&to=2024-07-31", "from"},
      {"nature=bad", "nature"},
      {"nature=Negative", "nature"},
      {"nature=" + Enc("负面"), "nature"}};
  for (const auto& [q, parameter] : cases) {
    json::object e = Error(Get(base + q), 400, "invalid_argument");
    EXPECT_EQ(e["details"].at("parameter").as_string(), parameter) << q;
    EXPECT_NE(std::string(e["message"].as_string()).find(parameter), std::string::npos) << q;
  }
}

TEST_F(RouterTest, ProfileEtagRevalidatesUntilTheSubjectChanges) {
  PostSample();
  const std::string target = std::string("/api/v1/subjects/") + kHongdaUscc;
  Response first = Get(target);
  FinishResponse({.get_or_head = true}, &first);
  ASSERT_EQ(first.status, 200u);
  const std::string etag(first.Header("ETag"));
  ASSERT_FALSE(etag.empty());
  EXPECT_EQ(first.Header("Cache-Control"), "no-cache");

  Response second = Get(target);  // the same body again, so the same tag
  FinishResponse({.get_or_head = true, .if_none_match = etag}, &second);
  EXPECT_EQ(second.status, 304u);
  EXPECT_TRUE(second.body.empty());
  EXPECT_EQ(second.Header("ETag"), etag);

  Response records = Get(target + "/records");
  FinishResponse({.get_or_head = true, .if_none_match = etag}, &records);
  EXPECT_EQ(records.status, 200u);  // another resource, another tag
  ASSERT_FALSE(records.Header("ETag").empty());

  // A new record of the subject changes the profile, so the old tag no longer matches.
  std::string csv = SampleCsv();
  size_t pos = csv.find("郑市监罚〔2024〕101号");
  csv.replace(pos, std::string("郑市监罚〔2024〕101号").size(), "郑市监罚〔2024〕999号");
  Response posted = Call("POST", "/api/v1/batches?dept=410100-scjg", csv, "text/csv");
  ASSERT_EQ(posted.status, 201u);
  Response third = Get(target);
  FinishResponse({.get_or_head = true, .if_none_match = etag}, &third);
  EXPECT_EQ(third.status, 200u);
  EXPECT_NE(third.Header("ETag"), etag);
  EXPECT_EQ(Body(third)["public_records"].to_number<int64_t>(), 4);
}

// The public profile is kept in the profile cache (Platform::profile_cache). Whatever changes
// what it shows — a new record, a new name, an objection filed and withdrawn, an erased record,
// another day — the next answer is the one a cold cache gives; before each change the stale
// answer is shown to be in the cache, so only the invalidation keeps it from being served.
TEST_F(RouterTest, ACachedProfileIsNeverServedAfterWhatItShowsChanged) {
  PostSample();
  ResponseCache* cache = platform_->profile_cache();
  ASSERT_NE(cache, nullptr);
  const std::string target = std::string("/api/v1/subjects/") + kHongdaUscc;
  auto cached = [&] {  // the answer is in the cache and served from it
    Response first = Get(target);
    const uint64_t hits = cache->stats().hits;
    Response again = Get(target);
    EXPECT_EQ(cache->stats().hits, hits + 1);
    EXPECT_TRUE(again.body == first.body);
    return Body(again);
  };
  auto current = [&](std::string_view after) {  // served after a change == computed cold
    Response served = Get(target);
    cache->Clear();
    Response cold = Get(target);
    EXPECT_EQ(served.status, 200u) << after;
    EXPECT_TRUE(served.body == cold.body) << after << ": served " << served.body << "\ncold   "
                                          << cold.body;
    return Body(cold);
  };
  auto count = [](const json::object& o) { return o.at("public_records").to_number<int64_t>(); };
  ASSERT_EQ(count(cached()), 3);
  json::object health = Body(Get("/api/v1/health"));
  ASSERT_TRUE(health.contains("profile_cache")) << json::serialize(health);
  EXPECT_GE(health["profile_cache"].at("hits").to_number<int64_t>(), 1);

  // Kept by subject: its other code finds the same answer.
  const uint64_t hits = cache->stats().hits;
  Response by_org_code = Get(std::string("/api/v1/subjects/") + kHongdaOrgCode);
  EXPECT_EQ(cache->stats().hits, hits + 1);
  EXPECT_EQ(Body(by_org_code)["subject"].at("code").as_string(), kHongdaUscc);

  // A caller with a token gets its own view, computed for it and never kept.
  const ResponseCache::Stats before = cache->stats();
  EXPECT_EQ(Body(OperatorGet(target))["view"].as_string(), "operator");
  EXPECT_EQ(cache->stats().hits, before.hits);
  EXPECT_EQ(cache->stats().misses, before.misses);
  EXPECT_EQ(cache->stats().entries, before.entries);

  std::string csv = SampleCsv();
  const std::string doc = "郑市监罚〔2024〕101号";
  csv.replace(csv.find(doc), doc.size(), "郑市监罚〔2024〕999号");
  ASSERT_EQ(Call("POST", "/api/v1/batches?dept=410100-scjg", csv, "text/csv").status, 201u);
  EXPECT_EQ(count(current("a new record")), 4);

  cached();
  ASSERT_EQ(Call("POST", "/api/v1/batches?indicator=reg_basic",
                 std::string("DJ_QYMC,DJ_TYSHXYDM,DJ_DJZT,DJ_HZRQ\n") + "郑州宏达控股有限公司," +
                     kHongdaUscc + ",存续," + kDReg + "\n",
                 "text/csv")
                .status,
            201u);
  EXPECT_EQ(current("a new name")["subject"].at("name").as_string(), "郑州宏达控股有限公司");

  // An objection marks its record 异议处理中 while it is open.
  json::object o = cached();
  uint64_t record = 0;
  for (const auto& r : o["latest_records"].as_array()) {
    if (r.at("indicator").as_string() == "admin_penalty") {
      record = r.at("id").to_number<uint64_t>();
      break;
    }
  }
  ASSERT_NE(record, 0u);
  auto under_objection = [&](const json::object& profile) {
    for (const auto& r : profile.at("latest_records").as_array()) {
      if (r.at("id").to_number<uint64_t>() == record) {
        const json::value* flag = r.as_object().if_contains("under_objection");  // only when true
        return flag != nullptr && flag->as_bool();
      }
    }
    ADD_FAILURE() << "record " << record << " is not among the latest";
    return false;
  };
  Response filed = Call("POST", "/api/v1/objections",
                        json::serialize(json::object{{"subject", kHongdaUscc},
                                                     {"record", record},
                                                     {"reason", "处罚决定已被撤销"},
                                                     {"evidence", json::array{"撤销决定书"}}}),
                        "application/json");
  ASSERT_EQ(filed.status, 201u) << filed.body;
  EXPECT_TRUE(under_objection(current("an objection filed")));
  cached();
  const std::string id = std::to_string(Body(filed)["id"].to_number<uint64_t>());
  Response withdrawn = Call("POST", "/api/v1/objections/" + id + ":withdraw", "{}", "application/json");
  ASSERT_EQ(withdrawn.status, 200u) << withdrawn.body;
  EXPECT_FALSE(under_objection(current("the objection withdrawn")));

  // Retention's erasure, straight through the store.
  cached();
  auto subject = platform_->FindSubjectIdByCode(kHongdaUscc);
  ASSERT_TRUE(subject.ok());
  const storage::RecordRef erased[] = {{.subject_id = *subject, .record_id = record}};
  ASSERT_TRUE(platform_->store().Erase(erased, {}).ok());
  EXPECT_EQ(count(current("a record erased")), 4);

  // Sixty days on, the oldest penalty (330 days old) is past its 12 months of publicity.
  cached();
  {
    struct Later {  // unset whatever happens below
      Later() { setenv("XINYONG_TODAY", Date::Today().AddDays(60).ToString().c_str(), 1); }
      ~Later() { unsetenv("XINYONG_TODAY"); }
    } later;
    EXPECT_EQ(count(current("sixty days later")), 3);
  }
}

TEST_F(RouterTest, BadPagingParametersAre400NamingTheParameter) {
  PostSample();
  std::string base = std::string("/api/v1/subjects/") + kHongdaUscc + "/records";
  for (std::string q : {"?page_size=0", "?page_size=101", "?page_size=abc", "?page_size=",
                        "?page_size=20x", "?page_size=-1"}) {
    json::object e = Error(Get(base + q), 400, "invalid_argument");
    EXPECT_EQ(e["details"].at("parameter").as_string(), "page_size") << q;
    EXPECT_NE(std::string(e["message"].as_string()).find("page_size"), std::string::npos);
  }
  json::object e = Error(Get(base + "?page=0"), 400, "invalid_argument");
  EXPECT_EQ(e["details"].at("parameter").as_string(), "page");
  e = Error(Get(base + "?page=99999999999999999999"), 400, "invalid_argument");
  EXPECT_EQ(e["details"].at("parameter").as_string(), "page");
}

TEST_F(RouterTest, SearchByNamePrefixAndByCode) {
  PostSample();
  json::object s = Body(Get("/api/v1/search?q=" + Enc("郑州宏达")));
  EXPECT_EQ(s["query"].as_string(), "郑州宏达");
  const json::array& results = s["results"].as_array();
  ASSERT_EQ(results.size(), 1u);
  EXPECT_EQ(results[0].at("code").as_string(), kHongdaUscc);
  EXPECT_EQ(results[0].at("name").as_string(), kHongda);
  EXPECT_EQ(results[0].at("type").as_string(), "legal_person");
  double prefix_score = results[0].at("score").to_number<double>();
  EXPECT_GT(prefix_score, 0);
  EXPECT_LT(prefix_score, 1.0);

  // Exact name, with ASCII brackets typed instead of the registered full-width ones.
  s = Body(Get("/api/v1/search?q=" + Enc("郑州宏达(集团)商贸有限公司")));
  ASSERT_EQ(s["results"].as_array().size(), 1u);
  EXPECT_DOUBLE_EQ(s["results"].as_array()[0].at("score").to_number<double>(), 1.0);

  s = Body(Get(std::string("/api/v1/search?q=") + kYimaUscc));
  ASSERT_GE(s["results"].as_array().size(), 1u);
  EXPECT_EQ(s["results"].as_array()[0].at("code").as_string(), kYimaUscc);
  EXPECT_EQ(s["results"].as_array()[0].at("name").as_string(), kYima);
  EXPECT_DOUBLE_EQ(s["results"].as_array()[0].at("score").to_number<double>(), 1.0);

  s = Body(Get(std::string("/api/v1/search?q=") + kHongdaOrgCode));
  ASSERT_GE(s["results"].as_array().size(), 1u);
  EXPECT_EQ(s["results"].as_array()[0].at("code").as_string(), kHongdaUscc);

  s = Body(Get("/api/v1/search?q=" + Enc("没有这家公司")));
  EXPECT_TRUE(s["results"].as_array().empty());
}

TEST_F(RouterTest, SearchFollowsIngestionPagesAndFilters) {
  // The index exists before the batch arrives: the batch must reach it through the commit.
  json::object before = Body(Get("/api/v1/search?q=" + Enc("宏达")));
  EXPECT_EQ(before["total"].as_int64(), 0);
  PostSample();
  json::object s = Body(Get("/api/v1/search?q=" + Enc("有限公司") + "&limit=1"));
  EXPECT_EQ(s["total"].as_int64(), 2);  // 宏达 and 义马; the person and the bad row are not
  EXPECT_TRUE(s["total_exact"].as_bool());
  EXPECT_EQ(s["normalized"].as_string(), "有限公司");
  ASSERT_EQ(s["results"].as_array().size(), 1u);
  const json::value first = s["results"].as_array()[0];
  json::object page2 = Body(Get("/api/v1/search?q=" + Enc("有限公司") + "&limit=1&page=2"));
  ASSERT_EQ(page2["results"].as_array().size(), 1u);
  EXPECT_NE(page2["results"].as_array()[0].at("code"), first.at("code"));
  EXPECT_EQ(page2["page"].as_int64(), 2);
  EXPECT_TRUE(Body(Get("/api/v1/search?q=" + Enc("有限公司") + "&limit=1&page=3"))["results"]
                  .as_array()
                  .empty());
  // Shorter names first within "contains": 义马市金鑫建材有限公司 (11) before 宏达 (14).
  EXPECT_EQ(first.at("name").as_string(), kYima);
  EXPECT_EQ(first.at("match").as_string(), "name");
  EXPECT_EQ(first.at("match_class").as_string(), "contains");

  s = Body(Get("/api/v1/search?q=" + Enc("鄭州宏達")));  // traditional characters
  ASSERT_EQ(s["results"].as_array().size(), 1u);
  EXPECT_EQ(s["results"].as_array()[0].at("match_class").as_string(), "prefix");
  s = Body(Get("/api/v1/search?q=zzhd"));  // pinyin initials of 郑州宏达
  ASSERT_EQ(s["results"].as_array().size(), 1u);
  EXPECT_EQ(s["results"].as_array()[0].at("match").as_string(), "pinyin_initials");
  EXPECT_EQ(s["results"].as_array()[0].at("name").as_string(), kHongda);
  s = Body(Get("/api/v1/search?q=" + Enc("有限公司") + "&type=individual_business"));
  EXPECT_EQ(s["total"].as_int64(), 0);
  json::object e = Error(Get("/api/v1/search?q=x&type=natural_person"), 400, "invalid_argument");
  EXPECT_EQ(e["details"].at("parameter").as_string(), "type");
  e = Error(Get("/api/v1/search?q=x&page=0"), 400, "invalid_argument");
  EXPECT_EQ(e["details"].at("parameter").as_string(), "page");
  // Deep pages are refused rather than read: page × limit stops at search::kMaxResultDepth.
  e = Error(Get("/api/v1/search?q=914101&limit=100&page=51"), 400, "invalid_argument");
  EXPECT_EQ(e["details"].at("parameter").as_string(), "page");
  EXPECT_EQ(Get("/api/v1/search?q=914101&limit=100&page=50").status, 200u);
}

TEST_F(RouterTest, ChecksAreLoggedAnsweredAndTakeFeedbackOnce) {
  PostSample();
  const std::string body = std::string("{\"subject\":\"") + kHongdaUscc +
                           "\",\"scenario\":\"government_procurement\",\"purpose\":\"采购资格审查\","
                           "\"department\":\"410100-czj\"}";
  Response r = Call("POST", "/api/v1/checks", body, "application/json");
  ASSERT_EQ(r.status, 201u) << r.body;
  json::object c = Body(r);
  const int64_t id = c["id"].as_int64();
  EXPECT_GT(id, 0);
  EXPECT_EQ(c["subject"].at("code").as_string(), kHongdaUscc);
  EXPECT_EQ(c["scenario"].as_string(), "government_procurement");
  const std::string result(c["result"].as_string());
  EXPECT_TRUE(result == "pass" || result == "pass_with_reward" || result == "restricted" ||
              result == "refused");
  for (const auto& m : c["measures"].as_array()) {
    EXPECT_FALSE(m.at("legal_basis").as_string().empty());
    EXPECT_FALSE(m.at("triggers").as_array().empty());
  }

  // The log has it, as answered.
  json::object logged = Body(OperatorGet("/api/v1/checks/" + std::to_string(id)));
  EXPECT_EQ(logged["purpose"].as_string(), "采购资格审查");
  EXPECT_EQ(logged["department"].as_string(), "410100-czj");
  EXPECT_EQ(logged["result"].as_string(), result);
  EXPECT_TRUE(logged["feedback"].is_null());

  // Feedback: a reason is needed when the result was not applied; only once.
  const std::string fb = "/api/v1/checks/" + std::to_string(id) + "/feedback";
  json::object e = Error(Call("POST", fb, "{\"action\":\"not_applied\"}", "application/json"), 400,
                         "invalid_argument");
  EXPECT_EQ(e["details"].at("field").as_string(), "reason");
  Response ok = Call("POST", fb, "{\"action\":\"not_applied\",\"reason\":\"项目终止\"}",
                     "application/json");
  ASSERT_EQ(ok.status, 200u) << ok.body;
  EXPECT_EQ(Body(ok)["feedback"].at("reason").as_string(), "项目终止");
  Error(Call("POST", fb, "{\"action\":\"applied\"}", "application/json"), 409, "failed_precondition");
  Error(Call("POST", "/api/v1/checks/999999/feedback", "{\"action\":\"applied\"}",
             "application/json"),
        404, "not_found");

  // A batch: one result per code, an error for a code that is not a subject.
  Response b = Call("POST", "/api/v1/checks:batch",
                    std::string("{\"subjects\":[\"") + kHongdaUscc + "\",\"" + kYimaUscc +
                        "\",\"91110000600037341A\"],\"scenario\":\"bidding\",\"purpose\":\"投标审查\","
                        "\"department\":\"410100-ggzy\"}",
                    "application/json");
  ASSERT_EQ(b.status, 200u) << b.body;
  json::object bo = Body(b);
  ASSERT_EQ(bo["results"].as_array().size(), 3u);
  EXPECT_TRUE(bo["results"].as_array()[2].as_object().contains("error"));
  EXPECT_EQ(bo["by_result"].at("error").as_int64(), 1);
  // Written as it goes, the answer is what serializing it as a tree gives, byte for byte.
  EXPECT_EQ(json::serialize(json::parse(b.body)), b.body);
  EXPECT_EQ(bo["count"].as_int64(), 3);
  const json::object& first = bo["results"].as_array()[0].as_object();
  EXPECT_EQ(first.at("subject").as_string(), kHongdaUscc);
  EXPECT_FALSE(first.at("name").as_string().empty());
  EXPECT_GT(first.at("id").as_int64(), 0);
  EXPECT_TRUE(first.at("result").is_string());
  EXPECT_TRUE(first.at("measures").is_array());
  const json::object& missing = bo["results"].as_array()[2].as_object();
  EXPECT_EQ(missing.at("subject").as_string(), "91110000600037341A");
  EXPECT_EQ(missing.at("error").at("code").as_string(), "invalid_argument");  // its check digit
  EXPECT_FALSE(missing.at("error").at("message").as_string().empty());

  // Counts by department and scenario.
  json::object st = Body(OperatorGet("/api/v1/checks/stats"));
  EXPECT_EQ(st["total"].at("checks").as_int64(), 3);
  EXPECT_EQ(st["total"].at("not_applied").as_int64(), 1);
  EXPECT_EQ(st["by_department"].at("410100-ggzy").at("checks").as_int64(), 2);
  EXPECT_EQ(st["by_scenario"].at("government_procurement").at("feedback").as_int64(), 1);

  // A code that is not a string is an error of its own item, named null.
  Response nb = Call("POST", "/api/v1/checks:batch",
                     std::string("{\"subjects\":[7,\"") + kYimaUscc +
                         "\"],\"scenario\":\"bidding\",\"purpose\":\"投标审查\","
                         "\"department\":\"410100-ggzy\"}",
                     "application/json");
  ASSERT_EQ(nb.status, 200u) << nb.body;
  EXPECT_EQ(json::serialize(json::parse(nb.body)), nb.body);
  json::object nbo = Body(nb);
  EXPECT_TRUE(nbo["results"].as_array()[0].at("subject").is_null());
  EXPECT_EQ(nbo["results"].as_array()[0].at("error").at("code").as_string(), "invalid_argument");
  EXPECT_EQ(nbo["results"].as_array()[1].at("subject").as_string(), kYimaUscc);

  // Bad requests name the field.
  e = Error(Call("POST", "/api/v1/checks", "{\"subject\":\"x\"}", "application/json"), 400,
            "invalid_argument");
  EXPECT_EQ(e["details"].at("field").as_string(), "scenario");
  e = Error(Call("POST", "/api/v1/checks",
                 std::string("{\"subject\":\"") + kHongdaUscc +
                     "\",\"scenario\":\"nope\",\"purpose\":\"p\",\"department\":\"d\"}",
                 "application/json"),
            400, "invalid_argument");
  EXPECT_EQ(e["details"].at("field").as_string(), "scenario");
  Error(Call("POST", "/api/v1/checks", "not json", "application/json"), 400, "invalid_argument");
  Error(OperatorGet("/api/v1/checks/abc"), 400, "invalid_argument");
}

TEST_F(RouterTest, AnAsynchronousCheckIsAnsweredAsASynchronousOneOnceLogged) {
  PostSample();
  auto async = [&](std::string method, std::string target, std::string body) {
    Request r;
    r.method = std::move(method);
    r.target = std::move(target);
    r.body = std::move(body);
    r.content_type = "application/json";
    r.peer = "127.0.0.1:50000";
    r.authorization = "Bearer " + operator_token_;
    std::promise<Response> answered;
    int calls = 0;
    const bool taken = HandleRequestAsync(*platform_, r, [&](Response res) {
      ++calls;
      answered.set_value(std::move(res));
    });
    std::optional<Response> out;
    if (taken) out = answered.get_future().get();
    EXPECT_EQ(calls, taken ? 1 : 0);
    return out;
  };
  const std::string body = std::string("{\"subject\":\"") + kHongdaUscc +
                           "\",\"scenario\":\"government_procurement\",\"purpose\":\"采购资格审查\","
                           "\"department\":\"410100-czj\"}";
  auto r = async("POST", "/api/v1/checks", body);
  ASSERT_TRUE(r.has_value());
  ASSERT_EQ(r->status, 201u) << r->body;
  EXPECT_TRUE(r->body.starts_with("{\"id\":")) << r->body;
  json::object a = Body(*r);
  json::object b = Body(Call("POST", "/api/v1/checks", body, "application/json"));
  EXPECT_EQ(b["id"].as_int64(), a["id"].as_int64() + 1);  // logged, in order
  a.erase("id");
  b.erase("id");
  EXPECT_EQ(json::serialize(a), json::serialize(b));
  EXPECT_EQ(Body(OperatorGet("/api/v1/checks/" + std::to_string(Body(*r)["id"].as_int64())))["purpose"]
                .as_string(),
            "采购资格审查");
  // Errors are answered at once, as the synchronous route answers them.
  r = async("POST", "/api/v1/checks", "{\"subject\":\"x\"}");
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 400u);
  EXPECT_EQ(r->body, Call("POST", "/api/v1/checks", "{\"subject\":\"x\"}", "application/json").body);
  // Everything else is left to HandleRequest.
  EXPECT_FALSE(async("POST", "/api/v1/checks:batch", "{}").has_value());
  EXPECT_FALSE(async("GET", "/api/v1/checks/1", "").has_value());
  EXPECT_FALSE(async("POST", "/api/v1/checks/1/feedback", "{}").has_value());
}

TEST_F(RouterTest, ListsShowCurrentMembersAndTheProfileItsMemberships) {
  PostSample();
  const std::string header =
      "YZSX_ZTMC,YZSX_ZTLB,YZSX_TYSHXYDM,YZSX_ZJLX,YZSX_ZJHM,YZSX_FDDBR,YZSX_FR_ZJHM,YZSX_MDMC,"
      "YZSX_RDBM,YZSX_RDBMDM,YZSX_RDWSH,YZSX_LRYY,YZSX_FLYJ,YZSX_LRRQ,YZSX_YXQZ\n";
  auto row = [](std::string_view name, std::string_view uscc, std::string_view doc,
                std::string_view start, std::string_view end) {
    return std::string(name) + ",法人及非法人组织," + std::string(uscc) +
           ",,,王某,,环境违法严重失信名单,郑州市生态环境局,11410100MB1EM1ACX8," + std::string(doc) +
           ",逃避监管排放水污染物,《中华人民共和国环境保护法》第五十四条," + std::string(start) + "," +
           std::string(end) + "\n";
  };
  // 宏达: a current entry. 义马: one that ended by itself in 2025.
  std::string csv = header + row(kHongda, kHongdaUscc, "郑环严失认〔2024〕1号", Ago(60), "2099-09-11") +
                    row(kYima, kYimaUscc, "郑环严失认〔2022〕3号", "2022-03-01", "2025-03-01");
  Response r = Call("POST", "/api/v1/batches?dept=410100-sthj&indicator=serious_dishonesty", csv,
                    "text/csv");
  ASSERT_EQ(r.status, 201u) << r.body;
  ASSERT_EQ(Body(r)["accepted"].as_int64(), 2) << r.body;

  json::object l = Body(Get("/api/v1/lists/serious_dishonesty"));
  EXPECT_EQ(l["indicator"].as_string(), "serious_dishonesty");
  ASSERT_EQ(l["total"].as_int64(), 1);
  const json::object& e = l["entries"].as_array()[0].as_object();
  EXPECT_EQ(e.at("subject").at("code").as_string(), kHongdaUscc);
  EXPECT_EQ(e.at("start").as_string(), Ago(60));
  // It ends with its publicity period (36 months), before its declared 2099-09-11.
  EXPECT_EQ(e.at("end").as_string(), Date::Parse(Ago(60))->AddMonths(36).ToString());
  EXPECT_EQ(Body(Get("/api/v1/lists/red"))["total"].as_int64(), 0);
  Error(Get("/api/v1/lists/nope"), 404, "not_found");
  // The list is kept between requests, and computed again once the records change: a new
  // entry is listed at once (first: the newest), and a page past the end is empty.
  const std::string uscc2 = "91410100MA3X4AHN8F";
  r = Call("POST", "/api/v1/batches?dept=410100-sthj&indicator=serious_dishonesty",
           header + row("郑州新增测试有限公司", uscc2, "郑环严失认〔2024〕9号", Ago(10), "2099-09-11"),
           "text/csv");
  ASSERT_EQ(r.status, 201u) << r.body;
  json::object again = Body(Get("/api/v1/lists/serious_dishonesty"));
  ASSERT_EQ(again["total"].as_int64(), 2);
  EXPECT_EQ(again["entries"].as_array()[0].at("subject").at("code").as_string(), uscc2);
  EXPECT_TRUE(Body(Get("/api/v1/lists/serious_dishonesty?page=2&page_size=2"))["entries"]
                  .as_array()
                  .empty());

  json::object profile = Body(Get(std::string("/api/v1/subjects/") + kHongdaUscc));
  ASSERT_EQ(profile["lists"].as_array().size(), 1u);
  EXPECT_EQ(profile["lists"].as_array()[0].at("indicator").as_string(), "serious_dishonesty");
  EXPECT_TRUE(Body(Get(std::string("/api/v1/subjects/") + kYimaUscc))["lists"].as_array().empty());

  // Graded D while on the list, with the rule that did it.
  json::object grade = Body(OperatorGet(std::string("/api/v1/subjects/") + kHongdaUscc + "/grade"));
  EXPECT_EQ(grade["grade"].as_string(), "D");
  EXPECT_EQ(grade["contributions"].as_array()[0].at("indicator").as_string(), "serious_dishonesty");
  EXPECT_EQ(Body(OperatorGet(std::string("/api/v1/subjects/") + kYimaUscc + "/grade"))["grade"].as_string(), "B");

  // The current member is refused in government procurement, citing the entry.
  Response c = Call("POST", "/api/v1/checks",
                    std::string("{\"subject\":\"") + kHongdaUscc +
                        "\",\"scenario\":\"government_procurement\",\"purpose\":\"资格审查\","
                        "\"department\":\"410100-czj\"}",
                    "application/json");
  ASSERT_EQ(c.status, 201u) << c.body;
  json::object co = Body(c);
  EXPECT_EQ(co["result"].as_string(), "refused");
  EXPECT_EQ(co["measures"].as_array()[0].at("triggers").as_array()[0].at("document_number").as_string(),
            "郑环严失认〔2024〕1号");

  // A list the catalog makes government-shared (an operator's edit) is no public listing.
  const fs::path share = dir_ / "share";
  ASSERT_TRUE(test::CopyShareWith(share, "catalog/serious_dishonesty.toml",
                                  "disclosure = \"public\"", "disclosure = \"gov_shared\""));
  PlatformOptions o = platform_->options();
  o.share_dir = share.string();
  platform_.reset();
  auto reopened = Platform::Open(o);
  ASSERT_TRUE(reopened.ok()) << reopened.status().ToString();
  platform_ = std::move(reopened).value();
  EXPECT_EQ(Body(Get("/api/v1/lists/serious_dishonesty"))["total"].as_int64(), 0);
}

TEST_F(RouterTest, CommitmentsArePublishedByTheirPublicityTypeAndFulfilledByTheAcceptingUnit) {
  auto commitment = [](std::string_view code, std::string_view publicity, std::string_view status) {
    std::string row = std::string(R"({"CN_CNBM":")") + std::string(code) +
                      R"(","CN_CNRMC":"郑州宏达（集团）商贸有限公司","CN_CNRLB":"法人及非法人组织",)"
                      R"("CN_CNRDM":"91110000600037341L","CN_CNLX":"容缺受理型","CN_CNSY":"申请建设工程许可",)"
                      R"("CN_CNNR":"六十日内补齐材料","CN_CNZCRQ":"2026-01-05","CN_CNYXQ":"2026-06-30",)"
                      R"("CN_CNSLDW":"郑州市城乡建设局","CN_CNSLDWDM":"11410100MB1848126Q","CN_GKLX":")" +
                      std::string(publicity) + "\"";
    if (!status.empty()) {
      row += R"(,"CN_LXZT":")" + std::string(status) + R"(","CN_LXZTRDRQ":"2026-03-01")";
    }
    return row + "}\n";
  };
  const std::string jsonl = commitment("41010020260105000001", "可向社会公开", "") +
                            commitment("41010020260105000002", "不可公开", "") +
                            commitment("41010020260105000003", "可向社会公开", "全部履行");
  Response posted = Call("POST", "/api/v1/batches?indicator=credit_commitment", jsonl,
                         "application/x-ndjson");
  ASSERT_EQ(posted.status, 201u) << posted.body;
  EXPECT_EQ(Body(posted)["accepted"].to_number<int64_t>(), 3);

  // The public sees the two 可向社会公开 ones, though the indicator is 政务共享.
  const std::string base = std::string("/api/v1/subjects/") + kHongdaUscc + "/commitments";
  json::object mine = Body(Get(base));
  ASSERT_EQ(mine["total"].to_number<int64_t>(), 2) << json::serialize(mine);
  json::array items = mine["commitments"].as_array();
  std::set<std::string> states;
  for (const auto& c : items) states.insert(std::string(c.at("state").as_string()));
  EXPECT_EQ(states, (std::set<std::string>{"overdue", "fulfilled"}));
  EXPECT_EQ(Body(Get(std::string("/api/v1/subjects/") + kHongdaUscc))["category_counts"]
                .at("credit_commitment")
                .to_number<int64_t>(),
            2);
  // The 不可公开 one is seen by a token's holder, and that look is in the subject's access log.
  const uint64_t hongda = platform_->FindSubjectIdByCode(kHongdaUscc).value();
  auto looks = [&] {
    auto e = security::SubjectAuditEntries(platform_->store(), hongda, 100);
    EXPECT_TRUE(e.ok());
    size_t n = 0;
    for (const auto& entry : e.ok() ? *e : std::vector<security::AuditEntry>()) {
      n += entry.target == "GET /api/v1/commitments";
    }
    return n;
  };
  EXPECT_EQ(looks(), 0u);
  json::object shared = Body(OperatorGet("/api/v1/commitments"));
  ASSERT_EQ(shared["commitments"].as_array().size(), 3u) << json::serialize(shared);
  EXPECT_EQ(looks(), 1u);
  json::object overdue = Body(Get("/api/v1/commitments?state=overdue"));
  ASSERT_EQ(overdue["commitments"].as_array().size(), 1u);
  EXPECT_EQ(overdue["commitments"].as_array()[0].at("code").as_string(), "41010020260105000001");
  EXPECT_FALSE(overdue["more"].as_bool());
  EXPECT_EQ(Error(Get("/api/v1/commitments?state=late"), 400, "invalid_argument")["details"]
                .at("parameter")
                .as_string(),
            "state");

  // Only the accepting unit may record the finding, and a breach must say what was not kept.
  const std::string fulfil = base + "/41010020260105000001/fulfilment";
  json::object e = Error(Call("POST", fulfil,
                              R"({"status":"部分履行","unit":"郑州市市场监督管理局","unfulfilled":"x"})",
                              "application/json"),
                         403, "permission_denied");
  EXPECT_EQ(e["details"].at("field").as_string(), "unit");
  e = Error(Call("POST", fulfil, R"({"status":"部分履行","unit":"郑州市城乡建设局"})",
                 "application/json"),
            400, "invalid_argument");
  EXPECT_EQ(e["details"].at("field").as_string(), "unfulfilled");
  e = Error(Call("POST", base + "/41010020260105000009/fulfilment",
                 R"({"status":"全部履行","unit":"郑州市城乡建设局"})", "application/json"),
            404, "not_found");
  EXPECT_EQ(e["details"].at("parameter").as_string(), "number");
  Response done = Call("POST", fulfil,
                       R"({"status":"部分履行","date":"2026-07-02","unit_code":"11410100MB1848126Q",)"
                       R"("unfulfilled":"未补齐消防验收材料","liability":"撤销施工许可"})",
                       "application/json");
  ASSERT_EQ(done.status, 200u) << done.body;
  json::object d = Body(done);
  EXPECT_EQ(d["commitment"].at("state").as_string(), "partially_fulfilled");
  EXPECT_EQ(d["commitment"].at("found").as_string(), "2026-07-02");
  EXPECT_TRUE(d["changed"].as_bool());
  ASSERT_TRUE(d["breach"].is_object());
  EXPECT_EQ(d["breach"].at("indicator").as_string(), "commitment_breach");
  EXPECT_EQ(d["breach"].at("decision_date").as_string(), "2026-07-02");
  // The breach is a negative record like any other: public (by its 公开类型) and in the profile.
  json::object profile = Body(Get(std::string("/api/v1/subjects/") + kHongdaUscc));
  EXPECT_EQ(profile["category_counts"].at("commitment_breach").to_number<int64_t>(), 1);
}

TEST_F(RouterTest, InspectionDrawsArePublishedAndReproducible) {
  PostSample();
  const std::string body =
      "{\"base_ratio\":1,\"seed\":\"42\",\"purpose\":\"双随机抽查\",\"department\":\"410100-scjg\"}";
  Response r = Call("POST", "/api/v1/inspections", body, "application/json");
  ASSERT_EQ(r.status, 201u) << r.body;
  json::object d = Body(r);
  EXPECT_EQ(d["seed"].as_string(), "42");
  EXPECT_EQ(d["in_scope"].as_int64(), 2);  // 宏达 and 义马; never the natural person
  EXPECT_EQ(d["drawn"].as_array().size(), 2u);  // ratio 1: everyone
  // The same seed on the same data draws the same list; the draw is kept as published.
  Response again = Call("POST", "/api/v1/inspections",
                        "{\"base_ratio\":0.5,\"seed\":42,\"purpose\":\"p\",\"department\":\"d\"}",
                        "application/json");
  Response twice = Call("POST", "/api/v1/inspections",
                        "{\"base_ratio\":0.5,\"seed\":42,\"purpose\":\"p\",\"department\":\"d\"}",
                        "application/json");
  ASSERT_EQ(again.status, 201u);
  EXPECT_EQ(Body(again)["drawn"], Body(twice)["drawn"]);
  json::object got = Body(OperatorGet("/api/v1/inspections/" + std::to_string(d["id"].as_int64())));
  EXPECT_EQ(got["drawn"], d["drawn"]);

  // The public sees who was drawn, not their grades (inspection_handlers.cc).
  json::object pub = Body(Get("/api/v1/inspections/" + std::to_string(d["id"].as_int64())));
  ASSERT_EQ(pub["drawn"].as_array().size(), 2u);
  for (size_t i = 0; i < 2; ++i) {
    EXPECT_EQ(pub["drawn"].as_array()[i].at("code"), d["drawn"].as_array()[i].at("code"));
    EXPECT_FALSE(pub["drawn"].as_array()[i].as_object().contains("grade"));
  }
  json::object list = Body(Get("/api/v1/inspections"));
  ASSERT_EQ(list["inspections"].as_array().size(), 3u);
  EXPECT_EQ(list["inspections"].as_array()[2].at("id").as_int64(), d["id"].as_int64());
  Error(Get("/api/v1/inspections/999"), 404, "not_found");
  json::object e = Error(Call("POST", "/api/v1/inspections",
                              "{\"base_ratio\":2,\"purpose\":\"p\",\"department\":\"d\"}",
                              "application/json"),
                         400, "invalid_argument");
  EXPECT_EQ(e["details"].at("field").as_string(), "base_ratio");
}

TEST_F(RouterTest, SearchNeverFindsNaturalPersonsByName) {
  PostSample();
  json::object s = Body(Get("/api/v1/search?q=" + Enc("张三")));
  EXPECT_TRUE(s["results"].as_array().empty()) << json::serialize(s);
  s = Body(Get("/api/v1/search?q=" + Enc("张")));
  EXPECT_TRUE(s["results"].as_array().empty()) << json::serialize(s);
  // Nor by ID number; and the number typed is not echoed.
  Response r = Get(std::string("/api/v1/search?q=") + kPersonId);
  ASSERT_EQ(r.status, 200u);
  EXPECT_TRUE(Body(r)["results"].as_array().empty());
  EXPECT_EQ(r.body.find(kPersonId), std::string::npos);
}

TEST_F(RouterTest, SearchParameters) {
  json::object e = Error(Get("/api/v1/search"), 400, "invalid_argument");
  EXPECT_EQ(e["details"].at("parameter").as_string(), "q");
  Error(Get("/api/v1/search?q=%20%20"), 400, "invalid_argument");
  e = Error(Get("/api/v1/search?q=a&limit=101"), 400, "invalid_argument");
  EXPECT_EQ(e["details"].at("parameter").as_string(), "limit");
  PostSample();
  json::object s = Body(Get("/api/v1/search?q=" + Enc("郑州") + "&limit=1"));
  EXPECT_EQ(s["results"].as_array().size(), 1u);
}

TEST_F(RouterTest, WrongMethodIs405WithAllow) {
  Response r = Call("DELETE", "/api/v1/health");
  Error(r, 405, "method_not_allowed");
  EXPECT_EQ(r.Header("Allow"), "GET, HEAD");
  r = Call("PUT", "/api/v1/batches");
  Error(r, 405, "method_not_allowed");
  EXPECT_EQ(r.Header("allow"), "POST, GET, HEAD");
  r = Call("POST", "/api/v1/subjects/x");
  Error(r, 405, "method_not_allowed");
}

TEST_F(RouterTest, UnknownPathsAre404Json) {
  for (std::string t : {"/api/v1/nope", "/api/v2/health", "/api", "/api/v1/subjects",
                        "/api/v1/subjects/a/b/c"}) {
    json::object e = Error(Get(t), 404, "not_found");
    EXPECT_TRUE(e["details"].is_null()) << t;
  }
  Error(Get("/api/v1/search?q=%zz"), 400, "invalid_argument");
  Error(Get("/api/v1/subjects/%ff%fe"), 400, "invalid_argument");
}

TEST_F(RouterTest, HeadIsAnsweredLikeGet) {
  Response r = Call("HEAD", "/api/v1/health");
  EXPECT_EQ(r.status, 200u);
}

// A path logged as the client wrote it would keep an ID number written as %XX escapes: it is
// decoded first (a malformed escape kept as it is), then masked; the query is left out.
TEST(RedactTest, LogPathMasksAPercentEncodedIdNumber) {
  std::string encoded;
  for (char c : std::string("11010519491231002X")) {
    encoded += "%" + std::string(1, "0123456789ABCDEF"[c >> 4]) + "0123456789ABCDEF"[c & 15];
  }
  const std::string logged = LogPath("/api/v1/subjects/" + encoded + "/records%zz?q=11010519491231002X");
  EXPECT_EQ(logged, "/api/v1/subjects/" + ident::MaskResidentId("11010519491231002X") + "/records%zz");
}

// Found by fuzz/target_fuzzer.cc: a number the resident ID parser accepts went unmasked when its
// address code started with 0 (redaction required 1-9 there, the parser does not).
TEST(RedactTest, MasksEveryNumberTheResidentIdParserAccepts) {
  const Date today = Date::FromYmd(2025, 6, 30).value();
  for (std::string id : {"010519491231002", "01051919491231002X", "000000200001010011"}) {
    if (id.size() == 18) id[17] = ident::ResidentIdCheckChar(std::string_view(id).substr(0, 17));
    ASSERT_TRUE(ident::ParseResidentId(id, today).ok()) << id;
    EXPECT_EQ(RedactPersonalIds("q=" + id + "&x"), "q=" + ident::MaskResidentId(id) + "&x");
  }
  // A log line cut at its limit inside an ID keeps only the masked form's first digits.
  const std::string line = ForLog(std::string(500, 'a') + "11010519491231002X");
  EXPECT_EQ(line, std::string(500, 'a') + "1101********...");
}

TEST_F(RouterTest, TrailingSlashIsTolerated) {
  EXPECT_EQ(Get("/api/v1/health/").status, 200u);
}

TEST(RedactTest, MasksResidentIdsButNotOtherCodes) {
  EXPECT_EQ(RedactPersonalIds("id 11010519491231002X here"),
            "id " + ident::MaskResidentId("11010519491231002X") + " here");
  EXPECT_EQ(RedactPersonalIds("x110105491231002"), "x" + ident::MaskResidentId("110105491231002"));
  EXPECT_EQ(RedactPersonalIds("91110000600037341L"), "91110000600037341L");
  EXPECT_EQ(RedactPersonalIds("914112810713741814"), "9141**********1814")
      << "an all-digit code of 18: masked, the safe side";
  EXPECT_EQ(RedactPersonalIds("/subjects/110105-19491231-002X"), "/subjects/1101**-********-002X");
  EXPECT_EQ(RedactPersonalIds("page=2"), "page=2");
  EXPECT_EQ(ForLog("/a\nGET /forged"), "/a\\x0AGET /forged");
  EXPECT_EQ(ForLog(std::string(600, 'a')).size(), 515u);
}

// A person's name is masked as stored and as a record spells it, the longer spelling first; a
// one-character name only where it stands alone.
TEST(RedactTest, MasksAPersonsNameInEverySpelling) {
  EXPECT_EQ(MaskPersonName("张三丰违规经营", "张三丰"), "张**违规经营");
  EXPECT_EQ(MaskPersonName("阿依古丽·买买提经营", "买买提", "阿依古丽·买买提"), "阿*******经营");
  EXPECT_EQ(MaskPersonName("买买提与阿依古丽·买买提", "阿依古丽·买买提", "买买提"), "买**与阿*******");
  EXPECT_EQ(MaskPersonName("王", "王"), "王*");
  EXPECT_EQ(MaskPersonName("王府井店", "王"), "王府井店");
  EXPECT_EQ(MaskPersonName("", "张三"), "");
}

TEST(RedactTest, CommandLinesKeepNoTokens) {
  const char* argv[] = {"xinyong", "--data", "var/county", "serve", "--push-to", "http://city",
                        "--push-token", "xy_AAAA", "--token=xy_BBBB", "xy_CCCC", "--json"};
  EXPECT_EQ(CommandLineForAudit(11, argv),
            "--data var/county serve --push-to http://city --push-token <secret> --token=<secret> "
            "<secret> --json");
}

TEST(TargetTest, DecodesSegmentsAndQuery) {
  ParsedTarget t;
  std::string error;
  ASSERT_TRUE(ParseTarget("/api/v1/subjects/a%2Fb/records?q=%E9%83%91+x&page=2&flag", &t, &error));
  ASSERT_EQ(t.segments.size(), 5u);
  EXPECT_EQ(t.segments[3], "a/b");
  EXPECT_EQ(*t.Query("q"), "郑 x");
  EXPECT_EQ(*t.Query("page"), "2");
  EXPECT_EQ(*t.Query("flag"), "");
  EXPECT_EQ(t.Query("none"), nullptr);
  EXPECT_FALSE(ParseTarget("/a%00b", &t, &error));
  EXPECT_FALSE(ParseTarget("/a%C0%AF", &t, &error));  // overlong '/'
  EXPECT_FALSE(ParseTarget("http://x/a", &t, &error));
  EXPECT_FALSE(ParseTarget("/a%2", &t, &error));
  EXPECT_EQ(SanitizeUtf8("a\xff" "b"), "a\xEF\xBF\xBD" "b");
}

// A store written before stores kept their key's fingerprint records the key it is opened with
// next — only a key that opens what it holds sealed: a wrong key file at the first open after
// an upgrade is refused, not recorded for good.
TEST(PlatformKeyTest, AnOlderStoreRecordsOnlyAKeyThatOpensItsSealedNumbers) {
  const fs::path dir = fs::temp_directory_path() /
                       ("xinyong-oldkey-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  const std::string key = (dir / "keys" / "right.key").string();
  const std::string other = (dir / "keys" / "wrong.key").string();
  {  // the older store: written without a platform, so without a fingerprint
    auto cat = catalog::Catalog::LoadDirectory(SourceDir() + "/data/catalog");
    auto cal = WorkCalendar::LoadFile(SourceDir() + "/data/calendar/cn_workdays.toml");
    auto vault = PersonalDataVault::OpenOrCreate(key);
    ASSERT_TRUE(PersonalDataVault::OpenOrCreate(other).ok());
    auto store = storage::RocksDbStore::Open((dir / "data").string());
    ASSERT_TRUE(cat.ok() && cal.ok() && vault.ok() && store.ok());
    ingest::Ingester ingester(**store, **cat, *cal, **vault);
    auto r = ingester.IngestBuffer(
        "CF_XDR_MC,CF_XDR_LB,CF_XDR_ZJLX,CF_XDR_ZJHM,CF_WSH,CF_WFXW,CF_SY,CF_YJ,CF_CFLB,CF_NR,"
        "CF_NR_FK,CF_JDRQ,CF_CFJG,CF_CFJGDM,CF_SJLY,CF_SJLYDM,CF_CFCX\n"
        "张三,自然人,身份证,11010519491231002X,郑公交罚〔2025〕9号,违章,经查属实,《道路交通安全法》,"
        "罚款,罚款0.2万元,0.2,2025-03-03,郑州市公安局交通警察支队,11410100MB1848126Q,"
        "郑州市公安局交通警察支队,11410100MB1848126Q,普通程序\n",
        "admin_penalty.csv", ingest::IngestOptions());
    ASSERT_TRUE(r.ok() && r->accepted == 1u) << (r.ok() ? "" : r.status().ToString());
    ASSERT_TRUE(ingester.Flush().ok());
    ASSERT_FALSE((*store)->KeyFingerprint()->has_value());
  }
  PlatformOptions o;
  o.data_dir = (dir / "data").string();
  o.share_dir = SourceDir() + "/data";
  o.key_file = other;
  auto wrong = Platform::Open(o);
  EXPECT_EQ(wrong.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(wrong.status().message().find("does not open the personal numbers"), std::string::npos)
      << wrong.status().ToString();
  // Read-only, with no key file where one is named: refused, and none is made.
  o.read_only = true;
  o.key_file = (dir / "keys" / "none.key").string();
  EXPECT_NE(Platform::Open(o).status().message().find("a read-only open never creates a key"),
            std::string::npos);
  EXPECT_FALSE(fs::exists(o.key_file));
  o.read_only = false;
  o.key_file = key;
  {
    auto right = Platform::Open(o);
    ASSERT_TRUE(right.ok()) << right.status().ToString();
    EXPECT_TRUE((*right)->store().KeyFingerprint()->has_value());
  }
  o.key_file = other;
  EXPECT_NE(Platform::Open(o).status().message().find("holds the key of fingerprint"),
            std::string::npos);
  fs::remove_all(dir);
}

}  // namespace
}  // namespace xinyong::server
