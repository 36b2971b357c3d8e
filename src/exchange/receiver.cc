#include "exchange/receiver.h"

#include <algorithm>
#include <chrono>
#include <exception>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <unordered_map>

#include <boost/json.hpp>

#include "exchange/pusher.h"
#include "ingest/row_validator.h"

namespace xinyong::exchange {

namespace json = boost::json;

bool ValidSourceId(std::string_view id) {
  if (id.empty() || id.size() > 64) return false;
  for (char c : id) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '.' || c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

bool ValidRegion(std::string_view region) {
  if (region.size() != 6) return false;
  for (char c : region) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

Receiver::Receiver(storage::Store& store, ingest::Ingester& ingester,
                   const catalog::Catalog& catalog, const WorkCalendar& calendar,
                   const PersonalDataVault& vault)
    : store_(store), ingester_(ingester), catalog_(catalog), calendar_(calendar), vault_(vault) {}

Result<uint64_t> Receiver::Cursor(std::string_view source) {
  std::lock_guard lock(mu_);
  // A failed commit is told by the cursor itself: it stays where the last commit left it.
  WaitForCommit();
  return store_.ExchangeCursorOf(source);
}

void Receiver::WaitForCommit() {
  if (!commit_.valid()) return;
  Status s;
  try {
    s = commit_.get();
  } catch (const std::exception& e) {  // kept below like any failure, and not thrown again
    s = Status::Internal(e.what());
  }
  commit_ = std::shared_future<Status>();
  if (!s.ok()) {
    failed_[commit_source_] = {commit_first_,
                               commit_of_ + " could not be committed (" + s.ToString() + ")"};
  } else {
    ForgetFailureIn(commit_source_, commit_first_, commit_last_);  // committed now
  }
}

void Receiver::ForgetFailureIn(const std::string& source, uint64_t first, uint64_t last) {
  auto it = failed_.find(source);
  if (it != failed_.end() && first <= it->second.first && it->second.first <= last) {
    failed_.erase(it);
  }
}

Status Receiver::CheckFailed(const std::string& source, uint64_t next) {
  auto it = failed_.find(source);
  if (it == failed_.end() || next <= it->second.first) return Status::Ok();
  return Status::Unavailable(it->second.why + "; ask for the cursor and send again from there");
}

namespace {

// kDerived: a version in force of a derived indicator's record (a commitment breach): the
// ingestion of its source row here derives it again, so it is not applied itself.
enum class Kind { kRow, kStatus, kErased, kDerived };

Kind KindOf(const ChangeLine& l, const catalog::Catalog& catalog) {
  if (l.erased) return Kind::kErased;
  if (l.status != RecordStatus::kActive) return Kind::kStatus;
  const catalog::Indicator* ind = catalog.Find(l.indicator);
  return ind != nullptr && ind->derived_from ? Kind::kDerived : Kind::kRow;
}

std::string BatchName(const std::string& source, std::span<const ChangeLine> lines) {
  return "exchange:" + source + ":" + std::to_string(lines.front().seq) + "-" +
         std::to_string(lines.back().seq);
}

}  // namespace

Result<ApplyReport> Receiver::Apply(std::string_view source_view, std::string_view region_view,
                                    const std::string& body, const ApplyOptions& options) {
  const std::string source(source_view), region(region_view);
  if (!ValidSourceId(source)) {
    return Status::InvalidArgument("source '" + source +
                                   "' is not a valid instance id (1-64 of A-Z a-z 0-9 . _ -)");
  }
  if (!ValidRegion(region)) {
    return Status::InvalidArgument("region '" + region + "' is not a 6-digit division code");
  }
  std::unique_lock lock(mu_, std::try_to_lock);
  if (!lock.owns_lock()) {
    return Status::ResourceExhausted("another exchange batch is being applied; retry shortly");
  }
  std::vector<ChangeLine> lines;
  XY_RETURN_IF_ERROR(ParseLines(body, &lines));
  for (const ChangeLine& l : lines) {
    if (!l.erased && catalog_.Find(l.indicator) == nullptr) {
      return Status::InvalidArgument("exchange batch: sequence number " + std::to_string(l.seq) +
                                     " is of indicator " + l.indicator +
                                     ", which this instance's catalog does not have");
    }
  }
  // The last batch's commit ran while this one came and was parsed.
  WaitForCommit();
  ApplyReport report;
  report.source = source;
  report.region = region;
  report.lines = lines.size();
  XY_ASSIGN_OR_RETURN(const uint64_t cursor, store_.ExchangeCursorOf(source));
  if (options.after && cursor < *options.after) {
    return Status::Unavailable("this instance holds the changes of " + source + " up to " +
                               std::to_string(cursor) + ", not up to " +
                               std::to_string(*options.after) +
                               " (a batch answered before was not committed): send again from " +
                               std::to_string(cursor + 1));
  }
  report.cursor = cursor;
  uint64_t carried = cursor;  // the last sequence number a commit of this call carried
  size_t i = 0;
  while (i < lines.size() && lines[i].seq <= cursor) ++i;
  report.skipped = i;
  if (auto it = failed_.find(source); it != failed_.end() && cursor >= it->second.first) {
    failed_.erase(it);  // the failed run has been committed since all the same
  }
  if (i < lines.size()) XY_RETURN_IF_ERROR(CheckFailed(source, lines[i].seq));
  // Runs of consecutive changes of one kind and indicator, applied in feed order (a record's
  // versions must arrive in order); each commit carries the sequence number of its run's last
  // change as the new cursor, which also covers the skipped lines before it.
  std::vector<Kind> kinds;
  kinds.reserve(lines.size());
  for (const ChangeLine& l : lines) kinds.push_back(KindOf(l, catalog_));
  while (i < lines.size()) {
    const ChangeLine& first = lines[i];
    const Kind kind = kinds[i];
    size_t j = i + 1;
    // Derived lines are no-ops: a run of rows goes on past them (a commitment's breach follows
    // each commitment row that gives one).
    while (j < lines.size() &&
           ((kinds[j] == kind && (kind == Kind::kErased || kind == Kind::kDerived ||
                                  lines[j].indicator == first.indicator)) ||
            (kind == Kind::kRow && kinds[j] == Kind::kDerived))) {
      ++j;
    }
    while (kind == Kind::kRow && kinds[j - 1] == Kind::kDerived) --j;  // trailing ones: their own run
    std::span<const ChangeLine> run(lines.data() + i, j - i);
    WaitForCommit();  // of the run before, which may have failed
    XY_RETURN_IF_ERROR(CheckFailed(source, first.seq));
    switch (kind) {
      case Kind::kErased:
        report.erasures += run.size();
        break;
      case Kind::kDerived:
        report.derived += run.size();
        break;
      case Kind::kRow: {
        std::vector<ChangeLine> rows;
        rows.reserve(run.size());
        for (size_t k = i; k < j; ++k) {
          if (kinds[k] == Kind::kDerived) {
            ++report.derived;
          } else {
            rows.push_back(std::move(lines[k]));
          }
        }
        XY_RETURN_IF_ERROR(ApplyRows(source, region, rows, run.front().seq, run.back().seq,
                                     run.back().seq, options, &report));
        carried = run.back().seq;
        break;
      }
      case Kind::kStatus: {
        // A correction the source stored out of force (a repaired penalty sent again with a
        // change) carries new content: stored first as a new version, which a record out of
        // force here keeps out of force (ChangedContent says which lines). Its commit does not
        // move the cursor past the run, so a failure before the statuses are committed sends
        // the run again; its content is then held here, and only the statuses remain.
        const std::string* owner = options.own_records_only ? &region : nullptr;
        XY_ASSIGN_OR_RETURN(std::vector<ChangeLine> content, ChangedContent(run, owner));
        if (!content.empty()) {
          XY_RETURN_IF_ERROR(ApplyRows(source, region, content, content.front().seq,
                                       content.back().seq, run.front().seq - 1, options, &report));
          WaitForCommit();
          if (auto f = failed_.find(source);
              f != failed_.end() && f->second.first == content.front().seq) {
            return Status::Unavailable(f->second.why + "; ask for the cursor and send again from there");
          }
        }
        XY_ASSIGN_OR_RETURN(const bool committed,
                            ApplyStatuses(source, region, run, options, &report));
        if (committed) carried = run.back().seq;
        break;
      }
    }
    // A run of rows is forgotten as failed once its commit ends (WaitForCommit). The other
    // kinds are done here: a failed change sent again as one of them (its record erased at
    // the source since, say) needs nothing more, and the next commit's cursor covers it.
    if (kind != Kind::kRow) ForgetFailureIn(source, run.front().seq, run.back().seq);
    report.cursor = run.back().seq;
    i = j;
  }
  if (report.cursor > carried) {
    // The last lines committed nothing: without a commit of their own the cursor would stay
    // below them, and a sender confirming it would send them again and again.
    size_t first = lines.size();
    while (first > 0 && lines[first - 1].seq > carried) --first;
    WaitForCommit();
    XY_RETURN_IF_ERROR(CheckFailed(source, lines[first].seq));
    XY_RETURN_IF_ERROR(CommitCursor(source, region, std::span(lines).subspan(first), &report));
  }
  return report;
}

Status Receiver::CommitCursor(const std::string& source, const std::string& region,
                              std::span<const ChangeLine> lines, ApplyReport* report) {
  size_t erased = 0, derived = 0;
  for (const ChangeLine& l : lines) {
    if (l.erased) {
      ++erased;
    } else if (l.status == RecordStatus::kActive) {
      ++derived;
    }
  }
  const size_t unmatched = lines.size() - erased - derived;
  storage::WriteSet ws;
  BatchReport& b = ws.batch;
  b.id = store_.NextId(storage::IdSpace::kBatch);
  b.file = BatchName(source, lines);
  b.dept = region;
  b.format = "exchange_cursor";  // not a submission (IsSubmission)
  b.received_date = Date::Today();
  b.started_unix_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                          std::chrono::system_clock::now().time_since_epoch())
                          .count();
  b.warnings.push_back(
      {0, "", "nothing_to_apply",
       std::to_string(lines.size()) + " changes from " + source + " (" + region +
           ") with nothing to apply here: " + std::to_string(erased) +
           " deletion events (this instance's retention erases by its own catalog rules), " +
           std::to_string(derived) + " derived records (made here again from their source rows), " +
           std::to_string(unmatched) +
           " status changes of records not held here or no longer in force"});
  ws.exchange_cursor = storage::ExchangeCursor{source, report->cursor};
  XY_RETURN_IF_ERROR(store_.Commit(ws).WithContext("committing the cursor of " + b.file));
  report->batches.push_back(b.id);
  return Status::Ok();
}

Status Receiver::ApplyRows(const std::string& source, const std::string& region,
                           std::span<const ChangeLine> lines, uint64_t first, uint64_t last,
                           uint64_t cursor, const ApplyOptions& apply, ApplyReport* report) {
  const std::string name =
      "exchange:" + source + ":" + std::to_string(first) + "-" + std::to_string(last);
  // The rows as parsed, cells by the standard field codes (or a label or alias): no text to
  // write and read again.
  const catalog::Indicator& ind = *catalog_.Find(lines.front().indicator);
  std::unordered_map<std::string_view, size_t> index;
  for (size_t f = 0; f < ind.fields.size(); ++f) index.emplace(ind.fields[f].code, f);
  auto cells_of = [&](size_t row, std::vector<std::string_view>* cells) {
    for (const auto& [code, value] : lines[row].fields) {
      auto it = index.find(code);
      if (it != index.end()) {
        (*cells)[it->second] = value;
      } else if (const int f = ind.FieldIndex(code); f >= 0) {  // a label or alias
        (*cells)[static_cast<size_t>(f)] = value;
      }
    }
  };
  ingest::IngestOptions options;
  options.indicator = lines.front().indicator;
  options.dept = region;
  // Received here today, but timely or late as at the source: a decision received there within
  // 7 working days is not late here because the link was down (rows that carry their report
  // date, 上报日期, keep it too).
  options.received_date = Date();
  options.first_received = [lines](uint64_t row) {
    return row >= 1 && row <= lines.size() ? lines[row - 1].received : Date();
  };
  options.batch_rows = lines.size() + 1;  // one commit: the cursor goes with all of it
  options.format = "exchange";
  options.exchange_cursor = storage::ExchangeCursor{source, cursor};
  options.grading_deferral = apply.grading_deferral;
  options.hold_until_committed = apply.hold_until_committed;
  options.leave_last_commit = true;  // waited for before anything else (WaitForCommit)
  // The source decided its findings under the same rule (an objection upheld there may change
  // one): the upper level mirrors them.
  options.findings_stand = false;
  options.own_records_only = apply.own_records_only;
  auto r = ingester_.IngestRows(lines.size(), cells_of, name, options);
  if (!r.ok()) return r.status().WithContext("applying " + name);
  commit_ = r->commit;
  commit_source_ = source;
  commit_first_ = first;
  commit_last_ = last;
  commit_of_ = name;
  report->accepted += r->accepted;
  report->rejected += r->rejected;
  report->duplicates += r->duplicates;
  report->corrected += r->corrected;
  report->batches.insert(report->batches.end(), r->batches.begin(), r->batches.end());
  return Status::Ok();
}

Result<bool> Receiver::ApplyStatuses(const std::string& source, const std::string& region,
                                     std::span<const ChangeLine> lines,
                                     const ApplyOptions& options, ApplyReport* report) {
  const std::string* owner = options.own_records_only ? &region : nullptr;
  // The records are matched, then changed under the ingester's lock: a change made here in
  // between (a department's correction, a local repair) fails the call as FailedPrecondition,
  // and the run is matched again. Matched again to the same versions, the failure is not such
  // a race (a read-only store, say) and is returned as it is.
  constexpr int kAttempts = 3;
  std::vector<std::pair<uint64_t, uint32_t>> tried;  // record id and version of each change
  for (int attempt = 1;; ++attempt) {
    size_t unmatched = 0;
    XY_ASSIGN_OR_RETURN(std::vector<ingest::StatusChange> changes,
                        MatchStatuses(source, region, lines, owner, &unmatched));
    if (changes.empty()) {
      report->unmatched += unmatched;
      return false;
    }
    std::vector<std::pair<uint64_t, uint32_t>> versions;
    for (const ingest::StatusChange& c : changes) versions.emplace_back(c.record_id, c.version);
    if (before_status_change_) before_status_change_(changes);
    auto r = ingester_.ChangeStatus(changes, BatchName(source, lines), region, Date(),
                                    storage::ExchangeCursor{source, lines.back().seq});
    // A record changed here since it was matched (FailedPrecondition), or erased by retention
    // since (NotFound): matched again.
    if (!r.ok() &&
        (r.status().code() == StatusCode::kFailedPrecondition ||
         r.status().code() == StatusCode::kNotFound) &&
        versions != tried) {
      tried = std::move(versions);
      if (attempt < kAttempts) continue;
      return Status::Unavailable("applying " + BatchName(source, lines) + ": " +
                                 r.status().message() + "; send again");
    }
    if (!r.ok()) return r.status().WithContext("applying " + BatchName(source, lines));
    report->unmatched += unmatched;
    report->status_changes += r->versions.size();
    report->batches.push_back(r->batch);
    return true;
  }
}

Result<std::vector<Receiver::Held>> Receiver::FindHeld(std::span<const ChangeLine> lines,
                                                       const std::string* owner) {
  std::map<uint64_t, std::string> batch_departments;  // of first versions, when `owner` is set
  const catalog::Indicator& ind = *catalog_.Find(lines.front().indicator);
  ingest::RowValidator validator(ind, Date::Today(), calendar_, vault_);
  std::vector<Held> held(lines.size());
  std::vector<std::string_view> cells(ind.fields.size());
  ingest::PreparedRow p;
  std::vector<Record> versions;
  for (size_t i = 0; i < lines.size(); ++i) {
    const ChangeLine& l = lines[i];
    std::fill(cells.begin(), cells.end(), std::string_view());
    for (const auto& [code, value] : l.fields) {
      const int f = ind.FieldIndex(code);
      if (f >= 0) cells[static_cast<size_t>(f)] = value;
    }
    validator.Prepare(l.seq, cells, &p);
    if (p.rejected) continue;
    Held& h = held[i];
    h.line_hash = p.content_hash;
    for (const Identifier& id : p.ids) {
      if (id.kind == IdentifierKind::kPersonCode) continue;
      XY_ASSIGN_OR_RETURN(auto found, store_.FindSubject(id.kind, id.value));
      if (found) {
        h.subject = *found;
        break;
      }
    }
    if (h.subject == 0) continue;
    XY_ASSIGN_OR_RETURN(auto hit, store_.FindNaturalKey(h.subject, ind.code, p.natural_key));
    if (!hit) continue;
    versions.clear();
    XY_RETURN_IF_ERROR(store_.ListRecordVersions(h.subject, hit->record_id, &versions));
    if (versions.empty()) continue;
    if (owner != nullptr) {
      const uint64_t batch = versions.front().batch_id;
      auto it = batch_departments.find(batch);
      if (it == batch_departments.end()) {
        XY_ASSIGN_OR_RETURN(std::optional<BatchReport> b, store_.GetBatch(batch));
        it = batch_departments.emplace(batch, b ? b->dept : std::string()).first;
      }
      if (it->second != *owner) continue;  // another department's record: not the sender's
    }
    h.record_id = hit->record_id;
    h.version = versions.back().version;
    h.status = versions.back().status;
    h.content_hash = versions.back().content_hash;
    for (const Record& v : versions) h.stored_hashes.push_back(v.content_hash);
  }
  return held;
}

Result<std::vector<ChangeLine>> Receiver::ChangedContent(std::span<const ChangeLine> lines,
                                                         const std::string* owner) {
  XY_ASSIGN_OR_RETURN(std::vector<Held> held, FindHeld(lines, owner));
  // Of each record only the run's last line counts (what the source holds at the end of the
  // run), and only when no version held here has its content: a line sent again after a
  // failure, or a status change whose content this instance has since corrected itself (an
  // objection upheld here), stores nothing. (So a correction back to content the record had
  // before, sent while out of force, is not applied: it looks like a status change.)
  std::map<std::pair<uint64_t, uint64_t>, size_t> last;  // record → index of its last line
  for (size_t i = 0; i < lines.size(); ++i) {
    if (held[i].record_id != 0) last[{held[i].subject, held[i].record_id}] = i;
  }
  std::vector<size_t> picked;
  for (const auto& [record, i] : last) {
    const Held& h = held[i];
    if (std::find(h.stored_hashes.begin(), h.stored_hashes.end(), h.line_hash) ==
        h.stored_hashes.end()) {
      picked.push_back(i);
    }
  }
  std::sort(picked.begin(), picked.end());  // in feed order
  std::vector<ChangeLine> out;
  for (size_t i : picked) out.push_back(lines[i]);
  return out;
}

Result<std::vector<ingest::StatusChange>> Receiver::MatchStatuses(
    const std::string& source, const std::string& region, std::span<const ChangeLine> lines,
    const std::string* owner, size_t* unmatched) {
  XY_ASSIGN_OR_RETURN(std::vector<Held> held, FindHeld(lines, owner));
  std::vector<ingest::StatusChange> changes;
  std::set<std::pair<uint64_t, uint64_t>> seen;
  for (size_t i = 0; i < lines.size(); ++i) {
    const Held& h = held[i];
    if (h.record_id == 0 || !seen.insert({h.subject, h.record_id}).second) {
      ++*unmatched;
      continue;
    }
    if (h.status != RecordStatus::kActive) {
      ++*unmatched;  // already revoked, repaired or expired here
      continue;
    }
    changes.push_back({h.subject, h.record_id, h.version, lines[i].status,
                       "from " + source + " (" + region + "), change " +
                           std::to_string(lines[i].seq)});
  }
  return changes;
}

Result<DropReport> ApplyDrop(Receiver& receiver, const std::string& dir, std::string_view source,
                             std::string_view region, const ApplyOptions& options) {
  namespace fs = std::filesystem;
  if (!ValidSourceId(source) || !ValidRegion(region)) {
    return Status::InvalidArgument("invalid source id or region");
  }
  struct File {
    uint64_t first, last;
    fs::path path;
  };
  std::vector<File> files;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    const std::string name = e.path().filename().string();
    if (!name.starts_with("_feed.") || !name.ends_with(".ndjson")) continue;
    const auto range = DropFileRange(name, source);
    if (range && name.size() == name.find('.') + 1 + source.size() + 26 + 7) {
      files.push_back({range->first, range->second, e.path()});
    }
  }
  if (ec) return Status::NotFound("cannot read the file drop " + dir + ": " + ec.message());
  std::sort(files.begin(), files.end(),
            [](const File& a, const File& b) { return a.first < b.first; });
  XY_ASSIGN_OR_RETURN(uint64_t cursor, receiver.Cursor(source));
  DropReport report;
  report.totals.source = std::string(source);
  report.totals.region = std::string(region);
  report.totals.cursor = cursor;
  for (const File& f : files) {
    if (f.last <= cursor) {
      ++report.files_skipped;
      continue;
    }
    if (f.first > cursor + 1) {
      return Status::FailedPrecondition(
          "the file drop " + dir + " has no file with changes " + std::to_string(cursor + 1) +
          "-" + std::to_string(f.first - 1) + " of source " + std::string(source) + " (the next is " +
          f.path.filename().string() + "); applied " + std::to_string(report.files) +
          " files, up to change " + std::to_string(cursor));
    }
    std::ifstream in(f.path, std::ios::binary | std::ios::ate);
    if (!in) return Status::NotFound("cannot open " + f.path.string());
    const auto size = static_cast<size_t>(in.tellg());
    std::string body;
    body.reserve(size + kLinePadding);  // parsed where it lies (wire.h)
    body.resize(size);
    in.seekg(0);
    if (!in.read(body.data(), static_cast<std::streamsize>(size))) {
      return Status::Unavailable("cannot read " + f.path.string());
    }
    ApplyOptions o = options;
    o.after = f.first - 1;
    auto r = receiver.Apply(source, region, body, o);
    if (!r.ok()) return r.status().WithContext(f.path.string());
    ++report.files;
    ApplyReport& t = report.totals;
    t.lines += r->lines;
    t.skipped += r->skipped;
    t.accepted += r->accepted;
    t.rejected += r->rejected;
    t.duplicates += r->duplicates;
    t.corrected += r->corrected;
    t.status_changes += r->status_changes;
    t.unmatched += r->unmatched;
    t.erasures += r->erasures;
    t.derived += r->derived;
    t.batches.insert(t.batches.end(), r->batches.begin(), r->batches.end());
    t.cursor = cursor = r->cursor;
  }
  // The last batch's commit may still be running (Receiver::Apply): its cursor says whether it
  // became durable.
  XY_ASSIGN_OR_RETURN(uint64_t held, receiver.Cursor(source));
  if (held < cursor) {
    return Status::Unavailable("the last batch of the file drop " + dir +
                               " failed to commit: source " + std::string(source) +
                               " is held up to change " + std::to_string(held) + "; run again");
  }
  return report;
}

}  // namespace xinyong::exchange
