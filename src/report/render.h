// The two renderings of a report, both from the same content (content.h) and both carrying the
// signed envelope (envelope.h) so that the file verifies offline: an HTML page (UTF-8, inline
// CSS and SVG QR code, no external resources) and an A4 PDF laid out with pango on cairo in
// Noto CJK fonts (fonts-noto-cjk), with the QR code of the verification URL drawn on the first
// page. Pure functions of their arguments; thread-safe (pango's font map is shared and
// thread-safe since pango 1.32).
#pragma once

#include <string>
#include <vector>

#include "core/status.h"
#include "report/content.h"
#include "report/envelope.h"

namespace xinyong::report {

// Section numbers as a Chinese report writes them: 一、二、…
std::string ChineseOrdinal(size_t n);

std::string RenderHtml(const ReportContent& c, const SignedReport& signed_report);
// How a PDF's flow was laid out: its pages, and the lowest point any block of the flow reached
// on any page, against the bottom margin it must stay above (points from the page's top).
struct PdfLayout {
  int pages = 0;
  double lowest = 0, bottom = 0;
  std::vector<std::string> texts;  // the text of every block and record of the flow, in order
  double widest = 0;  // the widest line of a record, over the width it was set in (≤ 1, but
                      // for one hanging closing punctuation mark)
};
// Internal for cairo failures; InvalidArgument when the verification URL cannot be a QR code.
Result<std::string> RenderPdf(const ReportContent& c, const SignedReport& signed_report,
                              PdfLayout* layout = nullptr);

}  // namespace xinyong::report
