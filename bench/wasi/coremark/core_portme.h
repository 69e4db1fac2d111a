/* CoreMark port for a plain wasm32-wasi command (and the same program built natively): the
 * standard report on stdout through printf, timing with clock_gettime(CLOCK_MONOTONIC), seeds
 * and iterations from the command line as in EEMBC's posix port:
 *     coremark 0x0 0x0 0x66 ITERATIONS      (the 2K performance run, seedcrc 0xe9f5)
 * ITERATIONS 0 lets main() pick a count that runs for about 10 s.
 *
 * The EEMBC sources are used unchanged from COREMARK_DIR (default ../shared/bench/coremark);
 * bench/coremark/ holds the other port (freestanding wasm32, no stdio) for `ninja bench`.
 * Built by tests/realprograms/build.sh into OUTDIR/{wasm/coremark.wasm,native/coremark}.
 */
#ifndef CORE_PORTME_H
#define CORE_PORTME_H

#include <stddef.h>
#include <stdio.h>
#include <stdint.h>

#define HAS_FLOAT 1
#define HAS_TIME_H 1
#define USE_CLOCK 0
#define HAS_STDIO 1
#define HAS_PRINTF 1

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
typedef uintptr_t ee_ptr_int; /* 32 bits on wasm32, 64 natively */
typedef size_t ee_size_t;

#define align_mem(x) (void *)(4 + (((ee_ptr_int)(x)-1) & ~3))

/* Ticks are nanoseconds of CLOCK_MONOTONIC. */
#define CORETIMETYPE uint64_t
typedef uint64_t CORE_TICKS;

#define SEED_METHOD SEED_ARG
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

#define ee_printf printf

#endif /* CORE_PORTME_H */
