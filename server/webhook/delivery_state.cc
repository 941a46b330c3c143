#include "server/webhook/delivery_state.h"

#include <algorithm>
#include <iterator>
#include <set>

#include "absl/strings/str_cat.h"
#include "nlohmann/json.hpp"

namespace sealtrail {
namespace {

using Json = nlohmann::ordered_json;

constexpr std::string_view kTypeNames[] = {"cursor", "attempt", "delivered", "dead", "retry"};

std::string_view TypeName(DeliveryEventType type) { return kTypeNames[static_cast<int>(type)]; }

// Readers of the fields of one decoded object; each sets `error` (once) when a field is missing
// or has the wrong type.
class Fields {
 public:
  explicit Fields(const Json& object) : object_(object) {}

  uint64_t Unsigned(const char* name) {
    const auto it = object_.find(name);
    if (it == object_.end() || !it->is_number_unsigned()) {
      Fail(name, "a whole number");
      return 0;
    }
    return it->get<uint64_t>();
  }
  int64_t Signed(const char* name) {
    const auto it = object_.find(name);
    if (it == object_.end() || !it->is_number_integer()) {
      Fail(name, "a whole number");
      return 0;
    }
    return it->get<int64_t>();
  }
  std::string Text(const char* name) {
    const auto it = object_.find(name);
    if (it == object_.end() || !it->is_string()) {
      Fail(name, "text");
      return "";
    }
    return it->get<std::string>();
  }
  const std::string& error() const { return error_; }

 private:
  void Fail(const char* name, const char* expected) {
    if (error_.empty()) error_ = absl::StrCat("field \"", name, "\" is missing or not ", expected);
  }
  const Json& object_;
  std::string error_;
};

}  // namespace

DeliveryEvent CursorEvent(uint64_t cursor) {
  DeliveryEvent event;
  event.type = DeliveryEventType::kCursor;
  event.cursor = cursor;
  return event;
}

DeliveryEvent RetryEvent(uint64_t seq) {
  DeliveryEvent event;
  event.type = DeliveryEventType::kRetry;
  event.seq = seq;
  return event;
}

absl::Status CheckDeliveryEvents(absl::Span<const DeliveryEvent> events,
                                 const DeliveryState& state) {
  // Dead letters as the events before each one leave them.
  std::set<uint64_t> dead_here;
  std::set<uint64_t> retried_here;
  for (const DeliveryEvent& event : events) {
    if (event.type == DeliveryEventType::kDeadLettered) {
      dead_here.insert(event.seq);
      retried_here.erase(event.seq);
    }
    if (event.type != DeliveryEventType::kRetry) continue;
    const bool dead =
        (state.dead_letters.count(event.seq) != 0 || dead_here.count(event.seq) != 0) &&
        retried_here.count(event.seq) == 0;
    if (!dead) {
      return absl::InvalidArgumentError(
          absl::StrCat("retry of alert ", event.seq, ", which is not dead-lettered"));
    }
    retried_here.insert(event.seq);
    dead_here.erase(event.seq);
  }
  return absl::OkStatus();
}

namespace {

// Moves the cursor forward and forgets the attempts of alerts it passed that are not pending
// retries (an alert the endpoint's routing no longer takes).
void AdvanceCursor(uint64_t cursor, DeliveryState* state) {
  state->cursor = std::max(state->cursor, cursor);
  for (auto it = state->attempts.begin();
       it != state->attempts.end() && it->first < state->cursor;) {
    it = state->retries.count(it->first) != 0 ? std::next(it) : state->attempts.erase(it);
  }
}

}  // namespace

void ApplyDeliveryEvent(const DeliveryEvent& event, DeliveryState* state) {
  switch (event.type) {
    case DeliveryEventType::kCursor:
      AdvanceCursor(event.cursor, state);
      return;
    case DeliveryEventType::kAttempt:
      state->attempts[event.seq] =
          DeliveryAttempts{event.attempts, event.first_attempt_unix_ms, event.error};
      return;
    case DeliveryEventType::kDelivered:
      state->attempts.erase(event.seq);
      state->retries.erase(event.seq);
      AdvanceCursor(event.cursor, state);
      return;
    case DeliveryEventType::kDeadLettered:
      state->attempts.erase(event.seq);
      state->retries.erase(event.seq);
      state->dead_letters[event.seq] = DeadLetter{event.seq,
                                                  event.webhook_id,
                                                  event.rule_id,
                                                  event.attempts,
                                                  event.first_attempt_unix_ms,
                                                  event.at_unix_ms,
                                                  event.error};
      AdvanceCursor(event.cursor, state);
      return;
    case DeliveryEventType::kRetry: {
      auto it = state->dead_letters.find(event.seq);
      state->attempts.erase(event.seq);  // A fresh start: dead_letter_after counts anew.
      state->retries[event.seq] = std::move(it->second);
      state->dead_letters.erase(it);
      return;
    }
  }
}

std::vector<DeliveryEvent> SnapshotDeliveryEvents(const DeliveryState& state) {
  std::vector<DeliveryEvent> events = {CursorEvent(state.cursor)};
  auto dead_letter = [&](const DeadLetter& letter) {
    DeliveryEvent event;
    event.type = DeliveryEventType::kDeadLettered;
    event.seq = letter.seq;
    event.cursor = state.cursor;
    event.attempts = letter.attempts;
    event.first_attempt_unix_ms = letter.first_attempt_unix_ms;
    event.at_unix_ms = letter.dead_lettered_unix_ms;
    event.error = letter.last_error;
    event.webhook_id = letter.webhook_id;
    event.rule_id = letter.rule_id;
    events.push_back(std::move(event));
  };
  for (const auto& [seq, letter] : state.dead_letters) dead_letter(letter);
  for (const auto& [seq, letter] : state.retries) {
    dead_letter(letter);
    events.push_back(RetryEvent(seq));
  }
  for (const auto& [seq, attempts] : state.attempts) {
    DeliveryEvent event;
    event.type = DeliveryEventType::kAttempt;
    event.seq = seq;
    event.attempts = attempts.attempts;
    event.first_attempt_unix_ms = attempts.first_attempt_unix_ms;
    event.error = attempts.last_error;
    events.push_back(std::move(event));
  }
  return events;
}

std::string EncodeDeliveryEvent(const DeliveryEvent& event) {
  Json json;
  json["t"] = std::string(TypeName(event.type));
  switch (event.type) {
    case DeliveryEventType::kCursor:
      json["cursor"] = event.cursor;
      break;
    case DeliveryEventType::kAttempt:
      json["seq"] = event.seq;
      json["attempts"] = event.attempts;
      json["first_ms"] = event.first_attempt_unix_ms;
      json["error"] = event.error;
      break;
    case DeliveryEventType::kDelivered:
      json["seq"] = event.seq;
      json["attempts"] = event.attempts;
      json["at_ms"] = event.at_unix_ms;
      json["cursor"] = event.cursor;
      break;
    case DeliveryEventType::kDeadLettered:
      json["seq"] = event.seq;
      json["id"] = event.webhook_id;
      json["rule"] = event.rule_id;
      json["attempts"] = event.attempts;
      json["first_ms"] = event.first_attempt_unix_ms;
      json["at_ms"] = event.at_unix_ms;
      json["error"] = event.error;
      json["cursor"] = event.cursor;
      break;
    case DeliveryEventType::kRetry:
      json["seq"] = event.seq;
      break;
  }
  return json.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

absl::StatusOr<DeliveryEvent> DecodeDeliveryEvent(std::string_view text) {
  const Json json = Json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
  if (json.is_discarded() || !json.is_object()) {
    return absl::InvalidArgumentError("not a JSON object");
  }
  Fields fields(json);
  const std::string type = fields.Text("t");
  DeliveryEvent event;
  const auto* name = std::find(std::begin(kTypeNames), std::end(kTypeNames), type);
  if (!fields.error().empty() || name == std::end(kTypeNames)) {
    return absl::InvalidArgumentError(absl::StrCat("unknown event type \"", type, "\""));
  }
  event.type = static_cast<DeliveryEventType>(name - std::begin(kTypeNames));
  const auto attempts = [&] {
    const uint64_t value = fields.Unsigned("attempts");
    return static_cast<uint32_t>(std::min<uint64_t>(value, UINT32_MAX));
  };
  switch (event.type) {
    case DeliveryEventType::kCursor:
      event.cursor = fields.Unsigned("cursor");
      break;
    case DeliveryEventType::kAttempt:
      event.seq = fields.Unsigned("seq");
      event.attempts = attempts();
      event.first_attempt_unix_ms = fields.Signed("first_ms");
      event.error = fields.Text("error");
      break;
    case DeliveryEventType::kDelivered:
      event.seq = fields.Unsigned("seq");
      event.attempts = attempts();
      event.at_unix_ms = fields.Signed("at_ms");
      event.cursor = fields.Unsigned("cursor");
      break;
    case DeliveryEventType::kDeadLettered:
      event.seq = fields.Unsigned("seq");
      event.webhook_id = fields.Text("id");
      event.rule_id = fields.Text("rule");
      event.attempts = attempts();
      event.first_attempt_unix_ms = fields.Signed("first_ms");
      event.at_unix_ms = fields.Signed("at_ms");
      event.error = fields.Text("error");
      event.cursor = fields.Unsigned("cursor");
      break;
    case DeliveryEventType::kRetry:
      event.seq = fields.Unsigned("seq");
      break;
  }
  if (!fields.error().empty()) {
    return absl::InvalidArgumentError(absl::StrCat(type, " event: ", fields.error()));
  }
  return event;
}

}  // namespace sealtrail
