// The governance report as a spreadsheet (libxlsxwriter): one sheet per table, Chinese headers,
// counts as integers and rates as percentages — 概览 (per department and indicator), 驳回原因
// (rejected rows by reason, with examples), 未按期报送 (departments gone silent), 文号缺号 (gaps
// in document-number sequences), 名称冲突 (name conflicts), 未知主体 (subjects unknown to
// registration). Thread-safe (each call writes its own workbook).
#pragma once

#include <string>
#include <string_view>

#include "core/status.h"
#include "governance/governance.h"

namespace xinyong::governance {

// The sheet names, in workbook order.
inline constexpr std::string_view kGovernanceSheets[] = {"概览",     "驳回原因", "未按期报送",
                                                         "文号缺号", "名称冲突", "未知主体"};

// Writes the workbook to `path` (replacing it). Unavailable naming the path when it cannot be
// written.
Status WriteGovernanceXlsx(const GovernanceReport& report, const std::string& path);

// The workbook's bytes, written through a file in a private directory (mkdtemp, 0700) made in
// `tmp_dir` and removed afterwards.
Result<std::string> GovernanceXlsxBytes(const GovernanceReport& report, const std::string& tmp_dir);

// A Chinese label for a rejection or warning code ("invalid_uscc" → 统一社会信用代码错误); the
// code itself when it has none.
std::string_view ReasonLabel(std::string_view code);

}  // namespace xinyong::governance
