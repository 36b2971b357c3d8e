// Voluntary declarations (自主申报) as a service of the platform, shared by the API and the CLI.
// A subject declares credit information about itself — a qualification or licence it holds, an
// honour, contract performance, public-interest work — with a public commitment that it is
// lawful, true, accurate and complete. Both go through the ordinary ingestion path: the
// declaration as a record of the catalog's self_declaration indicator (category 自愿提供的信息,
// shown everywhere as self-declared, nature neutral so it moves no measure and no grade), and the
// commitment as a 主动型 credit_commitment accepted by the unit of the rights policy's
// [declaration], numbered like the declaration. The subject may withdraw a declaration; the
// operator revokes a false one, and then the commitment is found 全部未履行 / 虚假承诺, which
// derives the 违背信用承诺 negative record in the same batch (FACTS §7).
// A subject may also make a 主动型 commitment on its own (主动承诺, MakeCommitment): the same row,
// the same accepting unit and the same self-service numbers, without a declaration.
#pragma once

#include <boost/json.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/date.h"
#include "core/status.h"
#include "model/record.h"
#include "model/subject.h"
#include "server/commitments.h"
#include "server/platform.h"

namespace xinyong::server {

inline constexpr std::string_view kDeclarationIndicator = "self_declaration";

// What a subject declares. Dates as YYYY-MM-DD; "" when not given.
struct DeclarationRequest {
  std::string kind;         // 申报类别: 资质证照 / 荣誉奖励 / 合同履约 / 社会公益 / 其他
  std::string title;        // 申报事项
  std::string content;      // 申报内容
  std::string issuer;       // 颁发或认定单位 (or the other party of a contract)
  std::string obtained;     // 取得日期
  std::string valid_until;  // 有效期至
  std::string evidence;     // 证明材料 (a description: what the subject can show)
  // 可向社会公开 / 不可公开; "" = public for organizations, not public for natural persons.
  std::string publicity;
  bool truthful = false;    // the subject makes the truthfulness commitment; required
};

struct Declaration {
  Record record;                    // the declaration's current version
  std::optional<CommitmentEntry> commitment;  // its truthfulness commitment, when found
};

// The NotFound of a declaration number `subject` does not have — also the answer for one the
// caller may not see, so that the two cannot be told apart.
Status NoSuchDeclaration(const Subject& subject, std::string_view number);

// Records a declaration of `subject` and its commitment, made on `today`, resident ID numbers in
// its free text masked. The number's serial comes from 900000-999999 (departments number their
// commitments from 1) and is never a code the subject already has. InvalidArgument naming the
// request field in *bad_field ("truthful" when the commitment is not made; the field the ingester
// rejected, mapped back to the request's name); FailedPrecondition when the subject has no code a
// row can name it by. Two batches, the declaration first: when the commitment is refused the
// declaration is revoked again and the error returned; a crash between the two leaves a
// declaration whose `commitment` is null, which the operator sees (and may revoke).
Result<Declaration> Declare(Platform& p, const Subject& subject, const DeclarationRequest& request,
                            Date today, std::string* bad_field);

// A 主动型 credit commitment a subject makes on its own (主动承诺), online or through the operator.
struct CommitmentRequest {
  std::string reason;       // 承诺事由; required
  std::string content;      // 承诺内容; required
  std::string liability;    // 违诺责任; "" = the liability text of rights.toml [declaration]
  std::string valid_until;  // 承诺有效期 (YYYY-MM-DD, not before today); "" = none
  // 可向社会公开 / 不可公开; "" = as for a declaration (public for organizations only).
  std::string publicity;
};

// Records the commitment of `subject` made on `today` as a 主动型 credit_commitment accepted by
// the unit of [declaration], numbered from the self-service range as a declaration is, resident
// ID numbers in its free text masked. InvalidArgument naming the request field in *bad_field
// (a missing reason or content, a valid_until that is no date or in the past, a publicity other
// than the two above, or the field the ingester rejected, mapped back to the request's name);
// FailedPrecondition when the subject has no code a row can name it by.
Result<CommitmentEntry> MakeCommitment(Platform& p, const Subject& subject,
                                       const CommitmentRequest& request, Date today,
                                       std::string* bad_field);

// The declaration `number` of `subject`, with its commitment. NotFound when it has none.
Result<Declaration> GetDeclaration(Platform& p, const Subject& subject, std::string_view number,
                                   Date today);

class RecordView;  // server/access.h

// A subject's declarations, newest first: those in force that `view` shows (every one when view
// is null: the operator's local view), and with `all_statuses` the withdrawn and revoked ones too.
Status ListDeclarations(Platform& p, const Subject& subject, RecordView* view, bool all_statuses,
                        Date today, std::vector<Declaration>* out);

// Ends a declaration: withdrawn by its subject, or revoked by the operator. With
// `false_declaration` (the operator only: PermissionDenied otherwise) its commitment is found
// 全部未履行 and 虚假承诺 first, deriving the negative record — also for a declaration its subject
// withdrew, since withdrawing does not take back what was published; the truthfulness commitment
// itself stays as made. `reason` is required (ID numbers in it masked); an InvalidArgument about
// it (missing, or too long for the finding's text) begins "reason". NotFound for an unknown number;
// FailedPrecondition when the declaration is no longer in force (without false_declaration), or
// its commitment is missing or was found broken already (with it; one found kept may still be
// found false).
Result<Declaration> EndDeclaration(Platform& p, const Subject& subject, std::string_view number,
                                   std::string_view reason, bool by_operator,
                                   bool false_declaration, Date today);

// {"number", "kind", "title", "content", "issuer", "obtained", "valid_until", "evidence",
//  "declared", "status", "self_declared": true, "source_label": "自主申报", "publicity",
//  "commitment": {code, state, state_label, ...} | null, "record": the record}
boost::json::object DeclarationJson(Platform& p, const Declaration& d);

}  // namespace xinyong::server
