// The one place where Xinyong's status codes become HTTP statuses (see core/status.h). Every API
// error built from a Status goes through HttpStatusFor, so a code means the same status on every
// endpoint. Pure; thread-safe.
#pragma once

#include "core/status.h"

namespace xinyong::server {

// kOk 200, kInvalidArgument 400, kNotFound 404, kAlreadyExists 409, kFailedPrecondition 409,
// kPermissionDenied 403, kResourceExhausted 413, kUnavailable 503, kDataLoss and kInternal 500.
unsigned HttpStatusFor(StatusCode code);

}  // namespace xinyong::server
