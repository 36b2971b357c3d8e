#include "exchange/wire.h"

#include <boost/json.hpp>

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

void AppendLine(const ChangeLine& line, std::string* out) {
  json::object o;
  o["seq"] = line.seq;
  o["record"] = line.record_id;
  o["version"] = line.version;
  if (line.erased) {
    o["erased"] = true;
  } else {
    o["indicator"] = line.indicator;
    o["status"] = RecordStatusName(line.status);
    o["received"] = line.received.ToString();
    json::object f;
    for (const auto& [code, value] : line.fields) f[code] = value;
    o["fields"] = std::move(f);
  }
  out->append(json::serialize(o));
  out->push_back('\n');
}

namespace {

Status Bad(size_t line_no, const std::string& what) {
  return Status::InvalidArgument("exchange batch line " + std::to_string(line_no) + ": " + what);
}

bool GetU64(const json::object& o, std::string_view key, uint64_t* out) {
  const json::value* v = o.if_contains(key);
  if (v == nullptr) return false;
  if (v->is_uint64()) {
    *out = v->as_uint64();
    return true;
  }
  if (v->is_int64() && v->as_int64() >= 0) {
    *out = static_cast<uint64_t>(v->as_int64());
    return true;
  }
  return false;
}

}  // namespace

Status ParseLines(std::string_view body, std::vector<ChangeLine>* out) {
  size_t line_no = 0;
  uint64_t last = 0;
  // One parser for every line, each line's value in an arena on the stack: a batch of ten
  // thousand lines would otherwise make and free a few hundred thousand small allocations.
  unsigned char temp[4096];
  json::parser parser(json::storage_ptr(), json::parse_options(), temp, sizeof temp);
  alignas(std::max_align_t) unsigned char arena[16384];
  while (!body.empty()) {
    const size_t nl = body.find('\n');
    std::string_view text = body.substr(0, nl);
    body = nl == std::string_view::npos ? std::string_view() : body.substr(nl + 1);
    ++line_no;
    if (!text.empty() && text.back() == '\r') text.remove_suffix(1);
    if (text.empty()) continue;
    boost::system::error_code ec;
    json::monotonic_resource line_memory(arena, sizeof arena);
    parser.reset(&line_memory);
    parser.write(text, ec);
    if (ec) return Bad(line_no, "not valid JSON (" + ec.message() + ")");
    const json::value v = parser.release();
    if (!v.is_object()) return Bad(line_no, "not a JSON object");
    const json::object& o = v.as_object();
    ChangeLine line;
    uint64_t version = 0;
    if (!GetU64(o, "seq", &line.seq) || line.seq == 0) {
      return Bad(line_no, "field seq must be a positive integer");
    }
    if (line.seq <= last) {
      return Bad(line_no, "sequence number " + std::to_string(line.seq) +
                              " does not follow " + std::to_string(last));
    }
    last = line.seq;
    GetU64(o, "record", &line.record_id);
    if (GetU64(o, "version", &version)) line.version = static_cast<uint32_t>(version);
    if (const json::value* e = o.if_contains("erased"); e != nullptr && e->is_bool() && e->as_bool()) {
      line.erased = true;
      out->push_back(std::move(line));
      continue;
    }
    const json::value* ind = o.if_contains("indicator");
    if (ind == nullptr || !ind->is_string() || ind->as_string().empty()) {
      return Bad(line_no, "field indicator must be a non-empty string");
    }
    line.indicator = std::string(ind->as_string());
    const json::value* st = o.if_contains("status");
    if (st == nullptr || !st->is_string() || !ParseStatus(st->as_string(), &line.status)) {
      return Bad(line_no, "field status must be active, revoked, repaired or expired");
    }
    if (const json::value* rd = o.if_contains("received"); rd != nullptr) {
      if (!rd->is_string()) return Bad(line_no, "field received must be a date YYYY-MM-DD");
      auto d = Date::Parse(rd->as_string());
      if (!d.ok()) return Bad(line_no, "field received must be a date YYYY-MM-DD");
      line.received = *d;
    }
    const json::value* f = o.if_contains("fields");
    if (f == nullptr || !f->is_object()) return Bad(line_no, "field fields must be an object");
    for (const auto& kv : f->as_object()) {
      if (!kv.value().is_string()) {
        return Bad(line_no, "field fields." + std::string(kv.key()) + " must be a string");
      }
      line.fields.emplace_back(std::string(kv.key()), std::string(kv.value().as_string()));
    }
    out->push_back(std::move(line));
  }
  return Status::Ok();
}

}  // namespace xinyong::exchange
