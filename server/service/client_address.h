// ClientAddress: the source IP the server records for a call (context.source_ip of appended
// records, and of denial evidence): the peer address of the connection, or, when that peer is a
// configured trusted proxy, the client address it forwarded in "x-forwarded-for".
//
// x-forwarded-for is "client, proxy1, proxy2"; each proxy appends the address it received the
// request from. Walking it from the right, every hop that is itself a trusted proxy is skipped,
// and the first untrusted one is the client (an untrusted hop could have written anything to
// its left). A malformed hop ends the walk: the last trusted hop's address is used.
//
// Thread-safety: immutable after Create; Resolve may be called concurrently.
#ifndef SEALTRAIL_SERVER_SERVICE_CLIENT_ADDRESS_H_
#define SEALTRAIL_SERVER_SERVICE_CLIENT_ADDRESS_H_

#include <array>
#include <cstdint>
#include <string>
#include <vector>
#include "absl/strings/string_view.h"

#include "absl/status/statusor.h"

namespace sealtrail {

// The IP literal of a gRPC peer string ("ipv4:10.0.0.7:5000" -> "10.0.0.7",
// "ipv6:[::1]:5000" -> "::1", percent-encoded brackets too). Empty for anything else (unix
// sockets, in-process transports).
std::string PeerIp(absl::string_view peer);

class ClientAddress {
 public:
  // `trusted_proxies` are CIDRs ("10.0.0.0/8", "2001:db8::/32", or a single address).
  // INVALID_ARGUMENT naming a malformed one.
  [[nodiscard]] static absl::StatusOr<ClientAddress> Create(
      const std::vector<std::string>& trusted_proxies);

  // The client's IP literal, given the call's peer string and its x-forwarded-for values (all of
  // them, in order; empty if none). Empty when the peer is not an IP connection.
  std::string Resolve(absl::string_view peer,
                      const std::vector<absl::string_view>& forwarded) const;

  bool IsTrusted(absl::string_view ip) const;

 private:
  struct Network {
    int family = 0;  // AF_INET or AF_INET6.
    std::array<uint8_t, 16> address{};
    int prefix_bits = 0;
  };
  std::vector<Network> trusted_;
};

}  // namespace sealtrail

#endif  // SEALTRAIL_SERVER_SERVICE_CLIENT_ADDRESS_H_
