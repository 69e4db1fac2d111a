/* <setjmp.h> for wasm32-wasi, which Debian 12's wasi-libc does not have: setjmp/longjmp as
 * LLVM's WebAssembly backend lowers them onto Wasm exception handling (clang -mllvm
 * -wasm-enable-sjlj; clang 19 emits the legacy try/catch form). No setjmp or longjmp function
 * exists: the compiler rewrites each call into __wasm_setjmp / __wasm_setjmp_test /
 * __wasm_longjmp, which compat/wasm_sjlj.c defines. Programs that use it link wasm_sjlj.c,
 * compiled with -mexception-handling but without -wasm-enable-sjlj (see there). */
#ifndef COROWASM_SETJMP_H
#define COROWASM_SETJMP_H

#if !defined(__wasm_exception_handling__)
#error "setjmp/longjmp on wasm32-wasi need -mexception-handling -mllvm -wasm-enable-sjlj"
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* The runtime keeps the setjmp's function invocation and label and the longjmp's arguments in
 * the first words (struct corowasm_jmp_buf in wasm_sjlj.c); the rest is room, as the 6 reserved
 * words of the LLVM convention. */
typedef struct __jmp_buf_tag {
  void *__words[8];
} jmp_buf[1];
typedef jmp_buf sigjmp_buf;

int setjmp(jmp_buf env) __attribute__((__returns_twice__));
void longjmp(jmp_buf env, int val) __attribute__((__noreturn__));

#ifdef __cplusplus
}
#endif

#endif
