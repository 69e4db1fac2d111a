// Structured control: blocks, loops and ifs as control frames, their labels and the branches
// to them (br, br_if, br_table, return), with the values each branch carries.
#include <algorithm>
#include <array>
#include <optional>
#include <unordered_map>
#include <unordered_set>

#include "compile/function_compiler.h"
#include "decode/types.h"

namespace corowasm::detail {

namespace {

// Types of labels point into the module's type section or here (single-result block types),
// so a block costs O(1) memory however many values its type has.
constexpr ValType kSingleTypes[] = {ValType::I32, ValType::I64, ValType::F32, ValType::F64, ValType::V128,
                                    ValType::FuncRef, ValType::ExternRef, ValType::ExnRef};
Types single_type(ValType t) {
  for (const ValType& s : kSingleTypes)
    if (s == t) return {&s, 1};
  return {};
}

}  // namespace

FunctionCompiler::BlockType FunctionCompiler::read_block_type() {
  BlockType bt;
  uint8_t b = r_.peek();
  if (b == 0x40) {
    r_.u8();
  } else if (b == 0x7F || b == 0x7E || b == 0x7D || b == 0x7C || b == 0x7B || b == 0x70 || b == 0x6F || b == 0x69) {
    bt.results = single_type(read_val_type(r_));
  } else {
    int64_t idx = r_.s33();
    if (idx < 0 || uint64_t(idx) >= m_.types.size()) invalid("unknown type");
    bt.params = m_.types[size_t(idx)].params;
    bt.results = m_.types[size_t(idx)].results;
  }
  return bt;
}

void FunctionCompiler::set_unreachable() {
  ++control_epoch_;
  ctrl_.back().unreachable = true;
  truncate_stack(ctrl_.back().height + ctrl_.back().hidden);
}

bool FunctionCompiler::branch_values_in_place(const Control& target) const {
  uint32_t n = uint32_t(target.label_types().size());
  if (n >= kMoveArity) return top_settled(n) && height() - n == target.height;
  for (uint32_t i = 0; i < n; ++i) {
    const Operand& o = stack_[height() - n + i];
    if (o.kind != Operand::Temp || o.slot != label_slot(target, i)) return false;
  }
  return true;
}

void FunctionCompiler::copy_branch_values(const Control& target) {
  uint32_t n = uint32_t(target.label_types().size());
  if (n >= kMoveArity) return emit_move(n, temp_slot(target.height));
  // Ascending order is safe: a Temp source at position p moves to a position <= p, and Local
  // or Const sources do not alias the temporaries.
  for (uint32_t i = 0; i < n; ++i) {
    const Operand& o = stack_[height() - n + i];
    uint32_t dst = label_slot(target, i);
    if (o.kind == Operand::Const) emit_const(o.value, dst);
    else if (o.slot != dst) emit_copy(o.slot, dst, o.type);
  }
}

void FunctionCompiler::attach(Control& target, const Fixup& f) {
  if (target.kind == Op::Loop) patch(f, target.loop_start);
  else target.fixups.push_back(f);
}

namespace {

// A move instruction (copy, copy2, const, copy_const) at `cell` as the same moves with a jump:
// the handler, its immediates (rel left 0) and the offset of rel in them; nullopt for others.
struct MovesBr {
  Handler h;
  std::array<uint8_t, 24> imm;
  size_t size, rel_offset, moves_cells;  // moves_cells: the move instruction's length
};
template <class I>
MovesBr moves_br(Handler h, const I& imm, size_t moves_cells) {
  MovesBr m{h, {}, sizeof(I), offsetof(I, rel), moves_cells};
  std::memcpy(m.imm.data(), &imm, sizeof(I));
  return m;
}
std::optional<MovesBr> as_moves_br(const Cell* c) {
  Handler h = c->handler;
  if (h == &h_copy) {
    auto a = imm<ImmSD>(c);
    return moves_br(&h_copy_br, ImmCopyBr{a.s, a.d, 0, 0}, cells_of<ImmSD>);
  }
  if (h == &h_copy2) {
    auto a = imm<ImmCopy2>(c);
    return moves_br(&h_copy2_br, ImmCopy2Br{a.s1, a.d1, a.s2, a.d2, 0, 0}, cells_of<ImmCopy2>);
  }
  if (h == &h_const) {
    auto a = imm<ImmKD>(c);
    return moves_br(&h_const_br, ImmKDBr{a.k, a.d, 0}, cells_of<ImmKD>);
  }
  if (h == &h_copy_const) {
    auto a = imm<ImmCopyK>(c);
    return moves_br(&h_copy_const_br, ImmCopyKBr{a.s, a.d, a.d2, 0, a.k}, cells_of<ImmCopyK>);
  }
  return std::nullopt;
}

}  // namespace

void FunctionCompiler::jump_to(Control& target) {
  if (reachable()) {
    // Moves emitted right before the jump (a branch's values) run in its handler.
    size_t last = last_start_;
    if (last != kNoCode)
      if (std::optional<MovesBr> m = as_moves_br(&code_[last]); m && last + m->moves_cells == code_.size()) {
        truncate(last);
        size_t at = emit_cells(m->h, m->imm.data(), m->size, 1 + (m->size + sizeof(Cell) - 1) / sizeof(Cell));
        attach(target, Fixup{at, field_pos(at, m->rel_offset)});
        return;
      }
    // A jump back to a loop whose code starts with moves (its phi-like copies and constants,
    // compiled and final): the jump runs them and lands right after them.
    if (target.kind == Op::Loop && target.loop_start < code_.size())
      if (std::optional<MovesBr> m = as_moves_br(&code_[target.loop_start])) {
        size_t at = emit_cells(m->h, m->imm.data(), m->size, 1 + (m->size + sizeof(Cell) - 1) / sizeof(Cell));
        patch(Fixup{at, field_pos(at, m->rel_offset)}, target.loop_start + m->moves_cells);
        return;
      }
  }
  size_t at = emit(&h_br, ImmBr{0});
  if (at != kNoCode) attach(target, Fixup{at, field_pos(at, offsetof(ImmBr, rel))});
}

void FunctionCompiler::branch_out(Control& target) {
  if (is_function_label(target)) {
    emit_return();
  } else {
    copy_branch_values(target);
    jump_to(target);
  }
}

void FunctionCompiler::emit_return() {
  uint32_t n = uint32_t(type_->results.size());
  if (!reachable()) return;
  if (n == 1) {
    const Operand& o = stack_.back();
    if (o.type == ValType::V128) {
      if (o.slot != 0) emit_copy(o.slot, 0, o.type);
      emit(&h_return, ImmBr{0});
    } else if (o.kind == Operand::Const) {
      emit_const(o.value, 0);
      emit(&h_return, ImmBr{0});
    } else if (o.slot == 0) {
      emit(&h_return, ImmBr{0});
    } else {
      emit(&h_return1, ImmSD{o.slot, 0});
    }
    return;
  }
  // Several results were settled by the caller (it must not be done here: a br_if or
  // br_table returns on one path only, and the others still see the operand stack).
  if (n >= kMoveArity) emit_move(n, 0);
  emit(&h_return, ImmBr{0});
}

void FunctionCompiler::return_sequence() {
  // `return`: the function's results are the top values, whatever lies below.
  check_top(type_->results, false);
  settle_branch_values(uint32_t(type_->results.size()));
  emit_return();
  set_unreachable();
}

void FunctionCompiler::close_arm(const Control& c) {
  check_top(c.results, false);
  uint32_t n = uint32_t(c.results.size());
  if (height() != c.height + c.hidden + n) invalid("type mismatch");
  materialize_top(n);
  if (c.hidden && reachable()) {
    // A catch arm's results sit above its exception: they move down to the label's slots.
    if (n >= kMoveArity) {
      emit_move(n, temp_slot(c.height));
    } else {
      for (uint32_t i = 0; i < n; ++i) {
        const Operand& o = stack_[c.height + c.hidden + i];
        emit_copy(o.slot, label_slot(c, i), o.type);
      }
    }
  }
  truncate_stack(c.height);
}

void FunctionCompiler::bind_catches(Control& c, size_t target) {
  for (uint32_t i : c.catch_fixups) fc_->catches[i].target = uint32_t(target);
  c.catch_fixups.clear();
}

void FunctionCompiler::translate_block(Op op) {
  BlockType bt = read_block_type();
  std::optional<Operand> cond;
  if (op == Op::If) cond = pop(ValType::I32);
  uint32_t np = uint32_t(bt.params.size());
  if (height() < ctrl_.back().height + ctrl_.back().hidden + np && !ctrl_.back().unreachable) invalid("type mismatch");
  check_top(bt.params, true);  // inside, the params have their declared types
  // Inside the block a local.set must not change values pushed before it, and branches
  // to the label find its params in their canonical slots.
  materialize_locals();
  materialize_top(np);
  Control c;
  c.kind = op;
  c.params = bt.params;
  c.results = bt.results;
  c.height = height() - np;
  c.unreachable = false;
  // The condition slot lies above the params: consume it before pushing the frame.
  if (op == Op::If && reachable()) c.else_fixup = cond_branch(*cond, false);
  if (op == Op::Loop) {
    c.loop_start = label_here();
    producer_.start = kNoCode;
  }
  // A block in unreachable code validates normally (its stack is not polymorphic) but
  // emits nothing.
  c.dead = !reachable();
  ctrl_.push_back(std::move(c));
  ++control_epoch_;
}

void FunctionCompiler::translate_else() {
  Control& c = ctrl_.back();
  if (c.kind != Op::If) invalid("else without if");
  close_arm(c);
  jump_to(c);  // the then-arm skips the else-arm (nothing is emitted when unreachable)
  c.kind = Op::Else;
  ++control_epoch_;
  c.unreachable = false;  // the else-arm is live exactly when the `if` was (c.dead)
  if (c.else_fixup) {
    patch(*c.else_fixup, label_here());
    c.else_fixup.reset();
    producer_.start = kNoCode;
  }
  push_values(c.params);
}

void FunctionCompiler::translate_end() {
  Control& c = ctrl_.back();
  if (c.kind == Op::If && !std::ranges::equal(c.params, c.results)) invalid("type mismatch");
  if (c.kind == Op::Call) {
    // The function body's end returns; branches to the function label were compiled
    // as returns of their own.
    check_top(c.results, false);
    if (height() != c.height + c.results.size()) invalid("type mismatch");
    settle_branch_values(uint32_t(c.results.size()));
    emit_return();
    ctrl_.pop_back();
    ++control_epoch_;
    return;
  }
  if (c.kind == Op::TryTable || c.kind == Op::Try) close_region(c.region);  // before the results move
  close_arm(c);
  if (c.else_fixup) patch(*c.else_fixup, label_here());
  bind(c.fixups);
  bind_catches(c, code_.size());
  if ((c.kind == Op::Catch || c.kind == Op::CatchAll) && c.region != FuncCode::TryRegion::kNone) {
    fc_->regions[c.region].first_catch = uint32_t(fc_->catches.size());
    fc_->regions[c.region].num_catches = uint32_t(c.legacy_catches.size());
    fc_->catches.insert(fc_->catches.end(), c.legacy_catches.begin(), c.legacy_catches.end());
  }
  Types results = c.results;
  ctrl_.pop_back();
  ++control_epoch_;
  push_values(results);
}

void FunctionCompiler::translate_br() {
  uint32_t depth = r_.u32();
  Control& target = label(depth);
  check_top(target.label_types(), false);
  settle_branch_values(uint32_t(target.label_types().size()));
  branch_out(target);
  set_unreachable();
}

void FunctionCompiler::translate_br_if() {
  uint32_t depth = r_.u32();
  Operand cond = pop(ValType::I32);
  Control& target = label(depth);
  check_top(target.label_types(), true);  // br_if leaves the label's types
  if (!reachable()) return;
  // Before the branch: both paths see the settled values.
  settle_branch_values(uint32_t(target.label_types().size()));
  if (!is_function_label(target) && branch_values_in_place(target)) {
    if (std::optional<Fixup> f = cond_branch(cond, true)) attach(target, *f);
    return;
  }
  // Values must move first: skip over the move and the jump when the condition fails.
  std::optional<Fixup> skip = cond_branch(cond, false);
  branch_out(target);
  if (skip) patch(*skip, label_here());
  producer_.start = kNoCode;
}

void FunctionCompiler::translate_br_table() {
  uint32_t count = r_.u32();
  if (count > r_.remaining()) r_.fail("unexpected end");
  std::vector<uint32_t> depths(count + 1);
  for (uint32_t i = 0; i <= count; ++i) depths[i] = r_.u32();
  Operand idx = pop(ValType::I32);
  size_t arity = label(depths[count]).label_types().size();
  std::unordered_set<uint32_t> checked;
  for (uint32_t d : depths) {
    Control& target = label(d);
    if (target.label_types().size() != arity) invalid("type mismatch");
    // Check the operand types against this label without consuming them (once a label).
    if (checked.insert(d).second) check_top(target.label_types(), false);
  }
  if (reachable()) {
    settle_branch_values(uint32_t(arity));  // before the index: every entry sees them settled
    ImmBrTableK fused{0, count, ~0u, 0, 0, 0};
    bool with_update = take_table_index(idx, fused);
    uint32_t s = with_update ? 0 : slot_of(idx);
    size_t header = with_update ? cells_of<ImmBrTableK> : cells_of<ImmBrTable>;  // then the rels
    size_t at = code_.size();
    code_.resize(at + header + (count + 2) / 2);
    acc_valid_ = false;
    code_[at].handler = with_update ? &h_br_table_and_add : &h_br_table;
    note_source(at);
    if (with_update) {
      std::memcpy(&code_[at + 1], &fused, sizeof fused);
    } else {
      ImmBrTable bt{s, count};
      std::memcpy(&code_[at + 1], &bt, sizeof bt);
    }
    producer_.start = kNoCode;
    auto entry = [&](uint32_t i) { return Fixup{at, (at + header) * sizeof(Cell) + 4 * size_t(i)}; };
    // Each entry jumps straight to its label when no values move, else to a stub that
    // moves them and jumps; entries to the same label share its stub.
    std::vector<uint32_t> stubs;
    for (uint32_t i = 0; i <= count; ++i) {
      Control& target = label(depths[i]);
      if (!is_function_label(target) && branch_values_in_place(target)) attach(target, entry(i));
      else stubs.push_back(i);
    }
    std::unordered_map<uint32_t, size_t> stub_of_depth;
    for (uint32_t i : stubs) {
      auto [it, fresh] = stub_of_depth.try_emplace(depths[i], code_.size());
      if (!fresh) {
        patch(entry(i), it->second);
        continue;
      }
      patch(entry(i), label_here());
      branch_out(label(depths[i]));
    }
  }
  set_unreachable();
}

}  // namespace corowasm::detail
