// CsvReader: RFC 4180 CSV over a TextSource — quoted fields, doubled quotes, embedded newlines,
// CRLF or LF, comma or tab separated (decided from the header line). A row is returned even when
// it is malformed (its `error` says why) so the caller can count it as rejected and go on.
// Thread-safety: one reader at a time.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "ingest/text_source.h"

namespace xinyong::ingest {

struct CsvRow {
  uint64_t number = 0;  // 0 for the header, then 1, 2, ... for data rows
  uint64_t line = 0;    // 1-based line of the file where the row starts
  std::vector<std::string_view> cells;  // views into `storage`, valid until the next ReadRow
  std::string storage;
  std::string error_code;  // "" when well-formed; else "unterminated_quote", "row_too_large"
  std::string error;
};

class CsvReader {
 public:
  // A row longer than this is returned with error "row_too_large" and no cells, without being
  // held in memory; reading goes on after it (a row that runs to the end of the input, as after
  // an unterminated quote, ends the input).
  static constexpr size_t kMaxRowBytes = 64u << 20;

  explicit CsvReader(std::unique_ptr<TextSource> source) : source_(std::move(source)) {}

  // Reads the next row. Returns false at the end of input. Blank lines are skipped.
  Result<bool> ReadRow(CsvRow* row);
  const TextSource& source() const { return *source_; }

 private:
  // Makes sure buf_ holds at least one byte past pos_ + n, reading more; false at end of input.
  Result<bool> Fill(size_t n);

  std::unique_ptr<TextSource> source_;
  std::string buf_;
  size_t pos_ = 0;
  bool eof_ = false;
  char sep_ = 0;  // decided from the first row
  uint64_t next_number_ = 0;
  uint64_t line_ = 1;
};

// Writing CSV as CsvReader reads it: appends `v` as one cell, quoted (with '"' doubled) when it
// holds a comma, a quote or a line break. NeedsCsvQuotes says whether it does (eight bytes at a
// time: UTF-8 text has no byte that needs a closer look).
bool NeedsCsvQuotes(std::string_view v);
void AppendCsvField(std::string_view v, std::string* out);

}  // namespace xinyong::ingest
