// RenderPdf (render.h): A4 pages laid out top to bottom, a block (a heading, a list of facts, one
// record) that does not fit the rest of a page starting the next one. Headings, the cover and the
// notes are pango layouts. Records — thousands in a large report — are set by GlyphSetter: the
// glyphs and advances of pango's font for each character, cached, and a CJK line breaker (break
// between any two Han characters, never before closing punctuation, not inside a Latin word or
// number), drawn with cairo_show_glyphs. A full pango layout (itemization, shaping, line breaking
// per record) measured 0.25 ms a record, over the 1 s for 5,000; the setter a fraction.
// A record with a character the font lacks goes through pango instead (font fallback).
#include <cairo-pdf.h>
#include <cairo.h>
#include <glib.h>
#include <hb.h>
#include <pango/pangocairo.h>

#include <algorithm>
#include <memory>
#include <span>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "report/qr.h"
#include "report/render.h"

namespace xinyong::report {

namespace {

constexpr double kPageW = 595.276;  // A4 in points
constexpr double kPageH = 841.890;
constexpr double kMargin = 56;
constexpr double kBodyW = kPageW - 2 * kMargin;
constexpr double kTop = kMargin + 18;         // below the running header
constexpr double kBottom = kPageH - kMargin;  // above the footer
constexpr const char* kSerif = "Noto Serif CJK SC";
constexpr const char* kSans = "Noto Sans CJK SC";

cairo_status_t AppendToString(void* closure, const unsigned char* data, unsigned int length) {
  static_cast<std::string*>(closure)->append(reinterpret_cast<const char*>(data), length);
  return CAIRO_STATUS_SUCCESS;
}

std::string Esc(std::string_view s) {
  gchar* e = g_markup_escape_text(s.data(), static_cast<gssize>(s.size()));
  std::string out(e);
  g_free(e);
  return out;
}

struct Font {
  PangoFontDescription* desc;
  explicit Font(const std::string& spec) : desc(pango_font_description_from_string(spec.c_str())) {}
  ~Font() { pango_font_description_free(desc); }
  Font(const Font&) = delete;
  Font& operator=(const Font&) = delete;
};

// One font as the glyph setter uses it: pango's font (so the same face pango would pick), its
// cairo scaled font and HarfBuzz font for glyph lookups, and the per-character cache.
class SetterFace {
 public:
  SetterFace(PangoContext* ctx, const PangoFontDescription* desc)
      : font_(pango_font_map_load_font(pango_context_get_font_map(ctx), ctx, desc)) {
    scaled_ = font_ ? pango_cairo_font_get_scaled_font(PANGO_CAIRO_FONT(font_)) : nullptr;
    hb_ = font_ ? pango_font_get_hb_font(font_) : nullptr;
  }
  ~SetterFace() {
    if (font_) g_object_unref(font_);
  }
  SetterFace(const SetterFace&) = delete;
  SetterFace& operator=(const SetterFace&) = delete;
  bool ok() const { return scaled_ != nullptr && hb_ != nullptr; }
  cairo_scaled_font_t* scaled() const { return scaled_; }

  struct Glyph {
    unsigned long index = 0;  // 0: the font has no glyph for the character
    double advance = 0;
  };
  const Glyph& Get(gunichar c) {
    auto it = cache_.find(c);
    if (it != cache_.end()) return it->second;
    Glyph g;
    hb_codepoint_t index = 0;
    if (hb_font_get_nominal_glyph(hb_, c, &index) && index != 0) {
      cairo_glyph_t cg{index, 0, 0};
      cairo_text_extents_t e;
      cairo_scaled_font_glyph_extents(scaled_, &cg, 1, &e);
      g = {index, e.x_advance};
    }
    return cache_.emplace(c, g).first->second;
  }

 private:
  PangoFont* font_;
  cairo_scaled_font_t* scaled_ = nullptr;
  hb_font_t* hb_ = nullptr;
  std::unordered_map<gunichar, Glyph> cache_;
};

// Text of one record: runs of regular or bold text. One colour: every change of font or colour
// is another cairo_show_glyphs call, whose operators cairo prints with printf — grey labels
// doubled the PDF's time (docs/benchmarks.md).
struct Run {
  std::string_view text;
  bool bold = false;
};

class GlyphSetter {
 public:
  struct Placed {
    unsigned long index;
    double x;
    bool bold;
  };
  using Line = std::vector<Placed>;

  GlyphSetter(PangoContext* ctx, const PangoFontDescription* regular,
              const PangoFontDescription* bold)
      : regular_(ctx, regular), bold_(ctx, bold) {
    PangoFontMetrics* m = pango_context_get_metrics(ctx, regular, nullptr);
    ascent_ = static_cast<double>(pango_font_metrics_get_ascent(m)) / PANGO_SCALE;
    const double descent = static_cast<double>(pango_font_metrics_get_descent(m)) / PANGO_SCALE;
    pango_font_metrics_unref(m);
    line_height_ = (ascent_ + descent) * 1.08;
  }
  bool ok() const { return regular_.ok() && bold_.ok(); }
  double line_height() const { return line_height_; }

  // Breaks the runs into lines of at most `width`; false when a character has no glyph in the
  // font (the caller uses pango then).
  bool Set(const std::vector<Run>& runs, double width, std::vector<Line>* lines) {
    lines->assign(1, Line());
    double x = 0;
    size_t word_start = 0;  // in the current line: where the Latin word or number being set began
    bool in_word = false;
    for (const Run& run : runs) {
      SetterFace& face = run.bold ? bold_ : regular_;
      const char* p = run.text.data();
      const char* end = p + run.text.size();
      while (p < end) {
        const gunichar c = g_utf8_get_char_validated(p, end - p);
        if (c == static_cast<gunichar>(-1) || c == static_cast<gunichar>(-2)) return false;
        p = g_utf8_next_char(p);
        if (c == '\n') {
          lines->emplace_back();
          x = 0;
          in_word = false;
          continue;
        }
        const SetterFace::Glyph& g = face.Get(c);
        if (g.index == 0) return false;
        const bool word_char = c < 0x80 && (g_ascii_isalnum(static_cast<gchar>(c)) || c == '.' ||
                                            c == '-' || c == '/' || c == '%');
        Line& line = lines->back();
        if (word_char && !in_word) word_start = line.size();
        in_word = word_char;
        // Closing punctuation may hang one glyph past the width (禁则: it never starts a
        // line); a run of it breaks all the same, or it would run off the page.
        if (x + g.advance > width && !line.empty() && (!ClosingPunctuation(c) || x > width)) {
          Line next;
          if (word_char && word_start > 0 && word_start < line.size()) {
            // Carry the word begun on this line over whole (nothing to carry when the word
            // begins with this very character).
            const double shift = line[word_start].x;
            for (size_t i = word_start; i < line.size(); ++i) {
              next.push_back(line[i]);
              next.back().x -= shift;
            }
            line.resize(word_start);
          }
          x = next.empty() ? 0 : next.back().x + AdvanceOf(next.back());
          word_start = 0;
          lines->push_back(std::move(next));
        }
        lines->back().push_back({g.index, x, run.bold});
        x += g.advance;
      }
    }
    return true;
  }

  // Draws lines set by Set with the first baseline `ascent` below y.
  void Draw(cairo_t* cr, std::span<const Line> lines, double x0, double y) {
    std::vector<cairo_glyph_t> glyphs;
    for (const Line& line : lines) {
      const double baseline = y + ascent_;
      size_t i = 0;
      while (i < line.size()) {
        const bool bold = line[i].bold;
        glyphs.clear();
        for (; i < line.size() && line[i].bold == bold; ++i) {
          glyphs.push_back({line[i].index, x0 + line[i].x, baseline});
        }
        cairo_set_scaled_font(cr, (bold ? bold_ : regular_).scaled());
        cairo_show_glyphs(cr, glyphs.data(), static_cast<int>(glyphs.size()));
      }
      y += line_height_;
    }
  }

 private:
  static bool ClosingPunctuation(gunichar c) {
    static constexpr std::u32string_view kClosing = U"，。、；：！？）」』】〕〉》”’…,.;:!?)]}%";
    return kClosing.find(static_cast<char32_t>(c)) != std::u32string_view::npos;
  }
  // How far a set line reaches: its last glyph's end.
 public:
  double LineWidth(const Line& line) {
    return line.empty() ? 0 : line.back().x + AdvanceOf(line.back());
  }

 private:
  double AdvanceOf(const Placed& p) {
    // Only needed for the glyph that ends a carried word: look it up by index is not possible
    // from the cache keyed by character, so measure it.
    cairo_glyph_t cg{p.index, 0, 0};
    cairo_text_extents_t e;
    cairo_scaled_font_glyph_extents((p.bold ? bold_ : regular_).scaled(), &cg, 1, &e);
    return e.x_advance;
  }

  SetterFace regular_, bold_;
  double ascent_ = 0, line_height_ = 0;
};

class PdfWriter {
 public:
  PdfWriter(const ReportContent& c, std::string* out)
      : c_(c),
        surface_(cairo_pdf_surface_create_for_stream(AppendToString, out, kPageW, kPageH)),
        cr_(cairo_create(surface_)),
        layout_(pango_cairo_create_layout(cr_)),
        body_(std::string(kSerif) + " 10"),
        small_(std::string(kSans) + " 8"),
        heading_(std::string(kSans) + " Bold 13"),
        title_(std::string(kSans) + " Bold 22"),
        body_bold_(std::string(kSerif) + " Bold 10") {
    // Points as the page measures them (pango's default is 96 dpi).
    pango_cairo_context_set_resolution(pango_layout_get_context(layout_), 72);
    pango_layout_context_changed(layout_);
    pango_layout_set_wrap(layout_, PANGO_WRAP_WORD_CHAR);
    setter_ = std::make_unique<GlyphSetter>(pango_layout_get_context(layout_), body_.desc,
                                            body_bold_.desc);
    if (!setter_->ok()) setter_.reset();
    const std::string t = std::string(ReportKindTitle(c.request.kind)) + " " + c.number;
    cairo_pdf_surface_set_metadata(surface_, CAIRO_PDF_METADATA_TITLE, t.c_str());
    cairo_pdf_surface_set_metadata(surface_, CAIRO_PDF_METADATA_AUTHOR, c.issuer.c_str());
    cairo_pdf_surface_set_metadata(surface_, CAIRO_PDF_METADATA_CREATOR, "Xinyong");
  }
  ~PdfWriter() {
    g_object_unref(layout_);
    cairo_destroy(cr_);
    cairo_surface_destroy(surface_);
  }
  PdfWriter(const PdfWriter&) = delete;
  PdfWriter& operator=(const PdfWriter&) = delete;

  Status Finish() {
    lowest_ = std::max(lowest_, y_);
    Footer();
    cairo_show_page(cr_);
    cairo_surface_finish(surface_);
    if (cairo_status(cr_) != CAIRO_STATUS_SUCCESS ||
        cairo_surface_status(surface_) != CAIRO_STATUS_SUCCESS) {
      return Status::Internal(std::string("cairo failed to write the PDF: ") +
                              cairo_status_to_string(cairo_surface_status(surface_)));
    }
    return Status::Ok();
  }

  // Lays out `markup` at `width` in `font`; returns its height.
  double Prepare(const std::string& markup, const Font& font, double width,
                 PangoAlignment align = PANGO_ALIGN_LEFT) {
    pango_layout_set_font_description(layout_, font.desc);
    pango_layout_set_width(layout_, static_cast<int>(width * PANGO_SCALE));
    pango_layout_set_alignment(layout_, align);
    pango_layout_set_markup(layout_, markup.c_str(), -1);
    int w = 0, h = 0;
    pango_layout_get_size(layout_, &w, &h);
    return static_cast<double>(h) / PANGO_SCALE;
  }
  void Show(double x, double y) {
    cairo_move_to(cr_, x, y);
    pango_cairo_show_layout(cr_, layout_);
  }
  // Where a block of height `h` whose first line is `first` high starts: on a new page when it
  // does not fit what is left of this one but fits a page; one taller than a page starts here
  // (when its first line fits) and goes on over the next pages.
  void StartBlock(double h, double first, double space_before) {
    if (y_ > kTop && y_ + space_before + h > kBottom &&
        (h <= kBottom - kTop || y_ + space_before + first > kBottom)) {
      NewPage();
    } else {
      y_ += space_before;
    }
  }

  // A block of the flow: starts a new page when it does not fit; one taller than what is left of
  // the page is drawn line by line over as many pages as it needs, nothing below the margin.
  void Block(const std::string& markup, const Font& font, double space_before, double indent = 0,
             bool rule = false) {
    const double h = Prepare(markup, font, kBodyW - indent);
    // Its own copy: a new page lays out the header and footer in layout_.
    PangoLayout* block = pango_layout_copy(layout_);
    struct LineAt {
      PangoLayoutLine* line;
      double top, bottom, baseline;  // in the layout, points
    };
    std::vector<LineAt> lines;
    PangoLayoutIter* it = pango_layout_get_iter(block);
    do {
      int y0 = 0, y1 = 0;
      pango_layout_iter_get_line_yrange(it, &y0, &y1);
      lines.push_back({pango_layout_iter_get_line_readonly(it),
                       static_cast<double>(y0) / PANGO_SCALE, static_cast<double>(y1) / PANGO_SCALE,
                       static_cast<double>(pango_layout_iter_get_baseline(it)) / PANGO_SCALE});
    } while (pango_layout_iter_next_line(it));
    pango_layout_iter_free(it);
    StartBlock(h, lines.front().bottom, space_before);
    Trace(pango_layout_get_text(block));
    for (size_t from = 0; from < lines.size();) {
      if (from > 0) NewPage();
      const double top = lines[from].top;
      size_t to = from + 1;  // at least one line a page
      while (to < lines.size() && y_ + lines[to].bottom - top <= kBottom) ++to;
      const double part = to == lines.size() && from == 0 ? h : lines[to - 1].bottom - top;
      if (rule) Shade(part);
      for (size_t i = from; i < to; ++i) {
        cairo_move_to(cr_, kMargin + indent, y_ + lines[i].baseline - top);
        pango_cairo_show_layout_line(cr_, lines[i].line);
      }
      y_ += part;
      from = to;
    }
    g_object_unref(block);
  }

  void Cover() {
    Header();
    y_ = kTop + 8;
    const double h =
        Prepare(Esc(ReportKindTitle(c_.request.kind)), title_, kBodyW, PANGO_ALIGN_CENTER);
    Show(kMargin, y_);
    y_ += h + 18;
    // Facts on the left, the QR code on the right.
    constexpr double kQr = 110;
    std::string facts;
    auto line = [&](std::string_view label, const std::string& value) {
      facts += "<b>" + Esc(label) + "：</b>" + Esc(value) + "\n";
    };
    line("报告编号", c_.number);
    line("信用主体", c_.subject.name);
    line(c_.subject.uscc.empty() ? "主体代码" : "统一社会信用代码",
         c_.subject.uscc.empty() ? c_.subject.code : c_.subject.uscc);
    line("报告版本", std::string(ReportViewLabel(c_.request.view)));
    line("报告期间", c_.request.from.ToString() + " 至 " + c_.request.to.ToString());
    line("数据截止日期", c_.cutoff.ToString());
    line("出具时间", FormatBeijingTime(c_.issued_unix_ms) + "（北京时间）");
    line("出具机构", c_.issuer);
    facts.pop_back();
    pango_layout_set_spacing(layout_, 3 * PANGO_SCALE);
    const double fh = Prepare(facts, body_, kBodyW - kQr - 16);
    Show(kMargin, y_);
    pango_layout_set_spacing(layout_, 0);
    DrawQr(kMargin + kBodyW - kQr, y_, kQr);
    const double uh =
        Prepare("扫码验证报告真伪\n" + Esc(c_.verify_url), small_, kQr + 40, PANGO_ALIGN_CENTER);
    Show(kMargin + kBodyW - kQr - 20, y_ + kQr + 2);
    y_ += std::max(fh, kQr + 2 + uh) + 10;
  }

  Status Qr() { return qr_status_; }
  // Records what the flow draws, for Layout().
  void Trace() { tracing_ = true; }
  PdfLayout Layout() { return {page_, lowest_, kBottom, std::move(texts_), widest_}; }

  void Sections() {
    for (size_t i = 0; i < c_.sections.size(); ++i) {
      const ReportSection& s = c_.sections[i];
      Block(Esc(ChineseOrdinal(i + 1) + "、" + s.title), heading_, 16, 0);
      if (!s.facts.empty()) {
        std::string facts;
        for (const ReportField& f : s.facts) {
          facts += "<b>" + Esc(f.label) + "：</b>" + Esc(f.value) + "\n";
        }
        facts.pop_back();
        Block(facts, body_, 6);
      }
      if (!s.summary.empty()) Block(Esc(s.summary), body_, 4);
      for (const ReportItem& item : s.items) Item(item);
    }
  }

  // One record: its title, date and document number in bold on the first line, then its fields.
  void Item(const ReportItem& item) {
    constexpr double kIndent = 8, kSpace = 6;
    const double width = kBodyW - kIndent;
    if (setter_) {
      std::vector<Run> runs;
      runs.reserve(2 + 3 * item.fields.size());
      runs.push_back({item.title, true});
      std::string head;
      if (!item.date.empty()) head += "　" + item.date;
      if (!item.document_number.empty()) head += "　" + item.document_number;
      head += "\n";
      runs.push_back({head, false});
      std::vector<std::string> labels;
      labels.reserve(item.fields.size());
      for (size_t i = 0; i < item.fields.size(); ++i) {
        labels.push_back((i ? "；" : "") + item.fields[i].label + "：");
      }
      for (size_t i = 0; i < item.fields.size(); ++i) {
        runs.push_back({labels[i], false});
        runs.push_back({item.fields[i].value, false});
      }
      if (setter_->Set(runs, width, &lines_)) {
        const double lh = setter_->line_height();
        StartBlock(static_cast<double>(lines_.size()) * lh, lh, kSpace);
        if (tracing_) {
          std::string text;
          for (const Run& r : runs) text += r.text;
          Trace(text);
          for (const GlyphSetter::Line& l : lines_) {
            widest_ = std::max(widest_, setter_->LineWidth(l) / width);
          }
        }
        // A record taller than what is left of the page goes on over the next pages.
        for (size_t from = 0; from < lines_.size();) {
          if (from > 0) NewPage();
          const size_t fit = std::max<size_t>(1, static_cast<size_t>((kBottom - y_) / lh));
          const size_t n = std::min(fit, lines_.size() - from);
          Shade(static_cast<double>(n) * lh);
          setter_->Draw(cr_, std::span<const GlyphSetter::Line>(lines_).subspan(from, n), kMargin + kIndent, y_);
          y_ += static_cast<double>(n) * lh;
          from += n;
        }
        return;
      }
    }
    // A character the font lacks (or no setter): pango, with its font fallback.
    std::string m = "<b>" + Esc(item.title) + "</b>";
    if (!item.date.empty()) m += "　" + Esc(item.date);
    if (!item.document_number.empty()) m += "　" + Esc(item.document_number);
    m += "\n";
    bool first = true;
    for (const ReportField& f : item.fields) {
      if (!first) m += "；";
      first = false;
      m += Esc(f.label) + "：" + Esc(f.value);
    }
    Block(m, body_, kSpace, kIndent, true);
  }

  void Notes(const SignedReport& signed_report) {
    Block(Esc("说明"), heading_, 18);
    Block(Esc("1. 本报告依据报告期间内平台归集的公共信用信息生成，信息以数据截止日期平台所载为准；"
              "已修复、已撤销或公示期满的信息按规定不予展示。\n"
              "2. 本报告内容经平台 Ed25519 "
              "数字签名。可扫描首页二维码或访问验证网址核验真伪及报告出具后"
              "信息是否发生变化，也可使用命令 xinyong report verify 以平台公开的公钥离线核验。") +
              "\n3. 签名密钥标识：" + Esc(signed_report.key_id) + "\n4. 内容摘要（SHA-256）：" +
              Esc(Sha256Hex(signed_report.canonical)),
          small_, 6);
  }

 private:
  // The light band behind a record.
  void Shade(double h) {
    cairo_set_source_rgb(cr_, 0.95, 0.96, 0.97);
    cairo_rectangle(cr_, kMargin, y_ - 2, kBodyW, h + 4);
    cairo_fill(cr_);
    cairo_set_source_rgb(cr_, 0, 0, 0);
  }
  void NewPage() {
    lowest_ = std::max(lowest_, y_);
    Footer();
    cairo_show_page(cr_);
    ++page_;
    Header();
    y_ = kTop;
  }
  void Header() {
    const std::string h =
        Esc(std::string(ReportKindTitle(c_.request.kind)) + "　报告编号：" + c_.number);
    Prepare(h, small_, kBodyW, PANGO_ALIGN_RIGHT);
    cairo_set_source_rgb(cr_, 0.4, 0.4, 0.4);
    Show(kMargin, kMargin - 14);
    cairo_set_source_rgb(cr_, 0, 0, 0);
  }
  void Footer() {
    Prepare(Esc("第 " + std::to_string(page_) + " 页"), small_, kBodyW, PANGO_ALIGN_CENTER);
    cairo_set_source_rgb(cr_, 0.4, 0.4, 0.4);
    Show(kMargin, kPageH - kMargin + 10);
    cairo_set_source_rgb(cr_, 0, 0, 0);
  }
  void DrawQr(double x, double y, double size) {
    auto qr = EncodeQr(c_.verify_url);
    if (!qr.ok()) {
      qr_status_ = qr.status();
      return;
    }
    const double module = size / (qr->size + 8);
    cairo_set_source_rgb(cr_, 0, 0, 0);
    for (int r = 0; r < qr->size; ++r) {
      for (int col = 0; col < qr->size; ++col) {
        if (qr->at(col, r)) {
          cairo_rectangle(cr_, x + (col + 4) * module, y + (r + 4) * module, module, module);
        }
      }
    }
    cairo_fill(cr_);
  }

  const ReportContent& c_;
  cairo_surface_t* surface_;
  cairo_t* cr_;
  PangoLayout* layout_;
  Font body_, small_, heading_, title_, body_bold_;
  std::unique_ptr<GlyphSetter> setter_;  // null when the fonts cannot be had: pango for all
  std::vector<GlyphSetter::Line> lines_;
  double y_ = kTop;
  double lowest_ = 0;  // the lowest y_ any block of the flow ended at
  bool tracing_ = false;
  double widest_ = 0;  // tracing: the widest record line set, over the width it was set in
  std::vector<std::string> texts_;
  void Trace(std::string_view text) {
    if (tracing_) texts_.emplace_back(text);
  }
  int page_ = 1;
  Status qr_status_;
};

}  // namespace

Result<std::string> RenderPdf(const ReportContent& c, const SignedReport& signed_report,
                              PdfLayout* layout) {
  std::string out;
  {
    PdfWriter w(c, &out);
    if (layout != nullptr) w.Trace();
    w.Cover();
    XY_RETURN_IF_ERROR(w.Qr());
    w.Sections();
    w.Notes(signed_report);
    XY_RETURN_IF_ERROR(w.Finish());
    if (layout != nullptr) *layout = w.Layout();
  }
  AppendPdfEnvelope(signed_report, &out);
  return out;
}

}  // namespace xinyong::report
