// The checkpoint signing key of a server: the configured key file, or else the data directory's
// dev key, generated on first start.
#ifndef SEALTRAIL_SERVER_SERVICE_SIGNING_KEY_H_
#define SEALTRAIL_SERVER_SERVICE_SIGNING_KEY_H_

#include <string>

#include "absl/status/statusor.h"
#include "sealtrail/env.h"
#include "sealtrail/note_signer.h"
#include "server/service/event_log.h"

namespace sealtrail {

// With a non-empty `key_file`: loads it (errors as NoteSigner::LoadFile, e.g.
// PERMISSION_DENIED for a file others can read). Otherwise uses DATA_DIR/dev-signing.key,
// generating it (named "sealtrail-dev-<8 random hex digits>", mode 0600) if missing, and makes
// sure DATA_DIR/dev-signing.vkey holds its verifier key (written if missing;
// FAILED_PRECONDITION if it holds another key). Logs which key is used and its verifier key.
[[nodiscard]] absl::StatusOr<NoteSigner> LoadOrCreateSigningKey(Env* env,
                                                                const std::string& data_dir,
                                                                const std::string& key_file,
                                                                EventLog* events);

}  // namespace sealtrail

#endif  // SEALTRAIL_SERVER_SERVICE_SIGNING_KEY_H_
