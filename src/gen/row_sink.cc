#include "gen/row_sink.h"

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "gen/format.h"
#include "ingest/encoding.h"

namespace xinyong::gen {

namespace {
constexpr size_t kChunkBytes = 4u << 20;
}  // namespace

RowSink::RowSink(std::string dir, std::string code, std::string ext, std::string header, bool bom,
                 bool gbk, uint64_t rows_per_file)
    : dir_(std::move(dir)),
      code_(std::move(code)),
      ext_(std::move(ext)),
      header_(std::move(header)),
      bom_(bom && !gbk),
      gbk_(gbk),
      rows_per_file_(rows_per_file == 0 ? 1 : rows_per_file) {
  buf_.reserve(kChunkBytes + (64u << 10));
}

RowSink::~RowSink() {
  if (file_ != nullptr) std::fclose(file_);
}

Status RowSink::Open() {
  std::string name = code_ + ".part-";
  AppendPadded(parts_.size() + 1, 4, &name);
  name += "." + ext_;
  path_ = (std::filesystem::path(dir_) / name).string();
  file_ = std::fopen(path_.c_str(), "wb");
  if (file_ == nullptr) {
    return Status::Unavailable("cannot create " + path_ + ": " + std::strerror(errno));
  }
  rows_in_part_ = 0;
  if (bom_) buf_ += "\xEF\xBB\xBF";
  buf_ += header_;
  return Status::Ok();
}

Status RowSink::Flush() {
  if (buf_.empty() || file_ == nullptr) return Status::Ok();
  std::string_view bytes = buf_;
  std::string encoded;
  if (gbk_) {
    auto r = ingest::Utf8ToGb18030(buf_);
    if (!r.ok()) return r.status().WithContext(path_);
    encoded = std::move(r).value();
    bytes = encoded;
  }
  if (std::fwrite(bytes.data(), 1, bytes.size(), file_) != bytes.size()) {
    return Status::Unavailable("cannot write " + path_ + ": " + std::strerror(errno));
  }
  buf_.clear();
  return Status::Ok();
}

Status RowSink::Close() {
  if (file_ == nullptr) return Status::Ok();
  XY_RETURN_IF_ERROR(Flush());
  int rc = std::fclose(file_);
  file_ = nullptr;
  if (rc != 0) return Status::Unavailable("cannot write " + path_ + ": " + std::strerror(errno));
  parts_.emplace_back(path_, rows_in_part_);
  return Status::Ok();
}

Result<std::string*> RowSink::BeginRow() {
  if (file_ != nullptr && rows_in_part_ >= rows_per_file_) XY_RETURN_IF_ERROR(Close());
  if (file_ == nullptr) XY_RETURN_IF_ERROR(Open());
  return &buf_;
}

Status RowSink::EndRow() {
  ++rows_in_part_;
  if (buf_.size() >= kChunkBytes) XY_RETURN_IF_ERROR(Flush());
  return Status::Ok();
}

Status RowSink::Add(std::string_view row) {
  XY_ASSIGN_OR_RETURN(std::string * buf, BeginRow());
  buf->append(row);
  return EndRow();
}

Status RowSink::Finish(std::vector<std::pair<std::string, uint64_t>>* files) {
  if (file_ == nullptr && parts_.empty()) XY_RETURN_IF_ERROR(Open());  // header-only file
  XY_RETURN_IF_ERROR(Close());
  if (parts_.size() == 1) {
    std::string single = (std::filesystem::path(dir_) / (code_ + "." + ext_)).string();
    std::error_code ec;
    std::filesystem::rename(parts_[0].first, single, ec);
    if (ec) return Status::Unavailable("cannot rename " + parts_[0].first + ": " + ec.message());
    parts_[0].first = single;
  }
  for (auto& p : parts_) files->push_back(std::move(p));
  parts_.clear();
  return Status::Ok();
}

}  // namespace xinyong::gen
