// Fuzzes ingest/encoding.h and TextSource: encoding detection, streaming GB18030 → UTF-8
// decoding and UTF-8 → GB18030 encoding. Input layout: byte 0 picks where a chunk is split, the
// rest is the file's bytes.
//
// Invariants: detection never fails on valid UTF-8 without NUL bytes or a UTF-16 byte order mark,
// and then says UTF-8; decoding always yields valid UTF-8, and the same UTF-8 wherever the input is
// cut into chunks; TextSource hands out the bytes themselves for UTF-8 (less a byte order mark) and
// the decoder's output for GB18030; valid UTF-8 converts to GB18030 and back unchanged.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "fuzz_check.h"
#include "ingest/encoding.h"
#include "ingest/text_source.h"

namespace {

using namespace xinyong;

std::string Decode(std::string_view bytes, size_t split) {
  auto decoder = ingest::Gb18030Decoder::Create();
  FUZZ_CHECK(decoder.ok());
  std::string out;
  FUZZ_CHECK((*decoder)->Decode(bytes.substr(0, split), false, &out).ok());
  FUZZ_CHECK((*decoder)->Decode(bytes.substr(split), false, &out).ok());
  FUZZ_CHECK((*decoder)->Decode({}, true, &out).ok());  // as TextSource flushes: an empty chunk
  return out;
}

std::string DecodeWhole(std::string_view bytes) {
  auto decoder = ingest::Gb18030Decoder::Create();
  FUZZ_CHECK(decoder.ok());
  std::string out;
  FUZZ_CHECK((*decoder)->Decode(bytes, true, &out).ok());
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const std::string_view bytes(reinterpret_cast<const char*>(data) + 1, size - 1);
  const size_t split = data[0] % (bytes.size() + 1);

  // Detection.
  auto detected = ingest::DetectEncoding(bytes, "fuzz.csv");
  const bool utf16_bom = bytes.starts_with("\xFF\xFE") || bytes.starts_with("\xFE\xFF");
  if (ingest::IsValidUtf8(bytes) && bytes.find('\0') == std::string_view::npos && !utf16_bom) {
    FUZZ_CHECK(detected.ok() && *detected == ingest::Encoding::kUtf8);
  }
  if (!detected.ok()) {
    FUZZ_CHECK(detected.status().message().starts_with("fuzz.csv: "));
  }

  // Decoding, in one piece and in two.
  const std::string whole = DecodeWhole(bytes);
  FUZZ_CHECK(ingest::IsValidUtf8(whole));
  FUZZ_CHECK(Decode(bytes, split) == whole);

  // TextSource over the same bytes (in one chunk: fuzz inputs are far below its 1 MiB). It drops
  // a UTF-8 byte order mark before deciding the encoding, and GB18030's after; it refuses a
  // first chunk whose lines end in CR alone.
  std::string_view content = bytes;
  if (content.starts_with("\xEF\xBB\xBF")) content.remove_prefix(3);
  auto content_encoding = ingest::DetectEncoding(content, "fuzz.csv");
  const bool cr_only = content.find('\n') == std::string_view::npos &&
                       content.find('\r') != std::string_view::npos;
  auto source = ingest::TextSource::FromBuffer(std::string(bytes), "fuzz.csv");
  FUZZ_CHECK(source.ok() == (content_encoding.ok() && !bytes.empty() && !cr_only));
  if (source.ok()) {
    std::string text;
    for (;;) {
      auto more = (*source)->Next(&text);
      FUZZ_CHECK(more.ok());
      if (!*more) break;
    }
    if ((*source)->encoding() == ingest::Encoding::kGb18030) {
      std::string_view gb = content;
      if (gb.starts_with("\x84\x31\x95\x33")) gb.remove_prefix(4);
      FUZZ_CHECK(text == DecodeWhole(gb));
    } else {
      FUZZ_CHECK(text == content);
    }
  }

  // Valid UTF-8 survives a round trip through GB18030 (which encodes all of Unicode).
  if (ingest::IsValidUtf8(bytes)) {
    auto gb = ingest::Utf8ToGb18030(bytes);
    FUZZ_CHECK(gb.ok());
    FUZZ_CHECK(DecodeWhole(*gb) == bytes);
    FUZZ_CHECK(Decode(*gb, split % (gb->size() + 1)) == bytes);
  }
  return 0;
}
