/* CoreMark port for the corowasm benchmark suite (native and freestanding wasm32).
 *
 * The EEMBC sources are used unchanged from ${COROWASM_COREMARK_DIR}; core_main.c is compiled
 * with main renamed to coremark_main (a macro below) and driven by coremark_run() in core_portme.c. There is no stdio:
 * ee_printf does not print, it captures the values main() reports (seedcrc, crclist, crcmatrix,
 * crcstate, crcfinal, known-seed id, errors), readable through coremark_info(). Timing is the
 * host's job (the caller times coremark_run), so the port's timer functions are stubs.
 *
 * Configuration: performance seeds (0, 0, 0x66) with TOTAL_DATA_SIZE 2000 (the "2K performance
 * run", seedcrc 0xe9f5), static memory, iterations given by the caller.
 */
#ifndef CORE_PORTME_H
#define CORE_PORTME_H

#include <stddef.h>

#define HAS_FLOAT 1
#define HAS_TIME_H 0
#define USE_CLOCK 0
#define HAS_STDIO 0
#define HAS_PRINTF 0

#ifndef COMPILER_VERSION
#ifdef __clang__
#define COMPILER_VERSION "clang " __clang_version__
#else
#define COMPILER_VERSION "unknown"
#endif
#endif
#ifndef COMPILER_FLAGS
#define COMPILER_FLAGS "-O2"
#endif
#ifndef MEM_LOCATION
#define MEM_LOCATION "STATIC"
#endif

typedef signed short ee_s16;
typedef unsigned short ee_u16;
typedef signed int ee_s32;
typedef double ee_f32;
typedef unsigned char ee_u8;
typedef unsigned int ee_u32;
typedef __UINTPTR_TYPE__ ee_ptr_int; /* 32 bits on wasm32, 64 natively */
typedef size_t ee_size_t;

#define align_mem(x) (void *)(4 + (((ee_ptr_int)(x)-1) & ~3))

#define CORETIMETYPE ee_u32
typedef ee_u32 CORE_TICKS;

#define SEED_METHOD SEED_VOLATILE
#define MEM_METHOD MEM_STATIC

#define MULTITHREAD 1
#define USE_PTHREAD 0
#define USE_FORK 0
#define USE_SOCKET 0

#define MAIN_HAS_NOARGC 0
#define MAIN_HAS_NORETURN 0

extern ee_u32 default_num_contexts;

typedef struct CORE_PORTABLE_S {
  ee_u8 portable_id;
} core_portable;

void portable_init(core_portable *p, int *argc, char *argv[]);
void portable_fini(core_portable *p);

#if !defined(PROFILE_RUN) && !defined(PERFORMANCE_RUN) && !defined(VALIDATION_RUN)
#if (TOTAL_DATA_SIZE == 1200)
#define PROFILE_RUN 1
#elif (TOTAL_DATA_SIZE == 2000)
#define PERFORMANCE_RUN 1
#else
#define VALIDATION_RUN 1
#endif
#endif

int ee_printf(const char *fmt, ...);

/* core_main.c's main() becomes coremark_main(), called by coremark_run() (this header is
 * included by the CoreMark sources only, before main is defined). */
#define main coremark_main

/* The port's entry points (see core_portme.c). */
int coremark_run(int iterations);
int coremark_info(int which);

#endif /* CORE_PORTME_H */
