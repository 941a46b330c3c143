// The `sealtrail` commands that talk to a running sealtraild over gRPC: query, prove and
// checkpoint here, append in append_stream.h (included), `witness --server` in witness.h. Each
// takes the server to reach (server_channel.h), prints to `out` and returns a status that main()
// maps to an exit code, as local_commands.h does. Nothing here exits or touches the process's
// standard streams.
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
#include "cli/append_stream.h"
#include "cli/query_fetcher.h"
#include "cli/record_flags.h"
#include "cli/server_channel.h"
#include "sealtrail/env.h"
#include "sealtrail/v1/audit_record.pb.h"

namespace sealtrail::cli {

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
