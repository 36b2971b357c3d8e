#include "ingest/field_validation.h"

#include "core/identifiers.h"
#include "core/industry.h"
#include "ingest/encoding.h"

namespace xinyong::ingest {

using catalog::Field;
using catalog::FieldType;

namespace {

// The length of the blank character (ASCII white space, U+3000, NBSP, BOM, ZWSP) that `s`
// starts with, or 0.
size_t LeadingBlank(std::string_view s) {
  unsigned char c = static_cast<unsigned char>(s[0]);
  if (c == ' ' || c == '\t' || c == '\r' || c == '\n') return 1;
  if (c < 0xC2) return 0;  // the common case: any other ASCII or a continuation byte
  if (s.starts_with("\xE3\x80\x80") || s.starts_with("\xEF\xBB\xBF") ||
      s.starts_with("\xE2\x80\x8B")) {
    return 3;
  }
  return s.starts_with("\xC2\xA0") ? 2 : 0;
}

// The length of the blank character `s` ends with, or 0.
size_t TrailingBlank(std::string_view s) {
  unsigned char c = static_cast<unsigned char>(s.back());
  if (c == ' ' || c == '\t' || c == '\r' || c == '\n') return 1;
  if (c != 0x80 && c != 0xBF && c != 0x8B && c != 0xA0) return 0;
  if (s.ends_with("\xE3\x80\x80") || s.ends_with("\xEF\xBB\xBF") ||
      s.ends_with("\xE2\x80\x8B")) {
    return 3;
  }
  return s.ends_with("\xC2\xA0") ? 2 : 0;
}

}  // namespace

std::string_view TrimCell(std::string_view s) {
  while (!s.empty()) {
    size_t n = LeadingBlank(s);
    if (n == 0) break;
    s.remove_prefix(n);
  }
  while (!s.empty()) {
    size_t n = TrailingBlank(s);
    if (n == 0) break;
    s.remove_suffix(n);
  }
  return s;
}

uint64_t Fnv1a64(std::string_view data, uint64_t seed) {
  // FNV-1a over 8-byte little-endian words (then the tail byte by byte), with a final mix:
  // stable across platforms and releases, and eight times fewer multiplications than bytewise.
  uint64_t h = seed ^ data.size();
  size_t i = 0;
  for (; i + 8 <= data.size(); i += 8) {
    uint64_t w = 0;
    for (int b = 7; b >= 0; --b) w = (w << 8) | static_cast<unsigned char>(data[i + b]);
    h ^= w;
    h *= 0x100000001b3ULL;
    h ^= h >> 29;
  }
  for (; i < data.size(); ++i) {
    h ^= static_cast<unsigned char>(data[i]);
    h *= 0x100000001b3ULL;
  }
  h ^= h >> 32;
  h *= 0xd6e8feb86659fd93ULL;
  h ^= h >> 32;
  return h;
}

namespace {

bool Fail(FieldProblem* p, std::string code, std::string message) {
  p->code = std::move(code);
  p->message = std::move(message);
  return false;
}

std::string Quote(const Field& f) { return f.code + " (" + f.label + ")"; }

// Accepts "1234.5", "1,234.50", "１２３" (full-width); rejects anything else, signs included.
bool NormalizeDecimal(std::string_view in, bool allow_fraction, std::string* out) {
  // Amounts are never negative; a minus sign or a dash must not vanish in the normalization
  // below, which drops them from codes.
  for (std::string_view dash : {"-", "－", "—", "–", "−", "‐", "‑", "‒", "―"}) {
    if (in.find(dash) != std::string_view::npos) return false;
  }
  // Nor may spaces inside the number ("12 34" is not 1234); around it they are trimmed.
  const size_t first = in.find_first_not_of(" \t");
  const size_t last = in.find_last_not_of(" \t");
  if (first != std::string_view::npos &&
      (in.substr(first, last - first + 1).find_first_of(" \t") != std::string_view::npos ||
       in.find("\xE3\x80\x80") != std::string_view::npos)) {  // U+3000 ideographic space
    return false;
  }
  std::string ascii = ident::NormalizeCodeInput(in);  // full-width digits → ASCII
  // Commas only as thousands separators: "1,234" and "12,345,678", not "1,5" or "1,,0".
  if (const size_t comma = ascii.find(','); comma != std::string::npos) {
    const std::string_view whole = std::string_view(ascii).substr(0, ascii.find('.'));
    size_t group = 0, groups = 0;
    for (size_t i = 0; i <= whole.size(); ++i) {
      if (i == whole.size() || whole[i] == ',') {
        if (group == 0 || group > 3 || (groups > 0 && group != 3)) return false;
        group = 0;
        ++groups;
      } else {
        ++group;
      }
    }
    if (ascii.find(',', whole.size()) != std::string::npos) return false;  // in the fraction
  }
  std::string digits;
  bool seen_dot = false, seen_digit = false;
  for (size_t i = 0; i < ascii.size(); ++i) {
    char c = ascii[i];
    if (c >= '0' && c <= '9') {
      digits.push_back(c);
      seen_digit = true;
    } else if (c == ',' && !seen_dot) {
      continue;
    } else if (c == '.' && allow_fraction && !seen_dot) {
      digits.push_back(c);
      seen_dot = true;
    } else {
      return false;
    }
  }
  if (!seen_digit || digits.size() > 24) return false;
  // Canonical form: no leading zeros, no trailing fractional zeros.
  size_t dot = digits.find('.');
  std::string int_part = digits.substr(0, dot);
  std::string frac = dot == std::string::npos ? "" : digits.substr(dot + 1);
  while (int_part.size() > 1 && int_part[0] == '0') int_part.erase(0, 1);
  if (int_part.empty()) int_part = "0";
  while (!frac.empty() && frac.back() == '0') frac.pop_back();
  *out = frac.empty() ? int_part : int_part + "." + frac;
  return true;
}

// The reason a code field holding a person's number is refused; the number shown masked.
std::string ResidentIdInCode(const Field& field, std::string_view value) {
  return Quote(field) + " '" + ident::ShowMasked(value, 40) +
         "' has the form of a resident ID number; a person's number belongs in its own field "
         "(证件号码), where it is kept sealed, never in a code that is published";
}

// Whether `s` has 15 digits or more (ASCII or full-width), the fewest a resident ID has: text
// with fewer needs no closer look.
bool MayHoldResidentId(std::string_view s) {
  if (s.size() < 15) return false;
  size_t digits = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c >= '0' && c <= '9') {
      ++digits;
    } else if (c == 0xEF && i + 2 < s.size() && static_cast<unsigned char>(s[i + 1]) == 0xBC &&
               static_cast<unsigned char>(s[i + 2]) >= 0x90 &&
               static_cast<unsigned char>(s[i + 2]) <= 0x99) {
      ++digits;
      i += 2;
    }
  }
  return digits >= 15;
}

}  // namespace

bool NormalizeField(const Field& field, std::string_view cell, Date today, std::string* out,
                    FieldProblem* problem) {
  if (ValidUtf8Prefix(cell) != cell.size() || cell.find("\xEF\xBF\xBD") != std::string_view::npos) {
    return Fail(problem, "invalid_encoding",
                Quote(field) + " contains bytes that are not valid text in the file's encoding");
  }
  switch (field.type) {
    case FieldType::kString:
    case FieldType::kText: {
      size_t max = field.max_length ? field.max_length : (field.type == FieldType::kText ? 4000 : 500);
      size_t len = Utf8Length(cell);
      if (len > max) {
        return Fail(problem, "too_long",
                    Quote(field) + " has " + std::to_string(len) + " characters; at most " +
                        std::to_string(max) + " are allowed");
      }
      out->assign(cell);
      if (field.type == FieldType::kString && cell.find('\n') != std::string_view::npos) {
        // One-line fields: a line break inside is an export artefact; fold it into a space.
        for (char& c : *out) {
          if (c == '\n' || c == '\r') c = ' ';
        }
      }
      // A person's number written into free text (违法事实 naming the offender, a note) is kept
      // as its mask: resident ID numbers are stored only hashed and sealed, in their own fields.
      // Free text only: strings (names, document numbers, natural keys) are kept as sent, and
      // only what has a plausible birth date is taken for an ID (the mask is for good).
      if (field.type == FieldType::kText && MayHoldResidentId(*out)) {
        *out = ident::MaskResidentIdsIn(*out, /*require_birth_date=*/true);
      }
      return true;
    }
    case FieldType::kDate: {
      auto d = Date::Parse(cell);
      if (!d.ok()) {
        return Fail(problem, "invalid_date",
                    Quote(field) + " '" + ident::ShowMasked(cell, 40) +
                        "' is not a date (YYYY-MM-DD, YYYY/MM/DD or YYYYMMDD)");
      }
      *out = d->ToString();
      return true;
    }
    case FieldType::kMoney:
    case FieldType::kInteger: {
      if (!NormalizeDecimal(cell, field.type == FieldType::kMoney, out)) {
        return Fail(problem, field.type == FieldType::kMoney ? "invalid_money" : "invalid_integer",
                    Quote(field) + " '" + ident::ShowMasked(cell, 40) + "' is not " +
                        (field.type == FieldType::kMoney ? "an amount in 万元" : "a whole number"));
      }
      return true;
    }
    case FieldType::kEnum: {
      for (const auto& v : field.enum_values) {
        if (cell == v) {
          out->assign(cell);
          return true;
        }
      }
      std::string allowed;
      for (const auto& v : field.enum_values) allowed += (allowed.empty() ? "" : "/") + v;
      return Fail(problem, "invalid_value",
                  Quote(field) + " '" + ident::ShowMasked(cell, 60) + "' is not one of " +
                      allowed);
    }
    case FieldType::kUscc: {
      auto r = ident::ParseUscc(cell);
      if (!r.ok()) return Fail(problem, "invalid_uscc", Quote(field) + ": " + r.status().message());
      *out = r->code;
      return true;
    }
    case FieldType::kOrgCode: {
      auto r = ident::ParseOrgCode(cell);
      if (!r.ok()) return Fail(problem, "invalid_org_code", Quote(field) + ": " + r.status().message());
      *out = *r;
      return true;
    }
    case FieldType::kRegNumber: {
      auto r = ident::ParseRegistrationNumber(cell);
      if (!r.ok()) return Fail(problem, "invalid_reg_number", Quote(field) + ": " + r.status().message());
      *out = *r;
      return true;
    }
    case FieldType::kTaxNumber: {
      auto r = ident::ParseTaxRegistrationNumber(cell);
      if (!r.ok()) return Fail(problem, "invalid_tax_number", Quote(field) + ": " + r.status().message());
      *out = *r;
      return true;
    }
    case FieldType::kCode: {
      std::string norm = ident::NormalizeCodeInput(cell);
      size_t max = field.max_length ? field.max_length : 64;
      if (norm.empty() || Utf8Length(norm) > max) {
        return Fail(problem, "invalid_code",
                    Quote(field) + " must be a code of 1 to " + std::to_string(max) + " characters");
      }
      // A subject's certificate code is shown to everyone as its code: a person's number there
      // would be published in plaintext. (Other codes — a department's, a utility account — are
      // not subjects' codes, and some have birth-date-like digits.)
      const bool subject_code = field.role == catalog::FieldRole::kSubjectInstCert ||
                                field.role == catalog::FieldRole::kSubjectSocialOrgCert;
      if (subject_code && MayHoldResidentId(norm) &&
          ident::MaskResidentIdsIn(norm, /*require_birth_date=*/true) != norm) {
        return Fail(problem, "invalid_code", ResidentIdInCode(field, norm));
      }
      *out = std::move(norm);
      return true;
    }
    case FieldType::kCommitmentCode: {
      auto r = ident::ParseCommitmentCode(cell, today);
      if (!r.ok()) {
        return Fail(problem, "invalid_commitment_code", Quote(field) + ": " + r.status().message());
      }
      *out = std::move(r->code);
      return true;
    }
    case FieldType::kIndustryCode: {
      auto r = industry::ParseIndustryCode(cell);
      if (!r.ok()) return Fail(problem, "invalid_industry", Quote(field) + ": " + r.status().message());
      *out = std::move(r).value();
      return true;
    }
    case FieldType::kIdNumber:
      return Fail(problem, "internal", Quote(field) + " is personal data and handled separately");
  }
  return Fail(problem, "internal", Quote(field) + " has an unknown type");
}

}  // namespace xinyong::ingest
