// Credit report rendering (docs/benchmarks.md, "Credit reports"): one company with N records
// (default 5,000: half licences, half penalties, all inside the report's period and public, so
// every one is laid out) ingested through the real pipeline, then per repetition the report
// content built from the store with the access rules, signed, and rendered as PDF and as HTML.
// Prints the median of each step in milliseconds and the issue's goal (a 5,000-record report in
// under 1 s; no external anchor exists).
//   bench_report [--records N] [--reps R] [--dir DIR]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include "report/render.h"
#include "server/access.h"
#include "server/reports.h"

using namespace xinyong;

namespace {

double Ms(std::chrono::steady_clock::time_point a, std::chrono::steady_clock::time_point b) {
  return std::chrono::duration<double, std::milli>(b - a).count();
}

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

constexpr char kName[] = "郑州宏达（集团）商贸有限公司";
constexpr char kUscc[] = "91110000600037341L";

}  // namespace

int main(int argc, char** argv) {
  int records = 5000, reps = 5;
  std::string dir = (std::filesystem::temp_directory_path() / "xinyong-report-bench").string();
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--records"))
      records = std::atoi(argv[i + 1]);
    else if (!std::strcmp(argv[i], "--reps"))
      reps = std::atoi(argv[i + 1]);
    else if (!std::strcmp(argv[i], "--dir"))
      dir = argv[i + 1];
  }
  std::filesystem::remove_all(dir);
  server::PlatformOptions o;
  o.data_dir = dir + "/data";
  o.key_file = dir + "/keys/bench.key";
  o.sync = false;
  o.grade_on_ingest = false;
  auto p = server::Platform::Open(o);
  if (!p.ok()) {
    std::fprintf(stderr, "bench_report: %s\n", p.status().ToString().c_str());
    return 1;
  }
  const Date today = Date::Today();
  // Licences and penalties spread over the last 300 days (a general penalty is published for a
  // year, FACTS §4), each its own decision.
  std::string licences =
      "XK_XDR_MC,XK_XDR_LB,XK_XDR_SHXYM,XK_XKWS,XK_WSH,XK_XKLB,XK_XKZS,XK_XKBH,XK_NR,XK_JDRQ,"
      "XK_YXQZ,XK_YXQZI,XK_XKJG,XK_XKJGDM,XK_LYDW,XK_LYDWDM\n";
  std::string penalties =
      "CF_XDR_MC,CF_XDR_LB,CF_XDR_SHXYM,CF_WSH,CF_WFXW,CF_SY,CF_YJ,CF_CFLB,CF_NR,CF_NR_FK,"
      "CF_JDRQ,CF_CFJG,CF_CFJGDM,CF_SJLY,CF_SJLYDM,CF_CFCX\n";
  for (int i = 0; i < records; ++i) {
    const std::string date = today.AddDays(-(i % 300) - 1).ToString();
    const std::string n = std::to_string(i + 1);
    if (i % 2 == 0) {
      licences += std::string(kName) + ",法人及非法人组织," + kUscc +
                  ",食品经营许可决定书,郑市监许〔2026〕" + n + "号,普通,食品经营许可证,JY" + n +
                  ",预包装食品销售、散装食品销售、热食类食品制售（第" + n + "项）," + date + "," +
                  date +
                  ",2099/12/31,郑州市市场监督管理局,11410100MB0000001X,"
                  "郑州市市场监督管理局,11410100MB0000001X\n";
    } else {
      penalties += std::string(kName) + ",法人及非法人组织," + kUscc + ",郑市监罚〔2026〕" + n +
                   "号,虚假宣传,在网站发布虚假广告宣传产品功效（第" + n +
                   "起）,《中华人民共和国广告法》第五十五条,罚款,责令停止发布广告，罚款2万元,2," +
                   date +
                   ",郑州市市场监督管理局,11410100MB0000001X,郑州市市场监督管理局,"
                   "11410100MB0000001X,普通程序\n";
    }
  }
  for (auto [indicator, csv] :
       {std::pair{"admin_licence", &licences}, std::pair{"admin_penalty", &penalties}}) {
    ingest::IngestOptions io;
    io.indicator = indicator;
    auto r = (*p)->ingester().IngestBuffer(*csv, std::string(indicator) + ".csv", io);
    if (!r.ok() || r->rejected != 0) {
      std::fprintf(stderr, "bench_report: ingest of %s failed: %s\n", indicator,
                   r.ok() ? "rows rejected" : r.status().ToString().c_str());
      return 1;
    }
  }
  auto subject = (*p)->FindSubjectByCode(kUscc);
  if (!subject.ok()) return 1;
  report::ReportRequest req;
  req.to = today;
  req.from = Date::FromDays(today.AddMonths(-60).days() + 1);
  req.subject_code = kUscc;

  std::vector<double> model, sign, pdf, html, issue;
  size_t items = 0, pdf_bytes = 0, html_bytes = 0;
  for (int r = 0; r < reps; ++r) {
    auto t0 = std::chrono::steady_clock::now();
    auto c = server::BuildReportContent(**p, *subject, req, today);
    auto t1 = std::chrono::steady_clock::now();
    if (!c.ok()) {
      std::fprintf(stderr, "bench_report: %s\n", c.status().ToString().c_str());
      return 1;
    }
    c->number = "XYBG-20260101-000001";
    c->verify_url = "http://localhost:8080/verify.html?number=" + c->number;
    report::SignedReport sr = report::SignContent(*(*p)->report_signer().value(), report::ContentJson(*c));
    auto t2 = std::chrono::steady_clock::now();
    auto file = report::RenderPdf(*c, sr);
    auto t3 = std::chrono::steady_clock::now();
    std::string h = report::RenderHtml(*c, sr);
    auto t4 = std::chrono::steady_clock::now();
    if (!file.ok()) return 1;
    auto issued = server::IssueReport(**p, *subject, req, today, server::NowUnixMs());
    auto t5 = std::chrono::steady_clock::now();
    if (!issued.ok()) return 1;
    items = 0;
    for (const auto& s : c->sections) items += s.items.size();
    pdf_bytes = file->size();
    html_bytes = h.size();
    model.push_back(Ms(t0, t1));
    sign.push_back(Ms(t1, t2));
    pdf.push_back(Ms(t2, t3));
    html.push_back(Ms(t3, t4));
    issue.push_back(Ms(t4, t5));
  }
  const double m = Median(model), s = Median(sign), pd = Median(pdf), ht = Median(html);
  std::printf(
      "report records=%d items=%zu model_ms=%.1f sign_ms=%.1f issue_ms=%.1f (build+sign+store)\n",
      records, items, m, s, Median(issue));
  std::printf("report_pdf ms=%.1f bytes=%zu total_ms=%.1f (goal < 1000: model + sign + pdf)\n", pd,
              pdf_bytes, m + s + pd);
  std::printf("report_html ms=%.1f bytes=%zu total_ms=%.1f (goal < 1000: model + sign + html)\n",
              ht, html_bytes, m + s + ht);
  p->reset();
  std::filesystem::remove_all(dir);
  return 0;
}
