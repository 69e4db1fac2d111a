// Memory handlers: loads and stores (plain, fused with their address computation, of a
// constant), memory.size/grow, and the bulk instructions, which work in fuel-paid chunks.
#include "exec/support.h"

#include <algorithm>
#include <type_traits>

namespace corowasm::detail {

// ---- memory ----

// The end of every plain load: the checked access of an M at effective address `ea`, widened to
// V into slot `dst` and handed on as the accumulator.
#define CW_LOAD_AT(ea, V, M, dst, len)                                \
  do {                                                                \
    if (out_of_bounds((ea) + sizeof(M), memsize)) [[unlikely]]        \
      CW_TRAP(TrapKind::MemoryOutOfBounds);                           \
    M v_;                                                             \
    std::memcpy(&v_, mem + (ea), sizeof(M));                          \
    put<V>(fp, (dst), V(v_));                                         \
    CW_NEXT_ACC((len), to_bits(V(v_)));                               \
  } while (0)

template <class V, class M, bool AccAddr>
CW_HANDLER(h_load) {
  auto a = imm<ImmMem>(ip);
  // Explicit bounds check: the effective address is 33 bits wide, so the sum cannot wrap.
  uint64_t ea = uint64_t(operand<AccAddr, uint32_t>(fp, a.addr, acc)) + a.offset;
  CW_LOAD_AT(ea, V, M, a.v, cells_of<ImmMem>);
}

// The effective address of a fused load: fp[a] (Addr::Slot), the accumulator (AccSlot) or
// fp[a] + k wrapped to 32 bits (AddConst), plus the offset: 33 bits, it cannot wrap.
template <Addr A>
[[gnu::always_inline]] inline uint64_t first_address(const Slot* fp, uint64_t acc, uint32_t a, uint32_t k,
                                                     uint64_t offset) {
  if constexpr (A == Addr::AddConst) return uint64_t(uint32_t(get<uint32_t>(fp, a) + k)) + offset;
  else return uint64_t(operand<A == Addr::AccSlot, uint32_t>(fp, a, acc)) + offset;
}

// A load whose value the next instruction, a branch, tests against zero (`if (p->next)`, a
// string's terminator): the value still lands in its slot.
template <class M, Addr A, bool Nonzero>
CW_HANDLER(h_load_branch) {
  using I = std::conditional_t<A == Addr::AddConst, ImmMemAddBr, ImmMemBr>;
  auto a = imm<I>(ip);
  uint64_t ea;
  if constexpr (A == Addr::AddConst) ea = first_address<A>(fp, acc, a.a, a.b, a.offset);
  else ea = first_address<A>(fp, acc, a.addr, 0, a.offset);
  if (out_of_bounds(ea + sizeof(M), memsize)) [[unlikely]]
    CW_TRAP(TrapKind::MemoryOutOfBounds);
  M m;
  std::memcpy(&m, mem + ea, sizeof(M));
  uint32_t v = uint32_t(m);  // sign- or zero-extended as M is signed or not
  put<uint32_t>(fp, a.v, v);
  if ((v != 0) == Nonzero) CW_JUMP(a.rel);
  CW_NEXT(cells_of<I>);
}

// Two loads in one handler. A trap in the second reports ip + 1, where the compiler recorded
// the second load's offset (FuncCode::offsets), so a backtrace names the load that failed.
template <class V1, class M1, class V2, class M2, bool AccAddr, bool Chained>
CW_HANDLER(h_load_pair) {
  auto a = imm<ImmLoadPair>(ip);
  uint64_t ea = uint64_t(operand<AccAddr, uint32_t>(fp, a.a1, acc)) + a.offset1;
  if (out_of_bounds(ea + sizeof(M1), memsize)) [[unlikely]]
    CW_TRAP(TrapKind::MemoryOutOfBounds);
  M1 x;
  std::memcpy(&x, mem + ea, sizeof(M1));
  put<V1>(fp, a.d1, V1(x));
  if constexpr (Chained) ea = uint64_t(uint32_t(V1(x))) + a.offset2;  // the value just loaded
  else ea = uint64_t(get<uint32_t>(fp, a.a2)) + a.offset2;
  if (out_of_bounds(ea + sizeof(M2), memsize)) [[unlikely]]
    return exit_trap(t, ip + 1, fp, TrapKind::MemoryOutOfBounds);
  M2 y;
  std::memcpy(&y, mem + ea, sizeof(M2));
  put<V2>(fp, a.d2, V2(y));
  CW_NEXT_ACC(cells_of<ImmLoadPair>, to_bits(V2(y)));
}

// A load and the store of its value in one handler. A trap in the store reports ip + 1, where
// the compiler recorded the store's offset, as h_load_pair does for its second load.
template <class M, Addr A>
CW_HANDLER(h_mem_move) {
  auto a = imm<ImmMemMove>(ip);
  uint64_t ea = first_address<A>(fp, acc, a.a1, a.k, a.offset1);
  if (out_of_bounds(ea + sizeof(M), memsize)) [[unlikely]]
    CW_TRAP(TrapKind::MemoryOutOfBounds);
  M v;
  std::memcpy(&v, mem + ea, sizeof(M));
  put<M>(fp, a.v, v);
  uint64_t to = uint64_t(get<uint32_t>(fp, a.a2)) + a.offset2;
  if (out_of_bounds(to + sizeof(M), memsize)) [[unlikely]]
    return exit_trap(t, ip + 1, fp, TrapKind::MemoryOutOfBounds);
  std::memcpy(mem + to, &v, sizeof(M));
  CW_NEXT(cells_of<ImmMemMove>);
}

Handler mem_move_handler(Op load, Addr addr) {
  auto of = [&]<class M>() -> Handler {
    switch (addr) {
      case Addr::Slot: return &h_mem_move<M, Addr::Slot>;
      case Addr::AccSlot: return &h_mem_move<M, Addr::AccSlot>;
      case Addr::AddConst: return &h_mem_move<M, Addr::AddConst>;
      default: return nullptr;
    }
  };
  switch (load) {
    case Op::I32Load: return of.operator()<uint32_t>();
    case Op::I64Load: return of.operator()<uint64_t>();
    default: return nullptr;
  }
}

template <class V, class M, bool AccValue>
CW_HANDLER(h_store) {
  auto a = imm<ImmMem>(ip);
  uint64_t ea = uint64_t(get<uint32_t>(fp, a.addr)) + a.offset;
  if (out_of_bounds(ea + sizeof(M), memsize)) [[unlikely]]
    CW_TRAP(TrapKind::MemoryOutOfBounds);
  M v = M(operand<AccValue, V>(fp, a.v, acc));
  std::memcpy(mem + ea, &v, sizeof(M));
  CW_NEXT(cells_of<ImmMem>);
}

template <class V, class M>
CW_HANDLER(h_store_i) {
  auto a = imm<ImmMemI>(ip);
  uint64_t ea = uint64_t(get<uint32_t>(fp, a.addr)) + a.offset;
  if (out_of_bounds(ea + sizeof(M), memsize)) [[unlikely]]
    CW_TRAP(TrapKind::MemoryOutOfBounds);
  M v = M(from_bits<V>(a.k));
  std::memcpy(mem + ea, &v, sizeof(M));
  CW_NEXT(cells_of<ImmMemI>);
}

template <bool ConstRhs, bool Shift>
[[gnu::always_inline]] inline uint64_t fused_address(const Slot* fp, const ImmMemAdd& a) {
  uint32_t rhs = ConstRhs ? a.b : get<uint32_t>(fp, a.b);
  uint32_t x = get<uint32_t>(fp, a.a);
  if constexpr (Shift) x <<= (a.shift & 31);
  return uint64_t(uint32_t(x + rhs)) + a.offset;  // the add wraps, as i32.add
}

template <class V, class M, bool ConstRhs, bool Shift>
CW_HANDLER(h_load_add) {
  auto a = imm<ImmMemAdd>(ip);
  uint64_t ea = fused_address<ConstRhs, Shift>(fp, a);
  CW_LOAD_AT(ea, V, M, a.v, cells_of<ImmMemAdd>);
}

template <class V, class M>
CW_HANDLER(h_load_add_keep) {
  auto a = imm<ImmMemAddKeep>(ip);
  uint32_t sum = get<uint32_t>(fp, a.a) + a.b;
  put<uint32_t>(fp, a.d, sum);
  uint64_t ea = uint64_t(sum) + a.offset;
  CW_LOAD_AT(ea, V, M, a.v, cells_of<ImmMemAddKeep>);
}

template <class V, class M, bool ConstRhs, bool Shift>
CW_HANDLER(h_store_add) {
  auto a = imm<ImmMemAdd>(ip);
  uint64_t ea = fused_address<ConstRhs, Shift>(fp, a);
  if (out_of_bounds(ea + sizeof(M), memsize)) [[unlikely]]
    CW_TRAP(TrapKind::MemoryOutOfBounds);
  M v = M(get<V>(fp, a.v));
  std::memcpy(mem + ea, &v, sizeof(M));
  CW_NEXT(cells_of<ImmMemAdd>);
}

// i32.load, i32.add of a constant, i32.store of the sum to the same address (and maybe a branch
// on the sum): the store cannot trap once the load has not, so one bounds check serves both.
// Both values land in their slots (a local.tee may have retargeted either); the sum is the
// accumulator.
template <bool AccAddr, Test T>
CW_HANDLER(h_i32_rmw_add) {
  using I = std::conditional_t<T == Test::None, ImmRmw, ImmRmwBr>;
  auto a = imm<I>(ip);
  uint64_t ea = uint64_t(operand<AccAddr, uint32_t>(fp, a.addr, acc)) + a.offset;
  if (out_of_bounds(ea + sizeof(uint32_t), memsize)) [[unlikely]]
    CW_TRAP(TrapKind::MemoryOutOfBounds);
  uint32_t old;
  std::memcpy(&old, mem + ea, sizeof old);
  uint32_t sum = old + a.k;
  std::memcpy(mem + ea, &sum, sizeof sum);
  put<uint32_t>(fp, a.v, old);
  put<uint32_t>(fp, a.d, sum);
  if constexpr (T != Test::None) {
    if ((sum != 0) == (T == Test::Nonzero)) CW_JUMP(a.rel);
    CW_NEXT(cells_of<I>);
  } else {
    CW_NEXT_ACC(cells_of<I>, sum);
  }
}

Handler rmw_add_handler(bool acc_addr, Test test) {
  switch (test) {
    case Test::None: return acc_addr ? &h_i32_rmw_add<true, Test::None> : &h_i32_rmw_add<false, Test::None>;
    case Test::Nonzero: return acc_addr ? &h_i32_rmw_add<true, Test::Nonzero> : &h_i32_rmw_add<false, Test::Nonzero>;
    case Test::Zero: return acc_addr ? &h_i32_rmw_add<true, Test::Zero> : &h_i32_rmw_add<false, Test::Zero>;
  }
  return nullptr;
}

CW_HANDLER(h_i32_add_shl_ss) {
  auto a = imm<ImmAddShl>(ip);
  uint32_t r = (get<uint32_t>(fp, a.a) << (a.shift & 31)) + get<uint32_t>(fp, a.b);
  put<uint32_t>(fp, a.d, r);
  CW_NEXT_ACC(cells_of<ImmAddShl>, r);
}

CW_HANDLER(h_i32_add_shl_si) {
  auto a = imm<ImmAddShl>(ip);
  uint32_t r = (get<uint32_t>(fp, a.a) << (a.shift & 31)) + uint32_t(a.k);
  put<uint32_t>(fp, a.d, r);
  CW_NEXT_ACC(cells_of<ImmAddShl>, r);
}

CW_HANDLER(h_memory_size) {
  auto a = imm<ImmSD>(ip);
  put<uint32_t>(fp, a.d, uint32_t(memsize >> 16));
  CW_NEXT(cells_of<ImmSD>);
}

CW_HANDLER(h_memory_grow) {
  auto a = imm<ImmSD>(ip);
  int64_t old = t->inst->mem0->grow(get<uint32_t>(fp, a.s));
  load_memory(t->inst, mem, memsize);  // the base may move
  put<uint32_t>(fp, a.d, uint32_t(old));
  CW_NEXT(cells_of<ImmSD>);
}

CW_HANDLER(h_memory_init) {
  auto a = imm<ImmTable2>(ip);
  uint64_t dst = get<uint32_t>(fp, a.a), src = get<uint32_t>(fp, a.b), n = get<uint32_t>(fp, a.c);
  const ModuleData& m = *t->inst->module;
  const DataSegment& seg = m.datas[a.x];
  uint64_t seg_size = t->inst->data_dropped[a.x] ? 0 : seg.size;
  if (src + n > seg_size || dst + n > memsize) CW_TRAP(TrapKind::MemoryOutOfBounds);
  if (!bulk_move(t, ip, fp, mem + dst, m.bytes.data() + seg.bytes_offset + src, n)) return exit_out_of_fuel(t, ip, fp);
  CW_NEXT(cells_of<ImmTable2>);
}

CW_HANDLER(h_data_drop) {
  auto a = imm<ImmIdxS>(ip);
  t->inst->data_dropped[a.idx] = true;
  CW_NEXT(cells_of<ImmIdxS>);
}

CW_HANDLER(h_memory_copy) {
  auto a = imm<ImmTable2>(ip);
  uint64_t dst = get<uint32_t>(fp, a.a), src = get<uint32_t>(fp, a.b), n = get<uint32_t>(fp, a.c);
  if (src + n > memsize || dst + n > memsize) CW_TRAP(TrapKind::MemoryOutOfBounds);
  if (!bulk_move(t, ip, fp, mem + dst, mem + src, n)) return exit_out_of_fuel(t, ip, fp);
  CW_NEXT(cells_of<ImmTable2>);
}

CW_HANDLER(h_memory_fill) {
  auto a = imm<ImmTable2>(ip);
  uint64_t dst = get<uint32_t>(fp, a.a), n = get<uint32_t>(fp, a.c);
  uint8_t value = uint8_t(get<uint32_t>(fp, a.b));
  if (dst + n > memsize) CW_TRAP(TrapKind::MemoryOutOfBounds);
  if (!bulk(t, ip, fp, n, 1, [&](uint64_t done, uint64_t c) { std::memset(mem + dst + done, value, c); }))
    return exit_out_of_fuel(t, ip, fp);
  CW_NEXT(cells_of<ImmTable2>);
}

Handler load_handler(Op op, Addr addr) {
  switch (op) {
#define CW_SPECIAL(Name, prefix, code, text)
#define CW_LOAD(Name, prefix, code, text, ValueT, MemT)                                          \
  case Op::Name:                                                                         \
    switch (addr) {                                                                      \
      case Addr::Slot: return &h_load<ValueT, MemT, false>;                              \
      case Addr::AccSlot: return &h_load<ValueT, MemT, true>;                            \
      case Addr::AddConst: return &h_load_add<ValueT, MemT, true, false>;                \
      case Addr::AddSlots: return &h_load_add<ValueT, MemT, false, false>;               \
      case Addr::ShlAddConst: return &h_load_add<ValueT, MemT, true, true>;              \
      case Addr::ShlAddSlots: return &h_load_add<ValueT, MemT, false, true>;             \
      case Addr::AddConstKeep: return &h_load_add_keep<ValueT, MemT>;                    \
    }                                                                                    \
    return nullptr;
#include "isa/opcodes.def"
    default: return nullptr;
  }
}

namespace {
template <class M>
Handler load_branch_of(Addr addr, bool nonzero) {
  switch (addr) {
    case Addr::Slot: return nonzero ? &h_load_branch<M, Addr::Slot, true> : &h_load_branch<M, Addr::Slot, false>;
    case Addr::AccSlot:
      return nonzero ? &h_load_branch<M, Addr::AccSlot, true> : &h_load_branch<M, Addr::AccSlot, false>;
    case Addr::AddConst:
      return nonzero ? &h_load_branch<M, Addr::AddConst, true> : &h_load_branch<M, Addr::AddConst, false>;
    default: return nullptr;
  }
}
}  // namespace

// The loads that fuse with a test against zero (a choice, by measurement on sqlite3 and cmark).
Handler load_branch_handler(Op op, Addr addr, bool nonzero) {
  switch (op) {
    case Op::I32Load: return load_branch_of<uint32_t>(addr, nonzero);
    case Op::I32Load8U: return load_branch_of<uint8_t>(addr, nonzero);
    case Op::I32Load8S: return load_branch_of<int8_t>(addr, nonzero);
    case Op::I32Load16U: return load_branch_of<uint16_t>(addr, nonzero);
    default: return nullptr;
  }
}

namespace {
template <class V1, class M1, class V2, class M2>
Handler load_pair_of(bool acc, bool chained) {
  if constexpr (std::is_same_v<V1, uint32_t>) {
    if (chained) return acc ? &h_load_pair<V1, M1, V2, M2, true, true> : &h_load_pair<V1, M1, V2, M2, false, true>;
  } else if (chained) {
    return nullptr;  // an i64 is no address
  }
  return acc ? &h_load_pair<V1, M1, V2, M2, true, false> : &h_load_pair<V1, M1, V2, M2, false, false>;
}
template <class V1, class M1>
Handler load_pair_second(Op second, bool acc, bool chained) {
  switch (second) {
    case Op::I32Load: return load_pair_of<V1, M1, uint32_t, uint32_t>(acc, chained);
    case Op::I32Load8U: return load_pair_of<V1, M1, uint32_t, uint8_t>(acc, chained);
    case Op::I32Load8S: return load_pair_of<V1, M1, uint32_t, int8_t>(acc, chained);
    case Op::I32Load16U: return load_pair_of<V1, M1, uint32_t, uint16_t>(acc, chained);
    case Op::I64Load: return load_pair_of<V1, M1, uint64_t, uint64_t>(acc, chained);
    default: return nullptr;
  }
}
}  // namespace

// The loads that pair (a choice, by the pair profiles of sqlite3 and cmark).
Handler load_pair_handler(Op first, Op second, bool first_acc, bool chained) {
  switch (first) {
    case Op::I32Load: return load_pair_second<uint32_t, uint32_t>(second, first_acc, chained);
    case Op::I32Load8U: return load_pair_second<uint32_t, uint8_t>(second, first_acc, chained);
    case Op::I32Load8S: return load_pair_second<uint32_t, int8_t>(second, first_acc, chained);
    case Op::I32Load16U: return load_pair_second<uint32_t, uint16_t>(second, first_acc, chained);
    case Op::I64Load: return load_pair_second<uint64_t, uint64_t>(second, first_acc, chained);
    default: return nullptr;
  }
}

Handler store_handler(Op op, bool const_value, Addr addr, bool acc_value) {
  switch (op) {
#define CW_SPECIAL(Name, prefix, code, text)
#define CW_STORE(Name, prefix, code, text, ValueT, MemT)                                         \
  case Op::Name:                                                                         \
    if (const_value) return &h_store_i<ValueT, MemT>;                                    \
    switch (addr) {                                                                      \
      case Addr::AddConst: return &h_store_add<ValueT, MemT, true, false>;               \
      case Addr::AddSlots: return &h_store_add<ValueT, MemT, false, false>;              \
      case Addr::ShlAddConst: return &h_store_add<ValueT, MemT, true, true>;             \
      case Addr::ShlAddSlots: return &h_store_add<ValueT, MemT, false, true>;            \
      case Addr::Slot: case Addr::AccSlot:                                               \
        return acc_value ? &h_store<ValueT, MemT, true> : &h_store<ValueT, MemT, false>; \
      case Addr::AddConstKeep: return nullptr;                                           \
    }                                                                                    \
    return nullptr;
#include "isa/opcodes.def"
    default: return nullptr;
  }
}

}  // namespace corowasm::detail
