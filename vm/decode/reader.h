// A bounds-checked cursor over a complete byte range of the binary (a section payload or a
// function body). Every failure throws DecodeError with the absolute byte offset and the
// spec's wording.
#pragma once

#include <corowasm/corowasm.h>

#include <cstdint>
#include <cstring>
#include <span>
#include <string>

namespace corowasm::detail {

class Reader {
 public:
  // `base` is the absolute offset of data[0] in the module, for messages.
  Reader(std::span<const uint8_t> data, size_t base) : data_(data), base_(base) {}

  size_t offset() const { return base_ + pos_; }  // absolute
  size_t pos() const { return pos_; }
  size_t remaining() const { return data_.size() - pos_; }
  bool at_end() const { return pos_ == data_.size(); }
  [[noreturn]] void fail(const std::string& why) const { throw DecodeError(offset(), why); }
  [[noreturn]] void fail_at(size_t abs_offset, const std::string& why) const { throw DecodeError(abs_offset, why); }

  uint8_t u8() {
    if (pos_ >= data_.size()) fail("unexpected end");
    return data_[pos_++];
  }
  uint8_t peek() const {
    if (pos_ >= data_.size()) fail("unexpected end");
    return data_[pos_];
  }
  std::span<const uint8_t> bytes(size_t n) {
    if (n > remaining()) fail("unexpected end");
    auto s = data_.subspan(pos_, n);
    pos_ += n;
    return s;
  }
  uint32_t fixed_u32() {
    auto b = bytes(4);
    uint32_t v; std::memcpy(&v, b.data(), 4); return v;
  }
  uint64_t fixed_u64() {
    auto b = bytes(8);
    uint64_t v; std::memcpy(&v, b.data(), 8); return v;
  }

  uint32_t u32() { return uint32_t(leb<uint64_t, 32, false>()); }
  int32_t s32() { return int32_t(leb<int64_t, 32, true>()); }
  int64_t s33() { return leb<int64_t, 33, true>(); }
  int64_t s64() { return leb<int64_t, 64, true>(); }

  std::string name() {
    uint32_t len = u32();
    if (len > remaining()) fail("length out of bounds");
    auto b = bytes(len);
    if (!valid_utf8(b)) fail_at(offset() - len, "malformed UTF-8 encoding");
    return std::string(b.begin(), b.end());
  }

  static bool valid_utf8(std::span<const uint8_t> s);

 private:
  // Unsigned or signed LEB128 of at most `Bits` bits; unused high bits of the last byte must
  // be a sign (or zero) extension.
  template <class T, unsigned Bits, bool Signed>
  T leb() {
    uint64_t result = 0;
    unsigned shift = 0;
    constexpr unsigned max_bytes = (Bits + 6) / 7;
    for (unsigned i = 0;; ++i) {
      if (pos_ >= data_.size()) fail("unexpected end");
      uint8_t b = data_[pos_++];
      if (i == max_bytes - 1) {
        if (b & 0x80) fail("integer representation too long");
        unsigned used = Bits - shift;  // value bits left in this byte
        if (used < 7) {
          if constexpr (Signed) {
            // Bits above `used` (within the 7) must all equal the sign bit.
            uint8_t high = uint8_t(b & 0x7F) >> (used - 1);
            uint8_t all = uint8_t(0x7F >> (used - 1));
            if (high != 0 && high != all) fail("integer too large");
          } else {
            if ((b & 0x7F) >> used) fail("integer too large");
          }
        }
        result |= uint64_t(b & 0x7F) << shift;
        shift += 7;
        if constexpr (Signed) {
          if (shift < 64 && (b & 0x40)) result |= ~uint64_t(0) << shift;
        }
        break;
      }
      result |= uint64_t(b & 0x7F) << shift;
      shift += 7;
      if (!(b & 0x80)) {
        if constexpr (Signed) {
          if (shift < 64 && (b & 0x40)) result |= ~uint64_t(0) << shift;
        }
        break;
      }
    }
    return T(result);
  }

  std::span<const uint8_t> data_;
  size_t base_;
  size_t pos_ = 0;
};

}  // namespace corowasm::detail
