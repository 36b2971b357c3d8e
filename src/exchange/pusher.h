// Pusher: the lower-level side of exchange between platform levels. Reads this instance's change
// feed (Store::ReadChanges) from the receiver's cursor and sends it in batches to a sink: an
// upper-level instance over HTTP (POST /api/v1/exchange/changes) or a directory of files in the
// standard field formats (file drop). Resumable: the cursor that counts is the receiver's — the
// pusher asks for it at start and after every failed send, so a crash or a cut link on either
// side loses and duplicates nothing. Back-pressure: a busy receiver (429/503 with Retry-After),
// a refused connection or a timeout is retried with exponential back-off up to a cap, never
// skipped; only a refusal that retrying cannot cure (a malformed batch, a bad token) ends the run.
//
// Thread-safety: one Pusher per thread; Stop() may be called from any thread.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string_view>
#include <utility>
#include <span>
#include <string>

#include "catalog/catalog.h"
#include "core/personal_data.h"
#include "core/status.h"
#include "exchange/wire.h"
#include "storage/store.h"

namespace xinyong::exchange {

// Where batches go.
class Sink {
 public:
  virtual ~Sink() = default;
  // The last sequence number the other side holds (0: none). Unavailable when it cannot be asked.
  virtual Result<uint64_t> Cursor() = 0;
  // Delivers one batch (sequence numbers ascending, all above the cursor) to a receiver believed
  // to hold everything up to `after` (Receiver ApplyOptions::after). Unavailable (or
  // ResourceExhausted for a busy receiver, *retry_after set when it said how long to wait) is
  // worth retrying; anything else is not.
  virtual Status Send(std::span<const ChangeLine> lines, uint64_t after,
                      std::chrono::milliseconds* retry_after) = 0;
  virtual std::string Describe() const = 0;
};

// The upper-level instance at `url` ("http://host:port", optionally with a path prefix), with an
// operator token of that instance.
std::unique_ptr<Sink> MakeHttpSink(const std::string& url, const std::string& token,
                                   const std::string& source_id, const std::string& region,
                                   std::chrono::milliseconds timeout = std::chrono::seconds(30));

// What a file drop holds.
enum class DropFormat {
  // Each batch as CSV files with the standard field codes as header, one per indicator and
  // receipt date, named "<indicator>.<source>-<first seq>-<last seq>.csv" so that `xinyong
  // ingest` takes the indicator from the name; status changes and deletion events, which no CSV
  // carries, go to "_changes.<source>-<first>-<last>.ndjson" in the wire format. For systems
  // that read the standard formats; the interleaving of the files within a batch is not kept.
  kCsv,
  // Each batch whole, in feed order, as "_feed.<source>-<first>-<last>.ndjson" in the wire
  // format: what an upper-level Xinyong applies exactly once (ApplyDrop, or each file POSTed to
  // /api/v1/exchange/changes with after=<first>-1), across a one-way link or a file ferry.
  kFeed,
};

// A file drop in `format`. Sequence numbers in names are 12 digits, zero-padded. Each file is
// written to a temporary name, synced and renamed (and the directory synced); then the state
// file ".xinyong-push-<source>" records the last sequence number written. A batch first removes
// the source's files from its first sequence number on, left by an attempt that failed before
// its state file.
std::unique_ptr<Sink> MakeDirSink(const std::string& dir, const std::string& source_id,
                                  const catalog::Catalog& catalog,
                                  DropFormat format = DropFormat::kCsv);

// The sequence range in the name of a drop file of `source`, "<prefix>.<source>-<first>-<last>"
// and anything after; nullopt for any other name (another source's, a temporary file). The
// prefix (an indicator code, "_changes", "_feed") has no '.'; a source id may.
std::optional<std::pair<uint64_t, uint64_t>> DropFileRange(std::string_view name,
                                                           std::string_view source);

struct PushOptions {
  size_t batch = 5000;  // changes per batch
  bool follow = false;  // keep going when caught up (poll every `poll`) until Stop()
  std::chrono::milliseconds poll{1000};
  std::chrono::milliseconds backoff_first{100};
  std::chrono::milliseconds backoff_cap{10000};
  // With `follow`: how long to wait after a failure retrying cannot cure (a refused token, a
  // receiver ahead of the feed), reported to `Pusher::on_failure`, before trying again.
  std::chrono::milliseconds persist_wait{60000};
};

struct PushReport {
  uint64_t sent = 0;      // changes delivered (answered), each counted once
  uint64_t resent = 0;    // changes delivered again because the receiver had lost them
  uint64_t batches = 0;
  uint64_t retries = 0;   // failed sends and cursor requests retried
  uint64_t from = 0;      // the receiver's cursor at the start
  uint64_t cursor = 0;    // the last sequence number delivered
  double seconds = 0;
};

class Pusher {
 public:
  Pusher(const storage::Store& store, const PersonalDataVault& vault, Sink& sink,
         PushOptions options);

  // Without `follow`: until the receiver holds everything the feed had when the run caught up;
  // fails for what retrying cannot cure. With it: until Stop(), whatever fails meanwhile.
  Result<PushReport> Run();
  void Stop() { stop_.store(true); }

  // Called after each delivered batch (progress output); optional.
  std::function<void(const PushReport&)> on_batch;
  // With `follow`, called with each failure retrying cannot cure, before waiting
  // `persist_wait` and trying again (a server logs it); optional.
  std::function<void(const Status&)> on_failure;

 private:
  bool SleepFor(std::chrono::milliseconds d);  // false when stopped meanwhile

  const storage::Store& store_;
  const PersonalDataVault& vault_;
  Sink& sink_;
  PushOptions options_;
  std::atomic<bool> stop_{false};
};

}  // namespace xinyong::exchange
