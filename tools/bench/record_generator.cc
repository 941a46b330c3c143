#include "bench/record_generator.h"

#include <array>
#include <string_view>

#include "absl/strings/str_cat.h"

namespace sealtrail::bench {
namespace {

struct ActionKind {
  const char* name;
  const char* method;
  const char* route;
  const char* resource_type;
  const char* resource_prefix;
  uint32_t weight;  // Relative frequency.
};

// Supervisors listening in on calls dominate a contact center's audit trail.
constexpr std::array<ActionKind, 8> kActions = {{
    {"call.barge", "POST", "/v2/calls/{call_id}/barge", "call", "call-", 20},
    {"call.whisper", "POST", "/v2/calls/{call_id}/whisper", "call", "call-", 20},
    {"call.monitor", "POST", "/v2/calls/{call_id}/monitor", "call", "call-", 25},
    {"config.update", "PUT", "/v2/queues/{queue_id}/config", "queue", "queue-", 10},
    {"data.export", "POST", "/v2/exports", "transcript", "export-", 5},
    {"auth.login", "POST", "/v2/auth/login", "session", "sess-", 15},
    {"recording.download", "GET", "/v2/recordings/{recording_id}", "recording", "rec-", 4},
    {"user.role.update", "PATCH", "/v2/users/{user_id}/role", "user", "agent-", 1},
}};

constexpr std::array<std::string_view, 4> kRoles = {"agent", "supervisor", "supervisor", "admin"};
constexpr std::array<std::string_view, 3> kUserAgents = {
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/124.0",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_4) Safari/605.1",
    "cx-desktop/5.12.3 (Electron 29; linux)",
};
constexpr std::array<std::string_view, 4> kQueues = {"billing", "support", "sales", "retention"};
constexpr std::string_view kPadAlphabet = "abcdefghijklmnopqrstuvwxyz0123456789";

uint32_t TotalWeight() {
  uint32_t total = 0;
  for (const ActionKind& action : kActions) total += action.weight;
  return total;
}

}  // namespace

std::string ActorId(uint32_t actor) { return absl::StrCat("agent-", actor); }
std::string TenantId(uint32_t tenant) { return absl::StrCat("tenant-", tenant); }
uint32_t TenantOfActor(uint32_t actor, uint32_t tenants) { return actor % tenants; }

RecordGenerator::RecordGenerator(RecordShape shape, uint64_t seed) : shape_(shape), rng_(seed) {}

std::string RecordGenerator::RandomBytes(size_t n) {
  std::string bytes(n, '\0');
  for (char& c : bytes) c = static_cast<char>(rng_() & 0xff);
  return bytes;
}

std::string RecordGenerator::RandomHex(size_t n) {
  static constexpr std::string_view kHex = "0123456789abcdef";
  std::string hex(n, '0');
  for (char& c : hex) c = kHex[rng_() % kHex.size()];
  return hex;
}

v1::AuditRecord RecordGenerator::Next(uint32_t actor) {
  v1::AuditRecord record;
  uint32_t pick = static_cast<uint32_t>(rng_() % TotalWeight());
  const ActionKind* action = &kActions[0];
  for (const ActionKind& candidate : kActions) {
    if (pick < candidate.weight) {
      action = &candidate;
      break;
    }
    pick -= candidate.weight;
  }

  v1::Actor* who = record.mutable_actor();
  who->set_user_id(ActorId(actor));
  who->set_role(std::string(kRoles[rng_() % kRoles.size()]));
  if (rng_() % 4 == 0) who->set_service("call-control");

  v1::Action* what = record.mutable_action();
  what->set_name(action->name);
  what->set_method(action->method);
  what->set_route(action->route);
  what->set_resource_type(action->resource_type);
  what->set_resource_id(absl::StrCat(action->resource_prefix, RandomHex(12)));

  v1::Context* where = record.mutable_context();
  where->set_tenant_id(TenantId(TenantOfActor(actor, shape_.tenants)));
  where->set_source_ip(absl::StrCat("10.", rng_() % 256, ".", rng_() % 256, ".", rng_() % 254 + 1));
  // Around 2026-11, to the nanosecond, as a client's clock would give.
  where->set_event_time_ns(int64_t{1'795'000'000'000'000'000} +
                           static_cast<int64_t>(rng_() % 1'000'000'000'000'000));
  where->set_user_agent(std::string(kUserAgents[rng_() % kUserAgents.size()]));
  where->set_session_id(absl::StrCat("sess-", RandomHex(16)));

  v1::Outcome* outcome = record.mutable_outcome();
  const uint32_t roll = static_cast<uint32_t>(rng_() % 100);
  if (roll < 95) {
    outcome->set_result(v1::Outcome::SUCCESS);
    outcome->set_status_code(200);
  } else if (roll < 98) {
    outcome->set_result(v1::Outcome::FAILURE);
    outcome->set_status_code(503);
    outcome->set_reason("upstream media server unavailable");
  } else {
    outcome->set_result(v1::Outcome::DENIED);
    outcome->set_status_code(403);
    outcome->set_reason(absl::StrCat("missing permission ", action->name));
  }

  record.mutable_correlation()->set_trace_id(RandomBytes(16));
  record.mutable_correlation()->set_span_id(RandomBytes(8));

  v1::Details* details = record.mutable_details();
  if (std::string_view(action->name) == "config.update") {
    details->set_old_value(absl::StrCat("max_wait_s=", rng_() % 600));
    details->set_new_value(absl::StrCat("max_wait_s=", rng_() % 600));
  } else if (std::string_view(action->name) == "data.export") {
    details->set_row_count(static_cast<int64_t>(rng_() % 100000));
    details->set_data_class(rng_() % 2 == 0 ? "pii" : "recordings");
  }
  (*details->mutable_attributes())["queue"] = std::string(kQueues[rng_() % kQueues.size()]);
  Pad(record);
  return record;
}

// Grows details.attributes["note"] until the record is record_size bytes (the varint length
// prefixes make the overhead step, so two passes settle it).
void RecordGenerator::Pad(v1::AuditRecord& record) {
  if (record.ByteSizeLong() >= shape_.record_size) return;
  std::string& note = (*record.mutable_details()->mutable_attributes())["note"];
  for (int pass = 0; pass < 3; ++pass) {
    const size_t size = record.ByteSizeLong();
    if (size == shape_.record_size) return;
    if (size > shape_.record_size) {
      const size_t excess = size - shape_.record_size;
      note.resize(note.size() > excess ? note.size() - excess : 0);
    } else {
      const size_t missing = shape_.record_size - size;
      for (size_t i = 0; i < missing; ++i)
        note.push_back(kPadAlphabet[rng_() % kPadAlphabet.size()]);
    }
  }
}

}  // namespace sealtrail::bench
