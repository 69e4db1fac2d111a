// sock_accept, sock_recv, sock_send, sock_shutdown on sockets the host handed over
// (Config::sockets). Under an executor none blocks the thread: transfers use MSG_DONTWAIT and
// the guest suspends until the socket is ready.
#include "functions.h"

#include <sys/socket.h>
#include <unistd.h>

namespace corowasm::wasi {

using namespace abi;

namespace {

// What every sock_ body checks first: the guest's fd is a socket with `right`.
Errno socket_entry(State& st, uint32_t fd, Rights right, FdEntry*& e) {
  if (Errno err = st.get(fd, right, e)) return err;
  return is_socket(*e) ? ERRNO_SUCCESS : ERRNO_NOTSOCK;
}

// sock_accept's arguments, as both twins check them: a socket that may accept, and no flag but
// NONBLOCK.
Errno accept_entry(State& st, uint32_t fd, uint32_t flags, FdEntry*& e) {
  if (Errno err = socket_entry(st, fd, RIGHT_SOCK_ACCEPT, e)) return err;
  return flags & ~uint32_t(FDFLAG_NONBLOCK) ? ERRNO_INVAL : ERRNO_SUCCESS;
}

int recv_flags(uint32_t ri_flags) {
  int f = 0;
  if (ri_flags & RIFLAG_RECV_PEEK) f |= MSG_PEEK;
  if (ri_flags & RIFLAG_RECV_WAITALL) f |= MSG_WAITALL;
  return f;
}

Errno finish_recv(const GuestMem& mem, ssize_t r, int mflags, uint32_t datalen, uint32_t oflags) {
  if (r < 0) return last_errno();
  mem.store<uint32_t>(datalen, uint32_t(r));
  mem.charge(uint64_t(r));
  mem.store<uint16_t>(oflags, (mflags & MSG_TRUNC) ? ROFLAG_RECV_DATA_TRUNCATED : 0);
  return ERRNO_SUCCESS;
}

Errno accept_now(State& st, FdEntry& e, uint32_t flags, const GuestMem& mem, uint32_t fd_ptr) {
  if (st.full()) return ERRNO_MFILE;  // the connection stays queued, as with accept(2)'s EMFILE
  int s = ::accept4(e.host, nullptr, nullptr, SOCK_CLOEXEC);
  if (s < 0) return last_errno();
  auto entry = make_entry(s, e.inheriting, e.inheriting);
  entry->nonblock = flags & FDFLAG_NONBLOCK;
  mem.store<uint32_t>(fd_ptr, st.insert(std::move(entry)));
  return ERRNO_SUCCESS;
}

// The transfers without waiting on the loop: blocking, or with the guest's NONBLOCK, EAGAIN
// when not ready.
Errno accept_sync(State& st, FdEntry& e, uint32_t flags, const GuestMem& mem, uint32_t fd_ptr) {
  mem.bytes(fd_ptr, 4);
  if (e.nonblock && !ready_now(e, false)) return ERRNO_AGAIN;
  return accept_now(st, e, flags, mem, fd_ptr);
}

Errno recv_sync(FdEntry& e, const GuestMem& mem, uint32_t iovs, uint32_t n, uint32_t ri_flags, uint32_t datalen,
                uint32_t oflags) {
  int mflags = 0;
  ssize_t r = transfer(e, mem, iovs, n, 0, false, e.nonblock, recv_flags(ri_flags), &mflags);
  return finish_recv(mem, r, mflags, datalen, oflags);
}

Errno send_sync(FdEntry& e, const GuestMem& mem, uint32_t iovs, uint32_t n, uint32_t datalen) {
  return store_count(mem, datalen, transfer(e, mem, iovs, n, 0, true, e.nonblock));
}

}  // namespace

uint32_t impl::sock_shutdown(State& st, Caller&, uint32_t fd, uint32_t how) {
  FdEntry* e;
  if (Errno err = socket_entry(st, fd, RIGHT_SOCK_SHUTDOWN, e)) return err;
  int h = how == (SDFLAG_RD | SDFLAG_WR) ? SHUT_RDWR : how == SDFLAG_RD ? SHUT_RD : how == SDFLAG_WR ? SHUT_WR : -1;
  if (h < 0) return ERRNO_INVAL;
  return ::shutdown(e->host, h) == 0 ? ERRNO_SUCCESS : last_errno();
}

uint32_t impl::sock_accept(State& st, Caller& c, uint32_t fd, uint32_t flags, uint32_t fd_ptr) {
  FdEntry* e;
  if (Errno err = accept_entry(st, fd, flags, e)) return err;
  return accept_sync(st, *e, flags, GuestMem(c), fd_ptr);
}

uint32_t impl::sock_recv(State& st, Caller& c, uint32_t fd, uint32_t iovs, uint32_t n, uint32_t ri_flags,
                         uint32_t datalen, uint32_t oflags) {
  FdEntry* e;
  if (Errno err = socket_entry(st, fd, RIGHT_FD_READ, e)) return err;
  return recv_sync(*e, GuestMem(c), iovs, n, ri_flags, datalen, oflags);
}

uint32_t impl::sock_send(State& st, Caller& c, uint32_t fd, uint32_t iovs, uint32_t n, uint32_t /*si_flags*/,
                         uint32_t datalen) {
  FdEntry* e;
  if (Errno err = socket_entry(st, fd, RIGHT_FD_WRITE, e)) return err;
  return send_sync(*e, GuestMem(c), iovs, n, datalen);
}

// Under an executor each transfers without blocking and waits for readiness on the loop in
// between (io.cpp); after every wait the descriptor must still be the guest's, or the call
// ends with EBADF.
asio::awaitable<uint32_t> impl::sock_accept_async(State& st, Caller& c, uint32_t fd, uint32_t flags, uint32_t fd_ptr) {
  FdEntry* e;
  if (Errno err = accept_entry(st, fd, flags, e)) co_return err;
  if (e->nonblock || !e->waitable) co_return accept_sync(st, *e, flags, GuestMem(c), fd_ptr);
  GuestMem(c).bytes(fd_ptr, 4);
  auto keep = st.fds[fd];
  for (;;) {
    // accept(2) has no per-call non-blocking flag, and the listener's description is the
    // host's too: accept only when poll() says a connection is there now (a readiness event
    // may have been another acceptor's on this thread).
    if (ready_now(*e, false)) co_return accept_now(st, *e, flags, GuestMem(c), fd_ptr);
    if (Errno err = co_await wait_ready(st, *e, false)) co_return err == ERRNO_NOTSUP ? ERRNO_AGAIN : err;
    if (!st.still(fd, keep)) co_return ERRNO_BADF;
  }
}

asio::awaitable<uint32_t> impl::sock_recv_async(State& st, Caller& c, uint32_t fd, uint32_t iovs, uint32_t n,
                                                uint32_t ri_flags, uint32_t datalen, uint32_t oflags) {
  FdEntry* e;
  if (Errno err = socket_entry(st, fd, RIGHT_FD_READ, e)) co_return err;
  if (!e->waitable) co_return recv_sync(*e, GuestMem(c), iovs, n, ri_flags, datalen, oflags);
  GuestMem mem(c);
  mem.bytes(datalen, 4);
  mem.bytes(oflags, 2);
  // MSG_WAITALL is done by hand (the kernel's would block the thread): until full, the peer
  // closes, or for a datagram or a peek, once.
  bool all = (ri_flags & RIFLAG_RECV_WAITALL) && e->type != FILETYPE_SOCKET_DGRAM && !(ri_flags & RIFLAG_RECV_PEEK);
  Moved m = co_await read_async(st, fd, st.fds[fd], mem, iovs, n, recv_flags(ri_flags) & ~MSG_WAITALL, all);
  if (m.err) co_return m.err;
  co_return finish_recv(mem, ssize_t(m.bytes), m.msg_flags, datalen, oflags);
}

asio::awaitable<uint32_t> impl::sock_send_async(State& st, Caller& c, uint32_t fd, uint32_t iovs, uint32_t n,
                                                uint32_t /*si_flags*/, uint32_t datalen) {
  FdEntry* e;
  if (Errno err = socket_entry(st, fd, RIGHT_FD_WRITE, e)) co_return err;
  GuestMem mem(c);
  mem.bytes(datalen, 4);
  if (!e->waitable) co_return send_sync(*e, mem, iovs, n, datalen);
  co_return store_count(mem, datalen, co_await write_async(st, fd, st.fds[fd], mem, iovs, n));
}

}  // namespace corowasm::wasi
