#include "search/name_index.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <shared_mutex>
#include <unordered_map>
#include <unordered_set>

#include "core/identifiers.h"
#include "core/personal_data.h"
#include "search/normalizer.h"
#include "storage/store.h"

namespace xinyong::search {

std::string_view MatchKindName(MatchKind k) {
  switch (k) {
    case MatchKind::kCode: return "code";
    case MatchKind::kName: return "name";
    case MatchKind::kFormerName: return "former_name";
    case MatchKind::kPinyinInitials: return "pinyin_initials";
    case MatchKind::kPinyin: return "pinyin";
    case MatchKind::kPersonalId: return "personal_id";
  }
  return "unknown";
}

std::string_view MatchClassName(MatchClass c) {
  switch (c) {
    case MatchClass::kExact: return "exact";
    case MatchClass::kPrefix: return "prefix";
    case MatchClass::kContains: return "contains";
  }
  return "unknown";
}

namespace {

constexpr size_t kMaxQueryChars = 64;
constexpr size_t kMaxCodePrefixHits = 1000;  // "9141…" would list a province: type more
constexpr size_t kMinCodePrefix = 6;
constexpr size_t kMaxSegmentations = 8;
constexpr uint32_t kNoDoc = UINT32_MAX;

// Posting-list keys: a tag in the top byte, the gram below it.
enum Tag : uint64_t {
  kUni = 1,      // a character
  kBi = 2,       // two adjacent characters
  kHeadUni = 3,  // the first character
  kHeadBi = 4,   // the first two characters
  kIniBi = 5,    // two adjacent pinyin initials
  kIniHead = 6,  // the first two initials
  kSylBi = 7,    // two adjacent pinyin syllables
  kSylHead = 8,  // the first two syllables
};
constexpr uint64_t Key(Tag tag, uint64_t gram) { return static_cast<uint64_t>(tag) << 56 | gram; }
constexpr uint64_t Pair21(char32_t a, char32_t b) {
  return static_cast<uint64_t>(a) << 21 | static_cast<uint64_t>(b);
}

bool IsCancelled(std::string_view status) {
  return status.find("注销") != std::string_view::npos ||
         status.find("吊销") != std::string_view::npos ||
         status.find("撤销") != std::string_view::npos;
}

// One indexed name: a subject's current name or one of its former names.
struct Doc {
  uint64_t subject_id = 0;
  uint32_t text = 0;      // normalized name: offset into DocTable::arena
  uint16_t text_len = 0;  // bytes
  uint16_t length = 0;    // characters
  uint32_t code = 0;      // display code: offset into DocTable::arena
  uint8_t code_len = 0;
  uint8_t former = 0;
  uint8_t cancelled = 0;
  uint8_t type = 0;
};

struct DocTable {
  std::vector<Doc> docs;
  std::string arena;

  std::string_view Text(const Doc& d) const { return {arena.data() + d.text, d.text_len}; }
  std::string_view Code(const Doc& d) const { return {arena.data() + d.code, d.code_len}; }
  uint32_t Add(uint64_t subject, std::string_view text, size_t length, std::string_view code,
               bool former, bool cancelled, SubjectType type) {
    Doc d;
    d.subject_id = subject;
    d.text = static_cast<uint32_t>(arena.size());
    d.text_len = static_cast<uint16_t>(text.size());
    arena.append(text);
    d.length = static_cast<uint16_t>(length);
    d.code = static_cast<uint32_t>(arena.size());
    d.code_len = static_cast<uint8_t>(std::min<size_t>(code.size(), 255));
    arena.append(code.substr(0, d.code_len));
    d.former = former;
    d.cancelled = cancelled;
    d.type = static_cast<uint8_t>(type);
    docs.push_back(d);
    return static_cast<uint32_t>(docs.size() - 1);
  }
  // The ranking order within a match class: shorter first, active first, then code.
  bool RanksBefore(const Doc& a, const Doc& b) const {
    if (a.length != b.length) return a.length < b.length;
    if (a.cancelled != b.cancelled) return a.cancelled < b.cancelled;
    if (int c = Code(a).compare(Code(b)); c != 0) return c < 0;
    if (a.subject_id != b.subject_id) return a.subject_id < b.subject_id;
    return a.former < b.former;
  }
  size_t MemoryBytes() const { return docs.capacity() * sizeof(Doc) + arena.capacity(); }
};

// Open addressing map from posting key to a dense slot number, for the immutable base segment.
class KeyTable {
 public:
  // The slot of `key`, inserting it when absent.
  uint32_t Insert(uint64_t key) {
    if ((size_ + 1) * 2 > keys_.size()) Grow();
    size_t mask = keys_.size() - 1;
    for (size_t i = Hash(key) & mask;; i = (i + 1) & mask) {
      if (keys_[i] == key) return slots_[i];
      if (keys_[i] == 0) {
        keys_[i] = key;
        slots_[i] = static_cast<uint32_t>(size_++);
        return slots_[i];
      }
    }
  }
  uint32_t Find(uint64_t key) const {
    if (keys_.empty()) return kNoDoc;
    size_t mask = keys_.size() - 1;
    for (size_t i = Hash(key) & mask;; i = (i + 1) & mask) {
      if (keys_[i] == key) return slots_[i];
      if (keys_[i] == 0) return kNoDoc;
    }
  }
  size_t size() const { return size_; }
  size_t MemoryBytes() const { return keys_.capacity() * 12; }

 private:
  static size_t Hash(uint64_t k) {
    k ^= k >> 33;
    k *= 0xff51afd7ed558ccdULL;
    k ^= k >> 33;
    return static_cast<size_t>(k);
  }
  void Grow() {
    std::vector<uint64_t> old_keys = std::move(keys_);
    std::vector<uint32_t> old_slots = std::move(slots_);
    keys_.assign(std::max<size_t>(1024, old_keys.size() * 2), 0);
    slots_.assign(keys_.size(), 0);
    size_t mask = keys_.size() - 1;
    for (size_t j = 0; j < old_keys.size(); ++j) {
      if (old_keys[j] == 0) continue;
      size_t i = Hash(old_keys[j]) & mask;
      while (keys_[i] != 0) i = (i + 1) & mask;
      keys_[i] = old_keys[j];
      slots_[i] = old_slots[j];
    }
  }
  std::vector<uint64_t> keys_;  // 0 = empty (every real key has a non-zero tag)
  std::vector<uint32_t> slots_;
  size_t size_ = 0;
};

using Span = std::span<const uint32_t>;

// The pinyin of a normalized name: syllable ids and their initials.
struct PinyinText {
  std::vector<uint16_t> syllables;
  std::string initials;
};

}  // namespace

struct NameIndex::Impl {
  const storage::Store* store = nullptr;
  const PersonalDataVault* vault = nullptr;
  std::unique_ptr<Normalizer> normalizer;
  std::unordered_set<std::string> syllable_prefixes;  // every proper prefix of a syllable

  // Everything a search reads, replaced whole by a rebuild.
  struct State {
    DocTable docs;
    uint32_t base_count = 0;  // docs [0, base_count) are the base segment, in rank order
    KeyTable base_keys;
    std::vector<uint32_t> base_begin;  // by slot: first posting; one extra at the end
    std::vector<uint32_t> base_ids;
    std::unordered_map<uint64_t, std::vector<uint32_t>> delta;  // docs [base_count, …)
    std::vector<uint8_t> dead;                // by doc: replaced by a later Apply
    std::vector<uint32_t> current_doc;        // by subject id
    std::unordered_multimap<uint64_t, uint32_t> former_docs;  // subject → doc
    uint64_t live_subjects = 0;
    uint64_t postings = 0;

    Span Base(uint64_t key) const {
      uint32_t slot = base_keys.Find(key);
      if (slot == kNoDoc) return {};
      return Span(base_ids.data() + base_begin[slot], base_begin[slot + 1] - base_begin[slot]);
    }
    Span Delta(uint64_t key) const {
      auto it = delta.find(key);
      if (it == delta.end()) return {};
      return Span(it->second);
    }
  };

  mutable std::shared_mutex mu;
  std::unique_ptr<State> state;
  double build_seconds = 0;

  // ---- building ----------------------------------------------------------------------------

  void Grams(std::string_view text, std::u32string* cps, PinyinText* py,
             std::vector<uint64_t>* keys) const {
    keys->clear();
    Normalizer::Decode(text, cps);
    const std::u32string& c = *cps;
    for (size_t i = 0; i < c.size(); ++i) {
      keys->push_back(Key(kUni, c[i]));
      if (i + 1 < c.size()) keys->push_back(Key(kBi, Pair21(c[i], c[i + 1])));
    }
    if (!c.empty()) keys->push_back(Key(kHeadUni, c[0]));
    if (c.size() >= 2) keys->push_back(Key(kHeadBi, Pair21(c[0], c[1])));
    Pinyin(c, py);
    const auto& s = py->syllables;
    const auto& ini = py->initials;
    for (size_t j = 0; j + 1 < s.size(); ++j) {
      keys->push_back(Key(kIniBi, static_cast<uint8_t>(ini[j]) << 8 | static_cast<uint8_t>(ini[j + 1])));
      keys->push_back(Key(kSylBi, static_cast<uint64_t>(s[j]) << 16 | s[j + 1]));
    }
    if (s.size() >= 2) {
      keys->push_back(Key(kIniHead, static_cast<uint8_t>(ini[0]) << 8 | static_cast<uint8_t>(ini[1])));
      keys->push_back(Key(kSylHead, static_cast<uint64_t>(s[0]) << 16 | s[1]));
    }
    std::sort(keys->begin(), keys->end());
    keys->erase(std::unique(keys->begin(), keys->end()), keys->end());
  }

  void Pinyin(std::u32string_view cps, PinyinText* py) const {
    normalizer->Syllables(cps, &py->syllables);
    py->initials.clear();
    for (uint16_t s : py->syllables) py->initials.push_back(normalizer->SyllableText(s)[0]);
  }

  // Adds a subject's names (not natural persons') to `docs`.
  void AddDocs(const Subject& s, DocTable* docs, std::vector<uint32_t>* added) const {
    if (s.type == SubjectType::kNaturalPerson) return;
    const bool cancelled = IsCancelled(s.status);
    const std::string code = s.DisplayCode();
    std::u32string cps;
    auto add = [&](std::string_view name, bool former) {
      std::string text = normalizer->Normalize(name);
      if (text.empty() || text.size() > UINT16_MAX) return;
      Normalizer::Decode(text, &cps);
      added->push_back(docs->Add(s.id, text, cps.size(), code, former, cancelled, s.type));
    };
    add(s.name, false);
    for (const auto& f : s.former_names) {
      if (f != s.name) add(f, true);
    }
  }

  // A new state whose base segment holds `docs` (any order; sorted here) and no delta.
  std::unique_ptr<State> BuildState(DocTable docs) const {
    auto st = std::make_unique<State>();
    std::vector<uint32_t> order(docs.docs.size());
    for (uint32_t i = 0; i < order.size(); ++i) order[i] = i;
    std::sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) {
      return docs.RanksBefore(docs.docs[a], docs.docs[b]);
    });
    DocTable& out = st->docs;
    out.docs.reserve(order.size());
    out.arena.reserve(docs.arena.size());
    for (uint32_t i : order) {
      const Doc& d = docs.docs[i];
      out.Add(d.subject_id, docs.Text(d), d.length, docs.Code(d), d.former, d.cancelled,
              static_cast<SubjectType>(d.type));
    }
    docs = DocTable();
    st->base_count = static_cast<uint32_t>(out.docs.size());

    // Pass 1: each document's keys as slots, and how many documents each slot has.
    std::vector<uint32_t> doc_slots;
    std::vector<uint32_t> doc_begin(out.docs.size() + 1, 0);
    std::vector<uint32_t> counts;
    std::u32string cps;
    PinyinText py;
    std::vector<uint64_t> keys;
    for (uint32_t d = 0; d < out.docs.size(); ++d) {
      Grams(out.Text(out.docs[d]), &cps, &py, &keys);
      for (uint64_t k : keys) {
        uint32_t slot = st->base_keys.Insert(k);
        if (slot >= counts.size()) counts.resize(slot + 1, 0);
        ++counts[slot];
        doc_slots.push_back(slot);
      }
      doc_begin[d + 1] = static_cast<uint32_t>(doc_slots.size());
    }
    // Pass 2: lay the posting lists out one after another; documents arrive in rank order.
    st->base_begin.assign(counts.size() + 1, 0);
    for (size_t i = 0; i < counts.size(); ++i) st->base_begin[i + 1] = st->base_begin[i] + counts[i];
    st->base_ids.resize(doc_slots.size());
    std::vector<uint32_t> cursor(st->base_begin.begin(), st->base_begin.end() - 1);
    for (uint32_t d = 0; d < out.docs.size(); ++d) {
      for (uint32_t i = doc_begin[d]; i < doc_begin[d + 1]; ++i) st->base_ids[cursor[doc_slots[i]]++] = d;
    }
    st->postings = doc_slots.size();
    st->dead.assign(out.docs.size(), 0);
    for (uint32_t d = 0; d < out.docs.size(); ++d) Link(st.get(), d);
    return st;
  }

  static void Link(State* st, uint32_t d) {
    const Doc& doc = st->docs.docs[d];
    if (doc.former) {
      st->former_docs.emplace(doc.subject_id, d);
      return;
    }
    if (doc.subject_id >= st->current_doc.size()) {
      st->current_doc.resize(std::max<size_t>(doc.subject_id + 1, st->current_doc.size() * 3 / 2), kNoDoc);
    }
    if (st->current_doc[doc.subject_id] == kNoDoc) ++st->live_subjects;
    st->current_doc[doc.subject_id] = d;
  }

  // Marks every document of a subject dead.
  static void Unlink(State* st, uint64_t subject) {
    if (subject < st->current_doc.size() && st->current_doc[subject] != kNoDoc) {
      st->dead[st->current_doc[subject]] = 1;
      st->current_doc[subject] = kNoDoc;
      --st->live_subjects;
    }
    auto [lo, hi] = st->former_docs.equal_range(subject);
    for (auto it = lo; it != hi; ++it) st->dead[it->second] = 1;
    st->former_docs.erase(lo, hi);
  }

  // ---- searching ---------------------------------------------------------------------------

  // Calls fn(doc) for every document in all of `lists` (each ascending), in ascending order.
  template <typename Fn>
  static void Intersect(std::vector<Span> lists, Fn&& fn) {
    if (lists.empty()) return;
    std::sort(lists.begin(), lists.end(), [](Span a, Span b) { return a.size() < b.size(); });
    if (lists[0].empty()) return;
    std::vector<size_t> pos(lists.size(), 0);
    for (uint32_t d : lists[0]) {
      bool all = true;
      for (size_t i = 1; i < lists.size() && all; ++i) {
        Span l = lists[i];
        size_t& p = pos[i];
        // Gallop forward, then binary search.
        size_t step = 1;
        while (p + step < l.size() && l[p + step] < d) step *= 2;
        size_t hi = std::min(p + step + 1, l.size());
        p = static_cast<size_t>(std::lower_bound(l.begin() + static_cast<std::ptrdiff_t>(p),
                                                 l.begin() + static_cast<std::ptrdiff_t>(hi), d) -
                                l.begin());
        if (p >= l.size()) return;
        if (l[p] != d) all = false;
      }
      if (all) fn(d);
    }
  }

  // Matching documents of one group, by class, ranked, deduplicated by subject.
  struct Group {
    std::vector<uint32_t> cls[3];    // the first documents of each class
    std::vector<MatchKind> kind[3];  // parallel to cls
    uint64_t count[3] = {0, 0, 0};   // every document of each class
    uint64_t total = 0;
  };

  // Whether a subject should be represented by document `d`: its current name when that matches,
  // else its first matching former name. `matches` tests a document.
  template <typename Matches>
  bool Represents(const State& st, uint32_t d, Matches&& matches) const {
    const Doc& doc = st.docs.docs[d];
    if (!doc.former) return true;
    uint32_t cur = doc.subject_id < st.current_doc.size() ? st.current_doc[doc.subject_id] : kNoDoc;
    if (cur != kNoDoc && matches(cur)) return false;
    auto [lo, hi] = st.former_docs.equal_range(doc.subject_id);
    for (auto it = lo; it != hi; ++it) {
      if (it->second < d && matches(it->second)) return false;
    }
    return true;
  }

  struct Filter {
    std::optional<SubjectType> type;
    const std::unordered_set<uint64_t>* exclude;  // subjects already listed by an earlier group
    bool Pass(const Doc& d) const {
      if (type && d.type != static_cast<uint8_t>(*type)) return false;
      return !exclude->contains(d.subject_id);
    }
  };

  // Adds document `d` (matching in class `c`) to the group: counted always, kept when among the
  // first `keep` of its class in its segment.
  static void Keep(Group* g, uint32_t d, MatchClass c, MatchKind k, size_t keep) {
    ++g->total;
    auto i = static_cast<size_t>(c);
    ++g->count[i];
    if (g->cls[i].size() < keep) {
      g->cls[i].push_back(d);
      g->kind[i].push_back(k);
    }
  }

  // The name group: documents whose normalized text contains the query.
  void NameGroup(const State& st, std::string_view q, const std::u32string& qc, const Filter& f,
                 size_t keep, bool delta, Group* g) const {
    auto contains = [&](uint32_t d) {
      return st.docs.Text(st.docs.docs[d]).find(q) != std::string_view::npos;
    };
    auto lists = [&](uint64_t key) { return delta ? st.Delta(key) : st.Base(key); };
    auto visit = [&](uint32_t d, MatchClass c) {
      if (st.dead[d]) return;
      const Doc& doc = st.docs.docs[d];
      if (!f.Pass(doc) || !Represents(st, d, contains)) return;
      if (c == MatchClass::kPrefix && doc.length == qc.size()) c = MatchClass::kExact;
      Keep(g, d, c, doc.former ? MatchKind::kFormerName : MatchKind::kName, keep);
    };
    if (qc.size() <= 2) {
      // One posting list holds exactly the matches; the head list tells which start with q.
      Span all = lists(qc.size() == 1 ? Key(kUni, qc[0]) : Key(kBi, Pair21(qc[0], qc[1])));
      Span head = lists(qc.size() == 1 ? Key(kHeadUni, qc[0]) : Key(kHeadBi, Pair21(qc[0], qc[1])));
      size_t h = 0;
      for (uint32_t d : all) {
        while (h < head.size() && head[h] < d) ++h;
        visit(d, h < head.size() && head[h] == d ? MatchClass::kPrefix : MatchClass::kContains);
      }
      return;
    }
    std::vector<Span> spans;
    std::vector<uint64_t> seen;
    for (size_t i = 0; i + 1 < qc.size(); ++i) {
      uint64_t k = Key(kBi, Pair21(qc[i], qc[i + 1]));
      if (std::find(seen.begin(), seen.end(), k) != seen.end()) continue;
      seen.push_back(k);
      spans.push_back(lists(k));
    }
    Intersect(spans, [&](uint32_t d) {
      std::string_view text = st.docs.Text(st.docs.docs[d]);
      size_t at = text.find(q);
      if (at == std::string_view::npos) return;
      visit(d, at == 0 ? MatchClass::kPrefix : MatchClass::kContains);
    });
  }

  // One reading of a pinyin query: complete syllables, then possibly the start of one more.
  struct Reading {
    std::vector<uint16_t> syllables;
    std::string partial;
  };

  void Readings(std::string_view q, size_t pos, Reading* cur, std::vector<Reading>* out) const {
    if (out->size() >= kMaxSegmentations) return;
    if (pos == q.size()) {
      out->push_back(*cur);
      return;
    }
    std::string_view rest = q.substr(pos);
    for (size_t len = std::min(rest.size(), normalizer->max_syllable_length()); len >= 1; --len) {
      std::string_view piece = rest.substr(0, len);
      // Single letters are syllables only where pinyin has them (a, e, o).
      if (len == 1 && piece != "a" && piece != "e" && piece != "o") continue;
      uint16_t id = normalizer->SyllableId(piece);
      if (id == Normalizer::kNoSyllable) continue;
      cur->syllables.push_back(id);
      Readings(q, pos + len, cur, out);
      cur->syllables.pop_back();
    }
    if (!cur->syllables.empty() && syllable_prefixes.contains(std::string(rest))) {
      cur->partial = std::string(rest);
      out->push_back(*cur);
      cur->partial.clear();
    }
  }

  // The class of a full-pinyin match of `r` in `py`, or nullopt.
  std::optional<MatchClass> MatchReading(const Reading& r, const PinyinText& py) const {
    const auto& s = py.syllables;
    const size_t k = r.syllables.size();
    const size_t need = k + (r.partial.empty() ? 0 : 1);
    if (s.size() < need) return std::nullopt;
    for (size_t i = 0; i + need <= s.size(); ++i) {
      if (!std::equal(r.syllables.begin(), r.syllables.end(), s.begin() + static_cast<std::ptrdiff_t>(i))) continue;
      if (!r.partial.empty() && !normalizer->SyllableText(s[i + k]).starts_with(r.partial)) continue;
      if (i > 0) return MatchClass::kContains;
      return need == s.size() ? MatchClass::kExact : MatchClass::kPrefix;
    }
    return std::nullopt;
  }

  // The pinyin group: documents whose initials contain q, or whose syllables read as q.
  void PinyinGroup(const State& st, std::string_view q, const std::vector<Reading>& readings,
                   const Filter& f, size_t keep, bool delta, Group* g) const {
    auto lists = [&](uint64_t key) { return delta ? st.Delta(key) : st.Base(key); };
    std::vector<uint32_t> candidates;
    {
      std::vector<Span> spans;
      std::vector<uint64_t> seen;
      for (size_t i = 0; i + 1 < q.size(); ++i) {
        uint64_t k = Key(kIniBi, static_cast<uint8_t>(q[i]) << 8 | static_cast<uint8_t>(q[i + 1]));
        if (std::find(seen.begin(), seen.end(), k) != seen.end()) continue;
        seen.push_back(k);
        spans.push_back(lists(k));
      }
      Intersect(spans, [&](uint32_t d) { candidates.push_back(d); });
    }
    for (const Reading& r : readings) {
      std::vector<Span> spans;
      for (size_t i = 0; i + 1 < r.syllables.size(); ++i) {
        spans.push_back(lists(Key(kSylBi, static_cast<uint64_t>(r.syllables[i]) << 16 | r.syllables[i + 1])));
      }
      if (!spans.empty()) {
        Intersect(spans, [&](uint32_t d) { candidates.push_back(d); });
        continue;
      }
      // One complete syllable and a partial one: every syllable the partial can start.
      uint16_t first = r.syllables[0];
      for (uint16_t s = 1; s < normalizer->syllable_count(); ++s) {
        if (!normalizer->SyllableText(s).starts_with(r.partial)) continue;
        Span l = lists(Key(kSylBi, static_cast<uint64_t>(first) << 16 | s));
        candidates.insert(candidates.end(), l.begin(), l.end());
      }
    }
    std::sort(candidates.begin(), candidates.end());
    candidates.erase(std::unique(candidates.begin(), candidates.end()), candidates.end());

    std::u32string cps;
    PinyinText py;
    // The best pinyin match of a document, as (class, kind).
    auto match = [&](uint32_t d) -> std::optional<std::pair<MatchClass, MatchKind>> {
      Normalizer::Decode(st.docs.Text(st.docs.docs[d]), &cps);
      Pinyin(cps, &py);
      std::optional<std::pair<MatchClass, MatchKind>> best;
      for (const Reading& r : readings) {
        if (auto c = MatchReading(r, py); c && (!best || *c < best->first)) best = {{*c, MatchKind::kPinyin}};
      }
      if (size_t at = py.initials.find(q); at != std::string::npos) {
        MatchClass c = at > 0 ? MatchClass::kContains
                              : (q.size() == py.initials.size() ? MatchClass::kExact : MatchClass::kPrefix);
        if (!best || c < best->first) best = {{c, MatchKind::kPinyinInitials}};
      }
      return best;
    };
    auto name_contains = [&](uint64_t subject) {
      // A subject whose name itself contains q was listed by the name group.
      auto has = [&](uint32_t d) { return st.docs.Text(st.docs.docs[d]).find(q) != std::string_view::npos; };
      if (subject < st.current_doc.size() && st.current_doc[subject] != kNoDoc && has(st.current_doc[subject])) return true;
      auto [lo, hi] = st.former_docs.equal_range(subject);
      for (auto it = lo; it != hi; ++it) {
        if (has(it->second)) return true;
      }
      return false;
    };
    for (uint32_t d : candidates) {
      if (st.dead[d]) continue;
      const Doc& doc = st.docs.docs[d];
      if (!f.Pass(doc)) continue;
      auto m = match(d);
      if (!m) continue;
      if (!Represents(st, d, [&](uint32_t o) { return match(o).has_value(); })) continue;
      if (name_contains(doc.subject_id)) continue;
      Keep(g, d, m->first, m->second, keep);
    }
  }

  // Merges a group's base and delta results: each class's delta documents sorted into place.
  void Merge(const State& st, Group* base, Group* delta) const {
    for (size_t c = 0; c < 3; ++c) {
      if (delta->cls[c].empty()) continue;
      std::vector<std::pair<uint32_t, MatchKind>> all;
      for (size_t i = 0; i < base->cls[c].size(); ++i) all.emplace_back(base->cls[c][i], base->kind[c][i]);
      for (size_t i = 0; i < delta->cls[c].size(); ++i) all.emplace_back(delta->cls[c][i], delta->kind[c][i]);
      std::stable_sort(all.begin(), all.end(), [&](const auto& a, const auto& b) {
        return st.docs.RanksBefore(st.docs.docs[a.first], st.docs.docs[b.first]);
      });
      base->cls[c].clear();
      base->kind[c].clear();
      for (auto& [d, k] : all) {
        base->cls[c].push_back(d);
        base->kind[c].push_back(k);
      }
    }
    for (size_t c = 0; c < 3; ++c) base->count[c] += delta->count[c];
    base->total += delta->total;
  }

  Status CodeHits(std::string_view query, const SearchOptions& o, std::vector<Hit>* out) const {
    std::string code = ident::NormalizeCodeInput(query);
    if (code.size() < 2 || code.size() > 20 ||
        code.find_first_not_of("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ") != std::string::npos) {
      return Status::Ok();
    }
    std::unordered_set<uint64_t> seen;
    auto add = [&](uint64_t id, MatchKind kind, MatchClass cls) -> Status {
      if (!seen.insert(id).second) return Status::Ok();
      XY_ASSIGN_OR_RETURN(auto s, store->GetSubject(id));
      if (!s) return Status::Ok();
      if (s->type == SubjectType::kNaturalPerson && !o.viewer.may_lookup_personal_ids) return Status::Ok();
      if (o.type && s->type != *o.type) return Status::Ok();
      Hit h;
      h.subject_id = id;
      h.code = s->DisplayCode();
      h.name = s->name;
      h.type = s->type;
      h.status = s->status;
      h.match = kind;
      h.match_class = cls;
      h.score = cls == MatchClass::kExact ? 1.0 : 0.95;
      out->push_back(std::move(h));
      return Status::Ok();
    };
    constexpr IdentifierKind kPublicKinds[] = {
        IdentifierKind::kUscc,      IdentifierKind::kOrgCode,  IdentifierKind::kRegNumber,
        IdentifierKind::kTaxNumber, IdentifierKind::kInstCert, IdentifierKind::kSocialOrgCert};
    for (IdentifierKind kind : kPublicKinds) {
      XY_ASSIGN_OR_RETURN(auto id, store->FindSubject(kind, code));
      if (id) XY_RETURN_IF_ERROR(add(*id, MatchKind::kCode, MatchClass::kExact));
    }
    if (o.viewer.may_lookup_personal_ids) {
      if (code.size() == 21 && code[0] == 'P') {
        XY_ASSIGN_OR_RETURN(auto id, store->FindSubject(IdentifierKind::kPersonCode, code.substr(1)));
        if (id) XY_RETURN_IF_ERROR(add(*id, MatchKind::kCode, MatchClass::kExact));
      }
      if (vault != nullptr) {
        if (auto rid = ident::ParseResidentId(code, Date::Today()); rid.ok()) {
          auto hash = vault->LookupHash(rid->id18);
          XY_ASSIGN_OR_RETURN(auto id, store->FindSubject(IdentifierKind::kResidentIdHash,
                                                          std::string_view(reinterpret_cast<const char*>(hash.data()), hash.size())));
          if (id) XY_RETURN_IF_ERROR(add(*id, MatchKind::kPersonalId, MatchClass::kExact));
        }
      }
    }
    if (code.size() >= kMinCodePrefix) {
      std::vector<std::pair<std::string, uint64_t>> prefixed;
      for (IdentifierKind kind : kPublicKinds) {
        if (prefixed.size() >= kMaxCodePrefixHits) break;
        XY_RETURN_IF_ERROR(store->FindCodesByPrefix(kind, code, kMaxCodePrefixHits - prefixed.size(), &prefixed));
      }
      for (const auto& [value, id] : prefixed) {
        if (value != code) XY_RETURN_IF_ERROR(add(id, MatchKind::kCode, MatchClass::kPrefix));
      }
    }
    return Status::Ok();
  }

  Hit MakeHit(const State& st, uint32_t d, MatchClass c, MatchKind k, size_t query_chars) const {
    const Doc& doc = st.docs.docs[d];
    Hit h;
    h.subject_id = doc.subject_id;
    h.code = std::string(st.docs.Code(doc));
    h.type = static_cast<SubjectType>(doc.type);
    h.match = k;
    h.match_class = c;
    double extra = doc.length > query_chars ? static_cast<double>(doc.length - query_chars) : 0;
    double score = c == MatchClass::kExact ? 0.98
                   : c == MatchClass::kPrefix ? std::max(0.6, 0.9 - 0.01 * extra)
                                              : std::max(0.3, 0.7 - 0.01 * extra);
    if (k == MatchKind::kFormerName) score -= 0.05;
    if (k == MatchKind::kPinyin || k == MatchKind::kPinyinInitials) score *= 0.8;
    h.score = std::round(score * 1000) / 1000;
    return h;
  }
};

NameIndex::NameIndex(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
NameIndex::~NameIndex() = default;

Result<std::unique_ptr<NameIndex>> NameIndex::Build(const storage::Store& store,
                                                    const PersonalDataVault* vault) {
  auto t0 = std::chrono::steady_clock::now();
  auto impl = std::make_unique<Impl>();
  impl->store = &store;
  impl->vault = vault;
  XY_ASSIGN_OR_RETURN(impl->normalizer, Normalizer::Create());
  for (size_t i = 1; i < impl->normalizer->syllable_count(); ++i) {
    std::string_view s = impl->normalizer->SyllableText(static_cast<uint16_t>(i));
    for (size_t len = 1; len < s.size(); ++len) impl->syllable_prefixes.emplace(s.substr(0, len));
  }
  DocTable docs;
  std::vector<uint32_t> added;
  XY_RETURN_IF_ERROR(store.ScanSubjects([&](const Subject& s) {
    impl->AddDocs(s, &docs, &added);
    return Status::Ok();
  }));
  impl->state = impl->BuildState(std::move(docs));
  impl->build_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return std::unique_ptr<NameIndex>(new NameIndex(std::move(impl)));
}

void NameIndex::Apply(std::span<const Subject> subjects) {
  Impl& m = *impl_;
  {
    std::unique_lock lock(m.mu);
    Impl::State& st = *m.state;
    std::vector<uint32_t> added;
    std::u32string cps;
    PinyinText py;
    std::vector<uint64_t> keys;
    for (const Subject& s : subjects) {
      Impl::Unlink(&st, s.id);
      added.clear();
      m.AddDocs(s, &st.docs, &added);
      st.dead.resize(st.docs.docs.size(), 0);
      for (uint32_t d : added) {
        m.Grams(st.docs.Text(st.docs.docs[d]), &cps, &py, &keys);
        for (uint64_t k : keys) st.delta[k].push_back(d);
        st.postings += keys.size();
        Impl::Link(&st, d);
      }
    }
    // Rebuild once the delta outgrows an eighth of the base (at least 4,096 names): its lists
    // are unranked and every query sorts what it finds there.
    if (st.docs.docs.size() - st.base_count < std::max<size_t>(4096, st.base_count / 8)) return;
  }
  // Only this (the one writer's) thread changes the state, so it can be read without the lock
  // while the new one is built; readers keep using the old one until the swap.
  auto t0 = std::chrono::steady_clock::now();
  const Impl::State& old = *m.state;
  DocTable live;
  for (uint32_t d = 0; d < old.docs.docs.size(); ++d) {
    if (old.dead[d]) continue;
    const Doc& doc = old.docs.docs[d];
    live.Add(doc.subject_id, old.docs.Text(doc), doc.length, old.docs.Code(doc), doc.former,
             doc.cancelled, static_cast<SubjectType>(doc.type));
  }
  auto next = m.BuildState(std::move(live));
  std::unique_lock lock(m.mu);
  m.state = std::move(next);
  m.build_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

Result<SearchResult> NameIndex::Search(std::string_view query, const SearchOptions& o) const {
  const Impl& m = *impl_;
  SearchResult result;
  result.normalized_query = m.normalizer->Normalize(query);
  const std::string& q = result.normalized_query;
  if (q.empty()) return Status::InvalidArgument("the query is empty");
  std::u32string qc;
  Normalizer::Decode(q, &qc);
  if (qc.size() > kMaxQueryChars) {
    return Status::InvalidArgument("the query is longer than " + std::to_string(kMaxQueryChars) +
                                   " characters");
  }
  const size_t keep = o.offset + o.limit;

  std::vector<Hit> codes;
  XY_RETURN_IF_ERROR(m.CodeHits(query, o, &codes));
  std::unordered_set<uint64_t> listed;
  for (const Hit& h : codes) listed.insert(h.subject_id);

  const bool pinyin = q.size() >= 2 && q.find_first_not_of("abcdefghijklmnopqrstuvwxyz") == std::string::npos;
  std::vector<Impl::Reading> readings;
  if (pinyin) {
    Impl::Reading cur;
    m.Readings(q, 0, &cur, &readings);
    // A single complete syllable reads too broadly to be a pinyin query; initials still apply.
    std::erase_if(readings, [](const Impl::Reading& r) {
      return r.syllables.size() + (r.partial.empty() ? 0 : 1) < 2;
    });
  }

  std::shared_lock lock(m.mu);
  const Impl::State& st = *m.state;
  Impl::Filter filter{o.type, &listed};
  Impl::Group names, names_delta, py, py_delta;
  m.NameGroup(st, q, qc, filter, keep, false, &names);
  m.NameGroup(st, q, qc, filter, SIZE_MAX, true, &names_delta);
  m.Merge(st, &names, &names_delta);
  if (pinyin) {
    m.PinyinGroup(st, q, readings, filter, keep, false, &py);
    m.PinyinGroup(st, q, readings, filter, SIZE_MAX, true, &py_delta);
    m.Merge(st, &py, &py_delta);
  }
  result.total = codes.size() + names.total + py.total;

  // The ranked stream: codes, then names by class, then pinyin by class; the page is a slice.
  // A class keeps its first offset + limit documents, so the slice always lies in what it kept.
  const size_t end = o.offset + o.limit;
  size_t pos = 0;
  for (Hit& h : codes) {
    if (pos >= o.offset && pos < end) result.hits.push_back(std::move(h));
    ++pos;
  }
  for (const Impl::Group* g : {&names, &py}) {
    for (size_t c = 0; c < 3; ++c) {
      for (size_t i = 0; i < g->cls[c].size() && pos + i < end; ++i) {
        if (pos + i < o.offset) continue;
        result.hits.push_back(
            m.MakeHit(st, g->cls[c][i], static_cast<MatchClass>(c), g->kind[c][i], qc.size()));
      }
      pos += g->count[c];
    }
  }
  lock.unlock();

  // Names, statuses and former names as the store has them now.
  for (Hit& h : result.hits) {
    if (h.match == MatchKind::kCode || h.match == MatchKind::kPersonalId) continue;
    XY_ASSIGN_OR_RETURN(auto s, m.store->GetSubject(h.subject_id));
    if (!s) continue;
    h.name = s->name;
    h.status = s->status;
    if (h.match == MatchKind::kFormerName) {
      // The first former name that matches, as stored.
      for (const auto& f : s->former_names) {
        if (m.normalizer->Normalize(f).find(q) != std::string::npos) {
          h.matched_name = f;
          break;
        }
      }
    }
  }
  return result;
}

IndexStats NameIndex::Stats() const {
  std::shared_lock lock(impl_->mu);
  const auto& st = *impl_->state;
  IndexStats s;
  s.subjects = st.live_subjects;
  s.documents = st.docs.docs.size();
  s.grams = st.base_keys.size() + st.delta.size();
  s.postings = st.postings;
  s.memory_bytes = st.docs.MemoryBytes() + st.base_keys.MemoryBytes() +
                   st.base_begin.capacity() * 4 + st.base_ids.capacity() * 4 + st.dead.capacity() +
                   st.current_doc.capacity() * 4 + st.former_docs.size() * 32;
  for (const auto& [k, v] : st.delta) s.memory_bytes += 48 + v.capacity() * 4;
  s.build_seconds = impl_->build_seconds;
  return s;
}

}  // namespace xinyong::search
