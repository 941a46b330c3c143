#include "server/webhook/alert_routing.h"

#include <fnmatch.h>

#include <array>

namespace sealtrail {
namespace {

constexpr std::array<std::string_view, 5> kSeverityNames = {"info", "low", "medium", "high",
                                                            "critical"};

bool AnyGlobMatches(const std::vector<std::string>& patterns, std::string_view text) {
  for (const std::string& pattern : patterns) {
    if (GlobMatches(pattern, text)) return true;
  }
  return false;
}

}  // namespace

std::optional<AlertSeverity> ParseAlertSeverity(std::string_view name) {
  for (size_t i = 0; i < kSeverityNames.size(); ++i) {
    if (kSeverityNames[i] == name) return static_cast<AlertSeverity>(i);
  }
  return std::nullopt;
}

std::string_view AlertSeverityName(AlertSeverity severity) {
  return kSeverityNames[static_cast<size_t>(severity)];
}

std::string_view AlertSeverityNames() { return "info, low, medium, high, critical"; }

bool GlobMatches(std::string_view pattern, std::string_view text) {
  // fnmatch needs NUL-terminated strings; rule ids and tenants are short.
  const std::string pattern_z(pattern);
  const std::string text_z(text);
  return fnmatch(pattern_z.c_str(), text_z.c_str(), 0) == 0;
}

bool RouteTakes(const AlertRoute& route, const PendingAlert& alert) {
  if (!route.tenants.empty() && !AnyGlobMatches(route.tenants, alert.tenant)) return false;
  if (route.rules.empty() && !route.min_severity.has_value()) return true;
  if (AnyGlobMatches(route.rules, alert.rule_id)) return true;
  if (!route.min_severity.has_value()) return false;
  const AlertSeverity severity =
      ParseAlertSeverity(alert.severity).value_or(AlertSeverity::kCritical);
  return severity >= *route.min_severity;
}

}  // namespace sealtrail
