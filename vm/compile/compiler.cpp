// One walk per function body: validate each instruction by the spec's typing rules and emit
// slot-addressed threaded code for it.
//
// The compiler tracks the Wasm operand stack as Operands. An operand is
//   Temp  - its value sits in the frame slot reserved for its stack position
//           (slot = num_locals + position),
//   Local - it is a not-yet-copied `local.get`: readers use the local's slot directly,
//   Const - it is a not-yet-materialised constant: readers take it as an immediate.
// Deferring local.get and constants is what fuses `local.get a; i32.const 1; i32.add` into one
// `i32.add_si a, 1 -> d` handler, and a following `local.set b` retargets `d` to `b`.
// Deferred operands become Temps ("materialise") wherever the code needs the value in its
// canonical slot: before a block starts, as call arguments and branch values, and before a
// local.set would overwrite a local still referenced from the stack.
//
// Hostile guests: the threaded code is linear in the size of the Wasm code, at most 48 bytes
// of threaded code per byte of Wasm code (tests/unit/branch_test.cpp, kMaxCodeBytesPerWasmByte).
// Every instruction emits a bounded number of handlers itself. What is not bounded per
// instruction is paid for by the instruction that created it: a deferred operand is
// materialised at most once (Local/Const -> Temp is one-way), so each local.get, local.tee or
// constant (2 bytes or more) pays for one copy or constant (24 bytes at most). Branch values
// need care, since a br_if keeps its values for the fall-through path and a br_table copies
// them once per target:
//  - one value (the usual case) is copied per branch, as it always was: one h_copy/h_const;
//  - two or more (kMoveArity) are first settled into their temporaries on the path common to
//    all successors (paid for by the pushes, as above); being consecutive slots, they then
//    move to the label's as one h_move. Nothing is emitted per value per branch.
// br_table entries to the same label share one stub. At most kMaxDeferred operands stay
// deferred (the oldest is materialised when one more is pushed), so local.set and block entry
// look at O(1) operands, and check_top re-checks only the values replaced since the last check.
// The worst instructions per byte: a br_table entry (1 byte) whose stub writes a constant and
// jumps, 24 + 16 bytes plus its 4-byte table slot = 44; select (1 byte), 32; br_if (2 bytes)
// with a constant to move, 16 + 24 + 16 = 56.
// Compile time is linear too, except that a call or a block end pushes its results one by one:
// O(arity) for an instruction whose type (in the type section) has that many values.
#include "compile/compiler.h"

#include <algorithm>
#include <cstddef>
#include <span>
#include <stdexcept>
#include <type_traits>
#include <unordered_map>
#include <unordered_set>

#include "decode/reader.h"
#include "decode/types.h"
#include "isa/handlers.h"
#include "isa/numeric.h"
#include "isa/op_info.h"

namespace corowasm::detail {

namespace {

constexpr uint32_t kMaxLocals = 50'000;
constexpr size_t kNoCode = SIZE_MAX;
constexpr uint32_t kMaxDeferred = 32;  // deferred (Local/Const) operands on the stack at once
// Branch values from this many on are settled in their temporaries and moved as one block.
constexpr uint32_t kMoveArity = 2;

// Types of labels point into the module's type section or here (single-result block types),
// so a block costs O(1) memory however many values its type has.
constexpr ValType kSingleTypes[] = {ValType::I32, ValType::I64, ValType::F32, ValType::F64, ValType::V128,
                                    ValType::FuncRef, ValType::ExternRef};
std::span<const ValType> single_type(ValType t) {
  for (const ValType& s : kSingleTypes)
    if (s == t) return {&s, 1};
  return {};
}
using Types = std::span<const ValType>;

bool is_num(ValType t) {
  return t == ValType::I32 || t == ValType::I64 || t == ValType::F32 || t == ValType::F64 || t == kUnknown;
}

// The comparison that holds exactly when `op` does not (for `if`, which branches on false).
std::optional<Op> inverse_compare(Op op) {
  switch (op) {
    case Op::I32Eq: return Op::I32Ne;   case Op::I32Ne: return Op::I32Eq;
    case Op::I32LtS: return Op::I32GeS; case Op::I32GeS: return Op::I32LtS;
    case Op::I32LtU: return Op::I32GeU; case Op::I32GeU: return Op::I32LtU;
    case Op::I32GtS: return Op::I32LeS; case Op::I32LeS: return Op::I32GtS;
    case Op::I32GtU: return Op::I32LeU; case Op::I32LeU: return Op::I32GtU;
    case Op::I64Eq: return Op::I64Ne;   case Op::I64Ne: return Op::I64Eq;
    case Op::I64LtS: return Op::I64GeS; case Op::I64GeS: return Op::I64LtS;
    case Op::I64LtU: return Op::I64GeU; case Op::I64GeU: return Op::I64LtU;
    case Op::I64GtS: return Op::I64LeS; case Op::I64LeS: return Op::I64GtS;
    case Op::I64GtU: return Op::I64LeU; case Op::I64LeU: return Op::I64GtU;
    default: return std::nullopt;
  }
}

// The comparison with its operands swapped (a < b  ==  b > a).
Op mirror_compare(Op op) {
  switch (op) {
    case Op::I32LtS: return Op::I32GtS; case Op::I32GtS: return Op::I32LtS;
    case Op::I32LtU: return Op::I32GtU; case Op::I32GtU: return Op::I32LtU;
    case Op::I32LeS: return Op::I32GeS; case Op::I32GeS: return Op::I32LeS;
    case Op::I32LeU: return Op::I32GeU; case Op::I32GeU: return Op::I32LeU;
    case Op::I64LtS: return Op::I64GtS; case Op::I64GtS: return Op::I64LtS;
    case Op::I64LtU: return Op::I64GtU; case Op::I64GtU: return Op::I64LtU;
    case Op::I64LeS: return Op::I64GeS; case Op::I64GeS: return Op::I64LeS;
    case Op::I64LeU: return Op::I64GeU; case Op::I64GeU: return Op::I64LeU;
    default: return op;  // eq, ne
  }
}

struct Operand {
  enum Kind : uint8_t { Temp, Local, Const };
  ValType type = kUnknown;
  Kind kind = Temp;
  uint32_t slot = 0;   // Temp: its canonical slot; Local: the local's slot
  uint64_t value = 0;  // Const: the bits
};

// A branch whose int32 target is filled in when the label's address is known.
struct Fixup {
  size_t instr;     // cell index of the branching instruction (targets are relative to it)
  size_t byte_pos;  // byte offset of the int32 field in the code
};

struct Control {
  Op kind;  // Block, Loop, If, Else, or Call for the function body itself
  Types params, results;
  uint32_t height = 0;  // operand stack height below the params
  bool unreachable = false;  // after br/return/...: the operand stack is polymorphic
  bool dead = false;         // inside unreachable code: validated, but no code is emitted
  size_t loop_start = 0;  // Loop: cell index branches jump to
  std::vector<Fixup> fixups;
  std::optional<Fixup> else_fixup;  // If: the branch taken when the condition is false
  Types label_types() const { return kind == Op::Loop ? params : results; }
};

// What the last emitted instruction computed, for fusions that rewrite it.
struct Producer {
  size_t start = kNoCode;    // cell index; kNoCode when nothing can be rewritten
  size_t end = 0;            // cell index one past it
  size_t dst_byte_pos = 0;   // byte offset of its destination slot field
  uint32_t dst = 0;
  Op op = Op::Nop;
  char form = 0;             // 's' slot,slot; 'i' slot,const; 'u' unary;
                             // 'S' / 'I' i32.add of (a << shift) and a slot / constant
  uint32_t a = 0, b = 0;
  uint64_t k = 0;
  uint32_t shift = 0;
};

class FunctionCompiler {
 public:
  FunctionCompiler(const ModuleData& m, uint32_t func_index, std::span<const uint8_t> body, size_t offset,
                   FuncCode& out)
      : m_(m), r_(body, offset), fc_(&out) {
    fc_->func_index = func_index;
    fc_->type_index = m.func_types[func_index];
    fc_->type_id = m.type_ids[fc_->type_index];
    fc_->body_offset = offset;
    fc_->body_size = body.size();
  }

  void compile();

 private:
  // ---- errors ----
  [[noreturn]] void invalid(const std::string& why) const { throw ValidationError(op_offset_, why); }

  // ---- emission ----
  bool reachable() const { return !ctrl_.back().unreachable && !ctrl_.back().dead; }

  template <class Imm>
  size_t emit(Handler h, const Imm& imm) {
    // Immediates are copied bytewise: padding would leave indeterminate bytes in the code.
    static_assert(std::has_unique_object_representations_v<Imm>, "immediates must have no padding");
    if (!reachable()) return kNoCode;
    acc_valid_ = false;  // until the caller says this instruction produced a value
    size_t at = code_.size();
    code_.resize(at + cells_of<Imm>);
    code_[at].handler = h;
    std::memcpy(&code_[at + 1], &imm, sizeof(Imm));
    // The producer stays known as the previous one while instructions follow it directly.
    prev_producer_ = producer_.start != kNoCode && producer_.end == at ? producer_ : Producer{};
    producer_.start = kNoCode;
    last_start_ = at;
    return at;
  }
  static size_t field_pos(size_t instr, size_t offset_in_imm) { return (instr + 1) * sizeof(Cell) + offset_in_imm; }
  void write_i32(size_t byte_pos, int32_t v) { std::memcpy(reinterpret_cast<char*>(code_.data()) + byte_pos, &v, 4); }
  void write_u32(size_t byte_pos, uint32_t v) { std::memcpy(reinterpret_cast<char*>(code_.data()) + byte_pos, &v, 4); }
  void patch(const Fixup& f, size_t target) { write_i32(f.byte_pos, int32_t(int64_t(target) - int64_t(f.instr))); }
  // A jump target at the current position: no fusion may merge instructions across it, since
  // the earlier ones are no longer alone on the path that reaches it.
  size_t label_here() {
    producer_.start = kNoCode;
    prev_producer_.start = kNoCode;
    last_start_ = kNoCode;
    acc_valid_ = false;  // other paths arrive here with other accumulators
    return code_.size();
  }
  // Remove instructions from the end (a fusion rewrites them).
  void truncate(size_t cells) {
    code_.resize(cells);
    acc_valid_ = false;
  }
  // The instruction just emitted left the value of `slot` in the accumulator.
  void note_acc(size_t at, uint32_t slot) {
    acc_valid_ = at != kNoCode;
    acc_slot_ = slot;
  }
  // Does the accumulator hold `slot` right now (nothing emitted since it was produced)?
  bool in_acc(uint32_t slot) const { return reachable() && acc_valid_ && acc_slot_ == slot; }
  void emit_const(uint64_t k, uint32_t dst) { note_acc(emit(&h_const, ImmKD{k, dst}), dst); }
  void bind(std::vector<Fixup>& fixups) {
    size_t target = label_here();
    for (auto& f : fixups) patch(f, target);
    fixups.clear();
  }
  // Copies run in order, so two adjacent ones are one handler (phi-like moves come in runs).
  void emit_copy(uint32_t src, uint32_t dst) {
    if (reachable() && last_start_ != kNoCode && code_[last_start_].handler == &h_copy &&
        last_start_ + cells_of<ImmSD> == code_.size()) {
      ImmSD first = imm<ImmSD>(&code_[last_start_]);
      truncate(last_start_);
      note_acc(emit(&h_copy2, ImmCopy2{first.s, first.d, src, dst}), dst);
      return;
    }
    note_acc(emit(&h_copy, ImmSD{src, dst}), dst);
  }
  void note_producer(size_t at, size_t dst_byte_pos, uint32_t dst, Op op, char form, uint32_t a, uint32_t b, uint64_t k,
                     uint32_t shift = 0) {
    if (at == kNoCode) return;
    producer_ = {at, code_.size(), dst_byte_pos, dst, op, form, a, b, k, shift};
    note_acc(at, dst);  // every registered producer hands its result on as the accumulator
  }
  // The producer, if it is the last instruction and wrote the Temp `o`.
  const Producer* last_producer_of(const Operand& o) const {
    const Producer& p = producer_;
    if (!reachable() || o.kind != Operand::Temp || p.start == kNoCode || p.end != code_.size() || p.dst != o.slot)
      return nullptr;
    return &p;
  }
  bool fuse_add_of_shift(Operand a, Operand b, uint32_t pos);
  bool fuse_chain(Op op, const OpInfo& oi, Operand a, Operand b, uint32_t pos);
  bool fuse_add_pair(Operand a, Operand b, uint32_t pos);

  // ---- operand stack ----
  uint32_t height() const { return uint32_t(stack_.size()); }
  uint32_t temp_slot(uint32_t pos) const { return num_locals_ + pos; }

  // Every push goes through here: deferred_ lists the stack positions of deferred operands.
  void push_operand(const Operand& o) {
    stack_.push_back(o);
    max_height_ = std::max(max_height_, height());
    if (o.kind == Operand::Temp) return;
    deferred_.push_back(height() - 1);
    if (deferred_.size() > kMaxDeferred) materialize(deferred_.front());
  }
  void push(ValType t) { push_operand(Operand{t, Operand::Temp, temp_slot(height()), 0}); }
  void push_local(uint32_t idx) { push_operand(Operand{locals_[idx], Operand::Local, idx, 0}); }
  void push_const(ValType t, uint64_t bits) { push_operand(Operand{t, Operand::Const, temp_slot(height()), bits}); }
  // Drop everything above height h.
  void truncate_stack(uint32_t h) {
    stack_.resize(h);
    low_water_ = std::min(low_water_, h);
    while (!deferred_.empty() && deferred_.back() >= h) deferred_.pop_back();
  }

  Operand pop_any() {
    Control& c = ctrl_.back();
    if (height() == c.height) {
      if (c.unreachable) return Operand{kUnknown, Operand::Temp, temp_slot(height()), 0};
      invalid("type mismatch");
    }
    Operand o = stack_.back();
    truncate_stack(height() - 1);
    return o;
  }
  Operand pop(ValType expected) {
    Operand o = pop_any();
    if (o.type != expected && o.type != kUnknown && expected != kUnknown) invalid("type mismatch");
    return o;
  }
  void push_values(Types types) {
    for (ValType t : types) push(t);
  }
  // Check that the top values have `types` and leave them there (as the label's types, for
  // br_if, when `retype`). A check repeated on the same stack (N br_if to a label of A values)
  // looks only at the values replaced since the last one: O(changes), not O(A) per branch.
  void check_top(Types types, bool retype) {
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

  // The slot holding `o`, which was just popped from stack position `pos`; constants are
  // written to that position's slot first.
  uint32_t slot_of(const Operand& o, uint32_t pos) {
    if (o.kind == Operand::Const) {
      emit_const(o.value, temp_slot(pos));
      return temp_slot(pos);
    }
    return o.slot;
  }

  // Make stack entry `pos` a Temp in its canonical slot.
  void materialize(uint32_t pos) {
    Operand& o = stack_[pos];
    if (o.kind == Operand::Temp) return;
    uint32_t dst = temp_slot(pos);
    if (o.kind == Operand::Local) emit_copy(o.slot, dst);
    else emit_const(o.value, dst);
    o.kind = Operand::Temp;
    o.slot = dst;
    deferred_.erase(std::find(deferred_.begin(), deferred_.end(), pos));
  }
  // Materialise the deferred operands that `pred` selects, bottom to top.
  template <class Pred>
  void materialize_if(Pred&& pred) {
    std::vector<uint32_t> selected;
    for (uint32_t pos : deferred_)
      if (pred(pos)) selected.push_back(pos);
    for (uint32_t pos : selected) materialize(pos);
  }
  void materialize_locals() {
    materialize_if([&](uint32_t pos) { return stack_[pos].kind == Operand::Local; });
  }
  void materialize_top(uint32_t n) {
    materialize_if([&](uint32_t pos) { return pos >= height() - n; });
  }
  // Are the top n values all Temps (in their canonical, consecutive slots)?
  bool top_settled(uint32_t n) const { return deferred_.empty() || deferred_.back() < height() - n; }
  // Branch values that move as one block are settled before any code that branches on them,
  // on the path common to all successors (see the top of the file).
  void settle_branch_values(uint32_t n) {
    if (n >= kMoveArity) materialize_top(n);
  }
  // Move the top n (settled) values to slots dst.. as one block.
  void emit_move(uint32_t n, uint32_t dst) {
    if (!top_settled(n)) throw std::logic_error("compiler: branch values moved before they were settled");
    uint32_t src = temp_slot(height() - n);
    if (src != dst) emit(&h_move, ImmMove{src, dst, n});
  }

  // ---- control ----
  struct BlockType { Types params, results; };
  BlockType read_block_type();
  Control& label(uint32_t depth) {
    if (depth >= ctrl_.size()) invalid("unknown label");
    return ctrl_[ctrl_.size() - 1 - depth];
  }
  void set_unreachable() {
    ++control_epoch_;
    ctrl_.back().unreachable = true;
    truncate_stack(ctrl_.back().height);
  }
  // Copy the top label-arity values to the label's slots (a branch's values).
  void copy_branch_values(const Control& target);
  bool branch_values_in_place(const Control& target) const;
  // Emit an unconditional jump to `target`.
  void jump_to(Control& target);
  // Emit `handler` (a conditional jump) toward `target`, whose immediates are `imm`; the
  // int32 rel field sits at `rel_offset` within Imm.
  template <class Imm>
  void branch_to(Control& target, Handler h, const Imm& imm, size_t rel_offset);
  // A conditional branch on the popped i32 `cond`: to `target` when the condition holds
  // (when_true) or does not hold. Fuses with the comparison that produced `cond`.
  template <class Target>
  void cond_branch(const Operand& cond, uint32_t cond_pos, bool when_true, Target&& to);
  void emit_return();
  // At `else`/`end`: the stack must hold exactly the block's results; move them to their
  // canonical slots, where every path into the label leaves them.
  void close_arm(const Control& c) {
    check_top(c.results, false);
    if (height() != c.height + c.results.size()) invalid("type mismatch");
    materialize_top(uint32_t(c.results.size()));
    truncate_stack(c.height);
  }

  // ---- instructions ----
  void compile_instruction(Op op);
  void compile_call(uint32_t func_index, bool tail);
  void compile_call_indirect(bool tail);
  void compile_memarg(Op op, const OpInfo& oi);
  Addr take_address_add(const Operand& addr, ImmMemAdd& fused);
  void need_memory(uint32_t idx = 0) {
    if (idx >= m_.memories.size()) invalid("unknown memory " + std::to_string(idx));
  }
  uint32_t table_index() {
    uint32_t x = r_.u32();
    if (x >= m_.tables.size()) invalid("unknown table " + std::to_string(x));
    return x;
  }
  void return_sequence();

  const ModuleData& m_;
  Reader r_;
  FuncCode* fc_;
  std::vector<Cell>& code_ = fc_->code;
  std::vector<ValType> locals_;
  uint32_t num_locals_ = 0;
  std::vector<Operand> stack_;
  std::vector<uint32_t> deferred_;  // positions of the non-Temp operands in stack_, ascending
  // The last check_top: the top `n` values had types `types` at stack height `height`, and
  // none below low_water_ has been popped since. control_epoch_ changes with every control
  // frame change (which changes what pop may see).
  struct LastCheck {
    const ValType* types = nullptr;
    size_t n = 0;
    uint32_t height = 0;
    uint64_t epoch = 0;
    bool retyped = false;
  } last_check_;
  uint32_t low_water_ = 0;
  uint64_t control_epoch_ = 0;
  std::vector<Control> ctrl_;
  uint32_t max_height_ = 0;
  size_t op_offset_ = 0;
  Producer producer_;
  Producer prev_producer_;  // the producer right before producer_, if adjacent
  size_t last_start_ = kNoCode;  // the last emitted instruction, unless a label follows it
  bool acc_valid_ = false;       // the accumulator holds slot acc_slot_ (see exec.h)
  uint32_t acc_slot_ = 0;
  const FuncType* type_ = nullptr;
};

FunctionCompiler::BlockType FunctionCompiler::read_block_type() {
  BlockType bt;
  uint8_t b = r_.peek();
  if (b == 0x40) {
    r_.u8();
  } else if (b == 0x7F || b == 0x7E || b == 0x7D || b == 0x7C || b == 0x7B || b == 0x70 || b == 0x6F) {
    bt.results = single_type(read_val_type(r_));
  } else {
    int64_t idx = r_.s33();
    if (idx < 0 || uint64_t(idx) >= m_.types.size()) invalid("unknown type");
    bt.params = m_.types[size_t(idx)].params;
    bt.results = m_.types[size_t(idx)].results;
  }
  return bt;
}

bool FunctionCompiler::branch_values_in_place(const Control& target) const {
  uint32_t n = uint32_t(target.label_types().size());
  if (n >= kMoveArity) return top_settled(n) && height() - n == target.height;
  for (uint32_t i = 0; i < n; ++i) {
    const Operand& o = stack_[height() - n + i];
    if (o.kind != Operand::Temp || o.slot != temp_slot(target.height + i)) return false;
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
    uint32_t dst = temp_slot(target.height + i);
    if (o.kind == Operand::Const) emit_const(o.value, dst);
    else if (o.slot != dst) emit_copy(o.slot, dst);
  }
}

void FunctionCompiler::jump_to(Control& target) {
  branch_to(target, &h_br, ImmBr{0}, offsetof(ImmBr, rel));
}

template <class Imm>
void FunctionCompiler::branch_to(Control& target, Handler h, const Imm& imm, size_t rel_offset) {
  size_t at = emit(h, imm);
  if (at == kNoCode) return;
  Fixup f{at, field_pos(at, rel_offset)};
  if (target.kind == Op::Loop) patch(f, target.loop_start);
  else target.fixups.push_back(f);
}

template <class Target>
void FunctionCompiler::cond_branch(const Operand& cond, uint32_t cond_pos, bool when_true, Target&& to) {
  // Fuse with the comparison that produced the condition, if it is the last instruction.
  Producer p = producer_;
  if (reachable() && cond.kind == Operand::Temp && p.start != kNoCode && p.end == code_.size() && p.dst == cond.slot) {
    // Once p is removed, the accumulator holds what the instruction before it produced.
    Producer q = prev_producer_;
    bool q_adjacent = q.start != kNoCode && q.end == p.start;
    if (p.form == 'u' && p.op == Op::I32Eqz) {
      truncate(p.start);
      bool acc = q_adjacent && q.dst == p.a;
      Handler h = when_true ? (acc ? &h_br_z_acc : &h_br_z) : (acc ? &h_br_nz_acc : &h_br_nz);
      to(h, ImmBrS{p.a, 0}, offsetof(ImmBrS, rel));
      return;
    }
    if (p.form == 'u' && p.op == Op::I64Eqz) {  // as i64.eq / i64.ne against 0
      truncate(p.start);
      Acc acc = q_adjacent && q.dst == p.a ? Acc::Left : Acc::None;
      to(branch_compare_handler(when_true ? Op::I64Eq : Op::I64Ne, true, acc), ImmBrSI{p.a, 0, 0},
         offsetof(ImmBrSI, rel));
      return;
    }
    if ((p.form == 's' || p.form == 'i') && op_info(p.op).compare()) {
      std::optional<Op> op = when_true ? std::optional<Op>(p.op) : inverse_compare(p.op);
      // An i32 update right before the comparison, of the value it tests, joins the fusion.
      Handler fused_update = nullptr;
      uint32_t rhs = p.b;
      // The comparison as the fused handler sees it: updated value first. Only the fused form
      // may use it; the plain compare-and-branch below keeps `op` with the original operands.
      std::optional<Op> update_op = op;
      if (op && q.start != kNoCode && q.end == p.start && q.form == 'i' && p.form == 's' && q.dst == p.b &&
          q.dst != p.a) {
        update_op = mirror_compare(*op);  // `n != i` after `i += 1`: test `i != n`
        rhs = p.a;
      } else if (!(op && q.start != kNoCode && q.end == p.start && q.form == 'i' && q.dst == p.a)) {
        q.start = kNoCode;
      }
      if (q.start != kNoCode) fused_update = op_branch_handler(q.op, *update_op, p.form == 'i');
      if (fused_update) {
        truncate(q.start);
        producer_.start = prev_producer_.start = kNoCode;
        ImmOpBr imm{q.a, q.dst, p.form == 'i' ? 0u : rhs, 0, uint32_t(q.k), p.form == 'i' ? uint32_t(p.k) : 0u};
        to(fused_update, imm, offsetof(ImmOpBr, rel));
        return;
      }
      if (op) {
        truncate(p.start);
        q = prev_producer_;
        Acc acc = !q_adjacent ? Acc::None : q.dst == p.a ? Acc::Left : (p.form == 's' && q.dst == p.b) ? Acc::Right : Acc::None;
        if (p.form == 's') to(branch_compare_handler(*op, false, acc), ImmBrSS{p.a, p.b, 0}, offsetof(ImmBrSS, rel));
        else to(branch_compare_handler(*op, true, acc), ImmBrSI{p.a, 0, p.k}, offsetof(ImmBrSI, rel));
        return;
      }
    }
  }
  uint32_t c = slot_of(cond, cond_pos);
  bool acc = in_acc(c);
  to(when_true ? (acc ? &h_br_nz_acc : &h_br_nz) : (acc ? &h_br_z_acc : &h_br_z), ImmBrS{c, 0}, offsetof(ImmBrS, rel));
}

void FunctionCompiler::emit_return() {
  uint32_t n = uint32_t(type_->results.size());
  if (!reachable()) return;
  if (n == 1) {
    const Operand& o = stack_.back();
    if (o.kind == Operand::Const) {
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
  // Validate the results without losing the operands: pop them, then put them back.
  check_top(type_->results, false);
  settle_branch_values(uint32_t(type_->results.size()));
  emit_return();
  set_unreachable();
}

void FunctionCompiler::compile() {
  type_ = &m_.types[fc_->type_index];
  locals_ = type_->params;
  uint32_t groups = r_.u32();
  uint64_t total = locals_.size();
  for (uint32_t g = 0; g < groups; ++g) {
    uint32_t count = r_.u32();
    total += count;
    if (total > kMaxLocals) r_.fail("too many locals");
    ValType t = read_val_type(r_);
    locals_.insert(locals_.end(), count, t);
  }
  num_locals_ = uint32_t(locals_.size());
  fc_->num_params = uint32_t(type_->params.size());
  fc_->num_results = uint32_t(type_->results.size());
  fc_->num_locals = num_locals_;

  Control fn;
  fn.kind = Op::Call;
  fn.results = Types(type_->results);
  ctrl_.push_back(std::move(fn));

  while (!ctrl_.empty()) {
    op_offset_ = r_.offset();
    uint8_t b = r_.u8();
    uint32_t code = b;
    uint8_t prefix = 0;
    if (b == 0xFC) {
      prefix = 0xFC;
      code = r_.u32();
    }
    std::optional<Op> op = decode_op(prefix, code);
    if (!op) {
      if (b == 0xFD) r_.fail_at(op_offset_, "SIMD instructions are not supported yet");
      r_.fail_at(op_offset_, "illegal opcode");
    }
    compile_instruction(*op);
  }
  if (!r_.at_end()) r_.fail("section size mismatch");
  // Results need max(params, results) slots even for empty bodies.
  uint32_t min_slots = std::max(fc_->num_locals, fc_->num_results);
  fc_->frame_slots = std::max(min_slots, num_locals_ + max_height_);
  code_.shrink_to_fit();
}

// If the address operand was computed by the i32.add emitted last, remove that add and
// return how the access should recompute it (Addr::Slot: it was not).
Addr FunctionCompiler::take_address_add(const Operand& addr, ImmMemAdd& fused) {
  const Producer* pp = last_producer_of(addr);
  if (!pp || pp->op != Op::I32Add || (pp->form != 'i' && pp->form != 's' && pp->form != 'I' && pp->form != 'S'))
    return Addr::Slot;
  Producer p = *pp;
  truncate(p.start);
  producer_.start = kNoCode;
  fused.a = p.a;
  fused.b = (p.form == 'i' || p.form == 'I') ? uint32_t(p.k) : p.b;
  fused.shift = p.shift;
  switch (p.form) {
    case 'i': return Addr::AddConst;
    case 's': return Addr::AddSlots;
    case 'I': return Addr::ShlAddConst;
    default: return Addr::ShlAddSlots;
  }
}

// A binary operator whose operand is the result of the binary operator emitted last: one
// handler computes both (i32.shr_u + i32.and, f64.mul + f64.add, ...).
bool FunctionCompiler::fuse_chain(Op op, const OpInfo& oi, Operand a, Operand b, uint32_t pos) {
  const Producer* pa = last_producer_of(a);
  const Producer* pb = pa ? nullptr : last_producer_of(b);
  const Producer* p = pa ? pa : pb;
  if (!p || (p->form != 'i' && p->form != 's')) return false;
  bool left = pa != nullptr;
  const Operand& other = left ? b : a;
  if (other.kind == Operand::Const && !left) {
    if (!oi.commute()) return false;
    left = true;  // k op inner == inner op k
  }
  Chain shape = p->form == 'i' ? (other.kind == Operand::Const ? Chain::ConstConst : Chain::ConstSlot)
                              : (other.kind == Operand::Const ? Chain::SlotConst : Chain::SlotSlot);
  Handler h = chain_handler(p->op, op, shape, left);
  if (!h) return false;
  Producer inner = *p;
  truncate(inner.start);
  producer_.start = kNoCode;
  uint32_t d = temp_slot(pos);
  ImmChain c{inner.a, inner.b, other.kind == Operand::Const ? 0 : other.slot, d, inner.k,
             other.kind == Operand::Const ? other.value : 0};
  size_t at = emit(h, c);
  push(oi.r);
  note_producer(at, field_pos(at, offsetof(ImmChain, d)), d, op, 'c', 0, 0, 0);
  return true;
}

// Two adjacent `i32.add slot, k` (counters and pointers stepping together) run in order in one
// handler. The second result may still be retargeted by a local.set.
bool FunctionCompiler::fuse_add_pair(Operand a, Operand b, uint32_t pos) {
  if (a.kind == Operand::Const) std::swap(a, b);
  if (!reachable() || b.kind != Operand::Const || a.kind == Operand::Const) return false;
  Producer p = producer_;
  if (p.start == kNoCode || p.end != code_.size() || p.op != Op::I32Add || p.form != 'i') return false;
  Handler first = code_[p.start].handler;  // a plain add (not a fused one that registered as I32Add)
  if (first != binary_handler(Op::I32Add, Operands::SlotConst) && first != binary_handler(Op::I32Add, Operands::SlotConst, Acc::Left)) return false;
  truncate(p.start);
  uint32_t d = temp_slot(pos);
  size_t at = emit(&h_i32_add2_si, ImmAdd2{p.a, p.dst, uint32_t(p.k), a.slot, d, uint32_t(b.value)});
  push(ValType::I32);
  note_producer(at, field_pos(at, offsetof(ImmAdd2, d2)), d, Op::I32Add, 'p', 0, 0, 0);
  return true;
}

// `i32.shl x, k` emitted last and consumed by this i32.add: one handler computes
// (x << k) + other. Loads and stores then fuse the whole address.
bool FunctionCompiler::fuse_add_of_shift(Operand a, Operand b, uint32_t pos) {
  const Producer* pa = last_producer_of(a);
  const Producer* pb = last_producer_of(b);
  const Producer* p = pa ? pa : pb;
  if (!p || p->op != Op::I32Shl || p->form != 'i') return false;
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
    note_producer(at, field_pos(at, offsetof(ImmAddShl, d)), d, Op::I32Add, 'I', shl.a, 0, uint32_t(other.value), shift);
  } else {
    at = emit(&h_i32_add_shl_ss, ImmAddShl{shl.a, other.slot, d, shift, 0});
    push(ValType::I32);
    note_producer(at, field_pos(at, offsetof(ImmAddShl, d)), d, Op::I32Add, 'S', shl.a, other.slot, 0, shift);
  }
  return true;
}

void FunctionCompiler::compile_memarg(Op op, const OpInfo& oi) {
  size_t at_align = r_.offset();
  uint32_t align = r_.u32();
  if (align >= 64) r_.fail_at(at_align, "malformed memop flags");
  uint64_t offset = r_.u32();
  need_memory();
  if ((1u << std::min(align, 31u)) > oi.size || align >= 32) invalid("alignment must not be larger than natural");
  if (oi.family == OpInfo::Load) {
    Operand addr = pop(ValType::I32);
    uint32_t pos = height();
    uint32_t d = temp_slot(pos);
    ImmMemAdd fused{0, d, offset, 0, 0};
    Addr form = take_address_add(addr, fused);
    size_t at;
    if (form != Addr::Slot) {
      at = emit(load_handler(op, form), fused);
      push(oi.r);
      note_producer(at, field_pos(at, offsetof(ImmMemAdd, v)), d, op, 'l', 0, 0, 0);
    } else {
      uint32_t a = slot_of(addr, pos);
      at = emit(load_handler(op, in_acc(a) ? Addr::AccSlot : Addr::Slot), ImmMem{a, d, offset});
      push(oi.r);
      note_producer(at, field_pos(at, offsetof(ImmMem, v)), d, op, 'l', a, 0, 0);
    }
  } else {
    Operand v = pop(oi.b);
    uint32_t vpos = height();
    Operand addr = pop(ValType::I32);
    uint32_t apos = height();
    if (v.kind == Operand::Const) {
      emit(store_handler(op, true), ImmMemI{slot_of(addr, apos), 0, offset, v.value});
      return;
    }
    // A Temp value was computed after the address, so only Local values leave the address
    // add as the last instruction.
    ImmMemAdd fused{0, v.slot, offset, 0, 0};
    Addr form = v.kind == Operand::Local ? take_address_add(addr, fused) : Addr::Slot;
    if (form != Addr::Slot) emit(store_handler(op, false, form), fused);
    else {
      uint32_t a = slot_of(addr, apos);
      uint32_t sv = slot_of(v, vpos);
      emit(store_handler(op, false, Addr::Slot, in_acc(sv)), ImmMem{a, sv, offset});
    }
  }
}

void FunctionCompiler::compile_call(uint32_t func_index, bool tail) {
  if (func_index >= m_.func_types.size()) invalid("unknown function " + std::to_string(func_index));
  const FuncType& ft = m_.func_type(func_index);
  if (tail && ft.results != type_->results) invalid("type mismatch");
  uint32_t n = uint32_t(ft.params.size());
  // Validate the arguments, then give them their canonical consecutive slots.
  check_top(ft.params, false);
  uint32_t base = height() - n;
  materialize_top(n);
  truncate_stack(base);
  uint32_t args_slot = temp_slot(base);
  bool imported = func_index < m_.num_imported_funcs;
  if (!imported) {
    // Every FuncCode exists from the function section on, so a callee not compiled yet
    // already has its final address.
    const FuncCode* callee = m_.codes[func_index - m_.num_imported_funcs].get();
    emit(tail ? &h_return_call : &h_call, ImmCall{callee, args_slot});
  } else {
    emit(tail ? &h_return_call_import : &h_call_import, ImmCallImport{func_index, args_slot});
    if (tail) {
      // A host callee returns here; its results sit at args_slot.
      push_values(ft.results);
      emit_return();
      truncate_stack(base);
    }
  }
  if (tail) {
    set_unreachable();
    return;
  }
  push_values(ft.results);
}

void FunctionCompiler::compile_call_indirect(bool tail) {
  size_t at_type = r_.offset();
  uint32_t type_index = r_.u32();
  uint32_t table = r_.u32();
  if (table >= m_.tables.size()) invalid("unknown table " + std::to_string(table));
  if (type_index >= m_.types.size()) throw ValidationError(at_type, "unknown type");
  if (m_.tables[table].elem != ValType::FuncRef) invalid("type mismatch");
  const FuncType& ft = m_.types[type_index];
  if (tail && ft.results != type_->results) invalid("type mismatch");
  Operand idx = pop(ValType::I32);
  uint32_t n = uint32_t(ft.params.size());
  check_top(ft.params, false);
  uint32_t base = height() - n;
  // The index sits right above the arguments.
  uint32_t idx_slot = slot_of(idx, height());
  materialize_top(n);
  truncate_stack(base);
  uint32_t args_slot = temp_slot(base);
  emit(tail ? &h_return_call_indirect : &h_call_indirect, ImmCallIndirect{m_.type_ids[type_index], table, idx_slot, args_slot});
  if (tail) {
    push_values(ft.results);
    emit_return();
    truncate_stack(base);
    set_unreachable();
    return;
  }
  push_values(ft.results);
}

void FunctionCompiler::compile_instruction(Op op) {
  const OpInfo& oi = op_info(op);
  switch (oi.family) {
    case OpInfo::Unary: {
      Operand a = pop(oi.a);
      uint32_t pos = height();
      uint32_t s = slot_of(a, pos);
      uint32_t d = temp_slot(pos);
      size_t at = emit(unary_handler(op, in_acc(s)), ImmSD{s, d});
      push(oi.r);
      note_producer(at, field_pos(at, offsetof(ImmSD, d)), d, op, 'u', s, 0, 0);
      return;
    }
    case OpInfo::Binary: {
      Operand b = pop(oi.b);
      Operand a = pop(oi.a);
      uint32_t pos = height();
      if (op == Op::I32Add && fuse_add_of_shift(a, b, pos)) return;
      if (fuse_chain(op, oi, a, b, pos)) return;
      if (op == Op::I32Add && fuse_add_pair(a, b, pos)) return;
      uint32_t d = temp_slot(pos);
      if (a.kind == Operand::Const && b.kind != Operand::Const && oi.commute()) std::swap(a, b);
      size_t at;
      if (b.kind == Operand::Const && a.kind != Operand::Const) {
        at = emit(binary_handler(op, Operands::SlotConst, in_acc(a.slot) ? Acc::Left : Acc::None), ImmSID{a.slot, d, b.value});
        push(oi.r);
        note_producer(at, field_pos(at, offsetof(ImmSID, d)), d, op, 'i', a.slot, 0, b.value);
      } else if (a.kind == Operand::Const && b.kind != Operand::Const) {
        at = emit(binary_handler(op, Operands::ConstSlot, in_acc(b.slot) ? Acc::Right : Acc::None), ImmISD{a.value, b.slot, d});
        push(oi.r);
        note_producer(at, field_pos(at, offsetof(ImmISD, d)), d, op, 'l', 0, b.slot, a.value);
      } else {
        uint32_t sa = slot_of(a, pos);
        if (b.kind == Operand::Const) {
          at = emit(binary_handler(op, Operands::SlotConst, in_acc(sa) ? Acc::Left : Acc::None), ImmSID{sa, d, b.value});
          push(oi.r);
          note_producer(at, field_pos(at, offsetof(ImmSID, d)), d, op, 'i', sa, 0, b.value);
        } else {
          Acc acc = in_acc(sa) ? Acc::Left : in_acc(b.slot) ? Acc::Right : Acc::None;
          at = emit(binary_handler(op, Operands::SlotSlot, acc), ImmSSD{sa, b.slot, d});
          push(oi.r);
          note_producer(at, field_pos(at, offsetof(ImmSSD, d)), d, op, 's', sa, b.slot, 0);
        }
      }
      return;
    }
    case OpInfo::Load:
    case OpInfo::Store: compile_memarg(op, oi); return;
    case OpInfo::Special: break;
  }

  switch (op) {
    case Op::Unreachable:
      emit(&h_unreachable, ImmBr{0});
      set_unreachable();
      return;
    case Op::Nop: return;

    case Op::Block:
    case Op::Loop:
    case Op::If: {
      BlockType bt = read_block_type();
      std::optional<Operand> cond;
      uint32_t cond_pos = 0;
      if (op == Op::If) {
        cond = pop(ValType::I32);
        cond_pos = height();
      }
      uint32_t np = uint32_t(bt.params.size());
      if (height() < ctrl_.back().height + np && !ctrl_.back().unreachable) invalid("type mismatch");
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
      if (op == Op::If) {
        // The condition slot lies above the params: consume it before pushing the frame.
        std::optional<Fixup> else_fixup;
        if (reachable()) {
          cond_branch(*cond, cond_pos, false, [&](Handler h, auto imm, size_t rel_offset) {
            size_t at = emit(h, imm);
            if (at != kNoCode) else_fixup = Fixup{at, field_pos(at, rel_offset)};
          });
        }
        c.else_fixup = else_fixup;
      }
      if (op == Op::Loop) {
        c.loop_start = label_here();
        producer_.start = kNoCode;
      }
      // A block in unreachable code validates normally (its stack is not polymorphic) but
      // emits nothing.
      c.dead = !reachable();
      ctrl_.push_back(std::move(c));
      ++control_epoch_;
      return;
    }

    case Op::Else: {
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
      return;
    }

    case Op::End: {
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
      close_arm(c);
      if (c.else_fixup) patch(*c.else_fixup, label_here());
      bind(c.fixups);
      Types results = c.results;
      ctrl_.pop_back();
      ++control_epoch_;
      push_values(results);
      return;
    }

    case Op::Br: {
      uint32_t depth = r_.u32();
      Control& target = label(depth);
      check_top(target.label_types(), false);
      settle_branch_values(uint32_t(target.label_types().size()));
      if (&target == &ctrl_.front()) {
        emit_return();
      } else {
        copy_branch_values(target);
        jump_to(target);
      }
      set_unreachable();
      return;
    }

    case Op::BrIf: {
      uint32_t depth = r_.u32();
      Operand cond = pop(ValType::I32);
      uint32_t cond_pos = height();
      Control& target = label(depth);
      check_top(target.label_types(), true);  // br_if leaves the label's types
      if (!reachable()) return;
      // Before the branch: both paths see the settled values.
      settle_branch_values(uint32_t(target.label_types().size()));
      bool to_function = &target == &ctrl_.front();
      if (!to_function && branch_values_in_place(target)) {
        cond_branch(cond, cond_pos, true, [&](Handler h, auto imm, size_t rel_offset) {
          branch_to(target, h, imm, rel_offset);
        });
      } else {
        // Values must move first: skip over the move and the jump when the condition fails.
        std::optional<Fixup> skip;
        cond_branch(cond, cond_pos, false, [&](Handler h, auto imm, size_t rel_offset) {
          size_t at = emit(h, imm);
          if (at != kNoCode) skip = Fixup{at, field_pos(at, rel_offset)};
        });
        if (to_function) {
          emit_return();
        } else {
          copy_branch_values(target);
          jump_to(target);
        }
        if (skip) patch(*skip, label_here());
        producer_.start = kNoCode;
      }
      return;
    }

    case Op::BrTable: {
      uint32_t count = r_.u32();
      if (count > r_.remaining()) r_.fail("unexpected end");
      std::vector<uint32_t> depths(count + 1);
      for (uint32_t i = 0; i <= count; ++i) depths[i] = r_.u32();
      Operand idx = pop(ValType::I32);
      uint32_t idx_pos = height();
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
        uint32_t s = slot_of(idx, idx_pos);
        size_t at = code_.size();
        code_.resize(at + 2 + (count + 2) / 2);
        acc_valid_ = false;
        code_[at].handler = &h_br_table;
        ImmBrTable bt{s, count};
        std::memcpy(&code_[at + 1], &bt, sizeof bt);
        producer_.start = kNoCode;
        // Each entry jumps straight to its label when no values move, else to a stub that
        // moves them and jumps; entries to the same label share its stub.
        std::vector<size_t> stubs;
        for (uint32_t i = 0; i <= count; ++i) {
          Control& target = label(depths[i]);
          size_t pos = (at + 2) * sizeof(Cell) + 4 * size_t(i);
          if (&target != &ctrl_.front() && branch_values_in_place(target)) {
            Fixup f{at, pos};
            if (target.kind == Op::Loop) patch(f, target.loop_start);
            else target.fixups.push_back(f);
          } else {
            stubs.push_back(i);
          }
        }
        std::unordered_map<uint32_t, size_t> stub_of_depth;
        for (uint32_t i : stubs) {
          size_t pos = (at + 2) * sizeof(Cell) + 4 * size_t(i);
          auto [it, fresh] = stub_of_depth.try_emplace(depths[i], code_.size());
          if (!fresh) {
            patch(Fixup{at, pos}, it->second);
            continue;
          }
          Control& target = label(depths[i]);
          patch(Fixup{at, pos}, label_here());
          if (&target == &ctrl_.front()) {
            emit_return();
          } else {
            copy_branch_values(target);
            jump_to(target);
          }
        }
      }
      set_unreachable();
      return;
    }

    case Op::Return: return_sequence(); return;

    case Op::Call: compile_call(r_.u32(), false); return;
    case Op::ReturnCall: compile_call(r_.u32(), true); return;
    case Op::CallIndirect: compile_call_indirect(false); return;
    case Op::ReturnCallIndirect: compile_call_indirect(true); return;

    case Op::Drop: pop_any(); return;

    case Op::Select:
    case Op::SelectT: {
      ValType t = kUnknown;
      if (op == Op::SelectT) {
        uint32_t n = r_.u32();
        if (n != 1) invalid("invalid result arity");
        t = read_val_type(r_);
      }
      Operand c = pop(ValType::I32);
      uint32_t cpos = height();
      Operand b = pop(t);
      uint32_t bpos = height();
      Operand a = pop(t);
      uint32_t apos = height();
      if (op == Op::Select) {
        if (!is_num(a.type) || !is_num(b.type)) invalid("type mismatch");
        if (a.type != b.type && a.type != kUnknown && b.type != kUnknown) invalid("type mismatch");
        t = a.type != kUnknown ? a.type : b.type;
      }
      uint32_t d = temp_slot(apos);
      if (a.kind != Operand::Const && b.kind == Operand::Const) {
        uint32_t sa = a.slot, sc = slot_of(c, cpos);
        emit(&h_select_si, ImmSelectK{sc, sa, d, 0, b.value});
      } else if (a.kind == Operand::Const && b.kind != Operand::Const) {
        uint32_t sb = b.slot, sc = slot_of(c, cpos);
        emit(&h_select_is, ImmSelectK{sc, sb, d, 0, a.value});
      } else {
        // Both values sit below the condition: materialise constants into their own slots.
        uint32_t sa = slot_of(a, apos), sb = slot_of(b, bpos), sc = slot_of(c, cpos);
        size_t at = emit(&h_select, ImmSelect{sc, sa, sb, d});
        push(t);
        note_producer(at, field_pos(at, offsetof(ImmSelect, d)), d, Op::Select, 'x', 0, 0, 0);
        return;
      }
      push(t);
      return;
    }

    case Op::LocalGet: {
      uint32_t idx = r_.u32();
      if (idx >= num_locals_) invalid("unknown local " + std::to_string(idx));
      push_local(idx);
      return;
    }
    case Op::LocalSet:
    case Op::LocalTee: {
      uint32_t idx = r_.u32();
      if (idx >= num_locals_) invalid("unknown local " + std::to_string(idx));
      Operand v = pop(locals_[idx]);
      uint32_t pos = height();
      if (reachable() && !(v.kind == Operand::Local && v.slot == idx)) {
        materialize_if([&](uint32_t i) { return stack_[i].kind == Operand::Local && stack_[i].slot == idx; });
        Producer p = producer_;
        if (v.kind == Operand::Temp && p.start != kNoCode && p.end == code_.size() && p.dst == v.slot) {
          write_u32(p.dst_byte_pos, idx);  // the producer writes the local directly
          producer_.dst = idx;             // still known (a following branch may fuse it)
          if (acc_valid_ && acc_slot_ == v.slot) acc_slot_ = idx;
        } else if (v.kind == Operand::Const) {
          emit_const(v.value, idx);
        } else {
          emit_copy(v.slot, idx);
        }
      }
      (void)pos;
      if (op == Op::LocalTee) push_local(idx);
      return;
    }
    case Op::GlobalGet: {
      uint32_t idx = r_.u32();
      if (idx >= m_.globals.size()) invalid("unknown global " + std::to_string(idx));
      uint32_t d = temp_slot(height());
      note_acc(emit(&h_global_get, ImmIdxS{idx, d}), d);
      push(m_.globals[idx].type);
      return;
    }
    case Op::GlobalSet: {
      uint32_t idx = r_.u32();
      if (idx >= m_.globals.size()) invalid("unknown global " + std::to_string(idx));
      if (!m_.globals[idx].mut) invalid("global is immutable");
      Operand v = pop(m_.globals[idx].type);
      emit(&h_global_set, ImmIdxS{idx, slot_of(v, height())});
      return;
    }

    case Op::TableGet: {
      uint32_t x = table_index();
      Operand i = pop(ValType::I32);
      uint32_t pos = height();
      emit(&h_table_get, ImmTable2{x, 0, slot_of(i, pos), 0, temp_slot(pos)});
      push(m_.tables[x].elem);
      return;
    }
    case Op::TableSet: {
      uint32_t x = table_index();
      Operand v = pop(m_.tables[x].elem);
      uint32_t vpos = height();
      Operand i = pop(ValType::I32);
      uint32_t ipos = height();
      emit(&h_table_set, ImmTable2{x, 0, slot_of(i, ipos), slot_of(v, vpos), 0});
      return;
    }

    case Op::MemorySize: {
      if (r_.u8() != 0) r_.fail_at(r_.offset() - 1, "zero byte expected");
      need_memory();
      emit(&h_memory_size, ImmSD{0, temp_slot(height())});
      push(ValType::I32);
      return;
    }
    case Op::MemoryGrow: {
      if (r_.u8() != 0) r_.fail_at(r_.offset() - 1, "zero byte expected");
      need_memory();
      Operand delta = pop(ValType::I32);
      uint32_t pos = height();
      emit(&h_memory_grow, ImmSD{slot_of(delta, pos), temp_slot(pos)});
      push(ValType::I32);
      return;
    }

    case Op::I32Const: push_const(ValType::I32, uint32_t(r_.s32())); return;
    case Op::I64Const: push_const(ValType::I64, uint64_t(r_.s64())); return;
    case Op::F32Const: push_const(ValType::F32, r_.fixed_u32()); return;
    case Op::F64Const: push_const(ValType::F64, r_.fixed_u64()); return;

    case Op::RefNull: {
      ValType t = read_ref_type(r_);
      push_const(t, 0);
      return;
    }
    case Op::RefIsNull: {
      Operand v = pop_any();
      if (v.type != kUnknown && !is_ref(v.type)) invalid("type mismatch");
      uint32_t pos = height();
      emit(&h_ref_is_null, ImmSD{slot_of(v, pos), temp_slot(pos)});
      push(ValType::I32);
      return;
    }
    case Op::RefFunc: {
      uint32_t f = r_.u32();
      if (f >= m_.func_types.size()) invalid("unknown function " + std::to_string(f));
      if (!m_.declared_refs.count(f)) invalid("undeclared function reference");
      emit(&h_ref_func, ImmIdxS{f, temp_slot(height())});
      push(ValType::FuncRef);
      return;
    }

    case Op::MemoryInit: {
      uint32_t seg = r_.u32();
      if (r_.u8() != 0) r_.fail_at(r_.offset() - 1, "zero byte expected");
      need_memory();
      if (!m_.has_data_count) r_.fail_at(op_offset_, "data count section required");
      if (seg >= m_.data_count) invalid("unknown data segment " + std::to_string(seg));
      Operand n = pop(ValType::I32); uint32_t npos = height();
      Operand s = pop(ValType::I32); uint32_t spos = height();
      Operand d = pop(ValType::I32); uint32_t dpos = height();
      emit(&h_memory_init, ImmTable2{seg, 0, slot_of(d, dpos), slot_of(s, spos), slot_of(n, npos)});
      return;
    }
    case Op::DataDrop: {
      uint32_t seg = r_.u32();
      if (!m_.has_data_count) r_.fail_at(op_offset_, "data count section required");
      if (seg >= m_.data_count) invalid("unknown data segment " + std::to_string(seg));
      emit(&h_data_drop, ImmIdxS{seg, 0});
      return;
    }
    case Op::MemoryCopy:
    case Op::MemoryFill: {
      if (r_.u8() != 0) r_.fail_at(r_.offset() - 1, "zero byte expected");
      if (op == Op::MemoryCopy && r_.u8() != 0) r_.fail_at(r_.offset() - 1, "zero byte expected");
      need_memory();
      Operand n = pop(ValType::I32); uint32_t npos = height();
      Operand v = pop(ValType::I32); uint32_t vpos = height();
      Operand d = pop(ValType::I32); uint32_t dpos = height();
      emit(op == Op::MemoryCopy ? &h_memory_copy : &h_memory_fill,
           ImmTable2{0, 0, slot_of(d, dpos), slot_of(v, vpos), slot_of(n, npos)});
      return;
    }
    case Op::TableInit: {
      uint32_t seg = r_.u32();
      uint32_t x = table_index();
      if (seg >= m_.elems.size()) invalid("unknown elem segment " + std::to_string(seg));
      if (m_.elems[seg].type != m_.tables[x].elem) invalid("type mismatch");
      Operand n = pop(ValType::I32); uint32_t npos = height();
      Operand s = pop(ValType::I32); uint32_t spos = height();
      Operand d = pop(ValType::I32); uint32_t dpos = height();
      emit(&h_table_init, ImmTable2{x, seg, slot_of(d, dpos), slot_of(s, spos), slot_of(n, npos)});
      return;
    }
    case Op::ElemDrop: {
      uint32_t seg = r_.u32();
      if (seg >= m_.elems.size()) invalid("unknown elem segment " + std::to_string(seg));
      emit(&h_elem_drop, ImmIdxS{seg, 0});
      return;
    }
    case Op::TableCopy: {
      uint32_t x = table_index();
      uint32_t y = table_index();
      if (m_.tables[x].elem != m_.tables[y].elem) invalid("type mismatch");
      Operand n = pop(ValType::I32); uint32_t npos = height();
      Operand s = pop(ValType::I32); uint32_t spos = height();
      Operand d = pop(ValType::I32); uint32_t dpos = height();
      emit(&h_table_copy, ImmTable2{x, y, slot_of(d, dpos), slot_of(s, spos), slot_of(n, npos)});
      return;
    }
    case Op::TableGrow: {
      uint32_t x = table_index();
      Operand n = pop(ValType::I32); uint32_t npos = height();
      Operand v = pop(m_.tables[x].elem); uint32_t vpos = height();
      emit(&h_table_grow, ImmTable2{x, 0, slot_of(v, vpos), slot_of(n, npos), temp_slot(vpos)});
      push(ValType::I32);
      return;
    }
    case Op::TableSize: {
      uint32_t x = table_index();
      emit(&h_table_size, ImmIdxS{x, temp_slot(height())});
      push(ValType::I32);
      return;
    }
    case Op::TableFill: {
      uint32_t x = table_index();
      Operand n = pop(ValType::I32); uint32_t npos = height();
      Operand v = pop(m_.tables[x].elem); uint32_t vpos = height();
      Operand i = pop(ValType::I32); uint32_t ipos = height();
      emit(&h_table_fill, ImmTable2{x, 0, slot_of(i, ipos), slot_of(v, vpos), slot_of(n, npos)});
      return;
    }
    default: invalid(std::string("unhandled opcode ") + op_name(op));
  }
}

}  // namespace

void compile_function(const ModuleData& m, uint32_t func_index, std::span<const uint8_t> body, size_t offset,
                      FuncCode& out) {
  FunctionCompiler(m, func_index, body, offset, out).compile();
}

}  // namespace corowasm::detail
