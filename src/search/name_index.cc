#include "search/name_index.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <mutex>
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
constexpr size_t kMinCodePrefix = 6;
constexpr size_t kMaxSegmentations = 8;
// Matches counted per scan once the page is full; beyond it `total` is a lower bound. Reading a
// list of a million "有限" to say "1,000,000" instead of "5,000+" would cost milliseconds a query.
constexpr uint64_t kCountCap = 5000;
constexpr size_t kCodeCountCap = 100;  // code prefixes counted beyond the page, for `total`
constexpr size_t kCodeFilteredScan = 10000;  // code prefixes read when a type filter applies
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
  kIniTri = 9,   // three adjacent pinyin initials
};
constexpr uint64_t Key(Tag tag, uint64_t gram) { return static_cast<uint64_t>(tag) << 56 | gram; }
constexpr uint64_t Pair21(char32_t a, char32_t b) {
  return static_cast<uint64_t>(a) << 21 | static_cast<uint64_t>(b);
}

// One indexed name: a subject's current name or one of its former names.
struct Doc {
  uint64_t subject_id = 0;
  uint32_t text = 0;      // DocTable::arena holds, from here: normalized name, name as
  uint16_t text_len = 0;  // registered, display code, registration status
  uint16_t name_len = 0;
  uint16_t length = 0;    // characters of the normalized name
  uint8_t code_len = 0;
  uint8_t status_len = 0;
  uint8_t former = 0;
  uint8_t cancelled = 0;
  uint8_t type = 0;
  uint8_t syl_len = 0;
  uint32_t syl = 0;  // pinyin syllable ids: offset into DocTable::syllables
};

// What a document is made from.
struct DocInput {
  uint64_t subject_id = 0;
  std::string_view text;  // normalized
  size_t length = 0;      // characters of text
  std::string_view name, code, status;
  bool former = false;
  SubjectType type = SubjectType::kLegalPerson;
  std::span<const uint16_t> syllables;
};

struct DocTable {
  std::vector<Doc> docs;
  std::string arena;
  std::vector<uint16_t> syllables;

  std::string_view Text(const Doc& d) const { return {arena.data() + d.text, d.text_len}; }
  std::string_view Name(const Doc& d) const {
    return {arena.data() + d.text + d.text_len, d.name_len};
  }
  std::string_view Code(const Doc& d) const {
    return {arena.data() + d.text + d.text_len + d.name_len, d.code_len};
  }
  std::string_view Status(const Doc& d) const {
    return {arena.data() + d.text + d.text_len + d.name_len + d.code_len, d.status_len};
  }
  std::span<const uint16_t> Syllables(const Doc& d) const {
    return {syllables.data() + d.syl, d.syl_len};
  }
  // A copy of document `d` of another table.
  uint32_t Copy(const DocTable& from, const Doc& d) {
    return Add({d.subject_id, from.Text(d), d.length, from.Name(d), from.Code(d), from.Status(d),
                d.former != 0, static_cast<SubjectType>(d.type), from.Syllables(d)});
  }
  uint32_t Add(const DocInput& in) {
    Doc d;
    d.subject_id = in.subject_id;
    d.text = static_cast<uint32_t>(arena.size());
    d.text_len = static_cast<uint16_t>(std::min<size_t>(in.text.size(), UINT16_MAX));
    d.name_len = static_cast<uint16_t>(std::min<size_t>(in.name.size(), UINT16_MAX));
    d.code_len = static_cast<uint8_t>(std::min<size_t>(in.code.size(), UINT8_MAX));
    d.status_len = static_cast<uint8_t>(std::min<size_t>(in.status.size(), UINT8_MAX));
    arena.append(in.text.substr(0, d.text_len));
    arena.append(in.name.substr(0, d.name_len));
    arena.append(in.code.substr(0, d.code_len));
    arena.append(in.status.substr(0, d.status_len));
    d.length = static_cast<uint16_t>(std::min<size_t>(in.length, UINT16_MAX));
    d.former = in.former;
    d.cancelled = RegistrationEnded(in.status);
    d.type = static_cast<uint8_t>(in.type);
    d.syl = static_cast<uint32_t>(syllables.size());
    d.syl_len = static_cast<uint8_t>(std::min<size_t>(in.syllables.size(), UINT8_MAX));
    syllables.insert(syllables.end(), in.syllables.begin(), in.syllables.begin() + d.syl_len);
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
  size_t MemoryBytes() const {
    return docs.capacity() * sizeof(Doc) + arena.capacity() + syllables.capacity() * 2;
  }
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


}  // namespace

struct NameIndex::Impl {
  const storage::Store* store = nullptr;
  const PersonalDataVault* vault = nullptr;
  const Normalizer* normalizer = nullptr;
  std::unordered_set<std::string> syllable_prefixes;  // every proper prefix of a syllable
  std::vector<char> initial;                          // by syllable id: its first letter

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

  // The initials of a syllable sequence.
  void Initials(std::span<const uint16_t> syl, std::string* out) const {
    out->clear();
    for (uint16_t x : syl) out->push_back(initial[x]);
  }

  // The posting keys of a document, sorted and unique.
  void Grams(const DocTable& t, const Doc& d, std::u32string* cps, std::string* ini,
             std::vector<uint64_t>* keys) const {
    keys->clear();
    Normalizer::Decode(t.Text(d), cps);
    const std::u32string& c = *cps;
    for (size_t i = 0; i < c.size(); ++i) {
      keys->push_back(Key(kUni, c[i]));
      if (i + 1 < c.size()) keys->push_back(Key(kBi, Pair21(c[i], c[i + 1])));
    }
    if (!c.empty()) keys->push_back(Key(kHeadUni, c[0]));
    if (c.size() >= 2) keys->push_back(Key(kHeadBi, Pair21(c[0], c[1])));
    std::span<const uint16_t> s = t.Syllables(d);
    Initials(s, ini);
    auto ini_pair = [&](size_t j) {
      return static_cast<uint64_t>(static_cast<uint8_t>((*ini)[j])) << 8 |
             static_cast<uint8_t>((*ini)[j + 1]);
    };
    for (size_t j = 0; j + 1 < s.size(); ++j) {
      keys->push_back(Key(kIniBi, ini_pair(j)));
      if (j + 2 < s.size()) {
        keys->push_back(Key(kIniTri, ini_pair(j) << 8 | static_cast<uint8_t>((*ini)[j + 2])));
      }
      keys->push_back(Key(kSylBi, static_cast<uint64_t>(s[j]) << 16 | s[j + 1]));
    }
    if (s.size() >= 2) {
      keys->push_back(Key(kIniHead, ini_pair(0)));
      keys->push_back(Key(kSylHead, static_cast<uint64_t>(s[0]) << 16 | s[1]));
    }
    std::sort(keys->begin(), keys->end());
    keys->erase(std::unique(keys->begin(), keys->end()), keys->end());
  }

  // Adds a subject's names (not natural persons') to `docs`.
  void AddDocs(const Subject& s, DocTable* docs, std::vector<uint32_t>* added) const {
    if (s.type == SubjectType::kNaturalPerson) return;
    const std::string code = s.DisplayCode();
    std::u32string cps;
    std::vector<uint16_t> syl;
    auto add = [&](std::string_view name, bool former) {
      std::string text = normalizer->Normalize(name);
      if (text.empty() || text.size() > UINT16_MAX) return;
      Normalizer::Decode(text, &cps);
      normalizer->Syllables(cps, &syl);
      added->push_back(docs->Add({s.id, text, cps.size(), name, code, s.status, former, s.type, syl}));
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
    out.syllables.reserve(docs.syllables.size());
    for (uint32_t i : order) out.Copy(docs, docs.docs[i]);
    docs = DocTable();
    st->base_count = static_cast<uint32_t>(out.docs.size());

    // Pass 1: each document's keys as slots, and how many documents each slot has.
    std::vector<uint32_t> doc_slots;
    std::vector<uint32_t> doc_begin(out.docs.size() + 1, 0);
    std::vector<uint32_t> counts;
    std::u32string cps;
    std::string ini;
    std::vector<uint64_t> keys;
    for (uint32_t d = 0; d < out.docs.size(); ++d) {
      Grams(out, out.docs[d], &cps, &ini, &keys);
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

  // A lazy ascending stream of document ids; Next() returns kNoDoc at the end.
  class Stream {
   public:
    virtual ~Stream() = default;
    virtual uint32_t Next() = 0;
  };

  // The documents in every one of some posting lists.
  class IntersectStream final : public Stream {
   public:
    explicit IntersectStream(std::vector<Span> lists) : lists_(std::move(lists)) {
      std::sort(lists_.begin(), lists_.end(), [](Span a, Span b) { return a.size() < b.size(); });
      pos_.assign(lists_.size(), 0);
    }
    uint32_t Next() override {
      if (lists_.empty()) return kNoDoc;
      while (i_ < lists_[0].size()) {
        uint32_t d = lists_[0][i_++];
        bool all = true;
        for (size_t k = 1; k < lists_.size() && all; ++k) {
          Span l = lists_[k];
          size_t& p = pos_[k];
          size_t step = 1;  // gallop, then binary search
          while (p + step < l.size() && l[p + step] < d) step *= 2;
          size_t hi = std::min(p + step + 1, l.size());
          p = static_cast<size_t>(std::lower_bound(l.begin() + static_cast<std::ptrdiff_t>(p),
                                                   l.begin() + static_cast<std::ptrdiff_t>(hi), d) -
                                  l.begin());
          if (p >= l.size()) {
            i_ = lists_[0].size();
            return kNoDoc;
          }
          all = l[p] == d;
        }
        if (all) return d;
      }
      return kNoDoc;
    }

   private:
    std::vector<Span> lists_;
    std::vector<size_t> pos_;
    size_t i_ = 0;
  };

  // The documents in any of some streams, each once.
  class UnionStream final : public Stream {
   public:
    void Add(std::unique_ptr<Stream> s) {
      uint32_t d = s->Next();
      if (d == kNoDoc) return;
      heads_.emplace_back(d, children_.size());
      std::push_heap(heads_.begin(), heads_.end(), std::greater<>());
      children_.push_back(std::move(s));
    }
    uint32_t Next() override {
      while (!heads_.empty()) {
        std::pop_heap(heads_.begin(), heads_.end(), std::greater<>());
        auto [d, i] = heads_.back();
        heads_.pop_back();
        if (uint32_t n = children_[i]->Next(); n != kNoDoc) {
          heads_.emplace_back(n, i);
          std::push_heap(heads_.begin(), heads_.end(), std::greater<>());
        }
        if (d != last_) {
          last_ = d;
          return d;
        }
      }
      return kNoDoc;
    }
    bool empty() const { return heads_.empty(); }

   private:
    std::vector<std::unique_ptr<Stream>> children_;
    std::vector<std::pair<uint32_t, size_t>> heads_;  // min-heap of (next doc, child)
    uint32_t last_ = kNoDoc;
  };

  // Matching documents of one group, by class, ranked, each subject once.
  struct Group {
    std::vector<uint32_t> cls[3];    // the first documents of each class
    std::vector<MatchKind> kind[3];  // parallel to cls
    uint64_t count[3] = {0, 0, 0};   // documents of each class found
    bool complete = true;            // every candidate was examined: count is exact
    uint64_t total() const { return count[0] + count[1] + count[2]; }
  };

  struct Filter {
    std::optional<SubjectType> type;
    const std::unordered_set<uint64_t>* exclude;  // subjects already listed by an earlier group
    bool Pass(const Doc& d) const {
      if (type && d.type != static_cast<uint8_t>(*type)) return false;
      return exclude->empty() || !exclude->contains(d.subject_id);
    }
  };

  // How much of a stream a query reads: `keep` documents per class make the page; after that,
  // matches are only counted, up to `count_cap` (then the count is a lower bound).
  struct Budget {
    size_t keep;
    uint64_t count_cap;
  };

  // Whether a subject should be represented by document `d`: its current name when that matches,
  // else its first matching former name. `matches` tests a document.
  template <typename Matches>
  static bool Represents(const State& st, uint32_t d, Matches&& matches) {
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

  // Reads `stream`, classifying each live document with `classify` (→ optional class and kind;
  // nullopt = not a match of this pass) and `matches` (does the document match at all, for
  // choosing which of a subject's names represents it).
  //
  // The group's passes run in ranking order (pass A's classes before pass B's), so once the group
  // holds `keep` documents the page is settled; after that a pass only counts, until the group's
  // count reaches the cap. A pass after one that stopped early is skipped.
  template <typename Classify, typename Matches>
  static void Scan(const State& st, Stream& stream, Classify&& classify, Matches&& matches,
                   const Filter& f, const Budget& b, Group* g) {
    if (!g->complete) return;
    auto settled = [&] { return g->total() >= b.keep && g->total() >= b.count_cap; };
    if (settled()) {
      g->complete = stream.Next() == kNoDoc;  // nothing read: complete only if it had nothing
      return;
    }
    for (uint32_t d = stream.Next(); d != kNoDoc; d = stream.Next()) {
      if (st.dead[d]) continue;
      const Doc& doc = st.docs.docs[d];
      if (!f.Pass(doc)) continue;
      std::optional<std::pair<MatchClass, MatchKind>> m = classify(d);
      if (!m) continue;
      if (doc.former && !Represents(st, d, matches)) continue;
      auto i = static_cast<size_t>(m->first);
      ++g->count[i];
      if (g->cls[i].size() < b.keep) {
        g->cls[i].push_back(d);
        g->kind[i].push_back(m->second);
      }
      if (settled()) {
        g->complete = false;
        return;
      }
    }
  }

  static std::unique_ptr<Stream> Lists(std::vector<Span> lists) {
    return std::make_unique<IntersectStream>(std::move(lists));
  }

  // The name group: documents whose normalized text contains the query. Pass A reads the
  // documents starting with it (exact and prefix classes), pass B the others.
  void NameGroup(const State& st, std::string_view q, const std::u32string& qc, const Filter& f,
                 const Budget& b, bool delta, Group* g) const {
    auto list = [&](uint64_t key) { return delta ? st.Delta(key) : st.Base(key); };
    auto contains = [&](uint32_t d) {
      return st.docs.Text(st.docs.docs[d]).find(q) != std::string_view::npos;
    };
    auto kind = [&](uint32_t d) {
      return st.docs.docs[d].former ? MatchKind::kFormerName : MatchKind::kName;
    };
    using M = std::optional<std::pair<MatchClass, MatchKind>>;
    const size_t n = qc.size();
    auto start_class = [&](uint32_t d) {
      return st.docs.docs[d].length == n ? MatchClass::kExact : MatchClass::kPrefix;
    };
    if (n <= 2) {
      // One posting list holds exactly the matches, the head list exactly those starting with q.
      Span head = list(n == 1 ? Key(kHeadUni, qc[0]) : Key(kHeadBi, Pair21(qc[0], qc[1])));
      Span all = list(n == 1 ? Key(kUni, qc[0]) : Key(kBi, Pair21(qc[0], qc[1])));
      auto a = Lists({head});
      Scan(st, *a, [&](uint32_t d) -> M { return {{start_class(d), kind(d)}}; }, contains, f, b, g);
      size_t h = 0;
      auto rest = Lists({all});
      Scan(st, *rest, [&](uint32_t d) -> M {
        while (h < head.size() && head[h] < d) ++h;
        if (h < head.size() && head[h] == d) return std::nullopt;
        return {{MatchClass::kContains, kind(d)}};
      }, contains, f, b, g);
      return;
    }
    std::vector<Span> pairs, head_lists{list(Key(kHeadBi, Pair21(qc[0], qc[1])))};
    std::vector<uint64_t> seen;
    for (size_t i = 0; i + 1 < n; ++i) {
      uint64_t k = Key(kBi, Pair21(qc[i], qc[i + 1]));
      if (std::find(seen.begin(), seen.end(), k) != seen.end()) continue;
      seen.push_back(k);
      pairs.push_back(list(k));
      if (i > 0) head_lists.push_back(pairs.back());
    }
    auto a = Lists(head_lists);
    Scan(st, *a, [&](uint32_t d) -> M {
      if (!st.docs.Text(st.docs.docs[d]).starts_with(q)) return std::nullopt;
      return {{start_class(d), kind(d)}};
    }, contains, f, b, g);
    auto rest = Lists(pairs);
    Scan(st, *rest, [&](uint32_t d) -> M {
      size_t at = st.docs.Text(st.docs.docs[d]).find(q);
      if (at == std::string_view::npos || at == 0) return std::nullopt;
      return {{MatchClass::kContains, kind(d)}};
    }, contains, f, b, g);
  }

  // One reading of a pinyin query: complete syllables, then possibly the start of one more.
  struct Reading {
    std::vector<uint16_t> syllables;
    std::string partial;
  };

  // The syllable a piece of a query is, or kNoSyllable. Single letters are syllables only where
  // pinyin has them (a, e, o).
  uint16_t PieceSyllable(std::string_view piece) const {
    if (piece.size() == 1 && piece != "a" && piece != "e" && piece != "o") {
      return Normalizer::kNoSyllable;
    }
    return normalizer->SyllableId(piece);
  }

  // Every reading of q (at most kMaxSegmentations). `can_end[pos]` says whether q[pos..] can be
  // read to its end at all, so the search never enters a dead branch: without it a query such as
  // "aoaoao…v" has 2^n splits that all fail at the last letter.
  void AllReadings(std::string_view q, std::vector<Reading>* out) const {
    std::vector<char> can_end(q.size() + 1, 0);
    can_end[q.size()] = 1;
    for (size_t pos = q.size(); pos-- > 0;) {
      std::string_view rest = q.substr(pos);
      if (syllable_prefixes.contains(std::string(rest))) can_end[pos] = 1;
      for (size_t len = 1; len <= std::min(rest.size(), normalizer->max_syllable_length()) && !can_end[pos]; ++len) {
        if (can_end[pos + len] && PieceSyllable(rest.substr(0, len)) != Normalizer::kNoSyllable) {
          can_end[pos] = 1;
        }
      }
    }
    Reading cur;
    if (can_end[0]) Readings(q, 0, can_end, &cur, out);
  }

  void Readings(std::string_view q, size_t pos, const std::vector<char>& can_end, Reading* cur,
                std::vector<Reading>* out) const {
    if (out->size() >= kMaxSegmentations) return;
    if (pos == q.size()) {
      out->push_back(*cur);
      return;
    }
    std::string_view rest = q.substr(pos);
    for (size_t len = std::min(rest.size(), normalizer->max_syllable_length()); len >= 1; --len) {
      if (!can_end[pos + len]) continue;
      uint16_t id = PieceSyllable(rest.substr(0, len));
      if (id == Normalizer::kNoSyllable) continue;
      cur->syllables.push_back(id);
      Readings(q, pos + len, can_end, cur, out);
      cur->syllables.pop_back();
    }
    if (!cur->syllables.empty() && syllable_prefixes.contains(std::string(rest))) {
      cur->partial = std::string(rest);
      out->push_back(*cur);
      cur->partial.clear();
    }
  }

  // The class of a full-pinyin match of `r` in `py`, or nullopt.
  std::optional<MatchClass> MatchReading(const Reading& r, std::span<const uint16_t> s) const {
    const size_t k = r.syllables.size();
    const size_t need = k + (r.partial.empty() ? 0 : 1);
    if (s.size() < need) return std::nullopt;
    for (size_t i = 0; i + need <= s.size(); ++i) {
      if (k > 0 && s[i] != r.syllables[0]) continue;
      bool same = true;
      for (size_t j = 1; j < k && same; ++j) same = s[i + j] == r.syllables[j];
      if (!same) continue;
      if (!r.partial.empty() && !normalizer->SyllableText(s[i + k]).starts_with(r.partial)) continue;
      if (i > 0) return MatchClass::kContains;
      return need == s.size() ? MatchClass::kExact : MatchClass::kPrefix;
    }
    return std::nullopt;
  }

  // The pinyin group: documents whose initials contain q, or whose syllables read as q. Each
  // source (initials; every reading) gives a stream of candidates starting with q (pass A) and of
  // all candidates (pass B); a document's class is the best over all sources.
  void PinyinGroup(const State& st, std::string_view q, const std::vector<Reading>& readings,
                   const Filter& f, const Budget& b, bool delta, Group* g) const {
    auto list = [&](uint64_t key) { return delta ? st.Delta(key) : st.Base(key); };
    auto ini_key = [](Tag t, char a, char c) {
      return Key(t, static_cast<uint64_t>(static_cast<uint8_t>(a)) << 8 | static_cast<uint8_t>(c));
    };
    auto syl_key = [](Tag t, uint16_t a, uint16_t c) {
      return Key(t, static_cast<uint64_t>(a) << 16 | c);
    };
    UnionStream heads, alls;
    {
      // Two letters: their pair list is exact. Longer: triples are far more selective.
      std::vector<Span> pairs, head_lists{list(ini_key(kIniHead, q[0], q[1]))};
      std::vector<uint64_t> seen;
      const size_t width = q.size() == 2 ? 2 : 3;
      for (size_t i = 0; i + width <= q.size(); ++i) {
        uint64_t k = width == 2 ? ini_key(kIniBi, q[i], q[i + 1])
                                : Key(kIniTri, static_cast<uint64_t>(static_cast<uint8_t>(q[i])) << 16 |
                                                   static_cast<uint64_t>(static_cast<uint8_t>(q[i + 1])) << 8 |
                                                   static_cast<uint8_t>(q[i + 2]));
        if (std::find(seen.begin(), seen.end(), k) != seen.end()) continue;
        seen.push_back(k);
        pairs.push_back(list(k));
        head_lists.push_back(pairs.back());
      }
      heads.Add(Lists(head_lists));
      alls.Add(Lists(pairs));
    }
    for (const Reading& r : readings) {
      const auto& sy = r.syllables;
      if (sy.size() >= 2) {
        std::vector<Span> pairs, head_lists{list(syl_key(kSylHead, sy[0], sy[1]))};
        for (size_t i = 0; i + 1 < sy.size(); ++i) {
          pairs.push_back(list(syl_key(kSylBi, sy[i], sy[i + 1])));
          if (i > 0) head_lists.push_back(pairs.back());
        }
        if (!r.partial.empty()) {  // the syllable being typed: at least its initial follows
          pairs.push_back(list(ini_key(kIniBi, initial[sy.back()], r.partial[0])));
          head_lists.push_back(pairs.back());
        }
        heads.Add(Lists(head_lists));
        alls.Add(Lists(pairs));
        continue;
      }
      // One complete syllable and a partial one: every syllable the partial can start.
      for (uint16_t s = 1; s < normalizer->syllable_count(); ++s) {
        if (!normalizer->SyllableText(s).starts_with(r.partial)) continue;
        heads.Add(Lists({list(syl_key(kSylHead, sy[0], s))}));
        alls.Add(Lists({list(syl_key(kSylBi, sy[0], s))}));
      }
    }

    std::string ini;
    // The best pinyin match of a document, as (class, kind).
    auto best = [&](uint32_t d) -> std::optional<std::pair<MatchClass, MatchKind>> {
      std::span<const uint16_t> syl = st.docs.Syllables(st.docs.docs[d]);
      std::optional<std::pair<MatchClass, MatchKind>> m;
      for (const Reading& r : readings) {
        if (auto c = MatchReading(r, syl); c && (!m || *c < m->first)) m = {{*c, MatchKind::kPinyin}};
      }
      Initials(syl, &ini);
      if (size_t at = ini.find(q); at != std::string::npos) {
        MatchClass c = at > 0 ? MatchClass::kContains
                              : (q.size() == ini.size() ? MatchClass::kExact : MatchClass::kPrefix);
        if (!m || c < m->first) m = {{c, MatchKind::kPinyinInitials}};
      }
      return m;
    };
    // A subject whose name itself contains q is listed by the name group.
    auto named = [&](uint64_t subject) {
      auto has = [&](uint32_t d) {
        return st.docs.Text(st.docs.docs[d]).find(q) != std::string_view::npos;
      };
      if (subject < st.current_doc.size() && st.current_doc[subject] != kNoDoc &&
          has(st.current_doc[subject])) {
        return true;
      }
      auto [lo, hi] = st.former_docs.equal_range(subject);
      for (auto it = lo; it != hi; ++it) {
        if (has(it->second)) return true;
      }
      return false;
    };
    auto matches = [&](uint32_t d) { return best(d).has_value(); };
    auto pass = [&](bool starts) {
      return [&, starts](uint32_t d) -> std::optional<std::pair<MatchClass, MatchKind>> {
        auto m = best(d);
        if (!m || (m->first == MatchClass::kContains) == starts) return std::nullopt;
        if (named(st.docs.docs[d].subject_id)) return std::nullopt;
        return m;
      };
    };
    // Unlike names, where the exact matches are the shortest documents and come first, a pinyin
    // exact match can follow prefix matches of its length (a name with a character that has no
    // syllable). Pass A stops like every pass once the page is settled and 5,000 matches are
    // counted; such a late exact match then lists among the prefix ones. Reading the pass whole
    // instead costs ~100 ms on initials as common as "zz" (measured), for a rare misorder.
    Scan(st, heads, pass(true), matches, f, b, g);
    Scan(st, alls, pass(false), matches, f, b, g);
  }

  // Merges a group's base and delta results: each class's delta documents sorted into place.
  // Only the first `keep` of each class are needed: the delta's are put in order partially.
  void Merge(const State& st, Group* base, Group* delta, size_t keep) const {
    for (size_t c = 0; c < 3; ++c) {
      base->count[c] += delta->count[c];
      if (delta->cls[c].empty()) continue;
      std::vector<std::pair<uint32_t, MatchKind>> all;
      for (size_t i = 0; i < base->cls[c].size(); ++i) all.emplace_back(base->cls[c][i], base->kind[c][i]);
      for (size_t i = 0; i < delta->cls[c].size(); ++i) all.emplace_back(delta->cls[c][i], delta->kind[c][i]);
      auto before = [&](const auto& a, const auto& b) {
        return st.docs.RanksBefore(st.docs.docs[a.first], st.docs.docs[b.first]);
      };
      // Ties are left only between two former names of one subject, which list once anyway.
      if (all.size() > keep) {
        std::partial_sort(all.begin(), all.begin() + static_cast<std::ptrdiff_t>(keep), all.end(), before);
        all.resize(keep);
      } else {
        std::sort(all.begin(), all.end(), before);
      }
      base->cls[c].clear();
      base->kind[c].clear();
      for (auto& [d, k] : all) {
        base->cls[c].push_back(d);
        base->kind[c].push_back(k);
      }
    }
    base->complete = base->complete && delta->complete;
  }

  // A subject found by a code.
  struct CodeHit {
    uint64_t subject_id;
    MatchKind kind;
    MatchClass cls;
  };

  // Subjects whose code is the query (exact) or starts with it (6+ characters), in that order and
  // then by code; natural persons only by ID number or P-code, and only for authorized viewers.
  // Prefixes are listed up to `keep` and counted up to kCodeCountCap.
  Status CodeHits(std::string_view query, const SearchOptions& o, size_t keep,
                  std::vector<CodeHit>* out, bool* complete) const {
    std::string code = ident::NormalizeCodeInput(query);
    if (code.size() < 2 || code.size() > 21 ||
        code.find_first_not_of("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ") != std::string::npos) {
      return Status::Ok();
    }
    std::unordered_set<uint64_t> seen;
    auto add = [&](uint64_t id, MatchKind kind, MatchClass cls) {
      if (seen.insert(id).second) out->push_back({id, kind, cls});
    };
    constexpr IdentifierKind kPublicKinds[] = {
        IdentifierKind::kUscc,      IdentifierKind::kOrgCode,  IdentifierKind::kRegNumber,
        IdentifierKind::kTaxNumber, IdentifierKind::kInstCert, IdentifierKind::kSocialOrgCert};
    for (IdentifierKind kind : kPublicKinds) {
      XY_ASSIGN_OR_RETURN(auto id, store->FindSubject(kind, code));
      if (id) add(*id, MatchKind::kCode, MatchClass::kExact);
    }
    if (o.viewer.may_lookup_personal_ids) {
      if (code.size() == 21 && code[0] == 'P') {
        XY_ASSIGN_OR_RETURN(auto id, store->FindSubject(IdentifierKind::kPersonCode, code.substr(1)));
        if (id) add(*id, MatchKind::kCode, MatchClass::kExact);
      }
      if (vault != nullptr) {
        if (auto rid = ident::ParseResidentId(code, Date::Today()); rid.ok()) {
          auto hash = vault->LookupHash(rid->id18);
          XY_ASSIGN_OR_RETURN(
              auto id, store->FindSubject(IdentifierKind::kResidentIdHash,
                                          std::string_view(reinterpret_cast<const char*>(hash.data()),
                                                           hash.size())));
          if (id) add(*id, MatchKind::kPersonalId, MatchClass::kExact);
        }
      }
    }
    // A whole code that was found is not the start of another one worth listing.
    if (code.size() < kMinCodePrefix || (!out->empty() && code.size() >= 15)) return Status::Ok();
    // A type filter applies after the scan (the type is in the index, not in the codes): read
    // further then, so that filtered-out codes do not hide the ones asked for.
    const size_t limit = std::max<size_t>(keep, o.type ? kCodeFilteredScan : kCodeCountCap) + 1;
    std::vector<std::pair<std::string, uint64_t>> prefixed;
    XY_RETURN_IF_ERROR(store->FindCodesByPrefix(kPublicKinds, code, limit, &prefixed));
    if (prefixed.size() >= limit) {
      prefixed.pop_back();
      *complete = false;
    }
    for (const auto& [value, id] : prefixed) {
      if (value != code) add(id, MatchKind::kCode, MatchClass::kPrefix);
    }
    return Status::Ok();
  }

  // The live current-name document of the subject of document `d` (itself when it is one).
  static const Doc& CurrentDoc(const State& st, uint32_t d) {
    const Doc& doc = st.docs.docs[d];
    if (!doc.former) return doc;
    uint32_t cur = doc.subject_id < st.current_doc.size() ? st.current_doc[doc.subject_id] : kNoDoc;
    return cur == kNoDoc ? doc : st.docs.docs[cur];
  }

  // A hit for document `d`, shown with the subject's current name.
  Hit MakeHit(const State& st, uint32_t d, MatchClass c, MatchKind k, size_t query_chars) const {
    const Doc& doc = st.docs.docs[d];
    const Doc& cur = CurrentDoc(st, d);
    Hit h;
    h.subject_id = doc.subject_id;
    h.code = std::string(st.docs.Code(cur));
    h.name = std::string(st.docs.Name(cur));
    h.status = std::string(st.docs.Status(cur));
    if (doc.former) h.matched_name = std::string(st.docs.Name(doc));
    h.type = static_cast<SubjectType>(doc.type);
    h.match = k;
    h.match_class = c;
    double extra = doc.length > query_chars ? static_cast<double>(doc.length - query_chars) : 0;
    double score = c == MatchClass::kExact ? 1.0
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
  XY_ASSIGN_OR_RETURN(impl->normalizer, Normalizer::Shared());
  impl->initial.assign(impl->normalizer->syllable_count(), '\0');
  for (size_t i = 1; i < impl->normalizer->syllable_count(); ++i) {
    std::string_view s = impl->normalizer->SyllableText(static_cast<uint16_t>(i));
    impl->initial[i] = s[0];
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
    std::string ini;
    std::vector<uint64_t> keys;
    for (const Subject& s : subjects) {
      Impl::Unlink(&st, s.id);
      added.clear();
      m.AddDocs(s, &st.docs, &added);
      st.dead.resize(st.docs.docs.size(), 0);
      for (uint32_t d : added) {
        m.Grams(st.docs, st.docs.docs[d], &cps, &ini, &keys);
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
    live.Copy(old.docs, old.docs.docs[d]);
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
  if (o.limit > kMaxResultDepth || o.offset > kMaxResultDepth - o.limit) {
    return Status::InvalidArgument("only the first " + std::to_string(kMaxResultDepth) +
                                   " results can be paged through; narrow the query");
  }
  const Impl::Budget budget{o.offset + o.limit, kCountCap};
  const Impl::Budget whole{SIZE_MAX, UINT64_MAX};  // the delta: small, always read whole

  bool codes_complete = true;
  std::vector<Impl::CodeHit> codes;
  XY_RETURN_IF_ERROR(m.CodeHits(query, o, budget.keep, &codes, &codes_complete));
  std::unordered_set<uint64_t> listed;
  for (const auto& h : codes) listed.insert(h.subject_id);

  const bool pinyin = q.size() >= 2 && q.find_first_not_of("abcdefghijklmnopqrstuvwxyz") == std::string::npos;
  std::vector<Impl::Reading> readings;
  if (pinyin) {
    m.AllReadings(q, &readings);
    // A single complete syllable reads too broadly to be a pinyin query; initials still apply.
    std::erase_if(readings, [](const Impl::Reading& r) {
      return r.syllables.size() + (r.partial.empty() ? 0 : 1) < 2;
    });
  }

  // Code hits of subjects without a name in the index (natural persons, for authorized viewers):
  // shown from the store after the lock is released.
  std::vector<std::pair<size_t, Impl::CodeHit>> from_store;
  {
    std::shared_lock lock(m.mu);
    const Impl::State& st = *m.state;
    // Code hits take type and display from the index; a type filter applies to them too.
    std::vector<Impl::CodeHit> shown;
    for (const auto& h : codes) {
      uint32_t d = h.subject_id < st.current_doc.size() ? st.current_doc[h.subject_id] : kNoDoc;
      if (d != kNoDoc && o.type && st.docs.docs[d].type != static_cast<uint8_t>(*o.type)) continue;
      if (d == kNoDoc && o.type) continue;
      shown.push_back(h);
    }
    Impl::Filter filter{o.type, &listed};
    Impl::Group names, names_delta, py, py_delta;
    m.NameGroup(st, q, qc, filter, budget, false, &names);
    m.NameGroup(st, q, qc, filter, whole, true, &names_delta);
    m.Merge(st, &names, &names_delta, budget.keep);
    if (pinyin) {
      m.PinyinGroup(st, q, readings, filter, budget, false, &py);
      m.PinyinGroup(st, q, readings, filter, whole, true, &py_delta);
      m.Merge(st, &py, &py_delta, budget.keep);
    }
    result.total = shown.size() + names.total() + py.total();
    result.total_exact = codes_complete && names.complete && py.complete;

    // The ranked stream: codes, then names by class, then pinyin by class; the page is a slice.
    // A class keeps its first offset + limit documents, so the slice lies in what it kept.
    const size_t end = o.offset + o.limit;
    size_t pos = 0;
    for (const auto& h : shown) {
      if (pos >= o.offset && pos < end) {
        uint32_t d = h.subject_id < st.current_doc.size() ? st.current_doc[h.subject_id] : kNoDoc;
        if (d == kNoDoc) {
          from_store.emplace_back(result.hits.size(), h);
          result.hits.emplace_back();
        } else {
          Hit hit = m.MakeHit(st, d, h.cls, h.kind, qc.size());
          hit.score = h.cls == MatchClass::kExact ? 1.0 : 0.95;
          result.hits.push_back(std::move(hit));
        }
      }
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
  }
  std::vector<size_t> vanished;
  for (auto& [i, h] : from_store) {
    XY_ASSIGN_OR_RETURN(auto s, m.store->GetSubject(h.subject_id));
    if (!s) {
      vanished.push_back(i);
      continue;
    }
    Hit& hit = result.hits[i];
    hit.subject_id = h.subject_id;
    hit.match = h.kind;
    hit.match_class = h.cls;
    hit.score = 1.0;
    hit.code = s->DisplayCode();
    hit.name = s->name;
    hit.type = s->type;
    hit.status = s->status;
  }
  // A subject that vanished between the lookup and now is not shown (stores never delete
  // subjects today; retention may).
  for (auto it = vanished.rbegin(); it != vanished.rend(); ++it) {
    result.hits.erase(result.hits.begin() + static_cast<std::ptrdiff_t>(*it));
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
