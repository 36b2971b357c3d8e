// Identifiers of credit subjects: the Unified Social Credit Code (统一社会信用代码, GB 32100-2015),
// the organization code inside it (组织机构代码, GB 11714), the resident identity number
// (公民身份号码, GB 11643-1999) and the legacy registration codes records may carry instead.
// All functions are pure and thread-safe. Parse* functions normalize their input first
// (NormalizeCodeInput) and return InvalidArgument with a one-sentence reason on failure.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/date.h"
#include "core/status.h"

namespace xinyong::ident {

// Full-width ASCII (！-～, U+3000) → half-width, drops spaces, tabs and hyphens (ASCII and
// full-width), upper-cases letters. Other bytes are kept as they are, so validation can name them.
std::string NormalizeCodeInput(std::string_view input);

// The 31 symbols of GB 32100 in value order: 0123456789ABCDEFGHJKLMNPQRTUWXY.
inline constexpr std::string_view kUsccAlphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY";

struct UsccInfo {
  std::string code;            // 18 normalized characters
  char authority = 0;          // position 1, registration authority
  char type = 0;               // position 2, entity type under that authority
  std::string authority_name;  // e.g. "工商"
  std::string type_name;       // e.g. "企业"
  std::string region;          // positions 3-8, GB/T 2260 division code
  std::string org_code;        // positions 9-17, GB 11714 organization code
};

// Validates a USCC: length, alphabet, authority/type table, digits in the region,
// the GB 11714 check of the embedded organization code, and the final check character.
Result<UsccInfo> ParseUscc(std::string_view input);
// The check character (position 18) for 17 characters from kUsccAlphabet; '\0' if any is not.
char UsccCheckChar(std::string_view first17);

// Validates a 9-character organization code (8 digits/letters + check; a hyphen before the check
// is accepted). Returns the 9 normalized characters.
Result<std::string> ParseOrgCode(std::string_view input);
// The check character for 8 characters of [0-9A-Z]; '\0' if any is not.
char OrgCodeCheckChar(std::string_view first8);

struct ResidentIdInfo {
  std::string id18;        // 18 normalized characters (a 15-digit input is converted)
  Date birth_date;
  bool male = false;       // odd sequence number
  std::string region;      // 6-digit address code
  bool converted_from_15 = false;
};

// Validates a resident ID (18 with ISO 7064 MOD 11-2 check, or legacy 15 digits, converted):
// a real birth date not after `today`, not before 1900.
Result<ResidentIdInfo> ParseResidentId(std::string_view input, Date today);
// The check character for 17 digits; '\0' if any is not a digit.
char ResidentIdCheckChar(std::string_view first17);
// "4101**********123X": first four and last four kept. Never fails; short input is fully masked.
std::string MaskResidentId(std::string_view id);
// `text` with every run shaped like a resident ID masked as MaskResidentId does: 17 digits and
// a digit or X, or 15 digits with a birth date where a legacy ID has one (most 15-digit
// registration and tax numbers have none there), with no digit right before or after. The
// digits may come in groups apart by up to three separators that NormalizeCodeInput drops
// (spaces, '-', full-width ones), as in "4101 0219 9001 0112 3X"; the separators are kept. For
// messages that show what a department sent in a field that should not hold one (a USCC, a
// date, an amount). `require_birth_date`: an 18-character run too needs a plausible birth date
// (19xx or 20xx, a real day) — for text that is stored masked for good, where grouped dates or
// phone numbers must not be taken for an ID.
std::string MaskResidentIdsIn(std::string_view text, bool require_birth_date = false);
// What a message shows of a value someone sent: at most `max_bytes` of it, cut before a
// character, with "…" when cut, and every resident ID in it masked (MaskResidentIdsIn).
std::string ShowMasked(std::string_view text, size_t max_bytes);

// 15-digit business registration number (工商注册号): digits, ISO 7064 MOD 11,10 check.
Result<std::string> ParseRegistrationNumber(std::string_view input);
char RegistrationNumberCheckDigit(std::string_view first14);
// 15-digit legacy tax registration number (税务登记号): 6-digit region + 9-char organization code.
Result<std::string> ParseTaxRegistrationNumber(std::string_view input);

// 承诺编码 of a credit commitment (FACTS §7): a 6-digit administrative division code (GB/T 2260,
// a real province prefix), the 8-digit date the commitment was made (a real date, 2000 or later,
// not after `today`) and a 6-digit serial other than 000000.
struct CommitmentCodeInfo {
  std::string code;      // 20 normalized digits
  std::string division;  // positions 1-6
  Date date;             // positions 7-14
  uint32_t serial = 0;   // positions 15-20
};
Result<CommitmentCodeInfo> ParseCommitmentCode(std::string_view input, Date today);

}  // namespace xinyong::ident
