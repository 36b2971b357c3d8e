// The signed form of a report and how it travels inside its renderings, so that a report file
// verifies offline with nothing but the platform's public key:
//   envelope = {"algorithm":"Ed25519","content":<the content JSON>,"key_id":…,"signature":Base64}
// The signature is over Canonical(content) (content.h), so whitespace or member order of the
// embedded JSON does not matter, any change of a value does.
//   HTML: the envelope in <script type="application/json" id="xinyong-report">, '<' written as
//         \u003c so that no text inside can close the element.
//   PDF:  the envelope in Base64 as PDF comment lines after the file's %%EOF, between
//         "%XINYONG-SIGNED-REPORT v1" and "%END-XINYONG-SIGNED-REPORT"; PDF readers ignore
//         bytes after %%EOF, and the visible pages are the same content rendered.
// Pure functions; thread-safe.
#pragma once

#include <boost/json.hpp>
#include <string>
#include <string_view>

#include "core/status.h"
#include "report/signer.h"

namespace xinyong::report {

struct SignedReport {
  boost::json::object content;
  std::string canonical;  // Canonical(content): the signed message
  std::string signature;  // 64 bytes
  std::string key_id;
};

// Signs the content JSON.
SignedReport SignContent(const ReportSigner& signer, boost::json::object content);

// The envelope as JSON text.
std::string EnvelopeJson(const SignedReport& r);
// Parses an envelope; InvalidArgument naming what is malformed.
Result<SignedReport> ParseEnvelope(std::string_view json_text);

// The <script> element carrying the envelope (HTML renderer).
std::string HtmlEnvelopeElement(const SignedReport& r);
// Appends the envelope after a PDF's %%EOF.
void AppendPdfEnvelope(const SignedReport& r, std::string* pdf);
// The envelope a report file carries, PDF or HTML. NotFound when it carries none;
// InvalidArgument when it is malformed.
Result<SignedReport> ExtractEnvelope(std::string_view file_bytes);

// What an offline check of a report file found.
struct OfflineCheck {
  bool signature_valid = false;
  bool key_matches = false;  // the envelope's key id is the given key's
  std::string number, subject_code, subject_name, issued_at, kind_title, digest;
};
OfflineCheck CheckSignature(const SignedReport& r, const PublicKey& key);

}  // namespace xinyong::report
