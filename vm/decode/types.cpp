#include "decode/types.h"

namespace corowasm::detail {

ValType read_val_type(Reader& r) {
  size_t at = r.offset();
  uint8_t b = r.u8();
  switch (b) {
    case 0x7F: case 0x7E: case 0x7D: case 0x7C: case 0x70: case 0x6F: return ValType(b);
    case 0x7B: r.fail_at(at, "SIMD (v128) is not supported yet");
    default: r.fail_at(at, "malformed value type");
  }
}

ValType read_ref_type(Reader& r) {
  size_t at = r.offset();
  uint8_t b = r.u8();
  if (b != 0x70 && b != 0x6F) r.fail_at(at, "malformed reference type");
  return ValType(b);
}

}  // namespace corowasm::detail
