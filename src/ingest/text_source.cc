#include "ingest/text_source.h"

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

Status TextSource::Init() {
  XY_ASSIGN_OR_RETURN(std::string_view first, ReadRaw());
  if (first.empty()) return Status::InvalidArgument(name_ + ": the file is empty");
  pending_.assign(first);
  XY_ASSIGN_OR_RETURN(encoding_, DetectEncoding(pending_, name_));
  if (encoding_ == Encoding::kGb18030) {
    XY_ASSIGN_OR_RETURN(decoder_, Gb18030Decoder::Create());
  } else if (pending_.starts_with("\xEF\xBB\xBF")) {
    pending_.erase(0, 3);  // UTF-8 byte order mark
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
