#include "server/publicity.h"

#include <algorithm>
#include <charconv>
#include <limits>

#include "core/utf8.h"
#include "ingest/field_validation.h"
#include "server/access.h"
#include "server/json_views.h"
#include "server/redact.h"

namespace xinyong::server {

namespace json = boost::json;

namespace {

constexpr PublicityKind kKinds[] = {
    {"licence", "admin_licence", "XK_XKJG", "XK_XKWS", "XK_NR", "XK_XDR_MC"},
    {"penalty", "admin_penalty", "CF_CFJG", "CF_WFXW", "CF_NR", "CF_XDR_MC"},
};

constexpr size_t kMaxContentChars = 200;

bool SameEntry(const storage::IndicatorPosition& a, uint64_t subject_id, uint64_t record_id,
               Date decided) {
  return a.decided == decided && a.subject_id == subject_id && a.record_id == record_id;
}

bool ParseUint(std::string_view s, uint64_t* out) {
  if (s.empty() || s.size() > 20) return false;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  return ec == std::errc() && end == s.data() + s.size();
}

// The first `max_chars` characters of well-formed UTF-8 text; *cut says whether any were left.
std::string_view FirstChars(std::string_view text, size_t max_chars, bool* cut) {
  size_t chars = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    if ((static_cast<unsigned char>(text[i]) & 0xC0) == 0x80) continue;
    if (chars == max_chars) {
      *cut = true;
      return text.substr(0, i);
    }
    ++chars;
  }
  *cut = false;
  return text;
}

}  // namespace

const PublicityKind* FindPublicityKind(std::string_view name) {
  for (const PublicityKind& k : kKinds) {
    if (k.name == name) return &k;
  }
  return nullptr;
}

std::string EncodeCursor(const PublicityCursor& c) {
  return std::to_string(c.position.decided.ToYmdNumber()) + "." +
         std::to_string(c.position.subject_id) + "." + std::to_string(c.position.record_id) + "." +
         std::to_string(c.skip);
}

Result<PublicityCursor> ParseCursor(std::string_view text) {
  auto bad = [] {
    return Status::InvalidArgument("after must be the `next` of an earlier answer");
  };
  std::string_view parts[4];
  for (size_t i = 0; i < 4; ++i) {
    const size_t dot = text.find('.');
    if ((dot == std::string_view::npos) != (i == 3)) return bad();
    parts[i] = text.substr(0, dot);
    text = dot == std::string_view::npos ? std::string_view() : text.substr(dot + 1);
  }
  uint64_t ymd = 0;
  PublicityCursor c;
  if (parts[0].size() != 8 || !ParseUint(parts[0], &ymd) ||
      !ParseUint(parts[1], &c.position.subject_id) || !ParseUint(parts[2], &c.position.record_id) ||
      !ParseUint(parts[3], &c.skip)) {
    return bad();
  }
  auto date = Date::FromYmd(static_cast<int>(ymd / 10000), static_cast<int>(ymd / 100 % 100),
                            static_cast<int>(ymd % 100));
  if (!date.ok()) return bad();
  c.position.decided = *date;
  return c;
}

Status ListPublicity(Platform& p, const PublicityQuery& q, Date today, PublicityPage* out) {
  const catalog::Indicator* ind = p.catalog().Find(q.kind->indicator);
  if (ind == nullptr) {
    return Status::NotFound("the catalog has no indicator " + std::string(q.kind->indicator));
  }
  *out = PublicityPage();
  // Where the scan starts: the cursor's entry (passed over) or the end of `to`, whichever is
  // older; else the newest entry.
  std::optional<storage::IndicatorPosition> start;
  if (q.to) start = storage::IndicatorPosition{*q.to};
  if (q.after && (!start || q.after->position.decided <= start->decided)) {
    start = q.after->position;
  }
  // Saturating: a made-up cursor's skip cannot wrap around.
  const uint64_t more = q.after ? q.after->skip : 0;
  uint64_t skip = q.skip > std::numeric_limits<uint64_t>::max() - more ? std::numeric_limits<uint64_t>::max() : q.skip + more;
  const size_t take = std::max<size_t>(q.take, 1);
  storage::IndicatorPosition last;  // the last entry examined
  std::vector<Record> versions;
  auto visit = [&](uint64_t subject_id, uint64_t record_id, Date decided) -> Result<bool> {
    if (q.after && SameEntry(q.after->position, subject_id, record_id, decided)) return true;
    if (q.from && decided < *q.from) return false;  // older entries only from here
    // Past its publicity period (PublicityEnded), the public sees it no more — nor any older one.
    if (ind->publicity_max_months > 0 && decided.AddMonths(ind->publicity_max_months) <= today) {
      return false;
    }
    if (q.to && decided > *q.to) return true;
    if (out->examined == q.max_examined) {
      // An entry in range is left unread: the listing may go on from the last one read.
      out->more = true;
      out->bounded = true;
      out->next = PublicityCursor{last, skip};
      return false;
    }
    ++out->examined;
    last = {decided, subject_id, record_id};
    versions.clear();
    XY_RETURN_IF_ERROR(p.store().ListRecordVersions(subject_id, record_id, &versions));
    if (versions.empty()) return true;
    Record& current = versions.back();
    // An entry left behind by a correction that moved the date: the current one counts.
    if (current.decision_date != decided) return true;
    if (!ShownAt(current, ind, security::DisclosureSet::PublicOnly(), today)) return true;
    if (!q.dept.empty() && ingest::TrimCell(current.Get(q.kind->authority_field)) != q.dept) {
      return true;
    }
    if (skip > 0) {
      --skip;
      return true;
    }
    if (out->items.size() == take) {
      const Record& shown = out->items.back().record;
      out->more = true;
      out->next = PublicityCursor{{shown.decision_date, shown.subject_id, shown.record_id}, 0};
      return false;
    }
    XY_ASSIGN_OR_RETURN(auto subject, p.store().GetSubject(subject_id));
    if (!subject) return true;
    const std::vector<uint64_t> objected = p.rights().UnderObjection(subject_id);
    const bool under_objection =
        std::find(objected.begin(), objected.end(), record_id) != objected.end();
    out->items.push_back({std::move(*subject), std::move(current), under_objection});
    return true;
  };
  return start ? p.store().ScanIndicatorFrom(ind->code, *start, visit)
               : p.store().ScanIndicator(ind->code, visit);
}

json::object PublicityItemJson(const PublicityItem& item, const PublicityKind& kind) {
  const Subject& s = item.subject;
  const Record& r = item.record;
  const bool person = s.type == SubjectType::kNaturalPerson;
  const std::string masked = person ? MaskName(s.name) : std::string();
  // A person's name as this decision spells it, which may differ from the stored one (a person's
  // name is not reconciled at ingest: "阿依古丽·买买提" beside "阿依古丽买买提").
  const std::string own_name = person ? std::string(ingest::TrimCell(r.Get(kind.name_field))) : "";
  // Free text leaves with resident ID numbers masked and, for a person, the name too.
  auto text = [&](std::string_view field) {
    std::string t(ingest::TrimCell(r.Get(field)));
    if (person) t = MaskPersonName(t, s.name, own_name != s.name ? own_name : "");
    return RedactPersonalIds(t);
  };
  json::object o;
  o["subject"] =
      json::object{{"code", person ? json::value(nullptr) : json::value(s.DisplayCode())},
                   {"name", person ? masked : s.name},
                   {"type", SubjectTypeName(s.type)}};
  o["record_id"] = std::to_string(r.record_id);
  o["document_number"] = r.document_number;
  o["decision_date"] = r.decision_date.ToString();
  o["authority"] = std::string(ingest::TrimCell(r.Get(kind.authority_field)));
  o["title"] = text(kind.title_field);
  const std::string content = text(kind.content_field);
  bool cut = false;
  std::string_view shown = FirstChars(content, kMaxContentChars, &cut);
  if (cut) {
    // 199 characters and an ellipsis: 200 in all.
    std::string c(FirstChars(content, kMaxContentChars - 1, &cut));
    c += "…";
    o["content"] = std::move(c);
  } else {
    o["content"] = std::string(shown);
  }
  o["content_truncated"] = cut;
  o["under_objection"] = item.under_objection;
  return o;
}

}  // namespace xinyong::server
