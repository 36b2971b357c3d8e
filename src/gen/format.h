// Small allocation-free formatters the generator uses on every row: integers, zero-padded
// numbers, dates in the two spellings departments export, and amounts in 万元.
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <string>

#include "core/date.h"

namespace xinyong::gen {

inline void AppendUint(uint64_t v, std::string* out) {
  char buf[24];
  int n = 0;
  do {
    buf[n++] = static_cast<char>('0' + v % 10);
    v /= 10;
  } while (v != 0);
  while (n > 0) out->push_back(buf[--n]);
}

inline void AppendPadded(uint64_t v, int width, std::string* out) {
  char buf[24];
  for (int k = width - 1; k >= 0; --k) {
    buf[k] = static_cast<char>('0' + v % 10);
    v /= 10;
  }
  out->append(buf, static_cast<size_t>(width));
}

// `YYYY-MM-DD` (sep '-') or `YYYY/MM/DD` (sep '/').
inline void AppendDate(Date d, char sep, std::string* out) {
  int y;
  unsigned m, day;
  CivilFromDays(d.days(), &y, &m, &day);
  AppendPadded(static_cast<uint64_t>(y), 4, out);
  out->push_back(sep);
  AppendPadded(m, 2, out);
  out->push_back(sep);
  AppendPadded(day, 2, out);
}

// `YYYY年M月D日`, as dates are written inside Chinese text.
inline void AppendChineseDate(Date d, std::string* out) {
  int y;
  unsigned m, day;
  CivilFromDays(d.days(), &y, &m, &day);
  AppendUint(static_cast<uint64_t>(y), out);
  *out += "年";
  AppendUint(m, out);
  *out += "月";
  AppendUint(day, out);
  *out += "日";
}

// An amount given in hundredths of 万元 (that is, in units of 100 元), written with two decimals:
// 35 → "0.35".
inline void AppendWan(uint64_t hundredths, std::string* out) {
  AppendUint(hundredths / 100, out);
  out->push_back('.');
  AppendPadded(hundredths % 100, 2, out);
}

}  // namespace xinyong::gen
