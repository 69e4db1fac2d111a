// Numeric handlers: the unary, binary and compare-and-branch families (templates over the
// operator structs of isa/numeric.h), fused chains of two operators and fused loop updates, and
// the lookups that map each opcode of opcodes.def to its instantiations.
#include "exec/support.h"

#include <array>
#include <tuple>
#include <type_traits>
#include <utility>

namespace corowasm::detail {

// ---- numeric families ----
//

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

// Src: which operand (if any) comes from the accumulator.
template <class OpT, Acc Src>
CW_HANDLER(h_binary_ss) {
  auto a = imm<ImmSSD>(ip);
  typename OpT::R r;
  TrapKind why;
  if (!binary_apply<OpT>(operand<Src == Acc::Left, typename OpT::A>(fp, a.a, acc),
                         operand<Src == Acc::Right, typename OpT::B>(fp, a.b, acc), r, why)) [[unlikely]]
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

template <class OpT, Acc Src>
CW_HANDLER(h_branch_ss) {
  auto a = imm<ImmBrSS>(ip);
  if (OpT::apply(operand<Src == Acc::Left, typename OpT::A>(fp, a.a, acc), operand<Src == Acc::Right, typename OpT::B>(fp, a.b, acc)))
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

template <class Op1, class Op2, Chain Shape, bool InnerLeft>
CW_HANDLER(h_chain) {
  auto a = imm<ImmChain>(ip);
  using T = typename Op1::A;
  T y = (Shape == Chain::ConstConst || Shape == Chain::ConstSlot) ? from_bits<T>(a.k1) : get<T>(fp, a.y);
  T inner = Op1::apply(get<T>(fp, a.x), y);
  T z = (Shape == Chain::ConstConst || Shape == Chain::SlotConst) ? from_bits<T>(a.k2) : get<T>(fp, a.z);
  T r = InnerLeft ? Op2::apply(inner, z) : Op2::apply(z, inner);
  put<T>(fp, a.d, r);
  CW_NEXT_ACC(cells_of<ImmChain>, to_bits(r));
}

// The binary rows of opcodes.def as types, and the selections of them the fused handlers
// are instantiated for (in the rows' order).
template <class OpT, Op Code, unsigned Flags>
struct Row {
  using Fn = OpT;
  static constexpr Op op = Code;
  static constexpr unsigned flags = Flags;
};
struct NoRow {
  using A = void;
};
using BinaryRows = std::tuple<
#define CW_SPECIAL(Name, prefix, code, text)
#define CW_BINARY(Name, prefix, code, text, OpT, Flags) Row<OpT, Op::Name, (Flags)>,
#include "isa/opcodes.def"
    Row<NoRow, Op::Count_, kPlain>>;

// The rows with flag `Flag` whose operands are of type T.
template <unsigned Flag, class T, class... Rows>
auto rows_with(std::tuple<Rows...>)
    -> decltype(std::tuple_cat(std::conditional_t<(Rows::flags & Flag) != 0 && std::is_same_v<typename Rows::Fn::A, T>,
                                                  std::tuple<Rows>, std::tuple<>>{}...));
template <unsigned Flag, class T>
using RowsWith = decltype(rows_with<Flag, T>(BinaryRows{}));

template <class... Rows>
constexpr std::array<Op, sizeof...(Rows)> ops_of(std::tuple<Rows...>) {
  return {Rows::op...};
}

// kChain rows chain with each other, per operand type.
using I32ChainOps = RowsWith<kChain, uint32_t>;
using I64ChainOps = RowsWith<kChain, uint64_t>;
using F32ChainOps = RowsWith<kChain, float>;
using F64ChainOps = RowsWith<kChain, double>;
constexpr auto kI32ChainOps = ops_of(I32ChainOps{});
constexpr auto kI64ChainOps = ops_of(I64ChainOps{});
constexpr auto kF32ChainOps = ops_of(F32ChainOps{});
constexpr auto kF64ChainOps = ops_of(F64ChainOps{});

template <class Ops, Chain Shape, bool Left, size_t... K>
constexpr std::array<Handler, sizeof...(K)> chain_table(std::index_sequence<K...>) {
  constexpr size_t n = std::tuple_size_v<Ops>;
  return {&h_chain<typename std::tuple_element_t<K / n, Ops>::Fn, typename std::tuple_element_t<K % n, Ops>::Fn, Shape,
                  Left>...};
}

template <class Ops, size_t N>
Handler chain_lookup(const std::array<Op, N>& ops, Op op1, Op op2, Chain shape, bool left) {
  static_assert(N == std::tuple_size_v<Ops>);
  size_t i = std::find(ops.begin(), ops.end(), op1) - ops.begin(), j = std::find(ops.begin(), ops.end(), op2) - ops.begin();
  if (i == N || j == N) return nullptr;
  using Seq = std::make_index_sequence<N * N>;
  static constexpr auto a = chain_table<Ops, Chain::ConstConst, true>(Seq{});
  static constexpr auto b = chain_table<Ops, Chain::ConstSlot, true>(Seq{});
  static constexpr auto bl = chain_table<Ops, Chain::ConstSlot, false>(Seq{});
  static constexpr auto c = chain_table<Ops, Chain::SlotSlot, true>(Seq{});
  static constexpr auto cl = chain_table<Ops, Chain::SlotSlot, false>(Seq{});
  static constexpr auto d = chain_table<Ops, Chain::SlotConst, true>(Seq{});
  size_t k = i * N + j;
  switch (shape) {
    case Chain::ConstConst: return left ? a[k] : nullptr;
    case Chain::ConstSlot: return left ? b[k] : bl[k];
    case Chain::SlotSlot: return left ? c[k] : cl[k];
    case Chain::SlotConst: return left ? d[k] : nullptr;
    default: return nullptr;
  }
}

Handler chain_handler(Op op1, Op op2, Chain shape, bool inner_left) {
  if (Handler h = chain_lookup<I32ChainOps>(kI32ChainOps, op1, op2, shape, inner_left)) return h;
  if (Handler h = chain_lookup<I64ChainOps>(kI64ChainOps, op1, op2, shape, inner_left)) return h;
  // Float chains keep both roundings (no FMA contraction): only slot operands.
  if (shape != Chain::SlotSlot) return nullptr;
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

// The updates that fuse (a choice, by measurement: loop counters and masks) and every i32
// comparison.
using OpBranchUpdates = std::tuple<Row<num::I32Add, Op::I32Add, 0>, Row<num::I32Sub, Op::I32Sub, 0>,
                                   Row<num::I32And, Op::I32And, 0>>;
using OpBranchCompares = RowsWith<kCompare, uint32_t>;
constexpr auto kOpBranchUpdates = ops_of(OpBranchUpdates{});
constexpr auto kOpBranchCompares = ops_of(OpBranchCompares{});

template <bool ConstRhs, size_t... K>
constexpr std::array<Handler, sizeof...(K)> op_branch_table(std::index_sequence<K...>) {
  constexpr size_t n = std::tuple_size_v<OpBranchCompares>;
  return {&h_op_branch<typename std::tuple_element_t<K / n, OpBranchUpdates>::Fn,
                       typename std::tuple_element_t<K % n, OpBranchCompares>::Fn, ConstRhs>...};
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

Handler unary_handler(Op op, bool acc) {
  switch (op) {
#define CW_SPECIAL(Name, prefix, code, text)
#define CW_UNARY(Name, prefix, code, text, OpT) \
  case Op::Name: return acc ? &h_unary<OpT, true> : &h_unary<OpT, false>;
#include "isa/opcodes.def"
    default: return nullptr;
  }
}

Handler binary_handler(Op op, Operands form, Acc acc) {
  switch (op) {
#define CW_SPECIAL(Name, prefix, code, text)
#define CW_BINARY(Name, prefix, code, text, OpT, Flags)                                               \
  case Op::Name:                                                                                    \
    switch (form) {                                                                                 \
      case Operands::SlotSlot:                                                                      \
        return acc == Acc::Left    ? &h_binary_ss<OpT, Acc::Left>                                   \
               : acc == Acc::Right ? &h_binary_ss<OpT, Acc::Right>                                  \
                                   : &h_binary_ss<OpT, Acc::None>;                                  \
      case Operands::SlotConst: return acc == Acc::Left ? &h_binary_si<OpT, true> : &h_binary_si<OpT, false>; \
      case Operands::ConstSlot: return acc == Acc::Right ? &h_binary_is<OpT, true> : &h_binary_is<OpT, false>; \
    }                                                                                               \
    return nullptr;
#include "isa/opcodes.def"
    default: return nullptr;
  }
}

Handler branch_compare_handler(Op op, bool const_rhs, Acc acc) {
  switch (op) {
#define CW_SPECIAL(Name, prefix, code, text)
#define CW_BINARY(Name, prefix, code, text, OpT, Flags)                                              \
  case Op::Name:                                                                                   \
    if constexpr (((Flags) & kCompare) != 0) {                                                                  \
      if (const_rhs) return acc == Acc::Left ? &h_branch_si<OpT, true> : &h_branch_si<OpT, false>; \
      return acc == Acc::Left    ? &h_branch_ss<OpT, Acc::Left>                                    \
             : acc == Acc::Right ? &h_branch_ss<OpT, Acc::Right>                                   \
                                 : &h_branch_ss<OpT, Acc::None>;                                   \
    }                                                                                              \
    return nullptr;
#include "isa/opcodes.def"
    default: return nullptr;
  }
}
}  // namespace corowasm::detail
