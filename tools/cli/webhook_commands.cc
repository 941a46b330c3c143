#include "cli/webhook_commands.h"

#include <algorithm>
#include <string_view>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "cli/display_text.h"
#include "cli/output.h"
#include "cli/time_flags.h"
#include "sealtrail/status_macros.h"

namespace sealtrail::cli {
namespace {

Json CountersJson(const v1::WebhookEndpointCounters& counters) {
  return Json{{"endpoint", counters.endpoint()},
              {"delivered", counters.delivered()},
              {"failed_attempts", counters.failed_attempts()},
              {"dead_lettered", counters.dead_lettered()},
              {"overflows", counters.overflows()},
              {"queued", counters.queued()},
              {"cursor", counters.cursor()}};
}

Json DeliveryJson(const v1::WebhookDelivery& delivery) {
  return Json{{"endpoint", delivery.endpoint()},
              {"alert_seq", delivery.alert_seq()},
              {"webhook_id", delivery.webhook_id()},
              {"rule", delivery.rule_id()},
              {"state", delivery.state()},
              {"attempts", delivery.attempts()},
              {"first_attempt_ns", delivery.first_attempt_ns()},
              {"last_error", delivery.last_error()}};
}

// Code points, as the query table counts them.
size_t Width(std::string_view text) {
  return static_cast<size_t>(std::count_if(text.begin(), text.end(), [](char c) {
    return (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  }));
}

absl::Status PrintTable(const v1::ListWebhookDeliveriesResponse& response, std::ostream& out) {
  for (const v1::WebhookEndpointCounters& c : response.endpoints()) {
    out << DisplayText(c.endpoint()) << ": delivered " << c.delivered() << ", failed attempts "
        << c.failed_attempts() << ", dead-lettered " << c.dead_lettered() << ", overflows "
        << c.overflows() << ", queued " << c.queued() << ", cursor " << c.cursor() << '\n';
  }
  std::vector<std::vector<std::string>> rows = {{"endpoint", "alert_seq", "webhook_id", "rule",
                                                 "state", "attempts", "first_attempt",
                                                 "last_error"}};
  for (const v1::WebhookDelivery& d : response.deliveries()) {
    rows.push_back({DisplayText(d.endpoint()), absl::StrCat(d.alert_seq()),
                    DisplayText(d.webhook_id()), DisplayText(d.rule_id()), DisplayText(d.state()),
                    absl::StrCat(d.attempts()),
                    d.first_attempt_ns() == 0 ? "-" : FormatCommitTime(d.first_attempt_ns()),
                    DisplayText(d.last_error())});
  }
  std::vector<size_t> widths(rows.front().size(), 0);
  for (const auto& row : rows) {
    for (size_t i = 0; i < row.size(); ++i) widths[i] = std::max(widths[i], Width(row[i]));
  }
  for (const auto& row : rows) {
    std::string line;
    for (size_t i = 0; i < row.size(); ++i) {
      line += row[i];
      if (i + 1 < row.size()) line.append(widths[i] - Width(row[i]) + 2, ' ');
    }
    line.erase(line.find_last_not_of(' ') + 1);
    out << line << '\n';
  }
  out << std::flush;
  if (!out) return absl::UnknownError("cannot write to the output stream");
  return absl::OkStatus();
}

}  // namespace

absl::Status RunWebhooksList(ServerClient& client, const std::string& endpoint,
                             const std::string& format, std::ostream& out) {
  if (format != "table" && format != "json") {
    return absl::InvalidArgumentError(
        absl::StrCat("--format must be table or json, got '", DisplayText(format), "'"));
  }
  v1::ListWebhookDeliveriesRequest request;
  request.set_endpoint(endpoint);
  ASSIGN_OR_RETURN(v1::ListWebhookDeliveriesResponse response,
                   client.ListWebhookDeliveries(request));
  if (format == "table") return PrintTable(response, out);
  for (const v1::WebhookEndpointCounters& counters : response.endpoints()) {
    RETURN_IF_ERROR(WriteJsonLine(out, Json{{"endpoint", CountersJson(counters)}}));
  }
  for (const v1::WebhookDelivery& delivery : response.deliveries()) {
    RETURN_IF_ERROR(WriteJsonLine(out, Json{{"delivery", DeliveryJson(delivery)}}));
  }
  return absl::OkStatus();
}

absl::Status RunWebhooksRetry(ServerClient& client, const std::string& endpoint,
                              std::optional<uint64_t> seq, std::ostream& out) {
  v1::RetryWebhookDeliveriesRequest request;
  request.set_endpoint(endpoint);
  if (seq.has_value()) {
    request.set_alert_seq(*seq);
  } else {
    request.set_all_dead(true);
  }
  ASSIGN_OR_RETURN(v1::RetryWebhookDeliveriesResponse response,
                   client.RetryWebhookDeliveries(request));
  return WriteJsonLine(out, Json{{"endpoint", endpoint}, {"retried", response.retried()}});
}

}  // namespace sealtrail::cli
