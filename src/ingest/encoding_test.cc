#include "ingest/encoding.h"

#include <gtest/gtest.h>

#include "ingest/text_source.h"

namespace xinyong::ingest {
namespace {

std::string ReadAllText(std::string data) {
  auto src = TextSource::FromBuffer(std::move(data), "t.csv");
  EXPECT_TRUE(src.ok()) << src.status().ToString();
  std::string out;
  while (true) {
    auto more = (*src)->Next(&out);
    EXPECT_TRUE(more.ok());
    if (!more.ok() || !*more) break;
  }
  return out;
}

TEST(EncodingTest, ValidatesUtf8) {
  EXPECT_TRUE(IsValidUtf8("郑州市 abc"));
  EXPECT_FALSE(IsValidUtf8("\xC0\xAF"));          // overlong
  EXPECT_FALSE(IsValidUtf8("\xED\xA0\x80"));      // surrogate
  EXPECT_FALSE(IsValidUtf8("\xF4\x90\x80\x80"));  // above U+10FFFF
  EXPECT_FALSE(IsValidUtf8("\xE9\x83"));          // truncated
}

TEST(EncodingTest, DetectsUtf8AndGbk) {
  auto gbk = Utf8ToGb18030("行政相对人名称,统一社会信用代码\n郑州市某某有限公司,x\n");
  ASSERT_TRUE(gbk.ok());
  EXPECT_EQ(*DetectEncoding("行政相对人名称", "f"), Encoding::kUtf8);
  EXPECT_EQ(*DetectEncoding(*gbk, "f"), Encoding::kGb18030);
  // A sample cut inside a UTF-8 character is UTF-8; GBK whose only non-ASCII bytes end the
  // sample (男, C4 D0) is not: D0 continues no UTF-8 character.
  const std::string utf8 = "a,b\n1,男";
  EXPECT_EQ(*DetectEncoding(utf8.substr(0, utf8.size() - 1), "f"), Encoding::kUtf8);
  EXPECT_EQ(*DetectEncoding("a,b\n1,\xC4\xD0", "f"), Encoding::kGb18030);
}

TEST(EncodingTest, RejectsBinaryAndUtf16WithTheFileNamed) {
  auto bin = DetectEncoding(std::string("PK\x03\x04\0\0", 6), "upload.xlsx");
  ASSERT_FALSE(bin.ok());
  EXPECT_NE(bin.status().message().find("upload.xlsx"), std::string::npos);
  EXPECT_FALSE(DetectEncoding("\xFF\xFEh\0i\0", "u16.csv").ok());
}

TEST(EncodingTest, RejectsBytesThatAreNeitherUtf8NorGbk) {
  auto r = DetectEncoding("abc\x80\xFF\xFF\xFF\x80 def", "junk.csv");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("neither UTF-8 nor GBK"), std::string::npos);
}

TEST(EncodingTest, DecodesGbkAcrossChunkBoundaries) {
  std::string utf8;
  for (int i = 0; i < 200000; ++i) utf8 += "郑州市";  // 1.8 MB of UTF-8, 1.2 MB of GBK
  auto gbk = Utf8ToGb18030(utf8);
  ASSERT_TRUE(gbk.ok());
  // Shift by one ASCII byte so a two-byte character straddles the 1 MiB chunk boundary.
  EXPECT_EQ(ReadAllText("x" + *gbk), "x" + utf8);
}

// Found by fuzz/encoding_fuzzer.cc: flushing with an empty std::string_view{} (a null pointer)
// failed with ICU's U_ILLEGAL_ARGUMENT_ERROR.
TEST(EncodingTest, DecoderFlushesWithAnEmptyDefaultChunk) {
  auto gbk = Utf8ToGb18030("郑州");
  ASSERT_TRUE(gbk.ok());
  auto decoder = Gb18030Decoder::Create();
  ASSERT_TRUE(decoder.ok());
  std::string out;
  ASSERT_TRUE((*decoder)->Decode(std::string_view(*gbk).substr(0, 3), false, &out).ok());
  Status flushed = (*decoder)->Decode(std::string_view(), true, &out);
  EXPECT_TRUE(flushed.ok()) << flushed.ToString();
  EXPECT_EQ(out, "郑\xEF\xBF\xBD");  // the cut second character, flushed as U+FFFD
}

TEST(EncodingTest, StripsUtf8ByteOrderMark) {
  EXPECT_EQ(ReadAllText("\xEF\xBB\xBF" "a,b\n"), "a,b\n");
}

}  // namespace
}  // namespace xinyong::ingest
