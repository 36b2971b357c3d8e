// What the CSV and JSON Lines fuzz targets share: how an input is laid out.
//
// Byte 0 picks a chunk size from 1 to 64 bytes; the rest is the file. Each target reads the file
// twice: in one chunk (as any upload under TextSource::kChunkBytes is read) and in chunks of the
// picked size, which puts chunk boundaries — a character or a row cut in two, a CSV quote at the
// end of the buffer, the reader compacting its buffer — all through a small input. Both reads
// must give the same rows whenever the encoding decided for both is the same (small chunks decide
// it from the first chunk alone) and the file does not start with a UTF-8 byte order mark (which
// a chunk shorter than the mark cannot strip).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace xinyong::fuzz {

struct ReaderInput {
  std::string_view file;
  size_t chunk_bytes = 1;
};

inline ReaderInput SplitReaderInput(const uint8_t* data, size_t size) {
  ReaderInput in;
  if (size == 0) return in;
  in.chunk_bytes = 1 + data[0] % 64;
  in.file = std::string_view(reinterpret_cast<const char*>(data) + 1, size - 1);
  return in;
}

// Whether reading in small chunks must give what reading at once gives: not when the file starts
// with a byte order mark, UTF-8's or GB18030's, dropped only when the first chunk holds it whole.
// (A first chunk with CR line ends and no LF is refused: the read did not open, not compared.)
inline bool ComparableReads(const ReaderInput& in) {
  return !in.file.starts_with("\xEF\xBB\xBF") && !in.file.starts_with("\x84\x31\x95\x33");
}

}  // namespace xinyong::fuzz
