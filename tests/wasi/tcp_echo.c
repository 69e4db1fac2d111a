// A WASI TCP server (wasm-only): takes the listening socket the runner hands over as fd 3
// (`corowasm run --tcplisten ADDR:PORT`), accepts CONNECTIONS clients one after the other,
// and answers each line with its upper-cased copy until the client closes. sock_accept,
// sock_recv, sock_send and sock_shutdown all go through the runner's event loop.
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <wasi/api.h>

int main(int argc, char** argv) {
  int connections = argc > 1 ? atoi(argv[1]) : 1;
  const __wasi_fd_t listener = 3;
  for (int k = 0; k < connections; ++k) {
    __wasi_fd_t conn;
    __wasi_errno_t e = __wasi_sock_accept(listener, 0, &conn);
    if (e) {
      fprintf(stderr, "sock_accept: errno %d\n", e);
      return 1;
    }
    size_t total = 0;
    for (;;) {
      char buf[256];
      __wasi_iovec_t in = {(uint8_t*)buf, sizeof buf};
      __wasi_size_t n = 0;
      __wasi_roflags_t ro = 0;
      e = __wasi_sock_recv(conn, &in, 1, 0, &n, &ro);
      if (e) {
        fprintf(stderr, "sock_recv: errno %d\n", e);
        return 1;
      }
      if (n == 0) break;  // the client closed
      for (__wasi_size_t i = 0; i < n; ++i) buf[i] = (char)toupper((unsigned char)buf[i]);
      __wasi_ciovec_t out = {(const uint8_t*)buf, n};
      __wasi_size_t sent = 0;
      e = __wasi_sock_send(conn, &out, 1, 0, &sent);
      if (e || sent != n) {
        fprintf(stderr, "sock_send: errno %d, %u of %u bytes\n", e, (unsigned)sent, (unsigned)n);
        return 1;
      }
      total += n;
    }
    e = __wasi_sock_shutdown(conn, __WASI_SDFLAGS_RD | __WASI_SDFLAGS_WR);
    if (e && e != __WASI_ERRNO_NOTCONN) {  // the client may have gone already
      fprintf(stderr, "sock_shutdown: errno %d\n", e);
      return 1;
    }
    if ((e = __wasi_fd_close(conn))) {
      fprintf(stderr, "fd_close: errno %d\n", e);
      return 1;
    }
    printf("connection %d: %zu bytes echoed\n", k + 1, total);
  }
  return 0;
}
