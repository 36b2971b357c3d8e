#include "exchange/pusher.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <filesystem>
#include <fstream>
#include <future>
#include <map>
#include <thread>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/json.hpp>

#include "ingest/csv_reader.h"

namespace xinyong::exchange {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace json = boost::json;
namespace fs = std::filesystem;
using tcp = asio::ip::tcp;
using std::chrono::milliseconds;

namespace {

int64_t NowMs() {
  return std::chrono::duration_cast<milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// ---- HTTP ----

class HttpSink final : public Sink {
 public:
  HttpSink(std::string host, std::string port, std::string prefix, std::string token,
           std::string source, std::string region, milliseconds timeout)
      : host_(std::move(host)), port_(std::move(port)), prefix_(std::move(prefix)),
        token_(std::move(token)), source_(std::move(source)), region_(std::move(region)),
        timeout_(timeout) {}

  std::string Describe() const override { return "http://" + host_ + ":" + port_ + prefix_; }

  Result<uint64_t> Cursor() override {
    http::response<http::string_body> res;
    XY_RETURN_IF_ERROR(Exchange(http::verb::get,
                                prefix_ + "/api/v1/exchange/cursor?source=" + source_, "", &res));
    if (res.result() != http::status::ok) return Refusal(res, nullptr);
    boost::system::error_code ec;
    json::value v = json::parse(res.body(), ec);
    const json::value* c = ec || !v.is_object() ? nullptr : v.as_object().if_contains("cursor");
    if (c == nullptr || !(c->is_uint64() || c->is_int64())) {
      return Status::Unavailable(Describe() + " answered the cursor request without a cursor");
    }
    return c->is_uint64() ? c->as_uint64() : static_cast<uint64_t>(c->as_int64());
  }

  // A batch refused as too large (413: a proxy in front of the receiver with a smaller body
  // limit) goes in halves, and later batches in requests of at most that many lines. Each part
  // says where the one before it ended (`after=`), so a part that fails is sent again from the
  // receiver's cursor like any failed batch.
  Status Send(std::span<const ChangeLine> lines, uint64_t after,
              milliseconds* retry_after) override {
    size_t i = 0;
    while (i < lines.size()) {
      const std::span<const ChangeLine> part = lines.subspan(i, std::min(max_lines_, lines.size() - i));
      std::string body;
      body.reserve(part.size() * 600);
      for (const ChangeLine& l : part) AppendLine(l, &body);
      http::response<http::string_body> res;
      XY_RETURN_IF_ERROR(Exchange(http::verb::post,
                                  prefix_ + "/api/v1/exchange/changes?source=" + source_ +
                                      "&region=" + region_ + "&after=" + std::to_string(after),
                                  std::move(body), &res));
      if (res.result() == http::status::payload_too_large && part.size() > 1) {
        max_lines_ = part.size() / 2;
        continue;
      }
      if (res.result() != http::status::ok) return Refusal(res, retry_after);
      after = part.back().seq;
      i += part.size();
    }
    return Status::Ok();
  }

 private:
  // One request on the kept-alive connection, opened (again) when needed. Unavailable for any
  // I/O failure, and when connecting, or sending or receiving any part, takes longer than the
  // timeout (a receiver that went silent: power lost, a firewall dropping the connection); the
  // connection is dropped then. The operations are asynchronous, run to completion on this
  // sink's own io_context, because a beast::tcp_stream's deadline applies to those only.
  Status Exchange(http::verb method, const std::string& target, std::string body,
                  http::response<http::string_body>* res) {
    beast::error_code ec;
    const auto done = [&ec](beast::error_code e, auto&&...) { ec = e; };
    const auto run = [&](const char* what) -> Status {
      ioc_.restart();
      ioc_.run();
      if (!ec) return Status::Ok();
      stream_.reset();
      const std::string why =
          ec == beast::error::timeout
              ? std::string("no progress within ") + std::to_string(timeout_.count()) + " ms"
              : ec.message();
      return Status::Unavailable(Describe() + ": " + what + ": " + why);
    };
    try {
      if (!stream_) {
        // The name is resolved under the same deadline (a resolver that hangs cancelled).
        tcp::resolver resolver(ioc_);
        tcp::resolver::results_type endpoints;
        asio::steady_timer deadline(ioc_, timeout_);
        bool timed_out = false;
        resolver.async_resolve(host_, port_, [&](beast::error_code e, tcp::resolver::results_type r) {
          ec = e;
          endpoints = std::move(r);
          deadline.cancel();
        });
        deadline.async_wait([&](beast::error_code e) {
          if (e) return;  // cancelled: resolved in time
          timed_out = true;
          resolver.cancel();
        });
        ioc_.restart();
        ioc_.run();
        if (timed_out) {
          return Status::Unavailable(Describe() + ": resolving " + host_ + ": no answer within " +
                                     std::to_string(timeout_.count()) + " ms");
        }
        if (ec) return Status::Unavailable(Describe() + ": resolving " + host_ + ": " + ec.message());
        stream_ = std::make_unique<beast::tcp_stream>(ioc_);
        stream_->expires_after(timeout_);
        stream_->async_connect(endpoints, done);
        XY_RETURN_IF_ERROR(run("connecting"));
      }
      http::request<http::string_body> req(method, target, 11);
      req.set(http::field::host, host_);
      req.set(http::field::user_agent, "xinyong-push");
      if (!token_.empty()) req.set(http::field::authorization, "Bearer " + token_);
      if (method == http::verb::post) req.set(http::field::content_type, "application/x-ndjson");
      req.body() = std::move(body);
      req.prepare_payload();
      // Piece by piece, each with its own deadline: a large batch over a slow link takes as
      // long as it takes while it moves.
      http::request_serializer<http::string_body> serializer(req);
      while (!serializer.is_done()) {
        stream_->expires_after(timeout_);
        http::async_write_some(*stream_, serializer, done);
        XY_RETURN_IF_ERROR(run("sending"));
      }
      beast::flat_buffer buffer;
      http::response_parser<http::string_body> parser;
      parser.body_limit(64u << 20);
      while (!parser.is_done()) {
        stream_->expires_after(timeout_);
        http::async_read_some(*stream_, buffer, parser, done);
        XY_RETURN_IF_ERROR(run("waiting for the answer"));
      }
      *res = parser.release();
      if (!res->keep_alive()) stream_.reset();
      return Status::Ok();
    } catch (const std::exception& e) {  // allocation, or anything asio throws
      stream_.reset();
      return Status::Unavailable(Describe() + ": " + e.what());
    }
  }

  Status Refusal(const http::response<http::string_body>& res, milliseconds* retry_after) {
    const unsigned code = res.result_int();
    std::string message = res.body().substr(0, 500);
    boost::system::error_code ec;
    json::value v = json::parse(res.body(), ec);
    if (!ec && v.is_object()) {
      if (const json::value* e = v.as_object().if_contains("error"); e && e->is_object()) {
        if (const json::value* m = e->as_object().if_contains("message"); m && m->is_string()) {
          message = std::string(m->as_string());
        }
      }
    }
    const std::string what = Describe() + " answered " + std::to_string(code) + ": " + message;
    if (code == 429 || code == 503) {
      if (retry_after != nullptr) {
        auto it = res.find(http::field::retry_after);
        if (it != res.end()) {
          int64_t s = 0;
          for (char c : it->value()) {
            if (c < '0' || c > '9') break;
            s = std::min<int64_t>(s * 10 + (c - '0'), 3600);  // capped as it grows: no overflow
          }
          *retry_after = milliseconds(s * 1000);
        }
      }
      return Status::ResourceExhausted(what);
    }
    if (code >= 500 || code == 408) return Status::Unavailable(what);
    if (code == 401 || code == 403) return Status::PermissionDenied(what);
    return Status::InvalidArgument(what);
  }

  std::string host_, port_, prefix_, token_, source_, region_;
  milliseconds timeout_;
  size_t max_lines_ = SIZE_MAX;  // lines per request, once a batch was refused as too large
  asio::io_context ioc_;
  std::unique_ptr<beast::tcp_stream> stream_;
};

// ---- file drop ----

// Writes `data` to `path` atomically and durably: a temporary file beside it, synced, renamed
// over it, and the directory synced, so that the drop's state file never outlives, after a
// power loss, a file written before it.
Status WriteAtomically(const fs::path& path, std::string_view data) {
  const fs::path tmp = path.parent_path() / (".tmp-" + path.filename().string());
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
  if (fd < 0) return Status::Unavailable("cannot create " + tmp.string() + ": " + strerror(errno));
  size_t off = 0;
  // A failure removes the temporary file (the descriptor closed first): nothing is left behind
  // (a name starting with '.' is no drop file a reader takes, but it takes space).
  const auto fail = [&](const std::string& what, const std::string& why) {
    ::unlink(tmp.c_str());
    return Status::Unavailable("cannot " + what + " " + tmp.string() + ": " + why);
  };
  while (off < data.size()) {
    const ssize_t n = ::write(fd, data.data() + off, data.size() - off);
    if (n < 0) {
      if (errno == EINTR) continue;
      const std::string why = strerror(errno);
      ::close(fd);
      return fail("write", why);
    }
    off += static_cast<size_t>(n);
  }
  if (::fsync(fd) != 0) {
    const std::string why = strerror(errno);
    ::close(fd);
    return fail("sync", why);
  }
  if (::close(fd) != 0) return fail("close", strerror(errno));
  std::error_code ec;
  fs::rename(tmp, path, ec);
  if (ec) return fail("rename", ec.message());
  const fs::path parent = path.parent_path().empty() ? fs::path(".") : path.parent_path();
  const int dir = ::open(parent.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir < 0 || ::fsync(dir) != 0) {
    const std::string err = strerror(errno);
    if (dir >= 0) ::close(dir);
    return Status::Unavailable("cannot sync the directory " + parent.string() + ": " +
                               err);
  }
  ::close(dir);
  return Status::Ok();
}

class DirSink final : public Sink {
 public:
  DirSink(std::string dir, std::string source, const catalog::Catalog& catalog, DropFormat format)
      : dir_(std::move(dir)), source_(std::move(source)), catalog_(catalog), format_(format) {}

  std::string Describe() const override { return dir_.string(); }

  fs::path StatePath() const { return dir_ / (".xinyong-push-" + source_); }

  Result<uint64_t> Cursor() override {
    std::error_code ec;
    fs::create_directories(dir_, ec);
    if (ec) return Status::Unavailable("cannot create " + dir_.string() + ": " + ec.message());
    std::ifstream in(StatePath());
    if (!in) return uint64_t{0};
    uint64_t seq = 0;
    if (!(in >> seq)) {
      return Status::DataLoss(StatePath().string() + " does not hold a sequence number");
    }
    return seq;
  }

  // `after`: this sink's own state file is what it holds, written before Send returns.
  Status Send(std::span<const ChangeLine> lines, uint64_t, milliseconds*) override {
    XY_RETURN_IF_ERROR(RemoveUnconfirmed(lines.front().seq));
    const std::string range =
        source_ + "-" + Padded(lines.front().seq) + "-" + Padded(lines.back().seq);
    if (format_ == DropFormat::kFeed) {
      std::string feed;
      for (const ChangeLine& l : lines) AppendLine(l, &feed);
      XY_RETURN_IF_ERROR(WriteAtomically(dir_ / ("_feed." + range + ".ndjson"), feed));
      return WriteAtomically(StatePath(), std::to_string(lines.back().seq) + "\n");
    }
    // Record versions in force: CSV per indicator and receipt date, in feed order.
    std::map<std::pair<std::string, std::string>, std::string> files;
    std::string others;
    for (const ChangeLine& l : lines) {
      if (l.erased || l.status != RecordStatus::kActive) {
        AppendLine(l, &others);
        continue;
      }
      const catalog::Indicator* ind = catalog_.Find(l.indicator);
      if (ind == nullptr) {
        return Status::InvalidArgument("change " + std::to_string(l.seq) + " is of indicator " +
                                       l.indicator + ", which the catalog does not have");
      }
      std::string& csv = files[{l.indicator, l.received.ToString()}];
      if (csv.empty()) {
        for (size_t f = 0; f < ind->fields.size(); ++f) {
          if (f > 0) csv.push_back(',');
          csv.append(ind->fields[f].code);
        }
        csv.append("\r\n");
      }
      for (size_t f = 0; f < ind->fields.size(); ++f) {
        if (f > 0) csv.push_back(',');
        for (const auto& [code, value] : l.fields) {
          if (code == ind->fields[f].code) {
            ingest::AppendCsvField(value, &csv);
            break;
          }
        }
      }
      csv.append("\r\n");
    }
    for (const auto& [key, csv] : files) {
      // The receipt date is part of the name only when a batch has several for one indicator.
      std::string name = key.first + "." + range;
      size_t same = 0;
      for (const auto& [k2, unused] : files) same += k2.first == key.first;
      if (same > 1) name += "." + key.second;
      XY_RETURN_IF_ERROR(WriteAtomically(dir_ / (name + ".csv"), csv));
    }
    if (!others.empty()) {
      XY_RETURN_IF_ERROR(WriteAtomically(dir_ / ("_changes." + range + ".ndjson"), others));
    }
    return WriteAtomically(StatePath(), std::to_string(lines.back().seq) + "\n");
  }

 private:
  // Removes this source's files from `first` on: what an attempt that failed before writing the
  // state file left. Sent again, a batch may end later (the feed has grown), so its files would
  // not replace them but overlap them.
  Status RemoveUnconfirmed(uint64_t first) {
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(dir_, ec)) {
      const auto range = DropFileRange(e.path().filename().string(), source_);
      if (!range || range->first < first) continue;
      fs::remove(e.path(), ec);
      if (ec) return Status::Unavailable("cannot remove " + e.path().string() + ": " + ec.message());
    }
    if (ec) return Status::Unavailable("cannot list " + dir_.string() + ": " + ec.message());
    return Status::Ok();
  }

  static std::string Padded(uint64_t seq) {
    std::string s = std::to_string(seq);
    return std::string(s.size() < 12 ? 12 - s.size() : 0, '0') + s;
  }

  fs::path dir_;
  std::string source_;
  const catalog::Catalog& catalog_;
  DropFormat format_;
};

}  // namespace

std::optional<std::pair<uint64_t, uint64_t>> DropFileRange(std::string_view name,
                                                           std::string_view source) {
  const size_t dot = name.find('.');
  if (dot == 0 || dot == std::string_view::npos) return std::nullopt;
  std::string_view rest = name.substr(dot + 1);
  if (!rest.starts_with(source) || rest.size() < source.size() + 1 + 12 + 1 + 12 ||
      rest[source.size()] != '-' || rest[source.size() + 13] != '-') {
    return std::nullopt;
  }
  rest = rest.substr(source.size() + 1);
  uint64_t first = 0, last = 0;
  if (std::from_chars(rest.data(), rest.data() + 12, first).ptr != rest.data() + 12 ||
      std::from_chars(rest.data() + 13, rest.data() + 25, last).ptr != rest.data() + 25 ||
      (rest.size() > 25 && rest[25] != '.') || first == 0 || last < first) {
    return std::nullopt;
  }
  return std::make_pair(first, last);
}

std::unique_ptr<Sink> MakeHttpSink(const std::string& url, const std::string& token,
                                   const std::string& source_id, const std::string& region,
                                   milliseconds timeout) {
  std::string rest = url;
  if (rest.starts_with("http://")) rest = rest.substr(7);
  std::string prefix;
  if (size_t slash = rest.find('/'); slash != std::string::npos) {
    prefix = rest.substr(slash);
    rest = rest.substr(0, slash);
    while (!prefix.empty() && prefix.back() == '/') prefix.pop_back();
  }
  std::string host = rest, port = "80";
  if (size_t colon = rest.rfind(':'); colon != std::string::npos) {
    host = rest.substr(0, colon);
    port = rest.substr(colon + 1);
  }
  return std::make_unique<HttpSink>(host, port, prefix, token, source_id, region, timeout);
}

std::unique_ptr<Sink> MakeDirSink(const std::string& dir, const std::string& source_id,
                                  const catalog::Catalog& catalog, DropFormat format) {
  return std::make_unique<DirSink>(dir, source_id, catalog, format);
}

Pusher::Pusher(const storage::Store& store, const PersonalDataVault& vault, Sink& sink,
               PushOptions options)
    : store_(store), vault_(vault), sink_(sink), options_(options) {
  if (options_.batch == 0) options_.batch = 1;
}

bool Pusher::SleepFor(milliseconds d) {
  const int64_t until = NowMs() + d.count();
  while (!stop_.load()) {
    const int64_t left = until - NowMs();
    if (left <= 0) return true;
    std::this_thread::sleep_for(milliseconds(std::min<int64_t>(left, 50)));
  }
  return false;
}

Result<PushReport> Pusher::Run() {
  PushReport report;
  const int64_t started = NowMs();
  std::optional<uint64_t> position;  // the receiver's cursor as last learned
  // Whether `position` is the receiver's own answer to a cursor request. After a delivered batch
  // it is not: a receiver answers while the batch still commits (receiver.h), so once caught up
  // the pusher asks before it stops or rests, and sends again from the answer if it is behind.
  bool confirmed = false;
  constexpr uint64_t kNone = UINT64_MAX;
  uint64_t confirming = kNone;  // the position being confirmed
  // The cursor a confirmation last found behind, sent again from. Found there again, the commit
  // failed again: sent again after a back-off, as after any failure, never taken as delivered.
  uint64_t behind = kNone;
  bool first = true;
  uint64_t delivered = 0;  // the highest sequence number delivered in this run
  milliseconds backoff = options_.backoff_first;
  using Lines = std::vector<ChangeLine>;
  // The batch after `after`, read and encoded; the next one is prepared on another thread while
  // the current one is sent, so the source's reading overlaps the receiver's applying.
  auto prepare = [this](uint64_t after) -> Result<Lines> {
    std::vector<storage::Change> changes;
    XY_RETURN_IF_ERROR(store_.ReadChanges(after + 1, options_.batch, true, &changes));
    Lines lines;
    lines.reserve(changes.size());
    for (const storage::Change& c : changes) {
      XY_ASSIGN_OR_RETURN(ChangeLine l, LineOfChange(c, vault_));
      lines.push_back(std::move(l));
    }
    return lines;
  };
  std::future<Result<Lines>> next;
  auto discard_next = [&] {
    if (next.valid()) next.get().status().IgnoreError();
  };
  auto retry = [&](milliseconds hint) {
    ++report.retries;
    const milliseconds wait = hint.count() > 0 ? std::min(hint, options_.backoff_cap) : backoff;
    backoff = std::min(backoff * 2, options_.backoff_cap);
    position.reset();  // ask the receiver again: it may hold more (or less) than we thought
    discard_next();
    return SleepFor(wait);
  };
  // A failure retrying cannot cure ends a run — unless it follows the feed (a server pushing as
  // it runs), which must not stop for good over what an operator can fix at either end (a
  // token, a proxy, a source id): it reports the failure and tries again after `persist_wait`.
  // False when the run is to end with the failure.
  auto persist = [&](const Status& failure) {
    discard_next();
    if (!options_.follow) return false;
    ++report.retries;
    if (on_failure) on_failure(failure);
    position.reset();
    static_cast<void>(SleepFor(options_.persist_wait));  // a Stop() meanwhile ends the loop
    return true;
  };
  while (!stop_.load()) {
    if (!position) {
      auto c = sink_.Cursor();
      if (!c.ok()) {
        const bool transient = c.status().code() == StatusCode::kUnavailable ||
                               c.status().code() == StatusCode::kResourceExhausted;
        if (!transient && !persist(c.status())) return c.status();
        if (transient && !retry(milliseconds(0))) break;
        continue;
      }
      // The receiver can only hold what this feed numbered: a cursor past its end means another
      // instance pushes under this source id, or this store was restored from an older backup
      // (or made anew) — going on would skip this feed's changes up to that cursor for good.
      auto last = store_.LastChangeSeq();
      if (!last.ok()) {
        if (!persist(last.status())) return last.status();
        continue;
      }
      if (*c > *last) {
        const Status ahead = Status::FailedPrecondition(
            sink_.Describe() + " holds changes up to " + std::to_string(*c) +
            " from this source id, but this instance's change feed ends at " +
            std::to_string(*last) +
            ": another instance pushes under the same source id, or this store was restored "
            "from an older backup or made anew. Nothing was sent; push under a source id of its "
            "own, or have the receiver's operator look into that source");
        if (!persist(ahead)) return ahead;
        continue;
      }
      position = *c;
      confirmed = true;
      if (confirming != kNone) {
        const bool again = *c < confirming && behind == *c;
        behind = *c < confirming ? *c : kNone;  // behind: send again from there
        confirming = kNone;
        if (again) {
          ++report.retries;
          const milliseconds wait = backoff;
          backoff = std::min(backoff * 2, options_.backoff_cap);
          if (!SleepFor(wait)) break;
        }
      }
      if (first) {
        report.from = *c;
        first = false;
      }
      report.cursor = *c;
    }
    Result<Lines> got = Lines();
    if (next.valid()) got = next.get();
    if (got.ok() && got->empty()) got = prepare(*position);  // none prefetched, or the feed grew
    if (!got.ok()) {
      if (!persist(got.status())) return got.status();
      continue;
    }
    Lines lines = std::move(got).value();
    if (lines.empty()) {
      if (!confirmed) {
        confirming = *position;
        position.reset();
        continue;
      }
      if (!options_.follow) break;
      if (!SleepFor(options_.poll)) break;
      continue;
    }
    next = std::async(std::launch::async, prepare, lines.back().seq);
    milliseconds hint(0);
    Status s = sink_.Send(lines, *position, &hint);
    if (!s.ok()) {
      if (s.code() != StatusCode::kUnavailable && s.code() != StatusCode::kResourceExhausted) {
        if (!persist(s)) return s;
        continue;
      }
      if (!retry(hint)) break;
      continue;
    }
    backoff = options_.backoff_first;
    position = lines.back().seq;
    confirmed = false;
    report.cursor = *position;
    for (const ChangeLine& l : lines) ++(l.seq > delivered ? report.sent : report.resent);
    delivered = std::max(delivered, lines.back().seq);
    ++report.batches;
    if (on_batch) on_batch(report);
  }
  discard_next();
  report.seconds = static_cast<double>(NowMs() - started) / 1000.0;
  return report;
}

}  // namespace xinyong::exchange
