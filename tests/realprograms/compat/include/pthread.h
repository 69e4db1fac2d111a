/* wasm32-wasi stand-in for <pthread.h> (Debian 12's wasi-libc has no threads): just enough for
 * single-threaded programs that use pthread_once and thread-specific data (jq). */
#ifndef COROWASM_COMPAT_PTHREAD_H
#define COROWASM_COMPAT_PTHREAD_H
#include <errno.h>

typedef int pthread_once_t;
#define PTHREAD_ONCE_INIT 0
static inline int pthread_once(pthread_once_t *once, void (*fn)(void)) {
  if (!*once) {
    *once = 1;
    fn();
  }
  return 0;
}

#define COROWASM_PTHREAD_KEYS_MAX 64
typedef unsigned pthread_key_t;
static void *corowasm_pthread_values[COROWASM_PTHREAD_KEYS_MAX];
static unsigned corowasm_pthread_nkeys;
static inline int pthread_key_create(pthread_key_t *key, void (*destructor)(void *)) {
  (void)destructor; /* the only thread never exits before the process */
  if (corowasm_pthread_nkeys >= COROWASM_PTHREAD_KEYS_MAX) return EAGAIN;
  *key = corowasm_pthread_nkeys++;
  return 0;
}
static inline int pthread_key_delete(pthread_key_t key) { (void)key; return 0; }
static inline void *pthread_getspecific(pthread_key_t key) {
  return key < COROWASM_PTHREAD_KEYS_MAX ? corowasm_pthread_values[key] : 0;
}
static inline int pthread_setspecific(pthread_key_t key, const void *value) {
  if (key >= COROWASM_PTHREAD_KEYS_MAX) return EINVAL;
  corowasm_pthread_values[key] = (void *)value;
  return 0;
}
#endif
