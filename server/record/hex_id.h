// W3C Trace Context ids (https://www.w3.org/TR/trace-context/) as people and OTLP write them:
// lower- or upper-case hex, 32 digits for a 16-byte trace id and 16 for an 8-byte span id. The
// one hex decoder of the record model; the CLI's flags, the record JSON and OTLP/JSON use it.
// Printing is absl::BytesToHexString (lower case, as W3C writes it).
//
// Thread-safety: pure functions.
#ifndef SEALTRAIL_SERVER_RECORD_HEX_ID_H_
#define SEALTRAIL_SERVER_RECORD_HEX_ID_H_

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace sealtrail {

// W3C Trace Context id sizes, in bytes.
inline constexpr size_t kTraceIdBytes = 16;
inline constexpr size_t kSpanIdBytes = 8;

// The bytes `hex` spells: none unless it is an even number of hex digits (either case).
std::optional<std::string> BytesFromHex(std::string_view hex);

// The bytes of an id of exactly `size` bytes: none unless `hex` is 2 * size hex digits.
std::optional<std::string> HexIdBytes(std::string_view hex, size_t size);

}  // namespace sealtrail

#endif  // SEALTRAIL_SERVER_RECORD_HEX_ID_H_
