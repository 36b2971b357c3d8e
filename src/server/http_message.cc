#include "server/http_message.h"

#include <boost/json/serialize.hpp>

#include "server/http_status.h"
#include "server/redact.h"
#include "server/target.h"

namespace xinyong::server {

namespace json = boost::json;

std::string_view Response::Header(std::string_view name) const {
  for (const auto& [k, v] : headers) {
    if (k.size() != name.size()) continue;
    bool same = true;
    for (size_t i = 0; i < k.size() && same; ++i) {
      char a = k[i], b = name[i];
      if (a >= 'A' && a <= 'Z') a = static_cast<char>(a - 'A' + 'a');
      if (b >= 'A' && b <= 'Z') b = static_cast<char>(b - 'A' + 'a');
      same = a == b;
    }
    if (same) return v;
  }
  return {};
}

Response JsonResponse(unsigned status, const json::object& value) {
  Response r;
  r.status = status;
  r.body = json::serialize(value);
  return r;
}

Response JsonResponse(unsigned status, const json::value& value) {
  Response r;
  r.status = status;
  r.body = json::serialize(value);
  return r;
}

Response ErrorResponse(unsigned status, std::string_view code, std::string_view message,
                       json::value details) {
  json::object err;
  err["code"] = code;
  err["message"] = SanitizeUtf8(RedactPersonalIds(message));
  err["details"] = std::move(details);
  json::object root;
  root["error"] = std::move(err);
  return JsonResponse(status, root);
}

Response StatusResponse(const Status& status, json::value details) {
  return ErrorResponse(HttpStatusFor(status.code()), StatusCodeName(status.code()),
                       status.message(), std::move(details));
}

}  // namespace xinyong::server
