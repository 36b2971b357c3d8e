#include "core/identifiers.h"

#include <array>
#include <cstdint>
#include <cstdio>
#include <optional>
#include <vector>

#include "core/utf8.h"

namespace xinyong::ident {

namespace {

// ---------------------------------------------------------------------------------------------
// Text helpers. Inputs come from spreadsheets typed by people, so messages must name what was
// typed without letting control bytes or broken UTF-8 leak into logs and JSON answers.

// Length of the character (or lone invalid byte) at s[i]; always at least 1.
size_t CharLength(std::string_view s, size_t i) {
  const size_t len = Utf8SequenceLength(s, i);
  return len == 0 ? 1 : len;
}

// Number of characters a person would count: code points, an invalid byte counting as one.
size_t CharCount(std::string_view s) {
  size_t n = 0;
  for (size_t i = 0; i < s.size(); i += CharLength(s, i)) ++n;
  return n;
}

// Shows the character at s[i] safely: printable ASCII and valid UTF-8 as they are, anything else
// (control bytes, broken UTF-8) as \xNN.
std::string ShowChar(std::string_view s, size_t i) {
  const unsigned char b = static_cast<unsigned char>(s[i]);
  const size_t len = Utf8SequenceLength(s, i);
  if ((b >= 0x20 && b < 0x7F) || len > 1) return std::string(s.substr(i, len));
  char buf[8];
  std::snprintf(buf, sizeof buf, "\\x%02X", b);
  return buf;
}

// The most bytes a resident ID takes in a text as MaskResidentIdsIn finds it: 18 full-width
// characters of 3 bytes with three separators of up to 3 bytes between each two.
constexpr size_t kIdSpanBytes = 18 * 3 + 17 * 3 * 3;

// The value in single quotes, made safe as in ShowChar, for the message of a code that failed
// to parse: a resident ID in it masked (a department may put a person's number where a USCC or
// tax number belongs), and cut after 40 characters (a field may hold megabytes).
std::string Quote(std::string_view raw) {
  constexpr size_t kMaxChars = 40;
  // 40 characters are at most 160 bytes, and an ID starting in them ends within kIdSpanBytes.
  constexpr size_t kCut = 160 + kIdSpanBytes;
  const std::string s = MaskResidentIdsIn(raw.substr(0, kCut));
  std::string out = "'";
  size_t shown = 0, i = 0;
  for (; i < s.size() && shown < kMaxChars; i += CharLength(s, i), ++shown) out += ShowChar(s, i);
  if (i < s.size() || raw.size() > kCut) out += "…";
  out += '\'';
  return out;
}

// The failure of a code that did not parse. A value that could be a resident ID (its form and a
// plausible birth date) is named by its mask only and not described further: the reasons quote
// parts of a code (its organization code, its region), which would give away the birth date.
// An all-digit USCC mistyped (no birth date where an ID has one) gets its reason.
Status BadCode(const std::string& code, const char* what, const std::string& reason) {
  if (MaskResidentIdsIn(code, /*require_birth_date=*/true) != code) {
    return Status::InvalidArgument(Quote(code) + " has the form of a resident ID number, not of " +
                                   what);
  }
  return Status::InvalidArgument(Quote(code) + reason);
}

std::string CountPhrase(size_t n) {
  return std::to_string(n) + (n == 1 ? " character" : " characters");
}

// Byte offset of the first character of `s` for which `allowed` is false, or npos.
template <typename Pred>
size_t FindDisallowed(std::string_view s, Pred allowed) {
  for (size_t i = 0; i < s.size(); i += CharLength(s, i)) {
    if (CharLength(s, i) > 1 || !allowed(s[i])) return i;
  }
  return std::string_view::npos;
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsUpperAlnum(char c) { return IsDigit(c) || (c >= 'A' && c <= 'Z'); }
bool AllDigits(std::string_view s) {
  for (char c : s) {
    if (!IsDigit(c)) return false;
  }
  return true;
}

// ---------------------------------------------------------------------------------------------
// GB 32100 tables.

// Value of a character in kUsccAlphabet, or -1.
int UsccValue(char c) {
  const size_t pos = kUsccAlphabet.find(c);
  return pos == std::string_view::npos ? -1 : static_cast<int>(pos);
}

// 3^(i-1) mod 31 for positions 1..17. 31 is prime and 3 has order 30 modulo 31, so the 17
// weights are distinct and non-zero: any single substitution, and any swap of two different
// characters within positions 1-17, changes the sum. The check character counts with weight 1,
// the same as position 1, so swapping the first and last characters goes unseen by the check
// (identifiers_test.cc shows a code where the swap yields another valid code).
constexpr std::array<int, 17> kUsccWeights = {1,  3,  9,  27, 19, 26, 16, 17, 20,
                                              29, 25, 13, 8,  24, 10, 30, 28};

struct EntityType {
  char code;
  const char* name;
};

struct Authority {
  char code;
  const char* name;
  std::array<EntityType, 6> types;  // unused slots have code 0
};

// GB 32100-2015 registration authorities and the entity types each may register (FACTS.md §1).
// Names FACTS.md leaves out are those of the published code table; "其他" is the catch-all 9.
constexpr std::array<Authority, 12> kAuthorities = {{
    {'1', "机构编制", {{{'1', "机关"}, {'2', "事业单位"}, {'3', "群众团体"}, {'9', "其他"}}}},
    {'2', "外交", {{{'1', "外国常驻新闻机构"}, {'9', "其他"}}}},
    {'3',
     "司法行政",
     {{{'1', "律师事务所"},
       {'2', "公证处"},
       {'3', "基层法律服务所"},
       {'4', "司法鉴定机构"},
       {'5', "仲裁委员会"},
       {'9', "其他"}}}},
    {'4', "文化", {{{'1', "外国在华文化中心"}, {'9', "其他"}}}},
    {'5', "民政", {{{'1', "社会团体"}, {'2', "民办非企业单位"}, {'3', "基金会"}, {'9', "其他"}}}},
    {'6',
     "旅游",
     {{{'1', "外国政府旅游部门常驻代表机构"},
       {'2', "港澳台地区旅游部门常驻内地（大陆）代表机构"},
       {'9', "其他"}}}},
    {'7', "宗教", {{{'1', "宗教活动场所"}, {'2', "宗教院校"}, {'9', "其他"}}}},
    {'8', "工会", {{{'1', "基层工会"}, {'9', "其他"}}}},
    {'9', "工商", {{{'1', "企业"}, {'2', "个体工商户"}, {'3', "农民专业合作社"}}}},
    {'A', "军队编制", {{{'1', "军队事业单位"}, {'9', "其他"}}}},
    {'N',
     "农业",
     {{{'1', "组级集体经济组织"},
       {'2', "村级集体经济组织"},
       {'3', "乡镇级集体经济组织"},
       {'9', "其他"}}}},
    {'Y', "其他", {{{'1', "其他"}}}},
}};

const Authority* FindAuthority(char code) {
  for (const Authority& a : kAuthorities) {
    if (a.code == code) return &a;
  }
  return nullptr;
}

const EntityType* FindType(const Authority& authority, char code) {
  for (const EntityType& t : authority.types) {
    if (t.code != 0 && t.code == code) return &t;
  }
  return nullptr;
}

// ---------------------------------------------------------------------------------------------
// GB 11714 organization code.

// Value of an organization-code character: 0-9, then A=10 … Z=35; -1 otherwise.
int OrgValue(char c) {
  if (IsDigit(c)) return c - '0';
  if (c >= 'A' && c <= 'Z') return c - 'A' + 10;
  return -1;
}

constexpr std::array<int, 8> kOrgWeights = {3, 7, 9, 10, 5, 8, 4, 2};

// ---------------------------------------------------------------------------------------------
// GB 11643 resident ID.

// 2^(18-i) mod 11 for positions 1..17; the check character stands in for weight 1.
constexpr std::array<int, 17> kResidentIdWeights = {7, 9, 10, 5,  8, 4, 2, 1, 6,
                                                    3, 7, 9,  10, 5, 8, 4, 2};

// Checks the 8 digits of a birth date. The reason names no digits: it ends up in a message
// about a resident ID, and the birth date is part of what the mask hides.
std::optional<std::string> BirthDateProblem(std::string_view yyyymmdd, Date today, Date* birth) {
  const int y = std::stoi(std::string(yyyymmdd.substr(0, 4)));
  const int m = std::stoi(std::string(yyyymmdd.substr(4, 2)));
  const int d = std::stoi(std::string(yyyymmdd.substr(6, 2)));
  if (y < 1900) return "has a birth year before 1900";
  if (y <= 2999 && !IsValidYmd(y, m, d)) return "has a birth date that is not a real date";
  Result<Date> date = Date::FromYmd(y, m, d);
  if (!date.ok() || *date > today) {
    return "has a birth date after today (" + today.ToString() + ")";
  }
  *birth = *date;
  return std::nullopt;
}

}  // namespace

// ---------------------------------------------------------------------------------------------

std::string NormalizeCodeInput(std::string_view input) {
  std::string out;
  out.reserve(input.size());
  const auto byte = [&](size_t k) { return static_cast<unsigned char>(input[k]); };
  // Whether the last byte written is one that does not belong to a well-formed character. A
  // separator right after such a byte is kept: dropping it could join broken bytes on either side
  // into a character ("\xEF-\xBC\x91" into "１"), and normalizing again would then change it.
  bool after_broken = false;
  for (size_t i = 0; i < input.size();) {
    const unsigned char b = byte(i);
    char ascii = 0;  // the ASCII character this position stands for, if any
    size_t consumed = 1;
    if (b < 0x80) {
      ascii = static_cast<char>(b);
    } else if (i + 2 < input.size() && b == 0xEF && byte(i + 1) == 0xBC && byte(i + 2) >= 0x81 &&
               byte(i + 2) <= 0xBF) {
      // U+FF01..U+FF3F (full-width ! … _) map to 0x21..0x5F.
      ascii = static_cast<char>(byte(i + 2) - 0x81 + 0x21);
      consumed = 3;
    } else if (i + 2 < input.size() && b == 0xEF && byte(i + 1) == 0xBD && byte(i + 2) >= 0x80 &&
               byte(i + 2) <= 0x9E) {
      // U+FF40..U+FF5E (full-width ` … ~) map to 0x60..0x7E.
      ascii = static_cast<char>(byte(i + 2) - 0x80 + 0x60);
      consumed = 3;
    } else if (i + 2 < input.size() &&
               ((b == 0xE3 && byte(i + 1) == 0x80 && byte(i + 2) == 0x80) ||   // U+3000
                (b == 0xE2 && byte(i + 1) == 0x80 && byte(i + 2) == 0x94))) {  // U+2014 —
      // separators people type between groups of a code
      if (after_broken) out.append(input.substr(i, 3));
      after_broken = false;
      i += 3;
      continue;
    }
    if (ascii == 0 && b >= 0x80) {
      // Kept so validation can name the character: a whole one, or a byte that starts none.
      const size_t len = Utf8SequenceLength(input, i);
      out.append(input.substr(i, len == 0 ? 1 : len));
      after_broken = len == 0;
      i += len == 0 ? 1 : len;
      continue;
    }
    i += consumed;
    if (ascii == ' ' || ascii == '\t' || ascii == '-') {
      if (after_broken) out += ascii;
      after_broken = false;
      continue;
    }
    if (ascii >= 'a' && ascii <= 'z') ascii = static_cast<char>(ascii - 'a' + 'A');
    out += ascii;
    after_broken = false;
  }
  return out;
}

char UsccCheckChar(std::string_view first17) {
  if (first17.size() != 17) return '\0';
  int sum = 0;
  for (size_t i = 0; i < 17; ++i) {
    const int v = UsccValue(first17[i]);
    if (v < 0) return '\0';
    sum += kUsccWeights[i] * v;
  }
  return kUsccAlphabet[static_cast<size_t>((31 - sum % 31) % 31)];
}

char OrgCodeCheckChar(std::string_view first8) {
  if (first8.size() != 8) return '\0';
  int sum = 0;
  for (size_t i = 0; i < 8; ++i) {
    const int v = OrgValue(first8[i]);
    if (v < 0) return '\0';
    sum += kOrgWeights[i] * v;
  }
  const int c = 11 - sum % 11;
  if (c == 10) return 'X';
  if (c == 11) return '0';
  return static_cast<char>('0' + c);
}

Result<UsccInfo> ParseUscc(std::string_view input) {
  const std::string code = NormalizeCodeInput(input);
  // Quoting is left to the failure path: valid codes, by far the most common, skip it.
  const auto fail = [&code](const std::string& reason) {
    return BadCode(code, "a USCC", reason);
  };
  if (const size_t n = CharCount(code); n != 18) {
    return fail(" has " + CountPhrase(n) + "; a USCC has 18");
  }
  if (const size_t bad = FindDisallowed(code, [](char c) { return UsccValue(c) >= 0; });
      bad != std::string::npos) {
    return fail(" contains '" + ShowChar(code, bad) + "', which GB 32100 does not use");
  }
  const Authority* authority = FindAuthority(code[0]);
  if (authority == nullptr) {
    return fail(" starts with registration authority '" + std::string(1, code[0]) +
                "', which GB 32100 does not define");
  }
  const EntityType* type = FindType(*authority, code[1]);
  if (type == nullptr) {
    return fail(" has entity type '" + std::string(1, code[1]) +
                "', which GB 32100 does not define for authority " + std::string(1, code[0]) +
                " (" + authority->name + ")");
  }
  const std::string_view region = std::string_view(code).substr(2, 6);
  if (!AllDigits(region)) {
    return fail(" has region '" + std::string(region) +
                "' in positions 3-8, but a division code is 6 digits");
  }
  const std::string_view org = std::string_view(code).substr(8, 9);
  if (org.find_first_not_of('0') == std::string_view::npos) {
    return fail(" contains organization code 000000000, a placeholder for an unknown code");
  }
  if (const char want = OrgCodeCheckChar(org.substr(0, 8)); want != org[8]) {
    return fail(" contains organization code " + std::string(org) + ", whose check character " +
                std::string(1, org[8]) + " should be " + std::string(1, want));
  }
  if (const char want = UsccCheckChar(std::string_view(code).substr(0, 17)); want != code[17]) {
    return fail(" has check character " + std::string(1, code[17]) + " but should be " +
                std::string(1, want));
  }
  UsccInfo info;
  info.code = code;
  info.authority = code[0];
  info.type = code[1];
  info.authority_name = authority->name;
  info.type_name = type->name;
  info.region = std::string(region);
  info.org_code = std::string(org);
  return info;
}

Result<std::string> ParseOrgCode(std::string_view input) {
  // Normalization drops the hyphen printed before the check character (12345678-9).
  const std::string code = NormalizeCodeInput(input);
  // Quoting is left to the failure path: valid codes, by far the most common, skip it.
  const auto fail = [&code](const std::string& reason) {
    return BadCode(code, "an organization code", reason);
  };
  if (const size_t n = CharCount(code); n != 9) {
    return fail(" has " + CountPhrase(n) + "; an organization code has 9");
  }
  if (const size_t bad = FindDisallowed(code, IsUpperAlnum); bad != std::string::npos) {
    return fail(" contains '" + ShowChar(code, bad) + "', which GB 11714 does not use");
  }
  if (code.find_first_not_of('0') == std::string::npos) {
    // Its check character works out (0): departments write it for "unknown", and taken as a
    // code it would join every such row to one subject.
    return fail(" is all zeros: a placeholder for an unknown code, not an organization code");
  }
  if (const char want = OrgCodeCheckChar(std::string_view(code).substr(0, 8)); want != code[8]) {
    return fail(" has check character " + std::string(1, code[8]) + " but should be " +
                std::string(1, want));
  }
  return code;
}

char ResidentIdCheckChar(std::string_view first17) {
  if (first17.size() != 17 || !AllDigits(first17)) return '\0';
  int sum = 0;
  for (size_t i = 0; i < 17; ++i) sum += kResidentIdWeights[i] * (first17[i] - '0');
  return "10X98765432"[sum % 11];
}

std::string MaskResidentId(std::string_view id) {
  std::vector<size_t> starts;  // byte offset of each character
  for (size_t i = 0; i < id.size(); i += CharLength(id, i)) starts.push_back(i);
  const size_t n = starts.size();
  // Below 15 characters, keeping eight would show most of the value, so nothing is kept.
  if (n < 15) return std::string(n, '*');
  std::string out;
  for (size_t k = 0; k < 4; ++k) out += ShowChar(id, starts[k]);
  out.append(n - 8, '*');
  for (size_t k = n - 4; k < n; ++k) out += ShowChar(id, starts[k]);
  return out;
}

std::string MaskResidentIdsIn(std::string_view text, bool require_birth_date) {
  const auto b = [text](size_t i) { return static_cast<unsigned char>(text[i]); };
  // Digits and the check letter, ASCII or full-width (as NormalizeCodeInput folds them): their
  // length in bytes at `i`, 0 for anything else.
  const auto digit_at = [&](size_t i) -> size_t {
    if (IsDigit(text[i])) return 1;
    return i + 2 < text.size() && b(i) == 0xEF && b(i + 1) == 0xBC && b(i + 2) >= 0x90 &&
                   b(i + 2) <= 0x99
               ? 3
               : 0;
  };
  const auto x_at = [text](size_t i) -> size_t {
    if (text[i] == 'X' || text[i] == 'x') return 1;
    const std::string_view rest = text.substr(i);
    return rest.starts_with("\xEF\xBC\xB8") || rest.starts_with("\xEF\xBD\x98") ? 3 : 0;  // Ｘ ｘ
  };
  // What people type or paste between groups of a number: space, tab, '-', and their
  // full-width, typographic and invisible forms — U+3000, U+FF0D, a no-break space (U+00A0,
  // common in copied text), a soft hyphen (U+00AD), the spaces, zero-width characters and dashes
  // U+2000–U+2015, U+202F, U+2060, U+2212 and U+FEFF. Masking more than NormalizeCodeInput reads
  // as a number is the safe side. (Not line breaks: numbers on lines of their own are not one.)
  const auto separator_at = [&](size_t i) -> size_t {
    if (text[i] == ' ' || text[i] == '\t' || text[i] == '-') return 1;
    const std::string_view rest = text.substr(i);
    if (rest.starts_with("\xC2\xA0") || rest.starts_with("\xC2\xAD")) return 2;
    if (rest.starts_with("\xE3\x80\x80") || rest.starts_with("\xEF\xBC\x8D") ||
        rest.starts_with("\xE2\x80\xAF") || rest.starts_with("\xE2\x81\xA0") ||
        rest.starts_with("\xE2\x88\x92") || rest.starts_with("\xEF\xBB\xBF")) {
      return 3;
    }
    // U+2000..U+2015: E2 80 80..95.
    if (rest.size() >= 3 && rest[0] == '\xE2' && rest[1] == '\x80' &&
        static_cast<unsigned char>(rest[2]) >= 0x80 && static_cast<unsigned char>(rest[2]) <= 0x95) {
      return 3;
    }
    return 0;
  };
  // A group: a run of digits, perhaps with a check letter right after it.
  struct Group {
    size_t begin = 0, end = 0;  // bytes; end is past the letter, if any
    size_t first = 0;           // index of its first character in `chars`
    std::string value;          // the digits, ASCII
    bool x = false;
  };
  std::string out;
  size_t done = 0;  // text before this is in `out`
  std::vector<Group> groups;
  std::vector<size_t> chars;  // byte offset of each digit or letter of the chain
  std::vector<bool> hidden;   // per entry of `chars`
  for (size_t i = 0; i < text.size();) {
    if (digit_at(i) == 0) {
      i += CharLength(text, i);
      continue;
    }
    // A chain of groups, each after at most three separators.
    groups.clear();
    chars.clear();
    size_t pos = i;
    for (;;) {
      Group g;
      g.begin = pos;
      g.first = chars.size();
      // ASCII and full-width digits make groups of their own: a reader of one kind only (a log
      // scanner) sees each as a number, so each is judged alone as well as with its neighbours.
      const size_t width = digit_at(pos);
      for (size_t d; pos < text.size() && (d = digit_at(pos)) == width; pos += d) {
        chars.push_back(pos);
        g.value.push_back(d == 1 ? text[pos] : static_cast<char>('0' + (b(pos + 2) - 0x90)));
      }
      // A letter right after digits ends the group (and, with a digit right after it, the
      // chain: 17 digits and X are an ID's shape whatever follows, the safe side).
      if (pos < text.size()) {
        if (const size_t x = x_at(pos); x > 0) {
          g.x = true;
          chars.push_back(pos);
          pos += x;
        }
      }
      g.end = pos;
      const bool lettered = g.x;
      groups.push_back(std::move(g));
      if (!lettered && pos < text.size() && digit_at(pos) > 0) continue;  // the other width
      size_t next = pos;
      for (int k = 0; k < 3 && next < text.size(); ++k) {
        const size_t sep = separator_at(next);
        if (sep == 0) break;
        next += sep;
      }
      if (next == pos || next >= text.size()) break;
      if (digit_at(next) == 0) {
        // A check letter set apart ("4101021990010112 3X" has it after "3"; "... 123 X" here).
        const size_t x = groups.back().x ? 0 : x_at(next);
        if (x > 0 && (next + x == text.size() || digit_at(next + x) == 0)) {
          Group letter;
          letter.begin = next;
          letter.first = chars.size();
          letter.x = true;
          chars.push_back(next);
          letter.end = next + x;
          groups.push_back(std::move(letter));
        }
        break;
      }
      pos = next;
    }
    // Every window of consecutive groups shaped like an ID has its middle hidden; where windows
    // overlap, what any of them hides stays hidden (grouping makes the reading ambiguous, and
    // hiding too much is harmless). 18 characters are masked whatever they hold (an ID with a
    // mistyped birth date is still a person's); 15 digits only with a birth date where a legacy
    // ID has it (YYMMDD from the 7th digit, 19YY), which tells one from the registration and tax
    // numbers of 15 digits. A letter ends a window.
    hidden.assign(chars.size(), false);
    bool any = false;
    for (size_t a = 0; a < groups.size(); ++a) {
      std::string value;
      for (size_t z = a; z < groups.size(); ++z) {
        if (z > a && groups[z - 1].x) break;
        value += groups[z].value;
        if (value.size() > 18) break;
        const auto number = [&value](size_t p) { return std::stoi(value.substr(p, 2)); };
        size_t n = 0;  // characters of the ID
        // YYYYMMDD from the 7th digit, for a caller that wants only plausible IDs masked.
        const auto born = [&value] {
          const int year = std::stoi(value.substr(6, 4));
          return year >= 1900 && year <= 2099 &&
                 Date::FromYmd(year, std::stoi(value.substr(10, 2)), std::stoi(value.substr(12, 2))).ok();
        };
        if (groups[z].x && value.size() == 17 && (!require_birth_date || born())) {
          n = 18;
        } else if ((value.size() == 18 && (!require_birth_date || born())) ||
                   (value.size() == 15 &&
                    Date::FromYmd(1900 + number(6), number(8), number(10)).ok())) {
          n = value.size();
        }
        if (n == 0) continue;
        for (size_t k = 4; k + 4 < n; ++k) hidden[groups[a].first + k] = true;
        any = true;
      }
    }
    const size_t chain_end = groups.back().end;
    if (any) {
      out.append(text.substr(done, i - done));
      size_t at = i;  // separators between characters are shown as they are
      for (size_t c = 0; c < chars.size(); ++c) {
        out.append(text.substr(at, chars[c] - at));
        out += hidden[c] ? std::string("*") : ShowChar(text, chars[c]);
        at = chars[c] + CharLength(text, chars[c]);
      }
      out.append(text.substr(at, chain_end - at));
      done = chain_end;
    }
    i = chain_end;
  }
  if (done == 0) return std::string(text);
  out.append(text.substr(done));
  return out;
}

namespace {

// At most `max_bytes` of `s`, cut before a UTF-8 continuation byte rather than on one.
std::string_view CutAt(std::string_view s, size_t max_bytes) {
  if (s.size() <= max_bytes) return s;
  size_t end = max_bytes;
  while (end > 0 && (static_cast<unsigned char>(s[end]) & 0xC0) == 0x80) --end;
  return s.substr(0, end);
}

}  // namespace

std::string ShowMasked(std::string_view text, size_t max_bytes) {
  // A resident ID starting inside what is shown ends within kIdSpanBytes more: masking a longer
  // piece first leaves no part of one unmasked.
  const std::string_view head = CutAt(text, max_bytes + kIdSpanBytes);
  const std::string masked = MaskResidentIdsIn(head);
  std::string shown(CutAt(masked, max_bytes));
  if (shown.size() < masked.size() || head.size() < text.size()) shown += "…";
  return shown;
}

Result<ResidentIdInfo> ParseResidentId(std::string_view input, Date today) {
  const std::string id = NormalizeCodeInput(input);
  // Messages name the ID only through its mask: they end up in logs and batch reports.
  const auto fail = [&id](const std::string& reason) {
    return Status::InvalidArgument("'" + MaskResidentId(id) + "'" + reason);
  };
  const size_t n = CharCount(id);
  if (n != 18 && n != 15) {
    return fail(" has " + CountPhrase(n) + "; a resident ID has 18 (or 15 in the legacy form)");
  }
  for (size_t i = 0, k = 0; i < id.size(); i += CharLength(id, i), ++k) {
    const bool ok = CharLength(id, i) == 1 && (IsDigit(id[i]) || (k == 17 && id[i] == 'X'));
    if (!ok) {
      return fail(" contains '" + ShowChar(id, i) + "' at position " + std::to_string(k + 1) +
                  (n == 18 ? "; only digits are allowed, and X as the check character"
                           : "; a legacy resident ID has only digits"));
    }
  }
  ResidentIdInfo info;
  if (n == 18) {
    // The expected check character is left out on purpose: it is derived from hidden digits.
    if (ResidentIdCheckChar(std::string_view(id).substr(0, 17)) != id[17]) {
      return fail(" fails the GB 11643 check: its last character does not match the other 17");
    }
    info.id18 = id;
  } else {
    // Legacy IDs were issued to people born in the 1900s and carry a 2-digit year.
    std::string first17 = id.substr(0, 6) + "19" + id.substr(6);
    info.id18 = first17 + ResidentIdCheckChar(first17);
    info.converted_from_15 = true;
  }
  if (auto problem =
          BirthDateProblem(std::string_view(info.id18).substr(6, 8), today, &info.birth_date)) {
    return fail(" " + *problem);
  }
  info.male = (info.id18[16] - '0') % 2 == 1;
  info.region = info.id18.substr(0, 6);
  return info;
}

char RegistrationNumberCheckDigit(std::string_view first14) {
  if (first14.size() != 14 || !AllDigits(first14)) return '\0';
  // ISO 7064 hybrid MOD 11,10: the running product starts at 10; a valid number ends with a
  // running sum of 1 after its check digit.
  int product = 10;
  for (char c : first14) {
    int sum = (product + (c - '0')) % 10;
    if (sum == 0) sum = 10;
    product = (sum * 2) % 11;
  }
  return static_cast<char>('0' + (11 - product) % 10);
}

Result<std::string> ParseRegistrationNumber(std::string_view input) {
  const std::string code = NormalizeCodeInput(input);
  // Quoting is left to the failure path: valid codes, by far the most common, skip it.
  const auto fail = [&code](const std::string& reason) {
    return BadCode(code, "a registration number", reason);
  };
  if (const size_t n = CharCount(code); n != 15) {
    return fail(" has " + CountPhrase(n) + "; a business registration number has 15");
  }
  if (const size_t bad = FindDisallowed(code, IsDigit); bad != std::string::npos) {
    return fail(" contains '" + ShowChar(code, bad) +
                "'; a business registration number has only digits");
  }
  if (const char want = RegistrationNumberCheckDigit(std::string_view(code).substr(0, 14));
      want != code[14]) {
    return fail(" has check digit " + std::string(1, code[14]) + " but should be " +
                std::string(1, want));
  }
  return code;
}

Result<std::string> ParseTaxRegistrationNumber(std::string_view input) {
  const std::string code = NormalizeCodeInput(input);
  // Quoting is left to the failure path: valid codes, by far the most common, skip it.
  const auto fail = [&code](const std::string& reason) {
    return BadCode(code, "a tax registration number", reason);
  };
  if (const size_t n = CharCount(code); n != 15) {
    return fail(" has " + CountPhrase(n) + "; a tax registration number has 15");
  }
  if (const size_t bad = FindDisallowed(code, IsUpperAlnum); bad != std::string::npos) {
    return fail(" contains '" + ShowChar(code, bad) +
                "', which a tax registration number does not use");
  }
  const std::string_view region = std::string_view(code).substr(0, 6);
  if (!AllDigits(region)) {
    return fail(" starts with '" + std::string(region) +
                "', but a tax registration number starts with a 6-digit "
                "division code");
  }
  const std::string_view org = std::string_view(code).substr(6, 9);
  if (org.find_first_not_of('0') == std::string_view::npos) {
    return fail(" holds organization code 000000000, a placeholder for an unknown code");
  }
  if (const char want = OrgCodeCheckChar(org.substr(0, 8)); want != org[8]) {
    return fail(" ends in organization code " + std::string(org) + ", whose check character " +
                std::string(1, org[8]) + " should be " + std::string(1, want));
  }
  return code;
}

namespace {

// GB/T 2260 province-level prefixes: 11-15 北京…内蒙古, 21-23 辽宁…黑龙江, 31-37 上海…山东,
// 41-46 河南…海南, 50-54 重庆…西藏, 61-65 陕西…新疆, 71 台湾, 81-82 香港, 澳门.
bool IsProvincePrefix(int p) {
  return (p >= 11 && p <= 15) || (p >= 21 && p <= 23) || (p >= 31 && p <= 37) ||
         (p >= 41 && p <= 46) || (p >= 50 && p <= 54) || (p >= 61 && p <= 65) || p == 71 ||
         p == 81 || p == 82;
}

}  // namespace

Result<CommitmentCodeInfo> ParseCommitmentCode(std::string_view input, Date today) {
  const std::string code = NormalizeCodeInput(input);
  const auto fail = [&code](const std::string& reason) {
    return BadCode(code, "a commitment code", reason);
  };
  if (const size_t n = CharCount(code); n != 20) {
    return fail(" has " + CountPhrase(n) +
                "; a commitment code has 20 digits (division, date, serial)");
  }
  if (!AllDigits(code)) return fail(" is not all digits; a commitment code has 20 digits");
  const int province = (code[0] - '0') * 10 + (code[1] - '0');
  if (!IsProvincePrefix(province)) {
    return fail(" starts with division " + code.substr(0, 6) + ", whose province code " +
                code.substr(0, 2) + " does not exist");
  }
  const auto digits = [&code](size_t pos, size_t n) {
    int v = 0;
    for (size_t i = pos; i < pos + n; ++i) v = v * 10 + (code[i] - '0');
    return v;
  };
  auto date = Date::FromYmd(digits(6, 4), digits(10, 2), digits(12, 2));
  if (!date.ok() || digits(6, 4) < 2000) {
    return fail(" holds '" + code.substr(6, 8) +
                "' where the date the commitment was made (YYYYMMDD, 2000 or later) belongs");
  }
  if (*date > today) {
    return fail(" is dated " + date->ToString() + ", after today (" + today.ToString() + ")");
  }
  const int serial = digits(14, 6);
  if (serial == 0) return fail(" has serial 000000; serials start at 000001");
  CommitmentCodeInfo info;
  info.code = code;
  info.division = code.substr(0, 6);
  info.date = *date;
  info.serial = static_cast<uint32_t>(serial);
  return info;
}

}  // namespace xinyong::ident
