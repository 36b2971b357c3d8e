// The report module without a platform: canonical JSON, request limits, signatures through both
// renderings (and what tampering does to them), the PDF's fonts, numbers, the signing key file
// and the domains file.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <random>

#include "core/test_paths.h"
#include "report/builder.h"
#include "report/content.h"
#include "report/domains.h"
#include "report/envelope.h"
#include "report/issuer.h"
#include "report/render.h"
#include "report/signer.h"

namespace xinyong::report {
namespace {

namespace json = boost::json;

Date D(const char* s) { return Date::Parse(s).value(); }

ReportContent SampleContent() {
  ReportContent c;
  c.number = "XYBG-20261122-000042";
  c.request.kind = ReportKind::kPublic;
  c.request.subject_code = "91410100MA44XXXX1A";
  c.request.from = D("2021-11-22");
  c.request.to = D("2026-11-22");
  c.subject.code = c.request.subject_code;
  c.subject.name = "郑州市示例科技有限公司";
  c.subject.type = "法人";
  c.subject.uscc = c.subject.code;
  c.cutoff = D("2026-11-22");
  c.issued_unix_ms = 1795000000000;
  c.issuer = "郑州市公共信用信息平台";
  c.verify_url = "http://localhost:8080/verify.html?number=" + c.number;
  ReportSection basic{"basic", "基本信息", "", {{"主体名称", c.subject.name}}, {}, false};
  ReportSection pen{"penalties", "行政处罚信息", "报告期内共 1 条。", {}, {}, false};
  ReportItem item;
  item.title = "行政处罚信息";
  item.indicator = "admin_penalty";
  item.record_id = 7;
  item.version = 1;
  item.date = "2025-03-01";
  item.document_number = "郑市监罚〔2025〕12号";
  item.fields = {{"违法行为类型", "未按规定公示年度报告 <&> \"引号\""},
                 {"罚款金额（万元）", "0.5"}};
  pen.items.push_back(item);
  c.sections = {basic, pen};
  return c;
}

TEST(CanonicalTest, SortsMembersAndDropsWhitespace) {
  json::value a = json::parse(R"({"b": [1, {"y": 2, "x": "中"}], "a": null})");
  json::value b = json::parse(R"({"a":null,"b":[1,{"x":"中","y":2}]})");
  EXPECT_EQ(Canonical(a), R"({"a":null,"b":[1,{"x":"中","y":2}]})");
  EXPECT_EQ(Canonical(a), Canonical(b));
}

TEST(RequestTest, SpecialReportCoversAtMostFiveYears) {
  ReportRequest r;
  r.kind = ReportKind::kSpecial;
  r.domains = {"tax"};
  r.from = D("2021-11-23");
  r.to = D("2026-11-22");
  EXPECT_TRUE(ValidateRequest(r).ok());
  r.from = D("2021-11-22");  // five whole years and a day
  Status s = ValidateRequest(r);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("5 years"), std::string::npos) << s.message();
  // The default start (EarliestPeriodStart) is always accepted, across 29 February too.
  for (const char* to : {"2025-02-28", "2024-02-29", "2024-03-01", "2026-11-22"}) {
    r.to = D(to);
    r.from = EarliestPeriodStart(r.to);
    EXPECT_TRUE(ValidateRequest(r).ok()) << to;
    r.from = Date::FromDays(r.from.days() - 1);
    EXPECT_FALSE(ValidateRequest(r).ok()) << to;
  }
  EXPECT_EQ(EarliestPeriodStart(D("2025-02-28")), D("2020-02-29"));
  EXPECT_EQ(EarliestPeriodStart(D("2024-02-29")), D("2019-03-01"));
}

TEST(RequestTest, RefusesEmptyOrRepeatedDomainsAndBackwardPeriods) {
  ReportRequest r;
  r.kind = ReportKind::kSpecial;
  r.from = D("2025-01-01");
  r.to = D("2025-12-31");
  EXPECT_FALSE(ValidateRequest(r).ok());
  r.domains = {"tax", "tax"};
  EXPECT_FALSE(ValidateRequest(r).ok());
  r.domains = {"tax"};
  r.from = D("2026-01-01");
  EXPECT_FALSE(ValidateRequest(r).ok());
  ReportRequest p;
  p.from = D("2025-01-01");
  p.to = D("2025-12-31");
  p.domains = {"tax"};
  EXPECT_FALSE(ValidateRequest(p).ok()) << "a public report has no domains";
}

TEST(RequestTest, RoundTripsThroughJson) {
  ReportRequest r;
  r.kind = ReportKind::kSpecial;
  r.view = ReportView::kFull;
  r.subject_code = "P0123456789abcdef0123";
  r.domains = {"tax", "environment"};
  r.from = D("2024-01-01");
  r.to = D("2025-06-30");
  auto back = RequestFromJson(RequestJson(r));
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->kind, r.kind);
  EXPECT_EQ(back->view, r.view);
  EXPECT_EQ(back->domains, r.domains);
  EXPECT_EQ(back->from, r.from);
  EXPECT_EQ(back->to, r.to);
  EXPECT_EQ(back->subject_code, r.subject_code);
}

TEST(SignatureTest, HtmlReportVerifiesAndFailsWhenTampered) {
  auto signer = ReportSigner::ForTesting("html");
  ReportContent c = SampleContent();
  SignedReport sr = SignContent(*signer, ContentJson(c));
  std::string html = RenderHtml(c, sr);
  EXPECT_NE(html.find("郑州市示例科技有限公司"), std::string::npos);
  EXPECT_NE(html.find("&lt;&amp;&gt;"), std::string::npos) << "text is escaped";
  auto env = ExtractEnvelope(html);
  ASSERT_TRUE(env.ok()) << env.status().ToString();
  OfflineCheck ok = CheckSignature(*env, signer->public_key());
  EXPECT_TRUE(ok.signature_valid);
  EXPECT_TRUE(ok.key_matches);
  EXPECT_EQ(ok.number, c.number);
  EXPECT_EQ(ok.subject_name, c.subject.name);

  // One character of the embedded content changed: the penalty's date.
  std::string tampered = html;
  const size_t script = tampered.find("id=\"xinyong-report\"");
  const size_t at = tampered.find("2025-03-01", script);
  ASSERT_NE(at, std::string::npos);
  tampered[at + 3] = '4';
  auto env2 = ExtractEnvelope(tampered);
  ASSERT_TRUE(env2.ok());
  EXPECT_FALSE(CheckSignature(*env2, signer->public_key()).signature_valid);

  // A member given twice, the forged one first: a reader keeping the first would show it while
  // the signature checks over the second. Refused.
  std::string doubled = html;
  const size_t content = doubled.find("\"content\":{", script);
  ASSERT_NE(content, std::string::npos);
  doubled.insert(content + 11, "\"number\":\"XYBG-FAKE\",");
  auto env3 = ExtractEnvelope(doubled);
  ASSERT_FALSE(env3.ok());
  EXPECT_NE(env3.status().message().find("twice"), std::string::npos) << env3.status().ToString();

  // A second envelope spliced in (a genuine one of another report, say): which one would be
  // verified is not for the file to decide. Refused.
  std::string two = html;
  two.insert(two.find("<script type=\"application/json\""), HtmlEnvelopeElement(sr));
  auto env4 = ExtractEnvelope(two);
  ASSERT_FALSE(env4.ok());
  EXPECT_NE(env4.status().message().find("more than one"), std::string::npos);

  // What the signature covers, read back for the reader to compare with the page.
  const std::vector<SignedSection> said = SignedSections(env->content);
  ASSERT_EQ(said.size(), c.sections.size());
  for (size_t i = 0; i < said.size(); ++i) {
    EXPECT_EQ(said[i].title, c.sections[i].title);
    EXPECT_EQ(said[i].summary, c.sections[i].summary);
    EXPECT_EQ(said[i].facts.size(), c.sections[i].facts.size());
    ASSERT_EQ(said[i].items.size(), c.sections[i].items.size());
    for (size_t j = 0; j < said[i].items.size(); ++j) {
      EXPECT_EQ(said[i].items[j].document_number, c.sections[i].items[j].document_number);
    }
  }

  // Another key: not this platform's report.
  auto other = ReportSigner::ForTesting("other");
  OfflineCheck wrong = CheckSignature(*env, other->public_key());
  EXPECT_FALSE(wrong.signature_valid);
  EXPECT_FALSE(wrong.key_matches);
}

TEST(SignatureTest, PdfReportVerifiesAndFailsWhenTampered) {
  auto signer = ReportSigner::ForTesting("pdf");
  ReportContent c = SampleContent();
  SignedReport sr = SignContent(*signer, ContentJson(c));
  auto pdf = RenderPdf(c, sr);
  ASSERT_TRUE(pdf.ok()) << pdf.status().ToString();
  ASSERT_TRUE(pdf->starts_with("%PDF-"));
  EXPECT_GT(pdf->size(), 5000u);
  // pango laid the text out in a Noto CJK font, embedded (subset) in the file.
  EXPECT_TRUE(pdf->find("NotoSerifCJK") != std::string::npos ||
              pdf->find("NotoSansCJK") != std::string::npos);
  EXPECT_NE(pdf->find("%%EOF"), std::string::npos);

  auto env = ExtractEnvelope(*pdf);
  ASSERT_TRUE(env.ok()) << env.status().ToString();
  EXPECT_TRUE(CheckSignature(*env, signer->public_key()).signature_valid);
  // The same content signs the same in both renderings.
  auto from_html = ExtractEnvelope(RenderHtml(c, sr));
  ASSERT_TRUE(from_html.ok());
  EXPECT_EQ(from_html->canonical, env->canonical);

  // Re-encode the embedded envelope with the subject's name changed.
  std::string env_json = EnvelopeJson(*env);
  const size_t at = env_json.find("示例");
  ASSERT_NE(at, std::string::npos);
  env_json.replace(at, 6, "样板");
  auto forged = ParseEnvelope(env_json);
  ASSERT_TRUE(forged.ok());
  std::string forged_pdf = pdf->substr(0, pdf->find("%XINYONG-SIGNED-REPORT"));
  AppendPdfEnvelope(*forged, &forged_pdf);
  auto env2 = ExtractEnvelope(forged_pdf);
  ASSERT_TRUE(env2.ok()) << env2.status().ToString();
  EXPECT_FALSE(CheckSignature(*env2, signer->public_key()).signature_valid);
  // The genuine envelope with another one after it: refused, not "the last one wins".
  std::string two = *pdf;
  AppendPdfEnvelope(*env, &two);
  auto env3 = ExtractEnvelope(two);
  ASSERT_FALSE(env3.ok());
  EXPECT_NE(env3.status().message().find("more than one"), std::string::npos);
}

TEST(PdfTest, ABlockTallerThanAPageGoesOnOverTheNextPagesAboveTheMargin) {
  // 违法事实 may hold 5,000 characters: more than a page (about 2,000 at 10 pt). Before, such a
  // record was drawn from the top of a new page and ran off its bottom, its end lost.
  auto signer = ReportSigner::ForTesting("long");
  ReportContent c = SampleContent();
  PdfLayout normal;
  ASSERT_TRUE(RenderPdf(c, SignContent(*signer, ContentJson(c)), &normal).ok());
  EXPECT_LE(normal.lowest, normal.bottom);
  std::string facts;
  for (int i = 0; i < 500; ++i) facts += "经查当事人违法事实第" + std::to_string(i) + "项。";
  ReportSection& pen = c.sections[1];
  pen.items[0].fields.push_back({"违法事实", facts});   // glyph setter
  ReportItem odd = pen.items[0];
  odd.fields.push_back({"备注", "😀"});                  // a character Noto CJK lacks: pango
  pen.items.push_back(odd);
  pen.facts.push_back({"说明", facts});                   // a section's facts block: pango
  PdfLayout tall;
  auto pdf = RenderPdf(c, SignContent(*signer, ContentJson(c)), &tall);
  ASSERT_TRUE(pdf.ok()) << pdf.status().ToString();
  EXPECT_GE(tall.pages, normal.pages + 6) << "three blocks of over two pages each";
  EXPECT_LE(tall.lowest, tall.bottom) << "nothing drawn below the bottom margin";
  // Each block drew its own text whole, also those that began a new page (the page's header and
  // footer are laid out in between), in the content's order.
  const std::vector<std::string> want = {"一、基本信息", "主体名称：郑州市示例科技有限公司",
                                         "二、行政处罚信息"};
  ASSERT_GE(tall.texts.size(), want.size() + 5);
  for (size_t i = 0; i < want.size(); ++i) EXPECT_EQ(tall.texts[i], want[i]);
  EXPECT_EQ(tall.texts[3], "说明：" + facts);
  EXPECT_EQ(tall.texts[4], "报告期内共 1 条。");
  for (size_t i : {5, 6}) {
    EXPECT_TRUE(tall.texts[i].ends_with("违法事实：" + facts + (i == 6 ? "；备注：😀" : "")))
        << tall.texts[i].substr(0, 200);
  }
  EXPECT_EQ(tall.texts[7], "说明");
}

TEST(PdfTest, ARunOfClosingPunctuationStillBreaks) {
  // Closing punctuation never starts a line, so it may hang one glyph past the width; a run of
  // it (a value of 200 '…') must break all the same, not run off the page.
  auto signer = ReportSigner::ForTesting("punct");
  ReportContent c = SampleContent();
  PdfLayout before;
  ASSERT_TRUE(RenderPdf(c, SignContent(*signer, ContentJson(c)), &before).ok());
  EXPECT_LE(before.widest, 1.0);
  std::string dots;
  for (int i = 0; i < 200; ++i) dots += "…";
  c.sections[1].items[0].fields.push_back({"备注", dots});
  c.sections[1].items[0].fields.push_back({"说明", std::string(300, ')')});
  PdfLayout layout;
  ASSERT_TRUE(RenderPdf(c, SignContent(*signer, ContentJson(c)), &layout).ok());
  EXPECT_GT(layout.widest, 0.9);
  EXPECT_LE(layout.widest, 1.05) << "at most one hanging mark";
}

TEST(SignatureTest, FileWithoutEnvelopeIsNotFound) {
  EXPECT_EQ(ExtractEnvelope("%PDF-1.5\n%%EOF\n").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(ExtractEnvelope("<html></html>").status().code(), StatusCode::kNotFound);
}

TEST(NumberTest, FormatsAndParses) {
  EXPECT_EQ(ReportNumber(D("2026-11-22"), 42), "XYBG-20261122-000042");
  EXPECT_EQ(ParseReportNumber("XYBG-20261122-000042").value(), 42u);
  EXPECT_EQ(ParseReportNumber("XYBG-20261122-1234567").value(), 1234567u);
  EXPECT_FALSE(ParseReportNumber("XYBG-20261322-000042").ok());
  EXPECT_FALSE(ParseReportNumber("XYBG-20261122-00004x").ok());
  EXPECT_FALSE(ParseReportNumber("ABCD-20261122-000042").ok());
  EXPECT_FALSE(ParseReportNumber("XYBG-20261122-000000").ok());
  // The unguessable part: 8 base32 characters, fresh for every number.
  const std::string check = RandomNumberCheck();
  ASSERT_EQ(check.size(), 8u);
  EXPECT_EQ(check.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"), std::string::npos);
  EXPECT_NE(RandomNumberCheck(), RandomNumberCheck());
  EXPECT_EQ(ReportNumber(D("2026-11-22"), 42, "AB2CD7EF"), "XYBG-20261122-000042-AB2CD7EF");
  EXPECT_EQ(ParseReportNumber("XYBG-20261122-000042-AB2CD7EF").value(), 42u);
  EXPECT_EQ(ParseReportNumber("XYBG-20261122-1234567-AB2CD7EF").value(), 1234567u);
  EXPECT_FALSE(ParseReportNumber("XYBG-20261122-000042-ab2cd7ef").ok());
  EXPECT_FALSE(ParseReportNumber("XYBG-20261122-000042-AB2CD7E8").ok());
  EXPECT_FALSE(ParseReportNumber("XYBG-20261122-000042-").ok());
  EXPECT_EQ(VerifyUrl("https://x.example/", "XYBG-20261122-000042"),
            "https://x.example/verify.html?number=XYBG-20261122-000042");
}

TEST(SignerTest, KeyFileIsCreatedOwnerOnlyAndReopensToTheSameKey) {
  std::random_device rd;
  const auto dir =
      std::filesystem::temp_directory_path() / ("xinyong-rkey-" + std::to_string(rd()));
  const std::string file = (dir / "keys" / "data.report.key").string();
  EXPECT_EQ(ReportSigner::Open(file).status().code(), StatusCode::kNotFound);
  EXPECT_FALSE(std::filesystem::exists(dir)) << "Open makes nothing";
  auto a = ReportSigner::OpenOrCreate(file);
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  // Written under a temporary name and linked: nothing else is left in the directory.
  size_t files = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir / "keys")) {
    ++files;
    EXPECT_EQ(e.path().filename(), "data.report.key");
  }
  EXPECT_EQ(files, 1u);
  auto opened = ReportSigner::Open(file);
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  EXPECT_EQ((*opened)->public_key(), (*a)->public_key());
  struct stat st;
  ASSERT_EQ(::stat(file.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  auto b = ReportSigner::OpenOrCreate(file);
  ASSERT_TRUE(b.ok());
  EXPECT_EQ((*a)->public_key(), (*b)->public_key());
  auto parsed = ParsePublicKey("{\"public_key\":\"" + (*a)->PublicKeyBase64() + "\"}");
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(*parsed, (*a)->public_key());
  EXPECT_FALSE(ParsePublicKey("not a key").ok());
  std::ofstream(file, std::ios::trunc) << "short\n";
  EXPECT_EQ(ReportSigner::OpenOrCreate(file).status().code(), StatusCode::kInvalidArgument);
  std::filesystem::remove_all(dir);
}

TEST(DomainsTest, ShippedFileLoadsAndMatchesByDecidingBody) {
  auto catalog = catalog::Catalog::LoadDirectory(test::SourceDir() + "/data/catalog");
  ASSERT_TRUE(catalog.ok());
  auto domains =
      DomainCatalog::LoadFile(test::SourceDir() + "/data/report/domains.toml", **catalog);
  ASSERT_TRUE(domains.ok()) << domains.status().ToString();
  const Domain* env = (*domains)->Find("environment");
  const Domain* tax = (*domains)->Find("tax");
  ASSERT_NE(env, nullptr);
  ASSERT_NE(tax, nullptr);
  EXPECT_EQ(env->name, "生态环境领域");
  Record r;
  r.indicator = "admin_penalty";
  r.values = {{"CF_CFJG", "郑州市生态环境局"}};
  EXPECT_TRUE((*domains)->Counts(*env, r));
  EXPECT_FALSE((*domains)->Counts(*tax, r));
  r.indicator = "admin_licence";  // not a negative indicator of the domain
  EXPECT_FALSE((*domains)->Counts(*env, r));
  EXPECT_EQ((*domains)->Find("nothing"), nullptr);
}

TEST(DomainsTest, RefusesAPositiveIndicator) {
  auto catalog = catalog::Catalog::LoadDirectory(test::SourceDir() + "/data/catalog");
  ASSERT_TRUE(catalog.ok());
  std::random_device rd;
  const auto file =
      std::filesystem::temp_directory_path() / ("xinyong-dom-" + std::to_string(rd()) + ".toml");
  std::ofstream(file)
      << "[[domain]]\ncode = \"x\"\nname = \"某领域\"\nindicators = [\"red_list\"]\n";
  auto d = DomainCatalog::LoadFile(file.string(), **catalog);
  EXPECT_EQ(d.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(d.status().message().find("not a negative indicator"), std::string::npos);
  std::filesystem::remove(file);
}

}  // namespace
}  // namespace xinyong::report
