/* CoreMark port layer for a wasm32-wasi command (and its native twin): see core_portme.h. */
#include <stdio.h>
#include <time.h>

#include "coremark.h"

ee_u32 default_num_contexts = 1;

static CORE_TICKS start_time_val, stop_time_val;

static CORE_TICKS now_ns(void) {
  struct timespec ts;
  if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0) return 0;
  return (CORE_TICKS)ts.tv_sec * 1000000000u + (CORE_TICKS)ts.tv_nsec;
}

void start_time(void) { start_time_val = now_ns(); }
void stop_time(void) { stop_time_val = now_ns(); }
CORE_TICKS get_time(void) { return stop_time_val - start_time_val; }
secs_ret time_in_secs(CORE_TICKS ticks) { return (secs_ret)ticks / (secs_ret)1000000000.0; }

void portable_init(core_portable *p, int *argc, char *argv[]) {
  (void)argc;
  (void)argv;
  if (sizeof(ee_ptr_int) != sizeof(ee_u8 *))
    ee_printf("ERROR! Please define ee_ptr_int to a type that holds a pointer!\n");
  if (sizeof(ee_u32) != 4) ee_printf("ERROR! Please define ee_u32 to a 32b unsigned type!\n");
  p->portable_id = 1;
}

void portable_fini(core_portable *p) { p->portable_id = 0; }
