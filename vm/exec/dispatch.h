// The one dispatch step every handler ends in, and the entry into a handler chain.
#pragma once

#include "runtime/thread.h"

namespace corowasm::detail {

// ---- the one dispatch step ----
[[gnu::always_inline]] CW_HANDLER_CC inline Exit next(const Cell* ip, Slot* fp, uint8_t* mem, uint64_t memsize,
                                                     Thread* t, uint64_t acc) {
#if COROWASM_DISPATCH_TAIL
  CW_MUSTTAIL return ip->handler(ip, fp, mem, memsize, t, acc);
#else
  t->ip = ip; t->fp = fp; t->mem = mem; t->memsize = memsize; t->acc = acc;
  return Exit::Continue;
#endif
}

#define CW_NEXT(len) CW_MUSTTAIL return next(ip + (len), fp, mem, memsize, t, acc)
// ... handing the value it produced to the next handler as `acc`.
#define CW_NEXT_ACC(len, value) CW_MUSTTAIL return next(ip + (len), fp, mem, memsize, t, (value))

// Run from t->ip/t->fp until an Exit other than Continue.
Exit run(Thread* t);

// Code that makes a handler chain return Exit::Done: the return address of an entry frame.
extern const Cell kReturnToHost[1];

// The unit of bulk work: one fuel unit per this many bytes a bulk instruction or a host
// function (WASI transfers) moves.
inline constexpr uint64_t kBulkBytesPerUnit = 4096;

}  // namespace corowasm::detail
