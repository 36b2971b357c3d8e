// Reading a record's fields by the role they play in its indicator (catalog::FieldRole), so that
// rules name meanings (the fulfilment status, the deadline) rather than one indicator's codes.
// Pure functions; thread-safe.
#pragma once

#include <optional>
#include <string_view>

#include "catalog/indicator.h"
#include "core/date.h"
#include "model/record.h"

namespace xinyong::rules {

// The value of the field with `role` in a record of `ind`; "" when there is none.
std::string_view ValueByRole(const Record& r, const catalog::Indicator& ind,
                             catalog::FieldRole role);
// That value as a date; nullopt when absent or not a date.
std::optional<Date> DateByRole(const Record& r, const catalog::Indicator& ind,
                               catalog::FieldRole role);

// The severity the record triggers of the measures list judge a record of `ind` by: serious when
// one of the indicator's serious_when rules matches the record's values (a 重大违法记录: 吊销、
// 责令停产停业, a fine of 200万元 or more), else the indicator's own. Needs the record's values.
catalog::Severity RecordSeverity(const Record& r, const catalog::Indicator& ind);
// Whether one such rule matches the value of its field ("" when the record has none).
bool SeriousWhenMatches(const catalog::SeriousWhen& rule, std::string_view value);

// Whether the public may see this record by its indicator's disclosure and, where the indicator
// has a publicity_type field (公开类型), by the record's own value of it — a value among the
// field's public_values publishes the record, any other value withholds it, none leaves the
// indicator's disclosure in charge. Needs the record's values. Says nothing of the record's
// status (callers check that it is in force).
bool DisclosedToPublic(const Record& r, const catalog::Indicator& ind);

}  // namespace xinyong::rules
