// The immediates layout of every instruction form: what follows a handler's Cell in the code.
#pragma once

#include <cstdint>

#include "isa/code.h"

namespace corowasm::detail {

struct FuncCode;

struct ImmSD { uint32_t s, d; };                       // unary, copy
struct ImmSSD { uint32_t a, b, d; };                   // binary
struct ImmSID { uint32_t a, d; uint64_t b; };          // binary, constant right
struct ImmISD { uint64_t a; uint32_t b, d; };          // binary, constant left
struct ImmKD { uint64_t k; uint32_t d; uint32_t pad = 0; };  // constant -> slot
struct ImmMem { uint32_t addr, v; uint64_t offset; };  // load (v = dst) / store (v = value)
struct ImmMemI { uint32_t addr, pad; uint64_t offset; uint64_t k; };  // store of a constant
// Load/store whose address is an i32.add (optionally of a shifted index) fused in:
// addr = wrap32((fp[a] << shift) + (fp[b] or b)).
struct ImmMemAdd { uint32_t a, v; uint64_t offset; uint32_t b; uint32_t shift; };
// A load whose address is an i32.add of a constant tee'd into a local (`*++p`): the sum goes to
// d, then the load from it.
struct ImmMemAddKeep { uint32_t a, v; uint64_t offset; uint32_t b, d; };
// A load fused with the br_if (or if) that tests its value against zero: the load's immediates,
// then the branch's.
struct ImmMemBr { uint32_t addr, v; uint64_t offset; int32_t rel; uint32_t pad; };
struct ImmMemAddBr { uint32_t a, v; uint64_t offset; uint32_t b; int32_t rel; };  // address fp[a] + b
// Two adjacent loads with slot addresses in one handler (struct fields, p->next->x): the first
// (address fp[a1] or the accumulator) goes to d1, then the second from fp[a2] to d2.
struct ImmLoadPair { uint32_t a1, d1, a2, d2; uint64_t offset1, offset2; };
// A load and the store of its value (a struct copied field by field): v = load(address 1 +
// offset1), then store v at fp[a2] + offset2. Address 1 is fp[a1], the accumulator, or
// fp[a1] + k (Addr::Slot, AccSlot, AddConst).
struct ImmMemMove { uint32_t a1, v, a2, k; uint64_t offset1, offset2; };
// `*p += k` in one handler: old = i32.load(fp[addr] + offset) to v, new = old + k to d, then
// new stored back at the same address.
struct ImmRmw { uint32_t addr, v, d, k; uint64_t offset; };
struct ImmRmwBr { uint32_t addr, v, d, k; uint64_t offset; int32_t rel; uint32_t pad; };  // then a test of new
// i32.add of a shifted index (array addressing): d = (fp[a] << shift) + (fp[b] or k).
struct ImmAddShl { uint32_t a, b, d, shift; uint64_t k; };
struct ImmBr { int32_t rel; };                         // relative to the instruction's own cell
struct ImmBrS { uint32_t c; int32_t rel; };            // br_if / br_unless on slot c
struct ImmBrSS { uint32_t a, b; int32_t rel; };        // fused compare + branch
struct ImmBrSI { uint32_t a; int32_t rel; uint64_t b; };
struct ImmBrTable { uint32_t index, count; };          // then count+1 int32 rels, two per cell
// A br_table on (fp[x] & k_and) + k_add, the update that computed its index fused in (the
// index still lands in d); then its count+1 rels.
struct ImmBrTableK { uint32_t x, count, k_and, k_add, d, pad; };
// A direct call carries what the call sequence needs of its callee, so that it reads nothing
// but its own cells: the frame record's FuncCode, its first cell, and its frame's shape. The
// compiler fills the copy in once the callee is compiled (link_calls in compile/calls.cpp).
struct ImmCall {
  const struct FuncCode* func;
  const Cell* entry = nullptr;  // func->code.data()
  uint32_t args = 0;            // the slot the arguments start at: the callee's fp
  uint32_t frame_slots = 0;     // func->frame_slots
  uint32_t num_params = 0;      // func->num_params
  uint32_t num_zeroed = 0;      // func->num_locals - num_params: declared locals, zeroed
};
// A direct call with the moves emitted right before it (its arguments, mostly): one or two
// copies (a single copy is s1 = s2, d1 = d2) or a constant.
struct ImmCallCopy2 { ImmCall call; struct { uint32_t s1, d1, s2, d2; } moves; };
struct ImmCallConst { ImmCall call; uint64_t k; uint32_t d, pad; };
struct ImmCallImport { uint32_t func, args; };
struct ImmCallIndirect { uint32_t type_id, table, index, args; };
struct ImmSelect { uint32_t c, a, b, d; };
struct ImmCopy2 { uint32_t s1, d1, s2, d2; };             // two copies, in order
struct ImmCopyK { uint32_t s, d, d2, pad; uint64_t k; };   // a copy, then a constant to d2
struct ImmKD2 { uint64_t k1, k2; uint32_t d1, d2; };       // two constants, in order
// Moves, then a jump (rel from the instruction's own cell): a branch's values, or the moves a
// loop starts with, run by the branch back to it.
struct ImmCopyBr { uint32_t s, d; int32_t rel; uint32_t pad; };
struct ImmCopy2Br { uint32_t s1, d1, s2, d2; int32_t rel; uint32_t pad; };
struct ImmKDBr { uint64_t k; uint32_t d; int32_t rel; };
struct ImmCopyKBr { uint32_t s, d, d2; int32_t rel; uint64_t k; };
struct ImmMove { uint32_t s, d, n; };                     // n slots from s down to d (d <= s)
struct ImmAdd2 { uint32_t a1, d1, k1, a2, d2, k2; };       // two i32.add_si, in order
struct ImmSelectK { uint32_t c, x, d, pad; uint64_t k; };  // one operand is a constant
struct ImmIdxS { uint32_t idx, s; };                   // global.get/set, ref.func, table.size ...
struct ImmTable2 { uint32_t x, y, a, b, c; };          // table/memory bulk ops: indices + 3 slots

// SIMD (exec/simd.cpp): a v128 takes slots s and s + 1.
struct ImmSSSD { uint32_t a, b, c, d; };               // ternary
struct ImmLane { uint32_t s, d, lane, pad; };          // extract_lane
struct ImmLane2 { uint32_t a, b, d, lane; };           // replace_lane: a vector, b scalar
struct ImmShuffle { uint32_t a, b, d, pad; uint8_t lanes[16]; };
struct ImmWindow { uint32_t a, b, d, base; };          // bytes base..base+15 of a:b
// A shuffle as two byte selections (pshufb masks: 0x80 selects zero), or-ed: lane i is a[ma[i]]
// or b[mb[i]].
struct ImmShuffleMasks { uint32_t a, b, d, pad; uint8_t ma[16], mb[16]; };
struct ImmV128 { uint64_t lo, hi; uint32_t d, pad; };
struct ImmV128K { uint32_t a, d; uint64_t lo, hi; };   // binary op of slot a and a constant
struct ImmMemLane { uint32_t addr, v; uint64_t offset; uint32_t d, lane; };  // v: the vector operand

// Two binary operators fused: inner = Op1(fp[x], y), result = Op2(inner, z) (or Op2(z, inner)),
// where y and z are slots or constants depending on the shape:
//   'A' inner (slot, k1), outer (inner, k2)        'B' inner (slot, k1), outer with slot z
//   'C' inner (slot, slot y), outer with slot z    'D' inner (slot, slot y), outer (inner, k2)
struct ImmChain { uint32_t x, y, z, d; uint64_t k1, k2; };
// An i32 update fused into the compare-and-branch that tests it (a loop's `i += k; br_if i < n`):
// v = Op1(fp[x], k1); fp[d] = v; jump when Cmp(v, fp[b] or k2).
struct ImmOpBr { uint32_t x, d, b; int32_t rel; uint32_t k1, k2; };

}  // namespace corowasm::detail
