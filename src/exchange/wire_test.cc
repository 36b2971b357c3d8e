// The exchange wire format: lines written by AppendLine are JSON that a general parser
// (boost::json's document parser, the oracle here) reads back to the same values, ParseLines
// reads back what AppendLine wrote and what any JSON writer would write, and every malformed
// line is refused naming its line and what is wrong.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include <boost/json.hpp>

#include "exchange/wire.h"

namespace xinyong::exchange {
namespace {

namespace json = boost::json;

// Values no encoder may get wrong: quotes, backslashes, every control character, multi-byte
// UTF-8 (CJK, full-width brackets, a character outside the BMP), JSON-looking text.
std::vector<std::string> Tricky() {
  std::vector<std::string> v = {"",
                                "plain",
                                "郑州市某某食品有限公司（二七分店）",
                                "say \"hi\"",
                                "back\\slash\\",
                                "line\nbreak\r\n\ttab",
                                "\"},{\"seq\":1}",
                                "emoji 😀 and 𠀋",
                                "\x7f del"};
  std::string controls;
  for (int c = 1; c < 0x20; ++c) controls.push_back(static_cast<char>(c));
  v.push_back(controls);
  return v;
}

ChangeLine Sample(uint64_t seq, const std::string& value) {
  ChangeLine l;
  l.seq = seq;
  l.record_id = 1000 + seq;
  l.version = 3;
  l.indicator = "admin_penalty";
  l.status = RecordStatus::kRevoked;
  l.received = *Date::Parse("2026-03-09");
  l.fields = {{"CF_WSH", value}, {"CF_XDR_MC", "某某公司"}, {"XK_FR_ZJHM", "410102199001011234"}};
  return l;
}

TEST(WireTest, LinesAreJsonThatAGeneralParserReadsToTheSameValues) {
  uint64_t seq = 0;
  for (const std::string& value : Tricky()) {
    const ChangeLine l = Sample(++seq, value);
    std::string text;
    AppendLine(l, &text);
    ASSERT_EQ(text.back(), '\n');
    ASSERT_EQ(text.find('\n'), text.size() - 1) << "one line per change";
    // Byte for byte what boost::json's serializer writes for the same object (the format's
    // writer before it was written by hand).
    json::object same{{"seq", l.seq}, {"record", l.record_id}, {"version", l.version},
                      {"indicator", l.indicator}, {"status", "revoked"}, {"received", "2026-03-09"}};
    json::object f0;
    for (const auto& [code, v] : l.fields) f0[code] = v;
    same["fields"] = std::move(f0);
    EXPECT_EQ(text, json::serialize(same) + "\n");
    boost::system::error_code ec;
    const json::value v = json::parse(text, ec);
    ASSERT_FALSE(ec) << ec.message() << ": " << text;
    const json::object& o = v.as_object();
    EXPECT_EQ(o.at("seq").as_int64(), static_cast<int64_t>(l.seq));
    EXPECT_EQ(o.at("record").as_int64(), static_cast<int64_t>(l.record_id));
    EXPECT_EQ(o.at("version").as_int64(), 3);
    EXPECT_EQ(o.at("indicator").as_string(), "admin_penalty");
    EXPECT_EQ(o.at("status").as_string(), "revoked");
    EXPECT_EQ(o.at("received").as_string(), "2026-03-09");
    const json::object& f = o.at("fields").as_object();
    ASSERT_EQ(f.size(), 3u);
    EXPECT_EQ(std::string(f.at("CF_WSH").as_string()), value);
    EXPECT_EQ(std::string(f.at("CF_XDR_MC").as_string()), "某某公司");
  }
  ChangeLine erased;
  erased.seq = 7;
  erased.record_id = 9;
  erased.erased = true;
  std::string text;
  AppendLine(erased, &text);
  EXPECT_EQ(json::parse(text).as_object().at("erased").as_bool(), true);
}

TEST(WireTest, ParsesBackWhatItWrites) {
  std::string body;
  std::vector<ChangeLine> sent;
  uint64_t seq = 10;
  for (const std::string& value : Tricky()) {
    sent.push_back(Sample(seq += 3, value));
    AppendLine(sent.back(), &body);
  }
  ChangeLine erased;
  erased.seq = seq + 1;
  erased.record_id = 5;
  erased.erased = true;
  sent.push_back(erased);
  AppendLine(erased, &body);
  // Read from a padded copy (no spare capacity) and where it lies (the HTTP server's bodies).
  body.shrink_to_fit();
  std::string padded;
  padded.reserve(body.size() + kLinePadding);
  padded = body;
  ASSERT_GE(padded.capacity() - padded.size(), kLinePadding);
  for (const std::string* text : {&body, &padded}) {
    std::vector<ChangeLine> got;
    ASSERT_TRUE(ParseLines(*text, &got).ok());
    ASSERT_EQ(got.size(), sent.size());
    for (size_t i = 0; i < got.size(); ++i) {
      EXPECT_EQ(got[i].seq, sent[i].seq);
      EXPECT_EQ(got[i].record_id, sent[i].record_id);
      EXPECT_EQ(got[i].version, sent[i].version);
      EXPECT_EQ(got[i].erased, sent[i].erased);
      EXPECT_EQ(got[i].indicator, sent[i].indicator);
      EXPECT_EQ(got[i].status, sent[i].status);
      EXPECT_EQ(got[i].received, sent[i].received);
      EXPECT_EQ(got[i].fields, sent[i].fields) << "line " << i + 1;
    }
  }
}

TEST(WireTest, ReadsWhatAnyJsonWriterWrites) {
  // Keys in another order, whitespace, escapes a writer may choose (\u, surrogate pairs, \/),
  // CRLF line ends, blank lines, and keys this format does not have, with any value.
  const std::string body =
      "\r\n"
      "{ \"fields\" : {\"A\":\"\\u90d1\\u5dde\", \"B\":\"x\\/y\\ud83d\\ude00\"}, \"status\":\"active\","
      " \"extra\": {\"nested\": [1, {\"seq\": 99}, null]}, \"indicator\":\"admin_licence\","
      " \"seq\": 4, \"received\": \"2026-01-05\", \"more\": [true, 1.5] }\r\n"
      "\n"
      "{\"seq\":5,\"erased\":true,\"record\":12,\"fields\":3}\n";
  std::vector<ChangeLine> got;
  Status s = ParseLines(body, &got);
  ASSERT_TRUE(s.ok()) << s.ToString();
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].seq, 4u);
  EXPECT_EQ(got[0].indicator, "admin_licence");
  EXPECT_EQ(got[0].status, RecordStatus::kActive);
  EXPECT_EQ(got[0].received.ToString(), "2026-01-05");
  using Fields = std::vector<std::pair<std::string, std::string>>;
  EXPECT_EQ(got[0].fields, (Fields{{"A", "郑州"}, {"B", "x/y😀"}}));
  EXPECT_TRUE(got[1].erased);
  EXPECT_EQ(got[1].record_id, 12u);
  EXPECT_TRUE(got[1].fields.empty());
}

TEST(WireTest, AKeyGivenTwiceCountsWithItsLastValueAsInADocumentReadWhole) {
  using Fields = std::vector<std::pair<std::string, std::string>>;
  struct Case {
    std::string line;
    std::string says;  // "" = accepted
    Fields fields;
  } cases[] = {
      {R"({"seq":"x","seq":3,"indicator":"a","status":"active","fields":{}})", "", {}},
      {R"({"seq":3,"indicator":"a","indicator":1,"status":"active","fields":{}})",
       "indicator must be", {}},
      {R"({"seq":3,"erased":true,"erased":null,"indicator":"a","status":"active","fields":{}})", "",
       {}},
      {R"({"seq":3,"indicator":"a","status":"active","fields":{"A":5},"fields":{"B":"x"}})", "",
       {{"B", "x"}}},
      {R"({"seq":3,"indicator":"a","status":"active","fields":{"A":5,"A":"x","C":"y"}})", "",
       {{"A", "x"}, {"C", "y"}}},
      {R"({"seq":3,"indicator":"a","status":"active","fields":{"A":"x","A":[5]}})",
       "fields.A must be", {}},
      {R"({"seq":3,"indicator":"a","status":"active","fields":{},"fields":7})",
       "fields must be an object", {}},
  };
  for (const Case& c : cases) {
    // The oracle: a document parser, whose objects keep a repeated key's last value.
    const json::value doc = json::parse(c.line);
    const json::object& o = doc.as_object();
    EXPECT_EQ(o.at("seq").is_int64(), true) << c.line;
    std::vector<ChangeLine> got;
    Status s = ParseLines(c.line + "\n", &got);
    if (c.says.empty()) {
      ASSERT_TRUE(s.ok()) << c.line << " → " << s.ToString();
      EXPECT_EQ(got[0].seq, 3u);
      EXPECT_FALSE(got[0].erased) << c.line;
      EXPECT_EQ(got[0].fields.size(), o.at("fields").as_object().size()) << c.line;
      EXPECT_EQ(got[0].fields, c.fields) << c.line;
    } else {
      ASSERT_FALSE(s.ok()) << c.line;
      EXPECT_NE(s.message().find(c.says), std::string::npos) << c.line << " → " << s.ToString();
    }
  }
}

// The nesting limit is boost::json's default reader's (32 containers), checked at its edge.
TEST(WireTest, RefusesNestingWhereAGeneralParserDoes) {
  for (size_t n = 29; n <= 33; ++n) {
    const std::string line = R"({"seq":1,"ext":)" + std::string(n, '[') + std::string(n, ']') +
                             R"(,"indicator":"a","status":"active","fields":{}})";
    boost::system::error_code ec;
    json::parse(line, ec);
    std::vector<ChangeLine> got;
    EXPECT_EQ(ParseLines(line + "\n", &got).ok(), !ec) << n << " arrays in the line's object";
  }
}

TEST(WireTest, RefusesMalformedLinesNamingTheLineAndTheProblem) {
  const std::string ok = R"({"seq":1,"indicator":"a","status":"active","fields":{}})";
  struct Case {
    std::string line2;
    std::string says;
  } cases[] = {
      {"{\"seq\":2", "not valid JSON"},
      {"{\"seq\":2} trailing", "not valid JSON"},
      {"{\"seq\":2,\"indicator\":\"a\xff\"}", "not valid JSON"},
      // Numbers past 64-bit integers or doubles, even under a key the format does not have
      // (RFC 8259 lets a reader limit their range), and nesting deeper than 32.
      {R"({"seq":2,"ext":123456789012345678901,"indicator":"a","status":"active","fields":{}})",
       "not valid JSON"},
      {R"({"seq":18446744073709551616,"indicator":"a","status":"active","fields":{}})",
       "not valid JSON"},
      {R"({"seq":2,"ext":1e400,"indicator":"a","status":"active","fields":{}})", "not valid JSON"},
      {R"({"seq":2,"ext":)" + std::string(40, '[') + std::string(40, ']') +
           R"(,"indicator":"a","status":"active","fields":{}})",
       "not valid JSON"},
      {"[1,2]", "not a JSON object"},
      {"\"text\"", "not a JSON object"},
      {R"({"indicator":"a","status":"active","fields":{}})", "seq must be a positive integer"},
      {R"({"seq":0,"indicator":"a","status":"active","fields":{}})", "seq must be a positive integer"},
      {R"({"seq":-2,"indicator":"a","status":"active","fields":{}})", "seq must be a positive integer"},
      {R"({"seq":"2","indicator":"a","status":"active","fields":{}})", "seq must be a positive integer"},
      {R"({"seq":2.5,"indicator":"a","status":"active","fields":{}})", "seq must be a positive integer"},
      {R"({"seq":1,"indicator":"a","status":"active","fields":{}})", "does not follow 1"},
      {R"({"seq":2,"status":"active","fields":{}})", "indicator must be a non-empty string"},
      {R"({"seq":2,"indicator":"","status":"active","fields":{}})", "indicator must be a non-empty string"},
      {R"({"seq":2,"indicator":7,"status":"active","fields":{}})", "indicator must be a non-empty string"},
      {R"({"seq":2,"indicator":"a","status":"gone","fields":{}})", "status must be active"},
      {R"({"seq":2,"indicator":"a","fields":{}})", "status must be active"},
      {R"({"seq":2,"indicator":"a","status":"active","received":"2026-13-01","fields":{}})",
       "received must be a date"},
      {R"({"seq":2,"indicator":"a","status":"active","received":20260101,"fields":{}})",
       "received must be a date"},
      {R"({"seq":2,"indicator":"a","status":"active"})", "fields must be an object"},
      {R"({"seq":2,"indicator":"a","status":"active","fields":["x"]})", "fields must be an object"},
      {R"({"seq":2,"indicator":"a","status":"active","fields":{"A":"x","B":1}})",
       "fields.B must be a string"},
      {R"({"seq":2,"indicator":"a","status":"active","fields":{"A":{"B":"x"}}})",
       "fields.A must be a string"},
      {R"({"seq":2,"indicator":"a","status":"active","fields":{"A":null}})",
       "fields.A must be a string"},
  };
  for (const Case& c : cases) {
    std::vector<ChangeLine> got;
    Status s = ParseLines(ok + "\n" + c.line2 + "\n", &got);
    ASSERT_FALSE(s.ok()) << c.line2;
    EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
    EXPECT_NE(s.message().find("line 2: "), std::string::npos) << s.ToString();
    EXPECT_NE(s.message().find(c.says), std::string::npos) << c.line2 << " → " << s.ToString();
  }
}

}  // namespace
}  // namespace xinyong::exchange
