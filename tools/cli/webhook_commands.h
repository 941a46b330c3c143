// `sealtrail webhooks list|retry`: the server's webhook deliveries (docs/detection.md,
// "Delivery"), through the Admin service (needs an admin token). Each prints to `out` and returns
// a status that main() maps to an exit code, as server_commands.h does.
#ifndef SEALTRAIL_TOOLS_CLI_WEBHOOK_COMMANDS_H_
#define SEALTRAIL_TOOLS_CLI_WEBHOOK_COMMANDS_H_

#include <cstdint>
#include <optional>
#include <ostream>
#include <string>

#include "absl/status/status.h"
#include "cli/server_channel.h"

namespace sealtrail::cli {

// `webhooks list [--endpoint E] [--format table|json]`: each endpoint's counters, then every
// delivery not yet made and every dead letter. json: one object per line, {"endpoint": {...}}
// for counters and {"delivery": {...}} for deliveries; table: the deliveries in aligned columns
// (endpoint, alert_seq, webhook_id, rule, state, attempts, first_attempt, last_error) after one
// summary line per endpoint. Values are escaped as the query table escapes them.
absl::Status RunWebhooksList(ServerClient& client, const std::string& endpoint,
                             const std::string& format, std::ostream& out);

// `webhooks retry --endpoint E (--seq N | --all-dead)`: moves dead letters back to pending;
// prints {"endpoint": E, "retried": N}. NOT_FOUND when no such dead letter exists.
absl::Status RunWebhooksRetry(ServerClient& client, const std::string& endpoint,
                              std::optional<uint64_t> seq, std::ostream& out);

}  // namespace sealtrail::cli

#endif  // SEALTRAIL_TOOLS_CLI_WEBHOOK_COMMANDS_H_
