// What handler bodies share: trapping, fuel spending, jumps, bounds checks and the cached
// memory of the running instance. Included by the exec/*.cpp files that hold handler bodies.
#pragma once

#include <cstring>

#include "exec/frames.h"
#include "exec/dispatch.h"
#include "isa/handlers.h"
#include "isa/numeric.h"
#include "runtime/store.h"

namespace corowasm::detail {

#define CW_TRAP(kind) return exit_trap(t, ip, fp, (kind))

// Fuel: every taken backward branch (rel <= 0: only loop back-edges, a loop may branch to
// itself) and every call
// spends one unit, so any endless execution reaches an Exit::OutOfFuel. A branch leaves with
// the loop header as the resume point (a label: it never reads the accumulator); a call
// leaves before it does anything and re-executes when resumed.
inline Exit exit_out_of_fuel(Thread* t, const Cell* resume, Slot* fp) {
  t->ip = resume;
  t->fp = fp;
  return Exit::OutOfFuel;
}
#define CW_JUMP(rel)                                                       \
  do {                                                                     \
    if ((rel) <= 0 && --t->fuel < 0) [[unlikely]]                          \
      return exit_out_of_fuel(t, ip + (rel), fp);                          \
    CW_NEXT(rel);                                                          \
  } while (0)
#define CW_SPEND_CALL()                                                    \
  do {                                                                     \
    if (--t->fuel < 0) [[unlikely]]                                        \
      return exit_out_of_fuel(t, ip, fp);                                  \
  } while (0)

// Bounds check of one access. COROWASM_UNSAFE_NO_BOUNDS_CHECKS exists only to measure what
// the checks cost (the saving a guard-page design could at best bring); it is never safe.
[[gnu::always_inline]] inline bool out_of_bounds(uint64_t end, uint64_t memsize) {
#if COROWASM_UNSAFE_NO_BOUNDS_CHECKS
  (void)end;
  (void)memsize;
  return false;
#else
  return end > memsize;
#endif
}

[[gnu::always_inline]] inline void load_memory(InstanceData* inst, uint8_t*& mem, uint64_t& memsize) {
  mem = inst->mem0->base;
  memsize = inst->mem0->size;
}

// Code of another instance runs next: its memory replaces the cached base and size.
[[gnu::always_inline]] inline void enter_instance(Thread* t, InstanceData* inst, uint8_t*& mem, uint64_t& memsize) {
  if (inst != t->inst) {
    t->inst = inst;
    if (inst) load_memory(inst, mem, memsize);
  }
}

// Operand sources: a template flag `Acc*` set means that operand is the previous handler's
// result, read from `acc` rather than from its slot.
template <bool FromAcc, class T>
[[gnu::always_inline]] inline T operand(const Slot* fp, uint32_t slot, uint64_t acc) {
  if constexpr (FromAcc) return from_bits<T>(acc);
  else return get<T>(fp, slot);
}

// Bulk instructions work in chunks, spending one fuel unit per kBulkBytesPerUnit bytes they
// move: when the slice runs out with work left, they leave through Exit::OutOfFuel at their own
// ip and continue where they stopped when run again (Thread::bulk_*). So a 4 GiB memory.fill
// costs fuel like the loop it replaces would, and yields to the driver's slice and deadline
// checks on the way. `step(done, count)` does elements [done, done + count).
constexpr uint64_t kBulkChunkBytes = 256 * 1024;

template <class Step>
[[gnu::always_inline]] inline bool bulk(Thread* t, const Cell* ip, Slot* fp, uint64_t n, uint64_t elem_bytes,
                                        Step step) {
  uint64_t done = 0;
  if (t->bulk_ip == ip && t->bulk_fp == fp) [[unlikely]]
    done = t->bulk_done;
  t->bulk_ip = nullptr;
  const uint64_t chunk = kBulkChunkBytes / elem_bytes;
  while (done < n) {
    uint64_t c = std::min(chunk, n - done);
    step(done, c);
    done += c;
    t->fuel -= int64_t(c * elem_bytes / kBulkBytesPerUnit);
    if (t->fuel < 0 && done < n) [[unlikely]] {
      t->bulk_ip = ip;
      t->bulk_fp = fp;
      t->bulk_done = done;
      return false;
    }
  }
  return true;
}

// Copy n elements between possibly overlapping ranges in chunks: front to back when the
// destination lies below the source, back to front otherwise, so no chunk reads what an
// earlier one wrote.
template <class T>
[[gnu::always_inline]] inline bool bulk_move(Thread* t, const Cell* ip, Slot* fp, T* dst, const T* src, uint64_t n) {
  bool forward = uintptr_t(dst) <= uintptr_t(src);
  return bulk(t, ip, fp, n, sizeof(T), [&](uint64_t done, uint64_t c) {
    uint64_t at = forward ? done : n - done - c;
    std::memmove(dst + at, src + at, c * sizeof(T));
  });
}

}  // namespace corowasm::detail
