#include "core/identifiers.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <random>
#include <string>
#include <utility>
#include <vector>

namespace xinyong::ident {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

// Tests never depend on the real clock.
Date Today() { return *Date::FromYmd(2025, 6, 1); }

// ---------------------------------------------------------------------------------------------
// Generators for the property tests. Each computes the check characters itself, so a generated
// value is valid by construction; the seed is fixed so every run checks the same values.

// Authority/type pairs GB 32100 defines (FACTS.md §1).
constexpr std::string_view kAuthorityTypes[] = {
    "11", "12", "13", "19", "21", "29", "31", "32", "33", "34", "35", "39",
    "41", "49", "51", "52", "53", "59", "61", "62", "69", "71", "72", "79",
    "81", "89", "91", "92", "93", "A1", "A9", "N1", "N2", "N3", "N9", "Y1"};

std::string RandomUscc(std::mt19937& rng) {
  std::uniform_int_distribution<size_t> pair(0, std::size(kAuthorityTypes) - 1);
  std::uniform_int_distribution<int> digit(0, 9);
  std::uniform_int_distribution<size_t> symbol(0, kUsccAlphabet.size() - 1);
  std::string code(kAuthorityTypes[pair(rng)]);
  for (int i = 0; i < 6; ++i) code += static_cast<char>('0' + digit(rng));
  for (int i = 0; i < 8; ++i) code += kUsccAlphabet[symbol(rng)];
  code += OrgCodeCheckChar(code.substr(8, 8));
  code += UsccCheckChar(code);
  return code;
}

std::string ResidentIdWithBirthDate(std::string_view yyyymmdd, std::string_view seq = "001") {
  std::string id = "410105" + std::string(yyyymmdd) + std::string(seq);
  id += ResidentIdCheckChar(id);
  return id;
}

std::string RandomResidentId(std::mt19937& rng) {
  std::uniform_int_distribution<int> digit(0, 9);
  std::uniform_int_distribution<int> province(1, 8);
  std::uniform_int_distribution<int32_t> day(Date::FromYmd(1900, 1, 1)->days(), Today().days());
  std::string id(1, static_cast<char>('0' + province(rng)));
  for (int i = 0; i < 5; ++i) id += static_cast<char>('0' + digit(rng));
  id += std::to_string(Date::FromDays(day(rng)).ToYmdNumber());
  for (int i = 0; i < 3; ++i) id += static_cast<char>('0' + digit(rng));
  id += ResidentIdCheckChar(id);
  return id;
}

std::string RandomRegistrationNumber(std::mt19937& rng) {
  std::uniform_int_distribution<int> digit(0, 9);
  std::string number;
  for (int i = 0; i < 14; ++i) number += static_cast<char>('0' + digit(rng));
  number += RegistrationNumberCheckDigit(number);
  return number;
}

// Counts failures instead of asserting inside loops of a million checks, and keeps the first
// example so a failure reads as a concrete counterexample.
struct Tally {
  int checked = 0;
  int failed = 0;
  std::string first;
  void Record(bool ok, const std::string& example) {
    ++checked;
    if (!ok && failed++ == 0) first = example;
  }
};

// ---------------------------------------------------------------------------------------------
// NormalizeCodeInput

TEST(NormalizeCodeInputTest, UpperCasesAndDropsSpacesTabsAndHyphens) {
  EXPECT_EQ(NormalizeCodeInput(" 9111 0000-6000\t3734 1l "), "91110000600037341L");
}

TEST(NormalizeCodeInputTest, MapsFullWidthAsciiToHalfWidth) {
  EXPECT_EQ(NormalizeCodeInput("９１１１ＡＢＣａｂｃ！～"), "9111ABCABC!~");
}

TEST(NormalizeCodeInputTest, DropsIdeographicSpaceFullWidthHyphenAndEmDash) {
  EXPECT_EQ(NormalizeCodeInput("9111\u30000000－6000—37341L"), "91110000600037341L");
}

// Found by fuzz/identifiers_fuzzer.cc: dropping a hyphen between broken UTF-8 bytes joined them
// into a full-width digit, which a second normalization turned into "1".
TEST(NormalizeCodeInputTest, IsIdempotentOnBrokenUtf8) {
  for (std::string_view input :
       {std::string_view("\xEF-\xBC\x91"), std::string_view("\xEF\xE3\x80\x80\xBC\x91"),
        std::string_view("\xEF  \xBC\x91"), std::string_view("\xEF\xBC-\x91"),
        std::string_view("\xEF\xFC\x99\xEF\xBC\x91\xEF-\xBD\x99\x32\x91\xEF\xEF\xBC\x91,")}) {
    const std::string once = NormalizeCodeInput(input);
    EXPECT_EQ(NormalizeCodeInput(once), once);
  }
  EXPECT_EQ(NormalizeCodeInput("\xEF-\xBC\x91"), "\xEF-\xBC\x91");
  EXPECT_EQ(NormalizeCodeInput("１-\xBC 2"), "1\xBC 2");  // dropped elsewhere as before
}

TEST(NormalizeCodeInputTest, KeepsOtherCharactersSoValidationCanNameThem) {
  EXPECT_EQ(NormalizeCodeInput("代码a1"), "代码A1");
  EXPECT_EQ(NormalizeCodeInput("a.b_c"), "A.B_C");
}

TEST(NormalizeCodeInputTest, LeavesEmptyInputEmpty) {
  EXPECT_EQ(NormalizeCodeInput(""), "");
  EXPECT_EQ(NormalizeCodeInput(" \t\u3000- "), "");
}

// ---------------------------------------------------------------------------------------------
// USCC

TEST(UsccTest, AcceptsPublishedValidCodes) {
  for (const char* code : {"91110000600037341L", "121200004013590816", "91310115MA1K3BTP2B",
                           "9144030071526726XG", "92340602MA2PBMEM24", "914112810713741814"}) {
    auto r = ParseUscc(code);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    if (r.ok()) {
      EXPECT_EQ(r->code, code);
    }
  }
}

TEST(UsccTest, SplitsCodeIntoItsParts) {
  auto r = ParseUscc("91110000600037341L");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->authority, '9');
  EXPECT_EQ(r->type, '1');
  EXPECT_EQ(r->authority_name, "工商");
  EXPECT_EQ(r->type_name, "企业");
  EXPECT_EQ(r->region, "110000");
  EXPECT_EQ(r->org_code, "600037341");
}

TEST(UsccTest, NamesAuthorityAndTypeOfNonEnterprises) {
  auto institution = ParseUscc("121200004013590816");
  ASSERT_TRUE(institution.ok());
  EXPECT_EQ(institution->authority_name, "机构编制");
  EXPECT_EQ(institution->type_name, "事业单位");
  auto household = ParseUscc("92340602MA2PBMEM24");
  ASSERT_TRUE(household.ok());
  EXPECT_EQ(household->type_name, "个体工商户");
}

TEST(UsccTest, RejectsWrongCheckCharacterAndNamesTheRightOne) {
  auto r = ParseUscc("91110000600037341N");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(r.status().message(), "'91110000600037341N' has check character N but should be L");
}

TEST(UsccTest, RejectsCodeWithLetterI) {
  auto r = ParseUscc("9111000060003IOZSV");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "'9111000060003IOZSV' contains 'I', which GB 32100 does not use");
}

TEST(UsccTest, RejectsEachLetterGb32100LeavesOut) {
  for (char letter : std::string("IOZSV")) {
    std::string code = "91110000600037341L";
    code[10] = letter;
    auto r = ParseUscc(code);
    ASSERT_FALSE(r.ok()) << code;
    EXPECT_THAT(r.status().message(), HasSubstr(std::string("'") + letter + "', which GB 32100"));
  }
}

TEST(UsccTest, RejectsCodeWhoseOrganizationCodeFailsItsOwnCheck) {
  auto r = ParseUscc("91110000600037342L");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(),
            "'91110000600037342L' contains organization code 600037342, whose check character 2 "
            "should be 1");
}

TEST(UsccTest, RejectsCodeOfWrongLength) {
  auto r = ParseUscc("12345");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "'12345' has 5 characters; a USCC has 18");
  EXPECT_FALSE(ParseUscc("91110000600037341L1").ok());
  EXPECT_EQ(ParseUscc("").status().message(), "'' has 0 characters; a USCC has 18");
  EXPECT_EQ(ParseUscc("9").status().message(), "'9' has 1 character; a USCC has 18");
}

TEST(UsccTest, CountsCharactersNotBytes) {
  // 17 ASCII characters and one Chinese character (3 bytes): 18 characters, bad at the end.
  auto r = ParseUscc("91110000600037341码");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(),
            "'91110000600037341码' contains '码', which GB 32100 does not use");
}

TEST(UsccTest, EscapesControlCharactersInMessages) {
  auto r = ParseUscc(std::string("91110000600037341\x01", 18));
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.status().message(), HasSubstr("\\x01"));
  EXPECT_THAT(r.status().message(), Not(HasSubstr("\x01")));
}

TEST(UsccTest, RejectsUnknownRegistrationAuthority) {
  auto r = ParseUscc("B1110000600037341L");
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.status().message(), HasSubstr("registration authority 'B'"));
}

TEST(UsccTest, RejectsEntityTypeTheAuthorityDoesNotDefine) {
  auto r = ParseUscc("94110000600037341L");
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.status().message(), HasSubstr("entity type '4'"));
  EXPECT_THAT(r.status().message(), HasSubstr("authority 9 (工商)"));
}

TEST(UsccTest, RejectsLetterInRegion) {
  auto r = ParseUscc("9111A000600037341L");
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.status().message(), HasSubstr("region '11A000'"));
}

TEST(UsccTest, AcceptsLowerCaseSpacesHyphensAndFullWidth) {
  for (const char* input : {"91110000600037341l", " 9111 0000 6000 3734 1L ",
                            "91-110000-600037341-L", "９１１１００００６０００３７３４１Ｌ",
                            "9111\u30000000\t600037341ｌ", "91110000—600037341L"}) {
    auto r = ParseUscc(input);
    ASSERT_TRUE(r.ok()) << input << ": " << r.status().ToString();
    EXPECT_EQ(r->code, "91110000600037341L");
  }
}

TEST(UsccTest, CheckCharIsNulForWrongLengthOrForeignCharacters) {
  EXPECT_EQ(UsccCheckChar("9111000060003734"), '\0');
  EXPECT_EQ(UsccCheckChar("9111000060003734I"), '\0');
  EXPECT_EQ(UsccCheckChar("91110000600037341"), 'L');
}

// ---------------------------------------------------------------------------------------------
// USCC properties

TEST(UsccPropertyTest, GeneratedCodesAllValidate) {
  std::mt19937 rng(20151001);
  Tally tally;
  for (int n = 0; n < 3000; ++n) {
    const std::string code = RandomUscc(rng);
    auto r = ParseUscc(code);
    tally.Record(r.ok(), code + ": " + r.status().message());
  }
  EXPECT_EQ(tally.failed, 0) << tally.first;
}

TEST(UsccPropertyTest, EverySingleSubstitutionIsRejected) {
  std::mt19937 rng(32100);
  Tally parse, check;
  for (int n = 0; n < 2000; ++n) {
    const std::string code = RandomUscc(rng);
    for (size_t pos = 0; pos < 18; ++pos) {
      for (char c : kUsccAlphabet) {
        if (c == code[pos]) continue;
        std::string bad = code;
        bad[pos] = c;
        parse.Record(!ParseUscc(bad).ok(), code + " -> " + bad);
        // The final check alone must see it: 31 is prime and no weight is 0.
        check.Record(UsccCheckChar(std::string_view(bad).substr(0, 17)) != bad[17],
                     code + " -> " + bad);
      }
    }
  }
  EXPECT_EQ(parse.checked, 2000 * 18 * 30);
  EXPECT_EQ(parse.failed, 0) << "accepted: " << parse.first;
  EXPECT_EQ(check.failed, 0) << "check character missed: " << check.first;
}

TEST(UsccPropertyTest, EveryAdjacentTranspositionIsRejected) {
  std::mt19937 rng(11714);
  Tally parse, check;
  for (int n = 0; n < 5000; ++n) {
    const std::string code = RandomUscc(rng);
    for (size_t pos = 0; pos + 1 < 18; ++pos) {
      if (code[pos] == code[pos + 1]) continue;
      std::string bad = code;
      std::swap(bad[pos], bad[pos + 1]);
      parse.Record(!ParseUscc(bad).ok(), code + " -> " + bad);
      // Adjacent weights differ (3^k != 3^(k+1) mod 31), and 28 != 1 for positions 17/18.
      check.Record(UsccCheckChar(std::string_view(bad).substr(0, 17)) != bad[17],
                   code + " -> " + bad);
    }
  }
  EXPECT_GT(parse.checked, 5000 * 15);
  EXPECT_EQ(parse.failed, 0) << "accepted: " << parse.first;
  EXPECT_EQ(check.failed, 0) << "check character missed: " << check.first;
}

// Beyond the adjacent case: the check character sees every swap of two different characters
// except one pair of positions. Position 1 has weight 3^0 = 1 and the check character also counts
// with weight 1, so swapping them leaves the weighted sum unchanged. Only the authority table can
// then catch the swap, and it does not when the check character happens to be a valid authority.
TEST(UsccPropertyTest, CheckCatchesEverySwapExceptFirstWithLast) {
  std::mt19937 rng(31);
  Tally caught, missed_first_last;
  for (int n = 0; n < 500; ++n) {
    const std::string code = RandomUscc(rng);
    for (size_t i = 0; i < 18; ++i) {
      for (size_t j = i + 1; j < 18; ++j) {
        if (code[i] == code[j]) continue;
        std::string bad = code;
        std::swap(bad[i], bad[j]);
        const bool check_sees_it = UsccCheckChar(std::string_view(bad).substr(0, 17)) != bad[17];
        if (i == 0 && j == 17) {
          missed_first_last.Record(!check_sees_it, code + " -> " + bad);
        } else {
          caught.Record(check_sees_it, code + " -> " + bad);
        }
      }
    }
  }
  EXPECT_EQ(caught.failed, 0) << "check character missed: " << caught.first;
  EXPECT_GT(missed_first_last.checked, 400);
  EXPECT_EQ(missed_first_last.failed, 0) << "unexpectedly caught: " << missed_first_last.first;
}

TEST(UsccPropertyTest, SwapOfFirstAndLastCharacterCanYieldAnotherValidCode) {
  // 914112810713741814 (工商/企业) with its first and last characters swapped is a well-formed
  // code of authority 4 (文化): no check in GB 32100 can tell the two apart.
  auto original = ParseUscc("914112810713741814");
  auto swapped = ParseUscc("414112810713741819");
  ASSERT_TRUE(original.ok());
  ASSERT_TRUE(swapped.ok()) << swapped.status().ToString();
  EXPECT_EQ(swapped->authority_name, "文化");
  // Most such swaps are still caught, because the check character is rarely a valid authority.
  EXPECT_FALSE(ParseUscc("L1110000600037341"
                         "9")
                   .ok());
}

// ---------------------------------------------------------------------------------------------
// Organization code (GB 11714)

TEST(OrgCodeTest, ComputesCheckCharactersOfKnownCodes) {
  EXPECT_EQ(OrgCodeCheckChar("60003734"), '1');
  EXPECT_EQ(OrgCodeCheckChar("71526726"), 'X');  // check value 10
  EXPECT_EQ(OrgCodeCheckChar("00000000"), '0');  // check value 11
  EXPECT_EQ(OrgCodeCheckChar("MA1K3BTP"), '2');
  EXPECT_EQ(OrgCodeCheckChar("6000373"), '\0');
  EXPECT_EQ(OrgCodeCheckChar("6000373a"), '\0');
}

TEST(OrgCodeTest, AcceptsCodeWithHyphenBeforeCheck) {
  auto r = ParseOrgCode("60003734-1");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(*r, "600037341");
  auto x = ParseOrgCode("71526726-x");
  ASSERT_TRUE(x.ok()) << x.status().ToString();
  EXPECT_EQ(*x, "71526726X");
}

TEST(OrgCodeTest, RejectsWrongCheckCharacter) {
  auto r = ParseOrgCode("600037342");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "'600037342' has check character 2 but should be 1");
}

// All zeros has a check character that works out (0); it is what a form holds for "unknown",
// and taken as a code it would make every such row one subject.
TEST(OrgCodeTest, RejectsTheAllZeroPlaceholderWhereverItStands) {
  for (const char* code : {"000000000", "00000000-0"}) {
    auto r = ParseOrgCode(code);
    ASSERT_FALSE(r.ok()) << code;
    EXPECT_NE(r.status().message().find("placeholder"), std::string::npos) << r.status().message();
  }
  EXPECT_FALSE(ParseTaxRegistrationNumber("410105000000000").ok());
  EXPECT_FALSE(ParseTaxRegistrationNumber("000000000000000").ok());
  // A USCC around it: its own check character made right, still refused for the placeholder.
  std::string uscc = "91410100000000000";
  uscc += UsccCheckChar(uscc);
  auto u = ParseUscc(uscc);
  ASSERT_FALSE(u.ok());
  EXPECT_NE(u.status().message().find("placeholder"), std::string::npos) << u.status().message();
}

TEST(OrgCodeTest, RejectsWrongLengthAndPunctuation) {
  EXPECT_EQ(ParseOrgCode("6000373").status().message(),
            "'6000373' has 7 characters; an organization code has 9");
  EXPECT_EQ(ParseOrgCode("6000.3734").status().message(),
            "'6000.3734' contains '.', which GB 11714 does not use");
}

// A documented weakness of GB 11714 on its own: letters extend the values to 0-35, so two
// characters 11 apart ('0' and 'B', '1' and 'C') weigh the same modulo 11. Inside a USCC the
// MOD 31 check still catches the substitution.
TEST(OrgCodeTest, CheckCannotSeeSubstitutionOfCharactersElevenApart) {
  EXPECT_TRUE(ParseOrgCode("6B0037341").ok());
  auto in_uscc = ParseUscc("911100006B0037341L");
  ASSERT_FALSE(in_uscc.ok());
  EXPECT_THAT(in_uscc.status().message(), HasSubstr("check character L but should be"));
}

// ---------------------------------------------------------------------------------------------
// Resident ID (GB 11643)

TEST(ResidentIdTest, AcceptsPublishedValidIds) {
  for (const char* id : {"11010519491231002X", "360426199101010071", "34052419800101001X"}) {
    auto r = ParseResidentId(id, Today());
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    if (r.ok()) {
      EXPECT_EQ(r->id18, id);
      EXPECT_FALSE(r->converted_from_15);
    }
  }
}

TEST(ResidentIdTest, ReadsBirthDateSexAndRegion) {
  auto r = ParseResidentId("11010519491231002X", Today());
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->birth_date, *Date::FromYmd(1949, 12, 31));
  EXPECT_FALSE(r->male);  // sequence 002 is even
  EXPECT_EQ(r->region, "110105");
  auto m = ParseResidentId("360426199101010071", Today());
  ASSERT_TRUE(m.ok());
  EXPECT_TRUE(m->male);  // sequence 007 is odd
  EXPECT_EQ(m->birth_date, *Date::FromYmd(1991, 1, 1));
}

TEST(ResidentIdTest, ConvertsLegacyFifteenDigitId) {
  auto r = ParseResidentId("110105491231002", Today());
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->id18, "11010519491231002X");
  EXPECT_TRUE(r->converted_from_15);
  EXPECT_EQ(r->birth_date, *Date::FromYmd(1949, 12, 31));
  EXPECT_FALSE(r->male);
}

TEST(ResidentIdTest, AcceptsLowerCaseXSpacesAndFullWidthDigits) {
  for (const char* input : {"11010519491231002x", "110105 19491231 002X",
                            "１１０１０５１９４９１２３１００２Ｘ", "110105-19491231-002x"}) {
    auto r = ParseResidentId(input, Today());
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_EQ(r->id18, "11010519491231002X");
  }
}

TEST(ResidentIdTest, RejectsWrongCheckCharacter) {
  auto r = ParseResidentId("110105194912310021", Today());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(),
            "'1101**********0021' fails the GB 11643 check: its last character does not match "
            "the other 17");
}

TEST(ResidentIdTest, RejectsBirthDateInTheFuture) {
  const std::string tomorrow = ResidentIdWithBirthDate("20250602");
  auto r = ParseResidentId(tomorrow, Today());
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.status().message(), HasSubstr("birth date after today (2025-06-01)"));
  EXPECT_TRUE(ParseResidentId(ResidentIdWithBirthDate("20250601"), Today()).ok());
}

TEST(ResidentIdTest, RejectsFebruaryThirtieth) {
  auto r = ParseResidentId(ResidentIdWithBirthDate("19900230"), Today());
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.status().message(), HasSubstr("birth date that is not a real date"));
}

TEST(ResidentIdTest, KnowsWhichYearsHaveFebruaryTwentyNinth) {
  EXPECT_TRUE(ParseResidentId(ResidentIdWithBirthDate("20000229"), Today()).ok());
  EXPECT_TRUE(ParseResidentId(ResidentIdWithBirthDate("19960229"), Today()).ok());
  EXPECT_FALSE(ParseResidentId(ResidentIdWithBirthDate("19000229"), Today()).ok());
  EXPECT_FALSE(ParseResidentId(ResidentIdWithBirthDate("19990229"), Today()).ok());
}

TEST(ResidentIdTest, RejectsImpossibleMonthsAndDays) {
  for (const char* date : {"19901301", "19900001", "19900100", "19900431"}) {
    EXPECT_FALSE(ParseResidentId(ResidentIdWithBirthDate(date), Today()).ok()) << date;
  }
}

TEST(ResidentIdTest, RejectsBirthYearBefore1900) {
  auto r = ParseResidentId(ResidentIdWithBirthDate("18991231"), Today());
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.status().message(), HasSubstr("birth year before 1900"));
}

TEST(ResidentIdTest, RejectsLegacyIdWithImpossibleBirthDate) {
  auto r = ParseResidentId("110105490230002", Today());
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.status().message(), HasSubstr("not a real date"));
}

TEST(ResidentIdTest, RejectsLettersOtherThanFinalX) {
  auto r = ParseResidentId("1101051949123100X2", Today());
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.status().message(), HasSubstr("'X' at position 17"));
  EXPECT_FALSE(ParseResidentId("11010519491231002A", Today()).ok());
  EXPECT_FALSE(ParseResidentId("11010549123100X", Today()).ok());  // no X in the legacy form
}

TEST(ResidentIdTest, RejectsWrongLength) {
  auto r = ParseResidentId("11010519491231002", Today());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(),
            "'1101*********1002' has 17 characters; a resident ID has 18 (or 15 in the legacy "
            "form)");
}

TEST(ResidentIdTest, ErrorMessagesNeverContainTheId) {
  const std::vector<std::string> inputs = {
      "110105194912310021",                 // check
      ResidentIdWithBirthDate("20300101"),  // future
      ResidentIdWithBirthDate("19900230"),  // not a real date
      ResidentIdWithBirthDate("18800101"),  // before 1900
      "11010519491231002",                  // length 17
      "1101051949123100212",                // length 19
      "110105194912310A2X",                 // letter
      "110105490230002",                    // legacy, bad date
  };
  for (const std::string& input : inputs) {
    auto r = ParseResidentId(input, Today());
    ASSERT_FALSE(r.ok()) << "expected rejection";
    const std::string& message = r.status().message();
    // The middle of the ID (where the birth date sits) must never appear.
    EXPECT_THAT(message, Not(HasSubstr(input.substr(4, 8)))) << message;
    EXPECT_THAT(message, Not(HasSubstr(input.substr(6, 6)))) << message;
  }
}

TEST(ResidentIdTest, CheckCharIsNulForNonDigits) {
  EXPECT_EQ(ResidentIdCheckChar("1101051949123100"), '\0');
  EXPECT_EQ(ResidentIdCheckChar("1101051949123100A"), '\0');
  EXPECT_EQ(ResidentIdCheckChar("11010519491231002"), 'X');
}

TEST(MaskResidentIdTest, KeepsFirstFourAndLastFour) {
  EXPECT_EQ(MaskResidentId("11010519491231002X"), "1101**********002X");
  EXPECT_EQ(MaskResidentId("110105491231002"), "1101*******1002");
}

TEST(MaskResidentIdTest, MasksEveryResidentIdInAText) {
  EXPECT_EQ(MaskResidentIdsIn("证件 11010519491231002X 与 110105491231002。"),
            "证件 1101**********002X 与 1101*******1002。");
  EXPECT_EQ(MaskResidentIdsIn("11010519491231002x"), "1101**********002x");
  EXPECT_EQ(MaskResidentIdsIn("11010519491331002X"), "1101**********002X") << "a mistyped date";
  EXPECT_EQ(MaskResidentIdsIn("440301108548378"), "440301108548378") << "no date: a registration number";
  EXPECT_EQ(MaskResidentIdsIn("＝１１０１０５１９４９１２３１００２Ｘ"), "＝１１０１**********００２Ｘ");
  // Digit runs of other lengths are no resident IDs; nor is a part of a longer run.
  for (const char* other : {"2025-03-03", "12345678901234", "1234567890123456",
                            "12345678901234567890", "91110000600037341L",
                            "2025-03-03 2025-04-04", "0371-6789 1234"}) {
    EXPECT_EQ(MaskResidentIdsIn(other), other);
  }
  // 17 digits and X are an ID's shape whatever follows (found by fuzz/target_fuzzer.cc: the
  // parser reads that run, and logs must not show it).
  EXPECT_EQ(MaskResidentIdsIn("11010519491231002X1"), "1101**********002X1");
  EXPECT_EQ(MaskResidentIdsIn("1101 0519 4912 3100 2X1"), "1101 **** **** **00 2X1");
  // ASCII digits right after a full-width one are judged alone too (a log scanner reads ASCII).
  EXPECT_EQ(MaskResidentIdsIn("０110000600330741S"), "０1100*******0741S");
}

// Groups as people type them (what NormalizeCodeInput reads as one number) are one ID; a
// number before or after it in the same text is a group of its own.
TEST(MaskResidentIdTest, MasksResidentIdsWrittenInGroups) {
  EXPECT_EQ(MaskResidentIdsIn("4101 0519 4912 3100 2X"), "4101 **** **** **00 2X");
  EXPECT_EQ(MaskResidentIdsIn("110105-19491231-002X，"), "1101**-********-002X，");
  EXPECT_EQ(MaskResidentIdsIn("110105　491231　002"), "1101**　*****1　002") << "15 digits, U+3000";
  EXPECT_EQ(MaskResidentIdsIn("110105 - 19491231 - 002X"), "1101** - ******** - 002X");
  EXPECT_EQ(MaskResidentIdsIn("电话 0371-6789 110105 19491231 002X 号"),
            "电话 0371-6789 ****** ******** 002X 号");
  EXPECT_EQ(MaskResidentIdsIn("11010519491231002 X"), "1101**********002 X");
  EXPECT_EQ(MaskResidentIdsIn("11010519491231002X X"), "1101**********002X X");
  EXPECT_EQ(MaskResidentIdsIn("11010519491231002X 2025-03-03"), "1101**********002X 2025-03-03");
  // Separators of pasted text: a no-break space, a thin space, a zero-width space, a soft
  // hyphen, a byte order mark, a typographic dash.
  EXPECT_EQ(MaskResidentIdsIn("110105\u00A019491231\u00A0002X"), "1101**\u00A0********\u00A0002X");
  EXPECT_EQ(MaskResidentIdsIn("110105\u200919491231\u200B002X"), "1101**\u2009********\u200B002X");
  EXPECT_EQ(MaskResidentIdsIn("110105\u00AD19491231\uFEFF002X"), "1101**\u00AD********\uFEFF002X");
  EXPECT_EQ(MaskResidentIdsIn("110105\n123456\n789012"), "110105\n123456\n789012") << "lines apart";
  EXPECT_EQ(MaskResidentIdsIn("110105\u201319491231\u2212002X"), "1101**\u2013********\u2212002X");
  EXPECT_EQ(MaskResidentIdsIn("110105 19491231 0021 2"), "1101** ******** 0021 2")
      << "the first 18 digits of a longer chain";
  // For text stored masked for good, an 18-character run needs a plausible birth date: dates
  // and phone numbers in groups stay as they are; a real ID, typed any way, does not.
  for (const char* kept : {"2025-03-03 2025-04-04 2025-05-05", "138-0013-8000 139-0013-9000",
                           "410100300001050009"}) {
    EXPECT_EQ(MaskResidentIdsIn(kept, true), kept);
  }
  EXPECT_EQ(MaskResidentIdsIn("证号110105 19491231 002X", true), "证号1101** ******** 002X");
  EXPECT_EQ(MaskResidentIdsIn("11010519491231002X", true), "1101**********002X");
  // Cut inside a grouped ID, what is shown of it is masked.
  EXPECT_EQ(ShowMasked(std::string(30, 'a') + " 4101 0519 4912 3100 2X", 40),
            std::string(30, 'a') + " 4101 ****…");
  EXPECT_EQ(ShowMasked(std::string(30, 'a') + " ４１０１　０５１９　４９１２　３１００　２Ｘ", 52),
            std::string(30, 'a') + " ４１０１　****…");
}

TEST(MaskResidentIdTest, ShowMaskedCutsBeforeACharacterAndSaysSo) {
  EXPECT_EQ(ShowMasked("2025-13-01", 40), "2025-13-01");
  EXPECT_EQ(ShowMasked("郑州市", 7), "郑州…");  // 9 bytes; a cut at 7 falls inside 市
  // A full-width ID shrinks when masked ('*' is one byte): nothing was cut, so no "…".
  EXPECT_EQ(ShowMasked("１１０１０５１９４９１２３１００２Ｘ", 100), "１１０１**********００２Ｘ");
  // An ID that starts before the cut is masked before the cut is made.
  EXPECT_EQ(ShowMasked("xxxxxxxxxx11010519491231002X", 16), "xxxxxxxxxx1101**…");
}

TEST(MaskResidentIdTest, ACodeThatIsAResidentIdFailsWithItsMaskOnly) {
  const std::string id = "11010519491231002X";
  // (This legacy ID happens to pass the registration number's check: 15 digits can be both.)
  for (const Status& s : {ParseUscc(id).status(), ParseTaxRegistrationNumber("110105491231002").status(),
                          ParseRegistrationNumber("110105491231003").status(),
                          ParseCommitmentCode(id, Date::FromYmd(2026, 1, 1).value()).status()}) {
    EXPECT_FALSE(s.ok());
    EXPECT_NE(s.message().find("has the form of a resident ID number"), std::string::npos) << s.message();
    EXPECT_EQ(s.message().find("491231"), std::string::npos) << s.message();
  }
  // An all-digit USCC with a typo has no birth date where an ID has one: its reason is given.
  const Status typo = ParseUscc("914112810713741815").status();
  EXPECT_NE(typo.message().find("check character 5 but should be 4"), std::string::npos)
      << typo.message();
  // A long value is cut in the message.
  const Status long_code = ParseUscc(std::string(1000, 'A')).status();
  EXPECT_LT(long_code.message().size(), 200u);
  EXPECT_NE(long_code.message().find("…"), std::string::npos) << long_code.message();
}

TEST(MaskResidentIdTest, FullyMasksShortInput) {
  EXPECT_EQ(MaskResidentId("12345"), "*****");
  EXPECT_EQ(MaskResidentId("11010519491231"), "**************");
  EXPECT_EQ(MaskResidentId(""), "");
}

TEST(MaskResidentIdTest, CountsCharactersNotBytes) {
  EXPECT_EQ(MaskResidentId("身份证"), "***");
  EXPECT_EQ(MaskResidentId("号码1010519491231002号"), "号码10***********002号");
}

// ---------------------------------------------------------------------------------------------
// Resident ID properties. MOD 11-2: 11 is prime and the weights 2^k mod 11 are non-zero and
// differ from their neighbours, so every single substitution and every adjacent transposition
// of different digits changes the sum.

TEST(ResidentIdPropertyTest, GeneratedIdsAllValidate) {
  std::mt19937 rng(19991001);
  Tally tally;
  for (int n = 0; n < 3000; ++n) {
    const std::string id = RandomResidentId(rng);
    auto r = ParseResidentId(id, Today());
    tally.Record(r.ok(), id + ": " + r.status().message());
  }
  EXPECT_EQ(tally.failed, 0) << tally.first;
}

TEST(ResidentIdPropertyTest, EverySingleSubstitutionIsRejected) {
  std::mt19937 rng(11643);
  Tally parse, check;
  for (int n = 0; n < 3000; ++n) {
    const std::string id = RandomResidentId(rng);
    for (size_t pos = 0; pos < 18; ++pos) {
      for (char c : std::string_view("0123456789X")) {
        if (c == id[pos]) continue;
        std::string bad = id;
        bad[pos] = c;
        parse.Record(!ParseResidentId(bad, Today()).ok(), id + " -> " + bad);
        check.Record(ResidentIdCheckChar(std::string_view(bad).substr(0, 17)) != bad[17],
                     id + " -> " + bad);
      }
    }
  }
  EXPECT_EQ(parse.checked, 3000 * 18 * 10);
  EXPECT_EQ(parse.failed, 0) << "accepted: " << parse.first;
  EXPECT_EQ(check.failed, 0) << "check character missed: " << check.first;
}

TEST(ResidentIdPropertyTest, EveryAdjacentTranspositionIsRejected) {
  std::mt19937 rng(7064);
  Tally parse, check;
  for (int n = 0; n < 5000; ++n) {
    const std::string id = RandomResidentId(rng);
    for (size_t pos = 0; pos + 1 < 18; ++pos) {
      if (id[pos] == id[pos + 1]) continue;
      std::string bad = id;
      std::swap(bad[pos], bad[pos + 1]);
      parse.Record(!ParseResidentId(bad, Today()).ok(), id + " -> " + bad);
      check.Record(ResidentIdCheckChar(std::string_view(bad).substr(0, 17)) != bad[17],
                   id + " -> " + bad);
    }
  }
  EXPECT_GT(parse.checked, 5000 * 10);
  EXPECT_EQ(parse.failed, 0) << "accepted: " << parse.first;
  EXPECT_EQ(check.failed, 0) << "check character missed: " << check.first;
}

// ---------------------------------------------------------------------------------------------
// Business registration number (ISO 7064 MOD 11,10)

TEST(RegistrationNumberTest, AcceptsValidNumber) {
  auto r = ParseRegistrationNumber("440301108548379");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(*r, "440301108548379");
  EXPECT_EQ(RegistrationNumberCheckDigit("44030110854837"), '9');
  EXPECT_TRUE(ParseRegistrationNumber("4403 0110 8548 379").ok());
}

TEST(RegistrationNumberTest, RejectsWrongCheckDigit) {
  EXPECT_EQ(ParseRegistrationNumber("440301108548378").status().message(),
            "'440301108548378' has check digit 8 but should be 9");
}

TEST(RegistrationNumberTest, RejectsWrongLengthAndLetters) {
  EXPECT_EQ(ParseRegistrationNumber("44030110854837").status().message(),
            "'44030110854837' has 14 characters; a business registration number has 15");
  EXPECT_THAT(ParseRegistrationNumber("44030110854837A").status().message(),
              HasSubstr("contains 'A'"));
  EXPECT_EQ(RegistrationNumberCheckDigit("4403011085483A"), '\0');
}

TEST(RegistrationNumberPropertyTest, EverySingleSubstitutionIsRejected) {
  std::mt19937 rng(1110);
  Tally tally;
  for (int n = 0; n < 3000; ++n) {
    const std::string number = RandomRegistrationNumber(rng);
    tally.Record(ParseRegistrationNumber(number).ok(), number + " rejected");
    for (size_t pos = 0; pos < 15; ++pos) {
      for (char c = '0'; c <= '9'; ++c) {
        if (c == number[pos]) continue;
        std::string bad = number;
        bad[pos] = c;
        tally.Record(!ParseRegistrationNumber(bad).ok(), number + " -> " + bad);
      }
    }
  }
  EXPECT_EQ(tally.failed, 0) << tally.first;
}

// ISO 7064 MOD 11,10 is a hybrid system: it sees every single substitution, but an adjacent
// transposition goes unseen whenever both orders lead to the same running state — about 2% of
// them. "56…" and "65…" always collide at the start. With state p = 10 and, per digit,
// s = (p + digit) mod 10 (0 read as 10), p = 2s mod 11: "5" gives s = 5, p = 10, then "6" gives
// s = 6, p = 1; "6" gives s = 6, p = 1, then "5" gives s = 6, p = 1. Same state, same check.
TEST(RegistrationNumberPropertyTest, MissesSomeAdjacentTranspositions) {
  std::string a = "56" + std::string(12, '0');
  a += RegistrationNumberCheckDigit(a);
  std::string b = a;
  std::swap(b[0], b[1]);
  EXPECT_TRUE(ParseRegistrationNumber(a).ok());
  EXPECT_TRUE(ParseRegistrationNumber(b).ok()) << a << " and " << b << " share a check digit";

  std::mt19937 rng(1011);
  int swaps = 0, missed = 0;
  for (int n = 0; n < 3000; ++n) {
    const std::string number = RandomRegistrationNumber(rng);
    for (size_t pos = 0; pos + 1 < 15; ++pos) {
      if (number[pos] == number[pos + 1]) continue;
      std::string bad = number;
      std::swap(bad[pos], bad[pos + 1]);
      ++swaps;
      if (ParseRegistrationNumber(bad).ok()) ++missed;
    }
  }
  EXPECT_GT(missed, 0);
  EXPECT_LT(missed * 20, swaps) << missed << " of " << swaps << " transpositions unseen";
}

// ---------------------------------------------------------------------------------------------
// Tax registration number

TEST(TaxRegistrationNumberTest, AcceptsRegionFollowedByValidOrganizationCode) {
  auto r = ParseTaxRegistrationNumber("110105600037341");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(*r, "110105600037341");
  EXPECT_TRUE(ParseTaxRegistrationNumber("44030071526726x").ok());
}

TEST(TaxRegistrationNumberTest, RejectsOrganizationCodeWithWrongCheck) {
  EXPECT_EQ(ParseTaxRegistrationNumber("110105600037342").status().message(),
            "'110105600037342' ends in organization code 600037342, whose check character 2 "
            "should be 1");
}

TEST(TaxRegistrationNumberTest, RejectsLetterInRegionAndWrongLength) {
  EXPECT_THAT(ParseTaxRegistrationNumber("11A105600037341").status().message(),
              HasSubstr("6-digit division code"));
  EXPECT_EQ(ParseTaxRegistrationNumber("600037341").status().message(),
            "'600037341' has 9 characters; a tax registration number has 15");
}

// ---------------------------------------------------------------------------------------------
// Commitment code (承诺编码)

TEST(CommitmentCodeTest, SplitsDivisionDateAndSerial) {
  const Date today = *Date::FromYmd(2026, 11, 22);
  auto r = ParseCommitmentCode("4101052026031 5000042", today);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->code, "41010520260315000042");
  EXPECT_EQ(r->division, "410105");
  EXPECT_EQ(r->date, *Date::FromYmd(2026, 3, 15));
  EXPECT_EQ(r->serial, 42u);
}

TEST(CommitmentCodeTest, RejectsWhatIsNotTwentyDigitsOfTheStandardParts) {
  const Date today = *Date::FromYmd(2026, 11, 22);
  EXPECT_EQ(ParseCommitmentCode("4101052026031500004", today).status().message(),
            "'4101052026031500004' has 19 characters; a commitment code has 20 digits "
            "(division, date, serial)");
  EXPECT_THAT(ParseCommitmentCode("4101052026031500004A", today).status().message(),
              HasSubstr("not all digits"));
  EXPECT_THAT(ParseCommitmentCode("99010520260315000042", today).status().message(),
              HasSubstr("province code 99 does not exist"));
  EXPECT_THAT(ParseCommitmentCode("41010520260230000042", today).status().message(),
              HasSubstr("'20260230' where the date"));
  EXPECT_THAT(ParseCommitmentCode("41010519991231000042", today).status().message(),
              HasSubstr("2000 or later"));
  EXPECT_THAT(ParseCommitmentCode("41010520261123000042", today).status().message(),
              HasSubstr("after today (2026-11-22)"));
  EXPECT_THAT(ParseCommitmentCode("41010520260315000000", today).status().message(),
              HasSubstr("serial 000000"));
}

}  // namespace
}  // namespace xinyong::ident
