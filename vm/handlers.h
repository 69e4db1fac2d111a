// The interface between the compiler and the handlers: the opcode enum expanded from
// opcodes.def, the immediates layout of every instruction form, and the handlers themselves.
//
// Naming: a handler's suffix tells where its operands come from: `s` a frame slot, `i` an
// immediate constant, `d` the destination slot. `h_i32_add_si` is i32.add of a slot and a
// constant; `h_br_i32_lt_s_ss` is a fused i32.lt_s + br_if.
#pragma once

#include <optional>
#include <string>

#include "exec.h"

namespace corowasm::detail {

enum class Op : uint16_t {
#define CW_SPECIAL(Name, prefix, code, text) Name,
#define CW_UNARY(Name, prefix, code, text, OpT) Name,
#define CW_BINARY(Name, prefix, code, text, OpT, Flags) Name,
#define CW_LOAD(Name, code, text, ValueT, MemT) Name,
#define CW_STORE(Name, code, text, ValueT, MemT) Name,
#include "opcodes.def"
  Count_
};

std::optional<Op> decode_op(uint8_t prefix, uint32_t code);
const char* op_name(Op op);

// ---- immediates, one struct per instruction form ----
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
// i32.add of a shifted index (array addressing): d = (fp[a] << shift) + (fp[b] or k).
struct ImmAddShl { uint32_t a, b, d, shift; uint64_t k; };
struct ImmBr { int32_t rel; };                         // relative to the instruction's own cell
struct ImmBrS { uint32_t c; int32_t rel; };            // br_if / br_unless on slot c
struct ImmBrSS { uint32_t a, b; int32_t rel; };        // fused compare + branch
struct ImmBrSI { uint32_t a; int32_t rel; uint64_t b; };
struct ImmBrTable { uint32_t index, count; };          // then count+1 int32 rels, two per cell
struct ImmCall { const struct FuncCode* func; uint32_t args; uint32_t pad = 0; };
struct ImmCallImport { uint32_t func, args; };
struct ImmCallIndirect { uint32_t type_id, table, index, args; };
struct ImmSelect { uint32_t c, a, b, d; };
struct ImmCopy2 { uint32_t s1, d1, s2, d2; };             // two copies, in order
struct ImmMove { uint32_t s, d, n; };                     // n slots from s down to d (d <= s)
struct ImmAdd2 { uint32_t a1, d1, k1, a2, d2, k2; };       // two i32.add_si, in order
struct ImmSelectK { uint32_t c, x, d, pad; uint64_t k; };  // one operand is a constant
struct ImmIdxS { uint32_t idx, s; };                   // global.get/set, ref.func, table.size ...
struct ImmTable2 { uint32_t x, y, a, b, c; };          // table/memory bulk ops: indices + 3 slots

// Two binary operators fused: inner = Op1(fp[x], y), result = Op2(inner, z) (or Op2(z, inner)),
// where y and z are slots or constants depending on the shape:
//   'A' inner (slot, k1), outer (inner, k2)        'B' inner (slot, k1), outer with slot z
//   'C' inner (slot, slot y), outer with slot z    'D' inner (slot, slot y), outer (inner, k2)
struct ImmChain { uint32_t x, y, z, d; uint64_t k1, k2; };
// An i32 update fused into the compare-and-branch that tests it (a loop's `i += k; br_if i < n`):
// v = Op1(fp[x], k1); fp[d] = v; jump when Cmp(v, fp[b] or k2).
struct ImmOpBr { uint32_t x, d, b; int32_t rel; uint32_t k1, k2; };

// Table lookups for the template families (nullptr when `op` is not of that family).
// `acc` names the operand read from the accumulator: 'a' left, 'b' right, 0 none.
Handler unary_handler(Op op, bool acc = false);
Handler binary_handler(Op op, char form, char acc = 0);  // form: 's' slot,slot; 'i' slot,const; 'l' const,slot
// addr: 'p' plain slot; 'a' plain, from the accumulator; 'i' fused i32.add of a slot and a
// constant; 's' of two slots; 'I' / 'S' the same with the first slot shifted left.
Handler load_handler(Op op, char addr = 'p');
Handler store_handler(Op op, bool const_value, char addr = 'p', bool acc_value = false);
Handler branch_compare_handler(Op op, bool const_rhs, char acc = 0);  // jumps when the comparison holds
// Fused Op2(Op1(..), ..); nullptr when the pair or shape is not supported. inner_left: the
// inner result is Op2's left operand.
Handler chain_handler(Op op1, Op op2, char shape, bool inner_left);
Handler op_branch_handler(Op op1, Op cmp, bool const_rhs);

// ---- hand-written handlers ----
CW_HANDLER(h_unreachable);
CW_HANDLER(h_copy);          // ImmSD
CW_HANDLER(h_copy2);         // ImmCopy2
CW_HANDLER(h_move);          // ImmMove: a branch's values, several at once
CW_HANDLER(h_i32_add2_si);   // ImmAdd2
CW_HANDLER(h_const);         // ImmKD
CW_HANDLER(h_br);            // ImmBr
CW_HANDLER(h_br_nz);         // ImmBrS: jump when slot c != 0 (i32)
CW_HANDLER(h_br_z);          // ImmBrS: jump when slot c == 0 (i32)
CW_HANDLER(h_br_nz_acc);     // ImmBrS: the same on the accumulator
CW_HANDLER(h_br_z_acc);      // ImmBrS
CW_HANDLER(h_br_table);      // ImmBrTable
CW_HANDLER(h_return);        // no immediates: results already at fp[0..]
CW_HANDLER(h_return1);       // ImmSD (s): copies fp[s] to fp[0], then returns
CW_HANDLER(h_call);          // ImmCall
CW_HANDLER(h_call_import);   // ImmCallImport
CW_HANDLER(h_call_indirect); // ImmCallIndirect
CW_HANDLER(h_return_call);           // ImmCall (args already moved to fp[0..])
CW_HANDLER(h_return_call_import);    // ImmCallImport
CW_HANDLER(h_return_call_indirect);  // ImmCallIndirect
CW_HANDLER(h_i32_add_shl_ss);  // ImmAddShl
CW_HANDLER(h_i32_add_shl_si);  // ImmAddShl
CW_HANDLER(h_select);        // ImmSelect
CW_HANDLER(h_select_si);     // ImmSelectK: c ? fp[x] : k
CW_HANDLER(h_select_is);     // ImmSelectK: c ? k : fp[x]
CW_HANDLER(h_global_get);    // ImmIdxS (s = dst)
CW_HANDLER(h_global_set);    // ImmIdxS
CW_HANDLER(h_memory_size);   // ImmSD (d)
CW_HANDLER(h_memory_grow);   // ImmSD
CW_HANDLER(h_memory_init);   // ImmTable2: x = data, a = dst, b = src, c = len
CW_HANDLER(h_data_drop);     // ImmIdxS
CW_HANDLER(h_memory_copy);   // ImmTable2: a = dst, b = src, c = len
CW_HANDLER(h_memory_fill);   // ImmTable2: a = dst, b = value, c = len
CW_HANDLER(h_ref_is_null);   // ImmSD
CW_HANDLER(h_ref_func);      // ImmIdxS (s = dst)
CW_HANDLER(h_table_get);     // ImmTable2: x = table, a = index, c = dst
CW_HANDLER(h_table_set);     // ImmTable2: x = table, a = index, b = value
CW_HANDLER(h_table_size);    // ImmIdxS (s = dst)
CW_HANDLER(h_table_grow);    // ImmTable2: x = table, a = init, b = delta, c = dst
CW_HANDLER(h_table_fill);    // ImmTable2: x = table, a = index, b = value, c = len
CW_HANDLER(h_table_copy);    // ImmTable2: x = dst table, y = src table, a = dst, b = src, c = len
CW_HANDLER(h_table_init);    // ImmTable2: x = table, y = elem, a = dst, b = src, c = len
CW_HANDLER(h_elem_drop);     // ImmIdxS
CW_HANDLER(h_return_to_host);

// Name of a handler for the disassembler ("?" when unknown).
const char* handler_name(Handler h);
// One line per instruction: cell index, handler name, immediates as 32-bit words.
std::string disassemble(const struct FuncCode& f);

}  // namespace corowasm::detail
