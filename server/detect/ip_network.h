// IpNetwork: a CIDR ("10.0.0.0/8", "2001:db8::/32") or a single address, for rules on
// context.source_ip. IPv4 is held as its IPv4-mapped IPv6 form (::ffff:a.b.c.d), so one 16-byte
// comparison serves both families and an IPv4 network also matches the mapped form of its
// addresses.
//
// Thread-safety: immutable; Contains may be called concurrently.
#ifndef SEALTRAIL_SERVER_DETECT_IP_NETWORK_H_
#define SEALTRAIL_SERVER_DETECT_IP_NETWORK_H_

#include <array>
#include <cstdint>
#include <optional>
#include "absl/strings/string_view.h"

#include "absl/status/statusor.h"

namespace sealtrail::detect {

class IpNetwork {
 public:
  // INVALID_ARGUMENT (not quoting `text`) unless it is an IP literal, optionally with a
  // "/BITS" prefix length (0..32 for IPv4, 0..128 for IPv6).
  [[nodiscard]] static absl::StatusOr<IpNetwork> Parse(absl::string_view text);

  // False for anything that is not an IP literal (an empty source_ip too).
  bool Contains(absl::string_view ip) const;

 private:
  using Bytes = std::array<uint8_t, 16>;
  static std::optional<Bytes> ParseAddress(absl::string_view text);

  Bytes address_{};
  int prefix_bits_ = 128;  // Of the 16-byte (mapped) form.
};

}  // namespace sealtrail::detect

#endif  // SEALTRAIL_SERVER_DETECT_IP_NETWORK_H_
