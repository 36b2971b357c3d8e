#include "ingest/csv_reader.h"

#include <gtest/gtest.h>

namespace xinyong::ingest {
namespace {

std::vector<std::vector<std::string>> ReadAll(std::string text, std::vector<std::string>* errors = nullptr) {
  auto src = TextSource::FromBuffer(std::move(text), "test.csv");
  EXPECT_TRUE(src.ok()) << src.status().ToString();
  CsvReader reader(std::move(src).value());
  std::vector<std::vector<std::string>> rows;
  CsvRow row;
  while (true) {
    auto more = reader.ReadRow(&row);
    EXPECT_TRUE(more.ok());
    if (!more.ok() || !*more) break;
    rows.emplace_back(row.cells.begin(), row.cells.end());
    if (errors) errors->push_back(row.error_code);
  }
  return rows;
}

TEST(CsvReaderTest, SplitsSimpleRowsWithLfAndCrlf) {
  auto rows = ReadAll("a,b,c\r\n1,2,3\n4,5,6");
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[1], (std::vector<std::string>{"1", "2", "3"}));
  EXPECT_EQ(rows[2], (std::vector<std::string>{"4", "5", "6"}));
}

TEST(CsvReaderTest, UnquotesDoubledQuotesAndKeepsEmbeddedNewlines) {
  auto rows = ReadAll("name,note\n\"郑州\"\"宇通\"\"\",\"第一行\n第二行\"\nx,y\n");
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[1][0], "郑州\"宇通\"");
  EXPECT_EQ(rows[1][1], "第一行\n第二行");
  EXPECT_EQ(rows[2][0], "x");
}

TEST(CsvReaderTest, KeepsEmptyCellsIncludingTrailingOne) {
  auto rows = ReadAll("a,b,c\n1,,\n");
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[1], (std::vector<std::string>{"1", "", ""}));
}

TEST(CsvReaderTest, SkipsBlankLines) {
  auto rows = ReadAll("a\n\n\n1\n\r\n2\n");
  ASSERT_EQ(rows.size(), 3u);
}

TEST(CsvReaderTest, ReadsTabSeparatedWhenHeaderHasTabsOnly) {
  auto rows = ReadAll("a\tb\n1,5\t2\n");
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[1], (std::vector<std::string>{"1,5", "2"}));
}

// A tab in a comma file is text: a quote after it opens no quoted cell, so the rows after it
// are rows (they had been read into one runaway cell); and a comma in a tab file likewise.
TEST(CsvReaderTest, OnlyTheFilesSeparatorStartsACell) {
  auto rows = ReadAll("a,b\n备注\t\"重要,2\n3,4\n5,6\n");
  ASSERT_EQ(rows.size(), 4u);
  EXPECT_EQ(rows[1], (std::vector<std::string>{"备注\t\"重要", "2"}));
  EXPECT_EQ(rows[3], (std::vector<std::string>{"5", "6"}));
  rows = ReadAll("a\tb\n1,\"x\t2\n3\t4\n");
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[1], (std::vector<std::string>{"1,\"x", "2"}));
}

TEST(CsvReaderTest, ReportsUnterminatedQuoteAtEndOfFile) {
  std::vector<std::string> errors;
  auto rows = ReadAll("a,b\n1,2\n3,\"never closed\n4,5\n", &errors);
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(errors[1], "");
  EXPECT_EQ(errors[2], "unterminated_quote");
}

TEST(CsvReaderTest, ReadsFieldsLargerThanOneChunk) {
  std::string big(3 * TextSource::kChunkBytes + 17, 'x');
  auto rows = ReadAll("a,b\n\"" + big + "\",tail\nlast,row\n");
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[1][0].size(), big.size());
  EXPECT_EQ(rows[1][1], "tail");
  EXPECT_EQ(rows[2][0], "last");
}

TEST(CsvReaderTest, HandlesQuoteExactlyAtChunkBoundary) {
  // Put a doubled quote so that its first half ends a chunk.
  std::string filler(TextSource::kChunkBytes - 6, 'y');
  std::string text = "a\n\"" + filler + "\"\"z\"\nnext\n";
  auto rows = ReadAll(text);
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[1][0], filler + "\"z");
  EXPECT_EQ(rows[2][0], "next");
}

// A row over the limit is skipped as it is read (quoted newlines and doubled quotes in it, some
// of them split across chunks), and the rows after it are read with their own line numbers.
TEST(CsvReaderTest, SkipsARowOverTheLimitAndReadsOn) {
  constexpr std::string_view kPiece = "ab\"\"c\n";  // 6 bytes, one quoted newline
  const size_t pieces = CsvReader::kMaxRowBytes / kPiece.size() + 1000;
  std::string text = "a,b\n1,2\n3,\"";
  text.reserve(text.size() + pieces * kPiece.size() + 32);
  for (size_t i = 0; i < pieces; ++i) text.append(kPiece);
  text += "\",x\n4,5\n";
  auto src = TextSource::FromBuffer(std::move(text), "big.csv");
  ASSERT_TRUE(src.ok());
  CsvReader reader(std::move(src).value());
  CsvRow row;
  ASSERT_TRUE(*reader.ReadRow(&row));
  ASSERT_TRUE(*reader.ReadRow(&row));
  EXPECT_EQ(row.cells, (std::vector<std::string_view>{"1", "2"}));
  ASSERT_TRUE(*reader.ReadRow(&row));
  EXPECT_EQ(row.number, 2u);
  EXPECT_EQ(row.line, 3u);
  EXPECT_EQ(row.error_code, "row_too_large");
  EXPECT_NE(row.error.find("line 3 "), std::string::npos) << row.error;
  EXPECT_NE(row.error.find("reading goes on"), std::string::npos) << row.error;
  EXPECT_TRUE(row.cells.empty());
  EXPECT_LT(row.storage.capacity(), size_t{1} << 20) << "the long row is not held";
  ASSERT_TRUE(*reader.ReadRow(&row));
  EXPECT_EQ(row.error_code, "");
  EXPECT_EQ(row.cells, (std::vector<std::string_view>{"4", "5"}));
  EXPECT_EQ(row.number, 3u);
  EXPECT_EQ(row.line, 3u + pieces + 1);
  EXPECT_FALSE(*reader.ReadRow(&row));
}

// A quote that is never closed makes the rest of the input one long row: it is reported, and
// the input ends there.
TEST(CsvReaderTest, AnUnterminatedQuoteOverTheLimitEndsTheInput) {
  std::string text = "a,b\n1,\"";
  text.append(CsvReader::kMaxRowBytes + 10, 'x');
  text += "\n2,3\n";
  auto src = TextSource::FromBuffer(std::move(text), "open.csv");
  ASSERT_TRUE(src.ok());
  CsvReader reader(std::move(src).value());
  CsvRow row;
  ASSERT_TRUE(*reader.ReadRow(&row));
  ASSERT_TRUE(*reader.ReadRow(&row));
  EXPECT_EQ(row.error_code, "row_too_large");
  EXPECT_NE(row.error.find("ends inside a quoted field"), std::string::npos) << row.error;
  EXPECT_FALSE(*reader.ReadRow(&row));
}

TEST(CsvReaderTest, CountsRowsAndLines) {
  auto src = TextSource::FromBuffer("h\n\"a\nb\"\nc\n", "t.csv");
  ASSERT_TRUE(src.ok());
  CsvReader reader(std::move(src).value());
  CsvRow row;
  ASSERT_TRUE(*reader.ReadRow(&row));
  EXPECT_EQ(row.number, 0u);
  ASSERT_TRUE(*reader.ReadRow(&row));
  EXPECT_EQ(row.number, 1u);
  EXPECT_EQ(row.line, 2u);
  ASSERT_TRUE(*reader.ReadRow(&row));
  EXPECT_EQ(row.number, 2u);
  EXPECT_EQ(row.line, 4u);
}

}  // namespace
}  // namespace xinyong::ingest
