// JsonlReader: JSON Lines (one JSON object per line, as `application/x-ndjson`) over a
// TextSource. Keys are field codes or Chinese labels; values strings, numbers, booleans or null.
// A malformed line is returned with its error so the caller can reject that row and go on.
// Thread-safety: one reader at a time.
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "core/status.h"
#include "ingest/text_source.h"

namespace xinyong::ingest {

struct JsonRow {
  uint64_t number = 0;  // 1-based data row (line) number
  std::vector<std::pair<std::string, std::string>> fields;
  std::string error_code;  // "", "invalid_json" or "row_too_large"
  std::string error;
};

class JsonlReader {
 public:
  explicit JsonlReader(std::unique_ptr<TextSource> source);
  ~JsonlReader();
  // Reads the next non-blank line. Returns false at the end of input. A line longer than
  // kMaxLineBytes is returned with error "row_too_large" without being held in memory, and
  // reading goes on after it.
  Result<bool> ReadRow(JsonRow* row);
  static constexpr size_t kMaxLineBytes = 64u << 20;  // as CsvReader::kMaxRowBytes
  const TextSource& source() const { return *source_; }

 private:
  struct Impl;
  std::unique_ptr<TextSource> source_;
  std::unique_ptr<Impl> impl_;
  std::string buf_;
  size_t pos_ = 0;
  bool eof_ = false;
  uint64_t line_ = 0;
};

}  // namespace xinyong::ingest
