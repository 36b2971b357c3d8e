#include "ingest/text_source.h"

#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace xinyong::ingest {

Result<std::unique_ptr<TextSource>> TextSource::OpenFile(const std::string& path) {
  std::unique_ptr<TextSource> s(new TextSource());
  s->name_ = path;
  s->file_ = std::fopen(path.c_str(), "rb");
  if (s->file_ == nullptr) {
    return Status::InvalidArgument("cannot open " + path + ": " + std::strerror(errno));
  }
  s->fd_ = ::fileno(s->file_);
  XY_RETURN_IF_ERROR(s->Init());
  return s;
}

Result<std::unique_ptr<TextSource>> TextSource::FromBuffer(std::string data, std::string name,
                                                           size_t chunk_bytes) {
  std::unique_ptr<TextSource> s(new TextSource());
  s->name_ = std::move(name);
  s->chunk_bytes_ = std::max<size_t>(1, chunk_bytes);
  s->buffer_data_ = std::move(data);
  XY_RETURN_IF_ERROR(s->Init());
  return s;
}

TextSource::~TextSource() {
  if (file_ != nullptr) std::fclose(file_);
}

Result<std::string_view> TextSource::ReadRaw() {
  if (file_ == nullptr) {
    size_t n = std::min(chunk_bytes_, buffer_data_.size() - buffer_pos_);
    std::string_view v(buffer_data_.data() + buffer_pos_, n);
    buffer_pos_ += n;
    return v;
  }
  raw_.resize(kChunkBytes);
  size_t n = std::fread(raw_.data(), 1, kChunkBytes, file_);
  if (n < kChunkBytes && std::ferror(file_)) {
    return Status::Unavailable("reading " + name_ + ": " + std::strerror(errno));
  }
  return std::string_view(raw_.data(), n);
}

Result<std::string> TextSource::Digest() const {
  crypto_generichash_state state;
  crypto_generichash_init(&state, nullptr, 0, kDigestBytes);
  auto add = [&state](const char* data, size_t n) {
    crypto_generichash_update(&state, reinterpret_cast<const unsigned char*>(data), n);
  };
  if (file_ == nullptr) {
    add(buffer_data_.data(), buffer_data_.size());
  } else {
    // pread leaves the position of the stream Next reads from where it is.
    const int fd = fd_;
    struct stat st;
    if (::fstat(fd, &st) != 0) {
      return Status::Unavailable("reading " + name_ + ": " + std::strerror(errno));
    }
    if (!S_ISREG(st.st_mode)) return std::string();  // a pipe cannot be read twice
    std::string chunk(kChunkBytes, '\0');
    for (off_t at = 0;;) {
      const ssize_t n = ::pread(fd, chunk.data(), chunk.size(), at);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) return Status::Unavailable("reading " + name_ + ": " + std::strerror(errno));
      if (n == 0) break;
      add(chunk.data(), static_cast<size_t>(n));
      at += n;
    }
  }
  std::string out(kDigestBytes, '\0');
  crypto_generichash_final(&state, reinterpret_cast<unsigned char*>(out.data()), out.size());
  return out;
}

Status TextSource::Init() {
  XY_ASSIGN_OR_RETURN(std::string_view first, ReadRaw());
  if (first.empty()) return Status::InvalidArgument(name_ + ": the file is empty");
  pending_.assign(first);
  // A byte order mark is no content: UTF-8's, also when what follows it is GBK (an editor's
  // mark on a file converted badly), or GB18030's (U+FEFF encoded as 84 31 95 33). Left in, it
  // would be part of the first header name or the first JSON line.
  if (pending_.starts_with("\xEF\xBB\xBF")) pending_.erase(0, 3);
  XY_ASSIGN_OR_RETURN(encoding_, DetectEncoding(pending_, name_));
  if (encoding_ == Encoding::kGb18030 && pending_.starts_with("\x84\x31\x95\x33")) {
    pending_.erase(0, 4);
  }
  if (encoding_ == Encoding::kGb18030) {
    XY_ASSIGN_OR_RETURN(decoder_, Gb18030Decoder::Create());
  }
  // Lines ended by CR alone (classic Mac OS, some old spreadsheet exports) would read as one
  // enormous row: say so instead of failing on a header that matches nothing. (CR and LF are
  // the same bytes in GBK.)
  if (pending_.find('\n') == std::string::npos && pending_.find('\r') != std::string::npos) {
    return Status::InvalidArgument(name_ +
                                   ": its lines end in CR alone (classic Mac OS); save it with LF "
                                   "or CRLF line ends");
  }
  return Status::Ok();
}

Result<bool> TextSource::Next(std::string* out) {
  if (done_) return false;
  std::string_view raw;
  if (!started_) {
    started_ = true;
    raw = pending_;
  } else {
    XY_ASSIGN_OR_RETURN(raw, ReadRaw());
  }
  bool last = raw.empty();
  if (last) done_ = true;
  if (decoder_) {
    size_t before = out->size();
    XY_RETURN_IF_ERROR(decoder_->Decode(raw, last, out));
    return !last || out->size() > before;
  }
  if (last) return false;
  out->append(raw);
  return true;
}

}  // namespace xinyong::ingest
