#include "search/name_index.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <random>
#include <set>

#include "core/identifiers.h"
#include "core/personal_data.h"
#include "search/code_directory.h"
#include "search/normalizer.h"
#include "storage/rocksdb/rocksdb_store.h"

namespace xinyong::search {
namespace {

// A valid USCC for sequence number n (check character computed).
std::string Uscc(int n) {
  char body[18];
  std::snprintf(body, sizeof body, "91410100%09d", n);
  std::string s(body, 17);
  return s + ident::UsccCheckChar(s);
}

class NameIndexTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("xinyong-search-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    auto r = storage::RocksDbStore::Open(dir_.string());
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    store_ = std::move(r).value();
    vault_ = PersonalDataVault::ForTesting("search-test");
  }
  void TearDown() override {
    index_.reset();
    store_.reset();
    std::filesystem::remove_all(dir_);
  }

  Subject Company(std::string name, int n, std::string status = "存续") {
    Subject s;
    s.id = store_->NextId(storage::IdSpace::kSubject);
    s.type = SubjectType::kLegalPerson;
    s.name = std::move(name);
    s.uscc = Uscc(n);
    s.identifiers = {{IdentifierKind::kUscc, s.uscc}, {IdentifierKind::kOrgCode, s.uscc.substr(8, 9)}};
    s.status = std::move(status);
    return s;
  }
  Subject Person(std::string name, std::string_view resident_id) {
    Subject s;
    s.id = store_->NextId(storage::IdSpace::kSubject);
    s.type = SubjectType::kNaturalPerson;
    s.name = std::move(name);
    auto h = vault_->LookupHash(resident_id);
    s.identifiers = {{IdentifierKind::kResidentIdHash, std::string(h.begin(), h.end())}};
    s.id_masked = ident::MaskResidentId(resident_id);
    return s;
  }
  void Commit(const std::vector<Subject>& subjects) {
    storage::WriteSet ws;
    ws.batch.id = store_->NextId(storage::IdSpace::kBatch);
    ws.batch.file = "reg_basic.csv";
    ws.batch.indicator = "reg_basic";
    ws.subjects = subjects;
    ASSERT_TRUE(store_->Commit(ws).ok());
  }
  void Build() {
    auto r = NameIndex::Build(*store_, vault_.get());
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    index_ = std::move(r).value();
  }
  SearchResult Find(std::string_view q, SearchOptions o = {}) {
    auto r = index_->Search(q, o);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? std::move(r).value() : SearchResult();
  }
  static std::vector<std::string> Names(const SearchResult& r) {
    std::vector<std::string> out;
    for (const auto& h : r.hits) out.push_back(h.name);
    return out;
  }

  std::filesystem::path dir_;
  std::unique_ptr<storage::RocksDbStore> store_;
  std::unique_ptr<PersonalDataVault> vault_;
  std::unique_ptr<NameIndex> index_;
};

TEST_F(NameIndexTest, RanksExactThenPrefixThenContainsShorterFirst) {
  Commit({Company("郑州宇通客车股份有限公司", 1), Company("宇通重工有限公司", 2),
          Company("宇通", 3), Company("河南宇通有限公司", 4, "注销"), Company("洛阳宇通有限公司", 5),
          Company("郑州三全食品股份有限公司", 6)});
  Build();
  SearchResult r = Find("宇通");
  EXPECT_EQ(r.total, 5u);
  ASSERT_EQ(r.hits.size(), 5u);
  EXPECT_EQ(Names(r), (std::vector<std::string>{"宇通", "宇通重工有限公司", "洛阳宇通有限公司",
                                                "河南宇通有限公司", "郑州宇通客车股份有限公司"}));
  EXPECT_EQ(r.hits[0].match_class, MatchClass::kExact);
  EXPECT_EQ(r.hits[1].match_class, MatchClass::kPrefix);
  EXPECT_EQ(r.hits[2].match_class, MatchClass::kContains);
  EXPECT_EQ(r.hits[3].status, "注销");  // same length as 洛阳宇通有限公司: active first
  EXPECT_EQ(r.hits[0].code, Uscc(3));
  EXPECT_GT(r.hits[0].score, r.hits[1].score);
  // Three characters and more: every bigram must be there, in sequence.
  EXPECT_EQ(Names(Find("宇通客车")), std::vector<std::string>{"郑州宇通客车股份有限公司"});
  EXPECT_TRUE(Find("通宇").hits.empty());
  EXPECT_EQ(Find("宇").total, 5u);
}

// A name copied from a web page or a Word file carries invisible characters; they stand in the
// way neither in the index nor in the query.
TEST_F(NameIndexTest, InvisibleCharactersInNamesAndQueriesAreIgnored) {
  Commit({Company("郑州\u200B宇通客车股份\u00AD有限公司", 1)});
  Build();
  EXPECT_EQ(Find("郑州宇通").total, 1u);
  EXPECT_EQ(Find("宇通客车股份有限").total, 1u);
  EXPECT_EQ(Find("郑州\uFEFF宇通\u2060客车").total, 1u);
  EXPECT_EQ(Find("郑州\u200B宇通").normalized_query, "郑州宇通");
}

TEST_F(NameIndexTest, NormalizesWidthTraditionalCharactersAndSpaces) {
  Commit({Company("郑州宇通客车股份有限公司", 1), Company("ＡＢＣ科技（郑州）有限公司", 2)});
  Build();
  EXPECT_EQ(Names(Find("鄭州宇通")), std::vector<std::string>{"郑州宇通客车股份有限公司"});
  EXPECT_EQ(Names(Find("宇通 客车")), std::vector<std::string>{"郑州宇通客车股份有限公司"});
  EXPECT_EQ(Names(Find("abc科技(郑州)")), std::vector<std::string>{"ＡＢＣ科技（郑州）有限公司"});
  EXPECT_EQ(Names(Find("ABC科技（郑州）")), std::vector<std::string>{"ＡＢＣ科技（郑州）有限公司"});
  // Brackets, which people leave out when they type a name, do not stand in the way.
  EXPECT_EQ(Names(Find("ABC科技郑州")), std::vector<std::string>{"ＡＢＣ科技（郑州）有限公司"});
  EXPECT_EQ(Names(Find("科技【郑州】有限")), std::vector<std::string>{"ＡＢＣ科技（郑州）有限公司"});
  EXPECT_EQ(Names(Find("科技｟郑州｠有限")), std::vector<std::string>{"ＡＢＣ科技（郑州）有限公司"});
  EXPECT_EQ(Names(Find("科技〚郑州〛有限")), std::vector<std::string>{"ＡＢＣ科技（郑州）有限公司"});
  EXPECT_EQ(Find("鄭州宇通").normalized_query, "郑州宇通");
  EXPECT_FALSE(index_->Search("（）", {}).ok());
  EXPECT_FALSE(index_->Search("   ", {}).ok());
}

// A part of a name is found whatever OpenCC's phrases would make of the whole: 乾元 is a phrase
// it keeps, 乾 alone one it converts (to 干); character by character, both sides agree.
TEST_F(NameIndexTest, APartOfANameNormalizesToAPartOfTheNormalizedName) {
  Commit({Company("河南乾元建设有限公司", 1), Company("郑州乾隆商贸有限公司", 2)});
  Build();
  EXPECT_EQ(Names(Find("河南乾")), std::vector<std::string>{"河南乾元建设有限公司"});
  EXPECT_EQ(Names(Find("乾元建设")), std::vector<std::string>{"河南乾元建设有限公司"});
  EXPECT_EQ(Find("乾").total, 2u);
  EXPECT_EQ(Names(Find("乾隆")), std::vector<std::string>{"郑州乾隆商贸有限公司"});
}

TEST_F(NameIndexTest, FindsFormerNamesAndShowsTheCurrentOne) {
  Subject s = Company("郑州宇通客车股份有限公司", 1);
  s.former_names = {"郑州客车厂"};
  Commit({s, Company("开封客车厂", 2)});
  Build();
  SearchResult r = Find("客车厂");
  ASSERT_EQ(r.total, 2u);
  // Both matched names have five characters: the code decides.
  EXPECT_EQ(r.hits[0].name, "郑州宇通客车股份有限公司");
  EXPECT_EQ(r.hits[0].match, MatchKind::kFormerName);
  EXPECT_EQ(r.hits[0].matched_name, "郑州客车厂");
  EXPECT_EQ(r.hits[1].name, "开封客车厂");
  EXPECT_EQ(r.hits[1].match, MatchKind::kName);
  // Matching both the current and a former name, a subject is listed once, by its current name.
  r = Find("客车");
  EXPECT_EQ(r.total, 2u);
  EXPECT_EQ(r.hits.size(), 2u);
  for (const auto& h : r.hits) EXPECT_EQ(h.match, MatchKind::kName);
}

TEST_F(NameIndexTest, FindsByPinyinInitialsAndFullPinyin) {
  Commit({Company("宇通客车股份有限公司", 1), Company("郑州宇通客车有限公司", 2),
          Company("郑州三全食品股份有限公司", 3)});
  Build();
  SearchResult r = Find("ytkc");
  ASSERT_EQ(r.total, 2u);
  EXPECT_EQ(r.hits[0].name, "宇通客车股份有限公司");  // initials start with ytkc
  EXPECT_EQ(r.hits[0].match, MatchKind::kPinyinInitials);
  EXPECT_EQ(r.hits[0].match_class, MatchClass::kPrefix);
  EXPECT_EQ(r.hits[1].match_class, MatchClass::kContains);
  r = Find("yutongkeche");
  ASSERT_EQ(r.total, 2u);
  EXPECT_EQ(r.hits[0].match, MatchKind::kPinyin);
  EXPECT_EQ(Find("YuTongKe").total, 2u);  // a syllable being typed still matches
  EXPECT_EQ(Find("yutongk").total, 2u);
  EXPECT_EQ(Find("zhengzhousanquan").total, 1u);
  EXPECT_EQ(Find("zzsq").total, 1u);
  EXPECT_EQ(Find("zz").total, 2u);
  EXPECT_EQ(Find("tongyu").total, 0u);
  // Every split of "aoao…ao" into a|o or ao fails at the final "v": the reader must not try
  // them all (2^31 here), only find that none can end.
  std::string hostile;
  for (int i = 0; i < 31; ++i) hostile += "ao";
  hostile += "v";
  EXPECT_EQ(Find(hostile).total, 0u);
  EXPECT_EQ(Find("xian").hits.size(), 0u);  // readings xi|an and xian: no such names here
}

TEST_F(NameIndexTest, FindsCodesExactlyAndByPrefix) {
  Commit({Company("甲公司", 1), Company("乙公司", 2), Company("丙公司", 3)});
  Build();
  SearchResult r = Find(Uscc(2));
  ASSERT_EQ(r.total, 1u);
  EXPECT_EQ(r.hits[0].name, "乙公司");
  EXPECT_EQ(r.hits[0].match, MatchKind::kCode);
  EXPECT_EQ(r.hits[0].match_class, MatchClass::kExact);
  // Lower case, spaces and a hyphen are what people type.
  std::string typed = Uscc(2);
  for (char& c : typed) c = static_cast<char>(std::tolower(c));
  EXPECT_EQ(Find(typed.substr(0, 8) + " " + typed.substr(8)).total, 1u);
  r = Find("91410100");
  EXPECT_EQ(r.total, 3u);
  EXPECT_EQ(r.hits[0].match_class, MatchClass::kPrefix);
  EXPECT_EQ(Find(Uscc(3).substr(8, 9)).hits.at(0).name, "丙公司");  // organization code
  EXPECT_EQ(Find("9141").total, 0u);  // too short a prefix to list
}

TEST_F(NameIndexTest, NaturalPersonsAreNeverFoundByNameAndByIdOnlyWhenAuthorized) {
  const std::string id = "11010519491231002X";
  Commit({Person("张宇通", id), Company("宇通有限公司", 1)});
  Build();
  EXPECT_EQ(Names(Find("宇通")), std::vector<std::string>{"宇通有限公司"});
  EXPECT_TRUE(Find("张宇通").hits.empty());
  EXPECT_TRUE(Find("zyt").hits.empty());
  EXPECT_TRUE(Find(id).hits.empty());
  SearchOptions authorized;
  authorized.viewer.may_lookup_personal_ids = true;
  SearchResult r = Find(id, authorized);
  ASSERT_EQ(r.hits.size(), 1u);
  EXPECT_EQ(r.hits[0].name, "张宇通");
  EXPECT_EQ(r.hits[0].match, MatchKind::kPersonalId);
  EXPECT_TRUE(Find("张宇通", authorized).hits.empty());  // never by name, for anyone
}

TEST_F(NameIndexTest, FiltersBySubjectType) {
  Subject shop = Company("宇通小吃店", 2);
  shop.type = SubjectType::kIndividualBusiness;
  Commit({Company("宇通有限公司", 1), shop});
  Build();
  SearchOptions o;
  o.type = SubjectType::kIndividualBusiness;
  SearchResult r = Find("宇通", o);
  EXPECT_EQ(r.total, 1u);
  EXPECT_EQ(Names(r), std::vector<std::string>{"宇通小吃店"});
}

TEST_F(NameIndexTest, AppliedChangesAreSearchableAtOnce) {
  Subject a = Company("郑州客车厂", 1);
  Commit({a, Company("宇通重工有限公司", 2)});
  Build();
  // Renamed: found by the new name and the old one; cancelled: ranked after active.
  a.former_names = {a.name};
  a.name = "郑州宇通客车股份有限公司";
  a.status = "注销";
  Subject b = Company("宇通新能源有限公司", 3);
  Commit({a, b});
  index_->Apply(std::vector<Subject>{a, b});
  EXPECT_EQ(Find("宇通").total, 3u);
  SearchResult r = Find("客车厂");
  ASSERT_EQ(r.total, 1u);
  EXPECT_EQ(r.hits[0].name, "郑州宇通客车股份有限公司");
  EXPECT_EQ(r.hits[0].match, MatchKind::kFormerName);
  r = Find("宇通");
  EXPECT_EQ(Names(r), (std::vector<std::string>{"宇通重工有限公司", "宇通新能源有限公司",
                                                "郑州宇通客车股份有限公司"}));
}

// Every subject whose current or former normalized name contains q, each once.
std::set<uint64_t> BruteForce(const Normalizer& n, const std::vector<Subject>& all,
                              std::string_view q) {
  std::set<uint64_t> out;
  std::string nq = n.Normalize(q);
  for (const Subject& s : all) {
    if (s.type == SubjectType::kNaturalPerson) continue;
    bool hit = n.Normalize(s.name).find(nq) != std::string::npos;
    for (const auto& f : s.former_names) hit = hit || n.Normalize(f).find(nq) != std::string::npos;
    if (hit) out.insert(s.id);
  }
  return out;
}

// Random names from a small alphabet (so fragments repeat a lot), some traditional and
// full-width characters, former names, cancelled subjects; queries are fragments of names and
// random strings. Paging through every result must give exactly the brute-force set, in
// ranking order, before and after incremental changes and a rebuild.
TEST_F(NameIndexTest, RecallEqualsABruteForceScanAcrossPagesAndRebuilds) {
  const std::vector<std::string> alphabet = {"郑", "州", "宇", "通", "客", "车", "有", "限",
                                             "公", "司", "鄭", "科", "技", "Ａ", "b", "（", "）"};
  std::mt19937 rng(7);
  auto name = [&](size_t min_len) {
    std::string s;
    size_t len = min_len + rng() % 8;
    bool text = false;  // brackets alone are no name (normalized away)
    for (size_t i = 0; i < len; ++i) {
      const std::string& c = alphabet[rng() % alphabet.size()];
      text = text || (c != "（" && c != "）");
      s += c;
    }
    return text ? s : s + "郑";
  };
  std::vector<Subject> all;
  std::vector<Subject> first;
  for (int i = 0; i < 600; ++i) {
    Subject s = Company(name(1), i + 1, rng() % 5 == 0 ? "注销" : "存续");
    if (rng() % 6 == 0) s.former_names = {name(2)};
    first.push_back(s);
  }
  Commit(first);
  all = first;
  Build();
  auto normalizer = Normalizer::Shared();
  ASSERT_TRUE(normalizer.ok());

  auto check = [&](const std::string& stage) {
    std::vector<std::string> queries;
    for (int i = 0; i < 80; ++i) {
      std::u32string cps;
      std::string n = (*normalizer)->Normalize(all[rng() % all.size()].name);
      Normalizer::Decode(n, &cps);
      size_t len = 1 + rng() % 4;
      if (cps.size() < len) continue;
      size_t at = rng() % (cps.size() - len + 1);
      std::string q;
      // Re-encode the fragment.
      for (size_t j = at; j < at + len; ++j) {
        char32_t c = cps[j];
        if (c < 0x80) q.push_back(static_cast<char>(c));
        else if (c < 0x800) { q.push_back(static_cast<char>(0xC0 | (c >> 6))); q.push_back(static_cast<char>(0x80 | (c & 0x3F))); }
        else { q.push_back(static_cast<char>(0xE0 | (c >> 12))); q.push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F))); q.push_back(static_cast<char>(0x80 | (c & 0x3F))); }
      }
      queries.push_back(q);
    }
    for (int i = 0; i < 20; ++i) queries.push_back(name(2).substr(0, 6));
    for (const std::string& q : queries) {
      if ((*normalizer)->Normalize(q).empty()) continue;  // brackets alone: refused as empty
      std::set<uint64_t> expected = BruteForce(**normalizer, all, q);
      std::set<uint64_t> got;
      SearchOptions o;
      o.limit = 7;
      uint64_t total = 0;
      int last_class = -1;
      for (o.offset = 0;; o.offset += o.limit) {
        SearchResult r = Find(q, o);
        total = r.total;
        for (const Hit& h : r.hits) {
          if (h.match == MatchKind::kPinyin || h.match == MatchKind::kPinyinInitials) continue;
          EXPECT_TRUE(got.insert(h.subject_id).second) << stage << " duplicate for " << q;
          int cls = static_cast<int>(h.match_class);
          EXPECT_GE(cls, last_class) << stage << " " << q;
          last_class = cls;
        }
        if (r.hits.size() < o.limit) break;
      }
      EXPECT_EQ(got, expected) << stage << ": query " << q;
      EXPECT_GE(total, expected.size()) << stage << ": query " << q;
    }
  };
  check("fresh build");

  // Renames, status changes and new subjects, below the rebuild threshold (delta segment).
  std::vector<Subject> changed;
  for (int i = 0; i < 100; ++i) {
    Subject& s = all[rng() % all.size()];
    s.former_names.push_back(s.name);
    s.name = name(1);
    s.status = rng() % 2 ? "注销" : "存续";
    changed.push_back(s);
  }
  for (int i = 0; i < 100; ++i) {
    Subject s = Company(name(1), 1000 + i);
    all.push_back(s);
    changed.push_back(s);
  }
  // The same subject may be changed twice: the last value counts, as in the store.
  Commit(changed);
  index_->Apply(changed);
  check("with delta");

  // Enough new subjects to force a rebuild of the base segment.
  std::vector<Subject> many;
  for (int i = 0; i < 4200; ++i) many.push_back(Company(name(1), 10000 + i));
  Commit(many);
  index_->Apply(many);
  all.insert(all.end(), many.begin(), many.end());
  EXPECT_EQ(index_->Stats().subjects, all.size());
  check("after rebuild");
}

// The code directory, over the same kind of store.
class CodeDirectoryTest : public NameIndexTest {
 protected:
  std::unique_ptr<CodeDirectory> BuildCodes() {
    auto r = CodeDirectory::Build(*store_);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? std::move(r).value() : nullptr;
  }
};

TEST_F(CodeDirectoryTest, KnowsEveryUsccAndPersonCodeAndNothingElse) {
  Subject a = Company("郑州甲科技有限公司", 1);
  Subject b = Company("郑州乙商贸有限公司", 2);
  Subject person = Person("张三", "410102199001011234");
  person.identifiers.push_back({IdentifierKind::kPersonCode, "0123456789ABCDEF0123"});
  Commit({a, b, person});
  auto codes = BuildCodes();
  ASSERT_NE(codes, nullptr);
  // Two USCCs and the person's code: not the organization codes, not the resident ID's hash.
  EXPECT_EQ(codes->Stats().codes, 3u);
  EXPECT_EQ(codes->Find(IdentifierKind::kUscc, a.uscc), a.id);
  EXPECT_EQ(codes->Find(IdentifierKind::kUscc, b.uscc), b.id);
  EXPECT_EQ(codes->Find(IdentifierKind::kPersonCode, "0123456789ABCDEF0123"), person.id);
  EXPECT_EQ(codes->Find(IdentifierKind::kOrgCode, a.uscc.substr(8, 9)), 0u);
  // The same characters as another kind, or a code nobody has: nothing.
  EXPECT_EQ(codes->Find(IdentifierKind::kPersonCode, a.uscc), 0u);
  EXPECT_EQ(codes->Find(IdentifierKind::kUscc, Uscc(3)), 0u);
  EXPECT_TRUE(Holds(a, IdentifierKind::kUscc, a.uscc));
  EXPECT_TRUE(Holds(a, IdentifierKind::kOrgCode, a.uscc.substr(8, 9)));
  EXPECT_FALSE(Holds(a, IdentifierKind::kUscc, b.uscc));
  EXPECT_FALSE(Holds(a, IdentifierKind::kOrgCode, a.uscc));
}

TEST_F(CodeDirectoryTest, ApplyAddsTheCodesOfNewSubjects) {
  Subject a = Company("郑州甲科技有限公司", 1);
  Commit({a});
  auto codes = BuildCodes();
  ASSERT_NE(codes, nullptr);
  Subject b = Company("郑州乙商贸有限公司", 2);
  EXPECT_EQ(codes->Find(IdentifierKind::kUscc, b.uscc), 0u);
  codes->Apply(std::vector<Subject>{b, b});  // twice: harmless
  EXPECT_EQ(codes->Find(IdentifierKind::kUscc, b.uscc), b.id);
  EXPECT_EQ(codes->Find(IdentifierKind::kUscc, a.uscc), a.id);
  EXPECT_EQ(codes->Stats().codes, 2u);
}

}  // namespace
}  // namespace xinyong::search
