#include "storage/rocksdb/prefilled_wal.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace xinyong::storage {

namespace {

rocksdb::IOStatus IoError(const std::string& what, const std::string& fname, int err) {
  if (err == ENOSPC || err == EDQUOT) {
    // As RocksDB's own files report it: its error handler treats a full disk apart.
    return rocksdb::IOStatus::NoSpace(what + " " + fname, std::strerror(err));
  }
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
      // Past the zeros (the first write, or a large one): zeros for the next step's writes. Only
      // a saving: the write has landed, so a fill that fails (a full disk) fails nothing; the
      // next write tries again.
      static const std::string kZeros(64 << 10, '\0');
      const uint64_t end = size_ + step_;
      uint64_t at = size_;
      while (at < end) {
        const size_t n = static_cast<size_t>(std::min<uint64_t>(kZeros.size(), end - at));
        if (WriteFully(fd_, kZeros.data(), n, at) != 0) break;
        at += n;
      }
      filled_ = std::max(filled_, at);
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

// RocksDB's log format (db/log_format.h): 32 KiB blocks of records, each with a 7-byte header —
// checksum (4), length (2), type (1) — and never across a block; a block's last 0–6 bytes, too
// few for a header, are zero padding.
constexpr uint64_t kLogBlock = 32768;
constexpr size_t kLogHeader = 7;

// Reads a log file up to its first unwritten record header: seven zero bytes where a record
// starts, with room in the block for a header, are never written by RocksDB's log writer, only
// laid by PrefilledWalFile, so the log ends there. RocksDB's reader would skip the rest of that
// block and read on; in a file being written meanwhile (a read-only open next to the server) or
// after a power cut that kept later pages but not earlier ones, it could then read records past a
// gap. A header of a type this guard does not know (recyclable or compressed logs, not written
// here) leaves the rest of the file to RocksDB's reader as it is.
class WalReadGuard : public rocksdb::FSSequentialFileOwnerWrapper {
 public:
  explicit WalReadGuard(std::unique_ptr<rocksdb::FSSequentialFile>&& file)
      : rocksdb::FSSequentialFileOwnerWrapper(std::move(file)) {}

  rocksdb::IOStatus Read(size_t n, const rocksdb::IOOptions& options, rocksdb::Slice* result,
                         char* scratch, rocksdb::IODebugContext* dbg) override {
    if (ended_) {
      *result = rocksdb::Slice();
      return rocksdb::IOStatus::OK();
    }
    rocksdb::IOStatus s = target()->Read(n, options, result, scratch, dbg);
    if (!s.ok()) return s;
    const uint64_t begin = offset_;
    offset_ += result->size();
    while (parsing_ && next_ < offset_) {
      const uint64_t room = kLogBlock - next_ % kLogBlock;
      if (room < kLogHeader) {  // the block's padding
        next_ += room;
        continue;
      }
      while (header_.size() < kLogHeader && next_ + header_.size() < offset_) {
        header_.push_back(result->data()[next_ + header_.size() - begin]);
      }
      if (header_.size() < kLogHeader) break;  // the rest of it comes with the next read
      if (header_.find_first_not_of('\0') == std::string::npos) {
        // Unwritten: the log ends here (bytes of the header an earlier read returned read as a
        // truncated header at the end of the file, which RocksDB takes for the end too).
        *result = rocksdb::Slice(result->data(), next_ > begin ? next_ - begin : 0);
        ended_ = true;
        break;
      }
      const auto type = static_cast<uint8_t>(header_[6]);
      if (type < 1 || type > 4) {  // full, first, middle, last
        parsing_ = false;
        break;
      }
      next_ += kLogHeader + (static_cast<uint8_t>(header_[4]) |
                             (static_cast<uint64_t>(static_cast<uint8_t>(header_[5])) << 8));
      header_.clear();
    }
    return rocksdb::IOStatus::OK();
  }

  rocksdb::IOStatus Skip(uint64_t n) override {
    parsing_ = false;  // record boundaries are no longer known
    return target()->Skip(n);
  }

  rocksdb::IOStatus PositionedRead(uint64_t, size_t, const rocksdb::IOOptions&, rocksdb::Slice*,
                                   char*, rocksdb::IODebugContext*) override {
    return rocksdb::IOStatus::NotSupported("PositionedRead of a guarded log file");
  }

 private:
  uint64_t offset_ = 0;  // of the next byte read
  uint64_t next_ = 0;    // where the next record header starts
  std::string header_;   // its bytes read so far
  bool parsing_ = true;
  bool ended_ = false;
};

}  // namespace

PrefilledWalFileSystem::PrefilledWalFileSystem(std::shared_ptr<rocksdb::FileSystem> base,
                                               uint64_t step)
    : rocksdb::FileSystemWrapper(std::move(base)),
      // Whole blocks: zeros that end inside a block would leave it a short unwritten header.
      step_(std::max<uint64_t>(1, (step + kLogBlock - 1) / kLogBlock) * kLogBlock) {}

rocksdb::IOStatus PrefilledWalFileSystem::NewSequentialFile(
    const std::string& fname, const rocksdb::FileOptions& options,
    std::unique_ptr<rocksdb::FSSequentialFile>* result, rocksdb::IODebugContext* dbg) {
  rocksdb::IOStatus s = target()->NewSequentialFile(fname, options, result, dbg);
  if (s.ok() && IsWalFile(fname) && !(*result)->use_direct_io()) {
    *result = std::make_unique<WalReadGuard>(std::move(*result));
  }
  return s;
}

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
