#include "ingest/jsonl_reader.h"

#include <simdjson.h>

#include <charconv>
#include <cmath>

#include "core/identifiers.h"

namespace xinyong::ingest {

struct JsonlReader::Impl {
  simdjson::dom::parser parser;
  simdjson::padded_string line;
};

JsonlReader::JsonlReader(std::unique_ptr<TextSource> source)
    : source_(std::move(source)), impl_(std::make_unique<Impl>()) {}
JsonlReader::~JsonlReader() = default;

namespace {

// Renders a scalar as the text a CSV cell would hold; else what is wrong with it.
const char* ScalarToText(simdjson::dom::element v, std::string* out) {
  switch (v.type()) {
    case simdjson::dom::element_type::STRING: out->assign(std::string_view(v.get_string())); return nullptr;
    case simdjson::dom::element_type::INT64: *out = std::to_string(int64_t(v.get_int64())); return nullptr;
    case simdjson::dom::element_type::UINT64: *out = std::to_string(uint64_t(v.get_uint64())); return nullptr;
    case simdjson::dom::element_type::DOUBLE: {
      // Plain decimal notation, the shortest that reads back as the same double: 100000.0 is
      // "100000" and 0.0001 "0.0001", never "1e+05" (which no money or integer field takes).
      // From 2^53 on a double no longer holds every integer: the digits sent may be lost, so
      // such a number must come as text.
      const double d = v.get_double();
      if (!(std::fabs(d) < 9007199254740992.0)) {
        return "is a number too large to be read exactly (2^53 or more); send it as text";
      }
      char buf[400];
      auto r = std::to_chars(buf, buf + sizeof buf, d, std::chars_format::fixed);
      if (r.ec != std::errc()) return "is a number that cannot be written out";
      out->assign(buf, r.ptr);
      return nullptr;
    }
    case simdjson::dom::element_type::BOOL: *out = bool(v.get_bool()) ? "true" : "false"; return nullptr;
    case simdjson::dom::element_type::NULL_VALUE: out->clear(); return nullptr;
    default: return "holds an array or object; only text, numbers and null are accepted";
  }
}

}  // namespace

Result<bool> JsonlReader::ReadRow(JsonRow* row) {
  row->fields.clear();
  row->error_code.clear();
  row->error.clear();
  for (;;) {
    size_t nl = buf_.find('\n', pos_);
    bool too_long = false;
    while (nl == std::string::npos && !eof_) {
      if (pos_ > 0) {
        buf_.erase(0, pos_);
        pos_ = 0;
      }
      if (buf_.size() > kMaxLineBytes) {
        too_long = true;  // what has been read of it goes; the line ends where the next begins
        buf_.clear();
      }
      size_t searched = buf_.size();
      XY_ASSIGN_OR_RETURN(bool more, source_->Next(&buf_));
      if (!more) eof_ = true;
      nl = buf_.find('\n', searched);
    }
    if (too_long || (nl == std::string::npos ? buf_.size() : nl) - pos_ > kMaxLineBytes) {
      pos_ = nl == std::string::npos ? buf_.size() : nl + 1;
      row->number = ++line_;
      row->error_code = "row_too_large";
      row->error = "line " + std::to_string(line_) + " is longer than " +
                   std::to_string(kMaxLineBytes >> 20) + " MiB";
      return true;
    }
    if (pos_ >= buf_.size() && nl == std::string::npos) return false;
    size_t end = nl == std::string::npos ? buf_.size() : nl;
    std::string_view line(buf_.data() + pos_, end - pos_);
    pos_ = nl == std::string::npos ? buf_.size() : nl + 1;
    ++line_;
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ' || line.back() == '\t')) {
      line.remove_suffix(1);
    }
    size_t first = line.find_first_not_of(" \t");
    if (first == std::string_view::npos) continue;  // blank line
    row->number = line_;
    impl_->line = simdjson::padded_string(line);
    simdjson::dom::element doc;
    auto err = impl_->parser.parse(impl_->line).get(doc);
    if (err) {
      row->error_code = "invalid_json";
      row->error = std::string("line ") + std::to_string(line_) + " is not valid JSON: " +
                   simdjson::error_message(err);
      return true;
    }
    simdjson::dom::object obj;
    if (doc.get_object().get(obj)) {
      row->error_code = "invalid_json";
      row->error = "line " + std::to_string(line_) + " is not a JSON object";
      return true;
    }
    for (auto [key, value] : obj) {
      std::string text;
      if (const char* wrong = ScalarToText(value, &text); wrong != nullptr) {
        row->error_code = "invalid_json";
        row->error = "line " + std::to_string(line_) + ": field '" + ident::ShowMasked(key, 80) +
                     "' " + wrong;
        row->fields.clear();
        return true;
      }
      row->fields.emplace_back(std::string(key), std::move(text));
    }
    return true;
  }
}

}  // namespace xinyong::ingest
