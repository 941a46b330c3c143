// CRC32C (Castagnoli) as docs/format/README.md defines it: initial value 0xFFFFFFFF, final XOR
// 0xFFFFFFFF, so TestCrc32c("123456789") == 0xE3069283. For tests that forge checksums.
#ifndef SEALTRAIL_TESTS_TESTING_CRC32C_H_
#define SEALTRAIL_TESTS_TESTING_CRC32C_H_

#include <cstdint>
#include <string_view>

namespace sealtrail::testing {

uint32_t TestCrc32c(std::string_view data);

}  // namespace sealtrail::testing

#endif  // SEALTRAIL_TESTS_TESTING_CRC32C_H_
