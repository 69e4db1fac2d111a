// Call handlers: a call pushes a heap frame and continues in the callee, never recursing
// natively; a host function leaves the chain through Exit::HostCall.
#include "exec/support.h"

namespace corowasm::detail {

// ---- calls: push a heap frame and continue in the callee; never recurse natively ----

// Reserve the callee's frame; false when the call stack or value stack must grow first.
[[gnu::always_inline]] inline bool fits(Thread* t, Slot* nfp, uint32_t frame_slots) {
  return nfp + frame_slots <= t->stack_end && t->frame_top != t->frame_end;
}

// Declared locals start at zero. Most functions declare a handful: up to kZeroedAtOnce of them
// take that many stores, whatever their number (the compiler left room in the frame: the
// slots past the locals are the callee's operand stack, not live yet), with no branch on
// the count; more take memset.
[[gnu::always_inline]] inline void zero_locals(Slot* p, uint32_t n) {
  static_assert(kZeroedAtOnce == 8);
  if (n > kZeroedAtOnce) [[unlikely]] {
    std::memset(p, 0, size_t(n) * sizeof(Slot));
    return;
  }
  for (int i = 0; i < 8; ++i) p[i] = 0;
}
[[gnu::always_inline]] inline void zero_locals(const FuncCode* f, Slot* fp) {
  zero_locals(fp + f->num_params, f->num_locals - f->num_params);
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

Exit exit_host_call(Thread* t, const Cell* resume, Slot* fp, FuncInst* f, Slot* args, bool tail = false) {
  t->ip = resume;
  t->fp = fp;
  t->host_callee = f;
  t->host_args = args;
  t->host_tail = tail;
  return Exit::HostCall;
}

// The callee's entry and frame shape come with the call's immediates (ImmCall): nothing of
// the callee's FuncCode is read on the way in. MOVES, the moves fused in before the call, run
// once its checks have passed: a call that exits (fuel, stack growth) re-executes from the
// start, and must not repeat them.
#define CW_DIRECT_CALL(I, call, MOVES)                                               \
  do {                                                                              \
    CW_SPEND_CALL();                                                                \
    auto a = imm<I>(ip);                                                            \
    const ImmCall& c = (call);                                                      \
    Slot* nfp = fp + c.args;                                                        \
    if (!fits(t, nfp, c.frame_slots)) [[unlikely]]                                  \
      return exit_stack_limit(t, ip, fp, c.func);                                   \
    MOVES;                                                                          \
    *t->frame_top++ = Frame{c.func, ip + cells_of<I>, fp, t->inst};                 \
    zero_locals(nfp + c.num_params, c.num_zeroed);                                  \
    CW_MUSTTAIL return next(c.entry, nfp, mem, memsize, t, acc);                    \
  } while (0)

CW_HANDLER(h_call) { CW_DIRECT_CALL(ImmCall, a, (void)0); }

CW_HANDLER(h_call_copy2) {
  CW_DIRECT_CALL(ImmCallCopy2, a.call, (fp[a.moves.d1] = fp[a.moves.s1], fp[a.moves.d2] = fp[a.moves.s2]));
}

CW_HANDLER(h_call_const) { CW_DIRECT_CALL(ImmCallConst, a.call, (fp[a.d] = a.k)); }

// Call a function instance (an import or a table entry): Wasm code of this or another
// instance continues in the handler chain; a host function leaves it through Exit::HostCall.
#define CW_CALL_FUNC_INST(f, args_slot, len)                                              \
  do {                                                                                    \
    Slot* nfp = fp + (args_slot);                                                         \
    if (!(f)->code) return exit_host_call(t, ip + (len), fp, (f), nfp);                   \
    if (!fits(t, nfp, (f)->code->frame_slots)) [[unlikely]]                                            \
      return exit_stack_limit(t, ip, fp, (f)->code);                                      \
    push_frame(t, (f)->code, ip + (len), fp, nfp);                                        \
    enter_instance(t, (f)->inst, mem, memsize);                                           \
    CW_MUSTTAIL return next((f)->code->code.data(), nfp, mem, memsize, t, acc);      \
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
  if (fp + a.frame_slots > t->stack_end) [[unlikely]]
    return exit_stack_limit(t, ip, fp, a.func, true);
  std::memmove(fp, fp + a.args, size_t(a.num_params) * sizeof(Slot));
  zero_locals(fp + a.num_params, a.num_zeroed);
  t->frame_top[-1].func = a.func;
  CW_MUSTTAIL return next(a.entry, fp, mem, memsize, t, acc);
}

// A host callee cannot reuse a Wasm frame: it is called normally, and the compiler placed the
// frame's return sequence right after this instruction.
#define CW_TAIL_CALL_FUNC_INST(f, args_slot, len)                                        \
  do {                                                                                   \
    if (!(f)->code) return exit_host_call(t, ip + (len), fp, (f), fp + (args_slot), true); \
    if (fp + (f)->code->frame_slots > t->stack_end) [[unlikely]]                         \
      return exit_stack_limit(t, ip, fp, (f)->code, true);                               \
    reuse_frame(t, (f)->code, fp, (args_slot));                                          \
    enter_instance(t, (f)->inst, mem, memsize);                                          \
    CW_MUSTTAIL return next((f)->code->code.data(), fp, mem, memsize, t, acc);      \
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
  CW_MUSTTAIL return next(ip, fp, mem, memsize, t, acc);
}

CW_HANDLER(h_return1) {
  fp[0] = fp[imm<ImmSD>(ip).s];
  pop_frame(t, ip, fp, mem, memsize);
  CW_MUSTTAIL return next(ip, fp, mem, memsize, t, acc);
}

CW_HANDLER(h_return_to_host) {
  t->ip = ip;
  t->fp = fp;
  return Exit::Done;
}

constinit const Cell kReturnToHost[1] = {Cell{.handler = &h_return_to_host}};

}  // namespace corowasm::detail
