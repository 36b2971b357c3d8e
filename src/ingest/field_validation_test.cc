#include "ingest/field_validation.h"

#include <gtest/gtest.h>

#include "ingest/encoding.h"

namespace xinyong::ingest {
namespace {

catalog::Field MakeField(catalog::FieldType type, std::vector<std::string> values = {}) {
  catalog::Field f;
  f.code = "F";
  f.label = "字段";
  f.type = type;
  f.enum_values = std::move(values);
  return f;
}

std::string Normalize(catalog::FieldType type, std::string_view cell, std::string* code = nullptr) {
  std::string out;
  FieldProblem p;
  bool ok = NormalizeField(MakeField(type, {"普通", "特许"}), cell, Date(), &out, &p);
  if (code) *code = p.code;
  return ok ? out : "!" + p.code;
}

TEST(TrimCellTest, RemovesAsciiFullWidthAndInvisibleBlanks) {
  EXPECT_EQ(TrimCell("  abc\t"), "abc");
  EXPECT_EQ(TrimCell("\xE3\x80\x80郑州\xE3\x80\x80"), "郑州");
  EXPECT_EQ(TrimCell("\xEF\xBB\xBF" "CF_XDR_MC"), "CF_XDR_MC");
  EXPECT_EQ(TrimCell("\xC2\xA0x\xE2\x80\x8B"), "x");
  EXPECT_EQ(TrimCell("   "), "");
  EXPECT_EQ(TrimCell("中 间"), "中 间");
}

TEST(NormalizeFieldTest, IndustryCodesAreRealGbt4754SectionsOrDivisions) {
  using catalog::FieldType;
  EXPECT_EQ(Normalize(FieldType::kIndustryCode, "c13"), "C13");
  EXPECT_EQ(Normalize(FieldType::kIndustryCode, "F"), "F");
  EXPECT_EQ(Normalize(FieldType::kIndustryCode, "5211"), "F52");
  EXPECT_EQ(Normalize(FieldType::kIndustryCode, "建筑业"), "E");
  EXPECT_EQ(Normalize(FieldType::kIndustryCode, "C05"), "!invalid_industry");
  EXPECT_EQ(Normalize(FieldType::kIndustryCode, "X"), "!invalid_industry");
  EXPECT_EQ(Normalize(FieldType::kIndustryCode, "99"), "!invalid_industry");
  // The message names the field and the value.
  std::string out;
  FieldProblem p;
  EXPECT_FALSE(NormalizeField(MakeField(FieldType::kIndustryCode), "C05", Date(), &out, &p));
  EXPECT_NE(p.message.find("F (字段)"), std::string::npos) << p.message;
  EXPECT_NE(p.message.find("'C05'"), std::string::npos) << p.message;
}

TEST(NormalizeFieldTest, NormalizesDatesMoneyAndCodes) {
  EXPECT_EQ(Normalize(catalog::FieldType::kDate, "2025/3/7"), "2025-03-07");
  EXPECT_EQ(Normalize(catalog::FieldType::kDate, "20250307"), "2025-03-07");
  EXPECT_EQ(Normalize(catalog::FieldType::kDate, "2025-02-30"), "!invalid_date");
  EXPECT_EQ(Normalize(catalog::FieldType::kMoney, "1,234.500"), "1234.5");
  EXPECT_EQ(Normalize(catalog::FieldType::kMoney, "００１２"), "12");
  EXPECT_EQ(Normalize(catalog::FieldType::kMoney, "-5"), "!invalid_money");
  EXPECT_EQ(Normalize(catalog::FieldType::kMoney, "1.2.3"), "!invalid_money");
  // Commas only as thousands separators; no dash of any kind, no space inside the number.
  EXPECT_EQ(Normalize(catalog::FieldType::kMoney, "12,345,678"), "12345678");
  EXPECT_EQ(Normalize(catalog::FieldType::kMoney, " 1,234 "), "1234");
  EXPECT_EQ(Normalize(catalog::FieldType::kMoney, "１，２３４"), "1234");
  for (const char* bad : {"1,5", ",5", "1,,000", "1234,567", "1,234.5,6", "—5", "−5", "–5",
                          "12 34", "12\u300034"}) {
    EXPECT_EQ(Normalize(catalog::FieldType::kMoney, bad), "!invalid_money") << bad;
  }
  EXPECT_EQ(Normalize(catalog::FieldType::kInteger, "2024"), "2024");
  EXPECT_EQ(Normalize(catalog::FieldType::kInteger, "20.5"), "!invalid_integer");
  EXPECT_EQ(Normalize(catalog::FieldType::kUscc, "9111 0000 6000 3734 1l"), "91110000600037341L");
  EXPECT_EQ(Normalize(catalog::FieldType::kEnum, "特许"), "特许");
  EXPECT_EQ(Normalize(catalog::FieldType::kEnum, "其他"), "!invalid_value");
}

TEST(NormalizeFieldTest, RejectsUndecodableBytesAndOverlongText) {
  EXPECT_EQ(Normalize(catalog::FieldType::kString, "abc\xFF"), "!invalid_encoding");
  EXPECT_EQ(Normalize(catalog::FieldType::kString, "替换\xEF\xBF\xBD"), "!invalid_encoding");
  EXPECT_EQ(Normalize(catalog::FieldType::kString, std::string(501, 'x')), "!too_long");
  EXPECT_EQ(Normalize(catalog::FieldType::kString, "一行\n两行"), "一行 两行");
}

// Found by fuzz/csv_reader_fuzzer.cc: the excerpt of a rejected amount or enum value was cut by
// bytes, in the middle of a character, leaving invalid UTF-8 in the batch report's message.
TEST(NormalizeFieldTest, MessagesCutLongValuesAtACharacterBoundary) {
  using catalog::FieldType;
  FieldProblem p;
  std::string out;
  // 14 full-width digits (42 bytes) and a letter: the excerpt ends after 13 whole digits.
  const std::string money = "１２３４５６７８９０１２３４x";
  ASSERT_FALSE(NormalizeField(MakeField(FieldType::kMoney), money, Date(), &out, &p));
  EXPECT_EQ(p.code, "invalid_money");
  EXPECT_TRUE(IsValidUtf8(p.message)) << p.message;
  EXPECT_NE(p.message.find("'１２３４５６７８９０１２３…'"), std::string::npos) << p.message;

  // 20 Chinese characters (60 bytes) after 1 ASCII byte: the cut at 60 bytes falls inside one.
  const std::string enum_cell = "y" + std::string("郑州市市场监督管理局郑州市市场监督管理局");
  ASSERT_FALSE(
      NormalizeField(MakeField(FieldType::kEnum, {"普通"}), enum_cell, Date(), &out, &p));
  EXPECT_EQ(p.code, "invalid_value");
  EXPECT_TRUE(IsValidUtf8(p.message)) << p.message;
}

TEST(ContentHashTest, IsStableAcrossReleases) {
  // Content hashes are persisted: changing the function turns every stored record into a
  // "correction" of itself on the next ingest. These values must never change.
  EXPECT_EQ(Fnv1a64(""), 0xfdbdf6ac4fc52e7fULL);
  EXPECT_EQ(Fnv1a64("a"), 0x9fdcefed1aebdde4ULL);
  EXPECT_EQ(Fnv1a64("abcdefgh12345"), 0x1c62cebe40360915ULL);
  EXPECT_EQ(Fnv1a64("郑州市市场监督管理局"), 0x43df1a16adb593ccULL);
  EXPECT_NE(Fnv1a64("郑州市市场监督管理局"), Fnv1a64("郑州市市场监督管理局 "));
}

}  // namespace
}  // namespace xinyong::ingest
