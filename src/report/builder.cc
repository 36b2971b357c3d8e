#include "report/builder.h"

#include <algorithm>
#include <array>
#include <cstdio>

#include "rules/check.h"
#include "rules/commitment.h"
#include "rules/measures.h"

namespace xinyong::report {

namespace {

constexpr std::array<SectionSpec, 11> kSections{{
    {"basic", "基本信息"},
    {"licences", "行政许可及其他行政管理信息"},
    {"penalties", "行政处罚及其他负面行政管理信息"},
    {"court", "司法裁判及执行信息"},
    {"lists", "名单信息"},
    {"commitments", "信用承诺及履行信息"},
    {"evaluations", "信用评价信息"},
    {"honours", "诚信荣誉信息"},
    {"contracts", "合同履行信息"},
    {"other", "其他信息"},
    {"self_declared", "自主申报信息"},
}};

// Fields that repeat the subject (its name and codes): the report states them once, in 基本信息.
bool SubjectField(catalog::FieldRole role) {
  using R = catalog::FieldRole;
  switch (role) {
    case R::kSubjectName:
    case R::kSubjectCategory:
    case R::kSubjectUscc:
    case R::kSubjectRegNumber:
    case R::kSubjectOrgCode:
    case R::kSubjectTaxNumber:
    case R::kSubjectInstCert:
    case R::kSubjectSocialOrgCert:
    case R::kSubjectIdType:
    case R::kSubjectIdNumber:
      return true;
    default:
      return false;
  }
}

bool InPeriod(const Record& r, const ReportRequest& req) {
  if (r.decision_date == Date()) return true;  // undated (registration): always current
  return req.from <= r.decision_date && r.decision_date <= req.to;
}

std::string Count(size_t n, std::string_view what) {
  if (n == 0) return "报告期内无" + std::string(what) + "。";
  return "报告期内共 " + std::to_string(n) + " 条。";
}

class Builder {
 public:
  Builder(const catalog::Catalog& catalog, const BuildContext& ctx)
      : catalog_(catalog), ctx_(ctx) {}

  ReportItem Item(const Record& r, const catalog::Indicator& ind) const {
    ReportItem item;
    item.title = ind.name;
    item.indicator = ind.code;
    item.record_id = r.record_id;
    item.version = r.version;
    if (r.decision_date != Date()) item.date = r.decision_date.ToString();
    item.document_number = Text(r.document_number);
    for (const catalog::Field& f : ind.fields) {
      if (SubjectField(f.role)) continue;
      std::string_view v = r.Get(f.code);
      if (v.empty()) continue;
      item.fields.push_back({f.label, Text(v)});
    }
    if (rules::MeasureCatalog::IsListIndicator(ind.code)) {
      auto m = rules::ActiveMembership(r, ind, ctx_.today);
      std::string state = m ? "在列" : "已不在列";
      if (m && m->end) state += "（至 " + m->end->ToString() + "）";
      item.fields.push_back({"名单状态", state});
    }
    if (ind.code == rules::kCommitmentIndicator) {
      rules::CommitmentView v = rules::ViewCommitment(r, ind, ctx_.today);
      item.fields.push_back({"承诺状态", std::string(rules::CommitmentStateLabel(v.state))});
    }
    if (std::binary_search(ctx_.under_objection.begin(), ctx_.under_objection.end(), r.record_id)) {
      item.fields.push_back({std::string(kObjectionLabel), std::string(kUnderObjection)});
    }
    return item;
  }

  std::string Text(std::string_view s) const {
    return ctx_.redact ? ctx_.redact(s) : std::string(s);
  }

 private:
  const catalog::Catalog& catalog_;
  const BuildContext& ctx_;
};

ReportSection BasicSection(const ReportSubject& s, const ReportRequest& req) {
  ReportSection sec;
  sec.key = "basic";
  sec.title = "基本信息";
  auto add = [&](std::string_view label, const std::string& value) {
    if (!value.empty()) sec.facts.push_back({std::string(label), value});
  };
  add(s.natural_person ? "姓名" : "主体名称", s.name);
  add("主体类型", s.type);
  if (!s.uscc.empty()) {
    add("统一社会信用代码", s.uscc);
  } else {
    add("主体代码", s.code);
  }
  add("证件号码", s.id_masked);
  add("登记状态", s.status);
  add("所属行业", s.industry);
  add("所在地区代码", s.region);
  if (!s.former_names.empty()) {
    std::string names;
    for (const std::string& n : s.former_names) names += (names.empty() ? "" : "、") + n;
    add("曾用名", names);
  }
  add("报告期间", req.from.ToString() + " 至 " + req.to.ToString());
  return sec;
}

}  // namespace

std::span<const SectionSpec> PublicSections() { return kSections; }

std::string_view SectionOf(const catalog::Indicator& ind) {
  const std::string& c = ind.category;
  if (c == "登记注册基本信息") return "basic";
  if (c == "行政管理信息")
    return ind.nature == catalog::Nature::kNegative ? "penalties" : "licences";
  if (c == "职业资格") return "licences";
  if (c == "司法裁判及执行信息") return "court";
  if (c == "经营异常名录" || c == "严重失信主体名单") return "lists";
  if (c == "信用承诺及履行") return "commitments";
  if (c == "信用评价结果") return "evaluations";
  if (c == "诚信荣誉") return "honours";
  if (c == "合同履行") return "contracts";
  if (c == "自愿提供的信息") return "self_declared";
  return "other";
}

Result<ReportContent> BuildReport(const storage::Store& store, const catalog::Catalog& catalog,
                                  const DomainCatalog& domains, const Subject& subject,
                                  const ReportRequest& request, const BuildContext& ctx) {
  XY_RETURN_IF_ERROR(ValidateRequest(request));
  std::vector<const Domain*> chosen;
  for (const std::string& code : request.domains) {
    const Domain* d = domains.Find(code);
    if (d == nullptr) {
      return Status::InvalidArgument("domains: '" + code.substr(0, 40) +
                                     "' is not a domain of the special report");
    }
    chosen.push_back(d);
  }
  Builder b(catalog, ctx);
  ReportContent c;
  c.request = request;
  c.request.subject_code = subject.DisplayCode();
  c.cutoff = ctx.today;
  c.issuer = ctx.issuer;
  ReportSubject& s = c.subject;
  s.code = subject.DisplayCode();
  s.name = subject.name;
  s.type = std::string(SubjectTypeLabel(subject.type));
  s.uscc = subject.uscc;
  s.id_masked = subject.id_masked;
  s.region = subject.region;
  s.status = subject.status;
  s.industry = subject.industry;
  s.former_names = subject.former_names;
  s.natural_person = subject.type == SubjectType::kNaturalPerson;

  std::vector<Record> records;
  XY_RETURN_IF_ERROR(store.ListRecords(subject.id, "", &records));

  c.sections.push_back(BasicSection(s, request));
  if (request.kind == ReportKind::kSpecial) {
    for (const Domain* d : chosen) {
      ReportSection sec;
      sec.key = "domain:" + d->code;
      sec.title = d->name;
      // The conclusion counts every record in force, whatever the view; the items listed
      // follow the view.
      size_t in_force = 0;
      for (const Record& r : records) {
        const catalog::Indicator* ind = catalog.Find(r.indicator);
        if (ind == nullptr || !InPeriod(r, request) || r.decision_date == Date()) continue;
        if (!domains.Counts(*d, r)) continue;
        const bool shown = ctx.shown(r, ind);
        if (shown || (ctx.in_force && ctx.in_force(r, ind))) ++in_force;
        if (shown) sec.items.push_back(b.Item(r, *ind));
      }
      const size_t unlisted = in_force - sec.items.size();
      if (in_force == 0) {
        sec.summary = "报告期内，该主体在本领域无违法违规记录。";
      } else {
        sec.summary = "报告期内，该主体在本领域存在 " + std::to_string(in_force) +
                      " 条违法违规记录" +
                      (unlisted == 0 ? "，详见下列记录。"
                                     : "，其中 " + std::to_string(unlisted) +
                                           " 条为非公开信息或已期满停止公示，未在本报告列示。");
      }
      sec.facts.push_back({"结论", in_force == 0 ? "无违法违规记录" : "有违法违规记录"});
      c.sections.push_back(std::move(sec));
    }
    return c;
  }

  std::map<std::string_view, ReportSection*> by_key;
  for (const SectionSpec& spec : kSections) {
    if (spec.key == "basic") continue;  // already there
    ReportSection sec;
    sec.key = std::string(spec.key);
    sec.title = std::string(spec.title);
    c.sections.push_back(std::move(sec));
  }
  for (ReportSection& sec : c.sections) by_key[sec.key] = &sec;
  std::vector<std::string> memberships;
  for (const Record& r : records) {
    const catalog::Indicator* ind = catalog.Find(r.indicator);
    if (ind == nullptr || !ctx.shown(r, ind)) continue;
    const std::string_view key = SectionOf(*ind);
    if (rules::MeasureCatalog::IsListIndicator(ind->code)) {
      if (auto m = rules::ActiveMembership(r, *ind, ctx.today)) {
        std::string what = ind->name;
        std::string_view list = r.Get("YZSX_MDMC");
        if (!list.empty()) what += "（" + b.Text(list) + "）";
        memberships.push_back(what + "：自 " + m->start.ToString() + " 起" +
                              (m->end ? "，至 " + m->end->ToString() : ""));
      }
    }
    if (key != "basic" && !InPeriod(r, request)) continue;
    by_key[key]->items.push_back(b.Item(r, *ind));
  }
  for (ReportSection& sec : c.sections) {
    if (sec.key == "basic") continue;
    if (sec.key == "self_declared" && sec.items.empty()) {
      // 自主申报信息 (the subject's declarations, server/declarations.h: records of category
      // 自愿提供的信息, SectionOf): marked as the place they go while there are none.
      sec.placeholder = true;
      sec.summary = "暂无自主申报信息。";
      continue;
    }
    sec.summary = Count(sec.items.size(), sec.title);
  }
  ReportSection& lists = *by_key["lists"];
  lists.facts.push_back({"当前在列名单", memberships.empty() ? "无" : [&] {
                           std::string all;
                           for (const std::string& m : memberships)
                             all += (all.empty() ? "" : "；") + m;
                           return all;
                         }()});
  if (ctx.grade && request.view == ReportView::kFull) {
    ReportSection& ev = *by_key["evaluations"];
    char score[32];
    std::snprintf(score, sizeof score, "%.1f", ctx.grade->score);
    ev.facts.push_back({"公共信用综合评价等级", ctx.grade->label});
    ev.facts.push_back({"综合评价得分", score});
    ev.facts.push_back({"评价结果形成日期", ctx.grade->since == Date() ? std::string("出具时按当日数据计算")
                                                               : ctx.grade->since.ToString()});
    ev.facts.push_back({"评价模型", ctx.grade->model});
  }
  // Sections for categories the catalog does not have are left out when empty.
  std::erase_if(c.sections,
                [](const ReportSection& sec) { return sec.key == "other" && sec.items.empty(); });
  return c;
}

}  // namespace xinyong::report
