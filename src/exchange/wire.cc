#include "exchange/wire.h"

#include <charconv>
#include <optional>

#include <boost/json.hpp>
#include <boost/json/basic_parser_impl.hpp>

namespace xinyong::exchange {

namespace json = boost::json;

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
    for (auto& [code, value] : line.fields) {
      if (code == pv.field) value = std::move(plain).value();
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

// The events of one line's JSON (a boost::json::basic_parser handler), kept as what ParseLines
// checks afterwards: no document tree is built. Keys the format does not have are skipped with
// whatever value they hold.
struct LineEvents {
  static constexpr size_t max_array_size = static_cast<size_t>(-1);
  static constexpr size_t max_object_size = static_cast<size_t>(-1);
  static constexpr size_t max_string_size = static_cast<size_t>(-1);
  static constexpr size_t max_key_size = static_cast<size_t>(-1);

  enum class Key { kOther, kSeq, kRecord, kVersion, kErased, kIndicator, kStatus, kReceived, kFields };

  // What the line held. A key's value of the wrong type is noted as such, not as absent.
  ChangeLine* line = nullptr;
  bool object = false;  // the line is an object
  std::optional<uint64_t> seq, record, version;
  bool erased = false;
  bool indicator = false, status = false, fields = false;  // present, of the right type
  std::string status_name;
  bool received = false;        // present
  std::string received_text;    // empty unless a string
  std::vector<std::string> bad_fields;  // keys in "fields" whose value is not a string

  void Reset(ChangeLine* l) {
    *this = LineEvents();
    line = l;
  }

  // Parser state.
  int depth = 0;            // containers open
  Key key = Key::kOther;    // of the value that comes next at depth 1
  bool in_fields = false;   // depth 2 is the "fields" object
  std::string text;         // a key or string being assembled from its parts
  std::string field_code;   // the key of the value that comes next in "fields"

  static Key KeyOf(std::string_view k) {
    if (k == "seq") return Key::kSeq;
    if (k == "record") return Key::kRecord;
    if (k == "version") return Key::kVersion;
    if (k == "erased") return Key::kErased;
    if (k == "indicator") return Key::kIndicator;
    if (k == "status") return Key::kStatus;
    if (k == "received") return Key::kReceived;
    if (k == "fields") return Key::kFields;
    return Key::kOther;
  }

  // A key given again: the last value counts, as in a JSON document read whole.
  void Forget(Key k) {
    switch (k) {
      case Key::kSeq: seq.reset(); break;
      case Key::kRecord: record.reset(); break;
      case Key::kVersion: version.reset(); break;
      case Key::kErased: erased = false; break;
      case Key::kIndicator:
        indicator = false;
        line->indicator.clear();
        break;
      case Key::kStatus: status = false; break;
      case Key::kReceived:
        received = false;
        received_text.clear();
        break;
      case Key::kFields:
        fields = false;  // until its value proves to be an object
        line->fields.clear();
        bad_fields.clear();
        break;
      case Key::kOther: break;
    }
  }
  // The same for a field code in "fields".
  void ForgetField() {
    std::erase_if(line->fields, [&](const auto& f) { return f.first == field_code; });
    std::erase(bad_fields, field_code);
  }

  // A value of a type the key does not take (its state was cleared by Forget when the key came):
  // only noted where being there at all counts.
  void Other() {
    if (depth == 1) {
      if (key == Key::kReceived) received = true;  // and not a date
    } else if (depth == 2 && in_fields) {
      ForgetField();
      bad_fields.push_back(field_code);
    }
  }
  void Unsigned(uint64_t v) {
    if (depth == 1 && key == Key::kSeq) {
      seq = v;
    } else if (depth == 1 && key == Key::kRecord) {
      record = v;
    } else if (depth == 1 && key == Key::kVersion) {
      version = v;
    } else {
      Other();
    }
  }

  bool on_document_begin(boost::system::error_code&) { return true; }
  bool on_document_end(boost::system::error_code&) { return true; }
  bool on_object_begin(boost::system::error_code&) {
    if (depth == 0) {
      object = true;
    } else if (depth == 1 && key == Key::kFields) {
      fields = true;
      in_fields = true;
    } else {
      Other();
    }
    ++depth;
    return true;
  }
  bool on_object_end(size_t, boost::system::error_code&) {
    if (--depth == 1) in_fields = false;
    return true;
  }
  bool on_array_begin(boost::system::error_code&) {
    Other();
    ++depth;
    return true;
  }
  bool on_array_end(size_t, boost::system::error_code&) {
    --depth;
    return true;
  }
  bool on_key_part(std::string_view s, size_t, boost::system::error_code&) {
    text.append(s);
    return true;
  }
  bool on_key(std::string_view s, size_t, boost::system::error_code&) {
    text.append(s);
    if (depth == 1) {
      key = KeyOf(text);
      Forget(key);
    } else if (depth == 2 && in_fields) {
      field_code = text;
    }
    text.clear();
    return true;
  }
  bool on_string_part(std::string_view s, size_t, boost::system::error_code&) {
    text.append(s);
    return true;
  }
  bool on_string(std::string_view s, size_t, boost::system::error_code&) {
    text.append(s);
    if (depth == 1) {
      switch (key) {
        case Key::kIndicator:
          indicator = true;
          line->indicator = text;
          break;
        case Key::kStatus:
          status = true;
          status_name = text;
          break;
        case Key::kReceived:
          received = true;
          received_text = text;
          break;
        default: break;
      }
    } else if (depth == 2 && in_fields) {
      ForgetField();
      line->fields.emplace_back(field_code, text);
    }
    text.clear();
    return true;
  }
  bool on_number_part(std::string_view, boost::system::error_code&) { return true; }
  bool on_int64(int64_t v, std::string_view, boost::system::error_code&) {
    if (v >= 0) {
      Unsigned(static_cast<uint64_t>(v));
    } else {
      Other();
    }
    return true;
  }
  bool on_uint64(uint64_t v, std::string_view, boost::system::error_code&) {
    Unsigned(v);
    return true;
  }
  bool on_double(double, std::string_view, boost::system::error_code&) {
    Other();
    return true;
  }
  bool on_bool(bool b, boost::system::error_code&) {
    if (depth == 1 && key == Key::kErased) {
      erased = b;
    } else {
      Other();
    }
    return true;
  }
  bool on_null(boost::system::error_code&) {
    Other();
    return true;
  }
  bool on_comment_part(std::string_view, boost::system::error_code&) { return true; }
  bool on_comment(std::string_view, boost::system::error_code&) { return true; }
};

}  // namespace

Status ParseLines(std::string_view body, std::vector<ChangeLine>* out) {
  size_t line_no = 0;
  uint64_t last = 0;
  // One event parser for every line: the lines' values go straight into their ChangeLine.
  json::basic_parser<LineEvents> parser{json::parse_options()};
  LineEvents& e = parser.handler();
  while (!body.empty()) {
    const size_t nl = body.find('\n');
    std::string_view text = body.substr(0, nl);
    body = nl == std::string_view::npos ? std::string_view() : body.substr(nl + 1);
    ++line_no;
    if (!text.empty() && text.back() == '\r') text.remove_suffix(1);
    if (text.empty()) continue;
    ChangeLine line;
    e.Reset(&line);
    parser.reset();
    boost::system::error_code ec;
    const size_t used = parser.write_some(false, text.data(), text.size(), ec);
    if (!ec && used != text.size()) ec = json::error::extra_data;
    if (ec) return Bad(line_no, "not valid JSON (" + ec.message() + ")");
    if (!e.object) return Bad(line_no, "not a JSON object");
    if (!e.seq || *e.seq == 0) return Bad(line_no, "field seq must be a positive integer");
    line.seq = *e.seq;
    if (line.seq <= last) {
      return Bad(line_no, "sequence number " + std::to_string(line.seq) +
                              " does not follow " + std::to_string(last));
    }
    last = line.seq;
    line.record_id = e.record.value_or(0);
    line.version = static_cast<uint32_t>(e.version.value_or(0));
    if (e.erased) {
      line.erased = true;
      line.indicator.clear();
      line.fields.clear();
      out->push_back(std::move(line));
      continue;
    }
    if (!e.indicator || line.indicator.empty()) {
      return Bad(line_no, "field indicator must be a non-empty string");
    }
    if (!e.status || !ParseStatus(e.status_name, &line.status)) {
      return Bad(line_no, "field status must be active, revoked, repaired or expired");
    }
    if (e.received) {
      auto d = Date::Parse(e.received_text);
      if (!d.ok()) return Bad(line_no, "field received must be a date YYYY-MM-DD");
      line.received = *d;
    }
    if (!e.fields) return Bad(line_no, "field fields must be an object");
    if (!e.bad_fields.empty()) {
      return Bad(line_no, "field fields." + e.bad_fields.front() + " must be a string");
    }
    out->push_back(std::move(line));
  }
  return Status::Ok();
}

}  // namespace xinyong::exchange
