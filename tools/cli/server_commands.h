// The `sealtrail` commands that talk to a running sealtraild over gRPC: append, query, prove and
// checkpoint (`witness --server` is in witness.h). Each takes the server to reach
// (server_channel.h), prints to `out` and returns a status that main() maps to an exit code, as
// local_commands.h does. Nothing here exits or touches the process's standard streams.
//
// The server is not trusted with what it returns: every record's bytes are rehashed against its
// leaf hash, every proof is verified before it is printed, and with a verifier key the proof is
// tied to a signed checkpoint (server_evidence.h). Whatever does not verify is DATA_LOSS (exit 3)
// and is not printed.
#ifndef SEALTRAIL_TOOLS_CLI_SERVER_COMMANDS_H_
#define SEALTRAIL_TOOLS_CLI_SERVER_COMMANDS_H_

#include <cstddef>
#include <cstdint>
#include <istream>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "cli/query_fetcher.h"
#include "cli/record_flags.h"
#include "cli/server_channel.h"
#include "sealtrail/env.h"
#include "sealtrail/v1/audit_record.pb.h"

namespace sealtrail::cli {

// `append` from stdin: records per AppendRequest, and requests in flight on the stream.
inline constexpr size_t kAppendRequestRecords = 256;
inline constexpr size_t kAppendWindowRequests = 8;
// Longest JSON line `append` reads.
inline constexpr size_t kMaxJsonLineBytes = 1 << 20;

// The records `append` sends, and the end users' JWTs that vouch for their actors
// (AppendRequest.actor_tokens): `actor_tokens` is empty when no record has one, else holds one
// per record, "" for a record without one.
struct AppendInput {
  std::vector<v1::AuditRecord> records{};
  std::vector<std::string> actor_tokens{};
};

// Every line of `in` as a record: either a record in protobuf's JSON mapping (RecordFromJson),
// or {"record": RECORD, "actor_token": "JWT"} (the only two keys; actor_token optional), each
// record checked with ValidateRecord. INVALID_ARGUMENT naming the 1-based line for the first line
// that is empty, too long, not a record, or not a valid one (a message never holds a token);
// UNKNOWN if reading fails.
absl::StatusOr<AppendInput> ReadJsonRecords(std::istream& in);

// `append`: reads and checks all of `in` first (nothing is sent if any line is rejected), then
// sends the records in order over AuditLog.AppendStream, kAppendRequestRecords per request with
// at most kAppendWindowRequests unanswered, and prints one line per record as each reply arrives
// (after the server made it durable): ToJson(AppendedRecord). If the stream fails part way, the
// records printed are appended and the error says how many that was. DEADLINE_EXCEEDED if the
// server sends no reply for the connection's call_timeout.
absl::Status RunServerAppend(ServerClient& client, std::istream& in, std::ostream& out);

// `append --tenant ... --action ... [--actor-token JWT]`: the one record the flags describe
// (RecordFromFlags, ValidateRecord), sent with the unary Append together with `actor_token` (the
// end user's JWT; empty: none); prints its line as above.
absl::Status RunServerAppendRecord(ServerClient& client, const RecordFlags& flags,
                                   std::ostream& out, const std::string& actor_token = "");

// `query`: the first `limit` matching records (QueryArgs, query_fetcher.h) in the requested
// order, fetched in Query pages, each verified by QueryFetcher and printed in `format`.
// With `follow`: prints the newest `limit` matches oldest first (or with oldest_first the oldest
// `limit`), then every poll_interval asks for matches after the last seq printed and prints them,
// until `follow_for` has passed. INVALID_ARGUMENT for bad arguments, before the server is asked.
absl::Status RunQuery(ServerClient& client, const QueryArgs& args, std::ostream& out);

// Optional verification against a signed checkpoint for `prove`.
struct CheckpointCheck {
  std::string vkey{};    // Empty: no checkpoint check. Verifier key text or a file holding it.
  std::string origin{};  // Expected origin; empty: the key's name.
};

// Which record `prove` proves: `seq`, or the leaf hash `leaf_hash` (base64 or 64 hex digits).
struct InclusionTarget {
  std::optional<uint64_t> seq{};
  std::string leaf_hash{};
  std::optional<uint64_t> tree_size{};  // None: the latest checkpoint's size.
};

// `prove --seq | --leaf-hash`: prints the inclusion proof as `local prove-inclusion` does
// (ToJson(InclusionEvidence)), after checking that it verifies, that the record's bytes hash to
// its leaf, and that it is the proof asked for. The proof is in the tree of tree_size, or when
// none is given of the latest checkpoint's size (the server signs a checkpoint that covers the
// record if the latest does not). With a vkey, also fetches the signed checkpoint of the proof's
// tree size (NOT_FOUND if a tree_size given is not a checkpointed size), verifies its signature
// and requires its root to be the proof's. DATA_LOSS for anything that does not verify,
// UNAUTHENTICATED for a bad signature or origin.
// With ProofFormat::kTlogProof it prints the proof as a C2SP tlog-proof instead
// (sealtrail/tlog_proof.h: index, path, then the signed checkpoint of the proof's tree size
// verbatim), after checking that the checkpoint's root is the proof's (and with a vkey, its
// signature).
enum class ProofFormat { kJson, kTlogProof };
absl::Status RunServerProveInclusion(Env* env, ServerClient& client, const InclusionTarget& target,
                                     const CheckpointCheck& check, std::ostream& out,
                                     ProofFormat format = ProofFormat::kJson);

// `prove --old M [--new N]`: prints the consistency proof as `local prove-consistency` does,
// checked as above (with a vkey, the new root must be the signed checkpoint's of the proof's new
// size: N, or the latest checkpoint's when N is not given).
absl::Status RunServerProveConsistency(Env* env, ServerClient& client, uint64_t old_size,
                                       std::optional<uint64_t> new_size,
                                       const CheckpointCheck& check, std::ostream& out);

// `checkpoint`: prints the signed note of the stored checkpoint of `tree_size` (or the latest)
// exactly as the server stores it, nothing added.
absl::Status RunServerCheckpoint(ServerClient& client, std::optional<uint64_t> tree_size,
                                 std::ostream& out);

}  // namespace sealtrail::cli

#endif  // SEALTRAIL_TOOLS_CLI_SERVER_COMMANDS_H_
