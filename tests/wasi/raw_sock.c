// wasm-only: sock_accept, sock_recv, sock_send, sock_shutdown with no sockets preopened. On fds
// that are open but not sockets they fail with NOTSOCK (a runtime enforcing rights may say
// NOTCAPABLE first: the sock_* rights are not granted to files); on fds that are not open, BADF.
// The driver preopens a fresh directory as /sandbox; stdin is /dev/null.
#include "wasi_raw.h"

int main(void) {
  __wasi_fd_t dir = find_preopen("/sandbox"), fd, sfd;
  __wasi_size_t n;
  __wasi_roflags_t rof;
  char a[4], b[16];
  __wasi_iovec_t rv[2] = {{(uint8_t*)a, 4}, {(uint8_t*)b, 16}};
  __wasi_ciovec_t wv[1] = {{(const uint8_t*)"data", 4}};
  OK("create s.txt", open_at(dir, 0, "s.txt", __WASI_OFLAGS_CREAT, 0, &fd));

  expect_one_of("sock_accept(preopened dir)", __wasi_sock_accept(dir, 0, &sfd), "not a socket",
                __WASI_ERRNO_NOTSOCK, __WASI_ERRNO_NOTCAPABLE, 0);
  expect_one_of("sock_accept(file)", __wasi_sock_accept(fd, 0, &sfd), "not a socket",
                __WASI_ERRNO_NOTSOCK, __WASI_ERRNO_NOTCAPABLE, 0);
  expect_one_of("sock_accept(file, NONBLOCK)", __wasi_sock_accept(fd, __WASI_FDFLAGS_NONBLOCK, &sfd),
                "not a socket", __WASI_ERRNO_NOTSOCK, __WASI_ERRNO_NOTCAPABLE, 0);
  expect_one_of("sock_recv(file)", __wasi_sock_recv(fd, rv, 2, 0, &n, &rof), "not a socket",
                __WASI_ERRNO_NOTSOCK, __WASI_ERRNO_NOTCAPABLE, 0);
  expect_one_of("sock_send(file)", __wasi_sock_send(fd, wv, 1, 0, &n), "not a socket",
                __WASI_ERRNO_NOTSOCK, __WASI_ERRNO_NOTCAPABLE, 0);
  expect_one_of("sock_shutdown(file)", __wasi_sock_shutdown(fd, __WASI_SDFLAGS_RD | __WASI_SDFLAGS_WR),
                "not a socket", __WASI_ERRNO_NOTSOCK, __WASI_ERRNO_NOTCAPABLE, 0);
  expect_one_of("sock_recv(stdin)", __wasi_sock_recv(0, rv, 2, 0, &n, &rof), "not a socket",
                __WASI_ERRNO_NOTSOCK, __WASI_ERRNO_NOTCAPABLE, 0);
  expect_one_of("sock_send(stdout)", __wasi_sock_send(1, wv, 1, 0, &n), "not a socket",
                __WASI_ERRNO_NOTSOCK, __WASI_ERRNO_NOTCAPABLE, 0);
  expect("sock_accept(99)", __wasi_sock_accept(99, 0, &sfd), __WASI_ERRNO_BADF);
  expect("sock_recv(99)", __wasi_sock_recv(99, rv, 2, 0, &n, &rof), __WASI_ERRNO_BADF);
  expect("sock_send(99)", __wasi_sock_send(99, wv, 1, 0, &n), __WASI_ERRNO_BADF);
  expect("sock_shutdown(99)", __wasi_sock_shutdown(99, __WASI_SDFLAGS_WR), __WASI_ERRNO_BADF);
  OK("fd_close(file)", __wasi_fd_close(fd));
  expect("sock_send(closed fd)", __wasi_sock_send(fd, wv, 1, 0, &n), __WASI_ERRNO_BADF);
  return finish_raw();
}
