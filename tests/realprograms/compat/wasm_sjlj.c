/* The runtime of setjmp/longjmp lowered onto Wasm exception handling (clang -mllvm
 * -wasm-enable-sjlj, LLVM's WebAssemblyLowerEmscriptenEHSjLj pass), which Debian 12's wasi-libc
 * does not have. Written for tests/realprograms from the convention the pass implements:
 *
 * - setjmp(env) in a function F becomes __wasm_setjmp(env, label, id): label numbers that setjmp
 *   call within F (from 1), id is the address of a stack slot of this invocation of F.
 * - longjmp(env, val) becomes __wasm_longjmp(env, val), which throws the tag __c_longjmp with one
 *   i32 payload: the address of a {env, val} pair (val 0 becomes 1).
 * - Every call in F that may longjmp sits in a try; its `catch __c_longjmp` reads {env, val} and
 *   asks __wasm_setjmp_test(env, id): the label of the setjmp if that env was set by this very
 *   invocation of F (F then resumes after that setjmp, returning val), 0 if not (F calls
 *   __wasm_longjmp(env, val) again, so the jump goes on outwards).
 *
 * The {env, val} pair lives in the jmp_buf itself (nothing to allocate or free), which is valid
 * while the jump is in flight: a longjmp to a setjmp whose function has returned is undefined.
 * Single-threaded. Compiled with -mexception-handling. */
#include <setjmp.h>
#include <stdint.h>

#if !defined(__wasm__) || !defined(__wasm_exception_handling__)
#error "wasm_sjlj.c is the runtime of -mllvm -wasm-enable-sjlj on wasm32"
#endif

/* The tag: one i32 parameter. The lowered objects define it weak; this is the strong definition,
 * and the reference __builtin_wasm_throw below would otherwise be a weak undefined tag, which
 * the backend rejects. */
__asm__(".globl __c_longjmp\n.tagtype __c_longjmp i32\n__c_longjmp:\n");

struct corowasm_longjmp_args {
  void *env;
  int val;
};

struct corowasm_jmp_buf {
  void *invocation; /* the setjmp's function invocation (the pass's id) */
  uint32_t label;   /* which setjmp of that function */
  struct corowasm_longjmp_args args;
};

_Static_assert(sizeof(struct corowasm_jmp_buf) <= sizeof(jmp_buf), "jmp_buf too small");
_Static_assert(_Alignof(struct corowasm_jmp_buf) <= _Alignof(jmp_buf), "jmp_buf misaligned");

void __wasm_setjmp(void *env, uint32_t label, void *invocation) {
  struct corowasm_jmp_buf *jb = env;
  jb->invocation = invocation;
  jb->label = label;
}

uint32_t __wasm_setjmp_test(void *env, void *invocation) {
  struct corowasm_jmp_buf *jb = env;
  return jb->invocation == invocation ? jb->label : 0;
}

void __wasm_longjmp(void *env, int val) {
  struct corowasm_jmp_buf *jb = env;
  jb->args.env = env;
  jb->args.val = val == 0 ? 1 : val;
  __builtin_wasm_throw(1, &jb->args);
}
