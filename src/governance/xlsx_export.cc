#include "governance/xlsx_export.h"

#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <xlsxwriter.h>

#include "core/utf8.h"

namespace xinyong::governance {

namespace {

// The workbook with its formats; closes (writes) it once.
class Workbook {
 public:
  explicit Workbook(const std::string& path) : wb_(workbook_new(path.c_str())) {
    if (wb_ == nullptr) return;
    header_ = workbook_add_format(wb_);
    format_set_bold(header_);
    format_set_bg_color(header_, 0xDDEBF7);
    format_set_border(header_, LXW_BORDER_THIN);
    integer_ = workbook_add_format(wb_);
    format_set_num_format(integer_, "#,##0");
    percent_ = workbook_add_format(wb_);
    format_set_num_format(percent_, "0.00%");
  }
  ~Workbook() {
    if (wb_ != nullptr) workbook_close(wb_);
  }
  Workbook(const Workbook&) = delete;
  Workbook& operator=(const Workbook&) = delete;

  bool ok() const { return wb_ != nullptr; }
  lxw_error Close() {
    lxw_error e = workbook_close(wb_);
    wb_ = nullptr;
    return e;
  }

  // A sheet with its header row (frozen) and column widths.
  lxw_worksheet* Sheet(std::string_view name, std::initializer_list<std::pair<const char*, double>> columns) {
    lxw_worksheet* ws = workbook_add_worksheet(wb_, std::string(name).c_str());
    lxw_col_t c = 0;
    for (const auto& [title, width] : columns) {
      worksheet_write_string(ws, 0, c, title, header_);
      worksheet_set_column(ws, c, c, width, nullptr);
      ++c;
    }
    worksheet_freeze_panes(ws, 1, 0);
    return ws;
  }

  // Text as the workbook's XML can hold it: broken UTF-8 (stored before names were checked)
  // would make Excel call the file damaged.
  void Text(lxw_worksheet* ws, lxw_row_t r, lxw_col_t c, std::string_view s) {
    worksheet_write_string(ws, r, c, SanitizeUtf8(s).c_str(), nullptr);
  }
  void Count(lxw_worksheet* ws, lxw_row_t r, lxw_col_t c, uint64_t n) {
    worksheet_write_number(ws, r, c, static_cast<double>(n), integer_);
  }
  void Rate(lxw_worksheet* ws, lxw_row_t r, lxw_col_t c, const std::optional<double>& x) {
    if (x) {
      worksheet_write_number(ws, r, c, *x, percent_);
    } else {
      worksheet_write_string(ws, r, c, "-", nullptr);
    }
  }
  void Day(lxw_worksheet* ws, lxw_row_t r, lxw_col_t c, const std::optional<Date>& d) {
    Text(ws, r, c, d && *d != Date() ? d->ToString() : "-");
  }

 private:
  lxw_workbook* wb_;
  lxw_format* header_ = nullptr;
  lxw_format* integer_ = nullptr;
  lxw_format* percent_ = nullptr;
};

std::string DeptLabel(const std::string& dept) { return dept.empty() ? "（未注明部门）" : dept; }

void FiguresRow(Workbook& wb, lxw_worksheet* ws, lxw_row_t row, const IndicatorFigures& f,
                std::string_view dept, std::string_view indicator) {
  lxw_col_t c = 0;
  wb.Text(ws, row, c++, dept);
  wb.Text(ws, row, c++, indicator);
  wb.Text(ws, row, c++, f.indicator.empty() ? "" : (f.shuanggongshi ? "是" : "否"));
  wb.Count(ws, row, c++, f.batches);
  wb.Count(ws, row, c++, f.rows);
  wb.Count(ws, row, c++, f.accepted);
  wb.Count(ws, row, c++, f.rejected);
  wb.Count(ws, row, c++, f.duplicates);
  wb.Count(ws, row, c++, f.corrected);
  wb.Count(ws, row, c++, f.late);
  wb.Count(ws, row, c++, f.timeliness_unknown);
  wb.Rate(ws, row, c++, f.ReportRate());
  wb.Rate(ws, row, c++, f.ComplianceRate());
  wb.Rate(ws, row, c++, f.TimelinessRate());
  wb.Count(ws, row, c++, f.invalid_uscc);
  wb.Count(ws, row, c++, f.identifier_conflicts);
  wb.Rate(ws, row, c++, f.UsccErrorRate());
  wb.Count(ws, row, c++, f.name_conflict_rows);
  wb.Count(ws, row, c++, f.unknown_subject_records);
  wb.Count(ws, row, c++, f.no_legal_document);
  // The rest of what the API gives: the catalog's other half of the negative indicator, and
  // what the report rate is made of.
  wb.Count(ws, row, c++, f.columns_outside_catalog);
  wb.Count(ws, row, c++, f.serials_held);
  wb.Count(ws, row, c++, f.serials_expected);
}

}  // namespace

std::string_view ReasonLabel(std::string_view code) {
  static constexpr std::pair<std::string_view, std::string_view> kLabels[] = {
      {"invalid_uscc", "统一社会信用代码错误"},
      {"invalid_org_code", "组织机构代码错误"},
      {"invalid_reg_number", "工商注册号错误"},
      {"invalid_tax_number", "税务登记号错误"},
      {"invalid_resident_id", "身份证号码错误"},
      {"invalid_id_number", "证件号码错误"},
      {"invalid_code", "代码错误"},
      {"invalid_commitment_code", "承诺编码错误"},
      {"invalid_industry", "行业代码错误"},
      {"missing_field", "必填项缺失"},
      {"missing_code", "缺少主体代码"},
      {"missing_document", "缺少决定书文号（无法律依据）"},
      {"invalid_date", "日期格式错误"},
      {"decision_in_future", "决定日期晚于今日"},
      {"invalid_report_date", "上报日期错误"},
      {"invalid_money", "金额格式错误"},
      {"invalid_integer", "整数格式错误"},
      {"invalid_value", "取值不在代码表内"},
      {"too_long", "内容超长"},
      {"wrong_column_count", "列数不符"},
      {"invalid_encoding", "编码错误"},
      {"henan_simple_procedure", "简易程序处罚不予归集"},
      {"identifier_conflict", "代码对应不同主体（重码）"},
      {"name_conflict", "名称与库存名称不一致"},
      {"unknown_column", "目录外字段（未归集）"},
  };
  for (const auto& [c, label] : kLabels) {
    if (c == code) return label;
  }
  return code;
}

Status WriteGovernanceXlsx(const GovernanceReport& r, const std::string& path) {
  Workbook wb(path);
  if (!wb.ok()) return Status::Unavailable("cannot create the spreadsheet '" + path + "'");

  lxw_worksheet* ws = wb.Sheet(kGovernanceSheets[0], {{"部门", 28},
                                                      {"信息类别", 22},
                                                      {"双公示", 8},
                                                      {"批次数", 10},
                                                      {"报送行数", 12},
                                                      {"入库", 12},
                                                      {"驳回", 10},
                                                      {"重复", 10},
                                                      {"更正", 10},
                                                      {"迟报", 10},
                                                      {"时效未判", 10},
                                                      {"上报率", 10},
                                                      {"合规率", 10},
                                                      {"及时率", 10},
                                                      {"代码错误", 10},
                                                      {"重码", 10},
                                                      {"重错码率", 10},
                                                      {"名称冲突行", 10},
                                                      {"未知主体记录", 12},
                                                      {"无文号负面信息", 14},
                                                      {"目录外字段", 12},
                                                      {"已有文号", 12},
                                                      {"应有文号", 12}});
  lxw_row_t row = 1;
  for (const IndicatorFigures& f : r.figures) {
    FiguresRow(wb, ws, row++, f, DeptLabel(f.dept),
               f.indicator_name.empty() ? f.indicator : f.indicator_name);
  }
  FiguresRow(wb, ws, row++, r.shuanggongshi, "双公示合计", "");
  FiguresRow(wb, ws, row++, r.total, "合计", "");
  wb.Text(ws, row + 1, 0, "统计期间");
  wb.Text(ws, row + 1, 1,
          (r.query.from == Date() ? std::string("开始") : r.query.from.ToString()) + " 至 " +
              r.query.to.ToString());

  ws = wb.Sheet(kGovernanceSheets[1], {{"部门", 28},
                                      {"信息类别", 22},
                                      {"原因代码", 22},
                                      {"原因", 26},
                                      {"行数", 10},
                                      {"批次", 10},
                                      {"文件", 28},
                                      {"行号", 8},
                                      {"字段", 16},
                                      {"说明", 60}});
  row = 1;
  for (const IndicatorFigures& f : r.figures) {
    for (const ReasonCount& rc : f.rejections) {
      const lxw_row_t first = row;
      for (size_t i = 0; i < std::max<size_t>(1, rc.examples.size()); ++i) {
        wb.Text(ws, row, 0, DeptLabel(f.dept));
        wb.Text(ws, row, 1, f.indicator_name.empty() ? f.indicator : f.indicator_name);
        wb.Text(ws, row, 2, rc.code);
        wb.Text(ws, row, 3, ReasonLabel(rc.code));
        if (row == first) wb.Count(ws, row, 4, rc.rows);
        if (i < rc.examples.size()) {
          const RowExample& e = rc.examples[i];
          wb.Count(ws, row, 5, e.batch);
          wb.Text(ws, row, 6, e.file);
          wb.Count(ws, row, 7, e.row);
          wb.Text(ws, row, 8, e.field);
          wb.Text(ws, row, 9, e.message);
        }
        ++row;
      }
    }
  }

  ws = wb.Sheet(kGovernanceSheets[2], {{"部门", 28},
                                      {"报送频率", 12},
                                      {"最近报送", 12},
                                      {"应报日期", 12},
                                      {"缺报期数", 10}});
  row = 1;
  for (const SilentDepartment& s : r.silent) {
    wb.Text(ws, row, 0, s.dept);
    wb.Text(ws, row, 1, FrequencyLabel(s.frequency));
    wb.Text(ws, row, 2, s.last_batch ? s.last_batch->ToString() : "从未报送");
    wb.Day(ws, row, 3, s.due);
    wb.Count(ws, row, 4, static_cast<uint64_t>(s.missed));
    ++row;
  }

  ws = wb.Sheet(kGovernanceSheets[3], {{"部门", 28},
                                      {"信息类别", 18},
                                      {"文号系列", 26},
                                      {"最小序号", 10},
                                      {"最大序号", 10},
                                      {"已报", 10},
                                      {"缺号数", 10},
                                      {"缺号（前若干）", 60}});
  row = 1;
  for (const SerialGap& g : r.gaps) {
    wb.Text(ws, row, 0, DeptLabel(g.dept));
    wb.Text(ws, row, 1, g.indicator);
    wb.Text(ws, row, 2, g.series);
    wb.Count(ws, row, 3, g.first);
    wb.Count(ws, row, 4, g.last);
    wb.Count(ws, row, 5, g.seen);
    wb.Count(ws, row, 6, g.missing);
    std::string listed;
    for (uint64_t n : g.listed) listed += (listed.empty() ? "" : "、") + std::to_string(n);
    wb.Text(ws, row, 7, listed);
    ++row;
  }

  ws = wb.Sheet(kGovernanceSheets[4], {{"主体代码", 22},
                                      {"库存名称", 32},
                                      {"报送名称", 32},
                                      {"部门", 28},
                                      {"信息类别", 18},
                                      {"记录数", 10}});
  row = 1;
  for (const NameConflict& c : r.name_conflicts) {
    for (const NameConflict::Variant& v : c.variants) {
      wb.Text(ws, row, 0, c.code);
      wb.Text(ws, row, 1, c.stored_name);
      wb.Text(ws, row, 2, v.name);
      wb.Text(ws, row, 3, DeptLabel(v.dept));
      wb.Text(ws, row, 4, v.indicator);
      wb.Count(ws, row, 5, v.records);
      ++row;
    }
  }
  if (r.name_conflicts_total > r.name_conflicts.size()) {
    wb.Text(ws, row, 0,
            "共 " + std::to_string(r.name_conflicts_total) + " 个主体，仅列出记录最多的 " +
                std::to_string(r.name_conflicts.size()) + " 个");
  }

  ws = wb.Sheet(kGovernanceSheets[5],
                {{"主体代码", 22}, {"名称", 32}, {"报送部门", 28}, {"记录数", 10}});
  row = 1;
  for (const UnknownSubject& u : r.unknown_subjects) {
    wb.Text(ws, row, 0, u.code);
    wb.Text(ws, row, 1, u.name);
    wb.Text(ws, row, 2, DeptLabel(u.dept));
    wb.Count(ws, row, 3, u.records);
    ++row;
  }
  if (r.unknown_subjects_total > r.unknown_subjects.size()) {
    wb.Text(ws, row, 0,
            "共 " + std::to_string(r.unknown_subjects_total) + " 个，仅列出记录最多的 " +
                std::to_string(r.unknown_subjects.size()) + " 个");
  }

  if (lxw_error e = wb.Close(); e != LXW_NO_ERROR) {
    return Status::Unavailable("cannot write the spreadsheet '" + path +
                               "': " + lxw_strerror(e));
  }
  return Status::Ok();
}

Result<std::string> GovernanceXlsxBytes(const GovernanceReport& report, const std::string& tmp_dir) {
  // libxlsxwriter writes to a path (fopen, which follows links): the file goes into a directory
  // of our own, created 0700 under a name no one can predict, never straight into a shared /tmp.
  std::string dir = tmp_dir + "/xinyong-governance-XXXXXX";
  if (::mkdtemp(dir.data()) == nullptr) {
    return Status::Unavailable("cannot create a private directory in '" + tmp_dir +
                               "' for the spreadsheet: " + std::strerror(errno));
  }
  const std::string path = dir + "/governance.xlsx";
  Status st = WriteGovernanceXlsx(report, path);
  std::string bytes;
  if (st.ok()) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream out;
    out << in.rdbuf();
    if (!in) st = Status::Unavailable("cannot read back the spreadsheet '" + path + "'");
    bytes = out.str();
  }
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
  if (!st.ok()) return st;
  return bytes;
}

}  // namespace xinyong::governance
