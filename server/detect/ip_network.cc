#include "server/detect/ip_network.h"

#include <arpa/inet.h>

#include <cstring>

#include "absl/strings/numbers.h"

namespace sealtrail::detect {

// inet_pton wants a NUL-terminated string: the text is copied into a stack buffer, so matching a
// record's source_ip allocates nothing.
std::optional<IpNetwork::Bytes> IpNetwork::ParseAddress(absl::string_view text) {
  char buffer[INET6_ADDRSTRLEN + 1];
  if (text.empty() || text.size() >= sizeof(buffer)) return std::nullopt;
  std::memcpy(buffer, text.data(), text.size());
  buffer[text.size()] = '\0';
  Bytes bytes{};
  if (inet_pton(AF_INET, buffer, bytes.data() + 12) == 1) {
    bytes[10] = 0xff;
    bytes[11] = 0xff;
    return bytes;
  }
  if (inet_pton(AF_INET6, buffer, bytes.data()) == 1) return bytes;
  return std::nullopt;
}

absl::StatusOr<IpNetwork> IpNetwork::Parse(absl::string_view text) {
  const size_t slash = text.find('/');
  const absl::string_view address = text.substr(0, slash);
  const std::optional<Bytes> bytes = ParseAddress(address);
  if (!bytes.has_value()) {
    return absl::InvalidArgumentError(
        "not an IP address or CIDR (e.g. 10.0.0.0/8, 192.0.2.7, 2001:db8::/32)");
  }
  const bool v4 = address.find(':') == absl::string_view::npos;
  const int family_bits = v4 ? 32 : 128;
  int bits = family_bits;
  if (slash != absl::string_view::npos &&
      (!absl::SimpleAtoi(text.substr(slash + 1), &bits) || bits < 0 || bits > family_bits ||
       text.substr(slash + 1).find_first_not_of("0123456789") != absl::string_view::npos)) {
    return absl::InvalidArgumentError(v4 ? "the prefix length of an IPv4 CIDR must be 0 to 32"
                                         : "the prefix length of an IPv6 CIDR must be 0 to 128");
  }
  IpNetwork network;
  network.address_ = *bytes;
  network.prefix_bits_ = v4 ? 96 + bits : bits;
  return network;
}

bool IpNetwork::Contains(absl::string_view ip) const {
  const std::optional<Bytes> bytes = ParseAddress(ip);
  if (!bytes.has_value()) return false;
  const int whole = prefix_bits_ / 8;
  if (std::memcmp(bytes->data(), address_.data(), static_cast<size_t>(whole)) != 0) return false;
  const int rest = prefix_bits_ % 8;
  if (rest == 0) return true;
  const uint8_t mask = static_cast<uint8_t>(0xff << (8 - rest));
  return ((*bytes)[whole] & mask) == (address_[whole] & mask);
}

}  // namespace sealtrail::detect
