// The API's endpoint handlers, one function per route, and the small helpers they share for
// query parameters. Internal to the server module: the router (router.cc) is the only caller.
// Every handler is a plain function of the platform and the call; thread-safe as HandleRequest.
#pragma once

#include <functional>

#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/monotonic_resource.hpp>
#include <boost/json/object.hpp>
#include <boost/json/storage_ptr.hpp>

#include "core/utf8.h"
#include "security/access.h"
#include "security/audit.h"
#include "security/principal.h"
#include "server/http_message.h"
#include "server/platform.h"
#include "server/target.h"

namespace xinyong::server {

// Scratch memory for building one response's JSON: a stack buffer first, then heap blocks, all
// released at once when the handler returns — instead of a malloc per JSON node. Everything
// allocated from it must be serialized before it goes out of scope.
class JsonArena {
 public:
  JsonArena() : resource_(buffer_, sizeof buffer_) {}
  JsonArena(const JsonArena&) = delete;
  JsonArena& operator=(const JsonArena&) = delete;
  boost::json::storage_ptr storage() { return boost::json::storage_ptr(&resource_); }

 private:
  unsigned char buffer_[16384];
  boost::json::monotonic_resource resource_;
};

// One matched API call.
struct ApiCall {
  Request& request;                       // the body may be moved out by the handler
  const ParsedTarget& target;
  const std::vector<std::string>& params;  // decoded {placeholders} of the route, in order
  // Who is calling: authenticated, and allowed on the route by its roles, before the handler
  // runs (router.cc). Handlers narrow further by scope (a department's own batches and checks,
  // a subject's own consents) and decide what to show (RecordView).
  const security::Principal& principal;
};

using Handler = Response (*)(Platform&, const ApiCall&);

Response HandleHealth(Platform& p, const ApiCall& call);
Response HandleCatalog(Platform& p, const ApiCall& call);
Response HandleSubject(Platform& p, const ApiCall& call);
Response HandleSubjectRecords(Platform& p, const ApiCall& call);
Response HandleSearch(Platform& p, const ApiCall& call);  // search_handler.cc
Response HandlePostBatch(Platform& p, const ApiCall& call);
Response HandleListBatches(Platform& p, const ApiCall& call);
Response HandleGetBatch(Platform& p, const ApiCall& call);
Response HandlePostCheck(Platform& p, const ApiCall& call);  // check_handlers.cc
// The same answered without waiting on the calling thread. False, with `error`, when no check is
// made (a bad request, an unknown subject); else `reply` is called once with the answer (on the
// check logger's thread once it is logged, or at once when it cannot be). `audit` gives the audit
// entry of an answer about the check made (nullopt: none): written in the check log's own write
// when the check is logged, else after it, with the error.
using CheckAuditFn =
    std::function<std::optional<security::AuditEntry>(const Response&, const CheckLog&)>;
bool HandlePostCheckAsync(Platform& p, const ApiCall& call, CheckAuditFn audit,
                          std::function<void(Response)> reply, Response* error);
Response HandlePostCheckBatch(Platform& p, const ApiCall& call);
Response HandleGetCheck(Platform& p, const ApiCall& call);
Response HandlePostCheckFeedback(Platform& p, const ApiCall& call);
Response HandleCheckStats(Platform& p, const ApiCall& call);
Response HandleGetList(Platform& p, const ApiCall& call);
Response HandlePublicity(Platform& p, const ApiCall& call);  // portal_handlers.cc
Response HandleMeasures(Platform& p, const ApiCall& call);
Response HandleSubjectGrade(Platform& p, const ApiCall& call);  // grade_handlers.cc
Response HandleSubjectGrades(Platform& p, const ApiCall& call);
Response HandlePostGradesRecompute(Platform& p, const ApiCall& call);
Response HandlePostInspection(Platform& p, const ApiCall& call);  // inspection_handlers.cc
Response HandleGetInspection(Platform& p, const ApiCall& call);
Response HandleListInspections(Platform& p, const ApiCall& call);
Response HandlePostInspectionResults(Platform& p, const ApiCall& call);
Response HandleSubjectInspections(Platform& p, const ApiCall& call);
Response HandleSubjectAccessLog(Platform& p, const ApiCall& call);  // audit_handlers.cc
Response HandleSubjectChecks(Platform& p, const ApiCall& call);     // audit_handlers.cc
Response HandlePostDeclaration(Platform& p, const ApiCall& call);  // declaration_handlers.cc
Response HandleListDeclarations(Platform& p, const ApiCall& call);
Response HandleGetDeclaration(Platform& p, const ApiCall& call);
Response HandleWithdrawDeclaration(Platform& p, const ApiCall& call);
Response HandleListCommitments(Platform& p, const ApiCall& call);  // commitment_handlers.cc
Response HandleSubjectCommitments(Platform& p, const ApiCall& call);
Response HandlePostCommitment(Platform& p, const ApiCall& call);
Response HandlePostFulfilment(Platform& p, const ApiCall& call);
Response HandlePostToken(Platform& p, const ApiCall& call);  // access_handlers.cc
Response HandleListTokens(Platform& p, const ApiCall& call);
Response HandleRevokeToken(Platform& p, const ApiCall& call);
Response HandlePostConsent(Platform& p, const ApiCall& call);
Response HandleListConsents(Platform& p, const ApiCall& call);
Response HandleWithdrawConsent(Platform& p, const ApiCall& call);
Response HandlePostObjection(Platform& p, const ApiCall& call);  // rights_handlers.cc
Response HandleListObjections(Platform& p, const ApiCall& call);
Response HandleGetObjection(Platform& p, const ApiCall& call);
Response HandleForwardObjection(Platform& p, const ApiCall& call);
Response HandleVerifyObjection(Platform& p, const ApiCall& call);
Response HandleAnswerObjection(Platform& p, const ApiCall& call);
Response HandleWithdrawObjection(Platform& p, const ApiCall& call);
Response HandlePostRepair(Platform& p, const ApiCall& call);
Response HandleListRepairs(Platform& p, const ApiCall& call);
Response HandleGetRepair(Platform& p, const ApiCall& call);
Response HandleAcceptRepair(Platform& p, const ApiCall& call);
Response HandleRefuseRepair(Platform& p, const ApiCall& call);
Response HandleExtendRepair(Platform& p, const ApiCall& call);
Response HandleDecideRepair(Platform& p, const ApiCall& call);
Response HandleWithdrawRepair(Platform& p, const ApiCall& call);
Response HandlePostSubjectReport(Platform& p, const ApiCall& call);  // report_handlers.cc
Response HandleReportVerification(Platform& p, const ApiCall& call);
Response HandleReportPublicKey(Platform& p, const ApiCall& call);
Response HandleGovernance(Platform& p, const ApiCall& call);  // governance_handlers.cc
Response HandleGovernanceXlsx(Platform& p, const ApiCall& call);
Response HandleMonitoring(Platform& p, const ApiCall& call);
// The lock the three above hold while they read the whole store, one at a time (another asked
// meanwhile gets 429). For tests: held, it makes them busy.
std::unique_lock<std::mutex> LockWholeStoreReads();
Response HandlePostExchangeChanges(Platform& p, const ApiCall& call);  // exchange_handlers.cc
Response HandleGetExchangeCursor(Platform& p, const ApiCall& call);
Response HandleGetExchangeFeed(Platform& p, const ApiCall& call);

// A 400 invalid_argument naming the offending query or path parameter in details.parameter.
Response BadParameter(std::string_view name, std::string_view message);
// A 400 invalid_argument naming the offending member of the request body in details.field.
Response BadField(std::string_view field, std::string_view message);
// The request body as a JSON object; false (and a 400) when it is not one.
bool ParseBody(const ApiCall& call, boost::json::object* out, Response* error);
// A string member; "" when absent or null. False (and a 400 naming the field) when it is not a
// string or longer than max_bytes.
bool StringField(const boost::json::object& o, std::string_view name, std::string* out,
                 Response* error, size_t max_bytes = 1000);
// The subject named by the {code} path parameter (the first), or false and the error response.
bool ResolveSubject(Platform& p, const ApiCall& call, Subject* out, Response* error);

// Whether `subject` is a natural person that `call`'s caller sees as the public does (its view is
// public levels only): then the person's name is masked wherever the answer shows it, as in
// profiles (PersonForPublic, PersonRecordForPublic). False and the error when the caller's view
// cannot be read.
bool PersonSeenAsPublic(Platform& p, const ApiCall& call, const Subject& subject, bool* out,
                        Response* error);
// {"code", "name"} of `subject`, the name masked when `mask` (PersonSeenAsPublic).
boost::json::object SubjectHeaderJson(const Subject& subject, bool mask);
// The same for the answer to `call`, the name masked by that rule.
bool SubjectHeader(Platform& p, const ApiCall& call, const Subject& subject,
                   boost::json::object* out, Response* error);
// The disclosure levels `call`'s principal reads of the subject; false and the error when a
// consent cannot be read. The public's costs nothing.
bool ViewLevels(Platform& p, const ApiCall& call, uint64_t subject_id,
                security::DisclosureSet* out, Response* error);

// A 403 permission_denied naming the caller's role in details.role.
Response Forbidden(const ApiCall& call, std::string_view message);
// The department a request acts for. A department's token acts for its own department: `given`
// (a body field or query parameter named `name`) may be empty or that department, anything
// else is a 403. Other callers (the operator) act for `given`. False and the error otherwise.
bool ActingDepartment(const ApiCall& call, std::string_view name, const std::string& given,
                      std::string* out, Response* error);
// For a subject's token: false and a 403 unless `subject_id` is its own subject. Other callers
// pass (the route's roles decided whether they may call at all).
bool OwnSubjectOnly(const ApiCall& call, uint64_t subject_id, Response* error);

// Reads an integer query parameter in [min, max]; `def` when absent. On failure returns false and
// sets *error to a 400 naming the parameter.
bool IntParam(const ApiCall& call, std::string_view name, int64_t def, int64_t min, int64_t max,
              int64_t* out, Response* error);
// Reads an optional date query parameter written exactly YYYY-MM-DD; absent or empty leaves *out
// empty. On failure returns false and sets *error to a 400 naming the parameter.
bool DateParam(const ApiCall& call, std::string_view name, std::optional<Date>* out,
               Response* error);


}  // namespace xinyong::server
