// RenderHtml (render.h).
#include <string_view>

#include "report/qr.h"
#include "report/render.h"

namespace xinyong::report {

namespace {

void Escape(std::string_view s, std::string* out) {
  for (char c : s) {
    switch (c) {
      case '&':
        *out += "&amp;";
        break;
      case '<':
        *out += "&lt;";
        break;
      case '>':
        *out += "&gt;";
        break;
      case '"':
        *out += "&quot;";
        break;
      case '\'':
        *out += "&#39;";
        break;
      default:
        out->push_back(c);
    }
  }
}

std::string E(std::string_view s) {
  std::string out;
  Escape(s, &out);
  return out;
}

constexpr std::string_view kStyle = R"(
body{font-family:"Noto Serif CJK SC","Noto Sans CJK SC","Source Han Serif SC",serif;margin:0;background:#f4f4f4;color:#222}
main{max-width:820px;margin:24px auto;background:#fff;padding:40px 56px;box-shadow:0 1px 4px rgba(0,0,0,.15)}
h1{text-align:center;font-size:26px;letter-spacing:4px;margin:8px 0 24px}
h2{font-family:"Noto Sans CJK SC",sans-serif;font-size:17px;border-bottom:2px solid #b22;padding-bottom:4px;margin-top:32px}
.head{display:flex;justify-content:space-between;gap:24px}
.head dl,.facts{display:grid;grid-template-columns:max-content 1fr;gap:4px 14px;margin:0}
dt{color:#555}dd{margin:0}
.qr{text-align:center;font-size:12px;color:#555;max-width:160px;word-break:break-all}
.summary{margin:8px 0}
.item{border:1px solid #ddd;border-radius:3px;padding:8px 12px;margin:8px 0;break-inside:avoid}
.item .t{font-weight:bold}.item .m{color:#555;font-size:13px;margin-left:8px}
.item dl{display:grid;grid-template-columns:max-content 1fr;gap:2px 12px;font-size:14px;margin-top:4px}
.note{font-size:13px;color:#444;border-top:1px solid #ccc;margin-top:32px;padding-top:12px}
.mono{font-family:monospace;word-break:break-all}
@media print{body{background:#fff}main{box-shadow:none;margin:0}}
)";

void Fields(const std::vector<ReportField>& fields, std::string_view cls, std::string* out) {
  if (fields.empty()) return;
  *out += "<dl class=\"" + std::string(cls) + "\">";
  for (const ReportField& f : fields) {
    *out += "<dt>" + E(f.label) + "</dt><dd>" + E(f.value) + "</dd>";
  }
  *out += "</dl>";
}

}  // namespace

std::string ChineseOrdinal(size_t n) {
  static constexpr std::string_view kDigits[] = {"",   "一", "二", "三", "四",
                                                 "五", "六", "七", "八", "九"};
  if (n == 0 || n >= 100) return std::to_string(n);
  std::string out;
  if (n >= 10) {
    if (n >= 20) out += kDigits[n / 10];
    out += "十";
  }
  out += kDigits[n % 10];
  return out;
}

std::string RenderHtml(const ReportContent& c, const SignedReport& signed_report) {
  std::string out;
  out.reserve(4096 + c.sections.size() * 2048);
  const std::string title(ReportKindTitle(c.request.kind));
  out +=
      "<!DOCTYPE html>\n<html lang=\"zh-CN\"><head><meta charset=\"utf-8\">"
      "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\"><title>";
  out += E(title) + " " + E(c.number) + "</title><style>";
  out += kStyle;
  out += "</style></head><body><main><h1>" + E(title) + "</h1><div class=\"head\"><dl>";
  const std::vector<ReportField> head = {
      {"报告编号", c.number},
      {"信用主体", c.subject.name},
      {c.subject.uscc.empty() ? "主体代码" : "统一社会信用代码",
       c.subject.uscc.empty() ? c.subject.code : c.subject.uscc},
      {"报告版本", std::string(ReportViewLabel(c.request.view))},
      {"报告期间", c.request.from.ToString() + " 至 " + c.request.to.ToString()},
      {"数据截止日期", c.cutoff.ToString()},
      {"出具时间", FormatBeijingTime(c.issued_unix_ms) + "（北京时间）"},
      {"出具机构", c.issuer}};
  for (const ReportField& f : head) out += "<dt>" + E(f.label) + "</dt><dd>" + E(f.value) + "</dd>";
  out += "</dl><div class=\"qr\">";
  if (auto qr = EncodeQr(c.verify_url); qr.ok()) out += QrSvg(*qr, 140);
  out += "<div>扫码或访问以下网址验证报告真伪</div><div class=\"mono\">" + E(c.verify_url) +
         "</div></div></div>";
  for (size_t i = 0; i < c.sections.size(); ++i) {
    const ReportSection& s = c.sections[i];
    out += "<section id=\"" + E(s.key) + "\"><h2>" + ChineseOrdinal(i + 1) + "、" + E(s.title) +
           "</h2>";
    Fields(s.facts, "facts", &out);
    if (!s.summary.empty()) out += "<p class=\"summary\">" + E(s.summary) + "</p>";
    for (const ReportItem& item : s.items) {
      out += "<div class=\"item\"><span class=\"t\">" + E(item.title) + "</span>";
      if (!item.date.empty()) out += "<span class=\"m\">" + E(item.date) + "</span>";
      if (!item.document_number.empty()) {
        out += "<span class=\"m\">" + E(item.document_number) + "</span>";
      }
      Fields(item.fields, "", &out);
      out += "</div>";
    }
    out += "</section>";
  }
  out +=
      "<div class=\"note\"><p>说明：本报告依据报告期间内平台归集的公共信用信息生成，"
      "信息以数据截止日期平台所载为准。已修复、已撤销或公示期满的信息按规定不予展示。"
      "报告内容由平台以 Ed25519 数字签名，可在验证页面或使用命令 "
      "<span class=\"mono\">xinyong report verify</span> 离线核验。</p>";
  out += "<p>签名密钥标识：<span class=\"mono\">" + E(signed_report.key_id) +
         "</span><br>内容摘要（SHA-256）：<span class=\"mono\">" +
         E(Sha256Hex(signed_report.canonical)) + "</span></p></div></main>\n";
  out += HtmlEnvelopeElement(signed_report);
  out += "\n</body></html>\n";
  return out;
}

}  // namespace xinyong::report
