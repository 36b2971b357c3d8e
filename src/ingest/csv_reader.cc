#include "ingest/csv_reader.h"

#include <cstring>

namespace xinyong::ingest {

Result<bool> CsvReader::Fill(size_t n) {
  while (buf_.size() <= pos_ + n) {
    if (eof_) return false;
    // Drop what was consumed once it is more than a chunk and most of the buffer.
    if (pos_ > source_->chunk_bytes() && pos_ * 2 > buf_.size()) {
      buf_.erase(0, pos_);
      pos_ = 0;
      continue;
    }
    XY_ASSIGN_OR_RETURN(bool more, source_->Next(&buf_));
    if (!more) eof_ = true;
  }
  return true;
}

Result<bool> CsvReader::ReadRow(CsvRow* row) {
  row->cells.clear();
  row->storage.clear();
  row->error_code.clear();
  row->error.clear();

  // Skip blank lines between rows.
  for (;;) {
    XY_ASSIGN_OR_RETURN(bool have, Fill(0));
    if (!have) return false;
    char c = buf_[pos_];
    if (c == '\n') {
      ++pos_, ++line_;
    } else if (c == '\r') {
      ++pos_;
    } else {
      break;
    }
  }

  // Find the end of the row: the first newline outside quotes. A row found to be longer than
  // kMaxRowBytes is skipped: its bytes are dropped as they are scanned, so memory stays bounded.
  size_t scan = 0;  // offset from pos_
  bool in_quotes = false;
  bool at_cell_start = true;
  bool terminated = false;
  bool oversize = false;
  uint64_t newlines = 0;
  for (;;) {
    XY_ASSIGN_OR_RETURN(bool have, Fill(scan));
    // Fill may have compacted the buffer: positions are relative to pos_, which it reset.
    const size_t base = pos_;
    if (!have) break;
    const char* p = buf_.data() + base;
    const size_t avail = buf_.size() - base;
    while (scan < avail) {
      char c = p[scan];
      if (in_quotes) {
        if (c == '"') {
          if (scan + 1 >= avail && !eof_) break;  // need the next byte to decide
          if (scan + 1 < avail && p[scan + 1] == '"') {
            scan += 2;
            continue;
          }
          in_quotes = false;
        } else if (c == '\n') {
          ++newlines;
        }
        ++scan;
        continue;
      }
      if (c == '\n') {
        terminated = true;
        break;
      }
      if (c == '"' && at_cell_start) in_quotes = true;
      // Cells start after the file's separator (either one while the header decides it), as
      // the splitter below reads them: a tab in a comma file is text.
      at_cell_start = sep_ == 0 ? (c == ',' || c == '\t') : c == sep_;
      ++scan;
    }
    if (scan > kMaxRowBytes) oversize = true;
    if (terminated) break;
    const bool quote_at_end = scan < avail;
    if (oversize) {  // drop what was scanned; the state above carries on with the next bytes
      pos_ += scan;
      scan = 0;
    }
    if (quote_at_end) {  // a quote ends the buffer: read one more byte to decide what it is
      XY_ASSIGN_OR_RETURN(bool more, Fill(scan + 1));
      (void)more;
      continue;
    }
    if (eof_) break;
  }
  if (oversize) {
    row->number = next_number_++;
    row->line = line_;
    row->error_code = "row_too_large";
    row->error = "row starting at line " + std::to_string(line_) + " is longer than " +
                 std::to_string(kMaxRowBytes >> 20) + " MiB; ";
    if (terminated) {
      row->error += "skipped up to line " + std::to_string(line_ + newlines) +
                    ", reading goes on after it";
    } else if (in_quotes) {
      row->error += "the file ends inside a quoted field (an unterminated quote?)";
    } else {
      row->error += "it runs to the end of the file";
    }
    line_ += newlines + (terminated ? 1 : 0);
    pos_ = std::min(buf_.size(), pos_ + scan + (terminated ? 1 : 0));
    return true;
  }
  std::string_view text(buf_.data() + pos_, std::min(scan, buf_.size() - pos_));
  row->number = next_number_++;
  row->line = line_;
  line_ += newlines + (terminated ? 1 : 0);
  pos_ += text.size() + (terminated ? 1 : 0);
  if (!text.empty() && text.back() == '\r') text.remove_suffix(1);

  if (sep_ == 0) {
    // Decide the separator from the header: tab-separated when it has tabs and no commas.
    sep_ = (text.find('\t') != std::string_view::npos && text.find(',') == std::string_view::npos)
               ? '\t'
               : ',';
  }

  // Split into cells, unquoting into storage; offsets first, views after (storage may grow).
  row->storage.reserve(text.size());
  std::vector<std::pair<size_t, size_t>> spans;
  size_t i = 0;
  for (;;) {
    size_t cell_start = row->storage.size();
    if (i < text.size() && text[i] == '"') {
      ++i;
      bool closed = false;
      while (i < text.size()) {
        char c = text[i];
        if (c == '"') {
          if (i + 1 < text.size() && text[i + 1] == '"') {
            row->storage.push_back('"');
            i += 2;
            continue;
          }
          closed = true;
          ++i;
          break;
        }
        row->storage.push_back(c);
        ++i;
      }
      if (!closed) {
        row->error_code = "unterminated_quote";
        row->error = "the file ends inside a quoted field that starts on line " +
                     std::to_string(row->line);
      }
      // Lenient: text between a closing quote and the separator is kept.
      while (i < text.size() && text[i] != sep_) row->storage.push_back(text[i++]);
    } else {
      size_t end = text.find(sep_, i);
      if (end == std::string_view::npos) end = text.size();
      row->storage.append(text.substr(i, end - i));
      i = end;
    }
    spans.emplace_back(cell_start, row->storage.size() - cell_start);
    if (i >= text.size()) break;
    ++i;  // separator
    if (i == text.size()) {  // trailing separator: one more empty cell
      spans.emplace_back(row->storage.size(), 0);
      break;
    }
  }
  row->cells.reserve(spans.size());
  for (auto [off, len] : spans) row->cells.emplace_back(row->storage.data() + off, len);
  return true;
}

namespace {

// ',', '"', CR and LF: all ASCII below ',' + 1.
constexpr uint64_t kCsvSpecial = (1ULL << ',') | (1ULL << '"') | (1ULL << '\n') | (1ULL << '\r');
inline bool CsvSpecial(unsigned char c) { return c < 64 && ((kCsvSpecial >> c) & 1) != 0; }

}  // namespace

bool NeedsCsvQuotes(std::string_view v) {
  // A word with no ASCII byte below 0x2D needs no closer look.
  constexpr uint64_t kOnes = 0x0101010101010101ULL, kHigh = 0x8080808080808080ULL;
  size_t i = 0;
  for (; i + 8 <= v.size(); i += 8) {
    uint64_t x;
    std::memcpy(&x, v.data() + i, 8);
    if (((x - kOnes * 0x2D) & ~x & kHigh) == 0) continue;
    for (size_t k = i; k < i + 8; ++k) {
      if (CsvSpecial(static_cast<unsigned char>(v[k]))) return true;
    }
  }
  for (; i < v.size(); ++i) {
    if (CsvSpecial(static_cast<unsigned char>(v[i]))) return true;
  }
  return false;
}

void AppendCsvField(std::string_view v, std::string* out) {
  if (!NeedsCsvQuotes(v)) {
    out->append(v);
    return;
  }
  out->push_back('"');
  size_t start = 0;
  for (size_t i = 0; i < v.size(); ++i) {
    if (v[i] == '"') {
      out->append(v.substr(start, i + 1 - start));
      out->push_back('"');
      start = i + 1;
    }
  }
  out->append(v.substr(start));
  out->push_back('"');
}

}  // namespace xinyong::ingest
