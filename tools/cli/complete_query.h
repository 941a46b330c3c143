// `sealtrail query --verify-complete`: a query whose answer is proven complete
// (docs/completeness.md). The answer comes as one QueryStream; each record is checked against
// its leaf hash as it arrives and printed if it matches the query's filters, and at the end
// the server's CompletenessProof is verified against the checkpoint, whose signature is checked
// with the log's verifier key. The claim (which key, which range, which order) is the client's
// own, from its flags, never the server's.
//
// Rows are printed as they arrive, so a pipe sees them at once; the verdict comes last: OK (a
// summary line on `err`), or DATA_LOSS naming what is missing or wrong (exit 3).
#ifndef SEALTRAIL_TOOLS_CLI_COMPLETE_QUERY_H_
#define SEALTRAIL_TOOLS_CLI_COMPLETE_QUERY_H_

#include <functional>
#include <ostream>
#include <string_view>

#include "absl/status/status.h"
#include "cli/query_fetcher.h"
#include "cli/server_channel.h"
#include "cli/server_commands.h"
#include "sealtrail/checkpoint.h"
#include "sealtrail/env.h"
#include "sealtrail/note.h"
#include "server/completeness/completeness_verifier.h"

namespace sealtrail::cli {

// A verify_complete answer, streamed and checked.
struct ProvenAnswer {
  CompletenessResult result;
  v1::CompletenessProof proof;
  Checkpoint checkpoint;  // Signature verified when a key was given; else only parsed.
};

// Streams `request` (verify_complete and limit 0 are set here). Each record is checked against
// its leaf hash (and, with request.with_proofs, its inclusion proof, which must be against the
// proof's tree size) and handed to `visit` as it arrives, with whether it matches the filters
// the chain key leaves to the client; then the proof is verified against its checkpoint, whose
// signature is checked with `key` unless it is null. The claim is `request`'s, never the
// server's. Errors: the server's, `visit`'s, DATA_LOSS for anything that does not verify.
absl::StatusOr<ProvenAnswer> StreamProvenAnswer(
    ServerClient& client, v1::QueryRequest request, const NoteVerifierKey* key,
    std::string_view origin, const std::function<absl::Status(QueryRow row, bool matches)>& visit);

// REQUIRES: check.vkey is set (a completeness proof without a verified checkpoint proves
// nothing). `args.limit` is ignored: a proven answer is a whole answer.
absl::Status RunCompleteQuery(Env* env, ServerClient& client, const QueryArgs& args,
                              const CheckpointCheck& check, std::ostream& out, std::ostream& err);

}  // namespace sealtrail::cli

#endif  // SEALTRAIL_TOOLS_CLI_COMPLETE_QUERY_H_
