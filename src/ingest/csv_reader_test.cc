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
