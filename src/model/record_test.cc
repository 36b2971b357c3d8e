#include "model/record.h"

#include <gtest/gtest.h>

#include "model/batch.h"
#include "model/subject.h"

namespace xinyong {
namespace {

TEST(RecordEncodingTest, RoundTripsEveryMember) {
  Record r;
  r.indicator = "admin_penalty";
  r.status = RecordStatus::kSuperseded;
  r.decision_date = *Date::Parse("2025-03-07");
  r.received_date = *Date::Parse("2025-03-20");
  r.late = true;
  r.batch_id = 42;
  r.content_hash = 0xfeedfacecafebeefULL;
  r.document_number = "郑市监罚〔2025〕123号";
  r.values = {{"CF_XDR_MC", "郑州某某有限公司"}, {"CF_NR_FK", "1.5"}, {"BZ", ""}};
  r.personal = {{"CF_FR_ZJHM", std::string(32, 'h'), "sealed\0bytes"}};
  Record back;
  ASSERT_TRUE(DecodeRecordValue(EncodeRecordValue(r), &back));
  EXPECT_EQ(back.indicator, r.indicator);
  EXPECT_EQ(back.status, r.status);
  EXPECT_EQ(back.decision_date, r.decision_date);
  EXPECT_EQ(back.received_date, r.received_date);
  EXPECT_TRUE(back.late);
  EXPECT_EQ(back.batch_id, 42u);
  EXPECT_EQ(back.content_hash, r.content_hash);
  EXPECT_EQ(back.document_number, r.document_number);
  EXPECT_EQ(back.values, r.values);
  ASSERT_EQ(back.personal.size(), 1u);
  EXPECT_EQ(back.personal[0].sealed, r.personal[0].sealed);
  EXPECT_EQ(back.Get("CF_NR_FK"), "1.5");
  EXPECT_EQ(back.Get("missing"), "");
}

TEST(RecordEncodingTest, RejectsTruncatedValue) {
  Record r;
  r.indicator = "admin_licence";
  r.values = {{"XK_WSH", "豫许〔2025〕1号"}};
  std::string enc = EncodeRecordValue(r);
  Record back;
  for (size_t n = 0; n < enc.size(); ++n) {
    EXPECT_FALSE(DecodeRecordValue(std::string_view(enc).substr(0, n), &back)) << n;
  }
}

TEST(SubjectEncodingTest, RoundTripsIdentifiersAndFormerNames) {
  Subject s;
  s.type = SubjectType::kIndividualBusiness;
  s.name = "郑州市金水区老王烩面馆";
  s.former_names = {"老王面馆"};
  s.uscc = "92410105MA40ABCD1X";
  s.identifiers = {{IdentifierKind::kUscc, s.uscc}, {IdentifierKind::kOrgCode, "MA40ABCD1"}};
  s.region = "410105";
  s.status = "存续";
  s.first_seen = *Date::Parse("2024-01-02");
  s.first_batch = 7;
  Subject back;
  ASSERT_TRUE(DecodeSubject(EncodeSubject(s), &back));
  EXPECT_EQ(back.type, s.type);
  EXPECT_EQ(back.name, s.name);
  EXPECT_EQ(back.former_names, s.former_names);
  EXPECT_EQ(back.identifiers, s.identifiers);
  EXPECT_EQ(back.first_seen, s.first_seen);
  EXPECT_EQ(back.DisplayCode(), s.uscc);
}

TEST(SubjectEncodingTest, IndustryRoundTripsAndOlderSubjectsWithoutItStillDecode) {
  Subject s;
  s.name = "郑州宏达食品有限公司";
  s.region = "410105";
  s.industry = "C14";
  Subject back;
  ASSERT_TRUE(DecodeSubject(EncodeSubject(s), &back));
  EXPECT_EQ(back.industry, "C14");
  EXPECT_EQ(back.region, "410105");
  // Bytes as a store written before industries existed holds them: format 1, type, name "A",
  // no former names, no USCC, no identifiers, empty region/masked/sealed/status, first seen
  // day 0, first batch 0 — and nothing after.
  const std::string old("\x01\x01\x01" "A" "\x00\x00\x00\x00\x00\x00\x00\x00\x00", 13);
  back.industry = "stale";
  ASSERT_TRUE(DecodeSubject(old, &back));
  EXPECT_EQ(back.name, "A");
  EXPECT_EQ(back.industry, "");
  // A subject without an industry is still written in exactly that form.
  Subject plain;
  plain.type = SubjectType::kLegalPerson;
  plain.name = "A";
  EXPECT_EQ(EncodeSubject(plain), old);
  // A cut-off industry is corruption, not an empty industry.
  std::string enc = EncodeSubject(s);
  EXPECT_FALSE(DecodeSubject(std::string_view(enc).substr(0, enc.size() - 1), &back));
}

TEST(SubjectTest, NaturalPersonDisplayCodeNeverShowsTheIdNumber) {
  Subject s;
  s.id = 12;
  s.type = SubjectType::kNaturalPerson;
  s.identifiers = {{IdentifierKind::kResidentIdHash, std::string(32, 'x')},
                   {IdentifierKind::kPersonCode, "0123456789ABCDEF0123"}};
  EXPECT_EQ(s.DisplayCode(), "P0123456789ABCDEF0123");
  EXPECT_EQ(s.PublicCodes(), std::vector<std::string>{"P0123456789ABCDEF0123"});
}

TEST(SubjectTest, PublicCodesHoldTheLegacyCodeShownBeforeTheUscc) {
  Subject s;
  s.identifiers = {{IdentifierKind::kOrgCode, "MA44DWJQX"}};
  EXPECT_EQ(s.DisplayCode(), "MA44DWJQX");
  s.uscc = "91410100MA44DWJQXM";
  s.identifiers.insert(s.identifiers.begin(), {IdentifierKind::kUscc, s.uscc});
  EXPECT_EQ(s.PublicCodes(), (std::vector<std::string>{"91410100MA44DWJQXM", "MA44DWJQX"}));
}

TEST(SubjectTest, RegistrationEndedByDeregistrationRevocationOrCancellation) {
  for (const char* ended : {"注销", "吊销，未注销", "已吊销", "撤销"}) EXPECT_TRUE(RegistrationEnded(ended)) << ended;
  for (const char* active : {"", "存续", "在业", "迁出"}) EXPECT_FALSE(RegistrationEnded(active)) << active;
}

TEST(BatchReportEncodingTest, RoundTripsCounts) {
  BatchReport b;
  b.file = "admin_penalty.csv";
  b.part = 2;
  b.indicator = "admin_penalty";
  b.rows = 10;
  b.accepted = 7;
  b.rejected = 2;
  b.duplicates = 1;
  b.late = 3;
  b.seconds = 0.25;
  b.rejections.resize(2);
  BatchReport back;
  ASSERT_TRUE(DecodeBatchReport(EncodeBatchReport(b), &back));
  EXPECT_EQ(back.file, b.file);
  EXPECT_EQ(back.part, 2u);
  EXPECT_EQ(back.rows, back.accepted + back.rejected + back.duplicates);
  EXPECT_EQ(back.late, 3u);
  EXPECT_DOUBLE_EQ(back.seconds, 0.25);
  RowIssue i{5, "CF_XDR_SHXYM", "invalid_uscc", "bad check"}, j;
  ASSERT_TRUE(DecodeRowIssue(EncodeRowIssue(i), &j));
  EXPECT_EQ(j.row, 5u);
  EXPECT_EQ(j.message, "bad check");
}

}  // namespace
}  // namespace xinyong
