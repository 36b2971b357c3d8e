#include "gen/inspection_results.h"

#include <algorithm>

#include "gen/names.h"
#include "gen/rng.h"
#include "ingest/csv_reader.h"

namespace xinyong::gen {

namespace {

// A result as published, its weight per grade (A, B or ungraded / C / D), and what an inspector
// writes when it finds something ('|'-separated alternatives; empty: nothing to write).
struct Outcome {
  std::string_view label;
  uint16_t weight_good, weight_c, weight_d;
  std::string_view findings;
};

constexpr Outcome kOutcomes[] = {
    {"未发现问题", 800, 550, 350, ""},
    {"未发现开展本次抽查涉及的经营活动", 50, 30, 20, ""},
    {"未按规定公示应当公示的信息", 50, 100, 120,
     "未按规定报送上一年度年度报告|即时信息未在规定期限内公示|年度报告未公示股东出资信息"},
    {"发现问题已责令改正", 60, 150, 200,
     "营业执照未在经营场所醒目位置悬挂|经营场所与登记住所不一致，已责令限期办理变更登记|"
     "现场销售的部分商品未明码标价|未建立进货查验记录"},
    {"通过登记的住所（经营场所）无法联系", 20, 80, 120,
     "登记住所现场无该企业，电话无人接听|登记住所已出租他用，经营者下落不明"},
    {"发现问题已立案查处", 10, 50, 100,
     "销售超过保质期的食品，已立案调查|发布虚假广告，已立案调查|无证从事许可经营项目，已立案"},
    {"发现问题待后续处理", 10, 40, 50, "检查发现的问题需会同行业主管部门核实，待后续处理"},
    {"不予配合情节严重", 0, 20, 40, "拒绝检查人员进入经营场所，拒不提供检查所需材料"},
    {"公示信息隐瞒真实情况、弄虚作假", 0, 10, 20, "年度报告公示的从业人数、资产状况与实际不符"},
};

}  // namespace

std::string InspectionResultsCsv(std::span<const DrawnSubject> drawn, Date first_day, Date last_day,
                                 uint64_t seed, double recorded_share) {
  std::string out = "统一社会信用代码,检查结果,检查日期,检查发现\n";
  const int32_t span = std::max<int32_t>(last_day.days() - first_day.days(), 0) + 1;
  for (size_t i = 0; i < drawn.size(); ++i) {
    Rng r(SubSeed(seed ^ 0x1A5EC7ULL, i));
    if (!r.Chance(recorded_share)) continue;
    const std::string& grade = drawn[i].grade;
    uint32_t total = 0;
    uint16_t weights[std::size(kOutcomes)];
    for (size_t k = 0; k < std::size(kOutcomes); ++k) {
      const Outcome& o = kOutcomes[k];
      weights[k] = grade == "D" ? o.weight_d : grade == "C" ? o.weight_c : o.weight_good;
      total += weights[k];
    }
    const Outcome& o = kOutcomes[r.Weighted(weights, total)];
    const Date day = Date::FromDays(first_day.days() + static_cast<int32_t>(r.Below(span)));
    ingest::AppendCsvField(drawn[i].code, &out);
    out.push_back(',');
    out.append(o.label);
    out.push_back(',');
    out.append(day.ToString());
    out.push_back(',');
    if (!o.findings.empty()) ingest::AppendCsvField(PickAlt(o.findings, r), &out);
    out.push_back('\n');
  }
  return out;
}

}  // namespace xinyong::gen
