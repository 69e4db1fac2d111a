// sock_accept, sock_recv, sock_send, sock_shutdown on sockets the host handed over
// (Config::sockets). Under an executor each one waits for readiness on the event loop and then
// transfers without blocking (MSG_DONTWAIT), so the guest suspends instead of the thread.
#include "state.h"

#include <sys/socket.h>
#include <unistd.h>

namespace corowasm::wasi {

using namespace abi;

namespace {

bool is_socket(const FdEntry& e) { return e.type == FILETYPE_SOCKET_STREAM || e.type == FILETYPE_SOCKET_DGRAM; }

// One transfer attempt: recvmsg or sendmsg. Returns bytes, or -1 with errno.
ssize_t transfer(FdEntry& e, const GuestMem& mem, uint32_t iovs, uint32_t n, size_t skip, int flags, bool send,
                 int* msg_flags) {
  auto bufs = mem.host_iovecs(iovs, n, skip);
  msghdr m{};
  m.msg_iov = bufs.data();
  m.msg_iovlen = bufs.size();
  ssize_t r;
  do r = send ? ::sendmsg(e.host, &m, flags | MSG_NOSIGNAL) : ::recvmsg(e.host, &m, flags);
  while (r < 0 && errno == EINTR);
  if (msg_flags) *msg_flags = m.msg_flags;
  return r;
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
  mem.store<uint16_t>(oflags, (mflags & MSG_TRUNC) ? ROFLAG_RECV_DATA_TRUNCATED : 0);
  return ERRNO_SUCCESS;
}

Errno accept_now(State& st, FdEntry& e, uint32_t flags, const GuestMem& mem, uint32_t fd_ptr) {
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
  ssize_t r = transfer(e, mem, iovs, n, 0, recv_flags(ri_flags) | (e.nonblock ? MSG_DONTWAIT : 0), false, &mflags);
  return finish_recv(mem, r, mflags, datalen, oflags);
}

Errno send_sync(FdEntry& e, const GuestMem& mem, uint32_t iovs, uint32_t n, uint32_t datalen) {
  ssize_t r = transfer(e, mem, iovs, n, 0, e.nonblock ? MSG_DONTWAIT : 0, true, nullptr);
  if (r < 0) return last_errno();
  mem.store<uint32_t>(datalen, uint32_t(r));
  return ERRNO_SUCCESS;
}

}  // namespace

void define_sock(Binder& b) {
  auto st = b.state;
  b("sock_shutdown", [st](uint32_t fd, uint32_t how) -> uint32_t {
    FdEntry* e;
    if (Errno err = st->get(fd, RIGHT_SOCK_SHUTDOWN, e)) return err;
    if (!is_socket(*e)) return ERRNO_NOTSOCK;
    int h = how == (SDFLAG_RD | SDFLAG_WR) ? SHUT_RDWR : how == SDFLAG_RD ? SHUT_RD : how == SDFLAG_WR ? SHUT_WR : -1;
    if (h < 0) return ERRNO_INVAL;
    return ::shutdown(e->host, h) == 0 ? ERRNO_SUCCESS : last_errno();
  });

  if (!b.async()) {
    b("sock_accept", [st](Caller& c, uint32_t fd, uint32_t flags, uint32_t fd_ptr) -> uint32_t {
      FdEntry* e;
      if (Errno err = st->get(fd, RIGHT_SOCK_ACCEPT, e)) return err;
      if (!is_socket(*e)) return ERRNO_NOTSOCK;
      if (flags & ~uint32_t(FDFLAG_NONBLOCK)) return ERRNO_INVAL;
      return accept_sync(*st, *e, flags, GuestMem(c), fd_ptr);
    });
    b("sock_recv", [st](Caller& c, uint32_t fd, uint32_t iovs, uint32_t n, uint32_t ri_flags, uint32_t datalen,
                        uint32_t oflags) -> uint32_t {
      FdEntry* e;
      if (Errno err = st->get(fd, RIGHT_FD_READ, e)) return err;
      if (!is_socket(*e)) return ERRNO_NOTSOCK;
      return recv_sync(*e, GuestMem(c), iovs, n, ri_flags, datalen, oflags);
    });
    b("sock_send", [st](Caller& c, uint32_t fd, uint32_t iovs, uint32_t n, uint32_t /*si_flags*/, uint32_t datalen) -> uint32_t {
      FdEntry* e;
      if (Errno err = st->get(fd, RIGHT_FD_WRITE, e)) return err;
      if (!is_socket(*e)) return ERRNO_NOTSOCK;
      return send_sync(*e, GuestMem(c), iovs, n, datalen);
    });
    return;
  }

  // Each waits for readiness on the loop, then transfers without blocking; after every wait the
  // descriptor must still be the guest's (`keep`), or the call ends with EBADF.
  b("sock_accept", [st](Caller& c, uint32_t fd, uint32_t flags, uint32_t fd_ptr) -> asio::awaitable<uint32_t> {
    FdEntry* e;
    if (Errno err = st->get(fd, RIGHT_SOCK_ACCEPT, e)) co_return err;
    if (!is_socket(*e)) co_return ERRNO_NOTSOCK;
    if (flags & ~uint32_t(FDFLAG_NONBLOCK)) co_return ERRNO_INVAL;
    if (e->nonblock || !e->waitable) co_return accept_sync(*st, *e, flags, GuestMem(c), fd_ptr);
    GuestMem(c).bytes(fd_ptr, 4);
    auto keep = st->fds[fd];
    for (;;) {
      co_await wait_ready(*st, *e, false);
      if (!st->still(fd, keep)) co_return ERRNO_BADF;
      if (!ready_now(*e, false)) continue;  // another acceptor won the race
      co_return accept_now(*st, *e, flags, GuestMem(c), fd_ptr);
    }
  });
  b("sock_recv", [st](Caller& c, uint32_t fd, uint32_t iovs, uint32_t n, uint32_t ri_flags, uint32_t datalen,
                      uint32_t oflags) -> asio::awaitable<uint32_t> {
    FdEntry* e;
    if (Errno err = st->get(fd, RIGHT_FD_READ, e)) co_return err;
    if (!is_socket(*e)) co_return ERRNO_NOTSOCK;
    if (e->nonblock || !e->waitable) co_return recv_sync(*e, GuestMem(c), iovs, n, ri_flags, datalen, oflags);
    auto keep = st->fds[fd];
    size_t want = GuestMem(c).iovec_bytes(iovs, n);
    bool waitall = ri_flags & RIFLAG_RECV_WAITALL;
    int flags = recv_flags(ri_flags) & ~MSG_WAITALL;
    size_t got = 0;
    int mflags = 0;
    for (;;) {
      co_await wait_ready(*st, *e, false);
      if (!st->still(fd, keep)) co_return got ? finish_recv(GuestMem(c), ssize_t(got), mflags, datalen, oflags) : ERRNO_BADF;
      ssize_t r = transfer(*e, GuestMem(c), iovs, n, got, flags | MSG_DONTWAIT, false, &mflags);
      if (r < 0 && errno == EAGAIN) continue;
      if (r < 0) co_return got ? finish_recv(GuestMem(c), ssize_t(got), mflags, datalen, oflags) : last_errno();
      got += size_t(r);
      // MSG_WAITALL, done by hand: keep receiving until full, the peer closes, or a datagram.
      if (!waitall || r == 0 || got >= want || e->type == FILETYPE_SOCKET_DGRAM || (flags & MSG_PEEK))
        co_return finish_recv(GuestMem(c), ssize_t(got), mflags, datalen, oflags);
    }
  });
  b("sock_send", [st](Caller& c, uint32_t fd, uint32_t iovs, uint32_t n, uint32_t /*si_flags*/,
                      uint32_t datalen) -> asio::awaitable<uint32_t> {
    FdEntry* e;
    if (Errno err = st->get(fd, RIGHT_FD_WRITE, e)) co_return err;
    if (!is_socket(*e)) co_return ERRNO_NOTSOCK;
    if (e->nonblock || !e->waitable) co_return send_sync(*e, GuestMem(c), iovs, n, datalen);
    auto keep = st->fds[fd];
    GuestMem(c).bytes(datalen, 4);
    size_t want = GuestMem(c).iovec_bytes(iovs, n);
    size_t sent = 0;
    do {
      co_await wait_ready(*st, *e, true);
      if (!st->still(fd, keep)) break;
      ssize_t r = transfer(*e, GuestMem(c), iovs, n, sent, MSG_DONTWAIT, true, nullptr);
      if (r < 0 && errno == EAGAIN) continue;
      if (r < 0) {
        if (!sent) co_return last_errno();
        break;
      }
      sent += size_t(r);
    } while (sent < want);
    if (!sent && !st->still(fd, keep)) co_return ERRNO_BADF;
    GuestMem(c).store<uint32_t>(datalen, uint32_t(sent));
    co_return ERRNO_SUCCESS;
  });
}

}  // namespace corowasm::wasi
