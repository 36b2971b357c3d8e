// JsonWriter: appends JSON text to a string as it goes, for the responses the server writes most
// (a subject's profile and records), where building a boost::json tree first and serializing it
// afterwards cost more than reading the records from the store. Strings are written as they are
// (they are UTF-8 already) with `"`, `\` and control characters escaped, exactly as
// boost::json::serialize writes them, so both paths give the same bytes. The caller keeps the
// nesting balanced; the writer only places commas and colons.
// Not thread-safe; one writer per output string.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace xinyong::server {

class JsonWriter {
 public:
  explicit JsonWriter(std::string* out) : out_(out) {}

  void BeginObject() {
    Separate();
    out_->push_back('{');
    first_ = true;
  }
  void EndObject() {
    out_->push_back('}');
    first_ = false;
  }
  void BeginArray() {
    Separate();
    out_->push_back('[');
    first_ = true;
  }
  void EndArray() {
    out_->push_back(']');
    first_ = false;
  }
  // The key of the next member; the value follows with one of the calls below.
  void Key(std::string_view key) {
    Separate();
    AppendString(key);
    out_->push_back(':');
    first_ = true;
  }

  void String(std::string_view v) {
    Separate();
    AppendString(v);
  }
  void Int(int64_t v);
  void Uint(uint64_t v);
  void Bool(bool v) {
    Separate();
    out_->append(v ? "true" : "false");
  }
  void Null() {
    Separate();
    out_->append("null");
  }

  // Key and value in one call.
  void Member(std::string_view key, std::string_view v) {
    Key(key);
    String(v);
  }
  void Member(std::string_view key, const char* v) { Member(key, std::string_view(v)); }
  void Member(std::string_view key, int64_t v) {
    Key(key);
    Int(v);
  }
  void Member(std::string_view key, uint64_t v) {
    Key(key);
    Uint(v);
  }
  void Member(std::string_view key, uint32_t v) { Member(key, static_cast<uint64_t>(v)); }
  void Member(std::string_view key, int v) { Member(key, static_cast<int64_t>(v)); }
  void Member(std::string_view key, bool v) {
    Key(key);
    Bool(v);
  }

  // Appends `s` as a JSON string literal, quotes included.
  static void AppendEscaped(std::string_view s, std::string* out);

 private:
  void Separate() {
    if (!first_) out_->push_back(',');
    first_ = false;
  }
  void AppendString(std::string_view s) { AppendEscaped(s, out_); }

  std::string* out_;
  bool first_ = true;  // no comma before the next value
};

}  // namespace xinyong::server
