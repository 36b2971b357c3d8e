// The JSON of a governance report and of the monitoring series, as GET /api/v1/governance and
// /api/v1/monitoring and `xinyong export governance --json` / `xinyong monitoring --json` give
// them (docs/openapi.yaml). Rates are numbers in [0, 1], null when there is nothing to rate.
// Pure functions; thread-safe.
#pragma once

#include <boost/json/object.hpp>

#include "governance/governance.h"
#include "governance/monitoring.h"

namespace xinyong::governance {

boost::json::object GovernanceJson(const GovernanceReport& r);
boost::json::object MonitoringJson(const MonitoringReport& r);

}  // namespace xinyong::governance
