// Deriver: makes the record of a derived indicator (catalog::Derivation) from a row of its source
// — a credit commitment found 部分履行 or 全部未履行 gives a 违背信用承诺 (commitment_breach) row —
// and validates it with the derived indicator's own RowValidator. It runs beside the source's
// RowValidator, on the validation thread, so it sees the row's cells as submitted (personal
// numbers included, which it hashes and seals like any other row). The ingester then stores the
// derived record in the same batch as its source: both or neither.
// Thread-compatible: one Deriver per thread; the referenced objects must outlive it.
#pragma once

#include <string_view>
#include <vector>

#include "catalog/indicator.h"
#include "ingest/row_validator.h"

namespace xinyong::ingest {

class Deriver {
 public:
  // `derived` must be derived from `source` (Catalog::DerivedFrom(source.code)).
  Deriver(const catalog::Indicator& source, const catalog::Indicator& derived, Date received_date,
          const WorkCalendar& calendar, const PersonalDataVault& vault);

  const catalog::Indicator& indicator() const { return derived_; }

  // For an accepted source row (`cells` aligned with the source's fields, `row` already prepared
  // from them): when the row meets the derivation's condition, prepares the derived row into
  // row->derived. A derived row that fails its own validation rejects the source row, naming the
  // source field that caused it: a breach must not be stored without its negative record.
  void Derive(const std::vector<std::string_view>& cells, PreparedRow* row);

 private:
  const catalog::Indicator& derived_;
  RowValidator validator_;
  int when_ = -1;             // source field index of the condition
  std::vector<int> from_;     // per derived field: source field index, -1 = left empty
  std::vector<std::string_view> cells_;  // scratch
};

}  // namespace xinyong::ingest
