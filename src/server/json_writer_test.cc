#include "server/json_writer.h"

#include <string>

#include <boost/json.hpp>
#include <gtest/gtest.h>

namespace xinyong::server {
namespace {

namespace json = boost::json;

TEST(JsonWriterTest, EscapesExactlyLikeBoostJson) {
  std::string all;
  for (int c = 1; c < 128; ++c) all += static_cast<char>(c);
  for (std::string s : {std::string(), std::string("plain"), std::string("郑州宏达（集团）"),
                        std::string("a\"b\\c/d\n\t\r\b\f"), std::string(1, '\0'), all}) {
    std::string out;
    JsonWriter::AppendEscaped(s, &out);
    EXPECT_EQ(out, json::serialize(json::string(s))) << s;
    EXPECT_EQ(json::parse(out).as_string(), s);
  }
}

TEST(JsonWriterTest, FindsEscapesAtEveryPositionOfLongStrings) {
  const std::string base = "郑州宏达（集团）商贸有限公司 abc/def 0123456789";
  for (char special : {'"', '\\', '\n', '\x01', '\x1f', '\x7f', ' '}) {
    for (size_t pos = 0; pos <= base.size(); ++pos) {
      std::string s = base;
      s.insert(pos, 1, special);
      std::string out;
      JsonWriter::AppendEscaped(s, &out);
      ASSERT_EQ(out, json::serialize(json::string(s))) << int(special) << " at " << pos;
    }
  }
}

TEST(JsonWriterTest, PlacesCommasAndColonsInNestedValues) {
  std::string out;
  JsonWriter w(&out);
  w.BeginObject();
  w.Member("a", int64_t{-1});
  w.Key("b");
  w.BeginArray();
  w.Uint(18446744073709551615u);
  w.BeginObject();
  w.EndObject();
  w.BeginArray();
  w.EndArray();
  w.Null();
  w.Bool(false);
  w.EndArray();
  w.Member("c", "x");
  w.Key("d");
  w.BeginObject();
  w.Member("e", true);
  w.EndObject();
  w.EndObject();
  EXPECT_EQ(out, R"({"a":-1,"b":[18446744073709551615,{},[],null,false],"c":"x","d":{"e":true}})");
  EXPECT_NO_THROW(json::parse(out));
}

}  // namespace
}  // namespace xinyong::server
