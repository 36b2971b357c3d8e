#include "governance/governance.h"

#include <algorithm>
#include <limits>
#include <set>
#include <tuple>
#include <unordered_map>

#include "governance/document_number.h"

namespace xinyong::governance {

uint64_t RowsWarned(const BatchReport& b, std::string_view code) {
  std::set<uint64_t> rows;
  for (const RowIssue& w : b.warnings) {
    if (w.code == code) rows.insert(w.row);
  }
  return rows.size();
}

namespace {

constexpr std::string_view kRegistration = "reg_basic";

std::optional<double> Ratio(uint64_t num, uint64_t den) {
  if (den == 0) return std::nullopt;
  return static_cast<double>(num) / static_cast<double>(den);
}

// Names as the ingester compares them: full-width parentheses as ASCII, spaces dropped.
std::string NameKey(std::string_view name) {
  std::string out;
  out.reserve(name.size());
  for (size_t i = 0; i < name.size();) {
    std::string_view rest = name.substr(i);
    if (rest.starts_with("（")) {
      out += '(';
      i += 3;
    } else if (rest.starts_with("）")) {
      out += ')';
      i += 3;
    } else if (rest.starts_with("\xE3\x80\x80")) {
      i += 3;
    } else if (name[i] == ' ') {
      ++i;
    } else {
      out += name[i++];
    }
  }
  return out;
}

struct BatchInfo {
  std::string dept;
  // Not a submission (IsSubmission): written by a workflow (objection, repair, retention), or
  // pushed changes with nothing to apply here.
  bool status_change = false;
};

// The working day after `d`; Monday to Friday when the calendar lacks the year.
Date NextWorkday(const WorkCalendar& calendar, Date d) {
  if (auto next = calendar.AddWorkdays(d, 1); next.ok()) return *next;
  Date n = d.AddDays(1);
  while (n.IsWeekend()) n = n.AddDays(1);
  return n;
}


void AddFigures(const IndicatorFigures& from, size_t max_examples, IndicatorFigures* into) {
  into->batches += from.batches;
  into->rows += from.rows;
  into->accepted += from.accepted;
  into->rejected += from.rejected;
  into->duplicates += from.duplicates;
  into->corrected += from.corrected;
  into->late += from.late;
  into->timeliness_unknown += from.timeliness_unknown;
  into->identifier_conflicts += from.identifier_conflicts;
  into->name_conflict_rows += from.name_conflict_rows;
  into->invalid_uscc += from.invalid_uscc;
  into->no_legal_document += from.no_legal_document;
  into->columns_outside_catalog += from.columns_outside_catalog;
  into->unknown_subject_records += from.unknown_subject_records;
  into->serials_held += from.serials_held;
  into->serials_expected += from.serials_expected;
  for (const ReasonCount& r : from.rejections) {
    auto it = std::find_if(into->rejections.begin(), into->rejections.end(),
                           [&](const ReasonCount& x) { return x.code == r.code; });
    if (it == into->rejections.end()) {
      into->rejections.push_back({r.code, 0, {}});
      it = std::prev(into->rejections.end());
    }
    it->rows += r.rows;
    for (const RowExample& e : r.examples) {
      if (it->examples.size() < max_examples) it->examples.push_back(e);
    }
  }
}

void SortReasons(std::vector<ReasonCount>* reasons) {
  std::sort(reasons->begin(), reasons->end(), [](const ReasonCount& a, const ReasonCount& b) {
    return std::tie(b.rows, a.code) < std::tie(a.rows, b.code);
  });
}

}  // namespace

int64_t WorkdaysIn(const WorkCalendar& calendar, Date from, Date to) {
  if (to <= from) return 0;
  if (auto n = calendar.WorkdaysBetween(from, to); n.ok()) return *n;
  int64_t count = 0;
  for (Date d = from.AddDays(1); d <= to; d = d.AddDays(1)) {
    auto workday = calendar.IsWorkday(d);
    count += workday.ok() ? (*workday ? 1 : 0) : (d.IsWeekend() ? 0 : 1);
  }
  return count;
}

std::optional<double> IndicatorFigures::ReportRate() const {
  if (!shuanggongshi) return std::nullopt;
  return Ratio(serials_held, serials_expected);
}

std::optional<double> IndicatorFigures::ComplianceRate() const {
  return Ratio(rows - std::min(rows, rejected), rows);
}

std::optional<double> IndicatorFigures::TimelinessRate() const {
  if (!shuanggongshi) return std::nullopt;
  // Of the new decisions accepted: a correction says nothing of when its decision arrived.
  uint64_t decisions = accepted - std::min(accepted, corrected);
  decisions -= std::min(decisions, timeliness_unknown);
  return Ratio(decisions - std::min(decisions, late), decisions);
}

std::optional<double> IndicatorFigures::UsccErrorRate() const {
  return Ratio(invalid_uscc + identifier_conflicts, rows);
}

Result<GovernanceReport> ComputeGovernance(const storage::Store& store,
                                           const catalog::Catalog& catalog,
                                           const WorkCalendar& calendar,
                                           const GovernanceConfig& config,
                                           const GovernanceQuery& query) {
  GovernanceReport rep;
  rep.query = query;
  if (rep.query.to == Date()) rep.query.to = Date::Today();
  const Date from = rep.query.from, to = rep.query.to;
  if (from > to) {
    return Status::InvalidArgument("from " + from.ToString() + " is after to " + to.ToString());
  }
  const std::string& dept_filter = rep.query.dept;
  auto in_period = [&](Date d) { return d >= from && d <= to; };

  // Figures per (department, indicator), with rejection reasons by code.
  std::map<std::pair<std::string, std::string>, IndicatorFigures> figures;
  std::map<std::pair<std::string, std::string>, std::map<std::string, ReasonCount>> reasons;
  auto figures_of = [&](const std::string& dept, const std::string& indicator) -> IndicatorFigures& {
    IndicatorFigures& f = figures[{dept, indicator}];
    if (f.indicator.empty()) {
      f.dept = dept;
      f.indicator = indicator;
      if (const catalog::Indicator* ind = catalog.Find(indicator)) {
        f.indicator_name = ind->name;
        f.shuanggongshi = ind->shuanggongshi;
      }
    }
    return f;
  };

  // 1. Batch reports: every submission with its rejected rows and warnings.
  std::vector<storage::BatchSummary> summaries;
  XY_RETURN_IF_ERROR(store.ListBatches(std::numeric_limits<size_t>::max(), "", &summaries));
  std::unordered_map<uint64_t, BatchInfo> batches;
  std::map<std::string, Date> last_batch;  // per department, received on or before `to`
  for (const storage::BatchSummary& s : summaries) {
    XY_ASSIGN_OR_RETURN(auto b, store.GetBatch(s.id));
    if (!b) continue;
    const bool status_change = !IsSubmission(*b);
    batches[s.id] = {b->dept, status_change};
    if (status_change) continue;
    if (b->received_date <= to) {
      Date& last = last_batch[b->dept];
      last = std::max(last, b->received_date);
    }
    if (!dept_filter.empty() && b->dept != dept_filter) continue;
    if (!in_period(b->received_date)) continue;
    IndicatorFigures& f = figures_of(b->dept, b->indicator);
    ++f.batches;
    f.rows += b->rows;
    f.accepted += b->accepted;
    f.rejected += b->rejected;
    f.duplicates += b->duplicates;
    f.corrected += b->corrected;
    f.late += b->late;
    auto& by_code = reasons[{b->dept, b->indicator}];
    for (const RowIssue& r : b->rejections) {
      ReasonCount& rc = by_code[r.code];
      rc.code = r.code;
      ++rc.rows;
      if (rc.examples.size() < config.max_examples) {
        rc.examples.push_back({b->id, b->file, r.row, r.field, r.message});
      }
      if (r.code == "invalid_uscc") ++f.invalid_uscc;
      if (r.code == "missing_document") ++f.no_legal_document;
    }
    if (f.shuanggongshi) f.timeliness_unknown += RowsWarned(*b, "calendar_missing");
    f.identifier_conflicts += RowsWarned(*b, "identifier_conflict");
    f.name_conflict_rows += RowsWarned(*b, "name_conflict");
    for (const RowIssue& w : b->warnings) {
      if (w.code == "unknown_column") ++f.columns_outside_catalog;
    }
  }

  // 2. Records: document serials, subjects unknown to registration, names.
  const catalog::Indicator* registration = catalog.Find(kRegistration);
  storage::RecordSelection selection;
  for (const catalog::Indicator& ind : catalog.indicators()) {
    if (ind.code != kRegistration && ind.FieldIndexByRole(catalog::FieldRole::kSubjectName) >= 0) {
      selection.with_values.push_back(ind.code);
    }
  }
  using SeriesKey = std::tuple<std::string, std::string, std::string>;  // dept, indicator, series
  std::map<SeriesKey, std::set<uint64_t>> serials;
  std::map<uint64_t, UnknownSubject> unknown;
  std::map<uint64_t, std::set<std::string>> unknown_depts;  // the departments of each
  std::vector<Record> versions;
  XY_RETURN_IF_ERROR(store.ScanSubjectRecords(
      storage::Store::SubjectPart(), selection, [&](const Subject& s, std::span<const Record> records) -> Status {
        const bool registrable =
            registration != nullptr &&
            std::find(registration->subject_types.begin(), registration->subject_types.end(),
                      s.type) != registration->subject_types.end();
        bool registered = false;
        for (const Record& r : records) registered = registered || r.indicator == kRegistration;
        std::set<std::string> known_names;
        known_names.insert(NameKey(s.name));
        for (const std::string& n : s.former_names) known_names.insert(NameKey(n));
        NameConflict conflict;
        for (const Record& r : records) {
          if (r.indicator == kRegistration) continue;
          // The department that submitted it: the batch of its latest submitted version (a
          // workflow's status change is not a submission).
          std::string dept;
          Date received = r.received_date;
          auto it = batches.find(r.batch_id);
          if (it != batches.end() && it->second.status_change) {
            versions.clear();
            XY_RETURN_IF_ERROR(store.ListRecordVersions(r.subject_id, r.record_id, &versions));
            for (auto v = versions.rbegin(); v != versions.rend(); ++v) {
              auto vb = batches.find(v->batch_id);
              if (vb == batches.end() || !vb->second.status_change) {
                if (vb != batches.end()) dept = vb->second.dept;
                received = v->received_date;
                break;
              }
            }
          } else if (it != batches.end()) {
            dept = it->second.dept;
          }
          if (!dept_filter.empty() && dept != dept_filter) continue;
          if (!r.document_number.empty()) {
            if (auto doc = ParseDocumentNumber(r.document_number);
                doc && (from == Date() || doc->year >= from.year()) && doc->year <= to.year()) {
              serials[{dept, r.indicator, doc->series}].insert(doc->serial);
            }
          }
          if (!in_period(received)) continue;
          if (registrable && !registered) {
            ++figures_of(dept, r.indicator).unknown_subject_records;
            UnknownSubject& u = unknown[s.id];
            if (u.records == 0) u = {s.id, s.DisplayCode(), s.name, "", 0};
            unknown_depts[s.id].insert(dept);
            ++u.records;
          }
          if (s.type == SubjectType::kNaturalPerson) continue;
          const catalog::Indicator* ind = catalog.Find(r.indicator);
          if (ind == nullptr) continue;
          const int name_field = ind->FieldIndexByRole(catalog::FieldRole::kSubjectName);
          if (name_field < 0) continue;
          const std::string_view name = r.Get(ind->fields[static_cast<size_t>(name_field)].code);
          if (name.empty() || known_names.contains(NameKey(name))) continue;
          auto v = std::find_if(conflict.variants.begin(), conflict.variants.end(),
                                [&](const NameConflict::Variant& x) {
                                  return x.name == name && x.dept == dept &&
                                         x.indicator == r.indicator;
                                });
          if (v == conflict.variants.end()) {
            conflict.variants.push_back({std::string(name), dept, r.indicator, 0});
            v = std::prev(conflict.variants.end());
          }
          ++v->records;
        }
        if (!conflict.variants.empty()) {
          conflict.subject_id = s.id;
          conflict.code = s.DisplayCode();
          conflict.stored_name = s.name;
          rep.name_conflicts.push_back(std::move(conflict));
        }
        return Status::Ok();
      }));

  // Gaps in document-number sequences.
  for (const auto& [key, seen] : serials) {
    // The report rate of the department's figures for the indicator, if it submitted in the
    // period (a series of the year whose records all came earlier adds no row of its own).
    if (auto f = figures.find({std::get<0>(key), std::get<1>(key)}); f != figures.end()) {
      f->second.serials_held += seen.size();
      // From each serial to the next, unless more than max_counted_gap are missing between
      // them: then the next starts a run of its own (a mistyped number is a run of one).
      uint64_t expected = 0, prev = 0;
      for (uint64_t serial : seen) {
        expected += expected == 0 || serial - prev - 1 > config.max_counted_gap ? 1 : serial - prev;
        prev = serial;
      }
      f->second.serials_expected += expected;
    }
    if (seen.size() < 2) continue;
    ++rep.gap_series_checked;
    const uint64_t first = *seen.begin(), last = *seen.rbegin();
    const uint64_t missing = last - first + 1 - seen.size();
    if (missing == 0) continue;
    SerialGap g;
    std::tie(g.dept, g.indicator, g.series) = key;
    g.first = first;
    g.last = last;
    g.seen = seen.size();
    g.missing = missing;
    if (last - first <= config.max_gap_span) {
      uint64_t expect = first;
      for (uint64_t serial : seen) {
        for (; expect < serial && g.listed.size() < config.max_listed_gaps; ++expect) {
          g.listed.push_back(expect);
        }
        expect = serial + 1;
        if (g.listed.size() >= config.max_listed_gaps) break;
      }
    }
    rep.gaps.push_back(std::move(g));
  }

  // Departments gone silent.
  for (const DepartmentSchedule& d : config.departments) {
    if (!dept_filter.empty() && d.dept != dept_filter) continue;
    SilentDepartment s;
    s.dept = d.dept;
    s.frequency = d.frequency;
    auto it = last_batch.find(d.dept);
    if (it == last_batch.end()) {
      rep.silent.push_back(std::move(s));  // never submitted
      continue;
    }
    const Date last = it->second;
    s.last_batch = last;
    switch (d.frequency) {
      case Frequency::kDaily:
        s.due = NextWorkday(calendar, last);
        if (to > *s.due) s.missed = WorkdaysIn(calendar, last, to.AddDays(-1));
        break;
      case Frequency::kWeekly:
        s.due = last.AddDays(7);
        if (to > *s.due) s.missed = (to.days() - last.days() - 1) / 7;
        break;
      case Frequency::kMonthly:
        s.due = last.AddMonths(1);
        for (int k = 1; last.AddMonths(k) < to; ++k) s.missed = k;
        break;
    }
    if (to > *s.due) rep.silent.push_back(std::move(s));
  }

  // Name conflicts, most records first.
  rep.name_conflicts_total = rep.name_conflicts.size();
  auto records_of = [](const NameConflict& c) {
    uint64_t n = 0;
    for (const NameConflict::Variant& v : c.variants) n += v.records;
    return n;
  };
  std::stable_sort(rep.name_conflicts.begin(), rep.name_conflicts.end(),
                   [&](const NameConflict& a, const NameConflict& b) {
                     return records_of(a) > records_of(b);
                   });
  if (rep.name_conflicts.size() > config.max_examples * 10) {
    rep.name_conflicts.resize(config.max_examples * 10);
  }

  // Unknown subjects, most records first.
  rep.unknown_subjects_total = unknown.size();
  for (auto& [id, u] : unknown) {
    for (const std::string& d : unknown_depts[id]) {
      if (d.empty()) continue;  // a batch without a department (a local ingest)
      u.dept += (u.dept.empty() ? "" : "、") + d;
    }
    rep.unknown_subjects.push_back(std::move(u));
  }
  std::sort(rep.unknown_subjects.begin(), rep.unknown_subjects.end(),
            [](const UnknownSubject& a, const UnknownSubject& b) {
              return std::tie(b.records, a.subject_id) < std::tie(a.records, b.subject_id);
            });
  if (rep.unknown_subjects.size() > config.max_examples * 10) {
    rep.unknown_subjects.resize(config.max_examples * 10);
  }

  // Figures with their reasons, and the sums.
  for (auto& [key, f] : figures) {
    for (auto& [code, rc] : reasons[key]) f.rejections.push_back(std::move(rc));
    SortReasons(&f.rejections);
    AddFigures(f, config.max_examples, &rep.total);
    if (f.shuanggongshi) AddFigures(f, config.max_examples, &rep.shuanggongshi);
    rep.figures.push_back(std::move(f));
  }
  rep.shuanggongshi.shuanggongshi = true;
  SortReasons(&rep.total.rejections);
  SortReasons(&rep.shuanggongshi.rejections);
  return rep;
}

}  // namespace xinyong::governance
