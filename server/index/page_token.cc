#include "server/index/page_token.h"

#include "absl/status/status.h"
#include "absl/strings/escaping.h"
#include "sealtrail/hash.h"
#include "server/index/index_keys.h"

namespace sealtrail::index_internal {
namespace {

constexpr char kTokenVersion = 0x01;
constexpr size_t kFingerprintSize = 8;
constexpr size_t kTokenSize = 1 + kFingerprintSize + 8 + 8;

void AppendOptionalString(std::string* out, const std::optional<std::string>& s) {
  out->push_back(s ? 1 : 0);
  if (!s) return;
  AppendBe64(out, s->size());
  out->append(*s);
}

void AppendOptionalInt(std::string* out, const std::optional<int64_t>& v) {
  out->push_back(v ? 1 : 0);
  if (v) AppendBe64(out, static_cast<uint64_t>(*v));
}

}  // namespace

std::string QueryFingerprint(const IndexQuery& query) {
  std::string canonical = "sealtrail-index-query/1";
  AppendOptionalString(&canonical, query.tenant_id);
  AppendOptionalString(&canonical, query.actor);
  AppendOptionalString(&canonical, query.action);
  AppendOptionalString(&canonical, query.trace_id);
  AppendOptionalInt(&canonical, query.outcome);
  AppendOptionalInt(&canonical, query.from_ns);
  AppendOptionalInt(&canonical, query.to_ns);
  canonical.push_back(query.newest_first ? 1 : 0);
  // Only when set, so the tokens of one-tenant queries stay what they were.
  if (query.all_tenants) canonical.append("all-tenants");
  const Hash digest = Sha256(canonical);
  return std::string(reinterpret_cast<const char*>(digest.data()), kFingerprintSize);
}

std::string EncodePageToken(const std::string& fingerprint, const PagePosition& position) {
  std::string raw(1, kTokenVersion);
  raw.append(fingerprint);
  AppendBe64(&raw, TimeOrdinal(position.time_ns));
  AppendBe64(&raw, position.seq);
  return absl::WebSafeBase64Escape(raw);
}

absl::StatusOr<PagePosition> DecodePageToken(const std::string& token,
                                             const std::string& fingerprint) {
  std::string raw;
  if (!absl::WebSafeBase64Unescape(token, &raw) || raw.size() != kTokenSize ||
      raw[0] != kTokenVersion) {
    return absl::InvalidArgumentError("malformed page token");
  }
  if (raw.compare(1, kFingerprintSize, fingerprint) != 0) {
    return absl::InvalidArgumentError(
        "page token belongs to another query (filters and order must not change between pages)");
  }
  PagePosition position;
  position.time_ns = TimeFromOrdinal(DecodeBe64(std::string_view(raw).substr(9)));
  position.seq = DecodeBe64(std::string_view(raw).substr(17));
  return position;
}

}  // namespace sealtrail::index_internal
