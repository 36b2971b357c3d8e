// Fuzzes the JSON Lines path of ingestion: TextSource (encoding detection, GB18030 decoding) and
// JsonlReader (simdjson). Input layout: reader_fuzzing.h.
//
// Invariants: reading ends (at most one row per input byte, plus one); row numbers (lines) go up;
// a row either has an error (code "invalid_json" and a message in valid UTF-8, since messages reach
// JSON batch reports) or fields whose keys and values are valid UTF-8; and the rows do not depend
// on where a chunk boundary falls.
#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "fuzz_check.h"
#include "ingest/encoding.h"
#include "ingest/jsonl_reader.h"
#include "ingest/text_source.h"
#include "reader_fuzzing.h"

namespace {

using namespace xinyong;

struct Read {
  bool opened = false;
  ingest::Encoding encoding = ingest::Encoding::kUtf8;
  std::vector<ingest::JsonRow> rows;
};

Read ReadAll(std::string_view text, size_t chunk_bytes) {
  Read read;
  auto source = ingest::TextSource::FromBuffer(std::string(text), "fuzz.jsonl", chunk_bytes);
  if (!source.ok()) return read;
  read.opened = true;
  read.encoding = (*source)->encoding();
  ingest::JsonlReader reader(std::move(source).value());
  ingest::JsonRow row;
  uint64_t last_number = 0;
  for (size_t n = 0;; ++n) {
    auto more = reader.ReadRow(&row);
    FUZZ_CHECK(more.ok());  // a buffer cannot fail to read once its encoding is decided
    if (!*more) break;
    FUZZ_CHECK(n <= text.size());
    FUZZ_CHECK(row.number > last_number);
    last_number = row.number;
    if (!row.error_code.empty()) {
      FUZZ_CHECK(row.error_code == "invalid_json");
      FUZZ_CHECK(!row.error.empty() && ingest::IsValidUtf8(row.error));
    } else {
      FUZZ_CHECK(row.error.empty());
      for (const auto& [key, value] : row.fields) {
        FUZZ_CHECK(ingest::IsValidUtf8(key) && ingest::IsValidUtf8(value));
      }
    }
    read.rows.push_back(row);
  }
  return read;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const fuzz::ReaderInput in = fuzz::SplitReaderInput(data, size);
  const Read whole = ReadAll(in.file, ingest::TextSource::kChunkBytes);
  const Read chunked = ReadAll(in.file, in.chunk_bytes);
  // Small chunks decide the encoding from the first chunk alone, which may decide otherwise.
  if (!whole.opened || !chunked.opened || chunked.encoding != whole.encoding ||
      !fuzz::ComparableReads(in)) {
    return 0;
  }
  FUZZ_CHECK(chunked.rows.size() == whole.rows.size());
  for (size_t i = 0; i < whole.rows.size(); ++i) {
    const ingest::JsonRow& a = whole.rows[i];
    const ingest::JsonRow& b = chunked.rows[i];
    FUZZ_CHECK(a.number == b.number);
    FUZZ_CHECK(a.fields == b.fields);
    FUZZ_CHECK(a.error_code == b.error_code);
  }
  return 0;
}
