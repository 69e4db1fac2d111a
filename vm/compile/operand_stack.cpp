// The Wasm operand stack as the compiler sees it: typed operands, deferred (Local, Const) or
// in their canonical slots (Temp), and the type checks of the spec's validation algorithm.
#include <algorithm>
#include <stdexcept>

#include "compile/function_compiler.h"

namespace corowasm::detail {

void FunctionCompiler::push_operand(Operand o) {
  o.home = next_slot();
  if (o.kind != Operand::Local) o.slot = o.home;
  stack_.push_back(o);
  max_slots_ = std::max(max_slots_, o.home + slot_width(o.type));
  if (o.kind == Operand::Temp) return;
  deferred_.push_back(height() - 1);
  if (deferred_.size() > kMaxDeferred) materialize(deferred_.front());
}

void FunctionCompiler::truncate_stack(uint32_t h) {
  stack_.resize(h);
  low_water_ = std::min(low_water_, h);
  while (!deferred_.empty() && deferred_.back() >= h) deferred_.pop_back();
}

Operand FunctionCompiler::pop_any() {
  Control& c = ctrl_.back();
  if (height() == c.height + c.hidden) {
    if (c.unreachable) return Operand{kUnknown, Operand::Temp, next_slot(), 0, next_slot()};
    invalid("type mismatch");
  }
  Operand o = stack_.back();
  truncate_stack(height() - 1);
  return o;
}

Operand FunctionCompiler::pop(ValType expected) {
  Operand o = pop_any();
  if (o.type != expected && o.type != kUnknown && expected != kUnknown) invalid("type mismatch");
  return o;
}

// A check repeated on the same stack (N br_if to a label of A values) looks only at the values
// replaced since the last one: O(changes), not O(A) per branch.
void FunctionCompiler::check_top(Types types, bool retype) {
  size_t n = types.size();
  size_t from = 0;  // types[from..] are checked
  const LastCheck& l = last_check_;
  if (l.types == types.data() && l.n == n && l.height == height() && l.epoch == control_epoch_ &&
      (l.retyped || !retype) && height() >= n)
    from = std::min(n, size_t(std::max<int64_t>(0, int64_t(low_water_) - int64_t(height() - n))));
  std::vector<Operand> vals;
  for (size_t i = n; i-- > from;) vals.push_back(pop(types[i]));
  for (size_t i = vals.size(); i-- > 0;) {
    if (retype) vals[i].type = types[n - 1 - i];
    push_operand(vals[i]);
  }
  if (from == 0 || !(l.retyped || !retype)) last_check_ = {types.data(), n, height(), control_epoch_, retype};
  low_water_ = height();
}

uint32_t FunctionCompiler::slot_of(const Operand& o) {
  if (o.kind == Operand::Const) emit_const(o.value, o.slot);
  return o.slot;
}

void FunctionCompiler::materialize(uint32_t pos) {
  Operand& o = stack_[pos];
  if (o.kind == Operand::Temp) return;
  uint32_t dst = o.home;
  if (o.kind == Operand::Local) emit_copy(o.slot, dst, o.type);
  else emit_const(o.value, dst);
  o.kind = Operand::Temp;
  o.slot = dst;
  deferred_.erase(std::find(deferred_.begin(), deferred_.end(), pos));
}

void FunctionCompiler::materialize_locals() {
  materialize_if([&](uint32_t pos) { return stack_[pos].kind == Operand::Local; });
}

void FunctionCompiler::materialize_top(uint32_t n) {
  materialize_if([&](uint32_t pos) { return pos >= height() - n; });
}

void FunctionCompiler::emit_move(uint32_t n, uint32_t dst) {
  if (!top_settled(n)) throw std::logic_error("compiler: branch values moved before they were settled");
  uint32_t src = temp_slot(height() - n);
  if (src != dst) emit(&h_move, ImmMove{src, dst, next_slot() - src});
}

}  // namespace corowasm::detail
