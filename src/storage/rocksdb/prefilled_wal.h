// PrefilledWalFileSystem: RocksDB's file system, except that a write-ahead log file is written
// into space already filled with zeros.
//
// Every credit check waits for a synced write of the store. On a file that grows, each
// fdatasync must also write the file's inode (its size changed): on this platform's disk a second
// synchronous I/O per sync, about a sixth of the check-logging thread's CPU, and waited for.
// RocksDB's own remedy, recycling log files, is turned off by RocksDB 7.8 under point-in-time
// recovery, which the store keeps. So a log file is extended with zeros a step (1 MiB) ahead of
// its writes, and a write lands in blocks that already exist: its sync writes its data only, and
// the size changes once a step.
//
// A log file is read (recovery, a read-only open) up to its first unwritten record header: seven
// zero bytes where a record starts, which RocksDB's log writer never writes. RocksDB's reader
// alone would skip the rest of that block silently and read on — in a file being written
// meanwhile, or after a power cut that kept later pages and lost earlier ones, past a gap. Ended
// there, the log is a prefix of what was written, as with a file that grows. A file closed
// normally is truncated to what was written; only the log that was being written when the process
// died keeps its zeros, until recovery replays and deletes it. A write larger than what is left
// of the zeros extends the file itself (no double write of bulk batches); the zeros are then laid
// after it. The step is whole 32 KiB log blocks.
//
// Only files named as RocksDB names its logs (digits, ".log") are affected; every other file is
// the base file system's.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include <rocksdb/file_system.h>

namespace xinyong::storage {

class PrefilledWalFileSystem : public rocksdb::FileSystemWrapper {
 public:
  static constexpr uint64_t kDefaultStep = 1u << 20;

  explicit PrefilledWalFileSystem(std::shared_ptr<rocksdb::FileSystem> base,
                                  uint64_t step = kDefaultStep);

  static const char* kClassName() { return "XinyongPrefilledWalFileSystem"; }
  const char* Name() const override { return kClassName(); }

  rocksdb::IOStatus NewWritableFile(const std::string& fname, const rocksdb::FileOptions& options,
                                    std::unique_ptr<rocksdb::FSWritableFile>* result,
                                    rocksdb::IODebugContext* dbg) override;
  // A log file is read up to its first unwritten record header.
  rocksdb::IOStatus NewSequentialFile(const std::string& fname,
                                      const rocksdb::FileOptions& options,
                                      std::unique_ptr<rocksdb::FSSequentialFile>* result,
                                      rocksdb::IODebugContext* dbg) override;

  // Whether `fname` is named as a write-ahead log file ("…/000123.log").
  static bool IsWalFile(const std::string& fname);

 private:
  const uint64_t step_;
};

}  // namespace xinyong::storage
