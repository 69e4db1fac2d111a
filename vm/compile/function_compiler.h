// The validating compiler of one function body, split by concern:
//   function_compiler.h  its state: the operand stack, the control frames, the code emitter
//   operand_stack.cpp    pushing, popping, type checks and materialising deferred operands
//   emitter.cpp          appending handlers, the accumulator and the producer of the last one
//   fusion.cpp           rewriting the last instructions into one fused handler
//   control.cpp          blocks, labels, branches and returns
//   numeric.cpp, memory.cpp, variables.cpp, tables.cpp, calls.cpp
//                        one file per instruction family (as exec/ runs them)
//   compiler.cpp         the walk over the body and the dispatch on each opcode
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
#pragma once

#include <array>
#include <cstddef>
#include <cstring>
#include <optional>
#include <span>
#include <string>
#include <type_traits>
#include <vector>

#include "decode/module.h"
#include "decode/reader.h"
#include "isa/handlers.h"
#include "isa/op_info.h"

namespace corowasm::detail {

inline constexpr uint32_t kMaxLocals = 50'000;
inline constexpr size_t kNoCode = SIZE_MAX;
inline constexpr uint32_t kMaxDeferred = 32;  // deferred (Local/Const) operands on the stack at once
// Branch values from this many on are settled in their temporaries and moved as one block.
inline constexpr uint32_t kMoveArity = 2;

using Types = std::span<const ValType>;

struct Operand {
  enum Kind : uint8_t { Temp, Local, Const };
  ValType type = kUnknown;
  Kind kind = Temp;
  uint32_t slot = 0;   // Temp: its canonical slot; Local: the local's slot
  uint64_t value = 0;  // Const: the bits (never a v128: v128.const materialises at once)
  uint32_t home = 0;   // its stack position's canonical slot (set by push_operand)
};

// A branch whose int32 target is filled in when the label's address is known.
struct Fixup {
  size_t instr;     // cell index of the branching instruction (targets are relative to it)
  size_t byte_pos;  // byte offset of the int32 field in the code
};

struct Control {
  // Block, Loop, If, Else, TryTable, Try (a legacy try's body), Catch or CatchAll (its
  // handlers), or Call for the function body itself
  Op kind;
  Types params, results;
  uint32_t height = 0;  // operand stack height below the params
  // A legacy catch arm keeps the caught exception (rethrow's operand) in a hidden operand at
  // `height`: the arm's own values start above it.
  uint32_t hidden = 0;
  bool unreachable = false;  // after br/return/...: the operand stack is polymorphic
  bool dead = false;         // inside unreachable code: validated, but no code is emitted
  size_t loop_start = 0;  // Loop: cell index branches jump to
  std::vector<Fixup> fixups;
  std::optional<Fixup> else_fixup;  // If: the branch taken when the condition is false
  // Exception handling: catch clauses (indices into FuncCode::catches) that land at this
  // label's end; for a try, where its body starts and ends (cells) and its legacy clauses.
  std::vector<uint32_t> catch_fixups;
  uint32_t region = FuncCode::TryRegion::kNone;  // a try's region (none in dead code)
  std::vector<FuncCode::Catch> legacy_catches;
  Types label_types() const { return kind == Op::Loop ? params : results; }
};

// What the last emitted instruction computed, for fusions that rewrite it.
struct Producer {
  // The shape of the instruction, which says what a, b, k and shift mean.
  enum class Form : uint8_t {
    Unary,        // op a
    SlotSlot,     // a op b
    SlotConst,    // a op k
    ConstSlot,    // k op b
    Load,         // a load (a: its address slot, when not fused)
    Chain,        // a fused pair of binary operators
    AddPair,      // two i32.add slot, k in one handler
    ShlAddSlot,   // i32.add (a << shift), b
    ShlAddConst,  // i32.add (a << shift), k
    Select,
    Rmw,          // i32.rmw_add: a its address slot, b the loaded value's, k the constant
  };
  size_t start = kNoCode;    // cell index; kNoCode when nothing can be rewritten
  size_t end = 0;            // cell index one past it
  size_t dst_byte_pos = 0;   // byte offset of its destination slot field
  uint32_t dst = 0;
  Op op = Op::Nop;
  Form form = Form::Unary;
  uint32_t a = 0, b = 0;
  uint64_t k = 0;
  uint32_t shift = 0;
  // A binary operator on a slot and a slot or a constant (the shapes most fusions take).
  bool binary_slot() const { return form == Form::SlotSlot || form == Form::SlotConst; }
};

// A direct call's immediates for `callee` (calls.cpp): its entry and frame shape are copied
// in once it is compiled; link_calls does so for the calls compiled before it was.
ImmCall call_imm(const FuncCode* callee, uint32_t args_slot);
void link_calls(FuncCode& callee);

class FunctionCompiler {
 public:
  FunctionCompiler(const ModuleData& m, uint32_t func_index, std::span<const uint8_t> body, size_t offset,
                   FuncCode& out);
  void compile();

 private:
  // ---- errors ----
  [[noreturn]] void invalid(const std::string& why) const { throw ValidationError(op_offset_, why); }

  // ---- emission (emitter.cpp) ----
  bool reachable() const { return !ctrl_.back().unreachable && !ctrl_.back().dead; }
  // Append handler `h` with its immediates; kNoCode (and nothing) in unreachable code.
  template <class Imm>
  size_t emit(Handler h, const Imm& imm) {
    // Immediates are copied bytewise: padding would leave indeterminate bytes in the code.
    static_assert(std::has_unique_object_representations_v<Imm>, "immediates must have no padding");
    return emit_cells(h, &imm, sizeof(Imm), cells_of<Imm>);
  }
  size_t emit_cells(Handler h, const void* imm, size_t bytes, size_t cells);
  static size_t field_pos(size_t instr, size_t offset_in_imm) { return (instr + 1) * sizeof(Cell) + offset_in_imm; }
  void write_i32(size_t byte_pos, int32_t v) { std::memcpy(reinterpret_cast<char*>(code_.data()) + byte_pos, &v, 4); }
  void write_u32(size_t byte_pos, uint32_t v) { std::memcpy(reinterpret_cast<char*>(code_.data()) + byte_pos, &v, 4); }
  void patch(const Fixup& f, size_t target) { write_i32(f.byte_pos, int32_t(int64_t(target) - int64_t(f.instr))); }
  // A jump target at the current position: no fusion may merge instructions across it, since
  // the earlier ones are no longer alone on the path that reaches it.
  size_t label_here();
  // Patch every fixup to the current position (a label's end), which becomes a jump target.
  void bind(std::vector<Fixup>& fixups);
  // Remove instructions from the end (a fusion rewrites them).
  void truncate(size_t cells);
  // The instruction at cell `at` comes from the Wasm instruction being compiled (backtraces).
  void note_source(size_t at);
  // The function-relative wasm offset the code at `cell` came from; a fusion that rewrites a
  // trapping instruction into one ending later gives the new handler that offset back.
  uint32_t source_at(size_t cell) const;
  void set_source(size_t at, uint32_t func_offset);
  // The instruction just emitted left the value of `slot` in the accumulator.
  void note_acc(size_t at, uint32_t slot) {
    acc_valid_ = at != kNoCode;
    acc_slot_ = slot;
  }
  // Does the accumulator hold `slot` right now (nothing emitted since it was produced)?
  bool in_acc(uint32_t slot) const { return reachable() && acc_valid_ && acc_slot_ == slot; }
  // A constant to slot dst (merged with a copy or constant emitted right before it).
  void emit_const(uint64_t k, uint32_t dst);
  // Copy a value of type t (one slot, or a v128's two).
  void emit_copy(uint32_t src, uint32_t dst, ValType t = ValType::I32);
  // A direct call (h_call), with the copy, two copies or constant emitted right before it fused
  // in (calls.cpp).
  size_t emit_call(const ImmCall& call);
  // Register the instruction emitted at `at` as the producer of `dst` (and the accumulator).
  void note_producer(size_t at, size_t dst_byte_pos, uint32_t dst, Op op, Producer::Form form, uint32_t a, uint32_t b,
                     uint64_t k, uint32_t shift = 0);
  // The producer, if it is the last instruction and wrote the Temp `o`.
  const Producer* last_producer_of(const Operand& o) const;
  // Forget the producers: the last instructions were rewritten or a label follows them.
  void forget_producers() { producer_.start = prev_producer_.start = kNoCode; }

  // ---- fusions (fusion.cpp) ----
  bool fuse_add_of_shift(Operand a, Operand b, uint32_t pos);
  std::optional<Fixup> fuse_zero_test(const Producer& p, bool nonzero);
  bool fuse_load_pair(Op op, uint32_t addr, uint32_t dst, uint64_t offset);
  bool fuse_rmw_add(const Operand& v, const Operand& addr, uint64_t offset);
  bool fuse_mem_move(Op store, const Operand& v, const Operand& addr, uint64_t offset);
  bool take_table_index(const Operand& idx, ImmBrTableK& fused);
  bool fuse_chain(Op op, const OpInfo& oi, Operand a, Operand b, uint32_t pos);
  bool fuse_add_pair(Operand a, Operand b, uint32_t pos);
  Addr take_address_add(const Operand& addr, ImmMemAdd& fused);
  bool take_tee_address_add(const Operand& addr, ImmMemAddKeep& fused);
  // Emit a conditional branch on the popped i32 `cond`, taken when the condition holds
  // (when_true) or does not hold; its target is left to the caller (nullopt in unreachable
  // code). Fuses with the comparison that produced `cond`.
  std::optional<Fixup> cond_branch(const Operand& cond, bool when_true);

  // ---- operand stack (operand_stack.cpp) ----
  uint32_t height() const { return uint32_t(stack_.size()); }
  // Slots: the locals take the first num_local_slots_ (in order, a v128 two), then each
  // stack position the slots of its value's type, so position p's canonical slot depends on
  // the types below it. A position's slot is known from p = 0 up to the top (p == height()).
  uint32_t next_slot() const {
    return stack_.empty() ? num_local_slots_ : stack_.back().home + slot_width(stack_.back().type);
  }
  uint32_t temp_slot(uint32_t pos) const { return pos < height() ? stack_[pos].home : next_slot(); }
  // The slot of value i of a branch to `target` (its values start at the label's height).
  uint32_t label_slot(const Control& target, uint32_t i) const {
    uint32_t s = temp_slot(target.height);
    Types types = target.label_types();
    for (uint32_t j = 0; j < i; ++j) s += slot_width(types[j]);
    return s;
  }
  // Every push goes through here: it gives the operand its home (and a Temp or Const its
  // slot); deferred_ lists the stack positions of deferred operands.
  void push_operand(Operand o);
  void push(ValType t) { push_operand(Operand{t, Operand::Temp, 0, 0}); }
  void push_local(uint32_t idx) { push_operand(Operand{locals_[idx], Operand::Local, local_slots_[idx], 0}); }
  void push_const(ValType t, uint64_t bits) { push_operand(Operand{t, Operand::Const, 0, bits}); }
  void push_values(Types types) {
    for (ValType t : types) push(t);
  }
  // Drop everything above height h.
  void truncate_stack(uint32_t h);
  Operand pop_any();
  Operand pop(ValType expected);
  // Pop values of `types` (bottom to top, as an instruction's signature lists them) and return
  // the slots that hold them, bottom to top; constants are written to their positions' slots.
  // The stack height afterwards is the position of the first.
  template <size_t N>
  std::array<uint32_t, N> pop_slots(const std::array<ValType, N>& types) {
    std::array<Operand, N> vals;
    for (size_t i = N; i-- > 0;) vals[i] = pop(types[i]);
    std::array<uint32_t, N> slots;
    for (size_t i = 0; i < N; ++i) slots[i] = slot_of(vals[i]);
    return slots;
  }
  // Check that the top values have `types` and leave them there (as the label's types, for
  // br_if, when `retype`): a peek at the top of the stack.
  void check_top(Types types, bool retype);
  // The slot holding `o`, which was just popped; a constant is written to its position's slot
  // first.
  uint32_t slot_of(const Operand& o);
  // Make stack entry `pos` a Temp in its canonical slot.
  void materialize(uint32_t pos);
  // Materialise the deferred operands that `pred` selects, bottom to top.
  template <class Pred>
  void materialize_if(Pred&& pred) {
    std::vector<uint32_t> selected;
    for (uint32_t pos : deferred_)
      if (pred(pos)) selected.push_back(pos);
    for (uint32_t pos : selected) materialize(pos);
  }
  void materialize_locals();
  void materialize_top(uint32_t n);
  // Are the top n values all Temps (in their canonical, consecutive slots)?
  bool top_settled(uint32_t n) const { return deferred_.empty() || deferred_.back() < height() - n; }
  // Branch values that move as one block are settled before any code that branches on them,
  // on the path common to all successors (see the top of the file).
  void settle_branch_values(uint32_t n) {
    if (n >= kMoveArity) materialize_top(n);
  }
  // Move the top n (settled) values to slots dst.. as one block.
  void emit_move(uint32_t n, uint32_t dst);

  // ---- control (control.cpp) ----
  struct BlockType { Types params, results; };
  BlockType read_block_type();
  Control& label(uint32_t depth) {
    if (depth >= ctrl_.size()) invalid("unknown label");
    return ctrl_[ctrl_.size() - 1 - depth];
  }
  bool is_function_label(const Control& c) const { return &c == &ctrl_.front(); }
  void set_unreachable();
  // Copy the top label-arity values to the label's slots (a branch's values).
  void copy_branch_values(const Control& target);
  bool branch_values_in_place(const Control& target) const;
  // The branch at `f` goes to `target`: now for a loop, when the block ends otherwise.
  void attach(Control& target, const Fixup& f);
  // Emit an unconditional jump to `target`.
  void jump_to(Control& target);
  // Move the branch values to `target` and go there (return, for the function's label).
  void branch_out(Control& target);
  void emit_return();
  void return_sequence();
  // At `else`/`end`: the stack must hold exactly the block's results; move them to their
  // canonical slots, where every path into the label leaves them.
  void close_arm(const Control& c);
  void translate_block(Op op);
  void translate_else();
  void translate_end();
  void translate_br();
  void translate_br_if();
  void translate_br_table();
  // Register the end of block `c` as the landing point of its catch clauses.
  void bind_catches(Control& c, size_t target);

  // ---- exception handling (exceptions.cpp) ----
  uint32_t tag_index();
  void translate_throw();
  void translate_throw_ref();
  void translate_try_table();
  void translate_try();
  void translate_catch(bool all);
  void translate_delegate();
  void translate_rethrow();
  // A try's body begins here (a jump target: nothing fuses across it): its region opens, nested
  // in the innermost one open. It closes where the body ends: a legacy try's first catch, its
  // delegate, a try_table's end.
  uint32_t open_region(uint32_t level);  // level: the try's index in ctrl_
  void close_region(uint32_t region);
  std::vector<uint32_t> open_regions_;

  // ---- instruction families ----
  void compile_instruction(Op op);                      // compiler.cpp
  void translate_unary(Op op, const OpInfo& oi);        // numeric.cpp
  void translate_binary(Op op, const OpInfo& oi);
  // A memarg of an access of `bytes` (its natural alignment): checks it, returns the offset.
  uint64_t memarg(uint32_t bytes);                       // memory.cpp
  void translate_memarg(Op op, const OpInfo& oi);
  void translate_memory(Op op);
  void translate_local(Op op);                          // variables.cpp
  void translate_global(Op op);
  void translate_select(Op op);
  void translate_table(Op op);                          // tables.cpp
  void translate_ref(Op op);
  void translate_simd(Op op);                           // simd.cpp
  uint32_t lane_index(uint32_t lanes);
  void compile_call(uint32_t func_index, bool tail);    // calls.cpp
  void compile_call_indirect(bool tail);
  void need_memory(uint32_t idx = 0) {
    if (idx >= m_.memories.size()) invalid("unknown memory " + std::to_string(idx));
  }
  uint32_t table_index() {
    uint32_t x = r_.u32();
    if (x >= m_.tables.size()) invalid("unknown table " + std::to_string(x));
    return x;
  }
  void zero_byte() {
    if (r_.u8() != 0) r_.fail_at(r_.offset() - 1, "zero byte expected");
  }

  const ModuleData& m_;
  Reader r_;
  FuncCode* fc_;
  std::vector<Cell>& code_ = fc_->code;
  std::vector<ValType> locals_;
  std::vector<uint32_t> local_slots_;  // the slot of each local
  uint32_t num_locals_ = 0;            // locals (params included), by index
  uint32_t num_local_slots_ = 0;       // the slots they take
  uint32_t max_slots_ = 0;             // the frame's slots in use at most
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
  size_t op_offset_ = 0;
  Producer producer_;
  Producer prev_producer_;  // the producer right before producer_, if adjacent
  size_t last_start_ = kNoCode;  // the last emitted instruction, unless a label follows it
  bool acc_valid_ = false;       // the accumulator holds slot acc_slot_ (see exec/dispatch.h)
  uint32_t acc_slot_ = 0;
  const FuncType* type_ = nullptr;
};

}  // namespace corowasm::detail
