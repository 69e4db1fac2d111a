// Threaded handlers. Every handler has the signature spelled by CW_HANDLER and ends in
// CW_NEXT (a guaranteed tail call into the next handler, or a return to the loop backend).
// Families of numeric handlers are templates over the operator structs of numeric.h, and the
// tables at the bottom map each opcode of opcodes.def to its instantiations.
#include "handlers.h"

#include <algorithm>
#include <array>
#include <tuple>
#include <utility>
#include <map>
#include <vector>
#include <cstdio>
#include <string>
#include <unordered_map>

#include "numeric.h"
#include "driver.h"
#include "runtime.h"

namespace corowasm::detail {

#define CW_TRAP(kind) return exit_trap(t, ip, fp, (kind))

// Fuel: every taken backward branch (rel <= 0: only loop back-edges, a loop may branch to
// itself) and every call
// spends one unit, so any endless execution reaches an Exit::OutOfFuel. A branch leaves with
// the loop header as the resume point (a label: it never reads the accumulator); a call
// leaves before it does anything and re-executes when resumed.
Exit exit_out_of_fuel(Thread* t, const Cell* resume, Slot* fp) {
  t->ip = resume;
  t->fp = fp;
  return Exit::OutOfFuel;
}
#define CW_JUMP(rel)                                                       \
  do {                                                                     \
    if ((rel) <= 0 && --t->fuel < 0) [[unlikely]]                          \
      return exit_out_of_fuel(t, ip + (rel), fp);                          \
    CW_NEXT(rel);                                                          \
  } while (0)
#define CW_SPEND_CALL()                                                    \
  do {                                                                     \
    if (--t->fuel < 0) [[unlikely]]                                        \
      return exit_out_of_fuel(t, ip, fp);                                  \
  } while (0)

template <class T>
[[gnu::always_inline]] inline T from_bits(uint64_t b) {
  Slot s = b;
  return get<T>(&s, 0);
}

// Bounds check of one access. COROWASM_UNSAFE_NO_BOUNDS_CHECKS exists only to measure what
// the checks cost (the saving a guard-page design could at best bring); it is never safe.
[[gnu::always_inline]] inline bool out_of_bounds(uint64_t end, uint64_t memsize) {
#if COROWASM_UNSAFE_NO_BOUNDS_CHECKS
  (void)end;
  (void)memsize;
  return false;
#else
  return end > memsize;
#endif
}

[[gnu::always_inline]] inline void load_memory(InstanceData* inst, uint8_t*& mem, uint64_t& memsize) {
  mem = inst->mem0->base;
  memsize = inst->mem0->size;
}

// Code of another instance runs next: its memory replaces the cached base and size.
[[gnu::always_inline]] inline void enter_instance(Thread* t, InstanceData* inst, uint8_t*& mem, uint64_t& memsize) {
  if (inst != t->inst) {
    t->inst = inst;
    if (inst) load_memory(inst, mem, memsize);
  }
}

// ---- numeric families ----
//
// Operand sources: a template flag `Acc*` set means that operand is the previous handler's
// result, read from `acc` rather than from its slot.

template <bool FromAcc, class T>
[[gnu::always_inline]] inline T operand(const Slot* fp, uint32_t slot, uint64_t acc) {
  if constexpr (FromAcc) return from_bits<T>(acc);
  else return get<T>(fp, slot);
}

template <class OpT, bool AccA>
CW_HANDLER(h_unary) {
  auto a = imm<ImmSD>(ip);
  using A = typename OpT::A;
  using R = typename OpT::R;
  R r;
  if constexpr (OpT::traps) {
    TrapKind why;
    if (!OpT::apply(operand<AccA, A>(fp, a.s, acc), r, why)) [[unlikely]]
      CW_TRAP(why);
  } else {
    r = OpT::apply(operand<AccA, A>(fp, a.s, acc));
  }
  put<R>(fp, a.d, r);
  CW_NEXT_ACC(cells_of<ImmSD>, to_bits(r));
}

template <class OpT, class A, class B>
[[gnu::always_inline]] inline bool binary_apply(A x, B y, typename OpT::R& r, TrapKind& why) {
  if constexpr (OpT::traps) {
    return OpT::apply(x, y, r, why);
  } else {
    (void)why;
    r = OpT::apply(x, y);
    return true;
  }
}

// Src: 0 both operands from slots, 'a' the left one from acc, 'b' the right one from acc.
template <class OpT, char Src>
CW_HANDLER(h_binary_ss) {
  auto a = imm<ImmSSD>(ip);
  typename OpT::R r;
  TrapKind why;
  if (!binary_apply<OpT>(operand<Src == 'a', typename OpT::A>(fp, a.a, acc),
                         operand<Src == 'b', typename OpT::B>(fp, a.b, acc), r, why)) [[unlikely]]
    CW_TRAP(why);
  put<typename OpT::R>(fp, a.d, r);
  CW_NEXT_ACC(cells_of<ImmSSD>, to_bits(r));
}

template <class OpT, bool AccA>
CW_HANDLER(h_binary_si) {
  auto a = imm<ImmSID>(ip);
  typename OpT::R r;
  TrapKind why;
  if (!binary_apply<OpT>(operand<AccA, typename OpT::A>(fp, a.a, acc), from_bits<typename OpT::B>(a.b), r, why))
      [[unlikely]]
    CW_TRAP(why);
  put<typename OpT::R>(fp, a.d, r);
  CW_NEXT_ACC(cells_of<ImmSID>, to_bits(r));
}

template <class OpT, bool AccB>
CW_HANDLER(h_binary_is) {
  auto a = imm<ImmISD>(ip);
  typename OpT::R r;
  TrapKind why;
  if (!binary_apply<OpT>(from_bits<typename OpT::A>(a.a), operand<AccB, typename OpT::B>(fp, a.b, acc), r, why))
      [[unlikely]]
    CW_TRAP(why);
  put<typename OpT::R>(fp, a.d, r);
  CW_NEXT_ACC(cells_of<ImmISD>, to_bits(r));
}

template <class OpT, char Src>
CW_HANDLER(h_branch_ss) {
  auto a = imm<ImmBrSS>(ip);
  if (OpT::apply(operand<Src == 'a', typename OpT::A>(fp, a.a, acc), operand<Src == 'b', typename OpT::B>(fp, a.b, acc)))
    CW_JUMP(a.rel);
  CW_NEXT(cells_of<ImmBrSS>);
}

template <class OpT, bool AccA>
CW_HANDLER(h_branch_si) {
  auto a = imm<ImmBrSI>(ip);
  if (OpT::apply(operand<AccA, typename OpT::A>(fp, a.a, acc), from_bits<typename OpT::B>(a.b))) CW_JUMP(a.rel);
  CW_NEXT(cells_of<ImmBrSI>);
}

// ---- fused chains of two binary operators ----

template <class Op1, class Op2, char Shape, bool InnerLeft>
CW_HANDLER(h_chain) {
  auto a = imm<ImmChain>(ip);
  using T = typename Op1::A;
  T y = (Shape == 'A' || Shape == 'B') ? from_bits<T>(a.k1) : get<T>(fp, a.y);
  T inner = Op1::apply(get<T>(fp, a.x), y);
  T z = (Shape == 'A' || Shape == 'D') ? from_bits<T>(a.k2) : get<T>(fp, a.z);
  T r = InnerLeft ? Op2::apply(inner, z) : Op2::apply(z, inner);
  put<T>(fp, a.d, r);
  CW_NEXT_ACC(cells_of<ImmChain>, to_bits(r));
}

// Operators that chain: non-trapping, one type in and out.
using I32ChainOps = std::tuple<num::I32Add, num::I32Sub, num::I32Mul, num::I32And, num::I32Or, num::I32Xor,
                               num::I32Shl, num::I32ShrS, num::I32ShrU>;
using I64ChainOps = std::tuple<num::I64Add, num::I64Sub, num::I64Mul, num::I64And, num::I64Or, num::I64Xor,
                               num::I64Shl, num::I64ShrS, num::I64ShrU>;
using F32ChainOps = std::tuple<num::F32Add, num::F32Sub, num::F32Mul>;
using F64ChainOps = std::tuple<num::F64Add, num::F64Sub, num::F64Mul>;
constexpr Op kI32ChainOps[] = {Op::I32Add, Op::I32Sub, Op::I32Mul, Op::I32And, Op::I32Or, Op::I32Xor,
                               Op::I32Shl, Op::I32ShrS, Op::I32ShrU};
constexpr Op kI64ChainOps[] = {Op::I64Add, Op::I64Sub, Op::I64Mul, Op::I64And, Op::I64Or, Op::I64Xor,
                               Op::I64Shl, Op::I64ShrS, Op::I64ShrU};
constexpr Op kF32ChainOps[] = {Op::F32Add, Op::F32Sub, Op::F32Mul};
constexpr Op kF64ChainOps[] = {Op::F64Add, Op::F64Sub, Op::F64Mul};

template <class Ops, char Shape, bool Left, size_t... K>
constexpr std::array<Handler, sizeof...(K)> chain_table(std::index_sequence<K...>) {
  constexpr size_t n = std::tuple_size_v<Ops>;
  return {&h_chain<std::tuple_element_t<K / n, Ops>, std::tuple_element_t<K % n, Ops>, Shape, Left>...};
}

template <class Ops, size_t N>
Handler chain_lookup(const Op (&ops)[N], Op op1, Op op2, char shape, bool left) {
  static_assert(N == std::tuple_size_v<Ops>);
  size_t i = std::find(ops, ops + N, op1) - ops, j = std::find(ops, ops + N, op2) - ops;
  if (i == N || j == N) return nullptr;
  using Seq = std::make_index_sequence<N * N>;
  static constexpr auto a = chain_table<Ops, 'A', true>(Seq{});
  static constexpr auto b = chain_table<Ops, 'B', true>(Seq{});
  static constexpr auto bl = chain_table<Ops, 'B', false>(Seq{});
  static constexpr auto c = chain_table<Ops, 'C', true>(Seq{});
  static constexpr auto cl = chain_table<Ops, 'C', false>(Seq{});
  static constexpr auto d = chain_table<Ops, 'D', true>(Seq{});
  size_t k = i * N + j;
  switch (shape) {
    case 'A': return left ? a[k] : nullptr;
    case 'B': return left ? b[k] : bl[k];
    case 'C': return left ? c[k] : cl[k];
    case 'D': return left ? d[k] : nullptr;
    default: return nullptr;
  }
}

Handler chain_handler(Op op1, Op op2, char shape, bool inner_left) {
  if (Handler h = chain_lookup<I32ChainOps>(kI32ChainOps, op1, op2, shape, inner_left)) return h;
  if (Handler h = chain_lookup<I64ChainOps>(kI64ChainOps, op1, op2, shape, inner_left)) return h;
  // Float chains keep both roundings (no FMA contraction): only slot operands.
  if (shape != 'C') return nullptr;
  if (Handler h = chain_lookup<F32ChainOps>(kF32ChainOps, op1, op2, shape, inner_left)) return h;
  return chain_lookup<F64ChainOps>(kF64ChainOps, op1, op2, shape, inner_left);
}

// ---- an i32 update fused into the compare-and-branch that tests it ----

template <class Op1, class Cmp, bool ConstRhs>
CW_HANDLER(h_op_branch) {
  auto a = imm<ImmOpBr>(ip);
  uint32_t v = Op1::apply(get<uint32_t>(fp, a.x), a.k1);
  put<uint32_t>(fp, a.d, v);
  uint32_t rhs = ConstRhs ? a.k2 : get<uint32_t>(fp, a.b);  // read after the write, as unfused
  if (Cmp::apply(v, rhs)) CW_JUMP(a.rel);
  CW_NEXT(cells_of<ImmOpBr>);  // (not an acc producer: the compiler sees a branch here)
}

using OpBranchUpdates = std::tuple<num::I32Add, num::I32Sub, num::I32And>;
constexpr Op kOpBranchUpdates[] = {Op::I32Add, Op::I32Sub, Op::I32And};
using OpBranchCompares = std::tuple<num::I32Eq, num::I32Ne, num::I32LtS, num::I32LtU, num::I32GtS, num::I32GtU,
                                    num::I32LeS, num::I32LeU, num::I32GeS, num::I32GeU>;
constexpr Op kOpBranchCompares[] = {Op::I32Eq, Op::I32Ne, Op::I32LtS, Op::I32LtU, Op::I32GtS, Op::I32GtU,
                                    Op::I32LeS, Op::I32LeU, Op::I32GeS, Op::I32GeU};

template <bool ConstRhs, size_t... K>
constexpr std::array<Handler, sizeof...(K)> op_branch_table(std::index_sequence<K...>) {
  constexpr size_t n = std::tuple_size_v<OpBranchCompares>;
  return {&h_op_branch<std::tuple_element_t<K / n, OpBranchUpdates>, std::tuple_element_t<K % n, OpBranchCompares>,
                       ConstRhs>...};
}

Handler op_branch_handler(Op op1, Op cmp, bool const_rhs) {
  constexpr size_t nu = std::size(kOpBranchUpdates), nc = std::size(kOpBranchCompares);
  size_t i = std::find(std::begin(kOpBranchUpdates), std::end(kOpBranchUpdates), op1) - std::begin(kOpBranchUpdates);
  size_t j = std::find(std::begin(kOpBranchCompares), std::end(kOpBranchCompares), cmp) - std::begin(kOpBranchCompares);
  if (i == nu || j == nc) return nullptr;
  static constexpr auto ss = op_branch_table<false>(std::make_index_sequence<nu * nc>{});
  static constexpr auto si = op_branch_table<true>(std::make_index_sequence<nu * nc>{});
  return const_rhs ? si[i * nc + j] : ss[i * nc + j];
}

// ---- memory ----

template <class V, class M, bool AccAddr>
CW_HANDLER(h_load) {
  auto a = imm<ImmMem>(ip);
  // Explicit bounds check: the effective address is 33 bits wide, so the sum cannot wrap.
  uint64_t ea = uint64_t(operand<AccAddr, uint32_t>(fp, a.addr, acc)) + a.offset;
  if (out_of_bounds(ea + sizeof(M), memsize)) [[unlikely]]
    CW_TRAP(TrapKind::MemoryOutOfBounds);
  M v;
  std::memcpy(&v, mem + ea, sizeof(M));
  put<V>(fp, a.v, V(v));
  CW_NEXT_ACC(cells_of<ImmMem>, to_bits(V(v)));
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
  if (out_of_bounds(ea + sizeof(M), memsize)) [[unlikely]]
    CW_TRAP(TrapKind::MemoryOutOfBounds);
  M v;
  std::memcpy(&v, mem + ea, sizeof(M));
  put<V>(fp, a.v, V(v));
  CW_NEXT_ACC(cells_of<ImmMemAdd>, to_bits(V(v)));
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

// Bulk instructions work in chunks, spending one fuel unit per kBulkBytesPerUnit bytes they
// move: when the slice runs out with work left, they leave through Exit::OutOfFuel at their own
// ip and continue where they stopped when run again (Thread::bulk_*). So a 4 GiB memory.fill
// costs fuel like the loop it replaces would, and yields to the driver's slice and deadline
// checks on the way. `step(done, count)` does elements [done, done + count).
constexpr uint64_t kBulkChunkBytes = 256 * 1024;

template <class Step>
[[gnu::always_inline]] inline bool bulk(Thread* t, const Cell* ip, Slot* fp, uint64_t n, uint64_t elem_bytes,
                                        Step step) {
  uint64_t done = 0;
  if (t->bulk_ip == ip && t->bulk_fp == fp) [[unlikely]]
    done = t->bulk_done;
  t->bulk_ip = nullptr;
  const uint64_t chunk = kBulkChunkBytes / elem_bytes;
  while (done < n) {
    uint64_t c = std::min(chunk, n - done);
    step(done, c);
    done += c;
    t->fuel -= int64_t(c * elem_bytes / kBulkBytesPerUnit);
    if (t->fuel < 0 && done < n) [[unlikely]] {
      t->bulk_ip = ip;
      t->bulk_fp = fp;
      t->bulk_done = done;
      return false;
    }
  }
  return true;
}

// Copy n elements between possibly overlapping ranges in chunks: front to back when the
// destination lies below the source, back to front otherwise, so no chunk reads what an
// earlier one wrote.
template <class T>
[[gnu::always_inline]] inline bool bulk_move(Thread* t, const Cell* ip, Slot* fp, T* dst, const T* src, uint64_t n) {
  bool forward = uintptr_t(dst) <= uintptr_t(src);
  return bulk(t, ip, fp, n, sizeof(T), [&](uint64_t done, uint64_t c) {
    uint64_t at = forward ? done : n - done - c;
    std::memmove(dst + at, src + at, c * sizeof(T));
  });
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

// ---- control ----

CW_HANDLER(h_unreachable) { CW_TRAP(TrapKind::Unreachable); }

CW_HANDLER(h_copy) {
  auto a = imm<ImmSD>(ip);
  Slot v = fp[a.s];
  fp[a.d] = v;
  CW_NEXT_ACC(cells_of<ImmSD>, v);
}

CW_HANDLER(h_copy2) {
  auto a = imm<ImmCopy2>(ip);
  fp[a.d1] = fp[a.s1];
  Slot v = fp[a.s2];
  fp[a.d2] = v;
  CW_NEXT_ACC(cells_of<ImmCopy2>, v);
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

CW_HANDLER(h_br_nz) { [[clang::musttail]] return h_br_nz_t<false>(ip, fp, mem, memsize, t, acc); }
CW_HANDLER(h_br_z) { [[clang::musttail]] return h_br_z_t<false>(ip, fp, mem, memsize, t, acc); }
CW_HANDLER(h_br_nz_acc) { [[clang::musttail]] return h_br_nz_t<true>(ip, fp, mem, memsize, t, acc); }
CW_HANDLER(h_br_z_acc) { [[clang::musttail]] return h_br_z_t<true>(ip, fp, mem, memsize, t, acc); }

CW_HANDLER(h_br_table) {
  auto a = imm<ImmBrTable>(ip);
  uint32_t i = std::min(get<uint32_t>(fp, a.index), a.count);
  int32_t rel;
  std::memcpy(&rel, reinterpret_cast<const char*>(ip + 2) + 4 * size_t(i), 4);
  CW_JUMP(rel);
}

CW_HANDLER(h_select) {
  auto a = imm<ImmSelect>(ip);
  Slot v = get<uint32_t>(fp, a.c) ? fp[a.a] : fp[a.b];
  fp[a.d] = v;
  CW_NEXT_ACC(cells_of<ImmSelect>, v);
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

// ---- calls: push a heap frame and continue in the callee; never recurse natively ----

// Reserve the callee's frame; false when the call stack or value stack must grow first.
[[gnu::always_inline]] inline bool fits(Thread* t, Slot* nfp, const FuncCode* f) {
  return nfp + f->frame_slots <= t->stack_end && t->frame_top != t->frame_end;
}

// Declared locals start at zero. Most functions declare a handful: store them inline rather
// than paying for a call into libc's memset.
[[gnu::always_inline]] inline void zero_locals(const FuncCode* f, Slot* fp) {
  uint32_t n = f->num_locals - f->num_params;
  Slot* p = fp + f->num_params;
  if (n > 8) [[unlikely]] {
    std::memset(p, 0, size_t(n) * sizeof(Slot));
    return;
  }
  switch (n) {
    case 8: p[7] = 0; [[fallthrough]];
    case 7: p[6] = 0; [[fallthrough]];
    case 6: p[5] = 0; [[fallthrough]];
    case 5: p[4] = 0; [[fallthrough]];
    case 4: p[3] = 0; [[fallthrough]];
    case 3: p[2] = 0; [[fallthrough]];
    case 2: p[1] = 0; [[fallthrough]];
    case 1: p[0] = 0; [[fallthrough]];
    default: break;
  }
}

[[gnu::always_inline]] inline void push_frame(Thread* t, const FuncCode* f, const Cell* ret, Slot* fp, Slot* nfp) {
  *t->frame_top++ = Frame{f, ret, fp, t->inst};
  zero_locals(f, nfp);
}

Exit exit_stack_limit(Thread* t, const Cell* ip, Slot* fp, const FuncCode* callee, bool tail = false) {
  t->ip = ip;  // the call re-executes once the driver has grown the stacks
  t->fp = fp;
  t->pending_callee = callee;
  t->pending_tail = tail;
  return Exit::StackLimit;
}

Exit exit_host_call(Thread* t, const Cell* resume, Slot* fp, FuncInst* f, Slot* args) {
  t->ip = resume;
  t->fp = fp;
  t->host_callee = f;
  t->host_args = args;
  return Exit::HostCall;
}

CW_HANDLER(h_call) {
  CW_SPEND_CALL();
  auto a = imm<ImmCall>(ip);
  Slot* nfp = fp + a.args;
  if (!fits(t, nfp, a.func)) [[unlikely]]
    return exit_stack_limit(t, ip, fp, a.func);
  push_frame(t, a.func, ip + cells_of<ImmCall>, fp, nfp);
  [[clang::musttail]] return next(a.func->code.data(), nfp, mem, memsize, t, acc);
}

// Call a function instance (an import or a table entry): Wasm code of this or another
// instance continues in the handler chain; a host function leaves it through Exit::HostCall.
#define CW_CALL_FUNC_INST(f, args_slot, len)                                              \
  do {                                                                                    \
    Slot* nfp = fp + (args_slot);                                                         \
    if (!(f)->code) return exit_host_call(t, ip + (len), fp, (f), nfp);                   \
    if (!fits(t, nfp, (f)->code)) [[unlikely]]                                            \
      return exit_stack_limit(t, ip, fp, (f)->code);                                      \
    push_frame(t, (f)->code, ip + (len), fp, nfp);                                        \
    enter_instance(t, (f)->inst, mem, memsize);                                           \
    [[clang::musttail]] return next((f)->code->code.data(), nfp, mem, memsize, t, acc);      \
  } while (0)

CW_HANDLER(h_call_import) {
  CW_SPEND_CALL();
  auto a = imm<ImmCallImport>(ip);
  FuncInst* f = t->inst->funcs[a.func];
  CW_CALL_FUNC_INST(f, a.args, cells_of<ImmCallImport>);
}

[[gnu::always_inline]] inline FuncInst* table_entry(Thread* t, const ImmCallIndirect& a, Slot* fp, TrapKind& why) {
  TableInst* table = t->inst->tables[a.table];
  uint32_t i = get<uint32_t>(fp, a.index);
  if (i >= table->refs.size()) [[unlikely]] {
    why = TrapKind::UndefinedElement;
    return nullptr;
  }
  auto* f = reinterpret_cast<FuncInst*>(table->refs[i]);
  if (!f) [[unlikely]] {
    why = TrapKind::UninitializedElement;
    return nullptr;
  }
  if (f->type_id != a.type_id) [[unlikely]] {
    why = TrapKind::IndirectCallMismatch;
    return nullptr;
  }
  return f;
}

CW_HANDLER(h_call_indirect) {
  CW_SPEND_CALL();
  auto a = imm<ImmCallIndirect>(ip);
  TrapKind why;
  FuncInst* f = table_entry(t, a, fp, why);
  if (!f) [[unlikely]]
    CW_TRAP(why);
  CW_CALL_FUNC_INST(f, a.args, cells_of<ImmCallIndirect>);
}

// Tail calls reuse the current frame: arguments move down to fp[0..] and the frame record
// now names the callee, so endless tail recursion runs in constant space.
[[gnu::always_inline]] inline void reuse_frame(Thread* t, const FuncCode* f, Slot* fp, uint32_t args) {
  std::memmove(fp, fp + args, size_t(f->num_params) * sizeof(Slot));
  zero_locals(f, fp);
  t->frame_top[-1].func = f;
}

CW_HANDLER(h_return_call) {
  CW_SPEND_CALL();
  auto a = imm<ImmCall>(ip);
  if (fp + a.func->frame_slots > t->stack_end) [[unlikely]]
    return exit_stack_limit(t, ip, fp, a.func, true);
  reuse_frame(t, a.func, fp, a.args);
  [[clang::musttail]] return next(a.func->code.data(), fp, mem, memsize, t, acc);
}

// A host callee cannot reuse a Wasm frame: it is called normally, and the compiler placed the
// frame's return sequence right after this instruction.
#define CW_TAIL_CALL_FUNC_INST(f, args_slot, len)                                        \
  do {                                                                                   \
    if (!(f)->code) return exit_host_call(t, ip + (len), fp, (f), fp + (args_slot));     \
    if (fp + (f)->code->frame_slots > t->stack_end) [[unlikely]]                         \
      return exit_stack_limit(t, ip, fp, (f)->code, true);                               \
    reuse_frame(t, (f)->code, fp, (args_slot));                                          \
    enter_instance(t, (f)->inst, mem, memsize);                                          \
    [[clang::musttail]] return next((f)->code->code.data(), fp, mem, memsize, t, acc);      \
  } while (0)

CW_HANDLER(h_return_call_import) {
  CW_SPEND_CALL();
  auto a = imm<ImmCallImport>(ip);
  FuncInst* f = t->inst->funcs[a.func];
  CW_TAIL_CALL_FUNC_INST(f, a.args, cells_of<ImmCallImport>);
}

CW_HANDLER(h_return_call_indirect) {
  CW_SPEND_CALL();
  auto a = imm<ImmCallIndirect>(ip);
  TrapKind why;
  FuncInst* f = table_entry(t, a, fp, why);
  if (!f) [[unlikely]]
    CW_TRAP(why);
  CW_TAIL_CALL_FUNC_INST(f, a.args, cells_of<ImmCallIndirect>);
}

[[gnu::always_inline]] inline void pop_frame(Thread* t, const Cell*& ip, Slot*& fp, uint8_t*& mem, uint64_t& memsize) {
  Frame& fr = *--t->frame_top;
  ip = fr.ret_ip;
  fp = fr.ret_fp;
  // Same instance: mem/memsize already flowed through the callee (including any growth).
  enter_instance(t, fr.ret_inst, mem, memsize);
}

CW_HANDLER(h_return) {
  pop_frame(t, ip, fp, mem, memsize);
  [[clang::musttail]] return next(ip, fp, mem, memsize, t, acc);
}

CW_HANDLER(h_return1) {
  fp[0] = fp[imm<ImmSD>(ip).s];
  pop_frame(t, ip, fp, mem, memsize);
  [[clang::musttail]] return next(ip, fp, mem, memsize, t, acc);
}

CW_HANDLER(h_return_to_host) {
  t->ip = ip;
  t->fp = fp;
  return Exit::Done;
}

constinit const Cell kReturnToHost[1] = {Cell{.handler = &h_return_to_host}};

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

// ---- tables from opcodes.def ----

Handler unary_handler(Op op, bool acc) {
  switch (op) {
#define CW_SPECIAL(Name, prefix, code, text)
#define CW_UNARY(Name, prefix, code, text, OpT) \
  case Op::Name: return acc ? &h_unary<OpT, true> : &h_unary<OpT, false>;
#include "opcodes.def"
    default: return nullptr;
  }
}

Handler binary_handler(Op op, char form, char acc) {
  switch (op) {
#define CW_SPECIAL(Name, prefix, code, text)
#define CW_BINARY(Name, prefix, code, text, OpT, Flags)                                          \
  case Op::Name:                                                                               \
    if (form == 's') return acc == 'a' ? &h_binary_ss<OpT, 'a'> : acc == 'b' ? &h_binary_ss<OpT, 'b'> \
                                                                : &h_binary_ss<OpT, 0>;           \
    if (form == 'i') return acc == 'a' ? &h_binary_si<OpT, true> : &h_binary_si<OpT, false>;    \
    return acc == 'b' ? &h_binary_is<OpT, true> : &h_binary_is<OpT, false>;
#include "opcodes.def"
    default: return nullptr;
  }
}

Handler load_handler(Op op, char addr) {
  switch (op) {
#define CW_SPECIAL(Name, prefix, code, text)
#define CW_LOAD(Name, code, text, ValueT, MemT)                                          \
  case Op::Name:                                                                         \
    switch (addr) {                                                                      \
      case 'a': return &h_load<ValueT, MemT, true>;                                      \
      case 'i': return &h_load_add<ValueT, MemT, true, false>;                           \
      case 's': return &h_load_add<ValueT, MemT, false, false>;                          \
      case 'I': return &h_load_add<ValueT, MemT, true, true>;                            \
      case 'S': return &h_load_add<ValueT, MemT, false, true>;                           \
      default: return &h_load<ValueT, MemT, false>;                                      \
    }
#include "opcodes.def"
    default: return nullptr;
  }
}

Handler store_handler(Op op, bool const_value, char addr, bool acc_value) {
  switch (op) {
#define CW_SPECIAL(Name, prefix, code, text)
#define CW_STORE(Name, code, text, ValueT, MemT)                                         \
  case Op::Name:                                                                         \
    if (const_value) return &h_store_i<ValueT, MemT>;                                    \
    switch (addr) {                                                                      \
      case 'i': return &h_store_add<ValueT, MemT, true, false>;                          \
      case 's': return &h_store_add<ValueT, MemT, false, false>;                         \
      case 'I': return &h_store_add<ValueT, MemT, true, true>;                           \
      case 'S': return &h_store_add<ValueT, MemT, false, true>;                          \
      default: return acc_value ? &h_store<ValueT, MemT, true> : &h_store<ValueT, MemT, false>; \
    }
#include "opcodes.def"
    default: return nullptr;
  }
}

namespace flags {
constexpr bool Plain = false, Commute = false, Compare = true;
}

Handler branch_compare_handler(Op op, bool const_rhs, char acc) {
  switch (op) {
#define CW_SPECIAL(Name, prefix, code, text)
#define CW_BINARY(Name, prefix, code, text, OpT, Flags)                                              \
  case Op::Name:                                                                                   \
    if constexpr (flags::Flags) {                                                                  \
      if (const_rhs) return acc == 'a' ? &h_branch_si<OpT, true> : &h_branch_si<OpT, false>;       \
      return acc == 'a' ? &h_branch_ss<OpT, 'a'> : acc == 'b' ? &h_branch_ss<OpT, 'b'> : &h_branch_ss<OpT, 0>; \
    }                                                                                              \
    return nullptr;
#include "opcodes.def"
    default: return nullptr;
  }
}

std::optional<Op> decode_op(uint8_t prefix, uint32_t code) {
  switch (prefix) {
    case 0:
      switch (code) {
#define CW_SPECIAL(Name, prefix, code, text) case (prefix == 0 ? code : 0x100 + code): return Op::Name;
#define CW_UNARY(Name, prefix, code, text, OpT) case (prefix == 0 ? code : 0x100 + code): return Op::Name;
#define CW_BINARY(Name, prefix, code, text, OpT, Flags) case (prefix == 0 ? code : 0x100 + code): return Op::Name;
#define CW_LOAD(Name, code, text, ValueT, MemT) case code: return Op::Name;
#define CW_STORE(Name, code, text, ValueT, MemT) case code: return Op::Name;
#include "opcodes.def"
        default: return std::nullopt;
      }
    case 0xFC:
      switch (code) {
#define CW_SPECIAL(Name, prefix, code, text) case (prefix == 0xFC ? code : 0x100 + code): return Op::Name;
#define CW_UNARY(Name, prefix, code, text, OpT) case (prefix == 0xFC ? code : 0x100 + code): return Op::Name;
#define CW_BINARY(Name, prefix, code, text, OpT, Flags) case (prefix == 0xFC ? code : 0x100 + code): return Op::Name;
#include "opcodes.def"
        default: return std::nullopt;
      }
    default: return std::nullopt;
  }
}

const char* op_name(Op op) {
  static const char* const names[] = {
#define CW_SPECIAL(Name, prefix, code, text) text,
#define CW_UNARY(Name, prefix, code, text, OpT) text,
#define CW_BINARY(Name, prefix, code, text, OpT, Flags) text,
#define CW_LOAD(Name, code, text, ValueT, MemT) text,
#define CW_STORE(Name, code, text, ValueT, MemT) text,
#include "opcodes.def"
  };
  return op < Op::Count_ ? names[size_t(op)] : "?";
}

namespace {

struct HandlerInfo {
  std::string name;
  uint32_t cells;  // instruction length; 0 = variable (br_table)
};

const std::unordered_map<Handler, HandlerInfo>& handler_infos() {
  static const std::unordered_map<Handler, HandlerInfo> infos = [] {
    std::unordered_map<Handler, HandlerInfo> n;
    for (size_t i = 0; i < size_t(Op::Count_); ++i) {
      Op op = Op(i);
      std::string base = op_name(op);
      if (Handler u = unary_handler(op)) {
        n[u] = {base, cells_of<ImmSD>};
        n[unary_handler(op, true)] = {base + "@acc", cells_of<ImmSD>};
      }
      if (binary_handler(op, 's')) {
        n[binary_handler(op, 's')] = {base + "_ss", cells_of<ImmSSD>};
        n[binary_handler(op, 's', 'a')] = {base + "_ss@acc.a", cells_of<ImmSSD>};
        n[binary_handler(op, 's', 'b')] = {base + "_ss@acc.b", cells_of<ImmSSD>};
        n[binary_handler(op, 'i')] = {base + "_si", cells_of<ImmSID>};
        n[binary_handler(op, 'i', 'a')] = {base + "_si@acc", cells_of<ImmSID>};
        n[binary_handler(op, 'l')] = {base + "_is", cells_of<ImmISD>};
        n[binary_handler(op, 'l', 'b')] = {base + "_is@acc", cells_of<ImmISD>};
      }
      if (Handler b = branch_compare_handler(op, false)) {
        n[b] = {"br_if." + base + "_ss", cells_of<ImmBrSS>};
        n[branch_compare_handler(op, false, 'a')] = {"br_if." + base + "_ss@acc.a", cells_of<ImmBrSS>};
        n[branch_compare_handler(op, false, 'b')] = {"br_if." + base + "_ss@acc.b", cells_of<ImmBrSS>};
      }
      if (Handler b = branch_compare_handler(op, true)) {
        n[b] = {"br_if." + base + "_si", cells_of<ImmBrSI>};
        n[branch_compare_handler(op, true, 'a')] = {"br_if." + base + "_si@acc", cells_of<ImmBrSI>};
      }
      if (Handler l = load_handler(op)) {
        n[l] = {base, cells_of<ImmMem>};
        n[load_handler(op, 'a')] = {base + "@acc", cells_of<ImmMem>};
        n[load_handler(op, 'i')] = {base + ".add_si", cells_of<ImmMemAdd>};
        n[load_handler(op, 's')] = {base + ".add_ss", cells_of<ImmMemAdd>};
        n[load_handler(op, 'I')] = {base + ".add_shl_si", cells_of<ImmMemAdd>};
        n[load_handler(op, 'S')] = {base + ".add_shl_ss", cells_of<ImmMemAdd>};
      }
      if (Handler st = store_handler(op, false)) {
        n[st] = {base, cells_of<ImmMem>};
        n[store_handler(op, false, 'p', true)] = {base + "@acc", cells_of<ImmMem>};
        n[store_handler(op, true)] = {base + "_i", cells_of<ImmMemI>};
        n[store_handler(op, false, 'i')] = {base + ".add_si", cells_of<ImmMemAdd>};
        n[store_handler(op, false, 's')] = {base + ".add_ss", cells_of<ImmMemAdd>};
        n[store_handler(op, false, 'I')] = {base + ".add_shl_si", cells_of<ImmMemAdd>};
        n[store_handler(op, false, 'S')] = {base + ".add_shl_ss", cells_of<ImmMemAdd>};
      }
    }
    for (size_t i = 0; i < size_t(Op::Count_); ++i)
      for (size_t j = 0; j < size_t(Op::Count_); ++j)
        for (char shape : {'A', 'B', 'C', 'D'})
          for (bool left : {true, false})
            if (Handler h = chain_handler(Op(i), Op(j), shape, left))
              n[h] = {std::string(op_name(Op(i))) + (left ? "->" : "->r.") + op_name(Op(j)) + "." + shape,
                      cells_of<ImmChain>};
    for (Op u : kOpBranchUpdates)
      for (Op c : kOpBranchCompares)
        for (bool k : {false, true})
          n[op_branch_handler(u, c, k)] = {std::string(op_name(u)) + "->br_if." + op_name(c) + (k ? "_si" : "_ss"),
                                           cells_of<ImmOpBr>};
#define CW_INFO(h, Imm) n[&h] = {std::string(#h).substr(2), cells_of<Imm>};
    CW_INFO(h_unreachable, ImmBr) CW_INFO(h_copy, ImmSD) CW_INFO(h_copy2, ImmCopy2) CW_INFO(h_move, ImmMove) CW_INFO(h_i32_add2_si, ImmAdd2) CW_INFO(h_const, ImmKD) CW_INFO(h_br, ImmBr)
    CW_INFO(h_br_nz, ImmBrS) CW_INFO(h_br_z, ImmBrS) CW_INFO(h_br_nz_acc, ImmBrS) CW_INFO(h_br_z_acc, ImmBrS) CW_INFO(h_return, ImmBr) CW_INFO(h_return1, ImmSD)
    CW_INFO(h_call, ImmCall) CW_INFO(h_call_import, ImmCallImport) CW_INFO(h_call_indirect, ImmCallIndirect)
    CW_INFO(h_return_call, ImmCall) CW_INFO(h_return_call_import, ImmCallImport)
    CW_INFO(h_return_call_indirect, ImmCallIndirect) CW_INFO(h_select, ImmSelect)
    CW_INFO(h_i32_add_shl_ss, ImmAddShl) CW_INFO(h_i32_add_shl_si, ImmAddShl)
    CW_INFO(h_select_si, ImmSelectK) CW_INFO(h_select_is, ImmSelectK) CW_INFO(h_global_get, ImmIdxS)
    CW_INFO(h_global_set, ImmIdxS) CW_INFO(h_memory_size, ImmSD) CW_INFO(h_memory_grow, ImmSD)
    CW_INFO(h_memory_init, ImmTable2) CW_INFO(h_data_drop, ImmIdxS) CW_INFO(h_memory_copy, ImmTable2)
    CW_INFO(h_memory_fill, ImmTable2) CW_INFO(h_ref_is_null, ImmSD) CW_INFO(h_ref_func, ImmIdxS)
    CW_INFO(h_table_get, ImmTable2) CW_INFO(h_table_set, ImmTable2) CW_INFO(h_table_size, ImmIdxS)
    CW_INFO(h_table_grow, ImmTable2) CW_INFO(h_table_fill, ImmTable2) CW_INFO(h_table_copy, ImmTable2)
    CW_INFO(h_table_init, ImmTable2) CW_INFO(h_elem_drop, ImmIdxS)
#undef CW_INFO
    n[&h_br_table] = {"br_table", 0};
    n[&h_return_to_host] = {"return_to_host", 1};
    return n;
  }();
  return infos;
}

}  // namespace

const char* handler_name(Handler h) {
  auto it = handler_infos().find(h);
  return it == handler_infos().end() ? "?" : it->second.name.c_str();
}

std::string disassemble(const FuncCode& f) {
  std::string out;
  char line[160];
  std::snprintf(line, sizeof line, "func %u: %u params, %u locals, %u frame slots, %zu cells\n", f.func_index,
                f.num_params, f.num_locals, f.frame_slots, f.code.size());
  out += line;
  for (size_t pc = 0; pc < f.code.size();) {
    Handler h = f.code[pc].handler;
    auto it = handler_infos().find(h);
    uint32_t cells = it == handler_infos().end() ? 1 : it->second.cells;
    if (h == &h_br_table) cells = 2 + (imm<ImmBrTable>(&f.code[pc]).count + 2) / 2;
    std::snprintf(line, sizeof line, "%6zu  %-28s", pc, it == handler_infos().end() ? "?" : it->second.name.c_str());
    out += line;
    // Immediates as 32-bit words: slots, constants and relative targets alike.
    for (size_t c = pc + 1; c < pc + cells && c < f.code.size(); ++c) {
      std::snprintf(line, sizeof line, " %d %d", f.code[c].i32[0], f.code[c].i32[1]);
      out += line;
    }
    out += "\n";
    pc += cells;
  }
  return out;
}

// ---- the driver's entry into the chain ----

Exit run(Thread* t) {
  uint8_t* mem = nullptr;
  uint64_t memsize = 0;
  if (t->inst) load_memory(t->inst, mem, memsize);
#if COROWASM_DISPATCH_TAIL
  return t->ip->handler(t->ip, t->fp, mem, memsize, t, 0);
#else
  Exit e;
  t->mem = mem;
  t->memsize = memsize;
#if COROWASM_PROFILE_PAIRS
  // Counts which handler follows which, to choose fusions by measurement (loop backend only).
  static std::map<std::pair<Handler, Handler>, uint64_t> pairs;
  static struct Dump {
    ~Dump() {
      std::vector<std::pair<uint64_t, std::string>> v;
      for (auto& [k, c] : pairs) v.emplace_back(c, std::string(handler_name(k.first)) + " -> " + handler_name(k.second));
      std::sort(v.rbegin(), v.rend());
      uint64_t total = 0;
      for (auto& e : v) total += e.first;
      std::fprintf(stderr, "%12llu  handlers executed\n", (unsigned long long)total);
      for (size_t i = 0; i < v.size() && i < 60; ++i)
        std::fprintf(stderr, "%12llu  %s\n", (unsigned long long)v[i].first, v[i].second.c_str());
    }
  } dump;
  Handler prev = nullptr;
  do {
    Handler h = t->ip->handler;
    ++pairs[{prev, h}];
    prev = h;
    e = h(t->ip, t->fp, t->mem, t->memsize, t, t->acc);
  } while (e == Exit::Continue);
  return e;
#else
  do {
    e = t->ip->handler(t->ip, t->fp, t->mem, t->memsize, t, t->acc);
  } while (e == Exit::Continue);
  return e;
#endif
#endif
}

}  // namespace corowasm::detail
