// What the compiler needs to know of a SIMD row of simd.def: its shape (operands and
// immediates), the scalar type of splats and lane accesses, the lanes a lane index may name and
// the bytes a memory access touches (its natural alignment).
#pragma once

#include <corowasm/corowasm.h>

#include <cstdint>

#include "isa/op.h"

namespace corowasm::detail {

enum class SimdShape : uint8_t {
  Load,       // memarg; i32 -> v128                      (ImmMem)
  Store,      // memarg; i32 v128 ->                      (ImmMem)
  LoadLane,   // memarg lane; i32 v128 -> v128            (ImmMemLane)
  StoreLane,  // memarg lane; i32 v128 ->                 (ImmMemLane)
  Const,      // 16 bytes; -> v128                        (ImmV128)
  Shuffle,    // 16 lane indices; v128 v128 -> v128       (ImmShuffle)
  Unary,      // v128 -> v128                             (ImmSD)
  Binary,     // v128 v128 -> v128                        (ImmSSD)
  Ternary,    // v128 v128 v128 -> v128                   (ImmSSSD)
  Test,       // v128 -> i32                              (ImmSD)
  Shift,      // v128 i32 -> v128                         (ImmSSD)
  Splat,      // scalar -> v128                           (ImmSD)
  Extract,    // lane; v128 -> scalar                     (ImmLane)
  Replace,    // lane; v128 scalar -> v128                (ImmLane2)
};

struct SimdInfo {
  SimdShape shape = SimdShape::Unary;
  ValType scalar = ValType::I32;  // Splat, Extract, Replace
  uint8_t lanes = 0;              // lane indices must be below this (Shuffle: 32)
  uint8_t bytes = 0;              // memory accesses
};

// Only for is_simd(op).
const SimdInfo& simd_info(Op op);

}  // namespace corowasm::detail
