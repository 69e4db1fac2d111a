// Control handlers: copies and constants, branches, br_table, returns, select.
#include "exec/support.h"

namespace corowasm::detail {

// ---- control ----

CW_HANDLER(h_unreachable) { CW_TRAP(TrapKind::Unreachable); }

CW_HANDLER(h_copy) {
  auto a = imm<ImmSD>(ip);
  Slot v = fp[a.s];
  fp[a.d] = v;
  CW_NEXT_ACC(cells_of<ImmSD>, v);
}

CW_HANDLER(h_copy_v128) {
  auto a = imm<ImmSD>(ip);
  Slot lo = fp[a.s], hi = fp[a.s + 1];  // both read first: the two pairs may overlap
  fp[a.d] = lo;
  fp[a.d + 1] = hi;
  CW_NEXT(cells_of<ImmSD>);
}

CW_HANDLER(h_copy2) {
  auto a = imm<ImmCopy2>(ip);
  fp[a.d1] = fp[a.s1];
  Slot v = fp[a.s2];
  fp[a.d2] = v;
  CW_NEXT_ACC(cells_of<ImmCopy2>, v);
}

// A block's or a loop's moves often set a local to a constant next to a copy.
CW_HANDLER(h_copy_const) {
  auto a = imm<ImmCopyK>(ip);
  fp[a.d] = fp[a.s];
  fp[a.d2] = a.k;
  CW_NEXT_ACC(cells_of<ImmCopyK>, a.k);
}

CW_HANDLER(h_const2) {
  auto a = imm<ImmKD2>(ip);
  fp[a.d1] = a.k1;
  fp[a.d2] = a.k2;
  CW_NEXT_ACC(cells_of<ImmKD2>, a.k2);
}

// Moves and a jump. A jump back to a loop whose first instruction is these moves lands after
// them, where the code may read the accumulator they set: it is set here too. Out of fuel, the
// jump leaves before it does anything (resuming past the moves would lose the accumulator) and
// re-executes when resumed.
#define CW_MOVES_JUMP(rel, MOVES, value)                        \
  do {                                                          \
    if ((rel) <= 0 && --t->fuel < 0) [[unlikely]]               \
      return exit_out_of_fuel(t, ip, fp);                       \
    MOVES;                                                      \
    CW_NEXT_ACC(rel, value);                                    \
  } while (0)

CW_HANDLER(h_copy_br) {
  auto a = imm<ImmCopyBr>(ip);
  Slot v = fp[a.s];
  CW_MOVES_JUMP(a.rel, fp[a.d] = v, v);
}

CW_HANDLER(h_copy2_br) {
  auto a = imm<ImmCopy2Br>(ip);
  Slot v = fp[a.s2];  // read after the first copy, as unfused
  CW_MOVES_JUMP(a.rel, (fp[a.d1] = fp[a.s1], v = fp[a.s2], fp[a.d2] = v), v);
}

CW_HANDLER(h_const_br) {
  auto a = imm<ImmKDBr>(ip);
  CW_MOVES_JUMP(a.rel, fp[a.d] = a.k, a.k);
}

CW_HANDLER(h_copy_const_br) {
  auto a = imm<ImmCopyKBr>(ip);
  CW_MOVES_JUMP(a.rel, (fp[a.d] = fp[a.s], fp[a.d2] = a.k), a.k);
}

CW_HANDLER(h_move) {
  auto a = imm<ImmMove>(ip);
  for (uint32_t i = 0; i < a.n; ++i) fp[a.d + i] = fp[a.s + i];  // upwards: d <= s
  CW_NEXT(cells_of<ImmMove>);
}

CW_HANDLER(h_i32_add2_si) {
  auto a = imm<ImmAdd2>(ip);
  put<uint32_t>(fp, a.d1, get<uint32_t>(fp, a.a1) + a.k1);
  uint32_t r = get<uint32_t>(fp, a.a2) + a.k2;
  put<uint32_t>(fp, a.d2, r);
  CW_NEXT_ACC(cells_of<ImmAdd2>, r);
}

CW_HANDLER(h_const) {
  auto a = imm<ImmKD>(ip);
  fp[a.d] = a.k;
  CW_NEXT_ACC(cells_of<ImmKD>, a.k);
}

CW_HANDLER(h_br) { CW_JUMP(imm<ImmBr>(ip).rel); }

template <bool AccC>
CW_HANDLER(h_br_nz_t) {
  auto a = imm<ImmBrS>(ip);
  if (operand<AccC, uint32_t>(fp, a.c, acc) != 0) CW_JUMP(a.rel);
  CW_NEXT(cells_of<ImmBrS>);
}

template <bool AccC>
CW_HANDLER(h_br_z_t) {
  auto a = imm<ImmBrS>(ip);
  if (operand<AccC, uint32_t>(fp, a.c, acc) == 0) CW_JUMP(a.rel);
  CW_NEXT(cells_of<ImmBrS>);
}

CW_HANDLER(h_br_nz) { CW_MUSTTAIL return h_br_nz_t<false>(ip, fp, mem, memsize, t, acc); }
CW_HANDLER(h_br_z) { CW_MUSTTAIL return h_br_z_t<false>(ip, fp, mem, memsize, t, acc); }
CW_HANDLER(h_br_nz_acc) { CW_MUSTTAIL return h_br_nz_t<true>(ip, fp, mem, memsize, t, acc); }
CW_HANDLER(h_br_z_acc) { CW_MUSTTAIL return h_br_z_t<true>(ip, fp, mem, memsize, t, acc); }

CW_HANDLER(h_br_table) {
  auto a = imm<ImmBrTable>(ip);
  uint32_t i = std::min(get<uint32_t>(fp, a.index), a.count);
  int32_t rel;
  std::memcpy(&rel, reinterpret_cast<const char*>(ip + 2) + 4 * size_t(i), 4);
  CW_JUMP(rel);
}

// `switch (op & 0xff)`, `switch (n - 1)`: the and/add/sub of constants that computed the index
// runs here (CPython's opcode dispatch).
CW_HANDLER(h_br_table_and_add) {
  auto a = imm<ImmBrTableK>(ip);
  uint32_t v = (get<uint32_t>(fp, a.x) & a.k_and) + a.k_add;
  put<uint32_t>(fp, a.d, v);
  uint32_t i = std::min(v, a.count);
  int32_t rel;
  std::memcpy(&rel, reinterpret_cast<const char*>(ip + cells_of<ImmBrTableK>) + 4 * size_t(i), 4);
  CW_JUMP(rel);
}

CW_HANDLER(h_select) {
  auto a = imm<ImmSelect>(ip);
  Slot v = get<uint32_t>(fp, a.c) ? fp[a.a] : fp[a.b];
  fp[a.d] = v;
  CW_NEXT_ACC(cells_of<ImmSelect>, v);
}

CW_HANDLER(h_select_v128) {
  auto a = imm<ImmSelect>(ip);
  uint32_t from = get<uint32_t>(fp, a.c) ? a.a : a.b;
  Slot lo = fp[from], hi = fp[from + 1];
  fp[a.d] = lo;
  fp[a.d + 1] = hi;
  CW_NEXT(cells_of<ImmSelect>);
}

CW_HANDLER(h_select_si) {
  auto a = imm<ImmSelectK>(ip);
  Slot v = get<uint32_t>(fp, a.c) ? fp[a.x] : a.k;
  fp[a.d] = v;
  CW_NEXT_ACC(cells_of<ImmSelectK>, v);
}

CW_HANDLER(h_select_is) {
  auto a = imm<ImmSelectK>(ip);
  Slot v = get<uint32_t>(fp, a.c) ? a.k : fp[a.x];
  fp[a.d] = v;
  CW_NEXT_ACC(cells_of<ImmSelectK>, v);
}

}  // namespace corowasm::detail
