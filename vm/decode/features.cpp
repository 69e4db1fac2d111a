// The byte values come from each proposal's binary format: threads, memory64, typed function
// references, GC, custom descriptors, wide arithmetic, custom page sizes.
#include "decode/features.h"

namespace corowasm::detail {

const char* unsupported_section(uint8_t) { return nullptr; }

const char* unsupported_extern_kind(uint8_t kind, bool import) {
  if (kind == 0x20 && import) return "custom descriptors (exact function import) are not supported";
  return nullptr;
}

// Limits flags: bit 0 a maximum follows, bit 1 shared (threads), bit 2 64-bit indices
// (memory64, for tables too). Shared tables exist in no proposal: 2 and 3 stay malformed.
const char* unsupported_limits(uint8_t flags, bool memory) {
  if (flags > 15) return nullptr;
  if (flags & 8) return memory ? "custom page sizes are not supported" : nullptr;
  if (flags & 4) return memory ? "memory64 (64-bit memory) is not supported" : "memory64 (64-bit table) is not supported";
  if ((flags & 2) && memory) return "threads (shared memory) are not supported";
  return nullptr;
}

const char* unsupported_type_form(uint8_t form) {
  switch (form) {
    case 0x5F: return "garbage collection (struct type) is not supported";
    case 0x5E: return "garbage collection (array type) is not supported";
    case 0x4E: return "garbage collection (recursive type group) is not supported";
    case 0x4F:
    case 0x50: return "garbage collection (subtype) is not supported";
    default: return nullptr;
  }
}

const char* unsupported_value_type(uint8_t b) {
  switch (b) {
    case 0x63:
    case 0x64: return "typed function references (ref types) are not supported";
    case 0x74: return "garbage collection (nullexnref) is not supported";
    case 0x6E: case 0x6D: case 0x6C: case 0x6B: case 0x6A: case 0x71: case 0x72: case 0x73:
      return "garbage collection (reference types such as anyref, eqref, i31ref) is not supported";
    default: return nullptr;
  }
}

const char* unsupported_prefixed_opcode(uint8_t prefix, uint32_t code) {
  if (prefix == 0xFC && code >= 19 && code <= 22) return "wide arithmetic (i64.add128 and others) is not supported";
  return nullptr;
}

const char* unsupported_opcode(uint8_t b) {
  switch (b) {
    case 0xFE: return "threads (atomic instructions) are not supported";
    case 0xFB: return "garbage collection (struct, array and i31 instructions) is not supported";
    case 0x14: return "typed function references (call_ref instruction) are not supported";
    case 0x15: return "typed function references (return_call_ref instruction) are not supported";
    case 0xD4: return "typed function references (ref.as_non_null instruction) are not supported";
    case 0xD5: return "typed function references (br_on_null instruction) are not supported";
    case 0xD6: return "typed function references (br_on_non_null instruction) are not supported";
    case 0xD3: return "garbage collection (ref.eq instruction) is not supported";
    default: return nullptr;
  }
}

}  // namespace corowasm::detail
