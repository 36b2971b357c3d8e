#include "ingest/derivation.h"

#include <algorithm>
#include <memory>
#include <string>

#include "ingest/field_validation.h"

namespace xinyong::ingest {

Deriver::Deriver(const catalog::Indicator& source, const catalog::Indicator& derived,
                 Date received_date, const WorkCalendar& calendar, const PersonalDataVault& vault)
    : derived_(derived), validator_(derived, received_date, calendar, vault) {
  when_ = source.FieldIndex(derived.derived_from->when_field);
  for (const catalog::Field& f : derived.fields) {
    from_.push_back(f.from.empty() ? -1 : source.FieldIndex(f.from));
  }
  cells_.resize(derived.fields.size());
}

void Deriver::Derive(const std::vector<std::string_view>& cells, PreparedRow* row) {
  if (row->rejected || when_ < 0) return;
  const std::string_view when = TrimCell(cells[static_cast<size_t>(when_)]);
  const auto& values = derived_.derived_from->when_values;
  if (std::find(values.begin(), values.end(), when) == values.end()) return;
  for (size_t i = 0; i < from_.size(); ++i) {
    cells_[i] = from_[i] < 0 ? std::string_view() : cells[static_cast<size_t>(from_[i])];
  }
  row->derived = std::make_unique<PreparedRow>();
  validator_.Prepare(row->row, cells_, row->derived.get());
  if (!row->derived->rejected) return;
  // Name the field the department wrote, not the derived one.
  RowIssue issue = std::move(row->derived->issue);
  std::string field = issue.field;
  for (const catalog::Field& f : derived_.fields) {
    if (f.code == issue.field && !f.from.empty()) field = f.from;
  }
  row->derived.reset();
  row->rejected = true;
  row->issue = {issue.row, field, issue.code,
                "the row says " + std::string(when) + ", so it becomes a record of " +
                    derived_.name + " (" + derived_.code + "), which cannot be made: " +
                    issue.message};
}

}  // namespace xinyong::ingest
