// poll_oneoff: clock and fd subscriptions. Under an executor the guest suspends on one timer
// (the earliest clock) raced against readiness waits on its pipes, terminals and sockets; the
// event loop serves others meanwhile. Without one, ppoll(2) blocks the thread.
#include "functions.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <chrono>
#include <poll.h>
#include <sys/ioctl.h>
#include <unistd.h>

namespace corowasm::wasi {

using namespace abi;
using SteadyClock = std::chrono::steady_clock;

namespace {

struct Sub {
  uint64_t userdata;
  uint8_t tag;
  // clock
  SteadyClock::time_point deadline;
  // fd_read / fd_write
  std::shared_ptr<FdEntry> entry;  // kept alive even if the guest's fd is closed meanwhile
  Errno error = ERRNO_SUCCESS;  // reported at once (bad clock, bad fd)
};

struct Event {
  uint64_t userdata;
  Errno error;
  uint8_t type;
  uint64_t nbytes;
  uint16_t flags;
};

// Parse the subscriptions; clocks become steady deadlines.
Errno parse(State& st, const GuestMem& mem, uint32_t in, uint32_t n, std::vector<Sub>& subs) {
  auto now = SteadyClock::now();
  for (uint32_t i = 0; i < n; ++i) {
    uint32_t p = in + i * kSubscriptionSize;
    Sub s{};
    s.userdata = mem.load<uint64_t>(p);
    s.tag = mem.load<uint8_t>(p + 8);
    if (s.tag == EVENT_CLOCK) {
      uint32_t id = mem.load<uint32_t>(p + 16);
      uint64_t timeout = mem.load<uint64_t>(p + 24);
      uint16_t flags = mem.load<uint16_t>(p + 40);
      uint64_t clock_now_ns;
      if (!clock_now(id, clock_now_ns)) {
        s.error = ERRNO_INVAL;
      } else {
        uint64_t rel = timeout;
        if (flags & SUBSCRIPTION_CLOCK_ABSTIME) rel = timeout > clock_now_ns ? timeout - clock_now_ns : 0;
        // Saturate: a timeout of centuries is "never" for this process.
        rel = std::min<uint64_t>(rel, uint64_t(100) * 365 * 24 * 3600 * 1'000'000'000ull);
        s.deadline = now + std::chrono::nanoseconds(rel);
      }
    } else if (s.tag == EVENT_FD_READ || s.tag == EVENT_FD_WRITE) {
      uint32_t fd = mem.load<uint32_t>(p + 16);
      FdEntry* e;
      s.error = st.get(fd, RIGHT_POLL_FD_READWRITE, e);
      if (!s.error) s.entry = st.fds[fd];
    } else {
      return ERRNO_INVAL;
    }
    subs.push_back(s);
  }
  return ERRNO_SUCCESS;
}

uint64_t readable_bytes(FdEntry& e) {
  if (e.type == FILETYPE_REGULAR_FILE) {
    struct stat s {};
    off_t pos = ::lseek(e.host, 0, SEEK_CUR);
    if (::fstat(e.host, &s) == 0 && pos >= 0 && s.st_size > pos) return uint64_t(s.st_size - pos);
    return 0;
  }
  int n = 0;
  if (::ioctl(e.host, FIONREAD, &n) == 0 && n > 0) return uint64_t(n);
  return 0;
}

// What is ready now (a zero-timeout poll), or, with `wait`, after blocking up to the earliest
// deadline.
std::vector<Event> collect(std::vector<Sub>& subs, std::optional<SteadyClock::duration> wait) {
  std::vector<Event> events;
  std::vector<pollfd> pfds;
  std::vector<size_t> which;
  for (size_t i = 0; i < subs.size(); ++i) {
    Sub& s = subs[i];
    if (s.error) continue;
    if (s.tag != EVENT_CLOCK) {
      pfds.push_back({s.entry->host, short(s.tag == EVENT_FD_READ ? POLLIN : POLLOUT), 0});
      which.push_back(i);
    }
  }
  timespec ts{0, 0};
  if (wait) {
    auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(std::max(*wait, SteadyClock::duration::zero())).count();
    ts = {time_t(ns / 1'000'000'000), long(ns % 1'000'000'000)};
  }
  int r = ::ppoll(pfds.data(), pfds.size(), wait && *wait == SteadyClock::duration::max() ? nullptr : &ts, nullptr);
  auto now = SteadyClock::now();
  for (size_t i = 0; i < subs.size(); ++i) {
    Sub& s = subs[i];
    if (s.error) events.push_back({s.userdata, s.error, s.tag, 0, 0});
    else if (s.tag == EVENT_CLOCK && s.deadline <= now) events.push_back({s.userdata, ERRNO_SUCCESS, EVENT_CLOCK, 0, 0});
  }
  if (r > 0) {
    for (size_t k = 0; k < pfds.size(); ++k) {
      short re = pfds[k].revents;
      if (!re) continue;
      Sub& s = subs[which[k]];
      Event ev{s.userdata, ERRNO_SUCCESS, s.tag, 0, 0};
      if (re & POLLNVAL) ev.error = ERRNO_BADF;
      else if (re & POLLERR && !(re & (POLLIN | POLLOUT))) ev.error = ERRNO_IO;
      if (re & POLLHUP) ev.flags |= EVENT_FD_READWRITE_HANGUP;
      if (s.tag == EVENT_FD_READ && !ev.error) ev.nbytes = readable_bytes(*s.entry);
      events.push_back(ev);
    }
  }
  return events;
}

std::optional<SteadyClock::time_point> earliest(const std::vector<Sub>& subs) {
  std::optional<SteadyClock::time_point> t;
  for (const Sub& s : subs)
    if (s.tag == EVENT_CLOCK && !s.error && (!t || s.deadline < *t)) t = s.deadline;
  return t;
}

uint32_t finish(const GuestMem& mem, uint32_t out, uint32_t nevents_ptr, const std::vector<Event>& events) {
  for (size_t i = 0; i < events.size(); ++i) {
    auto b = mem.bytes(out + uint32_t(i) * kEventSize, kEventSize);
    std::fill(b.begin(), b.end(), 0);
    const Event& e = events[i];
    std::memcpy(b.data(), &e.userdata, 8);
    uint16_t err = e.error;
    std::memcpy(b.data() + 8, &err, 2);
    b[10] = e.type;
    std::memcpy(b.data() + 16, &e.nbytes, 8);
    std::memcpy(b.data() + 24, &e.flags, 2);
  }
  mem.store<uint32_t>(nevents_ptr, uint32_t(events.size()));
  return ERRNO_SUCCESS;
}

// Checks the argument ranges up front so that a bad pointer traps before anything waits.
Errno prepare(State& st, Caller& c, uint32_t in, uint32_t out, uint32_t n, uint32_t nevents, std::vector<Sub>& subs) {
  if (n == 0) return ERRNO_INVAL;
  GuestMem mem(c);
  if (uint64_t(n) * kSubscriptionSize > UINT32_MAX) throw Trap(TrapKind::MemoryOutOfBounds);
  mem.bytes(in, n * kSubscriptionSize);
  mem.bytes(out, n * kEventSize);
  mem.bytes(nevents, 4);
  // The host's memory for a poll is proportional to the count: a guest gets no more than the
  // cap (Config::max_poll_subscriptions).
  if (n > st.config.max_poll_subscriptions) return ERRNO_INVAL;
  subs.reserve(n);
  return parse(st, mem, in, n, subs);
}

// Under an executor, while nothing is ready: suspends the guest on one timer for the earliest
// clock, cancelled early by any descriptor becoming ready. ERRNO_SUCCESS: look again (ready, a
// file epoll cannot watch, a descriptor closed under the wait, or one whose waiter failed and
// now carries its error); ERRNO_NOTSUP: nothing could ever complete.
asio::awaitable<Errno> await_any(State& st, std::vector<Sub>& subs) {
  // The handlers own the timer, so a late one after we return touches nothing gone.
  auto timer = std::make_shared<asio::steady_timer>(*st.executor);
  auto t = earliest(subs);
  timer->expires_at(t ? *t : SteadyClock::time_point::max());
  // A descriptor the host cannot watch now (out of descriptors for the waiter) gets its
  // error as its event at once; one that never blocks (NOTSUP) was reported ready already.
  bool failed = false;
  for (Sub& s : subs) {
    if (s.error || s.tag == EVENT_CLOCK) continue;
    Errno err = ensure_waiter(st, *s.entry);
    if (err && err != ERRNO_NOTSUP) s.error = err, failed = true;
  }
  if (failed) co_return ERRNO_SUCCESS;
  std::vector<std::shared_ptr<FdEntry>> waiting;
  for (Sub& s : subs) {
    if (s.error || s.tag == EVENT_CLOCK || ensure_waiter(st, *s.entry)) continue;
    s.entry->waiter->async_wait(s.tag == EVENT_FD_READ ? asio::posix::stream_descriptor::wait_read
                                                       : asio::posix::stream_descriptor::wait_write,
                                [timer](boost::system::error_code) {
                                  // Ready, a file epoll cannot watch (never blocks), or
                                  // the descriptor closed under us: look again.
                                  timer->cancel();
                                });
    waiting.push_back(s.entry);
  }
  if (!t && waiting.empty()) co_return ERRNO_NOTSUP;
  co_await timer->async_wait(asio::as_tuple(asio::use_awaitable));
  for (auto& e : waiting)
    if (e->waiter) e->waiter->cancel();
  asio::cancellation_state cs = co_await asio::this_coro::cancellation_state;
  if (cs.cancelled() != asio::cancellation_type::none)
    throw boost::system::system_error(asio::error::operation_aborted);
  co_return ERRNO_SUCCESS;
}

}  // namespace

// Both twins: the subscriptions checked and parsed, then whatever is ready written out; they
// differ in how they wait while nothing is.
uint32_t impl::poll_oneoff(State& st, Caller& c, uint32_t in, uint32_t out, uint32_t n, uint32_t nevents) {
  std::vector<Sub> subs;
  if (Errno err = prepare(st, c, in, out, n, nevents, subs)) return err;
  for (;;) {
    auto events = collect(subs, std::nullopt);
    if (events.empty()) {  // ppoll(2) blocks the thread: until a descriptor is ready or the earliest clock
      auto t = earliest(subs);
      events = collect(subs, t ? *t - SteadyClock::now() : SteadyClock::duration::max());
    }
    if (!events.empty()) return finish(GuestMem(c), out, nevents, events);
  }
}

asio::awaitable<uint32_t> impl::poll_oneoff_async(State& st, Caller& c, uint32_t in, uint32_t out, uint32_t n,
                                                  uint32_t nevents) {
  std::vector<Sub> subs;
  if (Errno err = prepare(st, c, in, out, n, nevents, subs)) co_return err;
  for (;;) {
    auto events = collect(subs, std::nullopt);
    if (!events.empty()) co_return finish(GuestMem(c), out, nevents, events);
    if (Errno err = co_await await_any(st, subs)) co_return err;
  }
}

}  // namespace corowasm::wasi
