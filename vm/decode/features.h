// Encodings of proposals corowasm does not implement. A module using one is refused with a
// DecodeError naming the feature ("threads (shared memory) are not supported") instead of
// the Wasm 2.0 message its bytes would get ("integer too large"). Each function gives that
// message for one byte of the binary format, or nullptr when the byte belongs to no feature
// it knows (the caller then reports what Wasm 2.0 says).
#pragma once

#include <cstdint>

namespace corowasm::detail {

const char* unsupported_section(uint8_t id);                    // none at present
const char* unsupported_extern_kind(uint8_t kind, bool import);  // 0x20: exact function import
const char* unsupported_limits(uint8_t flags, bool memory);     // 2-7: shared, 64-bit
const char* unsupported_type_form(uint8_t form);                // struct, array, rec, sub
const char* unsupported_value_type(uint8_t b);                  // typed and GC references
const char* unsupported_opcode(uint8_t b);                      // a first opcode byte: atomics, GC, ...
const char* unsupported_prefixed_opcode(uint8_t prefix, uint32_t code);  // 0xFC 19-22: wide arithmetic

}  // namespace corowasm::detail
