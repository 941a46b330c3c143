// Defaults shared by sealtraild and the clients that talk to it (the CLI, the bench client), so
// that a local try needs no flags on either side.
#ifndef SEALTRAIL_SERVER_SERVICE_DEFAULTS_H_
#define SEALTRAIL_SERVER_SERVICE_DEFAULTS_H_

#include <string_view>

namespace sealtrail {

// Where sealtraild listens by default: loopback only.
inline constexpr char kDefaultServerAddress[] = "127.0.0.1:7700";
// Where sealtraild serves OTLP/HTTP logs by default: loopback, OTLP's conventional port.
inline constexpr char kDefaultOtlpHttpAddress[] = "127.0.0.1:4318";
// The environment variable clients read for the server address before falling back to the above.
inline constexpr char kServerAddressEnv[] = "SEALTRAIL_SERVER";

// Files sealtraild creates in its data directory when no signing key is given: the dev signing
// key (mode 0600) and its verifier key, one line "name+keyid+base64".
inline constexpr char kDevSigningKeyFile[] = "dev-signing.key";
inline constexpr char kDevVerifierKeyFile[] = "dev-signing.vkey";
// The index directory inside the data directory, unless configured elsewhere.
inline constexpr char kDefaultIndexDir[] = "index";
// The webhook delivery state (server/webhook/), inside the data directory.
inline constexpr char kWebhookStateDir[] = "webhooks";

// Query limits: the page size when the request names none, and the most a page may hold.
inline constexpr unsigned kDefaultQueryLimit = 100;

}  // namespace sealtrail

#endif  // SEALTRAIL_SERVER_SERVICE_DEFAULTS_H_
