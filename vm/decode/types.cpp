#include "decode/types.h"

#include "decode/features.h"

namespace corowasm::detail {

ValType read_val_type(Reader& r) {
  size_t at = r.offset();
  uint8_t b = r.u8();
  switch (b) {
    case 0x7F: case 0x7E: case 0x7D: case 0x7C: case 0x7B: case 0x70: case 0x6F: case 0x69: return ValType(b);
    default: {
      const char* why = unsupported_value_type(b);
      r.fail_at(at, why ? why : "malformed value type");
    }
  }
}

ValType read_ref_type(Reader& r) {
  size_t at = r.offset();
  uint8_t b = r.u8();
  if (b != 0x70 && b != 0x6F && b != 0x69) {
    const char* why = unsupported_value_type(b);
    r.fail_at(at, why ? why : "malformed reference type");
  }
  return ValType(b);
}

}  // namespace corowasm::detail
