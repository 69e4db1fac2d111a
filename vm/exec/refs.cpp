// Variable, reference and table handlers: globals, ref.*, table.* and the element segments.
#include "exec/support.h"

#include <algorithm>

namespace corowasm::detail {

// ---- variables and references ----

CW_HANDLER(h_global_get) {
  auto a = imm<ImmIdxS>(ip);
  Slot v = t->inst->globals[a.idx]->value;
  fp[a.s] = v;
  CW_NEXT_ACC(cells_of<ImmIdxS>, v);
}

CW_HANDLER(h_global_set) {
  auto a = imm<ImmIdxS>(ip);
  t->inst->globals[a.idx]->value = fp[a.s];
  CW_NEXT(cells_of<ImmIdxS>);
}

CW_HANDLER(h_global_get_v128) {
  auto a = imm<ImmIdxS>(ip);
  const GlobalInst* g = t->inst->globals[a.idx];
  fp[a.s] = g->value;
  fp[a.s + 1] = g->hi;
  CW_NEXT(cells_of<ImmIdxS>);
}

CW_HANDLER(h_global_set_v128) {
  auto a = imm<ImmIdxS>(ip);
  GlobalInst* g = t->inst->globals[a.idx];
  g->value = fp[a.s];
  g->hi = fp[a.s + 1];
  CW_NEXT(cells_of<ImmIdxS>);
}

CW_HANDLER(h_ref_is_null) {
  auto a = imm<ImmSD>(ip);
  put<uint32_t>(fp, a.d, fp[a.s] == 0);
  CW_NEXT(cells_of<ImmSD>);
}

CW_HANDLER(h_ref_func) {
  auto a = imm<ImmIdxS>(ip);
  fp[a.s] = reinterpret_cast<uint64_t>(t->inst->funcs[a.idx]);
  CW_NEXT(cells_of<ImmIdxS>);
}

// ---- tables ----

CW_HANDLER(h_table_get) {
  auto a = imm<ImmTable2>(ip);
  TableInst* table = t->inst->tables[a.x];
  uint32_t i = get<uint32_t>(fp, a.a);
  if (i >= table->refs.size()) CW_TRAP(TrapKind::TableOutOfBounds);
  fp[a.c] = table->refs[i];
  CW_NEXT(cells_of<ImmTable2>);
}

CW_HANDLER(h_table_set) {
  auto a = imm<ImmTable2>(ip);
  TableInst* table = t->inst->tables[a.x];
  uint32_t i = get<uint32_t>(fp, a.a);
  if (i >= table->refs.size()) CW_TRAP(TrapKind::TableOutOfBounds);
  table->refs[i] = fp[a.b];
  CW_NEXT(cells_of<ImmTable2>);
}

CW_HANDLER(h_table_size) {
  auto a = imm<ImmIdxS>(ip);
  put<uint32_t>(fp, a.s, uint32_t(t->inst->tables[a.idx]->refs.size()));
  CW_NEXT(cells_of<ImmIdxS>);
}

CW_HANDLER(h_table_grow) {
  auto a = imm<ImmTable2>(ip);
  TableInst* table = t->inst->tables[a.x];
  uint64_t delta = get<uint32_t>(fp, a.b);
  int64_t old = t->store->grow_table(*table, delta, fp[a.a]);
  if (old >= 0) t->fuel -= int64_t(delta * sizeof(uint64_t) / kBulkBytesPerUnit);
  put<uint32_t>(fp, a.c, uint32_t(old));
  CW_NEXT(cells_of<ImmTable2>);
}

CW_HANDLER(h_table_fill) {
  auto a = imm<ImmTable2>(ip);
  TableInst* table = t->inst->tables[a.x];
  uint64_t i = get<uint32_t>(fp, a.a), n = get<uint32_t>(fp, a.c);
  if (i + n > table->refs.size()) CW_TRAP(TrapKind::TableOutOfBounds);
  uint64_t v = fp[a.b];
  if (!bulk(t, ip, fp, n, sizeof(uint64_t),
            [&](uint64_t done, uint64_t c) { std::fill_n(table->refs.begin() + i + done, c, v); }))
    return exit_out_of_fuel(t, ip, fp);
  CW_NEXT(cells_of<ImmTable2>);
}

CW_HANDLER(h_table_copy) {
  auto a = imm<ImmTable2>(ip);
  TableInst* dst_table = t->inst->tables[a.x];
  TableInst* src_table = t->inst->tables[a.y];
  uint64_t dst = get<uint32_t>(fp, a.a), src = get<uint32_t>(fp, a.b), n = get<uint32_t>(fp, a.c);
  if (src + n > src_table->refs.size() || dst + n > dst_table->refs.size()) CW_TRAP(TrapKind::TableOutOfBounds);
  if (!bulk_move(t, ip, fp, dst_table->refs.data() + dst, src_table->refs.data() + src, n))
    return exit_out_of_fuel(t, ip, fp);
  CW_NEXT(cells_of<ImmTable2>);
}

CW_HANDLER(h_table_init) {
  auto a = imm<ImmTable2>(ip);
  TableInst* table = t->inst->tables[a.x];
  const std::vector<uint64_t>& seg = t->inst->elems[a.y];
  uint64_t dst = get<uint32_t>(fp, a.a), src = get<uint32_t>(fp, a.b), n = get<uint32_t>(fp, a.c);
  if (src + n > seg.size() || dst + n > table->refs.size()) CW_TRAP(TrapKind::TableOutOfBounds);
  if (!bulk_move(t, ip, fp, table->refs.data() + dst, seg.data() + src, n)) return exit_out_of_fuel(t, ip, fp);
  CW_NEXT(cells_of<ImmTable2>);
}

CW_HANDLER(h_elem_drop) {
  auto a = imm<ImmIdxS>(ip);
  t->inst->elems[a.idx].clear();
  t->inst->elems[a.idx].shrink_to_fit();
  CW_NEXT(cells_of<ImmIdxS>);
}

}  // namespace corowasm::detail
