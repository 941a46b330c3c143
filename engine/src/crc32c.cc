#include "crc32c.h"

#include <isa-l/crc.h>

namespace sealtrail::crc32c {

uint32_t Extend(uint32_t prefix_crc, std::string_view data) {
  // ISA-L's crc32_iscsi works on the un-inverted register, so undo and redo the final xor.
  return crc32_iscsi(reinterpret_cast<unsigned char*>(const_cast<char*>(data.data())),
                     static_cast<int>(data.size()), prefix_crc ^ 0xFFFFFFFFu) ^
         0xFFFFFFFFu;
}

uint32_t Value(std::string_view data) { return Extend(0, data); }

}  // namespace sealtrail::crc32c
