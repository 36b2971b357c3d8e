#include "rules/trigger_index.h"

#include <algorithm>
#include <mutex>
#include <thread>
#include <unordered_map>

#include "core/coding.h"

namespace xinyong::rules {

// One subject's (or one person's linked) facts, one after another:
//   varint record_id, u8 indicator slot (index in Checker::Indicators()), signed varint decision
//   day, u8 flags (1: list_end follows, 2: fulfilment_date follows, 4: a linked fact, its role and
//   subject follow, 8: a severity other than the indicator's follows), [signed varint list_end
//   day], [signed varint fulfilment day], [u8 role, varint via_subject], [u8 severity], string
//   fulfilment_status, string document_number
// where a string is a varint length and the bytes. A few dozen bytes a fact.
namespace {

constexpr uint8_t kHasListEnd = 1;
constexpr uint8_t kHasFulfilmentDate = 2;
constexpr uint8_t kLinked = 4;
constexpr uint8_t kOwnSeverity = 8;

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
  std::vector<const TriggerFact*> sorted;
  sorted.reserve(facts.size());
  for (const TriggerFact& f : facts) sorted.push_back(&f);
  std::sort(sorted.begin(), sorted.end(),
            [](const TriggerFact* a, const TriggerFact* b) { return CitedBefore(*a, *b); });
  out->clear();
  for (const TriggerFact* fact : sorted) {
    const TriggerFact& f = *fact;
    coding::PutVarint(out, f.record_id);
    out->push_back(static_cast<char>(Slot(f.indicator)));
    coding::PutSignedVarint(out, f.decided.days());
    const bool linked = f.link != PersonRole::kSelf;
    const bool own_severity = f.severity != f.indicator->severity;
    out->push_back(static_cast<char>((f.list_end ? kHasListEnd : 0) |
                                     (f.fulfilment_date ? kHasFulfilmentDate : 0) |
                                     (linked ? kLinked : 0) | (own_severity ? kOwnSeverity : 0)));
    if (f.list_end) coding::PutSignedVarint(out, f.list_end->days());
    if (f.fulfilment_date) coding::PutSignedVarint(out, f.fulfilment_date->days());
    if (linked) {
      out->push_back(static_cast<char>(f.link));
      coding::PutVarint(out, f.via_subject);
    }
    if (own_severity) out->push_back(static_cast<char>(f.severity));
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
    if (flags & kLinked) {
      uint8_t role = 0;
      if (!GetByte(&in, &role) || role < static_cast<uint8_t>(PersonRole::kLegalRepresentative) ||
          role > static_cast<uint8_t>(PersonRole::kResponsiblePerson) ||
          !coding::GetVarint(&in, &f.via_subject)) {
        return false;
      }
      f.link = static_cast<PersonRole>(role);
    }
    f.severity = f.indicator->severity;
    if (flags & kOwnSeverity) {
      uint8_t severity = 0;
      if (!GetByte(&in, &severity) || severity > static_cast<uint8_t>(catalog::Severity::kSerious)) {
        return false;
      }
      f.severity = static_cast<catalog::Severity>(severity);
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
  for (const catalog::Indicator* ind : index->covered_) {
    // Field values for the triggers that read them, and for the persons records name (落实到人).
    const bool values = std::find(checker.IndicatorsWithValues().begin(),
                                  checker.IndicatorsWithValues().end(),
                                  ind) != checker.IndicatorsWithValues().end();
    if (values || ind->FieldIndexByRole(catalog::FieldRole::kLegalRepIdNumber) >= 0 ||
        ind->FieldIndexByRole(catalog::FieldRole::kResponsiblePersonIdNumber) >= 0) {
      selection.with_values.push_back(ind->code);
    }
  }
  if (threads == 0) threads = std::max(1u, std::thread::hardware_concurrency());
  // Linked facts found by a thread, each encoded alone, merged per person after the threads.
  struct Linked {
    std::string hash;
    TriggerFact order;  // decided, record_id and link, for sorting (its views are not kept)
    std::string encoded;
  };
  std::vector<std::vector<Linked>> linked(threads);
  auto add = [&](const Subject& s, std::span<const Record> records, std::vector<TriggerFact>* facts,
                 std::string* encoded, std::vector<Linked>* links) {
    if (records.empty()) return Status::Ok();
    std::vector<std::pair<std::string_view, TriggerFact>> named;
    for (const Record& r : records) {
      if (r.personal.empty()) continue;
      index->CollectLinked(r, &named);
      for (const auto& [hash, fact] : named) {
        Linked& l = links->emplace_back();
        l.hash = hash;
        l.order.decided = fact.decided;
        l.order.record_id = fact.record_id;
        l.order.link = fact.link;
        index->Encode(std::span<const TriggerFact>(&fact, 1), &l.encoded);
      }
    }
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
  XY_ASSIGN_OR_RETURN(const uint64_t bound, store.HighestSubjectId());  // one cut for all parts
  std::vector<Status> results(threads, Status::Ok());
  auto run = [&](size_t part) {
    std::vector<TriggerFact> facts;
    std::string encoded;
    auto fn = [&](const Subject& s, std::span<const Record> r) {
      return add(s, r, &facts, &encoded, &linked[part]);
    };
    if (few) {
      const size_t begin = subjects.size() * part / threads;
      const size_t end = subjects.size() * (part + 1) / threads;
      results[part] = store.ReadSubjectRecords(
          std::span<const uint64_t>(subjects).subspan(begin, end - begin), selection, fn);
    } else {
      results[part] = store.ScanSubjectRecords({part, threads, bound}, selection, fn);
    }
  };
  std::vector<std::thread> workers;
  for (size_t part = 1; part < threads; ++part) workers.emplace_back(run, part);
  run(0);
  for (std::thread& t : workers) t.join();
  for (const Status& st : results) XY_RETURN_IF_ERROR(st);
  // Each person's linked facts in the order Encode gives them.
  std::vector<Linked*> all;
  for (std::vector<Linked>& part : linked) {
    for (Linked& l : part) all.push_back(&l);
  }
  std::sort(all.begin(), all.end(), [](const Linked* a, const Linked* b) {
    if (a->hash != b->hash) return a->hash < b->hash;
    return CitedBefore(a->order, b->order);
  });
  for (size_t i = 0; i < all.size();) {
    const std::string& hash = all[i]->hash;
    std::string encoded;
    for (; i < all.size() && all[i]->hash == hash; ++i) {
      encoded += all[i]->encoded;
      std::vector<std::string>& holders = index->linked_records_[all[i]->order.record_id];
      if (std::find(holders.begin(), holders.end(), hash) == holders.end()) holders.push_back(hash);
    }
    index->LinkedShardOf(hash).facts.emplace(hash, std::move(encoded));
  }
  return index;
}

TriggerIndex::LinkedShard& TriggerIndex::LinkedShardOf(std::string_view hash) {
  return linked_[hash.empty() ? 0 : static_cast<uint8_t>(hash[0]) % kShards];
}

const TriggerIndex::LinkedShard& TriggerIndex::LinkedShardOf(std::string_view hash) const {
  return linked_[hash.empty() ? 0 : static_cast<uint8_t>(hash[0]) % kShards];
}

void TriggerIndex::CollectLinked(
    const Record& r, std::vector<std::pair<std::string_view, TriggerFact>>* out) const {
  out->clear();
  std::vector<TriggerFact> one;
  for (const PersonalValue& pv : r.personal) {
    if (pv.hash.empty()) continue;
    for (PersonRole role : {PersonRole::kLegalRepresentative, PersonRole::kResponsiblePerson}) {
      const bool seen = std::any_of(out->begin(), out->end(), [&](const auto& e) {
        return e.first == pv.hash && e.second.link == role;
      });
      if (seen) continue;
      one.clear();
      checker_.CollectLinked(r, role, pv.hash, &one);
      for (const TriggerFact& f : one) {
        if (checker_.MayFire(f, from_)) out->emplace_back(pv.hash, f);
      }
    }
  }
}

template <typename Map, typename Key, typename Edit>
void TriggerIndex::Rewrite(Map* map, const Key& key, Scratch* x, const Edit& edit) const {
  auto it = map->find(key);
  x->old.clear();
  if (it != map->end()) x->old = it->second;
  x->facts.clear();
  if (!Decode(x->old, &x->facts)) x->facts.clear();
  edit(&x->facts);
  Encode(x->facts, &x->encoded);  // the facts point into x->old and what `edit` added
  if (x->encoded.empty()) {
    if (it != map->end()) map->erase(it);
  } else if (it != map->end()) {
    it->second = x->encoded;
  } else {
    map->emplace(typename Map::key_type(key), x->encoded);
  }
}

void TriggerIndex::ApplyLinked(std::span<const Record* const> records) {
  // Each record's last version in the batch, which alone counts.
  boost::unordered_flat_map<uint64_t, size_t> last;
  for (size_t i = 0; i < records.size(); ++i) last[records[i]->record_id] = i;
  // Per person named by a record now or before: the records whose facts go, and the facts that
  // come, in the order of the records' last versions.
  struct Change {
    std::vector<uint64_t> drop;
    std::vector<TriggerFact> add;  // views into the records
  };
  std::unordered_map<std::string, Change> by_person;
  std::vector<std::pair<std::string_view, TriggerFact>> named;
  for (size_t i = 0; i < records.size(); ++i) {
    const Record& r = *records[i];
    if (last[r.record_id] != i) continue;
    CollectLinked(r, &named);
    std::vector<std::string> holders;
    for (const auto& [hash, f] : named) {
      if (std::find(holders.begin(), holders.end(), hash) == holders.end()) {
        holders.emplace_back(hash);
        by_person[holders.back()].drop.push_back(r.record_id);
      }
      by_person[std::string(hash)].add.push_back(f);
    }
    if (auto prev = linked_records_.find(r.record_id); prev != linked_records_.end()) {
      for (const std::string& hash : prev->second) by_person[hash].drop.push_back(r.record_id);
      linked_records_.erase(prev);
    }
    if (!holders.empty()) linked_records_.emplace(r.record_id, std::move(holders));
  }
  Scratch scratch;
  for (auto& person : by_person) {
    const std::string& hash = person.first;
    Change& change = person.second;  // not a structured binding: lambdas capture it (clang)
    std::sort(change.drop.begin(), change.drop.end());
    LinkedShard& shard = LinkedShardOf(hash);
    std::unique_lock lock(shard.mu);
    Rewrite(&shard.facts, hash, &scratch, [&](std::vector<TriggerFact>* kept) {
      std::erase_if(*kept, [&](const TriggerFact& f) {
        return std::binary_search(change.drop.begin(), change.drop.end(), f.record_id);
      });
      kept->insert(kept->end(), change.add.begin(), change.add.end());
    });
  }
}

template <typename ShardType, typename Key>
void TriggerIndex::Read(const ShardType& shard, const Key& key, std::string* buffer,
                        std::vector<TriggerFact>* out) const {
  buffer->clear();
  {
    std::shared_lock lock(shard.mu);
    auto it = shard.facts.find(key);
    if (it == shard.facts.end()) return;
    buffer->assign(it->second);
  }
  const size_t before = out->size();
  if (!Decode(*buffer, out)) out->resize(before);  // only Encode wrote these bytes
}

void TriggerIndex::Lookup(uint64_t subject_id, std::string* buffer,
                          std::vector<TriggerFact>* out) const {
  out->clear();
  Read(ShardOf(subject_id), subject_id, buffer, out);
}

void TriggerIndex::LookupLinked(std::string_view person_hash, std::string* buffer,
                                std::vector<TriggerFact>* out) const {
  Read(LinkedShardOf(person_hash), person_hash, buffer, out);
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
  ApplyLinked(relevant);  // the persons the records name
  std::stable_sort(relevant.begin(), relevant.end(),
                   [](const Record* a, const Record* b) { return a->subject_id < b->subject_id; });
  std::vector<TriggerFact> added;
  Scratch scratch;
  for (size_t i = 0; i < relevant.size();) {
    const uint64_t subject = relevant[i]->subject_id;
    size_t end = i;
    while (end < relevant.size() && relevant[end]->subject_id == subject) ++end;
    Shard& shard = ShardOf(subject);
    std::unique_lock lock(shard.mu);
    Rewrite(&shard.facts, subject, &scratch, [&](std::vector<TriggerFact>* facts) {
      for (size_t j = i; j < end; ++j) {
        const Record& r = *relevant[j];
        std::erase_if(*facts, [&](const TriggerFact& f) { return f.record_id == r.record_id; });
        added.clear();
        checker_.Collect(std::span<const Record>(&r, 1), &added);
        for (const TriggerFact& f : added) {
          if (checker_.MayFire(f, from_)) facts->push_back(f);
        }
      }
    });
    i = end;
  }
}

TriggerIndexStats TriggerIndex::Stats() const {
  TriggerIndexStats s;
  std::vector<TriggerFact> facts;
  // Adds the shards' keys to `keys`, their facts and bytes to the totals.
  auto count = [&](const auto& shards, uint64_t* keys) {
    for (const auto& shard : shards) {
      std::shared_lock lock(shard.mu);
      *keys += shard.facts.size();
      for (const auto& [key, encoded] : shard.facts) {
        s.bytes += encoded.size();
        facts.clear();
        if (Decode(encoded, &facts)) s.facts += facts.size();
      }
    }
  };
  count(shards_, &s.subjects);
  count(linked_, &s.persons);
  return s;
}

}  // namespace xinyong::rules
