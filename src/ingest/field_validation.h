// Field validation: checks one cell against its catalog field and returns the normalized value
// (dates as YYYY-MM-DD, money as a plain decimal, codes upper-case without separators).
// Pure functions, thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "catalog/indicator.h"
#include "core/date.h"
#include "core/utf8.h"

namespace xinyong::ingest {

struct FieldProblem {
  std::string code;     // machine-readable: "missing_field", "invalid_date", "too_long", ...
  std::string message;  // one sentence naming the field; no personal ID in plaintext
};

// Trims ASCII and full-width spaces and the invisible characters spreadsheets leave behind.
std::string_view TrimCell(std::string_view s);


// Normalizes `cell` (already trimmed, non-empty) for `field`; on failure fills *problem and
// returns false. kIdNumber fields are not handled here (see the ingester: they are personal data).
bool NormalizeField(const catalog::Field& field, std::string_view cell, Date today,
                    std::string* out, FieldProblem* problem);

// A stable 64-bit hash (FNV-1a over 8-byte words, then mixed), used for content hashes that are
// persisted; std::hash is not stable across releases.
uint64_t Fnv1a64(std::string_view data, uint64_t seed = 0xcbf29ce484222325ULL);

}  // namespace xinyong::ingest
