// The C++ exception runtime of Wasm exception handling (clang -fwasm-exceptions), for the
// real/cxx_exceptions test. Debian 12's libc++abi-19-dev-wasm32 is built without exceptions: its
// libc++abi.a has cxa_noexception.cpp (exception_ptr and uncaught_exceptions as stubs) and no
// __cxa_throw, __cxa_begin_catch, personality or unwinder. This file is that missing part,
// written for this test (not a copy of libc++abi or libunwind), on the ABI they define:
//
// - clang emits `throw` as __cxa_allocate_exception + constructor + __cxa_throw(object, type,
//   destructor); in Wasm a destructor returns its `this`, hence `void *(*)(void *)`.
// - __cxa_throw throws the Wasm tag __cpp_exception (tag index 0 of __builtin_wasm_throw) with one
//   i32 payload: the address of the exception's _Unwind_Exception, which ends its header. (clang
//   defines the tag itself, weak, in every object that throws or catches.)
// - A catch site (`catch $__cpp_exception`) stores its landing pad index and the function's LSDA
//   in __wasm_lpad_context, calls _Unwind_CallPersonality(payload) and compares
//   __wasm_lpad_context.selector with the type indexes of its clauses (0: none matched, the catch
//   site rethrows). Cleanups (destructors) run in catch_all blocks that rethrow, without asking.
// - The LSDA of Wasm EH is the Itanium one with an SjLj-style call-site table: uleb128 pairs
//   (landing pad index, 1 + offset of the first action record or 0), one per landing pad.
//
// The headers keep libc++abi's layout (__cxa_exception and __cxa_dependent_exception on wasm32,
// __cxa_get_globals from libc++abi.a), and type matching is libc++abi's own
// __shim_type_info::can_catch (private_typeinfo.cpp is in libc++abi.a), called through the
// vtable slot that the Itanium layout of its class gives it. Everything cxa_noexception.cpp
// defines is defined here too, for real, so the linker never takes that member; so is what
// cxa_aux_runtime.cpp defines (bad_cast, bad_typeid, bad_array_new_length). What libc++.a itself
// throws (std::stoi, say) still aborts: that code was compiled with -fno-exceptions.
// Single-threaded (wasm32-wasi without threads). Compiled with -fwasm-exceptions.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <new>
#include <typeinfo>

#if !defined(__wasm__) || !defined(__wasm_exception_handling__)
#error "wasm_cxx_eh.cpp is the runtime of -fwasm-exceptions on wasm32"
#endif

namespace __cxxabiv1 {

// libc++abi's private_typeinfo.h, as far as the vtable goes: type_info has the two destructor
// slots, then noop1, noop2, can_catch (slot 4 of __class_type_info's vtable in libc++abi.a).
class __shim_type_info : public std::type_info {
public:
  virtual ~__shim_type_info();
  virtual void noop1() const;
  virtual void noop2() const;
  virtual bool can_catch(const __shim_type_info *thrown_type, void *&adjustedPtr) const = 0;
};

using Dtor = void *(*)(void *);

enum _Unwind_Reason_Code {
  _URC_NO_REASON = 0,
  _URC_FOREIGN_EXCEPTION_CAUGHT = 1,
  _URC_FATAL_PHASE1_ERROR = 3,
  _URC_END_OF_STACK = 5,
  _URC_HANDLER_FOUND = 6,
  _URC_CONTINUE_UNWIND = 8,
};
constexpr int _UA_SEARCH_PHASE = 1;

// libunwind's _Unwind_Exception for 32-bit targets (padded to 32 bytes, maximally aligned).
struct _Unwind_Exception {
  uint64_t exception_class;
  void (*exception_cleanup)(_Unwind_Reason_Code, _Unwind_Exception *);
  uintptr_t private_1;
  uintptr_t private_2;
  uint32_t reserved[3];
} __attribute__((__aligned__));

// libc++abi's __cxa_exception on wasm32; a dependent exception (std::rethrow_exception) has the
// same layout with the primary exception's object in place of the reference count.
struct __cxa_exception {
  std::type_info *exceptionType;
  Dtor exceptionDestructor;
  void (*unexpectedHandler)(); // std::unexpected_handler, gone in C++17: always null here
  std::terminate_handler terminateHandler;
  __cxa_exception *nextException;
  int handlerCount; // > 0: caught that many times; < 0: rethrown while caught -handlerCount times
  int handlerSwitchValue;
  const unsigned char *actionRecord;
  const unsigned char *languageSpecificData;
  void *catchTemp;
  void *adjustedPtr; // the object as the matching handler sees it (set by the personality)
  union {
    size_t referenceCount;  // primary: exception_ptrs + being in flight or caught
    void *primaryException; // dependent: the primary's thrown object
  };
  _Unwind_Exception unwindHeader;
};
static_assert(sizeof(__cxa_exception) % 16 == 0, "the thrown object follows, 16-aligned");

struct __cxa_eh_globals {
  __cxa_exception *caughtExceptions;
  unsigned int uncaughtExceptions;
};

// "CLNGC++\0" and "CLNGC++\1", as libc++abi.
constexpr uint64_t kOurExceptionClass = 0x434C4E47432B2B00;
constexpr uint64_t kOurDependentExceptionClass = 0x434C4E47432B2B01;

// What WasmEHPrepare's catch sites and the personality share.
struct LandingPadContext {
  uintptr_t lpad_index; // set by the catch site
  const unsigned char *lsda; // set by the catch site
  uintptr_t selector; // set by the personality: the matching clause's type index, or 0
};

} // namespace __cxxabiv1

namespace {
using namespace __cxxabiv1;

[[noreturn]] void fatal(const char *what) {
  std::fprintf(stderr, "wasm_cxx_eh: %s\n", what);
  std::abort();
}

__cxa_exception *from_object(void *obj) { return static_cast<__cxa_exception *>(obj) - 1; }
void *object_of(__cxa_exception *h) { return h + 1; }
__cxa_exception *from_unwind(_Unwind_Exception *u) {
  return reinterpret_cast<__cxa_exception *>(reinterpret_cast<char *>(u) -
                                             offsetof(__cxa_exception, unwindHeader));
}
bool is_ours(const _Unwind_Exception *u) { return (u->exception_class >> 8) == (kOurExceptionClass >> 8); }
bool is_dependent(const _Unwind_Exception *u) { return u->exception_class == kOurDependentExceptionClass; }
// The thrown object (the primary's for a dependent exception).
void *thrown_object(__cxa_exception *h) {
  return is_dependent(&h->unwindHeader) ? h->primaryException : object_of(h);
}

__cxa_exception *alloc_header(size_t thrown_size) {
  size_t size = (sizeof(__cxa_exception) + thrown_size + 15) & ~size_t{15};
  void *p = std::aligned_alloc(16, size);
  if (!p) std::terminate();
  std::memset(p, 0, sizeof(__cxa_exception));
  return static_cast<__cxa_exception *>(p);
}

// ---- LSDA reading ------------------------------------------------------------------------------

uintptr_t read_uleb(const unsigned char *&p) {
  uintptr_t v = 0;
  unsigned shift = 0;
  unsigned char b;
  do {
    b = *p++;
    v |= uintptr_t(b & 0x7f) << shift;
    shift += 7;
  } while (b & 0x80);
  return v;
}
intptr_t read_sleb(const unsigned char *&p) {
  uintptr_t v = 0;
  unsigned shift = 0;
  unsigned char b;
  do {
    b = *p++;
    v |= uintptr_t(b & 0x7f) << shift;
    shift += 7;
  } while (b & 0x80);
  if (shift < 8 * sizeof(v) && (b & 0x40)) v |= ~uintptr_t{0} << shift;
  return static_cast<intptr_t>(v);
}

// DW_EH_PE_* encodings that wasm32 objects use: absptr/udata4/sdata4 (4 bytes on wasm32), uleb128;
// no pc-relative or indirect forms (Wasm has no pc to be relative to).
constexpr unsigned char DW_EH_PE_omit = 0xff;
size_t encoded_size(unsigned char enc) {
  switch (enc & 0x0f) {
  case 0x00: case 0x03: case 0x0b: return sizeof(uintptr_t); // absptr, udata4, sdata4
  case 0x02: case 0x0a: return 2;
  case 0x04: case 0x0c: return 8;
  default: fatal("unsupported type table encoding in an LSDA");
  }
}
uintptr_t read_encoded(const unsigned char *&p, unsigned char enc) {
  if ((enc & 0x70) != 0) fatal("unsupported pointer encoding in an LSDA (not absolute)");
  uintptr_t v;
  switch (enc & 0x0f) {
  case 0x01: return read_uleb(p);
  case 0x09: return static_cast<uintptr_t>(read_sleb(p));
  case 0x00: case 0x03: case 0x0b: { uint32_t x; std::memcpy(&x, p, 4); p += 4; v = x; break; }
  default: fatal("unsupported pointer encoding in an LSDA");
  }
  return v;
}

} // namespace

using namespace __cxxabiv1;

extern "C" {

__cxa_eh_globals *__cxa_get_globals(); // libc++abi.a (cxa_exception_storage.cpp)

// Written by the catch sites (WasmEHPrepare), read by the personality. A plain global: TLS is
// stripped on wasm32 without threads, in the compiler's references too.
LandingPadContext __wasm_lpad_context;

// ---- allocation ---------------------------------------------------------------------------------

void *__cxa_allocate_exception(size_t thrown_size) noexcept {
  return object_of(alloc_header(thrown_size));
}

void __cxa_free_exception(void *obj) noexcept { std::free(from_object(obj)); }

// Sets up a primary exception around OBJ without throwing it (throw, make_exception_ptr).
__cxa_exception *__cxa_init_primary_exception(void *obj, std::type_info *type, Dtor dtor) noexcept {
  __cxa_exception *h = from_object(obj);
  h->referenceCount = 0;
  h->exceptionType = type;
  h->exceptionDestructor = dtor;
  h->terminateHandler = std::get_terminate();
  h->unwindHeader.exception_class = kOurExceptionClass;
  h->unwindHeader.exception_cleanup = nullptr;
  return h;
}

void __cxa_increment_exception_refcount(void *obj) noexcept {
  if (obj) ++from_object(obj)->referenceCount;
}

void __cxa_decrement_exception_refcount(void *obj) noexcept {
  if (!obj) return;
  __cxa_exception *h = from_object(obj);
  if (--h->referenceCount == 0) {
    if (h->exceptionDestructor) h->exceptionDestructor(obj);
    std::free(h);
  }
}

// ---- throwing -----------------------------------------------------------------------------------

[[noreturn]] static void raise(__cxa_exception *h) {
  __cxa_get_globals()->uncaughtExceptions += 1;
  __builtin_wasm_throw(0, &h->unwindHeader);
}

[[noreturn]] void __cxa_throw(void *obj, std::type_info *type, Dtor dtor) {
  __cxa_exception *h = __cxa_init_primary_exception(obj, type, dtor);
  h->referenceCount = 1;
  raise(h);
}

// `throw;`: the innermost caught exception goes on; its handler count turns negative so that the
// handler's __cxa_end_catch (run while it unwinds) does not destroy it.
[[noreturn]] void __cxa_rethrow() {
  __cxa_eh_globals *g = __cxa_get_globals();
  __cxa_exception *h = g->caughtExceptions;
  if (!h) std::terminate(); // `throw;` with nothing caught
  h->handlerCount = -h->handlerCount;
  raise(h);
}

// std::rethrow_exception: a dependent exception referring to the primary one.
void __cxa_rethrow_primary_exception(void *obj) {
  if (!obj) return;
  __cxa_exception *primary = from_object(obj);
  __cxa_exception *d = alloc_header(0);
  d->primaryException = obj;
  __cxa_increment_exception_refcount(obj);
  d->exceptionType = primary->exceptionType;
  d->terminateHandler = std::get_terminate();
  d->unwindHeader.exception_class = kOurDependentExceptionClass;
  raise(d);
}

// What the compiler calls for a failed dynamic_cast to a reference, typeid of a null pointer and
// new T[n] with a bad n. libc++abi.a's cxa_aux_runtime.cpp (-fno-exceptions) calls std::terminate
// instead; defining all three keeps that member out.
[[noreturn]] void __cxa_bad_cast() { throw std::bad_cast(); }
[[noreturn]] void __cxa_bad_typeid() { throw std::bad_typeid(); }
[[noreturn]] void __cxa_throw_bad_array_new_length() { throw std::bad_array_new_length(); }

// ---- catching -----------------------------------------------------------------------------------

void *__cxa_get_exception_ptr(void *payload) noexcept {
  return from_unwind(static_cast<_Unwind_Exception *>(payload))->adjustedPtr;
}

void *__cxa_begin_catch(void *payload) noexcept {
  auto *u = static_cast<_Unwind_Exception *>(payload);
  if (!is_ours(u)) fatal("foreign exception caught by a C++ handler");
  __cxa_eh_globals *g = __cxa_get_globals();
  __cxa_exception *h = from_unwind(u);
  h->handlerCount = h->handlerCount < 0 ? -h->handlerCount + 1 : h->handlerCount + 1;
  if (h != g->caughtExceptions) {
    h->nextException = g->caughtExceptions;
    g->caughtExceptions = h;
  }
  g->uncaughtExceptions -= 1;
  return h->adjustedPtr;
}

void __cxa_end_catch() {
  __cxa_eh_globals *g = __cxa_get_globals();
  __cxa_exception *h = g->caughtExceptions;
  if (!h) return;
  if (h->handlerCount < 0) {
    // Rethrown: leaves the caught stack when its last handler ends, stays alive (in flight).
    if (++h->handlerCount == 0) g->caughtExceptions = h->nextException;
    return;
  }
  if (--h->handlerCount == 0) {
    g->caughtExceptions = h->nextException;
    if (is_dependent(&h->unwindHeader)) {
      void *primary = h->primaryException;
      std::free(h);
      __cxa_decrement_exception_refcount(primary);
    } else {
      __cxa_decrement_exception_refcount(object_of(h));
    }
  }
}

std::type_info *__cxa_current_exception_type() noexcept {
  __cxa_exception *h = __cxa_get_globals()->caughtExceptions;
  return h ? h->exceptionType : nullptr;
}

// std::current_exception: the caught exception's primary object, one more reference to it.
void *__cxa_current_primary_exception() noexcept {
  __cxa_exception *h = __cxa_get_globals()->caughtExceptions;
  if (!h) return nullptr;
  void *obj = thrown_object(h);
  __cxa_increment_exception_refcount(obj);
  return obj;
}

bool __cxa_uncaught_exception() noexcept { return __cxa_get_globals()->uncaughtExceptions != 0; }
unsigned int __cxa_uncaught_exceptions() noexcept { return __cxa_get_globals()->uncaughtExceptions; }

// ---- the personality ----------------------------------------------------------------------------

// Wasm has no two-phase unwinding: each catch site asks, in "search" mode, whether one of its
// clauses takes the exception; it sets the selector (the clause's type index) and the object as
// that clause sees it, or leaves the selector 0.
_Unwind_Reason_Code __gxx_wasm_personality_v0(int version, int actions, uint64_t exception_class,
                                              _Unwind_Exception *u, void *context) {
  auto *ctx = static_cast<LandingPadContext *>(context);
  if (version != 1 || !(actions & _UA_SEARCH_PHASE) || !u || !ctx) return _URC_FATAL_PHASE1_ERROR;
  const unsigned char *p = ctx->lsda;
  if (!p) return _URC_CONTINUE_UNWIND;
  // Header: @LPStart encoding (and value), @TType encoding (and the offset of the type table's
  // end), call-site encoding, call-site table length.
  unsigned char lpstart_enc = *p++;
  if (lpstart_enc != DW_EH_PE_omit) read_encoded(p, lpstart_enc);
  unsigned char ttype_enc = *p++;
  const unsigned char *type_table_end = nullptr;
  if (ttype_enc != DW_EH_PE_omit) {
    uintptr_t off = read_uleb(p);
    type_table_end = p + off;
  }
  unsigned char callsite_enc = *p++;
  uintptr_t callsite_len = read_uleb(p);
  const unsigned char *callsites = p, *action_table = p + callsite_len;
  // The call-site table: one (landing pad index, action) entry per landing pad, in order.
  uintptr_t action = 0;
  bool found = false;
  for (const unsigned char *c = callsites; c < action_table;) {
    uintptr_t index = read_encoded(c, callsite_enc);
    uintptr_t a = read_uleb(c);
    if (index == ctx->lpad_index) {
      action = a;
      found = true;
      break;
    }
  }
  if (!found) fatal("landing pad index missing from the LSDA's call-site table");
  if (action == 0) return _URC_CONTINUE_UNWIND; // cleanup only
  bool native = (exception_class >> 8) == (kOurExceptionClass >> 8);
  __cxa_exception *h = native ? from_unwind(u) : nullptr;
  const unsigned char *rec = action_table + action - 1;
  for (;;) {
    intptr_t type_index = read_sleb(rec);
    const unsigned char *next = rec;
    intptr_t displacement = read_sleb(rec);
    if (type_index > 0) {
      if (!type_table_end) fatal("catch clause without a type table");
      const unsigned char *e = type_table_end - type_index * encoded_size(ttype_enc);
      auto *catch_type = reinterpret_cast<const __cxxabiv1::__shim_type_info *>(read_encoded(e, ttype_enc));
      void *adjusted = native ? thrown_object(h) : nullptr;
      bool match;
      if (!catch_type) match = true; // catch (...)
      else if (!native) match = false;
      else match = catch_type->can_catch(
        static_cast<const __cxxabiv1::__shim_type_info *>(h->exceptionType), adjusted);
      if (match) {
        if (native) {
          h->handlerSwitchValue = static_cast<int>(type_index);
          h->actionRecord = next;
          h->languageSpecificData = ctx->lsda;
          h->adjustedPtr = adjusted;
        }
        ctx->selector = static_cast<uintptr_t>(type_index);
        return _URC_HANDLER_FOUND;
      }
    } else if (type_index < 0) {
      fatal("dynamic exception specification in an LSDA (not C++17)");
    } // 0: a cleanup, nothing to decide here
    if (displacement == 0) break;
    rec = next + displacement;
  }
  return _URC_CONTINUE_UNWIND;
}

// Called by every catch site with the payload of the exception it caught.
_Unwind_Reason_Code _Unwind_CallPersonality(void *payload) {
  auto *u = static_cast<_Unwind_Exception *>(payload);
  __wasm_lpad_context.selector = 0;
  return __gxx_wasm_personality_v0(1, _UA_SEARCH_PHASE, u->exception_class, u, &__wasm_lpad_context);
}

} // extern "C"
