// Fuzzes the identifier parsers of core/identifiers.h and Date::Parse with arbitrary bytes, and
// checks what must hold whatever the input: normalization is idempotent, whatever parses is
// normalized, carries a correct check character and parses again to the same value, a legacy
// 15-digit resident ID converts to a valid 18-digit one, and no failure message shows a resident
// ID in plaintext.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/date.h"
#include "core/identifiers.h"
#include "fuzz_check.h"

namespace {

using namespace xinyong;

// A fixed "today", so that a crash reproduces on any day.
const Date kToday = Date::FromYmd(2025, 6, 30).value();

bool AllIn(std::string_view s, std::string_view alphabet) {
  return s.find_first_not_of(alphabet) == std::string_view::npos;
}

constexpr std::string_view kDigits = "0123456789";

void CheckNormalize(std::string_view input) {
  const std::string once = ident::NormalizeCodeInput(input);
  FUZZ_CHECK(ident::NormalizeCodeInput(once) == once);
}

void CheckUscc(std::string_view input) {
  auto r = ident::ParseUscc(input);
  if (!r.ok()) {
    FUZZ_CHECK(!r.status().message().empty());
    return;
  }
  const ident::UsccInfo& info = *r;
  FUZZ_CHECK(info.code.size() == 18);
  FUZZ_CHECK(AllIn(info.code, ident::kUsccAlphabet));
  FUZZ_CHECK(ident::UsccCheckChar(std::string_view(info.code).substr(0, 17)) == info.code[17]);
  FUZZ_CHECK(info.authority == info.code[0] && info.type == info.code[1]);
  FUZZ_CHECK(!info.authority_name.empty() && !info.type_name.empty());
  FUZZ_CHECK(info.region == info.code.substr(2, 6) && AllIn(info.region, kDigits));
  FUZZ_CHECK(info.org_code == info.code.substr(8, 9));
  auto org = ident::ParseOrgCode(info.org_code);
  FUZZ_CHECK(org.ok() && *org == info.org_code);
  auto again = ident::ParseUscc(info.code);
  FUZZ_CHECK(again.ok() && again->code == info.code);
  FUZZ_CHECK(ident::NormalizeCodeInput(input) == info.code);
}

void CheckOrgCode(std::string_view input) {
  auto r = ident::ParseOrgCode(input);
  if (!r.ok()) return;
  FUZZ_CHECK(r->size() == 9);
  FUZZ_CHECK(ident::OrgCodeCheckChar(std::string_view(*r).substr(0, 8)) == (*r)[8]);
  auto again = ident::ParseOrgCode(*r);
  FUZZ_CHECK(again.ok() && *again == *r);
}

void CheckResidentId(std::string_view input) {
  const std::string normalized = ident::NormalizeCodeInput(input);
  auto r = ident::ParseResidentId(input, kToday);
  if (!r.ok()) {
    // Messages reach logs and batch reports: a number may appear only as its mask. (Other text,
    // a mask itself for one, may well be quoted.)
    if (normalized.size() >= 9 && AllIn(normalized, "0123456789X")) {
      FUZZ_CHECK(r.status().message().find(normalized) == std::string::npos);
    }
    return;
  }
  const ident::ResidentIdInfo& info = *r;
  FUZZ_CHECK(info.id18.size() == 18);
  FUZZ_CHECK(AllIn(std::string_view(info.id18).substr(0, 17), kDigits));
  FUZZ_CHECK(ident::ResidentIdCheckChar(std::string_view(info.id18).substr(0, 17)) ==
             info.id18[17]);
  FUZZ_CHECK(info.birth_date <= kToday && info.birth_date.year() >= 1900);
  FUZZ_CHECK(info.region == info.id18.substr(0, 6));
  FUZZ_CHECK(info.male == ((info.id18[16] - '0') % 2 == 1));
  if (info.converted_from_15) {
    // 15 → 18: "19" inserted before the 2-digit year, a check character appended.
    FUZZ_CHECK(normalized.size() == 15);
    FUZZ_CHECK(info.id18.substr(0, 6) + info.id18.substr(8, 9) == normalized);
    FUZZ_CHECK(info.id18.substr(6, 2) == "19");
  } else {
    FUZZ_CHECK(normalized == info.id18);
  }
  // The 18-digit form is itself valid and describes the same person.
  auto again = ident::ParseResidentId(info.id18, kToday);
  FUZZ_CHECK(again.ok());
  FUZZ_CHECK(again->id18 == info.id18 && !again->converted_from_15);
  FUZZ_CHECK(again->birth_date == info.birth_date && again->male == info.male);
  const std::string mask = ident::MaskResidentId(info.id18);
  FUZZ_CHECK(mask == info.id18.substr(0, 4) + std::string(10, '*') + info.id18.substr(14));
  // The same number in a text, as it was typed (groups and separators, full-width digits), is
  // masked there too, unless more than three separators stand together (MaskResidentIdsIn).
  size_t run = 0, longest = 0;
  for (size_t i = 0; i < input.size();) {
    const std::string_view rest = input.substr(i);
    size_t sep = 0;
    if (rest[0] == ' ' || rest[0] == '\t' || rest[0] == '-') {
      sep = 1;
    } else if (rest.starts_with("\xE3\x80\x80") || rest.starts_with("\xE2\x80\x94") ||
               rest.starts_with("\xEF\xBC\x8D")) {
      sep = 3;
    }
    run = sep > 0 ? run + 1 : 0;
    longest = std::max(longest, run);
    i += sep > 0 ? sep : 1;
  }
  if (longest <= 3) {
    const std::string masked = ident::MaskResidentIdsIn(input);
    const size_t stars = static_cast<size_t>(std::count(masked.begin(), masked.end(), '*'));
    FUZZ_CHECK(stars >= (info.converted_from_15 ? 7u : 10u));
  }
}

void CheckRegistrationNumbers(std::string_view input) {
  if (auto r = ident::ParseRegistrationNumber(input); r.ok()) {
    FUZZ_CHECK(r->size() == 15 && AllIn(*r, kDigits));
    FUZZ_CHECK(ident::RegistrationNumberCheckDigit(std::string_view(*r).substr(0, 14)) == (*r)[14]);
    FUZZ_CHECK(ident::ParseRegistrationNumber(*r).ok());
  }
  if (auto r = ident::ParseTaxRegistrationNumber(input); r.ok()) {
    FUZZ_CHECK(r->size() == 15 && AllIn(std::string_view(*r).substr(0, 6), kDigits));
    FUZZ_CHECK(ident::ParseOrgCode(r->substr(6)).ok());
    auto again = ident::ParseTaxRegistrationNumber(*r);
    FUZZ_CHECK(again.ok() && *again == *r);
  }
}

void CheckCommitmentCode(std::string_view input) {
  auto r = ident::ParseCommitmentCode(input, kToday);
  if (!r.ok()) return;
  FUZZ_CHECK(r->code.size() == 20 && AllIn(r->code, kDigits));
  FUZZ_CHECK(r->division == r->code.substr(0, 6));
  FUZZ_CHECK(r->date <= kToday && r->date.year() >= 2000);
  FUZZ_CHECK(r->serial > 0 && r->serial == std::stoul(r->code.substr(14)));
  auto again = ident::ParseCommitmentCode(r->code, kToday);
  FUZZ_CHECK(again.ok() && again->code == r->code && again->date == r->date);
}

void CheckDate(std::string_view input) {
  auto r = Date::Parse(input);
  if (!r.ok()) return;
  const std::string text = r->ToString();
  auto again = Date::Parse(text);
  FUZZ_CHECK(again.ok() && *again == *r);
  auto ymd = Date::FromYmd(r->year(), r->month(), r->day());
  FUZZ_CHECK(ymd.ok() && *ymd == *r);
}

void CheckCheckCharacters(std::string_view input) {
  // Any 17 symbols of the alphabet have a check character, itself a symbol of the alphabet.
  if (input.size() >= 17) {
    std::string first17(input.substr(0, 17));
    for (char& c : first17) {
      c = ident::kUsccAlphabet[static_cast<unsigned char>(c) % ident::kUsccAlphabet.size()];
    }
    const char check = ident::UsccCheckChar(first17);
    FUZZ_CHECK(check != '\0' && ident::kUsccAlphabet.find(check) != std::string_view::npos);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  CheckNormalize(input);
  CheckUscc(input);
  CheckOrgCode(input);
  CheckResidentId(input);
  CheckRegistrationNumbers(input);
  CheckCommitmentCode(input);
  CheckDate(input);
  CheckCheckCharacters(input);
  return 0;
}
