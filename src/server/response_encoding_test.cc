#include "server/response_encoding.h"

#include <random>
#include <string>

#include <gtest/gtest.h>

namespace xinyong::server {
namespace {

std::string JsonBody(size_t bytes) {
  std::string body = "{\"records\":[";
  for (int i = 0; body.size() < bytes; ++i) {
    body += "{\"id\":" + std::to_string(i) + ",\"name\":\"郑州宏达（集团）商贸有限公司\"},";
  }
  body += "{}]}";
  return body;
}

Response Ok(std::string body) {
  Response r;
  r.body = std::move(body);
  return r;
}

TEST(EtagTest, IsAQuotedHashOfTheBody) {
  std::string a = BodyEtag("hello");
  EXPECT_EQ(a.size(), 18u);
  EXPECT_EQ(a.front(), '"');
  EXPECT_EQ(a.back(), '"');
  EXPECT_EQ(a, BodyEtag("hello"));
  EXPECT_NE(a, BodyEtag("hellp"));
  EXPECT_EQ(BodyEtag("hello", /*gzip=*/true), a.substr(0, 17) + "-gzip\"");
}

TEST(IfNoneMatchTest, ComparesWeaklyAndReadsLists) {
  const std::string tag = "\"0123456789abcdef\"";
  EXPECT_TRUE(IfNoneMatchMatches(tag, tag));
  EXPECT_TRUE(IfNoneMatchMatches("W/" + tag, tag));
  EXPECT_TRUE(IfNoneMatchMatches("*", tag));
  EXPECT_TRUE(IfNoneMatchMatches(" * ", tag));
  EXPECT_TRUE(IfNoneMatchMatches("\"x\", " + tag, tag));
  EXPECT_TRUE(IfNoneMatchMatches("\"x\",W/" + tag + " ,\"y\"", tag));
  EXPECT_TRUE(IfNoneMatchMatches(",, " + tag + ",", tag));
  EXPECT_FALSE(IfNoneMatchMatches("\"0123456789abcdee\"", tag));
  EXPECT_FALSE(IfNoneMatchMatches("0123456789abcdef", tag));    // unquoted
  EXPECT_FALSE(IfNoneMatchMatches("\"x\" junk, " + tag, tag));  // malformed before it
  EXPECT_FALSE(IfNoneMatchMatches("\"0123456789abcdef", tag));
  EXPECT_FALSE(IfNoneMatchMatches("", tag));
  EXPECT_FALSE(IfNoneMatchMatches("w/" + tag, tag));  // the weak prefix is case-sensitive
  EXPECT_FALSE(IfNoneMatchMatches("**", tag));
}

TEST(AcceptEncodingTest, GzipUnlessRefused) {
  EXPECT_TRUE(AcceptsGzip("gzip"));
  EXPECT_TRUE(AcceptsGzip("gzip, deflate, br"));
  EXPECT_TRUE(AcceptsGzip("br;q=1.0, GZIP;q=0.5"));
  EXPECT_TRUE(AcceptsGzip("x-gzip"));
  EXPECT_TRUE(AcceptsGzip("*"));
  EXPECT_TRUE(AcceptsGzip("identity, *;q=0.1"));
  EXPECT_TRUE(AcceptsGzip("gzip ; q=0.001"));
  EXPECT_FALSE(AcceptsGzip(""));
  EXPECT_FALSE(AcceptsGzip("identity"));
  EXPECT_FALSE(AcceptsGzip("deflate, br"));
  EXPECT_FALSE(AcceptsGzip("gzip;q=0"));
  EXPECT_FALSE(AcceptsGzip("gzip;q=0.000"));
  EXPECT_FALSE(AcceptsGzip("gzip; q=0.0, *"));  // refused by name beats the wildcard
  EXPECT_FALSE(AcceptsGzip("*;q=0"));
  EXPECT_FALSE(AcceptsGzip("gzipx"));
}

TEST(CompressibleTypeTest, TextAndJsonButNotImages) {
  EXPECT_TRUE(IsCompressibleType("application/json; charset=utf-8"));
  EXPECT_TRUE(IsCompressibleType("text/html; charset=utf-8"));
  EXPECT_TRUE(IsCompressibleType("text/javascript; charset=utf-8"));
  EXPECT_TRUE(IsCompressibleType("image/svg+xml"));
  EXPECT_TRUE(IsCompressibleType("application/problem+json"));
  EXPECT_FALSE(IsCompressibleType("image/png"));
  EXPECT_FALSE(IsCompressibleType("font/woff2"));
  EXPECT_FALSE(IsCompressibleType("application/octet-stream"));
  EXPECT_FALSE(IsCompressibleType(""));
}

TEST(GzipTest, RoundTripsAndRejectsCorruptInput) {
  std::mt19937 rng(3);
  for (size_t n : {0u, 1u, 100u, 5000u, 300000u}) {
    std::string in;
    for (size_t i = 0; i < n; ++i) in += static_cast<char>('a' + rng() % 4);
    std::string z, back;
    ASSERT_TRUE(GzipCompress(in, &z)) << n;
    EXPECT_EQ(static_cast<unsigned char>(z[0]), 0x1f);  // gzip magic
    EXPECT_EQ(static_cast<unsigned char>(z[1]), 0x8b);
    ASSERT_TRUE(GzipDecompress(z, &back)) << n;
    EXPECT_EQ(back, in);
    if (n >= 5000) {
      EXPECT_LT(z.size(), n / 2);
      EXPECT_FALSE(GzipDecompress(z.substr(0, z.size() / 2), &back));  // truncated
      EXPECT_FALSE(GzipDecompress(z, &back, n - 1));                   // over the limit
      std::string bad = z;
      bad[bad.size() / 2] ^= 0x55;
      bad[bad.size() / 2 + 1] ^= 0x55;
      EXPECT_FALSE(GzipDecompress(bad, &back) && back == in);
    }
  }
  std::string out;
  EXPECT_FALSE(GzipDecompress("not gzip at all", &out));
  EXPECT_TRUE(out.empty());
}

TEST(FinishResponseTest, GetGetsEtagAndNoCacheAndRevalidates) {
  const std::string body = JsonBody(500);
  Response r = Ok(body);
  FinishResponse({.get_or_head = true}, &r);
  EXPECT_EQ(r.status, 200u);
  EXPECT_EQ(r.body, body);
  EXPECT_EQ(r.Header("ETag"), BodyEtag(body));
  EXPECT_EQ(r.Header("Cache-Control"), "no-cache");
  EXPECT_EQ(r.Header("Vary"), "");  // too small to be compressed: does not vary
  EXPECT_EQ(r.Header("Content-Encoding"), "");

  const std::string etag(r.Header("ETag"));
  Response again = Ok(body);
  FinishResponse({.get_or_head = true, .if_none_match = etag}, &again);
  EXPECT_EQ(again.status, 304u);
  EXPECT_TRUE(again.body.empty());
  EXPECT_TRUE(again.content_type.empty());
  EXPECT_EQ(again.Header("ETag"), etag);
  EXPECT_EQ(again.Header("Cache-Control"), "no-cache");

  Response other = Ok(body);
  FinishResponse({.get_or_head = true, .if_none_match = "\"0000000000000000\""}, &other);
  EXPECT_EQ(other.status, 200u);
  EXPECT_EQ(other.body, body);

  Response changed = Ok(body + " ");
  FinishResponse({.get_or_head = true, .if_none_match = etag}, &changed);
  EXPECT_EQ(changed.status, 200u);
}

TEST(FinishResponseTest, OnlySuccessfulGetsGetValidators) {
  Response post = Ok("{}");
  FinishResponse({.get_or_head = false, .if_none_match = "*"}, &post);
  EXPECT_EQ(post.status, 200u);
  EXPECT_EQ(post.Header("ETag"), "");
  Response missing = Ok("{\"error\":{}}");
  missing.status = 404;
  FinishResponse({.get_or_head = true, .if_none_match = "*"}, &missing);
  EXPECT_EQ(missing.status, 404u);
  EXPECT_EQ(missing.Header("ETag"), "");
}

TEST(FinishResponseTest, GzipWhenAcceptedAndLargeEnough) {
  const std::string body = JsonBody(5000);
  Response r = Ok(body);
  FinishResponse({.get_or_head = true, .accepts_gzip = true}, &r);
  EXPECT_EQ(r.status, 200u);
  EXPECT_EQ(r.Header("Content-Encoding"), "gzip");
  EXPECT_EQ(r.Header("Vary"), "Accept-Encoding");
  EXPECT_EQ(r.Header("ETag"), BodyEtag(body, /*gzip=*/true));
  EXPECT_LT(r.body.size(), body.size());
  std::string plain;
  ASSERT_TRUE(GzipDecompress(r.body, &plain));
  EXPECT_EQ(plain, body);

  // The same body to a client without gzip: the identity representation, which also varies.
  Response id = Ok(body);
  FinishResponse({.get_or_head = true, .accepts_gzip = false}, &id);
  EXPECT_EQ(id.body, body);
  EXPECT_EQ(id.Header("Content-Encoding"), "");
  EXPECT_EQ(id.Header("Vary"), "Accept-Encoding");
  EXPECT_EQ(id.Header("ETag"), BodyEtag(body));

  // Revalidating the gzip representation.
  Response again = Ok(body);
  const std::string gz_tag(r.Header("ETag"));
  FinishResponse({.get_or_head = true, .if_none_match = gz_tag, .accepts_gzip = true}, &again);
  EXPECT_EQ(again.status, 304u);
  EXPECT_EQ(again.Header("ETag"), gz_tag);
  EXPECT_EQ(again.Header("Vary"), "Accept-Encoding");
  EXPECT_EQ(again.Header("Content-Encoding"), "");

  // Small bodies and binary types stay as they are.
  Response small = Ok("{\"a\":1}");
  FinishResponse({.get_or_head = true, .accepts_gzip = true}, &small);
  EXPECT_EQ(small.Header("Content-Encoding"), "");
  Response png = Ok(std::string(5000, 'x'));
  png.content_type = "image/png";
  FinishResponse({.get_or_head = true, .accepts_gzip = true}, &png);
  EXPECT_EQ(png.Header("Content-Encoding"), "");
  EXPECT_EQ(png.body.size(), 5000u);

  // Errors and POST answers are compressed too, without validators.
  Response post = Ok(body);
  post.status = 201;
  FinishResponse({.get_or_head = false, .accepts_gzip = true}, &post);
  EXPECT_EQ(post.Header("Content-Encoding"), "gzip");
  EXPECT_EQ(post.Header("ETag"), "");
}

}  // namespace
}  // namespace xinyong::server
