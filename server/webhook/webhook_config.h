// The webhook endpoints file (YAML, read with yaml-cpp): where alerts are delivered, how they
// are signed, which alerts each endpoint gets, and how hard delivery tries. Reference:
// docs/detection.md, "Endpoint configuration".
//
//   endpoints:
//     - id: identity-platform            # [A-Za-z0-9][A-Za-z0-9._-]{0,63}; names its state file
//       url: https://idp.example.com/hooks/sealtrail   # https only; no user:password@
//       secret: whsec_...                # Standard Webhooks secret, 24 to 64 bytes of key
//       ca_file: idp-ca.pem              # optional: trust only these CAs (relative: to this file)
//       ed25519: true                    # optional (false): also sign v1a with the log's key
//       rules: [lock-account.*]          # optional rule-id globs   } routing: alert_routing.h
//       min_severity: high               # optional                 }
//       tenants: [acme]                  # optional tenant globs    }
//       timeout: 15s                     # per attempt (absl durations: 500ms, 15s, 10m, 72h)
//       initial_backoff: 5s              # first retry delay cap; doubles per failed attempt
//       max_backoff: 1h                  # largest retry delay cap
//       dead_letter_after: 72h           # since the first attempt
//       max_queue: 1000                  # alerts held in memory; more wait in the log
//
// Errors are INVALID_ARGUMENT "FILE:LINE: what is wrong" (the line of the offending key or
// value, 1-based), for the first mistake found; no exception escapes.
//
// Thread-safety: pure functions; the structs are plain values.
#ifndef SEALTRAIL_SERVER_WEBHOOK_WEBHOOK_CONFIG_H_
#define SEALTRAIL_SERVER_WEBHOOK_WEBHOOK_CONFIG_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "sealtrail/env.h"
#include "server/webhook/alert_routing.h"

namespace sealtrail {

struct WebhookEndpoint {
  std::string id;
  std::string url;
  // The HMAC key: the decoded part of the secret (webhook_signature.h), never printed.
  std::string hmac_key;
  // Absolute, or relative to the working directory; empty: the system's CA store.
  std::string ca_file;
  bool ed25519 = false;
  AlertRoute route;
  absl::Duration timeout = absl::Seconds(15);
  absl::Duration initial_backoff = absl::Seconds(5);
  absl::Duration max_backoff = absl::Hours(1);
  absl::Duration dead_letter_after = absl::Hours(72);
  size_t max_queue = 1000;
  // Where the endpoint is defined ("FILE:LINE"), for messages.
  std::string defined_at;
};

struct WebhookConfig {
  std::vector<WebhookEndpoint> endpoints;
};

// Bounds the parser enforces.
inline constexpr size_t kMaxWebhookQueue = 1000000;
inline constexpr absl::Duration kMaxWebhookTimeout = absl::Minutes(10);
inline constexpr absl::Duration kMaxWebhookBackoff = absl::Hours(24);
inline constexpr absl::Duration kMaxDeadLetterAfter = absl::Hours(24 * 366);
inline constexpr uint64_t kMaxWebhookConfigBytes = 1u << 20;

// Parses `yaml` as read from `file_name` (used in messages). A relative ca_file is resolved
// against `base_dir` (empty: the working directory); each ca_file is read through `env` and must
// hold at least one PEM certificate.
[[nodiscard]] absl::StatusOr<WebhookConfig> ParseWebhookConfig(std::string_view yaml,
                                                               std::string_view file_name, Env* env,
                                                               std::string_view base_dir = "");

// Reads and parses `path`. The file holds secrets: PERMISSION_DENIED, naming the file and its
// mode, if group or others have any access to it; NOT_FOUND if missing; FAILED_PRECONDITION if
// larger than kMaxWebhookConfigBytes. Relative ca_file paths are taken from the file's directory.
[[nodiscard]] absl::StatusOr<WebhookConfig> LoadWebhookConfig(Env* env, const std::string& path);

}  // namespace sealtrail

#endif  // SEALTRAIL_SERVER_WEBHOOK_WEBHOOK_CONFIG_H_
