#include "server/redact.h"

#include <algorithm>

#include "core/identifiers.h"
#include "core/utf8.h"
#include "server/target.h"

namespace xinyong::server {

std::string MaskName(std::string_view name) {
  if (name.empty()) return "";
  const auto lead = static_cast<unsigned char>(name[0]);
  const size_t first = lead < 0x80 ? 1 : lead < 0xE0 ? 2 : lead < 0xF0 ? 3 : 4;
  const size_t rest = Utf8Length(name.substr(std::min(first, name.size())));
  return std::string(name.substr(0, std::min(first, name.size()))) +
         std::string(std::max<size_t>(rest, 1), '*');
}

std::string MaskPersonName(std::string_view text, std::string_view name, std::string_view own_name) {
  std::string out(text);
  // The longer first: one spelling may hold the other (买买提 in 阿依古丽·买买提), and masking
  // the shorter first would leave the rest of the longer one standing.
  if (own_name.size() > name.size()) std::swap(name, own_name);
  for (std::string_view n : {name, own_name}) {
    if (n.empty()) continue;
    if (out == n) return MaskName(n);
    if (Utf8Length(n) < 2) continue;
    const std::string masked = MaskName(n);
    for (size_t at = out.find(n); at != std::string::npos; at = out.find(n, at + masked.size())) {
      out.replace(at, n.size(), masked);
    }
  }
  return out;
}

Subject PersonForPublic(const Subject& person) {
  Subject s = person;
  s.name = MaskName(person.name);
  for (std::string& former : s.former_names) former = MaskName(former);
  return s;
}

Record PersonRecordForPublic(const Record& r, const catalog::Indicator* indicator,
                             std::string_view stored_name) {
  std::string own_name;
  if (indicator != nullptr) {
    const int f = indicator->FieldIndexByRole(catalog::FieldRole::kSubjectName);
    if (f >= 0) own_name = r.Get(indicator->fields[static_cast<size_t>(f)].code);
  }
  if (own_name == stored_name) own_name.clear();
  Record out = r;
  out.values.clear();
  for (const auto& [code, value] : r.values) {
    out.values.emplace_back(code, MaskPersonName(value, stored_name, own_name));
  }
  return out;
}

std::string RedactPersonalIds(std::string_view text) { return ident::MaskResidentIdsIn(text); }

std::string CommandLineForAudit(int argc, const char* const* argv) {
  std::string line;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i], previous = i > 1 ? argv[i - 1] : "";
    if (i > 1) line += ' ';
    if (previous == "--token" || previous == "--push-token" || arg.starts_with("xy_")) {
      line += "<secret>";
    } else if (arg.starts_with("--token=") || arg.starts_with("--push-token=")) {
      line += std::string(arg.substr(0, arg.find('=') + 1)) + "<secret>";
    } else {
      line += arg;
    }
  }
  return line;
}

std::string ForLog(std::string_view text, size_t max_bytes) {
  bool cut = text.size() > max_bytes;
  // Redacted before the cut, which could otherwise leave the first digits of an ID unmasked.
  std::string clean = SanitizeUtf8(std::string_view(RedactPersonalIds(text)).substr(0, max_bytes));
  std::string out;
  out.reserve(clean.size());
  static constexpr char kHex[] = "0123456789ABCDEF";
  for (char c : clean) {
    auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7F) {
      out += "\\x";
      out += kHex[u >> 4];
      out += kHex[u & 15];
    } else {
      out += c;
    }
  }
  if (cut) out += "...";
  // The hex digits of an escape can join the digits after it into something shaped like an ID
  // number ("\x02" + "8246200421034X"): masked as well, on the safe side.
  return RedactPersonalIds(out);
}

std::string LogPath(std::string_view target) {
  const std::string_view path = target.substr(0, target.find('?'));
  std::string decoded;
  decoded.reserve(std::min<size_t>(path.size(), 4096));
  for (size_t i = 0; i < path.size() && decoded.size() < 4096; ++i) {
    const int hi = i + 2 < path.size() ? HexDigitValue(path[i + 1]) : -1;
    const int lo = hi >= 0 ? HexDigitValue(path[i + 2]) : -1;
    if (path[i] == '%' && lo >= 0) {
      decoded.push_back(static_cast<char>(hi * 16 + lo));
      i += 2;
    } else {
      decoded.push_back(path[i]);
    }
  }
  return ForLog(decoded);
}

}  // namespace xinyong::server
