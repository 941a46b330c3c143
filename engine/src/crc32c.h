// CRC32C (Castagnoli), hardware accelerated through Intel ISA-L.
#ifndef SEALTRAIL_ENGINE_CRC32C_H_
#define SEALTRAIL_ENGINE_CRC32C_H_

#include <cstdint>
#include <string_view>

namespace sealtrail::crc32c {

// The standard CRC32C of `data` (init 0xFFFFFFFF, final xor): Value("123456789") = 0xE3069283.
uint32_t Value(std::string_view data);

}  // namespace sealtrail::crc32c

#endif  // SEALTRAIL_ENGINE_CRC32C_H_
