// The steps of a call on the heap call stack, shared by every driver: push an entry frame, read
// a host call's arguments and resume after it, pop what a call pushed; traps and backtraces.
#pragma once

#include <corowasm/corowasm.h>

#include <span>
#include <vector>

#include "runtime/store.h"
#include "runtime/thread.h"

namespace corowasm::detail {

// What a call must give back to the thread when it ends (calls nest through host functions).
struct CallState {
  const Cell* ip;
  ptrdiff_t fp_off;  // -1: no frame was active
  InstanceData* inst;
  size_t depth;
  size_t base_off;   // where the arguments went and the results come back
  const FuncType* type;
};
// Push the entry frame of Wasm function `f` with `args` (already checked against its type).
CallState begin_call(Thread& t, FuncInst* f, std::span<const Value> args);
std::vector<Value> call_results(Thread& t, const CallState& cs);
// Pop everything the call pushed (after Done, a trap, or a cancellation).
void end_call(Thread& t, const CallState& cs);
// Exit::StackLimit: grow the stacks for the pending call, or throw "call stack exhausted".
void grow_for_call(Thread& t);

// Exit::HostCall: where to put the results and resume. Offsets, since the stack may move.
struct HostCallState {
  const Cell* resume;
  size_t fp_off, args_off;
  InstanceData* inst;
  FuncInst* callee;
  bool tail = false;  // from a return_call*
};
HostCallState save_host_call(Thread& t);
// Exit::HostCall: the callee's arguments as Values (`out` holds one per parameter).
void read_host_args(const Thread& t, std::span<Value> out);
void resume_after_host(Thread& t, const HostCallState& hc, std::span<const Value> results);

// ---- exceptions (exec/exceptions.cpp) ----
// Where an exception starts its way out: a throw instruction at `ip`, or a host function
// whose call returns to `ip` (called by a return_call*: no try of that frame applies).
enum class ThrowFrom : uint8_t { Instruction, HostCall, HostTailCall };
enum class Unwound : uint8_t {
  Caught,       // the clause's values are in its label's slots; t->ip/fp/inst and the call
                // stack say where execution continues
  Escaped,      // no handler up to and including the call's entry frame (frames unchanged)
  Interrupted,  // the fuel ran out on the way: t->ip is kResumeUnwind, frames passed are popped
};
// Look for the handler of `exn` from frame `fp` (running at `ip` in t->inst) outwards. Every
// frame, region and clause looked at is work, charged one fuel unit per kUnwindWorkPerUnit, so
// an unwind through hostile code (a million nested tries in 100,000 frames) yields to the
// driver like a loop does and continues where it stopped.
inline constexpr uint32_t kUnwindWorkPerUnit = 64;
Unwound unwind(Thread* t, const Cell* ip, Slot* fp, ExnInst* exn, ThrowFrom from);
// Where an interrupted unwind resumes (its handler continues from Thread::unwind).
extern const Cell kResumeUnwind[1];

// ---- traps ----
// The Wasm frames of `t`, innermost first, named from the name section (else the export
// name), each with the module offset of its instruction: the first and last kBacktraceEnds
// frames when there are more (`*omitted` says how many lie between), names cut at
// kBacktraceNameBytes, so a trap at any depth costs a bounded amount of memory.
// `ip` is where the innermost frame stopped: the trapping instruction, or, when `host` is
// given, the return address of its call to that host function, which becomes frame 0.
inline constexpr size_t kBacktraceEnds = 64;
inline constexpr size_t kBacktraceNameBytes = 256;
std::vector<TrapFrame> backtrace(const Thread& t, const Cell* ip, const FuncInst* host, size_t* omitted);
Exit exit_trap(Thread* t, const Cell* ip, Slot* fp, TrapKind kind);

}  // namespace corowasm::detail
