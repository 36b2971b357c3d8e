// NameIndex: finds subjects by fragments of their names (current and former), by pinyin and by
// code, ranked, with complete paging.
//
// Names are normalized (NFKC, traditional → simplified, whitespace removed, ASCII lower-cased;
// see normalizer.h) and indexed in memory by CJK unigrams and bigrams, so every query of two or
// more characters is answered from posting lists, never by a scan. Pinyin initials and full
// pinyin (ICU Han→Latin, computed per character once) are indexed the same way. Codes are looked
// up in the store's identifier index (exact and prefix), which is the single source of truth.
//
// The index is derived state: Build() reads every subject from the store (under 10 s for a
// million names), and Apply() is called with the subjects of each batch right after the store
// committed it, so a search sees a batch exactly when its records are readable. Natural persons
// are never indexed by name: a person's name is personal data, not a public key. A resident ID
// number finds its person only for a viewer allowed to look up personal identifiers.
//
// Ranking: exact name, then names starting with the query, then names containing it; within each,
// shorter names first, active before cancelled (注销/吊销), then code. Base documents are numbered
// in that order, so posting lists are already ranked and a page is read from their front.
//
// Thread-safety: Search() from any number of threads concurrently; Apply() from one writer at a
// time (the ingestion pipeline). Readers never wait for a rebuild: the writer builds the new
// segment on the side and swaps it in.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "model/subject.h"

namespace xinyong {
class PersonalDataVault;
}
namespace xinyong::storage {
class Store;
}

namespace xinyong::search {

// Who is searching. The public never finds natural persons; roles that may see personal
// identifiers (issue 5's authorized roles) may look a person up by resident ID number.
struct Viewer {
  bool may_lookup_personal_ids = false;
};

enum class MatchKind : uint8_t {
  kCode = 1,            // a subject code, exactly or by prefix
  kName = 2,            // the current name
  kFormerName = 3,      // a former name; the hit shows the current one
  kPinyinInitials = 4,  // "ytkc" → 宇通客车
  kPinyin = 5,          // "yutongkeche" → 宇通客车
  kPersonalId = 6,      // a resident ID number, for authorized viewers
};
std::string_view MatchKindName(MatchKind k);  // "code", "name", "former_name", ...

enum class MatchClass : uint8_t { kExact = 0, kPrefix = 1, kContains = 2 };
std::string_view MatchClassName(MatchClass c);  // "exact", "prefix", "contains"

// The deepest hit a search reaches: offset + limit beyond it is refused (InvalidArgument), so
// that no query, however common its words, makes a search read whole posting lists.
inline constexpr size_t kMaxResultDepth = 5000;

struct SearchOptions {
  size_t offset = 0;   // hits to skip (page * limit); offset + limit <= kMaxResultDepth
  size_t limit = 20;   // hits to return
  std::optional<SubjectType> type;  // only subjects of this type
  Viewer viewer;
};

struct Hit {
  uint64_t subject_id = 0;
  std::string code;          // display code (USCC, legacy code, or P… for persons)
  std::string name;          // current name
  std::string matched_name;  // the former name that matched (kFormerName only)
  SubjectType type = SubjectType::kLegalPerson;
  std::string status;        // registration status when known
  MatchKind match = MatchKind::kName;
  MatchClass match_class = MatchClass::kContains;
  double score = 0;  // 1.0 exact … decreasing with class and length; for display only
};

struct SearchResult {
  std::string normalized_query;
  // Matching subjects, each counted once. Exact when total_exact; otherwise a lower bound (a
  // very common fragment stops being counted after a few thousand matches). The first
  // kMaxResultDepth matches can be paged to either way.
  uint64_t total = 0;
  bool total_exact = true;
  std::vector<Hit> hits;
};

struct IndexStats {
  uint64_t subjects = 0;   // subjects indexed (natural persons excluded)
  uint64_t documents = 0;  // names indexed (current + former)
  uint64_t grams = 0;      // distinct posting-list keys
  uint64_t postings = 0;   // posting entries
  uint64_t memory_bytes = 0;
  double build_seconds = 0;  // the last full build
};

class NameIndex {
 public:
  // Reads every subject of the store and builds the index. The store (and the vault, which turns
  // a resident ID number into its lookup hash; null = no lookups by ID number) must outlive it.
  static Result<std::unique_ptr<NameIndex>> Build(const storage::Store& store,
                                                  const PersonalDataVault* vault = nullptr);
  ~NameIndex();

  // Makes the given subjects (new or changed: renamed, status changed, new identifiers)
  // searchable; call right after the store committed them.
  void Apply(std::span<const Subject> subjects);

  // InvalidArgument for an empty or over-long query.
  Result<SearchResult> Search(std::string_view query, const SearchOptions& options) const;

  IndexStats Stats() const;

 private:
  struct Impl;
  explicit NameIndex(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace xinyong::search
