// Fuzzes the CSV path of ingestion, store-independent stage: TextSource (encoding detection,
// GB18030 decoding), CsvReader, and each cell normalized against its catalog field
// (NormalizeField) as the row validator does. Input layout: reader_fuzzing.h.
//
// Invariants: reading ends (at most one row per input byte, plus one); row numbers count up from
// 0; line numbers never go back; a row's cells lie inside its storage; error codes are the
// documented ones; a normalized value is valid UTF-8 and normalizes to itself; a problem has a
// code and a message in valid UTF-8 (messages reach JSON batch reports); and the rows do not
// depend on where a chunk boundary falls.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "catalog/catalog.h"
#include "core/date.h"
#include "fuzz_check.h"
#include "ingest/csv_reader.h"
#include "ingest/encoding.h"
#include "ingest/field_validation.h"
#include "ingest/text_source.h"
#include "reader_fuzzing.h"

namespace {

using namespace xinyong;

const Date kToday = Date::FromYmd(2025, 6, 30).value();

const catalog::Catalog& TheCatalog() {
  static const std::unique_ptr<catalog::Catalog> catalog = [] {
    auto c = catalog::Catalog::LoadDirectory(std::string(XINYONG_SOURCE_DIR) + "/data/catalog");
    if (!c.ok()) {
      std::fprintf(stderr, "cannot load the catalog: %s\n", c.status().ToString().c_str());
      std::abort();
    }
    return std::move(c).value();
  }();
  return *catalog;
}

struct Row {
  uint64_t number;
  uint64_t line;
  std::vector<std::string> cells;
  std::string error_code;
};

struct Read {
  bool opened = false;
  ingest::Encoding encoding = ingest::Encoding::kUtf8;
  std::vector<Row> rows;
};

void CheckCell(const catalog::Field& field, std::string_view raw) {
  std::string_view cell = ingest::TrimCell(raw);
  if (cell.empty() || field.type == catalog::FieldType::kIdNumber) return;
  std::string out;
  ingest::FieldProblem problem;
  if (ingest::NormalizeField(field, cell, kToday, &out, &problem)) {
    FUZZ_CHECK(ingest::IsValidUtf8(out));
    std::string again;
    ingest::FieldProblem again_problem;
    FUZZ_CHECK(ingest::NormalizeField(field, out, kToday, &again, &again_problem));
    FUZZ_CHECK(again == out);
  } else {
    FUZZ_CHECK(!problem.code.empty() && !problem.message.empty());
    FUZZ_CHECK(ingest::IsValidUtf8(problem.message));
  }
}

Read ReadAll(std::string_view text, size_t chunk_bytes, bool validate) {
  Read read;
  auto source = ingest::TextSource::FromBuffer(std::string(text), "fuzz.csv", chunk_bytes);
  if (!source.ok()) return read;
  read.opened = true;
  read.encoding = (*source)->encoding();
  ingest::CsvReader reader(std::move(source).value());
  const catalog::Indicator* indicator = nullptr;
  ingest::CsvRow row;
  uint64_t last_line = 0;
  for (size_t n = 0;; ++n) {
    auto more = reader.ReadRow(&row);
    FUZZ_CHECK(more.ok());  // a buffer cannot fail to read once its encoding is decided
    if (!*more) break;
    FUZZ_CHECK(n <= text.size());
    FUZZ_CHECK(row.number == n);
    FUZZ_CHECK(row.line >= last_line && row.line >= 1);
    last_line = row.line;
    FUZZ_CHECK(row.error_code.empty() || row.error_code == "unterminated_quote" ||
               row.error_code == "row_too_large");
    FUZZ_CHECK(row.error_code.empty() == row.error.empty());
    FUZZ_CHECK(!row.cells.empty());
    Row copy{row.number, row.line, {}, row.error_code};
    for (std::string_view cell : row.cells) {
      FUZZ_CHECK(cell.data() >= row.storage.data() &&
                 cell.data() + cell.size() <= row.storage.data() + row.storage.size());
      copy.cells.emplace_back(cell);
    }
    if (validate) {
      if (row.number == 0) {
        indicator = TheCatalog().MatchHeader(copy.cells);
        // Files whose header matches no indicator are refused; validate them as penalties anyway,
        // by column position, to reach the field checks with any header.
        if (indicator == nullptr) indicator = TheCatalog().Find("admin_penalty");
        FUZZ_CHECK(indicator != nullptr);
      } else {
        for (size_t i = 0; i < row.cells.size() && i < indicator->fields.size(); ++i) {
          CheckCell(indicator->fields[i], row.cells[i]);
        }
      }
    }
    read.rows.push_back(std::move(copy));
  }
  return read;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const fuzz::ReaderInput in = fuzz::SplitReaderInput(data, size);
  const Read whole =
      ReadAll(in.file, ingest::TextSource::kChunkBytes, /*validate=*/true);
  const Read chunked = ReadAll(in.file, in.chunk_bytes, /*validate=*/false);
  // Small chunks decide the encoding from the first chunk alone, which may decide otherwise.
  if (!whole.opened || !chunked.opened || chunked.encoding != whole.encoding ||
      !fuzz::ComparableReads(in)) {
    return 0;
  }
  FUZZ_CHECK(chunked.rows.size() == whole.rows.size());
  for (size_t i = 0; i < whole.rows.size(); ++i) {
    const Row& a = whole.rows[i];
    const Row& b = chunked.rows[i];
    FUZZ_CHECK(a.number == b.number);
    FUZZ_CHECK(a.line == b.line);
    FUZZ_CHECK(a.cells == b.cells);
    FUZZ_CHECK(a.error_code == b.error_code);
  }
  return 0;
}
