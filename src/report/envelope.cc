#include "report/envelope.h"

#include <boost/json/basic_parser_impl.hpp>

#include "report/content.h"

namespace xinyong::report {

namespace json = boost::json;

namespace {

constexpr std::string_view kPdfBegin = "%XINYONG-SIGNED-REPORT v1\n";
constexpr std::string_view kPdfEnd = "%END-XINYONG-SIGNED-REPORT";
constexpr std::string_view kHtmlOpen = R"(<script type="application/json" id="xinyong-report">)";
constexpr std::string_view kHtmlClose = "</script>";

std::string Member(const json::object& o, std::string_view k) {
  const json::value* v = o.if_contains(k);
  return v != nullptr && v->is_string() ? std::string(v->get_string()) : std::string();
}

// Counts the keys of every object in a JSON text, as written (a key given twice counts twice).
struct KeyCounter {
  static constexpr size_t max_array_size = static_cast<size_t>(-1);
  static constexpr size_t max_object_size = static_cast<size_t>(-1);
  static constexpr size_t max_string_size = static_cast<size_t>(-1);
  static constexpr size_t max_key_size = static_cast<size_t>(-1);
  size_t keys = 0;
  using ec_t = boost::system::error_code;
  bool on_document_begin(ec_t&) { return true; }
  bool on_document_end(ec_t&) { return true; }
  bool on_array_begin(ec_t&) { return true; }
  bool on_array_end(size_t, ec_t&) { return true; }
  bool on_object_begin(ec_t&) { return true; }
  bool on_object_end(size_t, ec_t&) { return true; }
  bool on_string_part(json::string_view, size_t, ec_t&) { return true; }
  bool on_string(json::string_view, size_t, ec_t&) { return true; }
  bool on_key_part(json::string_view, size_t, ec_t&) { return true; }
  bool on_key(json::string_view, size_t, ec_t&) { return ++keys, true; }
  bool on_number_part(json::string_view, ec_t&) { return true; }
  bool on_int64(int64_t, json::string_view, ec_t&) { return true; }
  bool on_uint64(uint64_t, json::string_view, ec_t&) { return true; }
  bool on_double(double, json::string_view, ec_t&) { return true; }
  bool on_bool(bool, ec_t&) { return true; }
  bool on_null(ec_t&) { return true; }
  bool on_comment_part(json::string_view, ec_t&) { return true; }
  bool on_comment(json::string_view, ec_t&) { return true; }
};

size_t MembersOf(const json::value& v) {
  size_t n = 0;
  if (v.is_object()) {
    for (const auto& m : v.get_object()) n += 1 + MembersOf(m.value());
  } else if (v.is_array()) {
    for (const json::value& e : v.get_array()) n += MembersOf(e);
  }
  return n;
}

// Whether some object in `text` (which parsed as `v`) names a key twice: parsing keeps one of
// them, so what a verifier shows could differ from what another JSON reader shows.
bool HasDuplicateKeys(std::string_view text, const json::value& v) {
  json::basic_parser<KeyCounter> p(json::parse_options{});
  boost::system::error_code ec;
  p.write_some(false, text.data(), text.size(), ec);
  return ec || p.handler().keys != MembersOf(v);
}

}  // namespace

SignedReport SignContent(const ReportSigner& signer, json::object content) {
  SignedReport r;
  r.content = std::move(content);
  r.canonical = Canonical(r.content);
  r.signature = signer.Sign(r.canonical);
  r.key_id = signer.KeyId();
  return r;
}

std::string EnvelopeJson(const SignedReport& r) {
  json::object env{
      {"algorithm", "Ed25519"}, {"key_id", r.key_id}, {"signature", ToBase64(r.signature)}};
  // The content as its canonical text: readable, and the same bytes as the signed message.
  std::string out = json::serialize(env);
  out.pop_back();  // '}'
  out += ",\"content\":";
  out += r.canonical;
  out += "}";
  return out;
}

Result<SignedReport> ParseEnvelope(std::string_view text) {
  boost::system::error_code ec;
  json::value v = json::parse(text, ec);
  if (ec || !v.is_object()) return Status::InvalidArgument("the signed report is not valid JSON");
  if (HasDuplicateKeys(text, v)) {
    return Status::InvalidArgument("the signed report names a member twice in one object");
  }
  json::object& o = v.get_object();
  if (Member(o, "algorithm") != "Ed25519") {
    return Status::InvalidArgument("the signed report's algorithm is not Ed25519");
  }
  json::value* content = o.if_contains("content");
  if (content == nullptr || !content->is_object()) {
    return Status::InvalidArgument("the signed report has no content");
  }
  SignedReport r;
  if (!FromBase64(Member(o, "signature"), &r.signature) || r.signature.size() != kSignatureSize) {
    return Status::InvalidArgument("the signed report's signature is malformed");
  }
  r.key_id = Member(o, "key_id");
  r.content = std::move(content->get_object());
  r.canonical = Canonical(r.content);
  return r;
}

std::string HtmlEnvelopeElement(const SignedReport& r) {
  std::string env = EnvelopeJson(r);
  std::string out(kHtmlOpen);
  out.reserve(out.size() + env.size() + 64);
  for (char c : env) {
    if (c == '<') {
      out += "\\u003c";
    } else {
      out.push_back(c);
    }
  }
  out += kHtmlClose;
  return out;
}

void AppendPdfEnvelope(const SignedReport& r, std::string* pdf) {
  if (!pdf->empty() && pdf->back() != '\n') pdf->push_back('\n');
  const std::string b64 = ToBase64(EnvelopeJson(r));
  pdf->append(kPdfBegin);
  for (size_t i = 0; i < b64.size(); i += 76) {
    pdf->push_back('%');
    pdf->append(b64, i, 76);
    pdf->push_back('\n');
  }
  pdf->append(kPdfEnd);
  pdf->push_back('\n');
}

Result<SignedReport> ExtractEnvelope(std::string_view bytes) {
  if (bytes.starts_with("%PDF")) {
    const size_t begin = bytes.rfind(kPdfBegin);
    if (begin == std::string_view::npos) {
      return Status::NotFound("the PDF carries no signed Xinyong report");
    }
    // A report carries one envelope: a second one spliced in would be the one verified.
    if (bytes.find(kPdfBegin) != begin) {
      return Status::InvalidArgument("the PDF carries more than one signed report");
    }
    const size_t end = bytes.find(kPdfEnd, begin);
    if (end == std::string_view::npos) {
      return Status::InvalidArgument("the PDF's signed report is cut short");
    }
    std::string b64;
    std::string_view body = bytes.substr(begin + kPdfBegin.size(), end - begin - kPdfBegin.size());
    while (!body.empty()) {
      size_t nl = body.find('\n');
      std::string_view line = body.substr(0, nl);
      if (!line.empty() && line.front() == '%') line.remove_prefix(1);
      b64.append(line);
      if (nl == std::string_view::npos) break;
      body.remove_prefix(nl + 1);
    }
    std::string env;
    if (!FromBase64(b64, &env))
      return Status::InvalidArgument("the PDF's signed report is not Base64");
    return ParseEnvelope(env);
  }
  const size_t open = bytes.find(kHtmlOpen);
  if (open == std::string_view::npos) {
    return Status::NotFound(
        "the file is neither a PDF nor an HTML report carrying a signed Xinyong report");
  }
  const size_t start = open + kHtmlOpen.size();
  const size_t close = bytes.find(kHtmlClose, start);
  if (close == std::string_view::npos) {
    return Status::InvalidArgument("the HTML's signed report element is not closed");
  }
  if (bytes.find(kHtmlOpen, start) != std::string_view::npos) {
    return Status::InvalidArgument("the HTML carries more than one signed report");
  }
  return ParseEnvelope(bytes.substr(start, close - start));
}

OfflineCheck CheckSignature(const SignedReport& r, const PublicKey& key) {
  OfflineCheck c;
  c.key_matches = r.key_id == KeyIdOf(key);
  c.signature_valid = VerifySignature(key, r.canonical, r.signature);
  c.number = Member(r.content, "number");
  c.issued_at = Member(r.content, "issued_at");
  c.kind_title = Member(r.content, "title");
  c.digest = Sha256Hex(r.canonical);
  if (const json::value* s = r.content.if_contains("subject"); s != nullptr && s->is_object()) {
    c.subject_code = Member(s->get_object(), "code");
    c.subject_name = Member(s->get_object(), "name");
  }
  return c;
}

}  // namespace xinyong::report
