// Redaction of resident ID numbers (公民身份号码) from text that leaves the process as an error
// message, a log line or an echoed query. Whatever produced the text, a number shaped like a
// resident ID — 18 digits (or 17 and X) or 15 digits with a plausible birth date where GB 11643
// puts it — is replaced by its mask ("4101**********123X"). The check digit is not required: a
// mistyped ID number is still personal data. Rarely an all-digit code of another kind is masked
// too; that is the safe side. Pure; thread-safe.
#pragma once

#include <string>
#include <string_view>

namespace xinyong::server {

std::string RedactPersonalIds(std::string_view text);

// A natural person's name as the public may see it (a report's verification page, the 双公示
// listing): the first character, the rest masked ("张**"); at least one '*'.
std::string MaskName(std::string_view name);

// Text made safe for one log line: resident IDs masked, invalid UTF-8 replaced, control
// characters (a newline could forge a log line) written as \xNN, at most `max_bytes` kept.
std::string ForLog(std::string_view text, size_t max_bytes = 512);

}  // namespace xinyong::server
