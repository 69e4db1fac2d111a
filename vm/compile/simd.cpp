// SIMD instructions: typed by their shape (isa/simd_op.h), each one handler with slot operands.
// v128 values are never deferred: v128.const writes its slot at once, so Operand::value (64
// bits) never has to hold one; a binary operator right after it takes the constant back as an
// immediate instead (h_v_binary_k).
#include "compile/function_compiler.h"
#include "isa/simd_op.h"

namespace corowasm::detail {

uint32_t FunctionCompiler::lane_index(uint32_t lanes) {
  uint32_t lane = r_.u8();
  if (lane >= lanes) invalid("invalid lane index");
  return lane;
}

void FunctionCompiler::translate_simd(Op op) {
  constexpr ValType V = ValType::V128, I32 = ValType::I32;
  const SimdInfo& si = simd_info(op);
  Handler h = simd_handler(op);
  switch (si.shape) {
    case SimdShape::Load: {
      uint64_t offset = memarg(si.bytes);
      auto [addr] = pop_slots<1>({I32});
      uint32_t d = temp_slot(height());
      emit(h, ImmMem{addr, d, offset});
      return push(V);
    }
    case SimdShape::Store: {
      uint64_t offset = memarg(si.bytes);
      auto [addr, v] = pop_slots<2>({I32, V});
      emit(h, ImmMem{addr, v, offset});
      return;
    }
    case SimdShape::LoadLane:
    case SimdShape::StoreLane: {
      uint64_t offset = memarg(si.bytes);
      uint32_t lane = lane_index(si.lanes);
      auto [addr, v] = pop_slots<2>({I32, V});
      uint32_t d = temp_slot(height());
      emit(h, ImmMemLane{addr, v, offset, d, lane});
      if (si.shape == SimdShape::LoadLane) push(V);
      return;
    }
    case SimdShape::Const: {
      uint64_t lo = r_.fixed_u64(), hi = r_.fixed_u64();
      uint32_t d = temp_slot(height());
      emit(h, ImmV128{lo, hi, d, 0});
      return push(V);
    }
    case SimdShape::Shuffle: {
      ImmShuffle imm{0, 0, 0, 0, {}};
      for (uint8_t& l : imm.lanes) l = uint8_t(lane_index(si.lanes));
      auto [a, b] = pop_slots<2>({V, V});
      imm.a = a;
      imm.b = b;
      imm.d = temp_slot(height());
      bool window = imm.lanes[0] <= 16;
      for (uint32_t i = 1; i < 16; ++i) window = window && imm.lanes[i] == imm.lanes[0] + i;
      if (window) {
        emit(&h_i8x16_shuffle_window, ImmWindow{imm.a, imm.b, imm.d, imm.lanes[0]});
        return push(V);
      }
#if defined(__x86_64__)
      static const bool ssse3 = __builtin_cpu_supports("ssse3");
      if (ssse3) {
        ImmShuffleMasks m{imm.a, imm.b, imm.d, 0, {}, {}};
        for (uint32_t i = 0; i < 16; ++i) {
          m.ma[i] = imm.lanes[i] < 16 ? imm.lanes[i] : 0x80;
          m.mb[i] = imm.lanes[i] >= 16 ? uint8_t(imm.lanes[i] - 16) : 0x80;
        }
        emit(&h_i8x16_shuffle_ssse3, m);
        return push(V);
      }
#endif
      emit(h, imm);
      return push(V);
    }
    case SimdShape::Unary:
    case SimdShape::Test:
    case SimdShape::Splat: {
      auto [s] = pop_slots<1>({si.shape == SimdShape::Splat ? si.scalar : V});
      emit(h, ImmSD{s, temp_slot(height())});
      return push(si.shape == SimdShape::Test ? I32 : V);
    }
    case SimdShape::Binary:
      // A v128.const just emitted for the right operand becomes the fused handler's immediate.
      if (reachable() && !stack_.empty() && stack_.back().kind == Operand::Temp && last_start_ != kNoCode &&
          code_[last_start_].handler == &h_v128_const && last_start_ + cells_of<ImmV128> == code_.size()) {
        ImmV128 k = imm<ImmV128>(&code_[last_start_]);
        if (k.d == stack_.back().slot) {
          if (Handler hk = simd_binary_const_handler(op)) {
            truncate(last_start_);
            auto [a, b] = pop_slots<2>({V, V});
            (void)b;
            emit(hk, ImmV128K{a, temp_slot(height()), k.lo, k.hi});
            return push(V);
          }
        }
      }
      [[fallthrough]];
    case SimdShape::Shift: {
      auto [a, b] = pop_slots<2>({V, si.shape == SimdShape::Shift ? I32 : V});
      emit(h, ImmSSD{a, b, temp_slot(height())});
      return push(V);
    }
    case SimdShape::Ternary: {
      auto [a, b, c] = pop_slots<3>({V, V, V});
      emit(h, ImmSSSD{a, b, c, temp_slot(height())});
      return push(V);
    }
    case SimdShape::Extract: {
      uint32_t lane = lane_index(si.lanes);
      auto [s] = pop_slots<1>({V});
      emit(h, ImmLane{s, temp_slot(height()), lane, 0});
      return push(si.scalar);
    }
    case SimdShape::Replace: {
      uint32_t lane = lane_index(si.lanes);
      auto [a, b] = pop_slots<2>({V, si.scalar});
      emit(h, ImmLane2{a, b, temp_slot(height()), lane});
      return push(V);
    }
  }
}

}  // namespace corowasm::detail
