// The instruction set's code: compiled-code cells, slot access and the one handler signature.
// The heap call stack a handler runs on is runtime/thread.h; the dispatch step is exec/dispatch.h.
//
// Compiled code is an array of 8-byte Cells. An instruction is one Cell holding its handler,
// followed by its immediates packed into a struct (Imm*) that occupies whole Cells. Operands
// name frame slots: `fp[i]` is slot i of the current frame, laid out as
//   [params][declared locals][operand-stack temporaries]
// so a handler reads and writes values without any stack pointer.
//
// A handler ends in `CW_MUSTTAIL return next(ip + len, ...)` (`[[clang::musttail]]`): with the
// tail backend that jumps straight into the next handler (no dispatch loop), with the loop
// backend it returns Exit::Continue to a plain loop.
//
// `acc` carries the value the previous handler produced (the accumulator). A handler that
// consumes that value reads it from `acc` instead of its frame slot, which takes the
// store-to-load round trip through memory off dependency chains. The compiler picks such
// "acc" variants only right after the producing instruction, never after a label or a call,
// so an instruction that reads `acc` is never where execution resumes after an Exit. A handler leaves the chain only through an Exit:
// Done (returned to the host), Trap, HostCall, StackLimit, OutOfFuel, Exception; `Thread::ip/fp` then hold
// where execution resumes.
#pragma once

#include <corowasm/corowasm.h>

#include <cstdint>
#include <cstring>
#include <string>
#include <type_traits>
#include <vector>

#ifndef COROWASM_DISPATCH_TAIL
#define COROWASM_DISPATCH_TAIL 1
#endif

#if COROWASM_DISPATCH_TAIL && !defined(__clang__)
#error "the tail dispatch backend needs clang >= 19 (CMake picks the loop backend for other compilers)"
#endif

// A handler's tail call to the next one. Only clang has the attribute; the loop backend, the one
// other compilers build, needs no tail call: its handlers return to the loop.
#if defined(__clang__)
#define CW_MUSTTAIL [[clang::musttail]]
#else
#define CW_MUSTTAIL
#endif

#if COROWASM_DISPATCH_TAIL && (defined(__x86_64__) || defined(__aarch64__))
// Handlers keep no callee-saved registers: every register can carry hot state.
#define CW_HANDLER_CC __attribute__((preserve_none))
#else
#define CW_HANDLER_CC
#endif

namespace corowasm::detail {

using Slot = uint64_t;
struct Thread;  // runtime/thread.h
struct Cell;

enum class Exit : uint32_t {
  Continue,    // loop backend only: run the handler at Thread::ip next
  Done,        // the outermost frame returned; results sit at the entry frame base
  Trap,        // Thread::trap_kind / trap_message say why; ip is the trapping instruction
  HostCall,    // Thread::host_callee wants calling with args at host_args; resume at ip
  StackLimit,  // a call needs more frames or value-stack slots than are allocated
  OutOfFuel,   // Thread::fuel ran out: the time slice or the fuel budget is spent
  Exception,   // Thread::exception escaped every handler of this call; ip/fp: its throw
};

using Handler = Exit (CW_HANDLER_CC*)(const Cell* ip, Slot* fp, uint8_t* mem, uint64_t memsize, Thread* t,
                                      uint64_t acc);

struct Cell {
  union {
    Handler handler;
    uint64_t u64;
    int64_t i64;
    uint32_t u32[2];
    int32_t i32[2];
  };
};
static_assert(sizeof(Cell) == 8);

// Cells an instruction with immediates `Imm` occupies, handler included.
template <class Imm>
constexpr uint32_t cells_of = 1 + uint32_t((sizeof(Imm) + sizeof(Cell) - 1) / sizeof(Cell));

template <>
inline constexpr uint32_t cells_of<void> = 1;  // no immediates

template <class Imm>
[[gnu::always_inline]] inline Imm imm(const Cell* ip) {
  // Immediates are plain bytes; the cast to void* is for GCC, whose -Wclass-memaccess takes a
  // default member initialiser (ImmKD::pad = 0) for a non-trivial type.
  static_assert(std::is_trivially_copyable_v<Imm>);
  Imm v;
  std::memcpy(static_cast<void*>(&v), ip + 1, sizeof(Imm));
  return v;
}

// ---- slot access: i32 lives zero-extended, floats as their bits ----
template <class T>
[[gnu::always_inline]] inline T get(const Slot* fp, uint32_t i) {
  if constexpr (sizeof(T) == 8) {
    T v; std::memcpy(&v, &fp[i], 8); return v;
  } else {
    uint32_t lo = uint32_t(fp[i]);
    T v; std::memcpy(&v, &lo, 4); return v;
  }
}
template <class T>
[[gnu::always_inline]] inline void put(Slot* fp, uint32_t i, T v) {
  if constexpr (sizeof(T) == 8) {
    std::memcpy(&fp[i], &v, 8);
  } else {
    uint32_t lo; std::memcpy(&lo, &v, 4); fp[i] = lo;
  }
}
// Slots a value of type t takes in a frame: a v128 two (its low half first), others one.
constexpr uint32_t slot_width(ValType t) { return t == ValType::V128 ? 2 : 1; }

template <class T>
inline uint64_t to_bits(T v) {
  Slot s; put<T>(&s, 0, v); return s;
}
template <class T>
[[gnu::always_inline]] inline T from_bits(uint64_t b) {
  Slot s = b;
  return get<T>(&s, 0);
}

// Terminal handlers (traps, exits) need not touch every piece of hot state.
#define CW_HANDLER(name)                                                                     \
  CW_HANDLER_CC Exit name(const Cell* ip, Slot* fp, [[maybe_unused]] uint8_t* mem, [[maybe_unused]] uint64_t memsize, \
                          Thread* t, [[maybe_unused]] uint64_t acc)
}  // namespace corowasm::detail
