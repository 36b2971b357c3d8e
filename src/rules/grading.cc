#include "rules/grading.h"

#include <sodium.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <system_error>
#include <thread>
#include <vector>

namespace xinyong::rules {

namespace {

int64_t NowUnixMs() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

double SecondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// Grades are saved this many subjects at a time: big enough for the store's bulk path, small
// enough to keep a worker's buffer at a few tens of megabytes.
constexpr size_t kSaveChunk = 50000;

// A full recompute cuts the subjects into this many parts per thread, so that a thread that
// finishes early takes over parts another would have done.
constexpr size_t kPartsPerThread = 8;

// RecomputeSubjects of at least this many subjects runs on every core.
constexpr size_t kParallelSubjects = 4096;

void Merge(const GradingSummary& from, GradingSummary* into) {
  into->subjects += from.subjects;
  into->changed += from.changed;
  for (const auto& [grade, n] : from.by_grade) into->by_grade[grade] += n;
}

}  // namespace

class Grader::Worker {
 public:
  Worker(const Grader& grader, Date today, int64_t unix_ms)
      : grader_(grader), today_(today), unix_ms_(unix_ms) {
    writes_.reserve(kSaveChunk);
  }

  Status Add(const Subject& subject, std::span<const Record> records) {
    auto e = grader_.model_.Evaluate(subject, records, grader_.catalog_, today_);
    if (!e) return Status::Ok();  // a natural person
    ++summary_.subjects;
    ++summary_.by_grade[e->grade];
    writes_.push_back({subject.id, grader_.ToStored(*e, today_, unix_ms_)});
    if (writes_.size() >= kSaveChunk) return Flush();
    return Status::Ok();
  }

  Status Flush() {
    if (writes_.empty()) return Status::Ok();
    XY_ASSIGN_OR_RETURN(uint64_t appended, grader_.store_.SaveGrades(writes_));
    summary_.changed += appended;
    writes_.clear();
    return Status::Ok();
  }

  const GradingSummary& summary() const { return summary_; }

 private:
  const Grader& grader_;
  const Date today_;
  const int64_t unix_ms_;
  std::vector<storage::GradeWrite> writes_;
  GradingSummary summary_;
};

Grader::Grader(storage::Store& store, const catalog::Catalog& catalog, const EvaluationModel& model)
    : store_(store), catalog_(catalog), model_(model) {
  for (const ScoreRule& r : model.rules()) {
    auto& list = selection_.indicators;
    if (std::find(list.begin(), list.end(), r.indicator) == list.end()) list.push_back(r.indicator);
    auto& values = selection_.with_values;
    if (r.list && std::find(values.begin(), values.end(), r.indicator) == values.end()) {
      values.push_back(r.indicator);
    }
  }
  // A model without rules reads no records at all, rather than every record.
  if (selection_.indicators.empty()) selection_.indicators.push_back(std::string(1, '\0'));
  selection_.skip_natural_persons = true;
}

SubjectGrade Grader::ToStored(const Evaluation& e, Date today, int64_t unix_ms) const {
  SubjectGrade g;
  g.as_of = today;
  g.unix_ms = unix_ms;
  g.score = e.score;
  g.grade = e.grade;
  g.grade_label = e.grade_label;
  g.model = model_.name();
  g.reasons.reserve(e.contributions.size());
  for (const Contribution& c : e.contributions) {
    g.reasons.push_back({c.rule->label, c.rule->indicator, c.points, c.capped, c.record_ids});
  }
  return g;
}

Result<GradingSummary> Grader::RunWorkers(unsigned threads, Date today, int64_t unix_ms,
                                          const WorkerJob& job) {
  std::atomic<bool> failed{false};
  std::vector<Status> errors(threads);
  std::vector<GradingSummary> summaries(threads);
  auto run = [&](unsigned t) {
    Worker worker(*this, today, unix_ms);
    Status st = job(t, worker, failed);
    if (st.ok()) st = worker.Flush();
    if (!st.ok()) {
      failed = true;
      errors[t] = std::move(st);
    }
    summaries[t] = worker.summary();
  };
  std::vector<std::thread> pool;
  unsigned started = 1;
  for (; started < threads; ++started) {
    try {
      pool.emplace_back(run, started);
    } catch (const std::system_error& e) {  // no more threads: the rest run on this one
      spdlog::warn("grading on {} threads instead of {}: {}", started, threads, e.what());
      break;
    }
  }
  run(0);
  for (unsigned t = started; t < threads; ++t) run(t);
  for (auto& th : pool) th.join();
  for (const Status& st : errors) XY_RETURN_IF_ERROR(st);
  GradingSummary total;
  total.as_of = today;
  for (const GradingSummary& s : summaries) Merge(s, &total);
  return total;
}

Result<Date> Grader::NotBeforeLastRun(Date today) const {
  XY_ASSIGN_OR_RETURN(const std::optional<storage::GradingRun> run, store_.LastGradingRun());
  // A run dated after today by the clock (the clock was set back since) is no floor: grades are
  // never dated ahead, and refusing every run until that day would leave grading stuck.
  if (run && run->as_of > today && run->as_of <= Date::Today()) return run->as_of;
  return today;
}

Result<GradingSummary> Grader::RecomputeAll(Date today, unsigned threads) {
  std::lock_guard lock(mu_);
  // Stored grades are the current ones: a run as of a day before the last full run's would
  // replace newer grades with older ones (records decided since left out, ended memberships
  // counted again).
  XY_ASSIGN_OR_RETURN(const Date floor, NotBeforeLastRun(today));
  if (floor > today) {
    return Status::FailedPrecondition(
        "grades as of " + today.ToString() + " would replace the current ones, of the last full "
        "run as of " + floor.ToString() + "; a full run is as of that day or later");
  }
  const auto start = std::chrono::steady_clock::now();
  if (threads == 0) threads = std::max(1u, std::thread::hardware_concurrency());
  const size_t parts = threads * kPartsPerThread;
  std::atomic<size_t> next_part{0};
  XY_ASSIGN_OR_RETURN(const uint64_t bound, store_.HighestSubjectId());  // one cut for all parts
  const int64_t now = NowUnixMs();
  XY_ASSIGN_OR_RETURN(
      GradingSummary total,
      RunWorkers(threads, today, now,
                 [&](unsigned, Worker& worker, const std::atomic<bool>& failed) {
        for (size_t part = next_part++; part < parts && !failed; part = next_part++) {
          XY_RETURN_IF_ERROR(store_.ScanSubjectRecords(
              {part, parts, bound}, selection_, [&](const Subject& s, std::span<const Record> records) {
                return worker.Add(s, records);
              }));
          XY_RETURN_IF_ERROR(worker.Flush());
        }
        return Status::Ok();
      }));
  // Every organization is graded as of `today` now, including those whose grade was not
  // rewritten because it says the same.
  XY_RETURN_IF_ERROR(store_.SetGradingRun({today, now}));
  total.seconds = SecondsSince(start);
  return total;
}

Result<GradingSummary> Grader::RecomputeSubjects(std::span<const uint64_t> subject_ids,
                                                 Date today) {
  std::lock_guard lock(mu_);
  // A day taken before a full run that came first (midnight passed while this waited): the
  // run's, so that a newer grade is never replaced by an older one.
  XY_ASSIGN_OR_RETURN(today, NotBeforeLastRun(today));
  const auto start = std::chrono::steady_clock::now();
  std::vector<uint64_t> ids(subject_ids.begin(), subject_ids.end());
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  // Many subjects (those a bulk load touched) are cut into contiguous id ranges, one per core.
  const unsigned threads = ids.size() < kParallelSubjects
                               ? 1u
                               : std::max(1u, std::thread::hardware_concurrency());
  XY_ASSIGN_OR_RETURN(
      GradingSummary total,
      RunWorkers(threads, today, NowUnixMs(),
                 [&](unsigned t, Worker& worker, const std::atomic<bool>&) {
        const size_t lo = ids.size() * t / threads, hi = ids.size() * (t + 1) / threads;
        return store_.ReadSubjectRecords(
            std::span<const uint64_t>(ids).subspan(lo, hi - lo), selection_,
            [&](const Subject& s, std::span<const Record> r) { return worker.Add(s, r); });
      }));
  total.seconds = SecondsSince(start);
  return total;
}

Result<GradingSummary> Grader::RecomputeAfterBatch(uint64_t batch_id,
                                                   std::span<const Subject> subjects,
                                                   std::span<const storage::RecordWrite> records,
                                                   Date today, uint64_t deferral) {
  std::vector<uint64_t> read;
  for (const storage::RecordWrite& w : records) {
    const auto& wanted = selection_.indicators;
    if (std::find(wanted.begin(), wanted.end(), w.record.indicator) != wanted.end()) {
      read.push_back(w.record.subject_id);
    }
  }
  std::sort(read.begin(), read.end());
  read.erase(std::unique(read.begin(), read.end()), read.end());
  if (deferral != 0) {
    std::lock_guard defer(defer_mu_);
    if (auto it = deferred_.find(deferral); it != deferred_.end()) {
      // Noted: Finish regrades them (an organization the batch created, from no records).
      std::vector<uint64_t>& noted = it->second.subjects;
      noted.insert(noted.end(), read.begin(), read.end());
      for (const Subject& s : subjects) {
        if (s.first_batch == batch_id) noted.push_back(s.id);
      }
      if (noted.size() > std::max<size_t>(1u << 20, 2 * it->second.unique)) {
        // A long call: each subject once, and again only when that has doubled.
        std::sort(noted.begin(), noted.end());
        noted.erase(std::unique(noted.begin(), noted.end()), noted.end());
        it->second.unique = noted.size();
      }
      it->second.today = std::max(it->second.today, today);
      GradingSummary none;
      none.as_of = today;
      return none;
    }
  }
  std::lock_guard lock(mu_);
  XY_ASSIGN_OR_RETURN(today, NotBeforeLastRun(today));  // as RecomputeSubjects
  const auto start = std::chrono::steady_clock::now();
  Worker worker(*this, today, NowUnixMs());
  for (const Subject& s : subjects) {
    if (s.first_batch == batch_id && !std::binary_search(read.begin(), read.end(), s.id)) {
      XY_RETURN_IF_ERROR(worker.Add(s, {}));
    }
  }
  XY_RETURN_IF_ERROR(store_.ReadSubjectRecords(
      read, selection_,
      [&](const Subject& s, std::span<const Record> r) { return worker.Add(s, r); }));
  XY_RETURN_IF_ERROR(worker.Flush());
  GradingSummary total = worker.summary();
  total.as_of = today;
  total.seconds = SecondsSince(start);
  return total;
}

Grader::Deferral::Deferral(Grader& grader) : grader_(&grader) {
  {
    std::lock_guard lock(grader.defer_mu_);
    id_ = grader.next_deferral_++;
    grader.deferred_.emplace(id_, Deferred{});
  }
  // The mark covers every change numbered after those already handed out: the batches this
  // Deferral will note commit later.
  uint64_t token = 0;
  randombytes_buf(&token, sizeof token);
  auto last = grader.store_.LastChangeSeq();
  Status st = last.ok() ? grader.store_.PutRegradeMark(token, *last + 1) : last.status();
  if (st.ok()) {
    mark_ = token;
  } else if (st.code() != StatusCode::kFailedPrecondition) {  // a read-only store grades nothing
    spdlog::error("no regrade mark written (a crash before the deferred regrade would leave "
                  "grades behind until `xinyong grade --all`): {}",
                  st.ToString());
  }
}

Grader::Deferral::~Deferral() {
  if (grader_ == nullptr) return;
  try {
    if (auto r = Finish(); !r.ok()) {
      spdlog::error("deferred grades not recomputed (run `xinyong grade --all`): {}",
                    r.status().ToString());
    }
  } catch (const std::exception& e) {
    spdlog::error("deferred grades not recomputed (run `xinyong grade --all`): {}", e.what());
  } catch (...) {
    spdlog::error("deferred grades not recomputed (run `xinyong grade --all`)");
  }
}

Result<GradingSummary> Grader::Deferral::Finish() {
  GradingSummary none;
  if (grader_ == nullptr) return none;
  Grader& g = *grader_;
  grader_ = nullptr;
  Deferred mine;
  {
    std::lock_guard lock(g.defer_mu_);
    auto it = g.deferred_.find(id_);
    mine = std::move(it->second);
    g.deferred_.erase(it);
  }
  GradingSummary done = none;
  if (!mine.subjects.empty()) {
    // RecomputeSubjects reads each subject once (duplicates ignored), records or none: what
    // each batch's own recompute did, once. A failure keeps the mark for RecoverRegrades.
    XY_ASSIGN_OR_RETURN(done, g.RecomputeSubjects(mine.subjects, mine.today));
  }
  if (mark_) XY_RETURN_IF_ERROR(g.store_.DeleteRegradeMark(*mark_));
  return done;
}

Result<GradingSummary> Grader::RecoverRegrades(Date today, size_t chunk) {
  GradingSummary none;
  none.as_of = today;
  std::vector<std::pair<uint64_t, uint64_t>> marks;
  XY_RETURN_IF_ERROR(store_.ListRegradeMarks(&marks));
  if (marks.empty()) return none;
  uint64_t from = marks.front().second;
  for (const auto& m : marks) from = std::min(from, m.second);
  std::vector<uint64_t> subjects;
  size_t unique = 0;  // subjects.size() when last deduplicated
  std::vector<storage::Change> changes;
  chunk = std::max<size_t>(chunk, 1);
  do {
    changes.clear();  // ReadChanges appends
    XY_RETURN_IF_ERROR(store_.ReadChanges(from, chunk, /*with_records=*/false, &changes));
    for (const storage::Change& c : changes) subjects.push_back(c.subject_id);
    if (!changes.empty()) from = changes.back().seq + 1;
    if (subjects.size() > std::max(2 * chunk, 2 * unique)) {  // stays near the distinct count
      std::sort(subjects.begin(), subjects.end());
      subjects.erase(std::unique(subjects.begin(), subjects.end()), subjects.end());
      unique = subjects.size();
    }
  } while (changes.size() == chunk);
  XY_ASSIGN_OR_RETURN(GradingSummary done, RecomputeSubjects(subjects, today));
  for (const auto& m : marks) XY_RETURN_IF_ERROR(store_.DeleteRegradeMark(m.first));
  return done;
}

}  // namespace xinyong::rules
