#include "rules/trigger_index.h"

#include <algorithm>
#include <mutex>
#include <thread>

#include "core/coding.h"

namespace xinyong::rules {

// One subject's facts, one after another:
//   varint record_id, u8 indicator slot (index in Checker::Indicators()), signed varint decision
//   day, u8 flags (1: list_end follows, 2: fulfilment_date follows), [signed varint list_end day],
//   [signed varint fulfilment day], string fulfilment_status, string document_number
// where a string is a varint length and the bytes. A few dozen bytes a fact.
namespace {

constexpr uint8_t kHasListEnd = 1;
constexpr uint8_t kHasFulfilmentDate = 2;

bool GetDays(std::string_view* in, Date* out) {
  int64_t d = 0;
  if (!coding::GetSignedVarint(in, &d)) return false;
  *out = Date::FromDays(static_cast<int32_t>(d));
  return true;
}

bool GetByte(std::string_view* in, uint8_t* out) {
  if (in->empty()) return false;
  *out = static_cast<uint8_t>((*in)[0]);
  in->remove_prefix(1);
  return true;
}

}  // namespace

TriggerIndex::TriggerIndex(const Checker& checker, Date from,
                           std::span<const catalog::Indicator* const> only)
    : checker_(checker), from_(from) {
  for (const catalog::Indicator* ind : checker.Indicators()) {
    if (only.empty() || std::find(only.begin(), only.end(), ind) != only.end()) {
      covered_.push_back(ind);
    }
  }
}

bool TriggerIndex::Covered(const catalog::Indicator* ind) const {
  return std::find(covered_.begin(), covered_.end(), ind) != covered_.end();
}

bool TriggerIndex::Covers(std::string_view scenario) const {
  for (const catalog::Indicator* ind : checker_.IndicatorsOf(scenario)) {
    if (!Covered(ind)) return false;
  }
  return true;
}

int TriggerIndex::Slot(const catalog::Indicator* ind) const {
  const auto& all = checker_.Indicators();
  for (size_t i = 0; i < all.size(); ++i) {
    if (all[i] == ind) return static_cast<int>(i);
  }
  return -1;
}

void TriggerIndex::Encode(std::span<const TriggerFact> facts, std::string* out) const {
  // In the order of Store::ListRecords (newest decision first, ties: newest record first), which
  // is the order the Checker cites evidence in.
  std::vector<const TriggerFact*> sorted;
  sorted.reserve(facts.size());
  for (const TriggerFact& f : facts) sorted.push_back(&f);
  std::sort(sorted.begin(), sorted.end(), [](const TriggerFact* a, const TriggerFact* b) {
    if (a->decided != b->decided) return a->decided > b->decided;
    return a->record_id > b->record_id;
  });
  out->clear();
  for (const TriggerFact* fact : sorted) {
    const TriggerFact& f = *fact;
    coding::PutVarint(out, f.record_id);
    out->push_back(static_cast<char>(Slot(f.indicator)));
    coding::PutSignedVarint(out, f.decided.days());
    out->push_back(static_cast<char>((f.list_end ? kHasListEnd : 0) |
                                     (f.fulfilment_date ? kHasFulfilmentDate : 0)));
    if (f.list_end) coding::PutSignedVarint(out, f.list_end->days());
    if (f.fulfilment_date) coding::PutSignedVarint(out, f.fulfilment_date->days());
    coding::PutString(out, f.fulfilment_status);
    coding::PutString(out, f.document_number);
  }
}

bool TriggerIndex::Decode(std::string_view in, std::vector<TriggerFact>* out) const {
  const auto& indicators = checker_.Indicators();
  while (!in.empty()) {
    TriggerFact f;
    uint8_t slot = 0, flags = 0;
    if (!coding::GetVarint(&in, &f.record_id) || !GetByte(&in, &slot) ||
        slot >= indicators.size() || !GetDays(&in, &f.decided) || !GetByte(&in, &flags)) {
      return false;
    }
    f.indicator = indicators[slot];
    if (flags & kHasListEnd) {
      Date d;
      if (!GetDays(&in, &d)) return false;
      f.list_end = d;
    }
    if (flags & kHasFulfilmentDate) {
      Date d;
      if (!GetDays(&in, &d)) return false;
      f.fulfilment_date = d;
    }
    if (!coding::GetString(&in, &f.fulfilment_status) ||
        !coding::GetString(&in, &f.document_number)) {
      return false;
    }
    out->push_back(f);
  }
  return true;
}

Result<std::unique_ptr<TriggerIndex>> TriggerIndex::Build(
    const storage::Store& store, const Checker& checker, Date from, unsigned threads,
    std::span<const catalog::Indicator* const> only) {
  auto index = std::make_unique<TriggerIndex>(checker, from, only);
  if (index->covered_.empty()) return index;
  storage::RecordSelection selection;
  for (const catalog::Indicator* ind : index->covered_) selection.indicators.push_back(ind->code);
  for (const catalog::Indicator* ind : checker.IndicatorsWithValues()) {
    if (index->Covered(ind)) selection.with_values.push_back(ind->code);
  }
  if (threads == 0) threads = std::max(1u, std::thread::hardware_concurrency());
  auto add = [&](const Subject& s, std::span<const Record> records, std::vector<TriggerFact>* facts,
                 std::string* encoded) {
    if (records.empty()) return Status::Ok();
    facts->clear();
    checker.Collect(records, facts);
    std::erase_if(*facts, [&](const TriggerFact& f) { return !checker.MayFire(f, from); });
    if (facts->empty()) return Status::Ok();
    index->Encode(*facts, encoded);
    Shard& shard = index->ShardOf(s.id);
    std::unique_lock lock(shard.mu);
    shard.facts.insert_or_assign(s.id, *encoded);
    return Status::Ok();
  };
  // Few records of these indicators next to the subjects (lists, say): read only the subjects
  // that have any, by their entries in the indicator index. Otherwise one pass over everyone.
  XY_ASSIGN_OR_RETURN(const storage::StoreStats stats, store.Stats());
  uint64_t records = 0;
  for (const catalog::Indicator* ind : index->covered_) {
    if (auto it = stats.records_by_indicator.find(ind->code); it != stats.records_by_indicator.end()) {
      records += it->second;
    }
  }
  std::vector<uint64_t> subjects;
  const bool few = records * 4 < stats.subjects;
  if (few) {
    for (const catalog::Indicator* ind : index->covered_) {
      XY_RETURN_IF_ERROR(store.ScanIndicator(ind->code, [&](uint64_t subject, uint64_t, Date) {
        subjects.push_back(subject);
        return Result<bool>(true);
      }));
    }
    std::sort(subjects.begin(), subjects.end());
    subjects.erase(std::unique(subjects.begin(), subjects.end()), subjects.end());
  }
  std::vector<Status> results(threads, Status::Ok());
  auto run = [&](size_t part) {
    std::vector<TriggerFact> facts;
    std::string encoded;
    auto fn = [&](const Subject& s, std::span<const Record> r) { return add(s, r, &facts, &encoded); };
    if (few) {
      const size_t begin = subjects.size() * part / threads;
      const size_t end = subjects.size() * (part + 1) / threads;
      results[part] = store.ReadSubjectRecords(
          std::span<const uint64_t>(subjects).subspan(begin, end - begin), selection, fn);
    } else {
      results[part] = store.ScanSubjectRecords(part, threads, selection, fn);
    }
  };
  std::vector<std::thread> workers;
  for (size_t part = 1; part < threads; ++part) workers.emplace_back(run, part);
  run(0);
  for (std::thread& t : workers) t.join();
  for (const Status& st : results) XY_RETURN_IF_ERROR(st);
  return index;
}

void TriggerIndex::Lookup(uint64_t subject_id, std::string* buffer,
                          std::vector<TriggerFact>* out) const {
  out->clear();
  buffer->clear();
  {
    const Shard& shard = ShardOf(subject_id);
    std::shared_lock lock(shard.mu);
    auto it = shard.facts.find(subject_id);
    if (it == shard.facts.end()) return;
    buffer->assign(it->second);
  }
  // Only Encode wrote these bytes.
  if (!Decode(*buffer, out)) out->clear();
}

void TriggerIndex::Apply(std::span<const storage::RecordWrite> writes) {
  // The writes of indicators the triggers read, by subject; within a subject in batch order (a
  // later version of a record replaces an earlier one).
  std::vector<const Record*> relevant;
  for (const storage::RecordWrite& w : writes) {
    for (const catalog::Indicator* ind : covered_) {
      if (ind->code == w.record.indicator) {
        relevant.push_back(&w.record);
        break;
      }
    }
  }
  std::stable_sort(relevant.begin(), relevant.end(),
                   [](const Record* a, const Record* b) { return a->subject_id < b->subject_id; });
  std::vector<TriggerFact> facts, added;
  std::string old, encoded;
  for (size_t i = 0; i < relevant.size();) {
    const uint64_t subject = relevant[i]->subject_id;
    size_t end = i;
    while (end < relevant.size() && relevant[end]->subject_id == subject) ++end;
    Shard& shard = ShardOf(subject);
    std::unique_lock lock(shard.mu);
    auto it = shard.facts.find(subject);
    old.clear();
    if (it != shard.facts.end()) old = it->second;
    facts.clear();
    if (!Decode(old, &facts)) facts.clear();
    for (size_t j = i; j < end; ++j) {
      const Record& r = *relevant[j];
      std::erase_if(facts, [&](const TriggerFact& f) { return f.record_id == r.record_id; });
      added.clear();
      checker_.Collect(std::span<const Record>(&r, 1), &added);
      for (const TriggerFact& f : added) {
        if (checker_.MayFire(f, from_)) facts.push_back(f);
      }
    }
    // `facts` points into `old` and the batch's records, both alive until here.
    Encode(facts, &encoded);
    if (encoded.empty()) {
      if (it != shard.facts.end()) shard.facts.erase(it);
    } else if (it != shard.facts.end()) {
      it->second = encoded;
    } else {
      shard.facts.emplace(subject, encoded);
    }
    i = end;
  }
}

TriggerIndexStats TriggerIndex::Stats() const {
  TriggerIndexStats s;
  std::vector<TriggerFact> facts;
  for (const Shard& shard : shards_) {
    std::shared_lock lock(shard.mu);
    s.subjects += shard.facts.size();
    for (const auto& [id, encoded] : shard.facts) {
      s.bytes += encoded.size();
      facts.clear();
      if (Decode(encoded, &facts)) s.facts += facts.size();
    }
  }
  return s;
}

}  // namespace xinyong::rules
