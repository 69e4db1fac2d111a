// The steps of a call on the heap call stack (driver/ puts them together), traps and backtraces.
#include "exec/frames.h"

#include <algorithm>
#include <cstring>

#include "exec/dispatch.h"

namespace corowasm::detail {

Exit exit_trap(Thread* t, const Cell* ip, Slot* fp, TrapKind kind) {
  t->ip = ip;
  t->fp = fp;
  t->trap_kind = kind;
  t->trap_message = trap_message(kind);
  return Exit::Trap;
}

namespace {

std::string cut_name(const std::string& name) {
  return name.size() <= kBacktraceNameBytes ? name : name.substr(0, kBacktraceNameBytes) + "...";
}

// Frame 0 for a trap raised by host function `host`, imported by `inst`: named after its import.
TrapFrame host_frame(const InstanceData* inst, const FuncInst* host) {
  TrapFrame tf;
  tf.host = true;
  if (!inst) return tf;
  const ModuleData& m = *inst->module;
  uint32_t k = 0;  // function imports seen
  for (const ImportEntry& imp : m.imports) {
    if (imp.kind != ImportDesc::Func) continue;
    if (k < inst->funcs.size() && inst->funcs[k] == host) {
      tf.func_index = k;
      tf.name = cut_name(imp.module) + "." + cut_name(imp.name);
      return tf;
    }
    ++k;
  }
  return tf;
}

// The offsets of the instruction at `ip` in `code` (the one before it, for a return address);
// nothing when ip lies outside the function's code.
void locate(TrapFrame& tf, const FuncCode& code, const Cell* ip, bool return_address) {
  if (!ip || ip < code.code.data() || ip > code.code.data() + code.code.size()) return;
  size_t cell = size_t(ip - code.code.data());
  if (return_address) {
    if (cell == 0) return;
    --cell;
  }
  if (std::optional<uint32_t> off = code.func_offset_at(cell)) {
    tf.func_offset = *off;
    tf.module_offset = code.body_offset + *off;
  }
}

}  // namespace

std::vector<TrapFrame> backtrace(const Thread& t, const Cell* ip, const FuncInst* host, size_t* omitted) {
  std::vector<TrapFrame> out;
  size_t total = 0;
  for (const Frame* f = t.frames; f != t.frame_top; ++f) total += f->func != nullptr;
  // Frame k runs in the instance its callee frame (k + 1) returns to; the innermost runs in
  // t.inst. Each frame stopped where its callee returns to; the innermost at `ip`.
  const InstanceData* inst = t.inst;
  if (host) {
    out.push_back(host_frame(inst, host));
    ++total;
  }
  size_t k = out.size();
  bool return_address = host != nullptr;
  for (const Frame* f = t.frame_top; f != t.frames;) {
    --f;
    if (f->func) {
      if (k < kBacktraceEnds || k >= total - std::min(total, kBacktraceEnds)) {
        TrapFrame tf;
        tf.func_index = f->func->func_index;
        if (inst && tf.func_index < inst->module->func_names.size())
          tf.name = cut_name(inst->module->func_names[tf.func_index]);
        locate(tf, *f->func, ip, return_address);
        out.push_back(std::move(tf));
      }
      ++k;
    }
    ip = f->ret_ip;
    return_address = true;
    inst = f->ret_inst;
  }
  if (omitted) *omitted = total - out.size();
  return out;
}

// ---- the steps of a call ----

void read_host_args(const Thread& t, std::span<Value> out) {
  const FuncType& ft = *t.host_callee->type;
  const Slot* s = t.host_args;
  for (size_t i = 0; i < out.size(); ++i) {
    out[i] = load_value(ft.params[i], s);
    s += slot_width(ft.params[i]);
  }
}

void resume_after_host(Thread& t, const HostCallState& hc, std::span<const Value> results) {
  // The host may have re-entered Wasm and moved the stack: address everything afresh.
  Slot* out = t.stack + hc.args_off;
  for (const Value& v : results) {
    store_value(out, v);
    out += slot_width(v.type);
  }
  t.ip = hc.resume;
  t.fp = t.stack + hc.fp_off;
  t.inst = hc.inst;
  t.host_args = nullptr;
}

HostCallState save_host_call(Thread& t) {
  return HostCallState{t.ip, size_t(t.fp - t.stack), size_t(t.host_args - t.stack), t.inst, t.host_callee, t.host_tail};
}

CallState begin_call(Thread& t, FuncInst* f, std::span<const Value> args) {
  // The arguments were checked against the type by ResumableCall, the only caller.
  const FuncType& ft = *f->type;

  CallState cs{t.ip, t.fp ? t.fp - t.stack : -1, t.inst, size_t(t.frame_top - t.frames), 0, &ft};
  const FuncCode* code = f->code;
  if (!t.grow(t.stack_top(), code->frame_slots)) throw Trap(TrapKind::CallStackExhausted);
  Slot* base = t.stack_top();  // grow may have moved the stack
  cs.base_off = size_t(base - t.stack);
  Slot* s = base;
  for (const Value& v : args) {
    store_value(s, v);
    s += slot_width(v.type);
  }
  std::memset(base + code->num_params, 0, size_t(code->num_locals - code->num_params) * sizeof(Slot));
  *t.frame_top++ = Frame{code, kReturnToHost, base, t.inst};
  t.ip = code->code.data();
  t.fp = base;
  t.inst = f->inst;
  return cs;
}

void end_call(Thread& t, const CallState& cs) {
  t.frame_top = t.frames + cs.depth;
  t.ip = cs.ip;
  t.fp = cs.fp_off < 0 ? nullptr : t.stack + cs.fp_off;
  t.inst = cs.inst;
}

std::vector<Value> call_results(Thread& t, const CallState& cs) {
  std::vector<Value> results(cs.type->results.size());
  const Slot* out = t.stack + cs.base_off;
  for (size_t i = 0; i < results.size(); ++i) {
    results[i] = load_value(cs.type->results[i], out);
    out += slot_width(cs.type->results[i]);
  }
  return results;
}

void grow_for_call(Thread& t) {
  // A call puts the callee's frame above the caller's; a tail call reuses the frame.
  uint64_t need = t.pending_tail ? t.pending_callee->frame_slots
                                 : uint64_t(t.frame_top[-1].func->frame_slots) + t.pending_callee->frame_slots;
  if (!t.grow(t.fp, need, !t.pending_tail)) throw Trap(TrapKind::CallStackExhausted);
}

}  // namespace corowasm::detail
