#include "literals.h"

#include <algorithm>
#include <bit>
#include <charconv>
#include <cstdint>
#include <cstring>
#include <limits>
#include <string>
#include <system_error>
#include <type_traits>
#include <vector>

namespace corowasm::cli {

namespace {

bool is_digit(char c, bool hex) {
  return (c >= '0' && c <= '9') || (hex && ((c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')));
}

// A cursor over one literal. A misplaced `_` sets `bad` rather than stopping the scan, so that
// "1_" is refused as a whole and not read as "1" followed by junk.
struct Scanner {
  std::string_view in;
  size_t pos = 0;
  bool bad = false;

  bool done() const { return !bad && pos == in.size(); }
  bool take(std::string_view word) {
    if (!in.substr(pos).starts_with(word)) return false;
    pos += word.size();
    return true;
  }
  // `digit ('_'? digit)*` in base 10 or 16: appends the digits, separators left out, to `out`
  // and returns how many there were (0: none here).
  size_t digits(bool hex, std::string& out) {
    size_t n = 0;
    while (pos < in.size() && is_digit(in[pos], hex)) {
      out += in[pos++];
      ++n;
      if (pos < in.size() && in[pos] == '_') {
        ++pos;
        if (pos == in.size() || !is_digit(in[pos], hex)) bad = true;
      }
    }
    return n;
  }
};

[[noreturn]] void not_a(std::string_view text, ValType t, const char* forms) {
  throw Error("argument \"" + std::string(text) + "\" is not " + (t == ValType::V128 ? "a " : "an ") + to_string(t) +
              " (" + forms + ")");
}

[[noreturn]] void out_of_range(std::string_view text, ValType t, const std::string& why) {
  throw Error("argument \"" + std::string(text) + "\" is out of range for " + to_string(t) + " (" + why + ")");
}

std::string hex(uint64_t v) {
  char buf[20];
  auto r = std::to_chars(buf, buf + sizeof buf, v, 16);
  return "0x" + std::string(buf, r.ptr);
}

// The text format's iN: unsigned digits (0 to 2^N-1), or a sign and digits (-2^(N-1) to
// 2^(N-1)-1); stored as the N-bit two's complement.
Value parse_integer(std::string_view text, ValType t) {
  const unsigned bits = t == ValType::I32 ? 32 : 64;
  const char* forms = "decimal or 0x hex digits, with an optional sign";
  Scanner s{text};
  bool negative = s.take("-");
  bool has_sign = negative || s.take("+");
  bool hex_digits = s.take("0x");
  std::string digits;
  if (s.digits(hex_digits, digits) == 0 || !s.done()) not_a(text, t, forms);
  uint64_t n = 0;
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), n, hex_digits ? 16 : 10);
  const uint64_t unsigned_max = bits == 64 ? UINT64_MAX : (uint64_t(1) << bits) - 1;
  const uint64_t min_magnitude = uint64_t(1) << (bits - 1);  // of the most negative value
  bool in_range = ec == std::errc() && (!has_sign ? n <= unsigned_max : negative ? n <= min_magnitude : n < min_magnitude);
  if (!in_range) {
    int64_t smin = -int64_t(min_magnitude - 1) - 1;
    out_of_range(text, t, "0 to " + std::to_string(unsigned_max) + " unsigned, " + std::to_string(smin) + " to " +
                              std::to_string(min_magnitude - 1) + " signed");
  }
  uint64_t v = negative ? uint64_t(0) - n : n;
  return t == ValType::I32 ? Value::i32(int32_t(uint32_t(v))) : Value::i64(int64_t(v));
}

// The text format's fN as its bit pattern. F is float or double.
template <class F>
Value parse_float(std::string_view text, ValType t) {
  using U = std::conditional_t<sizeof(F) == 4, uint32_t, uint64_t>;
  constexpr int kFractionBits = std::numeric_limits<F>::digits - 1;  // 23, 52
  constexpr U kSignBit = U(1) << (sizeof(U) * 8 - 1);
  constexpr U kInfinity = std::bit_cast<U>(std::numeric_limits<F>::infinity());
  constexpr U kMaxPayload = (U(1) << kFractionBits) - 1;
  const char* forms = "decimal or 0x hex, inf, nan or nan:0x..., with an optional sign";

  Scanner s{text};
  U sign = 0;
  if (s.take("-")) sign = kSignBit;
  else s.take("+");
  U magnitude = 0;
  if (s.take("inf")) {
    if (!s.done()) not_a(text, t, forms);
    magnitude = kInfinity;
  } else if (s.take("nan")) {
    U payload = U(1) << (kFractionBits - 1);  // plain `nan` is the canonical NaN
    std::string digits;
    if (s.take(":0x") && s.digits(true, digits) == 0) not_a(text, t, forms);
    if (!s.done()) not_a(text, t, forms);
    if (!digits.empty()) {
      uint64_t n = 0;
      auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), n, 16);
      if (ec != std::errc() || n == 0 || n > kMaxPayload)
        out_of_range(text, t, "a NaN payload is 0x1 to " + hex(kMaxPayload));
      payload = U(n);
    }
    magnitude = kInfinity | payload;
  } else {
    // num ('.' num?)? ([eE] sign? num)?, or 0x hexnum ('.' hexnum?)? ([pP] sign? num)? with the
    // exponent in decimal (a power of 2). `mantissa` and `number` (the mantissa and the
    // exponent) are what from_chars reads: no sign, no 0x, no separators.
    bool hex_digits = s.take("0x");
    std::string mantissa;
    size_t int_digits = s.digits(hex_digits, mantissa);
    if (int_digits == 0) not_a(text, t, forms);
    if (s.take(".")) {
      mantissa += '.';
      s.digits(hex_digits, mantissa);
    }
    std::string number = mantissa;
    int64_t exponent = 0;  // saturated: only its sign and rough size matter below
    if (hex_digits ? (s.take("p") || s.take("P")) : (s.take("e") || s.take("E"))) {
      number += hex_digits ? 'p' : 'e';
      bool negative_exponent = s.take("-");
      if (negative_exponent) number += '-';
      else s.take("+");
      std::string exponent_digits;
      if (s.digits(false, exponent_digits) == 0) not_a(text, t, forms);
      number += exponent_digits;
      for (char c : exponent_digits) exponent = std::min<int64_t>(exponent * 10 + (c - '0'), 1'000'000'000);
      if (negative_exponent) exponent = -exponent;
    }
    if (!s.done()) not_a(text, t, forms);
    F value = 0;
    auto [end, ec] = std::from_chars(number.data(), number.data() + number.size(), value,
                                     hex_digits ? std::chars_format::hex : std::chars_format::general);
    if (ec == std::errc::result_out_of_range) {
      // from_chars says so both when the value rounds to infinity (an error in the text format)
      // and when it rounds to zero (which is just zero). The two lie far apart, so the leading
      // nonzero digit tells: its power of 10, `place` (its position from the point) plus the
      // exponent, or of 2 for hex, 4 * place plus the exponent, is at least 0 for an overflow
      // and far below 0 for an underflow. A digit at index i before the point has place int_digits-1-i; one after it
      // (the point is at index int_digits) has place int_digits-i.
      size_t first = mantissa.find_first_not_of("0.");
      int64_t place = int64_t(int_digits) - int64_t(first) - (first < int_digits ? 1 : 0);
      if (first != std::string::npos && place * (hex_digits ? 4 : 1) + exponent >= 0)
        out_of_range(text, t, "it rounds to infinity");
      value = 0;
    } else if (ec != std::errc() || end != number.data() + number.size()) {
      not_a(text, t, forms);
    }
    magnitude = std::bit_cast<U>(value);
  }
  if constexpr (sizeof(F) == 4) return Value::f32_bits(sign | magnitude);
  else return Value::f64_bits(sign | magnitude);
}

// A v128 as v128.const writes it without the instruction: a shape and its lanes separated by
// spaces ("i32x4 1 2 3 4", lane 0 first), or 0x and up to 32 hex digits, the vector as one
// 128-bit number (as --invoke prints it).
Value parse_v128(std::string_view text) {
  const char* forms = "\"<i8x16|i16x8|i32x4|i64x2|f32x4|f64x2> <lanes...>\" or 0x and up to 32 hex digits";
  std::vector<std::string_view> words;
  for (size_t i = 0; i < text.size();) {
    size_t j = text.find(' ', i);
    if (j == std::string_view::npos) j = text.size();
    if (j > i) words.push_back(text.substr(i, j - i));
    i = j + 1;
  }
  uint8_t bytes[16] = {};
  if (words.size() == 1 && words[0].starts_with("0x")) {
    std::string digits;
    Scanner s{words[0].substr(2)};
    if (s.digits(true, digits) == 0 || !s.done()) not_a(text, ValType::V128, forms);
    if (digits.size() > 32) out_of_range(text, ValType::V128, "at most 32 hex digits");
    for (size_t k = 0; k < digits.size(); ++k) {  // the last digit is the lowest nibble of byte 0
      char c = digits[digits.size() - 1 - k];
      uint8_t nibble = uint8_t(c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10);
      bytes[k / 2] |= uint8_t(nibble << (4 * (k % 2)));
    }
    return Value::v128(bytes);
  }
  struct Shape {
    std::string_view name;
    int lanes;
    ValType lane_type;
  };
  constexpr Shape kShapes[] = {{"i8x16", 16, ValType::I32}, {"i16x8", 8, ValType::I32}, {"i32x4", 4, ValType::I32},
                               {"i64x2", 2, ValType::I64},  {"f32x4", 4, ValType::F32}, {"f64x2", 2, ValType::F64}};
  const Shape* shape = nullptr;
  for (const Shape& s : kShapes)
    if (!words.empty() && words[0] == s.name) shape = &s;
  if (!shape) not_a(text, ValType::V128, forms);
  if (int(words.size()) != 1 + shape->lanes)
    throw Error("argument \"" + std::string(text) + "\" needs " + std::to_string(shape->lanes) + " lanes for " +
                std::string(shape->name));
  const int width = 16 / shape->lanes;
  for (int i = 0; i < shape->lanes; ++i) {
    std::string_view lane = words[size_t(1 + i)];
    Value v = parse_literal(lane, shape->lane_type);
    if (width < 4) {  // i8 and i16 lanes: -2^(N-1) to 2^N-1, as the text format's iN
      int64_t n = lane.starts_with("-") ? int64_t(int32_t(uint32_t(v.bits))) : int64_t(uint32_t(v.bits));
      int64_t lo = -(int64_t(1) << (8 * width - 1)), hi = (int64_t(1) << (8 * width)) - 1;
      if (n < lo || n > hi)
        out_of_range(lane, ValType::I32,
                     std::string(shape->name) + " lanes are " + std::to_string(lo) + " to " + std::to_string(hi));
    }
    std::memcpy(bytes + i * width, &v.bits, size_t(width));
  }
  return Value::v128(bytes);
}

}  // namespace

Value parse_literal(std::string_view text, ValType t) {
  switch (t) {
    case ValType::I32:
    case ValType::I64: return parse_integer(text, t);
    case ValType::F32: return parse_float<float>(text, t);
    case ValType::F64: return parse_float<double>(text, t);
    case ValType::V128: return parse_v128(text);
    default: throw Error("cannot pass an argument of type " + std::string(to_string(t)) + " from the command line");
  }
}

}  // namespace corowasm::cli
