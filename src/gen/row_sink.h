// RowSink: where one indicator's generated rows go — `<code>.csv` or `<code>.jsonl` in the
// output directory, split into `<code>.part-0001.csv`, `.part-0002.csv`, … once a file would
// exceed `rows_per_file` rows (each part repeats the header). Rows are buffered in large chunks,
// never flushed per row; a GBK sink encodes each chunk with ingest::Utf8ToGb18030 (chunks end
// at row boundaries, so no character is split).
// Thread-safety: one sink per thread.
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/status.h"

namespace xinyong::gen {

class RowSink {
 public:
  // `header` is the complete header line with its line ending; `bom` writes a UTF-8 byte order
  // mark first (as spreadsheet programs do; ignored for GBK).
  RowSink(std::string dir, std::string code, std::string ext, std::string header, bool bom,
          bool gbk, uint64_t rows_per_file);
  ~RowSink();
  RowSink(const RowSink&) = delete;
  RowSink& operator=(const RowSink&) = delete;

  // Appends one complete row (with its line ending). Fails when a file cannot be written.
  Status Add(std::string_view row);
  // The same in two steps, without a copy: BeginRow returns the buffer to append exactly one
  // row to, EndRow counts it (and writes the buffer out when it is large).
  Result<std::string*> BeginRow();
  Status EndRow();
  // Flushes and closes; when everything fit in one part it is renamed to `<code>.<ext>`.
  // Appends (path, rows) per written file to *files.
  Status Finish(std::vector<std::pair<std::string, uint64_t>>* files);

 private:
  Status Open();
  Status Flush();
  Status Close();

  std::string dir_, code_, ext_, header_;
  bool bom_, gbk_;
  uint64_t rows_per_file_;
  std::FILE* file_ = nullptr;
  std::string path_;
  std::string buf_;
  uint64_t rows_in_part_ = 0;
  std::vector<std::pair<std::string, uint64_t>> parts_;
};

}  // namespace xinyong::gen
