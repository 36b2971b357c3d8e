#include "server/http_status.h"

namespace xinyong::server {

unsigned HttpStatusFor(StatusCode code) {
  switch (code) {
    case StatusCode::kOk: return 200;
    case StatusCode::kInvalidArgument: return 400;
    case StatusCode::kNotFound: return 404;
    case StatusCode::kAlreadyExists: return 409;
    // The request is well formed but the state of the system does not allow it now (e.g. an
    // objection already closed): a conflict with the current state, as for kAlreadyExists.
    case StatusCode::kFailedPrecondition: return 409;
    case StatusCode::kPermissionDenied: return 403;
    // Size limits (a batch or body too large). Rate limits, when they come, answer 429 directly.
    case StatusCode::kResourceExhausted: return 413;
    case StatusCode::kUnavailable: return 503;
    case StatusCode::kDataLoss: return 500;
    case StatusCode::kInternal: return 500;
  }
  return 500;
}

}  // namespace xinyong::server
