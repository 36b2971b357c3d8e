#include "report/issuer.h"

#include <cstdio>

#include <sodium.h>

namespace xinyong::report {

namespace json = boost::json;

namespace {
constexpr std::string_view kPrefix = "XYBG-";
// The stored value: format byte 1, then {"digest", "envelope"} as JSON text.
constexpr char kFormat = '\x01';

// The stored value's JSON object ({"digest", "envelope"}); DataLoss naming the id otherwise.
Result<json::object> ParseStoredValue(uint64_t id, std::string_view value) {
  const std::string corrupt = "stored report " + std::to_string(id) + " is corrupt";
  if (value.empty() || value[0] != kFormat) return Status::DataLoss(corrupt);
  boost::system::error_code ec;
  json::value v = json::parse(value.substr(1), ec);
  if (ec || !v.is_object()) return Status::DataLoss(corrupt);
  return std::move(v.get_object());
}

}  // namespace

constexpr size_t kCheckSize = 8;
constexpr std::string_view kBase32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

std::string ReportNumber(Date issued, uint64_t id, std::string_view check) {
  char buf[48];
  std::snprintf(buf, sizeof buf, "XYBG-%04d%02d%02d-%06llu", issued.year(), issued.month(),
                issued.day(), static_cast<unsigned long long>(id));
  std::string out = buf;
  if (!check.empty()) out += "-" + std::string(check);
  return out;
}

std::string RandomNumberCheck() {
  if (sodium_init() < 0) std::abort();  // libsodium unusable: no safe randomness
  std::string out;
  for (size_t i = 0; i < kCheckSize; ++i) out.push_back(kBase32[randombytes_uniform(32)]);
  return out;
}

Result<uint64_t> ParseReportNumber(std::string_view number) {
  auto bad = [&] {
    return Status::InvalidArgument("number: '" + std::string(number.substr(0, 40)) +
                                   "' is not a report number (XYBG-YYYYMMDD-NNNNNN-XXXXXXXX)");
  };
  // The random part, when there is one: '-' and 8 base32 characters at the end.
  if (number.size() > kCheckSize + 1 && number[number.size() - kCheckSize - 1] == '-' &&
      number.size() > kPrefix.size() + 9 + kCheckSize) {
    for (char ch : number.substr(number.size() - kCheckSize)) {
      if (kBase32.find(ch) == std::string_view::npos) return bad();
    }
    number.remove_suffix(kCheckSize + 1);
  }
  if (!number.starts_with(kPrefix) || number.size() < kPrefix.size() + 8 + 1 + 6 ||
      number.size() > kPrefix.size() + 8 + 1 + 19 || number[kPrefix.size() + 8] != '-') {
    return bad();
  }
  const std::string_view date = number.substr(kPrefix.size(), 8);
  const std::string_view id = number.substr(kPrefix.size() + 9);
  for (char ch : date) {
    if (ch < '0' || ch > '9') return bad();
  }
  uint64_t v = 0;
  for (char ch : id) {
    if (ch < '0' || ch > '9') return bad();
    v = v * 10 + static_cast<uint64_t>(ch - '0');
  }
  if (!IsValidYmd(std::stoi(std::string(date.substr(0, 4))),
                  std::stoi(std::string(date.substr(4, 2))),
                  std::stoi(std::string(date.substr(6, 2)))) ||
      v == 0) {
    return bad();
  }
  return v;
}

std::string VerifyUrl(std::string_view base_url, std::string_view number) {
  while (base_url.ends_with('/')) base_url.remove_suffix(1);
  return std::string(base_url) + "/verify.html?number=" + std::string(number);
}

Result<IssuedReport> IssueReport(storage::Store& store, const ReportSigner& signer,
                                 ReportContent content, int64_t now_ms, std::string_view base_url,
                                 bool to_public) {
  const uint64_t id = store.NextId(storage::IdSpace::kReport);
  // The date of issue in Beijing time (UTC+8), as the report states it.
  const Date day = Date::FromDays(static_cast<int32_t>((now_ms / 1000 + 8 * 3600) / 86400));
  content.number = ReportNumber(day, id, RandomNumberCheck());
  content.issued_unix_ms = now_ms;
  content.verify_url = VerifyUrl(base_url, content.number);
  IssuedReport out;
  out.signed_report = SignContent(signer, ContentJson(content));
  out.digest = Sha256Hex(out.signed_report.canonical);
  std::string value(1, kFormat);
  json::object facts{{"digest", out.digest}};
  if (to_public) facts["public"] = true;
  value += json::serialize(facts);
  value.pop_back();
  value += ",\"envelope\":" + EnvelopeJson(out.signed_report) + "}";
  XY_RETURN_IF_ERROR(store.SaveReport(id, value));
  out.content = std::move(content);
  return out;
}

Result<std::optional<StoredReport>> LoadReport(const storage::Store& store,
                                               std::string_view number) {
  XY_ASSIGN_OR_RETURN(uint64_t id, ParseReportNumber(number));
  XY_ASSIGN_OR_RETURN(std::optional<std::string> value, store.GetReport(id));
  if (!value) return std::optional<StoredReport>();
  const std::string corrupt = "stored report " + std::to_string(id) + " is corrupt";
  XY_ASSIGN_OR_RETURN(json::object v, ParseStoredValue(id, *value));
  const json::value* env = v.if_contains("envelope");
  const json::value* digest = v.if_contains("digest");
  if (env == nullptr || digest == nullptr || !digest->is_string()) return Status::DataLoss(corrupt);
  auto parsed = ParseEnvelope(json::serialize(*env));
  if (!parsed.ok()) return Status::DataLoss(corrupt + ": " + parsed.status().message());
  StoredReport r{std::move(parsed).value(), std::string(digest->get_string())};
  // A number names one report: same id, another date is not this report.
  const json::value* n = r.signed_report.content.if_contains("number");
  if (n == nullptr || !n->is_string() || n->get_string() != number)
    return std::optional<StoredReport>();
  return std::optional<StoredReport>(std::move(r));
}

Result<IssueFacts> ReadIssueFacts(uint64_t id, std::string_view value) {
  const std::string corrupt = "stored report " + std::to_string(id) + " is corrupt";
  XY_ASSIGN_OR_RETURN(json::object v, ParseStoredValue(id, value));
  const json::value* env = v.if_contains("envelope");
  const json::value* content = env != nullptr && env->is_object()
                                   ? env->get_object().if_contains("content")
                                   : nullptr;
  if (content == nullptr || !content->is_object()) return Status::DataLoss(corrupt);
  const json::object& c = content->get_object();
  const json::value* number = c.if_contains("number");
  const json::value* issued = c.if_contains("issued_unix_ms");
  const json::value* request = c.if_contains("request");
  if (number == nullptr || !number->is_string() || issued == nullptr || !issued->is_int64() ||
      request == nullptr) {
    return Status::DataLoss(corrupt);
  }
  auto r = RequestFromJson(*request);
  if (!r.ok()) return Status::DataLoss(corrupt + ": " + r.status().message());
  const json::value* to_public = v.if_contains("public");
  return IssueFacts{std::string(number->get_string()), std::move(r).value(), issued->get_int64(),
                    to_public != nullptr && to_public->is_bool() && to_public->get_bool()};
}

}  // namespace xinyong::report
