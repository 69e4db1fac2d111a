/* wasm32-wasi stand-in for <pwd.h> (wasi-libc has none): there are no users, getpwuid finds none. */
#ifndef COROWASM_COMPAT_PWD_H
#define COROWASM_COMPAT_PWD_H
#include <sys/types.h>
struct passwd {
  char *pw_name, *pw_passwd;
  uid_t pw_uid;
  gid_t pw_gid;
  char *pw_gecos, *pw_dir, *pw_shell;
};
static inline struct passwd *getpwuid(uid_t uid) { (void)uid; return 0; }
static inline struct passwd *getpwnam(const char *name) { (void)name; return 0; }
#endif
