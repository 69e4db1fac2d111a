// The heap call stack: one Thread holds every frame and value of a running or suspended guest,
// so a guest is plain data the driver can pause, resume or drop at any depth.
#pragma once

#include <corowasm/corowasm.h>

#include <string>

#include "isa/code.h"

namespace corowasm::detail {

struct FuncCode;
struct FuncInst;
struct InstanceData;
struct MemoryInst;
struct ExnInst;

// One record of the heap call stack: the function running in this frame and where its caller
// resumes. Nothing else: a suspended guest's pending host operation is owned by its driver.
struct Frame {
  const FuncCode* func;
  const Cell* ret_ip;
  Slot* ret_fp;
  InstanceData* ret_inst;
};

struct Thread {
  // Where execution resumes after an Exit.
  const Cell* ip = nullptr;
  Slot* fp = nullptr;
  uint8_t* mem = nullptr;     // loop backend only: the cached memory base and size
  uint64_t memsize = 0;
  uint64_t acc = 0;           // loop backend only: the accumulator between handlers
  // Units left in this slice: one per loop iteration (taken backward branch) and per call.
  int64_t fuel = INT64_MAX;
  InstanceData* inst = nullptr;  // instance whose code is running

  // Heap call stack and value stack; both grow on Exit::StackLimit up to the Config limits.
  Frame* frames = nullptr;
  Frame* frame_top = nullptr;  // one past the innermost frame
  Frame* frame_end = nullptr;
  Slot* stack = nullptr;
  Slot* stack_end = nullptr;

  // Exit details.
  TrapKind trap_kind = TrapKind::Unreachable;
  std::string trap_message;
  FuncInst* host_callee = nullptr;
  Slot* host_args = nullptr;
  bool host_tail = false;      // HostCall: from a return_call* (no try of the frame applies)
  ExnInst* exception = nullptr;  // Exception: the one that escaped; ip/fp where it was thrown
  // An unwind that ran out of fuel on its way (OutOfFuel with ip at kResumeUnwind): the frame
  // at frame_top[-1] (fp, inst) is next, looked up at `pc` from region `region` (UINT32_MAX:
  // from the innermost), clause `clause`, regions of level <= max_level.
  struct Unwind {
    ExnInst* exn = nullptr;
    const Cell* pc = nullptr;
    bool at_return = false;  // pc is a return address
    bool skip = false;       // this frame's regions do not apply (a host tail call)
    uint32_t region = UINT32_MAX, clause = 0, max_level = UINT32_MAX;
  } unwind;
  const FuncCode* pending_callee = nullptr;  // StackLimit: the frame that did not fit
  bool pending_tail = false;                 // StackLimit: ... for a tail call (no new frame)
  // OutOfFuel inside a bulk instruction (memory.fill, table.copy, ...): the instruction at
  // bulk_ip, in the frame at bulk_fp, has done bulk_done of its elements and continues there
  // when it runs again. Cleared when any call begins or ends.
  const Cell* bulk_ip = nullptr;
  Slot* bulk_fp = nullptr;
  uint64_t bulk_done = 0;

  const Config* config = nullptr;
  StoreData* store = nullptr;

  Thread(const Config& cfg, StoreData* s);  // registers with `s` (its frames are roots)
  ~Thread();
  Thread(const Thread&) = delete;
  Thread& operator=(const Thread&) = delete;

  // Grow the value stack to fit `need_slots` from `base`, and the call stack by one frame
  // when `need_frame`; false at the Config limits.
  bool grow(Slot* base, uint64_t need_slots, bool need_frame = true);
  // First free slot above the current innermost frame (where a host re-entry puts its args).
  Slot* stack_top() const;
};

}  // namespace corowasm::detail
