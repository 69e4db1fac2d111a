// Fusions: an instruction whose operand the last emitted instruction computed rewrites that
// instruction and itself into one handler (compare + branch, add + load, shr_u + and, ...).
// They look only at the producer (and the one before it) recorded by the emitter, so each costs
// O(1) and none reaches across a label.
#include <utility>

#include "compile/function_compiler.h"

namespace corowasm::detail {

using Form = Producer::Form;

std::optional<Fixup> FunctionCompiler::cond_branch(const Operand& cond, bool when_true) {
  auto branch = [&](Handler h, const auto& imm, size_t rel_offset) -> std::optional<Fixup> {
    size_t at = emit(h, imm);
    if (at == kNoCode) return std::nullopt;
    return Fixup{at, field_pos(at, rel_offset)};
  };
  // Fuse with the comparison that produced the condition, if it is the last instruction.
  Producer p = producer_;
  if (reachable() && cond.kind == Operand::Temp && p.start != kNoCode && p.end == code_.size() && p.dst == cond.slot) {
    // Once p is removed, the accumulator holds what the instruction before it produced.
    Producer q = prev_producer_;
    bool q_adjacent = q.start != kNoCode && q.end == p.start;
    if (p.form == Form::Unary && p.op == Op::I32Eqz) {
      if (q_adjacent && q.dst == p.a) {
        if (auto fx = fuse_zero_test(q, !when_true)) return fx;  // `if (!p->next)`: the load before it
        // `br_if (i32.eqz (i32.and x k))`: the update right before the eqz, tested against zero.
        if (q.form == Form::SlotConst)
          if (Handler h = op_branch_handler(q.op, when_true ? Op::I32Eq : Op::I32Ne, true)) {
            truncate(q.start);
            forget_producers();
            return branch(h, ImmOpBr{q.a, q.dst, 0, 0, uint32_t(q.k), 0}, offsetof(ImmOpBr, rel));
          }
      }
      truncate(p.start);
      bool acc = q_adjacent && q.dst == p.a;
      Handler h = when_true ? (acc ? &h_br_z_acc : &h_br_z) : (acc ? &h_br_nz_acc : &h_br_nz);
      return branch(h, ImmBrS{p.a, 0}, offsetof(ImmBrS, rel));
    }
    if (p.form == Form::Unary && p.op == Op::I64Eqz) {  // as i64.eq / i64.ne against 0
      truncate(p.start);
      Acc acc = q_adjacent && q.dst == p.a ? Acc::Left : Acc::None;
      return branch(branch_compare_handler(when_true ? Op::I64Eq : Op::I64Ne, true, acc), ImmBrSI{p.a, 0, 0},
                    offsetof(ImmBrSI, rel));
    }
    if (p.binary_slot() && op_info(p.op).compare()) {
      bool with_const = p.form == Form::SlotConst;
      std::optional<Op> op = when_true ? std::optional<Op>(p.op) : inverse_compare(p.op);
      // An i32 update right before the comparison, of the value it tests, joins the fusion.
      Handler fused_update = nullptr;
      uint32_t rhs = p.b;
      // The comparison as the fused handler sees it: updated value first. Only the fused form
      // may use it; the plain compare-and-branch below keeps `op` with the original operands.
      std::optional<Op> update_op = op;
      bool q_update = op && q.start != kNoCode && q.end == p.start && q.form == Form::SlotConst;
      if (q_update && p.form == Form::SlotSlot && q.dst == p.b && q.dst != p.a) {
        update_op = mirror_compare(*op);  // `n != i` after `i += 1`: test `i != n`
        rhs = p.a;
      } else if (!(q_update && q.dst == p.a)) {
        q.start = kNoCode;
      }
      if (q.start != kNoCode) fused_update = op_branch_handler(q.op, *update_op, with_const);
      if (fused_update) {
        truncate(q.start);
        forget_producers();
        ImmOpBr imm{q.a, q.dst, with_const ? 0u : rhs, 0, uint32_t(q.k), with_const ? uint32_t(p.k) : 0u};
        return branch(fused_update, imm, offsetof(ImmOpBr, rel));
      }
      if (op) {
        truncate(p.start);
        q = prev_producer_;
        Acc acc = !q_adjacent                             ? Acc::None
                  : q.dst == p.a                          ? Acc::Left
                  : (!with_const && q.dst == p.b)         ? Acc::Right
                                                          : Acc::None;
        if (!with_const)
          return branch(branch_compare_handler(*op, false, acc), ImmBrSS{p.a, p.b, 0}, offsetof(ImmBrSS, rel));
        return branch(branch_compare_handler(*op, true, acc), ImmBrSI{p.a, 0, p.k}, offsetof(ImmBrSI, rel));
      }
    }
  }
  uint32_t c = slot_of(cond);
  // An i32 add, sub or and of a constant emitted last, whose result is the condition (a
  // temporary, or a local it was tee'd into): the update and a test against zero in one handler
  // (flag tests `x & k`, counters `n -= 1`). The update still writes its result.
  if (reachable() && p.start != kNoCode && p.end == code_.size() && p.dst == c && p.form == Form::SlotConst) {
    if (Handler h = op_branch_handler(p.op, when_true ? Op::I32Ne : Op::I32Eq, true)) {
      truncate(p.start);
      forget_producers();
      return branch(h, ImmOpBr{p.a, p.dst, 0, 0, uint32_t(p.k), 0}, offsetof(ImmOpBr, rel));
    }
  }
  // An i32 load or i32.rmw_add emitted last whose value is the condition: one handler computes
  // and tests it.
  if (reachable() && p.start != kNoCode && p.end == code_.size() && p.dst == c)
    if (auto fx = fuse_zero_test(p, when_true)) return fx;
  bool acc = in_acc(c);
  return branch(when_true ? (acc ? &h_br_nz_acc : &h_br_nz) : (acc ? &h_br_z_acc : &h_br_z), ImmBrS{c, 0},
                offsetof(ImmBrS, rel));
}

// `load` (the producer of a branch condition, emitted last but maybe for an i32.eqz after it:
// a load or an i32.rmw_add) and a jump when its value is nonzero (or zero) in one handler;
// nullopt when it does not fuse. Everything from the producer on is rewritten.
std::optional<Fixup> FunctionCompiler::fuse_zero_test(const Producer& load, bool nonzero) {
  if (load.form == Form::Rmw) {
    ImmRmw m = imm<ImmRmw>(&code_[load.start]);
    bool acc = code_[load.start].handler == rmw_add_handler(true);
    uint32_t source = source_at(load.start);
    truncate(load.start);
    forget_producers();
    size_t at = emit(rmw_add_handler(acc, nonzero ? Test::Nonzero : Test::Zero),
                     ImmRmwBr{m.addr, m.v, m.d, m.k, m.offset, 0, 0});
    if (at == kNoCode) return std::nullopt;
    set_source(at, source);
    return Fixup{at, field_pos(at, offsetof(ImmRmwBr, rel))};
  }
  if (load.form != Form::Load) return std::nullopt;
  Handler first = code_[load.start].handler;
  for (Addr form : {Addr::Slot, Addr::AccSlot, Addr::AddConst}) {
    if (first != load_handler(load.op, form)) continue;
    Handler h = load_branch_handler(load.op, form, nonzero);
    if (!h) return std::nullopt;
    uint32_t load_source = source_at(load.start);  // an out-of-bounds trap names the load
    size_t at;
    size_t rel_offset;
    if (form == Addr::AddConst) {
      ImmMemAdd m = imm<ImmMemAdd>(&code_[load.start]);
      truncate(load.start);
      at = emit(h, ImmMemAddBr{m.a, m.v, m.offset, m.b, 0});
      rel_offset = offsetof(ImmMemAddBr, rel);
    } else {
      ImmMem m = imm<ImmMem>(&code_[load.start]);
      truncate(load.start);
      at = emit(h, ImmMemBr{m.addr, m.v, m.offset, 0, 0});
      rel_offset = offsetof(ImmMemBr, rel);
    }
    forget_producers();
    if (at == kNoCode) return std::nullopt;
    set_source(at, load_source);
    return Fixup{at, field_pos(at, rel_offset)};
  }
  return std::nullopt;
}

// A load (`op`, address slot `addr`, to `dst`) right after another plain load: one handler does
// both, in order. Either may trap: each keeps its own offset for the backtrace (the second's at
// the cell after the handler's, where h_load_pair reports it).
bool FunctionCompiler::fuse_load_pair(Op op, uint32_t addr, uint32_t dst, uint64_t offset) {
  Producer p = producer_;
  if (!reachable() || p.start == kNoCode || p.end != code_.size() || p.form != Form::Load) return false;
  Handler first = code_[p.start].handler;
  bool acc = first == load_handler(p.op, Addr::AccSlot);
  if (!acc && first != load_handler(p.op, Addr::Slot)) return false;
  ImmMem m = imm<ImmMem>(&code_[p.start]);
  bool chained = addr == m.v;
  Handler h = load_pair_handler(p.op, op, acc, chained);
  if (!h) return false;
  uint32_t first_source = source_at(p.start);
  truncate(p.start);
  forget_producers();
  size_t at = emit(h, ImmLoadPair{m.addr, m.v, addr, dst, m.offset, offset});
  if (at == kNoCode) return false;
  set_source(at, first_source);
  set_source(at + 1, uint32_t(op_offset_ - fc_->body_offset));
  note_producer(at, field_pos(at, offsetof(ImmLoadPair, d2)), dst, op, Form::Load, addr, 0, 0);
  return true;
}

// `*p += k` (reference counts, counters): an i32.store of `v` to `addr` + `offset` where `v` is
// the i32.add of a constant emitted last and the add's operand the i32.load emitted right
// before it, from the same address: one handler (h_i32_rmw_add). The add's result may already
// have been retargeted to a local (local.tee): v is then that local.
bool FunctionCompiler::fuse_rmw_add(const Operand& v, const Operand& addr, uint64_t offset) {
  const Producer add = producer_;
  const Producer load = prev_producer_;
  if (!reachable() || addr.kind == Operand::Const || v.kind == Operand::Const) return false;
  if (add.start == kNoCode || add.end != code_.size() || add.dst != v.slot || add.op != Op::I32Add ||
      add.form != Form::SlotConst)
    return false;
  Handler h_add = code_[add.start].handler;  // a plain add (not a fused one that registered as I32Add)
  if (h_add != binary_handler(Op::I32Add, Operands::SlotConst) &&
      h_add != binary_handler(Op::I32Add, Operands::SlotConst, Acc::Left))
    return false;
  if (load.start == kNoCode || load.end != add.start || load.form != Form::Load || load.op != Op::I32Load) return false;
  Handler h_load = code_[load.start].handler;
  bool acc = h_load == load_handler(Op::I32Load, Addr::AccSlot);
  if (!acc && h_load != load_handler(Op::I32Load, Addr::Slot)) return false;
  ImmMem m = imm<ImmMem>(&code_[load.start]);
  if (m.addr != addr.slot || m.offset != offset || add.a != m.v || m.v == m.addr || add.dst == m.addr) return false;
  uint32_t load_source = source_at(load.start);  // only the load can trap
  truncate(load.start);
  forget_producers();
  size_t at = emit(rmw_add_handler(acc), ImmRmw{m.addr, m.v, add.dst, uint32_t(add.k), offset});
  if (at == kNoCode) return false;
  set_source(at, load_source);
  // The sum is on no operand stack slot, but a branch may test the local it was tee'd to.
  note_producer(at, field_pos(at, offsetof(ImmRmw, d)), add.dst, Op::I32Add, Form::Rmw, m.addr, m.v, add.k);
  return true;
}

// An i32.store (i64.store) of the value of the i32.load (i64.load) emitted last, to a slot
// address: one handler moves it (jq copies its 16-byte values this way). The value still lands
// in the load's slot; each access traps at its own offset.
bool FunctionCompiler::fuse_mem_move(Op store, const Operand& v, const Operand& addr, uint64_t offset) {
  Op load_op = store == Op::I32Store ? Op::I32Load : store == Op::I64Store ? Op::I64Load : Op::Nop;
  const Producer p = producer_;
  if (load_op == Op::Nop || !reachable() || v.kind == Operand::Const || addr.kind == Operand::Const) return false;
  if (p.start == kNoCode || p.end != code_.size() || p.dst != v.slot || p.form != Form::Load || p.op != load_op)
    return false;
  Handler first = code_[p.start].handler;
  ImmMemMove m{};
  Addr form;
  if (first == load_handler(load_op, Addr::AddConst)) {
    ImmMemAdd a = imm<ImmMemAdd>(&code_[p.start]);
    form = Addr::AddConst;
    m = ImmMemMove{a.a, a.v, addr.slot, a.b, a.offset, offset};
  } else if (first == load_handler(load_op, Addr::Slot) || first == load_handler(load_op, Addr::AccSlot)) {
    ImmMem a = imm<ImmMem>(&code_[p.start]);
    form = first == load_handler(load_op, Addr::Slot) ? Addr::Slot : Addr::AccSlot;
    m = ImmMemMove{a.addr, a.v, addr.slot, 0, a.offset, offset};
  } else {
    return false;
  }
  uint32_t load_source = source_at(p.start);
  truncate(p.start);
  forget_producers();
  size_t at = emit(mem_move_handler(load_op, form), m);
  if (at == kNoCode) return false;
  set_source(at, load_source);
  set_source(at + 1, uint32_t(op_offset_ - fc_->body_offset));
  return true;
}

// If br_table's index is an i32.and, add or sub of a constant (or an and then an add) emitted
// last (and maybe tee'd into a local), remove it and fill `fused` in (x, k_and, k_add, d) for h_br_table_and_add.
bool FunctionCompiler::take_table_index(const Operand& idx, ImmBrTableK& fused) {
  // The index as a temporary, or the local its producer was tee'd into.
  const Producer p = producer_;
  if (!reachable() || idx.kind == Operand::Const || p.start == kNoCode || p.end != code_.size() || p.dst != idx.slot)
    return false;
  Handler h = code_[p.start].handler;
  if (p.form == Form::SlotConst) {
    // The plain operator (not a fused one that registered as it).
    if (h != binary_handler(p.op, Operands::SlotConst) && h != binary_handler(p.op, Operands::SlotConst, Acc::Left))
      return false;
    uint32_t k = uint32_t(p.k);
    switch (p.op) {
      case Op::I32And: fused.k_and = k; break;
      case Op::I32Add: fused.k_add = k; break;
      case Op::I32Sub: fused.k_add = 0u - k; break;
      default: return false;
    }
    fused.x = p.a;
  } else if (p.form == Form::Chain && h == chain_handler(Op::I32And, Op::I32Add, Chain::ConstConst, true)) {
    ImmChain c = imm<ImmChain>(&code_[p.start]);
    fused.x = c.x;
    fused.k_and = uint32_t(c.k1);
    fused.k_add = uint32_t(c.k2);
  } else {
    return false;
  }
  fused.d = p.dst;
  truncate(p.start);
  forget_producers();
  return true;
}

// If the address operand was computed by the i32.add emitted last, remove that add and
// return how the access should recompute it (Addr::Slot: it was not).
Addr FunctionCompiler::take_address_add(const Operand& addr, ImmMemAdd& fused) {
  const Producer* pp = last_producer_of(addr);
  if (!pp || pp->op != Op::I32Add) return Addr::Slot;
  Addr form;
  switch (pp->form) {
    case Form::SlotConst: form = Addr::AddConst; break;
    case Form::SlotSlot: form = Addr::AddSlots; break;
    case Form::ShlAddConst: form = Addr::ShlAddConst; break;
    case Form::ShlAddSlot: form = Addr::ShlAddSlots; break;
    default: return Addr::Slot;
  }
  Producer p = *pp;
  truncate(p.start);
  producer_.start = kNoCode;
  fused.a = p.a;
  fused.b = (form == Addr::AddConst || form == Addr::ShlAddConst) ? uint32_t(p.k) : p.b;
  fused.shift = p.shift;
  return form;
}

// If the address operand is a local that the i32.add of a constant emitted last was tee'd into
// (`*++p`, `p = p + 4; *p`), remove that add and fill `fused` in (a, b, d) for a load that
// computes, keeps and uses it (Addr::AddConstKeep).
bool FunctionCompiler::take_tee_address_add(const Operand& addr, ImmMemAddKeep& fused) {
  const Producer p = producer_;
  if (!reachable() || addr.kind != Operand::Local || p.start == kNoCode || p.end != code_.size() ||
      p.dst != addr.slot || p.op != Op::I32Add || p.form != Form::SlotConst)
    return false;
  Handler h = code_[p.start].handler;  // the plain add (not a fused one that registered as it)
  if (h != binary_handler(Op::I32Add, Operands::SlotConst) &&
      h != binary_handler(Op::I32Add, Operands::SlotConst, Acc::Left))
    return false;
  truncate(p.start);
  producer_.start = kNoCode;
  fused.a = p.a;
  fused.b = uint32_t(p.k);
  fused.d = p.dst;
  return true;
}

// A binary operator whose operand is the result of the binary operator emitted last: one
// handler computes both (i32.shr_u + i32.and, f64.mul + f64.add, ...).
bool FunctionCompiler::fuse_chain(Op op, const OpInfo& oi, Operand a, Operand b, uint32_t pos) {
  const Producer* pa = last_producer_of(a);
  const Producer* pb = pa ? nullptr : last_producer_of(b);
  const Producer* p = pa ? pa : pb;
  if (!p || !p->binary_slot()) return false;
  bool left = pa != nullptr;
  const Operand& other = left ? b : a;
  bool other_const = other.kind == Operand::Const;
  if (other_const && !left) {
    if (!oi.commute()) return false;
    left = true;  // k op inner == inner op k
  }
  Chain shape = p->form == Form::SlotConst ? (other_const ? Chain::ConstConst : Chain::ConstSlot)
                                           : (other_const ? Chain::SlotConst : Chain::SlotSlot);
  Handler h = chain_handler(p->op, op, shape, left);
  if (!h) return false;
  Producer inner = *p;
  truncate(inner.start);
  producer_.start = kNoCode;
  uint32_t d = temp_slot(pos);
  ImmChain c{inner.a, inner.b, other_const ? 0 : other.slot, d, inner.k, other_const ? other.value : 0};
  size_t at = emit(h, c);
  push(oi.r);
  note_producer(at, field_pos(at, offsetof(ImmChain, d)), d, op, Form::Chain, 0, 0, 0);
  return true;
}

// Two adjacent `i32.add slot, k` (counters and pointers stepping together) run in order in one
// handler. The second result may still be retargeted by a local.set.
bool FunctionCompiler::fuse_add_pair(Operand a, Operand b, uint32_t pos) {
  if (a.kind == Operand::Const) std::swap(a, b);
  if (!reachable() || b.kind != Operand::Const || a.kind == Operand::Const) return false;
  Producer p = producer_;
  if (p.start == kNoCode || p.end != code_.size() || p.op != Op::I32Add || p.form != Form::SlotConst) return false;
  Handler first = code_[p.start].handler;  // a plain add (not a fused one that registered as I32Add)
  if (first != binary_handler(Op::I32Add, Operands::SlotConst) &&
      first != binary_handler(Op::I32Add, Operands::SlotConst, Acc::Left))
    return false;
  truncate(p.start);
  uint32_t d = temp_slot(pos);
  size_t at = emit(&h_i32_add2_si, ImmAdd2{p.a, p.dst, uint32_t(p.k), a.slot, d, uint32_t(b.value)});
  push(ValType::I32);
  note_producer(at, field_pos(at, offsetof(ImmAdd2, d2)), d, Op::I32Add, Form::AddPair, 0, 0, 0);
  return true;
}

// `i32.shl x, k` emitted last and consumed by this i32.add: one handler computes
// (x << k) + other. Loads and stores then fuse the whole address.
bool FunctionCompiler::fuse_add_of_shift(Operand a, Operand b, uint32_t pos) {
  const Producer* pa = last_producer_of(a);
  const Producer* pb = last_producer_of(b);
  const Producer* p = pa ? pa : pb;
  if (!p || p->op != Op::I32Shl || p->form != Form::SlotConst) return false;
  Producer shl = *p;
  const Operand& other = pa ? b : a;
  truncate(shl.start);
  producer_.start = kNoCode;
  uint32_t d = temp_slot(pos);
  uint32_t shift = uint32_t(shl.k & 31);
  size_t at;
  if (other.kind == Operand::Const) {
    at = emit(&h_i32_add_shl_si, ImmAddShl{shl.a, 0, d, shift, other.value});
    push(ValType::I32);
    note_producer(at, field_pos(at, offsetof(ImmAddShl, d)), d, Op::I32Add, Form::ShlAddConst, shl.a, 0,
                  uint32_t(other.value), shift);
  } else {
    at = emit(&h_i32_add_shl_ss, ImmAddShl{shl.a, other.slot, d, shift, 0});
    push(ValType::I32);
    note_producer(at, field_pos(at, offsetof(ImmAddShl, d)), d, Op::I32Add, Form::ShlAddSlot, shl.a, other.slot, 0,
                  shift);
  }
  return true;
}

}  // namespace corowasm::detail
