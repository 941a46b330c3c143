#include "testing/crc32c.h"

#include <isa-l/crc.h>

namespace sealtrail::testing {

uint32_t TestCrc32c(std::string_view data) {
  // isa-l's crc32_iscsi neither inverts its seed nor its result: both are left to the caller.
  return crc32_iscsi(reinterpret_cast<unsigned char*>(const_cast<char*>(data.data())),
                     static_cast<int>(data.size()), 0xFFFFFFFFu) ^
         0xFFFFFFFFu;
}

}  // namespace sealtrail::testing
