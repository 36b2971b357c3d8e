#include "rules/inspection.h"

#include <set>

#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>

#include "core/test_paths.h"

namespace xinyong::rules {
namespace {

using test::SourceDir;

TEST(InspectionTest, DrawsAreReproducibleAndFollowTheGradeRatios) {
  auto r = InspectionRatios::LoadFile(SourceDir() + "/data/inspection/ratios.toml");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  // Pinned: a published draw must give the same list on any machine, forever.
  EXPECT_EQ(DrawUniform(42, "91410100MA44DWJQ4H"), 0x1.94642355929p-8);
  EXPECT_EQ(DrawUniform(0, ""), 0x1.c4415072f63b9p-1);
  EXPECT_NE(DrawUniform(42, "91410100MA44DWJQ4H"), DrawUniform(43, "91410100MA44DWJQ4H"));
  int drawn[4] = {0, 0, 0, 0};
  const char* grades[] = {"A", "B", "C", "D"};
  const int n = 20000;
  for (int i = 0; i < n; ++i) {
    std::string code = "9141010" + std::to_string(1000000 + i);
    for (int g = 0; g < 4; ++g) drawn[g] += Drawn(7, code, grades[g], 0.05, **r) ? 1 : 0;
  }
  // 5% base: A 2.5%, B 5%, C 10%, D 15% of 20,000 — within a few standard deviations.
  EXPECT_NEAR(drawn[0], n * 0.025, 80);
  EXPECT_NEAR(drawn[1], n * 0.05, 110);
  EXPECT_NEAR(drawn[2], n * 0.10, 150);
  EXPECT_NEAR(drawn[3], n * 0.15, 180);
  EXPECT_FALSE(Drawn(7, "x", "A", 0.0, **r));
  EXPECT_TRUE(Drawn(7, "x", "D", 1.0, **r));
}

TEST(InspectionTest, ARatioFileThatInspectsBetterGradesMoreIsRefused) {
  const std::string path = ::testing::TempDir() + "/inspection_ratios_test.toml";
  auto load = [&](const std::string& multipliers) {
    std::FILE* f = std::fopen(path.c_str(), "w");
    std::string text = "legal_basis = \"国发〔2019〕5号\"\n[multiplier]\n" + multipliers;
    std::fwrite(text.data(), 1, text.size(), f);
    std::fclose(f);
    return InspectionRatios::LoadFile(path);
  };
  EXPECT_TRUE(load("A = 0.5\nB = 1\nC = 1\nD = 3\n").ok());  // equal neighbours are fine
  auto inverted = load("A = 3\nB = 1\nC = 2\nD = 0.5\n");
  ASSERT_FALSE(inverted.ok());
  EXPECT_NE(inverted.status().message().find("grade B"), std::string::npos)
      << inverted.status().ToString();
  EXPECT_NE(inverted.status().message().find("inspection_ratios_test.toml"), std::string::npos)
      << inverted.status().ToString();
  EXPECT_FALSE(load("A = 0.5\nB = 1\nC = 2\nD = inf\n").ok());
  EXPECT_FALSE(load("A = nan\nB = 1\nC = 2\nD = 3\n").ok());
  EXPECT_FALSE(load("A = 0\nB = 1\nC = 2\nD = 3\n").ok());
  std::remove(path.c_str());
}

TEST(InspectionTest, ResultCategoriesAreAFixedListByNameOrLabel) {
  ASSERT_EQ(InspectionResults().size(), 10u);
  std::set<std::string_view> names, labels;
  for (const InspectionResult& r : InspectionResults()) {
    names.insert(r.name);
    labels.insert(r.label);
    EXPECT_EQ(FindInspectionResult(r.name), &r);
    EXPECT_EQ(FindInspectionResult(r.label), &r);
  }
  EXPECT_EQ(names.size(), 10u);
  EXPECT_EQ(labels.size(), 10u);
  EXPECT_FALSE(FindInspectionResult("no_problem")->problem);
  EXPECT_TRUE(FindInspectionResult("发现问题已责令改正")->problem);
  EXPECT_EQ(FindInspectionResult("unreachable")->label, "通过登记的住所（经营场所）无法联系");
  EXPECT_EQ(FindInspectionResult("合格"), nullptr);
  EXPECT_EQ(FindInspectionResult("No_Problem"), nullptr);
  EXPECT_EQ(FindInspectionResult(""), nullptr);
}

}  // namespace
}  // namespace xinyong::rules
