// `sealtrail local checkpoint` and `local checkpoints`: signing a checkpoint of a data
// directory's tree and reading the stored ones (DATA_DIR/checkpoints, see checkpoint_store.h).
//
// Signed notes are printed exactly as stored, with nothing added, so the output can be piped to
// any C2SP signed-note verifier. Nothing here exits or touches the process's standard streams.
#ifndef SEALTRAIL_TOOLS_CLI_CHECKPOINT_COMMANDS_H_
#define SEALTRAIL_TOOLS_CLI_CHECKPOINT_COMMANDS_H_

#include <cstdint>
#include <ostream>
#include <string>

#include "absl/status/status.h"
#include "sealtrail/env.h"

namespace sealtrail::cli {

// `local checkpoint --key`: opens `dir` for writing (its lock; NOT_FOUND if missing, never
// created), loads the private key file `key_file` and signs a checkpoint of the current tree
// (Checkpointer::SignNow) with origin `origin` (empty: the key's name). Prints the newest stored
// signed note: the new one, or the stored one if the tree has not grown since.
absl::Status RunSignCheckpoint(Env* env, const std::string& dir, const std::string& key_file,
                               const std::string& origin, std::ostream& out);

// `local checkpoint --size`: prints the stored signed note of tree size `size` (read-only, no
// lock). NOT_FOUND if no checkpoint of that size was signed.
absl::Status RunPrintCheckpoint(Env* env, const std::string& dir, uint64_t size, std::ostream& out);

// `local checkpoints`: one JSON line per stored checkpoint, oldest first (ToJson(Checkpoint) in
// output.h). Read-only; the signatures are not checked here (that is `sealtrail verify`).
absl::Status RunListCheckpoints(Env* env, const std::string& dir, std::ostream& out);

}  // namespace sealtrail::cli

#endif  // SEALTRAIL_TOOLS_CLI_CHECKPOINT_COMMANDS_H_
