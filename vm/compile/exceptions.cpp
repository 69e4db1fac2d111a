// Exception handling: throw and throw_ref, try_table and its catch clauses, and the legacy
// try/catch/catch_all/delegate/rethrow. Nothing here emits code for the handlers themselves:
// each try becomes a region of FuncCode (the cells its body covers, its clauses and where each
// lands), which the unwinder (exec/exceptions.cpp) consults when an exception passes through.
// A clause lands like a branch: the payload (and exnref) in the label's slots, execution at
// the label, which is a jump target already (no accumulator, no fusion across it).
#include <algorithm>

#include "compile/function_compiler.h"

namespace corowasm::detail {

uint32_t FunctionCompiler::tag_index() {
  size_t at = r_.offset();
  uint32_t x = r_.u32();
  if (x >= m_.tag_types.size()) throw ValidationError(at, "unknown tag " + std::to_string(x));
  return x;
}

uint32_t FunctionCompiler::open_region(uint32_t level) {
  FuncCode::TryRegion r;
  r.start = uint32_t(label_here());
  r.end = r.start;
  r.parent = open_regions_.empty() ? FuncCode::TryRegion::kNone : open_regions_.back();
  r.level = level;
  fc_->regions.push_back(r);
  open_regions_.push_back(uint32_t(fc_->regions.size() - 1));
  return open_regions_.back();
}

void FunctionCompiler::close_region(uint32_t region) {
  if (region == FuncCode::TryRegion::kNone) return;
  fc_->regions[region].end = uint32_t(code_.size());
  if (!open_regions_.empty() && open_regions_.back() == region) open_regions_.pop_back();
}

void FunctionCompiler::translate_throw() {
  uint32_t x = tag_index();
  const FuncType& ft = m_.types[m_.tag_types[x]];
  uint32_t n = uint32_t(ft.params.size());
  check_top(ft.params, false);
  uint32_t base = height() - n;
  materialize_top(n);  // the payload in consecutive slots, as call arguments
  truncate_stack(base);
  emit(&h_throw, ImmIdxS{x, temp_slot(base)});
  set_unreachable();
}

void FunctionCompiler::translate_throw_ref() {
  Operand e = pop(ValType::ExnRef);
  emit(&h_throw_ref, ImmSD{slot_of(e), 0});
  set_unreachable();
}

void FunctionCompiler::translate_try_table() {
  BlockType bt = read_block_type();
  uint32_t count = r_.u32();
  if (count > r_.remaining()) r_.fail("unexpected end");
  struct Clause {
    uint8_t kind;  // 0 catch, 1 catch_ref, 2 catch_all, 3 catch_all_ref
    uint32_t tag;
    uint32_t depth;
  };
  std::vector<Clause> clauses(count);
  for (Clause& c : clauses) {
    size_t at = r_.offset();
    c.kind = r_.u8();
    if (c.kind > 3) r_.fail_at(at, "malformed catch clause");
    c.tag = c.kind < 2 ? tag_index() : FuncCode::Catch::kAnyTag;
    c.depth = r_.u32();
  }
  // Labels are those around the try_table; each must take what its clause delivers.
  std::vector<ValType> want;
  for (const Clause& c : clauses) {
    Control& target = label(c.depth);
    want.clear();
    if (c.kind < 2) {
      const FuncType& ft = m_.types[m_.tag_types[c.tag]];
      want = ft.params;
    }
    if (c.kind & 1) want.push_back(ValType::ExnRef);
    if (!std::ranges::equal(target.label_types(), want)) invalid("type mismatch");
  }

  uint32_t np = uint32_t(bt.params.size());
  if (height() < ctrl_.back().height + ctrl_.back().hidden + np && !ctrl_.back().unreachable) invalid("type mismatch");
  check_top(bt.params, true);
  materialize_locals();
  materialize_top(np);
  Control c;
  c.kind = Op::TryTable;
  c.params = bt.params;
  c.results = bt.results;
  c.height = height() - np;
  c.dead = !reachable();
  if (!c.dead) {
    // A clause to the function's label returns its values: it lands on a stub that moves
    // them to the results' slots, emitted here out of the body's way.
    std::optional<size_t> return_stub;
    for (const Clause& cl : clauses)
      if (is_function_label(label(cl.depth))) {
        size_t skip = emit(&h_br, ImmBr{0});
        return_stub = label_here();
        uint32_t src = label_slot(ctrl_.front(), 0), slots = 0;
        for (ValType t : ctrl_.front().results) slots += slot_width(t);
        max_slots_ = std::max(max_slots_, src + slots);
        if (slots && src != 0) emit(&h_move, ImmMove{src, 0, slots});
        emit(&h_return, ImmBr{0});
        patch(Fixup{skip, field_pos(skip, offsetof(ImmBr, rel))}, label_here());
        break;
      }
    uint32_t first_catch = uint32_t(fc_->catches.size());
    for (const Clause& cl : clauses) {
      Control& target = label(cl.depth);
      FuncCode::Catch k;
      k.tag = cl.tag;
      k.payload_slot = label_slot(target, 0);
      uint32_t slots = 0;
      for (ValType t : target.label_types()) slots += slot_width(t);
      max_slots_ = std::max(max_slots_, k.payload_slot + slots);
      if (cl.kind & 1) k.exn_slot = k.payload_slot + slots - 1;  // the exnref comes last
      uint32_t index = uint32_t(fc_->catches.size());
      if (is_function_label(target)) k.target = uint32_t(*return_stub);
      else if (target.kind == Op::Loop) k.target = uint32_t(target.loop_start);
      else target.catch_fixups.push_back(index);
      fc_->catches.push_back(k);
    }
    c.region = open_region(uint32_t(ctrl_.size()));  // the index c gets
    fc_->regions[c.region].first_catch = first_catch;
    fc_->regions[c.region].num_catches = count;
  }
  ctrl_.push_back(std::move(c));
  ++control_epoch_;
}

void FunctionCompiler::translate_try() {
  translate_block(Op::Block);
  Control& c = ctrl_.back();
  c.kind = Op::Try;
  if (!c.dead) c.region = open_region(uint32_t(ctrl_.size() - 1));
}

void FunctionCompiler::translate_catch(bool all) {
  Control& c = ctrl_.back();
  if (c.kind == Op::CatchAll) invalid(all ? "duplicate catch_all" : "catch after catch_all");
  if (c.kind != Op::Try && c.kind != Op::Catch) invalid(all ? "catch_all without try" : "catch without try");
  uint32_t tag = all ? FuncCode::Catch::kAnyTag : tag_index();
  if (c.kind == Op::Try) close_region(c.region);  // the handlers are not inside the body
  close_arm(c);
  jump_to(c);  // the arm before skips the handlers
  c.kind = all ? Op::CatchAll : Op::Catch;
  c.unreachable = false;  // live exactly when the try was (c.dead)
  c.hidden = 1;
  ++control_epoch_;
  size_t at = label_here();
  push(ValType::ExnRef);
  uint32_t exn_slot = stack_.back().home;
  if (!all) push_values(m_.types[m_.tag_types[tag]].params);
  if (!c.dead) c.legacy_catches.push_back(FuncCode::Catch{tag, uint32_t(at), exn_slot + 1, exn_slot});
}

void FunctionCompiler::translate_delegate() {
  Control& c = ctrl_.back();
  if (c.kind != Op::Try) invalid("delegate without try");
  uint32_t depth = r_.u32();
  // The label is counted from outside the try.
  if (depth >= ctrl_.size() - 1) invalid("unknown label");
  uint32_t target_level = uint32_t(ctrl_.size() - 2 - depth);
  close_region(c.region);
  if (c.region != FuncCode::TryRegion::kNone) fc_->regions[c.region].delegate_level = target_level;
  close_arm(c);
  bind(c.fixups);
  bind_catches(c, code_.size());
  Types results = c.results;
  ctrl_.pop_back();
  ++control_epoch_;
  push_values(results);
}

void FunctionCompiler::translate_rethrow() {
  uint32_t depth = r_.u32();
  Control& target = label(depth);
  if (target.kind != Op::Catch && target.kind != Op::CatchAll) invalid("invalid rethrow label");
  emit(&h_throw_ref, ImmSD{temp_slot(target.height), 0});
  set_unreachable();
}

}  // namespace corowasm::detail
