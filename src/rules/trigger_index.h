// TriggerIndex: what the credit check's list, record and commitment triggers read about every
// subject, in memory, so that a check reads nothing from the store for them. Per subject it keeps
// only the facts (rules::TriggerFact: record id, indicator, dates, fulfilment status, document
// number) of its records in force that can still make a trigger fire on the index's `from` day or
// later — current or future list memberships, records inside a window and their publicity,
// breached commitments inside a window. Most subjects have none and take no memory.
//
// It keeps, too, per person (by the keyed hash of the certificate number), the facts of other
// subjects' records that name the person as legal representative or responsible person
// (落实到人, Checker::CollectLinked): what a check of a natural person would otherwise read from
// the store through Store::ListPersonLinks and the current version of each linked record.
//
// Derived state, like the name index: Build() reads the selected records of every subject from
// the store (Store::ScanSubjectRecords, in parts on several threads), and Apply() is given the
// record versions of each committed batch right after the store committed them. Grades are not
// kept here (the check reads the stored grade when a grade trigger needs it).
//
// An index may cover only some indicators (a one-off batch of checks in one scenario builds just
// what that scenario reads): when their records are few next to the subjects, only the subjects
// that have any are read (found through Store::ScanIndicator). Covers() says which scenarios it
// serves.
//
// A check as of a day before `from`, or in a scenario the index does not cover, must not use the
// index (facts it may need were dropped or never read); the caller reads the records instead.
//
// Thread-safety: Lookup() from any number of threads, concurrently with Apply(); Apply() from one
// writer at a time. The checker (and through it the catalog and measures) must outlive the index.
#pragma once

#include <cstdint>
#include <memory>
#include <shared_mutex>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <boost/unordered/unordered_flat_map.hpp>

#include "core/date.h"
#include "core/status.h"
#include "rules/check.h"
#include "storage/store.h"

namespace xinyong::rules {

struct TriggerIndexStats {
  uint64_t subjects = 0;  // subjects with at least one fact of their own
  uint64_t persons = 0;   // persons with at least one linked fact
  uint64_t facts = 0;     // own and linked
  uint64_t bytes = 0;     // encoded facts (the maps' own overhead not included)
};

class TriggerIndex {
 public:
  // Reads every subject's records of the indicators `only` (empty: all of checker.Indicators())
  // from `store` on `threads` threads (0 = one per core) and keeps the facts that may fire on
  // `from` or later. The store's errors.
  static Result<std::unique_ptr<TriggerIndex>> Build(
      const storage::Store& store, const Checker& checker, Date from, unsigned threads = 0,
      std::span<const catalog::Indicator* const> only = {});

  // An empty index (every subject without facts) of the indicators `only` (empty: all).
  TriggerIndex(const Checker& checker, Date from,
               std::span<const catalog::Indicator* const> only = {});

  // The first day checks may be judged on with this index.
  Date from() const { return from_; }
  // Whether it holds every indicator the measures of `scenario` read.
  bool Covers(std::string_view scenario) const;

  // The facts of a subject, in the order Store::ListRecords gives its records (newest decision
  // first). `buffer` holds the bytes they point into (its previous contents are replaced); `out`
  // is cleared first.
  void Lookup(uint64_t subject_id, std::string* buffer, std::vector<TriggerFact>* out) const;
  // Appends to `out` the linked facts of the person with the keyed hash `person_hash`: those
  // Checker::CollectLinked makes from the current versions of the records that name the person,
  // newest decision first (ties: newest record first, then legal representative before
  // responsible person). `buffer` as for Lookup, and not the one earlier facts point into.
  void LookupLinked(std::string_view person_hash, std::string* buffer,
                    std::vector<TriggerFact>* out) const;

  // Applies committed record versions: each replaces what the index had of its record (a version
  // no longer in force, or that can no longer fire, removes it). Writes of other indicators are
  // skipped. Applying the same versions twice is harmless.
  void Apply(std::span<const storage::RecordWrite> writes);

  TriggerIndexStats Stats() const;

 private:
  static constexpr size_t kShards = 64;
  struct Shard {
    mutable std::shared_mutex mu;
    boost::unordered_flat_map<uint64_t, std::string> facts;  // GUARDED_BY(mu): encoded facts
  };
  Shard& ShardOf(uint64_t subject_id) { return shards_[subject_id % kShards]; }
  const Shard& ShardOf(uint64_t subject_id) const { return shards_[subject_id % kShards]; }
  struct HashOfView {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>()(s); }
  };
  struct LinkedShard {
    mutable std::shared_mutex mu;
    // person hash → encoded linked facts
    boost::unordered_flat_map<std::string, std::string, HashOfView, std::equal_to<>>
        facts;  // GUARDED_BY(mu)
  };
  LinkedShard& LinkedShardOf(std::string_view hash);
  const LinkedShard& LinkedShardOf(std::string_view hash) const;

  // The linked facts a record version gives (Checker::CollectLinked for every person it names,
  // once per person and role), those that may fire on `from_` or later.
  void CollectLinked(const Record& r, std::vector<std::pair<std::string_view, TriggerFact>>* out) const;
  // Replaces the linked facts of the records by those of their versions in `records` (in batch
  // order: a later version of a record replaces an earlier one): one rewrite per person named,
  // now or before, however many of the records name them.
  void ApplyLinked(std::span<const Record* const> records);

  // Rewrites the encoded facts of `key` in `map` (whose lock the caller holds): `edit` gets them
  // decoded (views into scratch->old) and changes them; none left removes the key.
  struct Scratch {
    std::string old, encoded;
    std::vector<TriggerFact> facts;
  };
  template <typename Map, typename Key, typename Edit>
  void Rewrite(Map* map, const Key& key, Scratch* scratch, const Edit& edit) const;
  // Appends the facts of `key` in the shard to `out`, decoded from a copy in `buffer`.
  template <typename ShardType, typename Key>
  void Read(const ShardType& shard, const Key& key, std::string* buffer,
            std::vector<TriggerFact>* out) const;

  // Encoding of one subject's facts (see the .cc); Decode fails only on bytes not made by Encode.
  void Encode(std::span<const TriggerFact> facts, std::string* out) const;
  bool Decode(std::string_view in, std::vector<TriggerFact>* out) const;
  int Slot(const catalog::Indicator* ind) const;

  bool Covered(const catalog::Indicator* ind) const;

  const Checker& checker_;
  const Date from_;
  std::vector<const catalog::Indicator*> covered_;  // a subset of checker_.Indicators()
  Shard shards_[kShards];
  LinkedShard linked_[kShards];
  // Which persons hold linked facts of a record, for Apply to remove them when the record
  // changes. Written by Build (after its threads) and Apply only, which are never concurrent.
  boost::unordered_flat_map<uint64_t, std::vector<std::string>> linked_records_;
};

}  // namespace xinyong::rules
