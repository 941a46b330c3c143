// `sealtrail export`: one tenant's records committed in [--from, --to) from sealtraild, written
// as a self-contained bundle (bundle_format.h) that `sealtrail verify-bundle` checks offline: the
// signed checkpoint, and per record its exact stored bytes and its C2SP tlog-proof against that
// one checkpoint.
//
// Nothing the server sends is trusted: every record is verified as `query --with-proofs` verifies
// it (query_fetcher.h), every proof must be against the one checkpoint and lead to its root, and
// every record must have the tenant, a commit time in the range, and match the filters; otherwise
// DATA_LOSS (exit 3) and no bundle. With a vkey, the checkpoint's signature is verified first.
//
// The exporter is trusted for completeness: a bundle proves that each record in it is in the
// signed tree, not that no record of the range was left out (docs/cli.md#export-bundles).
#ifndef SEALTRAIL_TOOLS_CLI_EXPORT_COMMAND_H_
#define SEALTRAIL_TOOLS_CLI_EXPORT_COMMAND_H_

#include <ostream>
#include <string>

#include "absl/status/status.h"
#include "cli/query_fetcher.h"
#include "cli/server_channel.h"
#include "cli/server_commands.h"
#include "sealtrail/env.h"

namespace sealtrail::cli {

struct ExportArgs {
  std::string bundle_dir{};  // A new or empty directory.
  // tenant, from and to are required; actor, action, outcome and trace_id filter. The order,
  // limit, proof and output fields are ignored: a bundle holds every match, oldest first.
  QueryArgs query{};
  CheckpointCheck check{};  // Optional: verify the checkpoint's signature before exporting.
};

// Fetches the signed checkpoint that covers the newest record in the range (the server signs one
// if the latest does not), then every matching record with its inclusion proof at that
// checkpoint's tree size, page by page (one page in memory), and writes them with BundleWriter;
// prints ToJson(BundleManifest) with "bundle":DIR first as one line. Records committed after the
// export began may be left out when --to is in the future.
// INVALID_ARGUMENT for a missing tenant, --from or --to, or from >= to, before the server is
// asked; ALREADY_EXISTS if DIR is in the way (BundleWriter::CheckTarget).
absl::Status RunExport(Env* env, ServerClient& client, const ExportArgs& args, std::ostream& out);

}  // namespace sealtrail::cli

#endif  // SEALTRAIL_TOOLS_CLI_EXPORT_COMMAND_H_
