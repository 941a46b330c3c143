// Which endpoints get which alerts: per-rule routing ("lock account" rules to the identity
// platform, "page" rules to the on-call tool) by rule-id glob and minimum severity, narrowed by
// tenant.
//
// An endpoint takes an alert when
//   its tenant matches one of `tenants` (or `tenants` is empty), and
//   either the endpoint names no `rules` and no `min_severity` (it takes every alert), or the
//   rule id matches one of `rules`, or the alert's severity is at least `min_severity`.
// So `rules: [page.*]` with `min_severity: critical` takes every page.* rule and anything
// critical (an integrity.violation among them).
//
// Globs are fnmatch(3) patterns without flags: '*' (any run, dots included), '?', "[...]".
//
// Thread-safety: pure functions.
#ifndef SEALTRAIL_SERVER_WEBHOOK_ALERT_ROUTING_H_
#define SEALTRAIL_SERVER_WEBHOOK_ALERT_ROUTING_H_

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "server/webhook/alert_feed.h"

namespace sealtrail {

// The severity scale of alerts, lowest first. The integrity alarm raises kCritical.
enum class AlertSeverity { kInfo = 0, kLow = 1, kMedium = 2, kHigh = 3, kCritical = 4 };

// "info", "low", "medium", "high" or "critical"; none for any other text.
std::optional<AlertSeverity> ParseAlertSeverity(std::string_view name);
std::string_view AlertSeverityName(AlertSeverity severity);
// "info, low, medium, high, critical", for messages.
std::string_view AlertSeverityNames();

struct AlertRoute {
  std::vector<std::string> rules;             // rule-id globs
  std::optional<AlertSeverity> min_severity;  // none: severity does not route
  std::vector<std::string> tenants;           // tenant globs; empty: every tenant
};

// Whether an endpoint with `route` takes `alert` (rules above). An alert whose severity is not
// one of the scale's names counts as critical: a misspelt severity must not silence an alert.
bool RouteTakes(const AlertRoute& route, const PendingAlert& alert);

// Whether `text` matches the glob `pattern`.
bool GlobMatches(std::string_view pattern, std::string_view text);

}  // namespace sealtrail

#endif  // SEALTRAIL_SERVER_WEBHOOK_ALERT_ROUTING_H_
