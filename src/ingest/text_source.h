// TextSource: a submitted file (or request body) read as UTF-8 text in chunks of about 1 MiB,
// whatever its encoding on disk; memory use does not grow with the file's size.
// Thread-safety: one reader at a time (Digest excepted).
#pragma once

#include <cstdio>
#include <memory>
#include <string>
#include <string_view>

#include "core/status.h"
#include "ingest/encoding.h"

namespace xinyong::ingest {

class TextSource {
 public:
  // Fails when the file cannot be opened, is empty, or its encoding cannot be decided.
  static Result<std::unique_ptr<TextSource>> OpenFile(const std::string& path);
  // `chunk_bytes` other than kChunkBytes is for tests and fuzzers: small chunks put chunk
  // boundaries (and the encoding decided from the first chunk alone) anywhere in a small input.
  static Result<std::unique_ptr<TextSource>> FromBuffer(std::string data, std::string name,
                                                        size_t chunk_bytes = kChunkBytes);
  ~TextSource();

  Encoding encoding() const { return encoding_; }
  const std::string& name() const { return name_; }
  // Appends the next chunk of UTF-8 text to *out. Returns false (and appends nothing) at the end.
  Result<bool> Next(std::string* out);
  // The BLAKE2b-256 digest (kDigestBytes raw bytes) of the whole input as submitted, before any
  // conversion; read apart from what Next returns, which it does not disturb, so it may run on
  // another thread while Next is called. Empty for a file that is not a regular file (a pipe
  // cannot be read twice).
  Result<std::string> Digest() const;
  static constexpr size_t kDigestBytes = 32;

  static constexpr size_t kChunkBytes = 1 << 20;
  size_t chunk_bytes() const { return chunk_bytes_; }

 private:
  TextSource() = default;
  Status Init();
  // Reads up to chunk_bytes_ raw bytes; "" at end of input.
  Result<std::string_view> ReadRaw();

  std::string name_;
  size_t chunk_bytes_ = kChunkBytes;
  std::FILE* file_ = nullptr;
  int fd_ = -1;  // file_'s descriptor, for Digest's reads beside those of Next
  std::string buffer_data_;  // FromBuffer: the whole input
  size_t buffer_pos_ = 0;
  std::string raw_;          // scratch for file reads
  std::string pending_;      // bytes read during detection, not yet returned
  bool started_ = false;
  bool done_ = false;
  Encoding encoding_ = Encoding::kUtf8;
  std::unique_ptr<Gb18030Decoder> decoder_;
};

}  // namespace xinyong::ingest
