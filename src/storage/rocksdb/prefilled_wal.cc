#include "storage/rocksdb/prefilled_wal.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace xinyong::storage {

namespace {

rocksdb::IOStatus IoError(const std::string& what, const std::string& fname, int err) {
  return rocksdb::IOStatus::IOError(what + " " + fname, std::strerror(err));
}

// Writes all of [data, data + n) at `offset`, resuming after short writes and interrupts.
int WriteFully(int fd, const char* data, size_t n, uint64_t offset) {
  while (n > 0) {
    const ssize_t w = ::pwrite(fd, data, n, static_cast<off_t>(offset));
    if (w < 0) {
      if (errno == EINTR) continue;
      return errno;
    }
    data += w;
    n -= static_cast<size_t>(w);
    offset += static_cast<uint64_t>(w);
  }
  return 0;
}

// A log file written in place: `size_` bytes of records, then zeros up to `filled_`.
class PrefilledWalFile : public rocksdb::FSWritableFile {
 public:
  PrefilledWalFile(std::string fname, int fd, uint64_t step, const rocksdb::FileOptions& options)
      : rocksdb::FSWritableFile(options), fname_(std::move(fname)), fd_(fd), step_(step) {}
  ~PrefilledWalFile() override {
    if (fd_ >= 0) Close(rocksdb::IOOptions(), nullptr).PermitUncheckedError();
  }

  rocksdb::IOStatus Append(const rocksdb::Slice& data, const rocksdb::IOOptions&,
                           rocksdb::IODebugContext*) override {
    if (int err = WriteFully(fd_, data.data(), data.size(), size_); err != 0) {
      return IoError("writing the log file", fname_, err);
    }
    size_ += data.size();
    if (size_ > filled_) {
      // Past the zeros (the first write, or a large one): zeros for the next step's writes.
      static const std::string kZeros(64 << 10, '\0');
      const uint64_t end = size_ + step_;
      for (uint64_t at = size_; at < end;) {
        const size_t n = static_cast<size_t>(std::min<uint64_t>(kZeros.size(), end - at));
        if (int err = WriteFully(fd_, kZeros.data(), n, at); err != 0) {
          return IoError("filling the log file with zeros", fname_, err);
        }
        at += n;
      }
      filled_ = end;
    }
    return rocksdb::IOStatus::OK();
  }

  rocksdb::IOStatus Truncate(uint64_t size, const rocksdb::IOOptions&,
                             rocksdb::IODebugContext*) override {
    if (::ftruncate(fd_, static_cast<off_t>(size)) != 0) {
      return IoError("truncating the log file", fname_, errno);
    }
    size_ = size;
    filled_ = size;
    return rocksdb::IOStatus::OK();
  }

  // Drops the zeros: a log file closed normally holds its records only.
  rocksdb::IOStatus Close(const rocksdb::IOOptions& options, rocksdb::IODebugContext* dbg) override {
    if (fd_ < 0) return rocksdb::IOStatus::OK();
    rocksdb::IOStatus s = rocksdb::IOStatus::OK();
    if (filled_ > size_) s = Truncate(size_, options, dbg);
    if (::close(fd_) != 0 && s.ok()) s = IoError("closing the log file", fname_, errno);
    fd_ = -1;
    return s;
  }

  // Writes go straight to the file: nothing is buffered here.
  rocksdb::IOStatus Flush(const rocksdb::IOOptions&, rocksdb::IODebugContext*) override {
    return rocksdb::IOStatus::OK();
  }

  rocksdb::IOStatus Sync(const rocksdb::IOOptions&, rocksdb::IODebugContext*) override {
    if (::fdatasync(fd_) != 0) return IoError("syncing the log file", fname_, errno);
    return rocksdb::IOStatus::OK();
  }

  rocksdb::IOStatus Fsync(const rocksdb::IOOptions&, rocksdb::IODebugContext*) override {
    if (::fsync(fd_) != 0) return IoError("syncing the log file", fname_, errno);
    return rocksdb::IOStatus::OK();
  }

  bool IsSyncThreadSafe() const override { return true; }

  uint64_t GetFileSize(const rocksdb::IOOptions&, rocksdb::IODebugContext*) override {
    return size_;
  }

 private:
  const std::string fname_;
  int fd_;
  const uint64_t step_;
  uint64_t size_ = 0;    // records written
  uint64_t filled_ = 0;  // the file's size: records, then zeros
};

}  // namespace

PrefilledWalFileSystem::PrefilledWalFileSystem(std::shared_ptr<rocksdb::FileSystem> base,
                                               uint64_t step)
    : rocksdb::FileSystemWrapper(std::move(base)), step_(step) {}

bool PrefilledWalFileSystem::IsWalFile(const std::string& fname) {
  const size_t slash = fname.rfind('/');
  const std::string_view base =
      std::string_view(fname).substr(slash == std::string::npos ? 0 : slash + 1);
  if (base.size() <= 4 || !base.ends_with(".log")) return false;
  return std::all_of(base.begin(), base.end() - 4, [](char c) { return c >= '0' && c <= '9'; });
}

rocksdb::IOStatus PrefilledWalFileSystem::NewWritableFile(
    const std::string& fname, const rocksdb::FileOptions& options,
    std::unique_ptr<rocksdb::FSWritableFile>* result, rocksdb::IODebugContext* dbg) {
  if (!IsWalFile(fname) || options.use_direct_writes || options.use_mmap_writes) {
    return target()->NewWritableFile(fname, options, result, dbg);
  }
  int fd;
  do {
    fd = ::open(fname.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  } while (fd < 0 && errno == EINTR);
  if (fd < 0) return IoError("creating the log file", fname, errno);
  *result = std::make_unique<PrefilledWalFile>(fname, fd, step_, options);
  return rocksdb::IOStatus::OK();
}

}  // namespace xinyong::storage
