#include "exchange/wire.h"

#include <charconv>
#include <optional>

#include <simdjson.h>

namespace xinyong::exchange {

bool ParseStatus(std::string_view name, RecordStatus* out) {
  for (RecordStatus s : {RecordStatus::kActive, RecordStatus::kRevoked, RecordStatus::kRepaired,
                         RecordStatus::kExpired}) {
    if (RecordStatusName(s) == name) {
      *out = s;
      return true;
    }
  }
  return false;
}

Result<ChangeLine> LineOfChange(const storage::Change& change, const PersonalDataVault& vault) {
  ChangeLine line;
  line.seq = change.seq;
  line.record_id = change.record_id;
  line.version = change.version;
  if (change.version == 0 || !change.record) {
    line.erased = true;
    return line;
  }
  const Record& r = *change.record;
  line.indicator = r.indicator;
  line.status = r.status;
  line.received = r.received_date;
  line.fields.reserve(r.values.size());
  for (const auto& [code, value] : r.values) line.fields.emplace_back(code, value);
  // Personal numbers are stored masked in `values`; the sealed copy restores them.
  for (const PersonalValue& pv : r.personal) {
    auto plain = vault.Decrypt(pv.sealed);
    if (!plain.ok()) {
      return Status::DataLoss("record " + std::to_string(r.record_id) + " version " +
                              std::to_string(r.version) + ": the sealed value of field " +
                              pv.field + " cannot be opened with this instance's key");
    }
    // The line carries the number as a department sends it (the type has its own field).
    for (auto& [code, value] : line.fields) {
      if (code == pv.field) value = CertificateNumber(*plain);
    }
  }
  return line;
}

namespace {

// JSON text of `s` in quotes: '"', '\' and control characters escaped, everything else (UTF-8
// included) as it is.
void AppendJsonString(std::string_view s, std::string* out) {
  static constexpr char kHex[] = "0123456789abcdef";
  out->push_back('"');
  size_t plain = 0;  // start of the characters not yet copied
  for (size_t i = 0; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c != '"' && c != '\\') continue;
    out->append(s.data() + plain, i - plain);
    plain = i + 1;
    switch (c) {
      case '"': out->append("\\\""); break;
      case '\\': out->append("\\\\"); break;
      case '\n': out->append("\\n"); break;
      case '\r': out->append("\\r"); break;
      case '\t': out->append("\\t"); break;
      case '\b': out->append("\\b"); break;
      case '\f': out->append("\\f"); break;
      default:
        out->append("\\u00");
        out->push_back(kHex[c >> 4]);
        out->push_back(kHex[c & 0xf]);
    }
  }
  out->append(s.data() + plain, s.size() - plain);
  out->push_back('"');
}

void AppendUint(uint64_t v, std::string* out) {
  char buf[20];
  const auto r = std::to_chars(buf, buf + sizeof buf, v);
  out->append(buf, r.ptr);
}

}  // namespace

void AppendLine(const ChangeLine& line, std::string* out) {
  out->append("{\"seq\":");
  AppendUint(line.seq, out);
  out->append(",\"record\":");
  AppendUint(line.record_id, out);
  out->append(",\"version\":");
  AppendUint(line.version, out);
  if (line.erased) {
    out->append(",\"erased\":true}\n");
    return;
  }
  out->append(",\"indicator\":");
  AppendJsonString(line.indicator, out);
  out->append(",\"status\":");
  AppendJsonString(RecordStatusName(line.status), out);
  out->append(",\"received\":");
  AppendJsonString(line.received.ToString(), out);
  out->append(",\"fields\":{");
  for (size_t i = 0; i < line.fields.size(); ++i) {
    if (i > 0) out->push_back(',');
    AppendJsonString(line.fields[i].first, out);
    out->push_back(':');
    AppendJsonString(line.fields[i].second, out);
  }
  out->append("}}\n");
}

namespace {

Status Bad(size_t line_no, const std::string& what) {
  return Status::InvalidArgument("exchange batch line " + std::to_string(line_no) + ": " + what);
}

// Reads the JSON object of one line into `line`: the keys of the format, each given again
// counting with its last value as in a document read whole; keys the format does not have are
// skipped with whatever value they hold. What is missing or of the wrong type is reported
// afterwards by ParseLines, from these notes.
struct LineFields {
  std::optional<uint64_t> seq, record, version;
  bool erased = false;
  bool indicator = false, status = false, fields = false;  // present, of the right type
  std::string_view status_name;
  bool received = false;               // present
  std::string_view received_text;      // empty unless a string
  std::vector<std::string> bad_fields;  // codes in "fields" whose value is not a string
};

std::optional<uint64_t> UnsignedOf(simdjson::dom::element v) {
  uint64_t u;
  if (v.get_uint64().get(u)) return std::nullopt;  // not a number, negative or not an integer
  return u;
}

// The string `v` holds; false (and `s` empty) for any other value.
bool StringOf(simdjson::dom::element v, std::string_view* s) {
  if (!v.get_string().get(*s)) return true;
  *s = std::string_view();
  return false;
}

void ReadObject(simdjson::dom::object obj, ChangeLine* line, LineFields* f) {
  for (auto [key, v] : obj) {
    std::string_view text;
    if (key == "seq") {
      f->seq = UnsignedOf(v);
    } else if (key == "record") {
      f->record = UnsignedOf(v);
    } else if (key == "version") {
      f->version = UnsignedOf(v);
    } else if (key == "erased") {
      bool b = false;
      f->erased = !v.get_bool().get(b) && b;
    } else if (key == "indicator") {
      f->indicator = StringOf(v, &text);
      line->indicator = text;
    } else if (key == "status") {
      f->status = StringOf(v, &f->status_name);
    } else if (key == "received") {
      f->received = true;
      StringOf(v, &f->received_text);
    } else if (key == "fields") {
      line->fields.clear();
      f->bad_fields.clear();
      simdjson::dom::object codes;
      f->fields = !v.get_object().get(codes);
      if (!f->fields) continue;
      line->fields.reserve(codes.size());
      for (const simdjson::dom::key_value_pair field : codes) {
        const std::string_view code = field.key;  // not a structured binding: the lambda below
                                                  // takes it, which clang 14 refuses
        // A code given again counts with its last value, in its last place.
        std::erase_if(line->fields, [&](const auto& p) { return p.first == code; });
        std::erase(f->bad_fields, code);
        if (StringOf(field.value, &text)) {
          line->fields.emplace_back(code, text);
        } else {
          f->bad_fields.emplace_back(code);
        }
      }
    }
  }
}

}  // namespace

static_assert(kLinePadding >= simdjson::SIMDJSON_PADDING);

Status ParseLines(const std::string& body_text, std::vector<ChangeLine>* out) {
  // simdjson reads up to SIMDJSON_PADDING bytes past a document: with that much spare capacity
  // (allocated, so readable) every line is parsed where it lies in the body, else in one padded
  // copy of it.
  std::optional<simdjson::padded_string> copy;
  if (body_text.capacity() - body_text.size() < kLinePadding) copy.emplace(body_text);
  const std::string_view body = copy ? std::string_view(*copy) : std::string_view(body_text);
  simdjson::dom::parser parser;
  // Nesting beyond 32 levels is refused, as boost::json's reader did (a line of the format nests
  // two deep; simdjson's own limit is 1,024). Capacity grows as lines need it.
  constexpr size_t kMaxDepth = 32;
  if (auto err = parser.allocate(64 * 1024, kMaxDepth)) {
    return Status::ResourceExhausted(std::string("exchange batch: ") + simdjson::error_message(err));
  }
  size_t line_no = 0;
  uint64_t last = 0;
  size_t pos = 0;
  while (pos < body.size()) {
    size_t nl = body.find('\n', pos);
    if (nl == std::string_view::npos) nl = body.size();
    std::string_view text(body.data() + pos, nl - pos);
    pos = nl + 1;
    ++line_no;
    if (!text.empty() && text.back() == '\r') text.remove_suffix(1);
    if (text.empty()) continue;
    simdjson::dom::element doc;
    if (auto err = parser.parse(text.data(), text.size(), false).get(doc)) {
      return Bad(line_no, std::string("not valid JSON (") + simdjson::error_message(err) + ")");
    }
    simdjson::dom::object obj;
    if (doc.get_object().get(obj)) return Bad(line_no, "not a JSON object");
    ChangeLine line;
    LineFields f;
    ReadObject(obj, &line, &f);
    if (!f.seq || *f.seq == 0) return Bad(line_no, "field seq must be a positive integer");
    line.seq = *f.seq;
    if (line.seq <= last) {
      return Bad(line_no, "sequence number " + std::to_string(line.seq) +
                              " does not follow " + std::to_string(last));
    }
    last = line.seq;
    line.record_id = f.record.value_or(0);
    line.version = static_cast<uint32_t>(f.version.value_or(0));
    if (f.erased) {
      line.erased = true;
      line.indicator.clear();
      line.fields.clear();
      out->push_back(std::move(line));
      continue;
    }
    if (!f.indicator || line.indicator.empty()) {
      return Bad(line_no, "field indicator must be a non-empty string");
    }
    if (!f.status || !ParseStatus(f.status_name, &line.status)) {
      return Bad(line_no, "field status must be active, revoked, repaired or expired");
    }
    if (f.received) {
      auto d = Date::Parse(f.received_text);
      if (!d.ok()) return Bad(line_no, "field received must be a date YYYY-MM-DD");
      line.received = *d;
    }
    if (!f.fields) return Bad(line_no, "field fields must be an object");
    if (!f.bad_fields.empty()) {
      return Bad(line_no, "field fields." + f.bad_fields.front() + " must be a string");
    }
    out->push_back(std::move(line));
  }
  return Status::Ok();
}

}  // namespace xinyong::exchange
