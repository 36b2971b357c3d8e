// IndicatorGenerator: writes the rows of one catalog indicator. Every field gets a value from
// its type and role, made realistic where the field code or label says what it means (a 处罚依据
// cites the article that fits the violation, a 许可编号 looks like that kind of licence number).
// Indicators the tables do not know still get plausible values from their field types.
//
// Row i is a pure function of (seed, indicator, i) and the document serial it was given, so a
// row can be written again later: exactly (a duplicate) or with one changed value (a
// correction). A share of rows is made bad on purpose (BadKind), and a share of 双公示 rows is
// reported late; the tally counts both.
// Thread-safety: one instance per thread; City and Indicator are shared read-only.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "catalog/indicator.h"
#include "core/status.h"
#include "gen/city.h"
#include "gen/rng.h"

namespace xinyong::gen {

// What makes a row bad on purpose; each kind makes the ingester reject (or drop) the row.
enum class BadKind : uint8_t {
  kNone = 0,
  kBadUscc = 1,          // wrong USCC check character
  kMissingRequired = 2,  // a required field left empty
  kBadDate = 3,          // an unparseable decision date
  kFutureDate = 4,       // a decision date after the date of receipt
  kDuplicate = 5,        // an exact copy of an earlier row
  kSimpleProcedure = 6,  // a natural-person penalty under 简易程序 (Henan rule)
  kWrongColumns = 7,     // a row with a cell too many or too few (JSONL: a broken object)
  kCount = 8,
};
std::string_view BadKindName(BadKind k);  // "bad_uscc", "missing_required", ...

struct GenTally {
  uint64_t rows = 0;
  uint64_t bad = 0;
  uint64_t late = 0;         // 双公示 rows reported more than 7 working days after the decision
  uint64_t corrections = 0;  // same natural key, changed content
  std::array<uint64_t, static_cast<size_t>(BadKind::kCount)> by_kind{};
};

struct IndicatorOptions {
  std::string out_dir;
  bool gbk = false;
  uint64_t rows_per_file = 1000000;
  double bad_share = 0.02;
  double late_share = 0.03;
  double correction_share = 0.002;
};

class IndicatorGenerator {
 public:
  IndicatorGenerator(const City& city, const catalog::Indicator& indicator,
                     const IndicatorOptions& options);
  ~IndicatorGenerator();

  // Roughly how many rows per subject the indicator gets (for scheduling).
  static double ExpectedRowsPerSubject(const catalog::Indicator& indicator);

  // Writes the indicator's file(s). On failure (an unwritable file) the files may be partial.
  Status Run(std::vector<std::pair<std::string, uint64_t>>* files, GenTally* tally);

  // Implementation types, public so that the .cc file's helpers can name them.
  enum class Family : uint8_t;
  enum class Slot : uint8_t;
  struct Profile;
  struct Ctx;
  struct Entry {
    uint64_t base = 0;
    uint32_t subject = 0;
    uint32_t serial = 0;
    int32_t year = 0;
  };

 private:
  Status Step(uint64_t base, int64_t subject_hint, int32_t year);
  Status Emit(Entry* e, BadKind kind, bool correction);
  int64_t PickSubject(Rng& r, bool person, bool need_uscc) const;
  bool Eligible(uint32_t s) const;
  void Prepare(Ctx& c, Rng& r, Entry* e, BadKind kind);
  void Render(size_t field, Ctx& c, Rng& r, std::string* out);
  void AppendTemplate(std::string_view tpl, const Ctx& c, Rng& r, std::string* out) const;
  void AppendDocNo(const Ctx& c, std::string* out) const;
  void AppendCommitmentCode(const Ctx& c, std::string* out) const;
  uint32_t NextSerial(uint64_t key);
  int PickDept(Rng& r, const Ctx& c, bool licence) const;
  int ChooseDeptAndTheme(Ctx& c, Rng& r) const;
  size_t ThemeCount() const;
  Domain ThemeDomain(size_t t) const;
  uint8_t ThemeWho(size_t t) const;
  void Correct();
  void Conform(size_t field, size_t start, Rng& r, std::string* s) const;
  void Count(BadKind kind, bool late, bool correction);
  void Serialize(BadKind kind, Rng& r);

  const City& city_;
  const Population& pop_;
  const catalog::Indicator& ind_;
  IndicatorOptions opt_;
  const Profile* profile_;
  uint64_t seed_;
  Rng ctrl_;
  std::vector<Slot> slots_;
  std::vector<int> depts_;  // candidate deciding bodies (city level)
  std::vector<int> person_depts_;
  std::vector<std::vector<uint16_t>> themes_;  // per depts_ entry
  bool themed_ = false;
  std::vector<uint32_t> eligible_orgs_, eligible_persons_;  // who may have a row, in subject order
  std::vector<SubjectType> allowed_types_;
  uint32_t allowed_kinds_ = 0;  // bit per SubjectKind
  bool persons_allowed_ = false;
  bool has_uscc_slot_ = false, has_reg_slot_ = false, has_org_slot_ = false, has_tax_slot_ = false;
  bool has_id_slot_ = false, has_procedure_slot_ = false, has_date_slot_ = false;
  bool has_report_slot_ = false;
  bool uscc_required_ = false;
  int correct_field_ = -1, remark_field_ = -1;
  std::vector<int> required_;
  std::unordered_map<uint64_t, uint32_t> counters_;
  std::vector<Entry> ring_;
  size_t ring_next_ = 0;
  // The row being built, one string per field (kept to reuse their buffers).
  std::vector<std::string> cell_;
  int forced_empty_ = -1;  // the required field a bad row leaves empty (JSONL keeps its key)
  std::string line_;
  class RowSink* sink_ = nullptr;
  GenTally* tally_ = nullptr;
};

}  // namespace xinyong::gen
