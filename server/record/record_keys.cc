#include "server/record/record_keys.h"

#include <optional>
#include <string>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"

namespace sealtrail {

using keymap::KeyKind;

absl::InlinedVector<RecordKey, 4> RecordKeysOf(const v1::AuditRecord& record) {
  absl::InlinedVector<RecordKey, 4> keys;
  for (KeyKind kind : {KeyKind::kTenant, KeyKind::kActor, KeyKind::kAction, KeyKind::kTrace}) {
    std::optional<RecordKey> key = RecordKeyOf(record, kind);
    if (key.has_value()) keys.push_back(*key);
  }
  return keys;
}

std::optional<RecordKey> RecordKeyOf(const v1::AuditRecord& record, KeyKind kind) {
  const std::string_view tenant = record.context().tenant_id();
  switch (kind) {
    case KeyKind::kTenant:
      return RecordKey{kind, tenant, {}};
    case KeyKind::kActor:
      // The index's actor (ExtractIndexFields): the user, or the service acting on its own.
      return RecordKey{
          kind, tenant,
          record.actor().user_id().empty() ? record.actor().service() : record.actor().user_id()};
    case KeyKind::kAction:
      return RecordKey{kind, tenant, record.action().name()};
    case KeyKind::kTrace:
      if (record.correlation().trace_id().empty()) return std::nullopt;
      return RecordKey{kind, tenant, record.correlation().trace_id()};
  }
  return std::nullopt;
}

Hash KeyPathOf(const RecordKey& key) { return keymap::KeyPath(key.kind, key.tenant, key.value); }

Link LinkOf(const v1::KeyLinks& links, KeyKind kind) {
  switch (kind) {
    case KeyKind::kTenant:
      return Link{links.tenant_count(), links.tenant_prev_seq()};
    case KeyKind::kActor:
      return Link{links.actor_count(), links.actor_prev_seq()};
    case KeyKind::kAction:
      return Link{links.action_count(), links.action_prev_seq()};
    case KeyKind::kTrace:
      return Link{links.trace_count(), links.trace_prev_seq()};
  }
  return Link{};
}

void SetLink(v1::KeyLinks* links, KeyKind kind, const Link& link) {
  switch (kind) {
    case KeyKind::kTenant:
      links->set_tenant_count(link.count);
      links->set_tenant_prev_seq(link.prev_seq);
      return;
    case KeyKind::kActor:
      links->set_actor_count(link.count);
      links->set_actor_prev_seq(link.prev_seq);
      return;
    case KeyKind::kAction:
      links->set_action_count(link.count);
      links->set_action_prev_seq(link.prev_seq);
      return;
    case KeyKind::kTrace:
      links->set_trace_count(link.count);
      links->set_trace_prev_seq(link.prev_seq);
      return;
  }
}

std::string DescribeKey(KeyKind kind, std::string_view tenant_view, std::string_view value_view) {
  // absl::StrCat takes absl::string_view, which is not std::string_view in this Abseil.
  const std::string tenant(tenant_view);
  const std::string value(value_view);
  switch (kind) {
    case KeyKind::kTenant:
      return absl::StrCat("tenant \"", tenant, "\"");
    case KeyKind::kActor:
      return absl::StrCat("actor \"", value, "\" of tenant \"", tenant, "\"");
    case KeyKind::kAction:
      return absl::StrCat("action \"", value, "\" of tenant \"", tenant, "\"");
    case KeyKind::kTrace:
      return absl::StrCat("trace ", absl::BytesToHexString(value), " of tenant \"", tenant, "\"");
  }
  return "unknown key";
}

}  // namespace sealtrail
