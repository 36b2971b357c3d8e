// Text encodings of submitted files. Departments export spreadsheets as UTF-8 (with or without
// a BOM) or as GBK/GB18030; everything inside Xinyong is UTF-8. GBK is a subset of GB18030, so
// one GB18030 decoder serves both.
// Thread-safety: functions are pure; a Gb18030Decoder instance is used by one thread.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "core/status.h"

namespace xinyong::ingest {

enum class Encoding : uint8_t { kUtf8 = 1, kGb18030 = 2 };
std::string_view EncodingName(Encoding e);  // "utf-8", "gb18030"

// Length of the longest prefix of `s` that is valid UTF-8 (rejects overlongs, surrogates and
// code points above U+10FFFF).
size_t ValidUtf8Prefix(std::string_view s);
inline bool IsValidUtf8(std::string_view s) { return ValidUtf8Prefix(s) == s.size(); }

// Decides the encoding from the start of a file. `sample` may end in the middle of a character.
// Fails with InvalidArgument (naming `source`) for binary data (NUL bytes), UTF-16/32 files, and
// bytes that are neither UTF-8 nor GB18030.
Result<Encoding> DetectEncoding(std::string_view sample, std::string_view source);

// Streaming GB18030 → UTF-8 conversion; a character split between two chunks is carried over.
// Undecodable bytes become U+FFFD, which row validation then rejects.
class Gb18030Decoder {
 public:
  static Result<std::unique_ptr<Gb18030Decoder>> Create();
  ~Gb18030Decoder();
  // Appends the UTF-8 of `chunk` to *out. `last` flushes any incomplete trailing character.
  Status Decode(std::string_view chunk, bool last, std::string* out);

 private:
  Gb18030Decoder() = default;
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Converts UTF-8 to GB18030 (for the generator's --encoding gbk and for tests).
Result<std::string> Utf8ToGb18030(std::string_view utf8);

}  // namespace xinyong::ingest
