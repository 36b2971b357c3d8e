#include "model/check_log.h"

#include <gtest/gtest.h>

namespace xinyong {
namespace {

CheckRun ThreeChecks() {
  CheckRun run;
  run.unix_ms = 1763769600000;
  run.department = "410100-czj";
  run.requester = "127.0.0.1";
  run.scenario = "government_procurement";
  run.purpose = "采购项目资格审查";
  run.entries.push_back({7, "91110000600037341L", "refused", {"CJ-QL-001", "CJ-QL-002"}});
  run.entries.push_back({8, "91310115MA1K3BTP2B", "pass", {}});
  run.entries.push_back({9, "P0123456789ABCDEF0123", "refused", {"CJ-QL-002"}});
  return run;
}

TEST(CheckRunTest, AStretchOfARunDecodesToItsChecksWithTheSharedFields) {
  const CheckRun run = ThreeChecks();
  const std::string encoded = EncodeCheckRun(run, 1, 3);
  EXPECT_TRUE(IsCheckRun(encoded));
  std::vector<CheckLog> checks;
  ASSERT_TRUE(DecodeCheckRun(encoded, 101, &checks));
  ASSERT_EQ(checks.size(), 2u);
  EXPECT_EQ(checks[0].id, 101u);
  EXPECT_EQ(checks[0].subject_id, 8u);
  EXPECT_EQ(checks[0].result, "pass");
  EXPECT_TRUE(checks[0].measures.empty());
  EXPECT_EQ(checks[1].id, 102u);
  EXPECT_EQ(checks[1].subject_code, "P0123456789ABCDEF0123");
  EXPECT_EQ(checks[1].measures, std::vector<std::string>{"CJ-QL-002"});
  for (const CheckLog& c : checks) {
    EXPECT_EQ(c.unix_ms, run.unix_ms);
    EXPECT_EQ(c.department, "410100-czj");
    EXPECT_EQ(c.requester, "127.0.0.1");
    EXPECT_EQ(c.scenario, "government_procurement");
    EXPECT_EQ(c.purpose, "采购项目资格审查");
    EXPECT_TRUE(c.feedback_action.empty());
  }
}

TEST(CheckRunTest, TruncatedOrForeignBytesAreNotARun) {
  const std::string encoded = EncodeCheckRun(ThreeChecks(), 0, 3);
  std::vector<CheckLog> checks;
  for (size_t n = 0; n < encoded.size(); ++n) {
    checks.clear();
    EXPECT_FALSE(DecodeCheckRun(std::string_view(encoded).substr(0, n), 1, &checks)) << n;
  }
  CheckLog one;
  one.subject_code = "91110000600037341L";
  const std::string single = EncodeCheckLog(one);
  EXPECT_FALSE(IsCheckRun(single));
  EXPECT_FALSE(DecodeCheckRun(single, 1, &checks));
}

TEST(CheckRunTest, FeedbackRoundTrips) {
  CheckLog c;
  ASSERT_TRUE(DecodeCheckFeedback(EncodeCheckFeedback("not_applied", "项目已终止", 1763773200000), &c));
  EXPECT_EQ(c.feedback_action, "not_applied");
  EXPECT_EQ(c.feedback_reason, "项目已终止");
  EXPECT_EQ(c.feedback_unix_ms, 1763773200000);
  EXPECT_FALSE(DecodeCheckFeedback("", &c));
}

}  // namespace
}  // namespace xinyong
