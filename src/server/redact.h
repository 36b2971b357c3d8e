// Redaction of resident ID numbers (公民身份号码) from text that leaves the process as an error
// message, a log line or an echoed query: ident::MaskResidentIdsIn. Whatever produced the text,
// a number shaped like a resident ID — 18 characters (17 digits and a digit or X, whatever the
// birth date: a mistyped ID number is still personal data) or 15 digits with a birth date where
// a legacy ID has one, ASCII or full-width, also typed in groups ("110105-19491231-002X") — is
// replaced by its mask ("4101**********123X"). An all-digit code of another kind of 18 digits (a
// rare all-digit USCC) is masked too; that is the safe side. Pure; thread-safe.
#pragma once

#include <string>
#include <string_view>

namespace xinyong::server {

std::string RedactPersonalIds(std::string_view text);

// The arguments after the program name, joined by spaces, as the audit log keeps a command
// (cli AuditCommand, itself redacted): secrets left out — the value of --token / --push-token
// (also as --token=…) and any argument with the form of a Xinyong token ("xy_…") — as
// "<secret>".
std::string CommandLineForAudit(int argc, const char* const* argv);

// A natural person's name as the public may see it (a report's verification page, the 双公示
// listing): the first character, the rest masked ("张**"); at least one '*'.
std::string MaskName(std::string_view name);

// Text made safe for one log line: resident IDs masked, invalid UTF-8 replaced, control
// characters (a newline could forge a log line) written as \xNN, at most `max_bytes` kept.
std::string ForLog(std::string_view text, size_t max_bytes = 512);

// A request target's path for a log line: the query left out, percent-escapes decoded first (a
// malformed one kept as it is), then ForLog — so that an ID number written as %31%31… is masked.
std::string LogPath(std::string_view target);

}  // namespace xinyong::server
