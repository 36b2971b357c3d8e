// Fuzzes the API's request handling — the route table and every handler behind it — as the HTTP
// server calls it, without a socket: HandleRequestAsync first for POST (a single credit check),
// HandleRequest otherwise. The platform is opened once, on a temporary data directory holding a
// few ingested penalties: two companies and a natural person.
//
// Input layout, one field per line: METHOD \n TARGET \n CONTENT-TYPE \n AUTHORIZATION \n BODY
// (the body is the rest, newlines included; missing fields are empty).
//
// Invariants: the status is a real one and never 500 (an unexpected exception or an internal
// error); a JSON response parses (which also checks it is valid UTF-8); an error has the
// documented shape; a 405 names the allowed methods; and no response shows the resident ID number
// of the ingested person unless the request itself named it.
//
// Requests may change the store (an upload adds records, a check is logged), so one input's
// answer can depend on the inputs before it: a crash that does not reproduce from its input alone
// needs the corpus run that led to it (libFuzzer's -runs over the corpus directory).
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <future>
#include <memory>
#include <string>
#include <string_view>

#include <boost/json.hpp>
#include <spdlog/spdlog.h>

#include "core/identifiers.h"
#include "fuzz_check.h"
#include "ingest/ingester.h"
#include "server/platform.h"
#include "server/router.h"
#include "server/target.h"

namespace {

using namespace xinyong;
using namespace xinyong::server;
namespace fs = std::filesystem;
namespace json = boost::json;

constexpr std::string_view kPersonId = "11010519491231002X";  // the GB 11643 example number

// Two companies and a natural person, as a department's CSV file.
std::string SeedCsv() {
  const std::string tail =
      ",虚假宣传,在网站发布虚假广告,《中华人民共和国广告法》第五十五条,罚款,罚款2万元,2,";
  const std::string org =
      ",郑州市市场监督管理局,11410100MB0000001X,郑州市市场监督管理局,11410100MB0000001X,"
      "普通程序\n";
  std::string csv =
      "CF_XDR_MC,CF_XDR_LB,CF_XDR_SHXYM,CF_XDR_ZJLX,CF_XDR_ZJHM,CF_WSH,CF_WFXW,CF_SY,CF_YJ,"
      "CF_CFLB,CF_NR,CF_NR_FK,CF_JDRQ,CF_CFJG,CF_CFJGDM,CF_SJLY,CF_SJLYDM,CF_CFCX\n";
  csv += "郑州宏达（集团）商贸有限公司,法人及非法人组织,91110000600037341L,,,郑市监罚〔2024〕101号" +
         tail + "2024-05-10" + org;
  csv += "义马市金鑫建材有限公司,法人及非法人组织,914112810713741814,,,义市监罚〔2024〕12号" + tail +
         "2024-06-01" + org;
  csv += "张三,自然人,,身份证," + std::string(kPersonId) + ",郑市监罚〔2024〕300号" + tail +
         "2024-07-15" + org;
  return csv;
}

struct Fixture {
  fs::path dir;
  std::unique_ptr<Platform> platform;

  Fixture() {
    spdlog::set_level(spdlog::level::err);
    std::string tmpl = (fs::temp_directory_path() / "xinyong-fuzz-XXXXXX").string();
    if (::mkdtemp(tmpl.data()) == nullptr) Die("cannot create a temporary directory");
    dir = tmpl;
    PlatformOptions o;
    o.data_dir = (dir / "data").string();
    o.share_dir = std::string(XINYONG_SOURCE_DIR) + "/data";
    o.key_file = (dir / "keys" / "fuzz.key").string();
    o.sync = false;
    auto p = Platform::Open(o);
    if (!p.ok()) Die("cannot open the platform: " + p.status().ToString());
    platform = std::move(p).value();
    // Straight to the ingester, as POST /api/v1/batches does: uploads may need a role token.
    ingest::IngestOptions io;
    io.indicator = "admin_penalty";
    io.dept = "410100-scjg";
    auto report = platform->ingester().IngestBuffer(SeedCsv(), "seed.csv", io);
    if (!report.ok()) Die("the seed batch failed: " + report.status().ToString());
    if (report->accepted != 3) Die("the seed batch was not accepted whole");
    // As `xinyong serve` does before it listens.
    if (!platform->names().ok() || !platform->triggers().ok()) Die("cannot build the indexes");
  }

  ~Fixture() {
    platform.reset();
    std::error_code ec;
    fs::remove_all(dir, ec);
  }

  [[noreturn]] static void Die(const std::string& why) {
    std::fprintf(stderr, "http_handler fuzzer: %s\n", why.c_str());
    std::exit(1);
  }
};

Fixture* fixture = nullptr;

// Cuts the next line off `rest`.
std::string NextLine(std::string_view* rest) {
  size_t nl = rest->find('\n');
  std::string line(rest->substr(0, nl));
  rest->remove_prefix(nl == std::string_view::npos ? rest->size() : nl + 1);
  return line;
}

Response Handle(Request&& request) {
  if (request.method == "POST") {
    auto promise = std::make_shared<std::promise<Response>>();
    auto answer = promise->get_future();
    if (HandleRequestAsync(*fixture->platform, request,
                           [promise](Response r) { promise->set_value(std::move(r)); })) {
      return answer.get();
    }
  }
  return HandleRequest(*fixture->platform, std::move(request));
}

// Whether the request itself names the person's ID number (in any spelling the code parsers
// accept): an answer may then echo it, e.g. inside a longer number, which is not masked.
bool MentionsPersonId(const Request& r) {
  std::string decoded;
  if (!PercentDecode(r.target, /*plus_as_space=*/true, &decoded)) decoded = r.target;
  std::string all = ident::NormalizeCodeInput(decoded + r.target + r.content_type +
                                              r.authorization + r.body);
  // Control characters are dropped from what an answer echoes (an error naming the path), which
  // joins the digits around them: "1\x11" "1010519491231002X" comes back as the number.
  std::erase_if(all, [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7F; });
  return all.find(kPersonId.substr(0, 17)) != std::string::npos;
}

void CheckResponse(const Response& r, bool may_echo_person_id) {
  FUZZ_CHECK(r.status >= 200 && r.status <= 599);
  if (r.status == 500) {
    std::fprintf(stderr, "500: %s\n", r.body.c_str());
    FUZZ_CHECK(r.status != 500);
  }
  if (!may_echo_person_id) FUZZ_CHECK(r.body.find(kPersonId) == std::string::npos);
  if (r.content_type != kJsonContentType) return;
  boost::system::error_code ec;
  json::value v = json::parse(r.body, ec);
  FUZZ_CHECK(!ec);
  if (r.status >= 400) {
    FUZZ_CHECK(v.is_object() && v.as_object().contains("error"));
    const json::value& e = v.at("error");
    FUZZ_CHECK(e.is_object());
    FUZZ_CHECK(e.as_object().contains("code") && e.at("code").is_string());
    FUZZ_CHECK(e.as_object().contains("message") && e.at("message").is_string());
    FUZZ_CHECK(e.as_object().contains("details"));
  }
  if (r.status == 405) FUZZ_CHECK(!r.Header("Allow").empty());
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  fixture = new Fixture();
  std::atexit([] { delete fixture; });
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view rest(reinterpret_cast<const char*>(data), size);
  Request request;
  request.method = NextLine(&rest);
  request.target = NextLine(&rest);
  request.content_type = NextLine(&rest);
  request.authorization = NextLine(&rest);
  request.body.assign(rest);
  request.peer = "127.0.0.1:50000";
  const bool mentions = MentionsPersonId(request);
  CheckResponse(Handle(std::move(request)), mentions);
  return 0;
}
