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

#include "catalog/indicator.h"
#include "model/record.h"
#include "model/subject.h"

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

// `text` with a natural person's name masked wherever it stands: `name` (as stored) and
// `own_name` (as one record spells it, which may differ: "阿依古丽·买买提" beside "阿依古丽买买提";
// "" when the same). A name standing alone is masked whatever its length; inside longer text
// only a name of two or more characters (one character would mask unrelated text).
std::string MaskPersonName(std::string_view text, std::string_view name, std::string_view own_name = "");

// A natural person as the public sees it in a profile or a record list (the 双公示 listing's
// rule): the name and former names masked. Anyone else's view shows the name.
Subject PersonForPublic(const Subject& person);
// A natural person's record as the public sees it: every value with the person's name masked
// (MaskPersonName, with the name the record's subject-name field gives). `indicator` may be null.
Record PersonRecordForPublic(const Record& r, const catalog::Indicator* indicator,
                             std::string_view stored_name);

// Text made safe for one log line: resident IDs masked, invalid UTF-8 replaced, control
// characters (a newline could forge a log line) written as \xNN, at most `max_bytes` kept.
std::string ForLog(std::string_view text, size_t max_bytes = 512);

// A request target's path for a log line: the query left out, percent-escapes decoded first (a
// malformed one kept as it is), then ForLog — so that an ID number written as %31%31… is masked.
std::string LogPath(std::string_view target);

}  // namespace xinyong::server
