#include <gtest/gtest.h>

#include <filesystem>
#include <random>

#include "catalog/catalog.h"
#include "core/test_paths.h"
#include "security/access.h"
#include "security/consent.h"
#include "security/principal.h"
#include "security/token.h"
#include "storage/rocksdb/rocksdb_store.h"

namespace xinyong::security {
namespace {

namespace fs = std::filesystem;

constexpr char kMarket[] = "郑州市市场监督管理局";
constexpr int64_t kNow = 1'790'000'000'000;  // 2026-09-21
constexpr int64_t kDay = 86'400'000;

class SecurityTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::random_device rd;
    dir_ = fs::temp_directory_path() / ("xinyong-security-" + std::to_string(rd()));
    auto catalog = catalog::Catalog::LoadDirectory(test::SourceDir() + "/data/catalog");
    ASSERT_TRUE(catalog.ok()) << catalog.status().ToString();
    catalog_ = std::move(catalog).value();
    storage::RocksDbOptions o;
    o.sync = false;
    auto store = storage::RocksDbStore::Open(dir_.string(), o);
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    store_ = std::move(store).value();
    tokens_ = std::make_unique<TokenStore>(*store_, *catalog_);
  }
  void TearDown() override {
    tokens_.reset();
    store_.reset();
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }

  NewToken Make(Role role, Principal::Scope scope = {}, int days = 30) {
    TokenSpec spec;
    spec.role = role;
    spec.scope = std::move(scope);
    spec.expires_days = days;
    spec.created_by = "test";
    auto t = tokens_->Create(spec, kNow);
    EXPECT_TRUE(t.ok()) << t.status().ToString();
    return t.ok() ? std::move(t).value() : NewToken{};
  }

  Authentication Auth(std::string_view secret, int64_t now = kNow) {
    auto a = tokens_->Authenticate(secret, now);
    EXPECT_TRUE(a.ok()) << a.status().ToString();
    return a.ok() ? std::move(a).value() : Authentication{};
  }

  Status CreateStatus(Role role, Principal::Scope scope, int days = 30) {
    TokenSpec spec;
    spec.role = role;
    spec.scope = std::move(scope);
    spec.expires_days = days;
    return tokens_->Create(spec, kNow).status();
  }

  fs::path dir_;
  std::unique_ptr<catalog::Catalog> catalog_;
  std::unique_ptr<storage::RocksDbStore> store_;
  std::unique_ptr<TokenStore> tokens_;
};

TEST(RoleTest, NamesRoundTripAndSetsNameTheirRoles) {
  for (Role r : kAllRoles) EXPECT_EQ(ParseRole(RoleName(r)), r);
  EXPECT_FALSE(ParseRole("admin").has_value());
  constexpr RoleSet s{Role::kUsingDepartment, Role::kOperator};
  EXPECT_TRUE(s.Has(Role::kOperator));
  EXPECT_FALSE(s.Has(Role::kPublic));
  EXPECT_EQ(s.Names(), "operator, using_department");
  EXPECT_TRUE(RoleSet::All().Has(Role::kSubject));
}

TEST(PrincipalTest, DescribesRoleTokenAndOrganizationWithoutNamesOrCodes) {
  EXPECT_EQ(Principal().Describe(), "public");
  Principal::Scope s;
  s.name = "张三的笔记本";
  s.department = kMarket;
  s.indicators = {"admin_penalty", "admin_licence"};
  EXPECT_EQ(Principal(Role::kSourceDepartment, 4, s).Describe(),
            "source_department token 4 (郑州市市场监督管理局; admin_penalty, admin_licence)");
  Principal::Scope subject;
  subject.name = "张三";
  subject.subject_id = 3051;
  subject.subject_code = "P0123456789ABCDEF0123";
  const Principal p(Role::kSubject, 12, subject);
  EXPECT_EQ(p.Describe(), "subject token 12 (subject #3051)");
  // A copy shares the scope.
  const Principal copy = p;
  EXPECT_EQ(&copy.subject_code(), &p.subject_code());
}

TEST_F(SecurityTest, ATokenIsShownOnceStoredHashedAndGrantsItsRoleAndScope) {
  Principal::Scope scope;
  scope.name = "市场监管局接口";
  scope.department = kMarket;
  scope.indicators = {"admin_penalty"};
  NewToken t = Make(Role::kSourceDepartment, scope);
  EXPECT_EQ(t.secret.size(), kTokenLength);
  EXPECT_TRUE(t.secret.starts_with("xy_"));
  EXPECT_EQ(t.info.id, 1u);
  EXPECT_EQ(t.info.expires_ms, kNow + 30 * kDay);
  // The store holds the hash, never the secret.
  ASSERT_TRUE(store_->ScanTokens([&](uint64_t, std::string_view v) {
    EXPECT_EQ(v.find(t.secret), std::string_view::npos);
    EXPECT_EQ(v.find(t.secret.substr(3)), std::string_view::npos);
    EXPECT_NE(v.find(HashSecret(t.secret)), std::string_view::npos);
    return true;
  }).ok());
  Authentication a = Auth(t.secret);
  ASSERT_TRUE(a.principal.has_value()) << a.refusal;
  EXPECT_EQ(a.principal->role(), Role::kSourceDepartment);
  EXPECT_EQ(a.principal->token_id(), 1u);
  EXPECT_EQ(a.principal->department(), kMarket);
  EXPECT_EQ(a.principal->indicators(), std::vector<std::string>{"admin_penalty"});
  // Two tokens differ, and the second gets the next id.
  NewToken u = Make(Role::kOperator);
  EXPECT_NE(u.secret, t.secret);
  EXPECT_EQ(u.info.id, 2u);
  std::vector<TokenInfo> all;
  ASSERT_TRUE(tokens_->List(&all).ok());
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].scope.name, "市场监管局接口");
  EXPECT_EQ(all[1].role, Role::kOperator);
}

TEST_F(SecurityTest, UnknownMalformedExpiredAndRevokedTokensAreRefusedWithTheReason) {
  EXPECT_NE(Auth("not-a-token").refusal.find("not a Xinyong token"), std::string::npos);
  EXPECT_NE(Auth("xy_" + std::string(43, 'A')).refusal.find("unknown"), std::string::npos);
  EXPECT_NE(Auth("xy_" + std::string(42, 'A') + "!").refusal.find("not a Xinyong"),
            std::string::npos);

  NewToken t = Make(Role::kOperator, {}, 2);
  EXPECT_TRUE(Auth(t.secret, kNow + 2 * kDay - 1).principal.has_value());
  Authentication late = Auth(t.secret, kNow + 2 * kDay);
  EXPECT_FALSE(late.principal.has_value());
  EXPECT_NE(late.refusal.find("token 1 expired on"), std::string::npos) << late.refusal;

  NewToken u = Make(Role::kOperator);
  ASSERT_TRUE(Auth(u.secret).principal.has_value());  // now cached
  auto revoked = tokens_->Revoke(u.info.id, kNow + 1000, "operator token 1");
  ASSERT_TRUE(revoked.ok()) << revoked.status().ToString();
  EXPECT_EQ(revoked->revoked_by, "operator token 1");
  Authentication after = Auth(u.secret, kNow + 2000);
  EXPECT_FALSE(after.principal.has_value());
  EXPECT_NE(after.refusal.find("token 2 was revoked on"), std::string::npos) << after.refusal;
  EXPECT_EQ(tokens_->Revoke(u.info.id, kNow, "x").status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(tokens_->Revoke(99, kNow, "x").status().code(), StatusCode::kNotFound);
  // The other token is untouched.
  EXPECT_TRUE(Auth(t.secret).principal.has_value());
}

TEST_F(SecurityTest, ATokenMustFitItsRole) {
  auto expect_bad = [&](Role role, Principal::Scope scope, std::string_view word, int days = 30) {
    Status st = CreateStatus(role, std::move(scope), days);
    EXPECT_EQ(st.code(), StatusCode::kInvalidArgument) << RoleName(role);
    EXPECT_NE(st.message().find(word), std::string::npos) << st.message();
  };
  expect_bad(Role::kPublic, {}, "role");
  expect_bad(Role::kOperator, {}, "expires_days", 0);
  expect_bad(Role::kOperator, {}, "expires_days", kMaxExpiryDays + 1);
  expect_bad(Role::kSourceDepartment, {}, "dept");
  Principal::Scope nobody;
  nobody.department = "郑州市不存在局";
  expect_bad(Role::kSourceDepartment, nobody, "source department of no catalog indicator");
  Principal::Scope wrong;
  wrong.department = kMarket;
  wrong.indicators = {"utility_arrears"};
  expect_bad(Role::kSourceDepartment, wrong, "not sourced by");
  wrong.indicators = {"no_such"};
  expect_bad(Role::kSourceDepartment, wrong, "not a catalog indicator");
  Principal::Scope using_with_indicators;
  using_with_indicators.department = "郑州市财政局";
  using_with_indicators.indicators = {"admin_penalty"};
  expect_bad(Role::kUsingDepartment, using_with_indicators, "indicators");
  expect_bad(Role::kFinancialInstitution, {}, "institution");
  expect_bad(Role::kSubject, {}, "subject");
  Principal::Scope operator_with_dept;
  operator_with_dept.department = kMarket;
  expect_bad(Role::kOperator, operator_with_dept, "dept");
  Principal::Scope bank_with_a_number;  // goes into every audit entry the subject reads
  bank_with_a_number.institution = "某银行11010519491231002X";
  expect_bad(Role::kFinancialInstitution, bank_with_a_number, "resident ID number");
  Principal::Scope gbk_bank;  // typed on a GBK terminal: it would corrupt the JSON it goes into
  gbk_bank.institution = "\xd6\xd0\xd4\xad\xd2\xf8\xd0\xd0";
  expect_bad(Role::kFinancialInstitution, gbk_bank, "UTF-8");
  Principal::Scope lower_without_region;
  lower_without_region.source = "zhongmou";
  expect_bad(Role::kLowerPlatform, lower_without_region, "region");
  Principal::Scope operator_with_source;
  operator_with_source.source = "zhongmou";
  expect_bad(Role::kOperator, operator_with_source, "source");
  Principal::Scope bank_by_code;  // an all-digit USCC is no resident ID
  bank_by_code.institution = "911000001000013428";
  EXPECT_TRUE(CreateStatus(Role::kFinancialInstitution, bank_by_code, 30).ok());
  std::vector<TokenInfo> all;
  ASSERT_TRUE(tokens_->List(&all).ok());
  EXPECT_EQ(all.size(), 1u) << "only the bank named by its code";
}

TEST_F(SecurityTest, ASourceDepartmentWithoutIndicatorsMaySubmitItsDepartmentsOwn) {
  Principal::Scope scope;
  scope.department = kMarket;
  const Principal p(Role::kSourceDepartment, 1, scope);
  bool any = true;
  std::vector<std::string> mine = SubmittableIndicators(p, *catalog_, &any);
  EXPECT_FALSE(any);
  ASSERT_FALSE(mine.empty());
  for (const auto& code : mine) {
    const auto& sources = catalog_->Find(code)->source_departments;
    EXPECT_NE(std::find(sources.begin(), sources.end(), kMarket), sources.end()) << code;
  }
  EXPECT_NE(std::find(mine.begin(), mine.end(), "reg_basic"), mine.end());
  EXPECT_EQ(std::find(mine.begin(), mine.end(), "utility_arrears"), mine.end());
  scope.indicators = {"admin_penalty"};
  EXPECT_EQ(SubmittableIndicators(Principal(Role::kSourceDepartment, 1, scope), *catalog_, &any),
            std::vector<std::string>{"admin_penalty"});
  EXPECT_TRUE(SubmittableIndicators(Principal(Role::kOperator, 2, {}), *catalog_, &any).empty());
  EXPECT_TRUE(any);
  EXPECT_TRUE(SubmittableIndicators(Principal(), *catalog_, &any).empty());
  EXPECT_FALSE(any);
}

TEST_F(SecurityTest, TokensSurviveAReopenAndDecodeAsEncoded) {
  Principal::Scope scope;
  scope.institution = "郑州银行";
  scope.name = "信贷部";
  NewToken t = Make(Role::kFinancialInstitution, scope);
  Principal::Scope county;
  county.source = "zhongmou";
  county.region = "410122";
  NewToken lower = Make(Role::kLowerPlatform, county);
  tokens_.reset();
  store_.reset();
  auto store = storage::RocksDbStore::Open(dir_.string());
  ASSERT_TRUE(store.ok());
  store_ = std::move(store).value();
  tokens_ = std::make_unique<TokenStore>(*store_, *catalog_);
  Authentication a = Auth(t.secret);
  ASSERT_TRUE(a.principal.has_value());
  EXPECT_EQ(a.principal->institution(), "郑州银行");
  Authentication l = Auth(lower.secret);
  ASSERT_TRUE(l.principal.has_value()) << l.refusal;
  EXPECT_EQ(l.principal->role(), Role::kLowerPlatform);
  EXPECT_EQ(l.principal->source(), "zhongmou");
  EXPECT_EQ(l.principal->region(), "410122");
  // Only a lower platform's token takes format 2; the others keep the format older binaries read.
  EXPECT_EQ(EncodeToken(t.info)[0], '\x01');
  EXPECT_EQ(EncodeToken(lower.info)[0], '\x02');
  TokenInfo back;
  ASSERT_TRUE(DecodeToken(lower.info.id, EncodeToken(lower.info), &back));
  EXPECT_EQ(back.scope.source, "zhongmou");
  std::string cut = EncodeToken(lower.info);
  cut.resize(cut.size() - 7);  // the region gone
  EXPECT_FALSE(DecodeToken(1, cut, &back));
  ASSERT_TRUE(DecodeToken(t.info.id, EncodeToken(t.info), &back));
  EXPECT_EQ(EncodeToken(back), EncodeToken(t.info));
  EXPECT_FALSE(DecodeToken(1, "\x02garbage", &back));
  std::string truncated = EncodeToken(t.info);
  truncated.pop_back();
  EXPECT_FALSE(DecodeToken(1, truncated, &back));
}

TEST_F(SecurityTest, AConsentStandsUntilItExpiresOrIsWithdrawn) {
  ConsentStore consents(*store_);
  const Date today = Date::FromYmd(2026, 9, 21).value();
  auto c = consents.Grant(7, "郑州银行", "信易贷授信审查", today.AddDays(10), today, kNow,
                          "subject token 3 (subject #7)");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->id, 1u);
  EXPECT_TRUE(consents.Stands(7, "郑州银行", today).value());
  EXPECT_TRUE(consents.Stands(7, "郑州银行", today.AddDays(10)).value());
  EXPECT_FALSE(consents.Stands(7, "郑州银行", today.AddDays(11)).value());  // expired
  EXPECT_FALSE(consents.Stands(7, "中原银行", today).value());              // another institution
  EXPECT_FALSE(consents.Stands(8, "郑州银行", today).value());              // another subject
  EXPECT_EQ(c->State(today.AddDays(11)), "expired");

  auto second = consents.Grant(7, "中原银行", "贷后管理", today.AddDays(30), today, kNow, "operator token 1");
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(second->id, 2u);
  auto w = consents.Withdraw(7, 1, today.AddDays(1), kNow + kDay, "subject token 3 (subject #7)");
  ASSERT_TRUE(w.ok()) << w.status().ToString();
  EXPECT_FALSE(consents.Stands(7, "郑州银行", today.AddDays(1)).value());
  EXPECT_TRUE(consents.Stands(7, "中原银行", today.AddDays(1)).value());
  EXPECT_EQ(consents.Withdraw(7, 1, today, kNow, "x").status().code(),
            StatusCode::kFailedPrecondition);
  EXPECT_EQ(consents.Withdraw(7, 9, today, kNow, "x").status().code(), StatusCode::kNotFound);
  // The withdrawn consent stays in the history.
  std::vector<Consent> all;
  ASSERT_TRUE(consents.List(7, &all).ok());
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].withdrawn, today.AddDays(1));
  EXPECT_EQ(all[0].State(today.AddDays(1)), "withdrawn");
  EXPECT_EQ(all[0].withdrawn_by, "subject token 3 (subject #7)");
  EXPECT_EQ(all[1].State(today.AddDays(1)), "standing");

  EXPECT_EQ(consents.Grant(7, "", "p", today, today, kNow, "x").status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(consents.Grant(7, "郑州银行", "", today, today, kNow, "x").status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(consents.Grant(7, "郑州银行", "p", today.AddDays(-1), today, kNow, "x").status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(consents.Grant(7, "郑州银行", "p", today.AddMonths(61), today, kNow, "x").status().code(),
            StatusCode::kInvalidArgument);
  // A resident ID in the name is refused; an institution named by an all-digit USCC, whose
  // token is accepted, can be consented to.
  EXPECT_EQ(consents.Grant(7, "银行11010519491231002X", "p", today, today, kNow, "x").status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_TRUE(consents.Grant(7, "914112810713741814", "p", today, today, kNow, "x").ok());
}

TEST(ReadableLevelsTest, EachRoleReadsTheLevelsOfThePolicy) {
  using catalog::Disclosure;
  Principal::Scope dept;
  dept.department = kMarket;
  Principal::Scope bank;
  bank.institution = "郑州银行";
  Principal::Scope own;
  own.subject_id = 7;
  const DisclosureSet gov = DisclosureSet::PublicOnly().With(Disclosure::kGovShared);
  const DisclosureSet authorized = DisclosureSet::PublicOnly().With(Disclosure::kAuthorized);
  struct Case {
    Principal p;
    bool consent;
    DisclosureSet want;
  } cases[] = {
      {Principal(), true, DisclosureSet::PublicOnly()},
      {Principal(Role::kOperator, 1, {}), false, DisclosureSet::All()},
      {Principal(Role::kSourceDepartment, 2, dept), true, gov},
      {Principal(Role::kUsingDepartment, 3, dept), true, gov},
      {Principal(Role::kFinancialInstitution, 4, bank), false, DisclosureSet::PublicOnly()},
      {Principal(Role::kFinancialInstitution, 4, bank), true, authorized},
      {Principal(Role::kSubject, 5, own), false, DisclosureSet::All()},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(ReadableLevels(c.p, 7, c.consent), c.want) << c.p.Describe();
  }
  // A subject reads another subject as the public does.
  EXPECT_EQ(ReadableLevels(Principal(Role::kSubject, 5, own), 8, true), DisclosureSet::PublicOnly());
}

}  // namespace
}  // namespace xinyong::security
