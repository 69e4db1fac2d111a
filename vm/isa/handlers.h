// The handlers the compiler emits, as the compiler sees them: declarations only (the bodies are
// in exec/). Hand-written handlers come from handlers.def; the numeric, memory and fused
// families are templates whose instantiations the lookups below pick by opcode and form.
//
// Naming: a handler's suffix tells where its operands come from: `s` a frame slot, `i` an
// immediate constant, `d` the destination slot. `h_i32_add_si` is i32.add of a slot and a
// constant; `h_br_i32_lt_s_ss` is a fused i32.lt_s + br_if.
#pragma once

#include <cstdint>

#include "isa/code.h"
#include "isa/imm.h"
#include "isa/op.h"

namespace corowasm::detail {

// Where a binary operator's two operands come from.
enum class Operands : uint8_t {
  SlotSlot,   // fp[a] op fp[b]          (ImmSSD)
  SlotConst,  // fp[a] op k              (ImmSID)
  ConstSlot,  // k op fp[b]              (ImmISD)
};
// Which operand a handler reads from the accumulator (the previous handler's result).
enum class Acc : uint8_t { None, Left, Right };
// How a load or store computes its address.
enum class Addr : uint8_t {
  Slot,          // fp[addr]                              (ImmMem)
  AccSlot,       // the accumulator                       (ImmMem)
  AddConst,      // a fused i32.add: fp[a] + b            (ImmMemAdd)
  AddSlots,      // fp[a] + fp[b]                         (ImmMemAdd)
  ShlAddConst,   // (fp[a] << shift) + b                  (ImmMemAdd)
  ShlAddSlots,   // (fp[a] << shift) + fp[b]              (ImmMemAdd)
  AddConstKeep,  // loads: fp[d] = fp[a] + b, tee'd         (ImmMemAddKeep)
};
// The operands of two fused binary operators (ImmChain): inner = Op1(fp[x], y), then Op2 of the
// inner result and z.
enum class Chain : uint8_t {
  ConstConst,  // y = k1, z = k2
  ConstSlot,   // y = k1, z = fp[z]
  SlotSlot,    // y = fp[y], z = fp[z]
  SlotConst,   // y = fp[y], z = k2
};

// Lookups for the template families: nullptr when `op` is not of that family (or the form is
// not built for it).
Handler unary_handler(Op op, bool acc = false);
Handler binary_handler(Op op, Operands form, Acc acc = Acc::None);
Handler load_handler(Op op, Addr addr = Addr::Slot);
Handler store_handler(Op op, bool const_value, Addr addr = Addr::Slot, bool acc_value = false);
// An i32 load (i32.load, load8_u/s, load16_u) whose value a branch tests against zero, jumping
// when it is nonzero (`nonzero`) or zero; addr: Slot, AccSlot or AddConst (ImmMemBr, ImmMemAddBr
// for AddConst). nullptr for other loads and address forms.
Handler load_branch_handler(Op op, Addr addr, bool nonzero);
// Two loads in a row (ImmLoadPair), each i32.load, load8_u/s, load16_u or i64.load: `first_acc`,
// the first's address is the accumulator; `chained`, the second's address is the first's value
// (a2 == d1). nullptr for other loads.
Handler load_pair_handler(Op first, Op second, bool first_acc, bool chained);
// An i32.load or i64.load whose value the next instruction, an i32.store or i64.store of the
// same type, stores (ImmMemMove); addr: Slot, AccSlot or AddConst. nullptr for others.
Handler mem_move_handler(Op load, Addr addr);
// `*p += k` as one handler (i32.load, i32.add of a constant, i32.store to the same address), its
// address in a slot or the accumulator (`acc_addr`); with `test`, then a jump when the sum is
// nonzero (Test::Nonzero) or zero (ImmRmwBr; else ImmRmw).
enum class Test : uint8_t { None, Nonzero, Zero };
Handler rmw_add_handler(bool acc_addr, Test test = Test::None);
// Jumps when the comparison holds; `const_rhs`: ImmBrSI, else ImmBrSS.
Handler branch_compare_handler(Op op, bool const_rhs, Acc acc = Acc::None);
// Fused Op2(Op1(..), ..); nullptr when the pair or shape is not supported. inner_left: the
// inner result is Op2's left operand.
Handler chain_handler(Op op1, Op op2, Chain shape, bool inner_left);
Handler op_branch_handler(Op op1, Op cmp, bool const_rhs);
// The handler of a SIMD row of simd.def (isa/simd_op.h tells its immediates by its shape).
Handler simd_handler(Op op);
// A Binary SIMD row with a constant right operand (ImmV128K); nullptr for other shapes.
Handler simd_binary_const_handler(Op op);

#define CW_HANDLER_DEF(name, Imm) CW_HANDLER(name);
#include "isa/handlers.def"

}  // namespace corowasm::detail
