// Transfers on pipes, terminals and sockets that never block the thread, and the readiness
// waits between them (fd_read, fd_write, sock_recv, sock_send, poll_oneoff).
//
// A readiness event says nothing about what another guest on the same thread (or anyone else
// sharing the pipe) does before this one transfers: two readers woken by the same byte, two
// writers woken by the same free page. So after a wait the transfer itself must not block:
//   - sockets: recvmsg/sendmsg with MSG_DONTWAIT, per call;
//   - pipes and terminals: a private open file description of the same pipe or terminal,
//     opened through /proc/self/fd/N with O_NONBLOCK. The flag belongs to the description, so
//     the guest's descriptor, the host's stdio and whoever else shares them stay blocking;
//     toggling O_NONBLOCK on the shared description instead would let another process (or
//     thread of the host) see EAGAIN in between;
//   - anything that cannot be reopened so (no /proc; a pty master, whose reopening would make
//     a new pty; other character devices): poll() with a zero timeout right before the
//     transfer, and writes of at most PIPE_BUF bytes, which a writable pipe takes whole. That
//     is safe against every guest on this thread, not against another process or thread
//     racing for the same descriptor.
// Blocking-mode fd_write keeps write(2)'s semantics for pipes: it returns when every byte is
// written (waiting for room as often as needed; writes of at most PIPE_BUF bytes stay atomic,
// as they go to the kernel whole), or with a shorter count only when an error or the
// descriptor going away ends it after some bytes.
#include "state.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <cerrno>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

namespace corowasm::wasi {

using namespace abi;

std::string proc_fd_path(int fd) { return "/proc/self/fd/" + std::to_string(fd); }

namespace {

// Whether `a` and `b` are the same pipe, or the same terminal.
bool same_file(int a, int b, bool tty) {
  if (tty) {
    unsigned da = 0, db = 0;
    return ::ioctl(a, TIOCGDEV, &da) == 0 && ::ioctl(b, TIOCGDEV, &db) == 0 && da == db;
  }
  struct stat sa {}, sb {};
  return ::fstat(a, &sa) == 0 && ::fstat(b, &sb) == 0 && sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

// The private non-blocking description of a pipe or terminal (see the top), opened on first
// use; -1 when there is none, for now or for good (`e.nb_failed`).
int nonblocking_fd(FdEntry& e) {
  if (e.nb >= 0 || e.nb_failed) return e.nb;
  struct stat st {};
  int fl = fcntl(e.host, F_GETFL);
  if (fl < 0 || ::fstat(e.host, &st) != 0) return -1;
  bool fifo = S_ISFIFO(st.st_mode);
  unsigned ptn = 0;
  bool tty = !fifo && S_ISCHR(st.st_mode) && ::isatty(e.host) && ::ioctl(e.host, TIOCGPTN, &ptn) != 0;
  if (!fifo && !tty) {  // pty masters answer TIOCGPTN: reopening one would open a new pty
    e.nb_failed = true;
    return -1;
  }
  int d = ::open(proc_fd_path(e.host).c_str(), (fl & O_ACCMODE) | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
  if (d < 0) {
    // No reader on a pipe opened for writing (ENXIO), or out of descriptors: try again next
    // time. Anything else (no /proc, no permission) will not change.
    if (errno != ENXIO && errno != EMFILE && errno != ENFILE && errno != EINTR) e.nb_failed = true;
    return -1;
  }
  if (!same_file(d, e.host, tty)) {
    ::close(d);
    e.nb_failed = true;
    return -1;
  }
  e.nb = d;
  return d;
}

}  // namespace

bool ready_now(const FdEntry& e, bool for_write) {
  pollfd p{e.host, short(for_write ? POLLOUT : POLLIN), 0};
  int r;
  do r = ::poll(&p, 1, 0);
  while (r < 0 && errno == EINTR);
  return r != 0;  // ready, or an error the transfer itself will report
}

ssize_t transfer(FdEntry& e, const GuestMem& mem, uint32_t iovs, uint32_t n, size_t skip, bool write, bool nowait,
                 int msg_flags, int* out_msg_flags) {
  int fd = e.host;
  size_t limit = SIZE_MAX;
  const bool sock = is_socket(e);
  if (nowait && e.waitable && !sock) {
    fd = nonblocking_fd(e);
    if (fd < 0) {
      if (!ready_now(e, write)) {
        errno = EAGAIN;
        return -1;
      }
      fd = e.host;
      if (write) limit = PIPE_BUF;
    }
  }
  auto bufs = mem.host_iovecs(iovs, n, skip, limit);
  ssize_t r;
  if (sock) {
    msghdr m{};
    m.msg_iov = bufs.data();
    m.msg_iovlen = bufs.size();
    int flags = msg_flags | (nowait ? MSG_DONTWAIT : 0);
    do r = write ? ::sendmsg(fd, &m, flags | MSG_NOSIGNAL) : ::recvmsg(fd, &m, flags);
    while (r < 0 && errno == EINTR);
    if (out_msg_flags) *out_msg_flags = m.msg_flags;
    return r;
  }
  do r = write ? ::writev(fd, bufs.data(), int(bufs.size())) : ::readv(fd, bufs.data(), int(bufs.size()));
  while (r < 0 && errno == EINTR);
  return r;
}

Errno ensure_waiter(State& st, FdEntry& e) {
  if (e.waiter) return ERRNO_SUCCESS;
  if (!e.waitable || !st.executor) return ERRNO_NOTSUP;
  int d = fcntl(e.host, F_DUPFD_CLOEXEC, 3);
  // Out of descriptors: the guest hears so (it may close some); the file stays waitable.
  if (d < 0) return last_errno();
  auto w = std::make_unique<asio::posix::stream_descriptor>(*st.executor);
  boost::system::error_code ec;
  w->assign(d, ec);  // registers with the reactor: refused for files epoll cannot watch (/dev/null)
  if (ec) {
    ::close(d);
    if (ec.value() == EMFILE || ec.value() == ENFILE || ec.value() == ENOMEM || ec.value() == ENOSPC)
      return to_wasi_errno(ec.value());
    e.waitable = false;
    return ERRNO_NOTSUP;
  }
  // Asio switches a descriptor it waits on to O_NONBLOCK, and a dup shares that flag with the
  // guest's descriptor and the host's own (a terminal, a pipe). Let asio believe it has done
  // so already, then put the flag back as it was.
  int fl = fcntl(d, F_GETFL);
  w->native_non_blocking(true, ec);
  if (fl >= 0) fcntl(d, F_SETFL, fl);
  e.waiter = std::move(w);
  return ERRNO_SUCCESS;
}

asio::awaitable<Errno> wait_ready(State& st, FdEntry& e, bool for_write) {
  if (Errno err = ensure_waiter(st, e)) co_return err;
  auto [ec] = co_await e.waiter->async_wait(for_write ? asio::posix::stream_descriptor::wait_write
                                                      : asio::posix::stream_descriptor::wait_read,
                                            asio::as_tuple(asio::use_awaitable));
  if (ec == asio::error::operation_not_supported) {
    // Asio accepts descriptors epoll refuses (/dev/null) and fails their waits instead: such
    // files never block.
    e.waiter.reset();
    e.waitable = false;
    co_return ERRNO_NOTSUP;
  }
  if (ec == asio::error::operation_aborted) {
    asio::cancellation_state cs = co_await asio::this_coro::cancellation_state;
    if (cs.cancelled() == asio::cancellation_type::none) co_return ERRNO_SUCCESS;  // closed under us: look again
  }
  if (ec) throw boost::system::system_error(ec);  // cancellation reaches the driver as such
  co_return ERRNO_SUCCESS;
}

namespace {

// After a transfer that would block: wait for readiness unless the guest asked not to. The
// result ends the call (with what has been moved so far, if anything) unless it is SUCCESS.
asio::awaitable<Errno> wait_again(State& st, uint32_t fd, const std::shared_ptr<FdEntry>& e, bool for_write) {
  if (e->nonblock) co_return ERRNO_AGAIN;
  // NOTSUP: the file cannot be waited on, so it never blocks either; a transfer that still
  // says EAGAIN gets that answer rather than a busy loop.
  Errno err = co_await wait_ready(st, *e, for_write);
  if (err == ERRNO_NOTSUP) co_return ERRNO_AGAIN;
  if (err) co_return err;
  co_return st.still(fd, e) ? ERRNO_SUCCESS : ERRNO_BADF;
}

}  // namespace

asio::awaitable<Moved> read_async(State& st, uint32_t fd, std::shared_ptr<FdEntry> e, GuestMem mem, uint32_t iovs,
                                  uint32_t n, int msg_flags, bool all) {
  Moved m;
  size_t want = all ? mem.iovec_bytes(iovs, n) : 0;
  for (;;) {
    ssize_t r = transfer(*e, mem, iovs, n, m.bytes, false, true, msg_flags, &m.msg_flags);
    if (r >= 0) {
      m.bytes += size_t(r);
      if (!all || r == 0 || m.bytes >= want) co_return m;
      continue;
    }
    if (errno != EAGAIN && errno != EWOULDBLOCK) {
      if (!m.bytes) m.err = last_errno();
      co_return m;
    }
    if (Errno err = co_await wait_again(st, fd, e, false)) {
      if (!m.bytes) m.err = err;
      co_return m;
    }
  }
}

asio::awaitable<Moved> write_async(State& st, uint32_t fd, std::shared_ptr<FdEntry> e, GuestMem mem, uint32_t iovs,
                                   uint32_t n) {
  Moved m;
  size_t want = mem.iovec_bytes(iovs, n);
  for (;;) {
    ssize_t r = transfer(*e, mem, iovs, n, m.bytes, true, true);
    if (r >= 0) {
      m.bytes += size_t(r);
      // A NONBLOCK guest takes what fitted; otherwise a short write means the pipe is full
      // now: wait for room (which also lets the loop serve others between rounds).
      if (m.bytes >= want || e->nonblock) co_return m;
    } else if (errno != EAGAIN && errno != EWOULDBLOCK) {
      if (!m.bytes) m.err = last_errno();
      co_return m;
    }
    if (Errno err = co_await wait_again(st, fd, e, true)) {
      if (!m.bytes) m.err = err;
      co_return m;
    }
  }
}

}  // namespace corowasm::wasi
