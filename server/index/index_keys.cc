#include "server/index/index_keys.h"

#include <optional>

#include "absl/status/status.h"

namespace sealtrail::index_internal {
namespace {

void AppendVarint(std::string* out, uint64_t v) {
  while (v >= 0x80) {
    out->push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out->push_back(static_cast<char>(v));
}

// Consumes a LEB128 varint (at most 5 bytes) from the front of `in`.
std::optional<uint32_t> ConsumeVarint32(std::string_view* in) {
  uint32_t v = 0;
  for (int shift = 0; shift < 35 && !in->empty(); shift += 7) {
    const auto byte = static_cast<uint8_t>(in->front());
    in->remove_prefix(1);
    v |= static_cast<uint32_t>(byte & 0x7f) << shift;
    if ((byte & 0x80) == 0) return v;
  }
  return std::nullopt;
}

std::optional<std::string_view> ConsumeLengthPrefixed(std::string_view* in) {
  const std::optional<uint32_t> len = ConsumeVarint32(in);
  if (!len || *len > in->size()) return std::nullopt;
  std::string_view s = in->substr(0, *len);
  in->remove_prefix(*len);
  return s;
}

void AppendLengthPrefixed(std::string* out, std::string_view s) {
  AppendVarint(out, s.size());
  out->append(s);
}

std::string TaggedPrefix(char tag, std::string_view tenant) {
  std::string key(1, tag);
  AppendLengthPrefixed(&key, tenant);
  return key;
}

}  // namespace

std::string FormatKey() { return std::string(1, kMetaTag) + "format"; }
std::string CoveredKey() { return std::string(1, kMetaTag) + "covered"; }

void AppendBe64(std::string* out, uint64_t v) {
  for (int shift = 56; shift >= 0; shift -= 8) out->push_back(static_cast<char>(v >> shift));
}

uint64_t DecodeBe64(std::string_view bytes) {
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = (v << 8) | static_cast<uint8_t>(bytes[i]);
  return v;
}

uint64_t TimeOrdinal(int64_t time_ns) {
  return static_cast<uint64_t>(time_ns) ^ (uint64_t{1} << 63);
}
int64_t TimeFromOrdinal(uint64_t ordinal) {
  return static_cast<int64_t>(ordinal ^ (uint64_t{1} << 63));
}

std::string TimePrefix(std::string_view tenant) { return TaggedPrefix(kTimeTag, tenant); }

std::string ActorPrefix(std::string_view tenant, std::string_view actor) {
  std::string key = TaggedPrefix(kActorTag, tenant);
  AppendLengthPrefixed(&key, actor);
  return key;
}

std::string ActionPrefix(std::string_view tenant, std::string_view action) {
  std::string key = TaggedPrefix(kActionTag, tenant);
  AppendLengthPrefixed(&key, action);
  return key;
}

std::string TracePrefix(std::string_view tenant, std::string_view trace_id) {
  std::string key = TaggedPrefix(kTraceTag, tenant);
  key.append(trace_id);
  return key;
}

std::string AllTenantsPrefix() { return std::string(1, kAllTenantsTag); }

std::string LeafHashPrefix(std::string_view leaf_hash) {
  std::string key(1, kLeafHashTag);
  key.append(leaf_hash.substr(0, kLeafHashKeyBytes));
  return key;
}

std::string TimeSeqKey(std::string_view prefix, int64_t time_ns, uint64_t seq) {
  std::string key(prefix);
  AppendBe64(&key, TimeOrdinal(time_ns));
  AppendBe64(&key, seq);
  return key;
}

std::string SeqKey(std::string_view prefix, uint64_t seq) {
  std::string key(prefix);
  AppendBe64(&key, seq);
  return key;
}

std::string PrefixSuccessor(std::string_view prefix) {
  std::string s(prefix);
  while (!s.empty() && static_cast<uint8_t>(s.back()) == 0xff) s.pop_back();
  if (!s.empty()) s.back() = static_cast<char>(static_cast<uint8_t>(s.back()) + 1);
  return s;
}

size_t TracePrefixLength(std::string_view key) {
  if (key.empty() || key.front() != kTraceTag) return 0;
  std::string_view rest = key.substr(1);
  if (!ConsumeLengthPrefixed(&rest) || rest.size() < kTraceIdSize) return 0;
  return key.size() - rest.size() + kTraceIdSize;
}

size_t InsertRunPrefixLength(std::string_view key) {
  if (key.empty()) return 0;
  std::string_view rest = key.substr(1);
  switch (key.front()) {
    case kTimeTag:
      if (!ConsumeLengthPrefixed(&rest)) return 0;
      break;
    case kActorTag:
    case kActionTag:
      if (!ConsumeLengthPrefixed(&rest) || !ConsumeLengthPrefixed(&rest)) return 0;
      break;
    case kTraceTag:
      if (!ConsumeLengthPrefixed(&rest)) return 0;
      break;
    case kLeafHashTag:
    case kAllTenantsTag:
      return 1;
    default:
      return 0;  // Meta keys are few.
  }
  return key.size() - rest.size();
}

size_t LookupPrefixLength(std::string_view key) {
  if (!key.empty() && key.front() == kLeafHashTag) {
    return key.size() > kLeafHashKeyBytes ? 1 + kLeafHashKeyBytes : 0;
  }
  return TracePrefixLength(key);
}

std::string EncodeEntryValue(const IndexFields& fields) {
  std::string value;
  AppendBe64(&value, TimeOrdinal(fields.commit_time_ns));
  const auto outcome = static_cast<uint32_t>(fields.outcome);
  for (int shift = 24; shift >= 0; shift -= 8) value.push_back(static_cast<char>(outcome >> shift));
  AppendLengthPrefixed(&value, fields.actor);
  AppendLengthPrefixed(&value, fields.action);
  return value;
}

std::string EncodeAllTenantsValue(const IndexFields& fields) {
  return EncodeEntryValue(fields) + fields.trace_id;
}

absl::StatusOr<EntryValue> DecodeEntryValue(std::string_view bytes, bool all_tenants) {
  if (bytes.size() < 12) return absl::DataLossError("index entry value too short");
  EntryValue value;
  value.time_ns = TimeFromOrdinal(DecodeBe64(bytes));
  uint32_t outcome = 0;
  for (int i = 8; i < 12; ++i) outcome = (outcome << 8) | static_cast<uint8_t>(bytes[i]);
  value.outcome = static_cast<int32_t>(outcome);
  bytes.remove_prefix(12);
  const std::optional<std::string_view> actor = ConsumeLengthPrefixed(&bytes);
  const std::optional<std::string_view> action =
      actor ? ConsumeLengthPrefixed(&bytes) : std::nullopt;
  const bool trace_ok =
      all_tenants ? (bytes.empty() || bytes.size() == kTraceIdSize) : bytes.empty();
  if (!action || !trace_ok) return absl::DataLossError("malformed index entry value");
  value.actor = std::string(*actor);
  value.action = std::string(*action);
  value.trace_id = std::string(bytes);
  return value;
}

}  // namespace sealtrail::index_internal
