#include "server/service/client_address.h"

#include <arpa/inet.h>

#include <optional>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace sealtrail {
namespace {

struct Parsed {
  int family = 0;
  std::array<uint8_t, 16> bytes{};
};

std::optional<Parsed> ParseIp(absl::string_view text) {
  std::string literal(text);
  Parsed parsed;
  if (inet_pton(AF_INET, literal.c_str(), parsed.bytes.data()) == 1) {
    parsed.family = AF_INET;
    return parsed;
  }
  if (inet_pton(AF_INET6, literal.c_str(), parsed.bytes.data()) == 1) {
    parsed.family = AF_INET6;
    return parsed;
  }
  return std::nullopt;
}

bool PrefixMatches(const std::array<uint8_t, 16>& a, const std::array<uint8_t, 16>& b, int bits) {
  int full = bits / 8;
  for (int i = 0; i < full; ++i) {
    if (a[i] != b[i]) return false;
  }
  int rest = bits % 8;
  if (rest == 0) return true;
  uint8_t mask = static_cast<uint8_t>(0xff << (8 - rest));
  return (a[full] & mask) == (b[full] & mask);
}

}  // namespace

std::string PeerIp(absl::string_view peer) {
  std::string decoded =
      absl::StrReplaceAll(peer, {{"%5B", "["}, {"%5D", "]"}, {"%3A", ":"}, {"%25", "%"}});
  absl::string_view rest = decoded;
  if (!absl::ConsumePrefix(&rest, "ipv4:") && !absl::ConsumePrefix(&rest, "ipv6:")) return "";
  absl::string_view host;
  if (absl::ConsumePrefix(&rest, "[")) {
    size_t close = rest.find(']');
    if (close == absl::string_view::npos) return "";
    host = rest.substr(0, close);
  } else {
    size_t colon = rest.rfind(':');
    host = colon == absl::string_view::npos ? rest : rest.substr(0, colon);
  }
  // A zone ("fe80::1%eth0") is not part of an IP literal.
  host = host.substr(0, host.find('%'));
  return ParseIp(host).has_value() ? std::string(host) : "";
}

absl::StatusOr<ClientAddress> ClientAddress::Create(
    const std::vector<std::string>& trusted_proxies) {
  ClientAddress resolver;
  for (const std::string& cidr : trusted_proxies) {
    std::pair<absl::string_view, absl::string_view> parts =
        absl::StrSplit(cidr, absl::MaxSplits('/', 1));
    std::optional<Parsed> ip = ParseIp(parts.first);
    int max_bits = ip.has_value() && ip->family == AF_INET ? 32 : 128;
    int bits = max_bits;
    bool has_prefix = cidr.find('/') != std::string::npos;
    if (!ip.has_value() ||
        (has_prefix && (!absl::SimpleAtoi(parts.second, &bits) || bits < 0 || bits > max_bits))) {
      return absl::InvalidArgumentError(absl::StrCat(
          "trusted proxy \"", cidr, "\" is not an IP address or CIDR (e.g. 10.0.0.0/8)"));
    }
    resolver.trusted_.push_back(Network{ip->family, ip->bytes, bits});
  }
  return resolver;
}

bool ClientAddress::IsTrusted(absl::string_view ip) const {
  std::optional<Parsed> parsed = ParseIp(ip);
  if (!parsed.has_value()) return false;
  for (const Network& network : trusted_) {
    if (network.family == parsed->family &&
        PrefixMatches(network.address, parsed->bytes, network.prefix_bits)) {
      return true;
    }
  }
  return false;
}

std::string ClientAddress::Resolve(absl::string_view peer,
                                   const std::vector<absl::string_view>& forwarded) const {
  std::string client = PeerIp(peer);
  if (client.empty() || !IsTrusted(client)) return client;
  std::vector<absl::string_view> hops;
  for (absl::string_view header : forwarded) {
    for (absl::string_view hop : absl::StrSplit(header, ',')) {
      hops.push_back(absl::StripAsciiWhitespace(hop));
    }
  }
  // Bounded by the header's size, which gRPC bounds.
  for (auto hop = hops.rbegin(); hop != hops.rend(); ++hop) {
    if (!ParseIp(*hop).has_value()) break;
    client = std::string(*hop);
    if (!IsTrusted(client)) break;
  }
  return client;
}

}  // namespace sealtrail
