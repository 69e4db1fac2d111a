// --invoke's arguments: numbers written as the WebAssembly text format writes constants.
#pragma once

#include <corowasm/corowasm.h>

#include <string_view>

namespace corowasm::cli {

// `text` as a constant of type `t`, by the text format's rules (spec 6.3.1 "Integers",
// 6.3.2 "Floating-Point"):
//   i32, i64  decimal or 0x hex, unsigned (0 to 2^N-1) or with a sign (-2^(N-1) to 2^(N-1)-1)
//   f32, f64  decimal (1.5, 1e-38, 4.9e-324), hex (0x1.8p3), inf, nan, nan:0x<payload>, each
//             with an optional sign; rounded to nearest, ties to even; one that rounds to
//             infinity is out of range
//   v128      a shape and its lanes, space-separated, as v128.const takes them ("i32x4 1 2 3 4",
//             lane 0 first; i8/i16 lanes -2^(N-1) to 2^N-1), or 0x and up to 32 hex digits: the
//             vector as one 128-bit number, as --invoke prints v128 results
// `_` may separate two digits. Throws Error saying what is wrong; also for a type that has no
// literal (references).
Value parse_literal(std::string_view text, ValType t);

}  // namespace corowasm::cli
