// Clocks, randomness and the process: clock_res_get, clock_time_get, random_get, proc_exit,
// proc_raise, sched_yield.
#include "functions.h"

#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <sys/random.h>
#include <time.h>

namespace corowasm::wasi {

using namespace abi;

namespace {

bool host_clock(uint32_t id, clockid_t& out) {
  switch (id) {
    case CLOCKID_REALTIME: out = CLOCK_REALTIME; return true;
    case CLOCKID_MONOTONIC: out = CLOCK_MONOTONIC; return true;
    case CLOCKID_PROCESS_CPUTIME: out = CLOCK_PROCESS_CPUTIME_ID; return true;
    case CLOCKID_THREAD_CPUTIME: out = CLOCK_THREAD_CPUTIME_ID; return true;
  }
  return false;
}

Errno fill_random(std::span<uint8_t> out) {
  for (size_t done = 0; done < out.size();) {
    ssize_t n = getrandom(out.data() + done, out.size() - done, 0);
    if (n < 0) {
      if (errno == EINTR) continue;
      return last_errno();
    }
    done += size_t(n);
  }
  return ERRNO_SUCCESS;
}

// Fills `n` bytes of guest memory at `buf`, charging the guest for them.
Errno fill_guest(const GuestMem& mem, uint32_t buf, uint32_t n) {
  if (Errno err = fill_random(mem.bytes(buf, n))) return err;
  mem.charge(n);
  return ERRNO_SUCCESS;
}

uint64_t to_ns(const timespec& ts) { return uint64_t(ts.tv_sec) * 1'000'000'000u + uint64_t(ts.tv_nsec); }

}  // namespace

// Shared with poll_oneoff.
bool clock_now(uint32_t id, uint64_t& ns) {
  clockid_t c;
  timespec ts{};
  if (!host_clock(id, c) || clock_gettime(c, &ts) != 0) return false;
  ns = to_ns(ts);
  return true;
}

uint32_t impl::clock_res_get(State&, Caller& c, uint32_t id, uint32_t res_ptr) {
  clockid_t hc;
  timespec ts{};
  if (!host_clock(id, hc)) return ERRNO_INVAL;
  if (clock_getres(hc, &ts) != 0) return last_errno();
  GuestMem(c).store<uint64_t>(res_ptr, to_ns(ts));
  return ERRNO_SUCCESS;
}

uint32_t impl::clock_time_get(State&, Caller& c, uint32_t id, uint64_t /*precision*/, uint32_t time_ptr) {
  uint64_t ns;
  if (!clock_now(id, ns)) return ERRNO_INVAL;
  GuestMem(c).store<uint64_t>(time_ptr, ns);
  return ERRNO_SUCCESS;
}

// random_get fills guest memory in place (the host allocates nothing for it). Under an
// executor it does so 1 MiB at a time and lets the loop serve others in between, so that a
// 4 GiB request does not hold the thread for seconds.
uint32_t impl::random_get(State&, Caller& c, uint32_t buf, uint32_t len) { return fill_guest(GuestMem(c), buf, len); }

asio::awaitable<uint32_t> impl::random_get_async(State& st, Caller& c, uint32_t buf, uint32_t len) {
  GuestMem mem(c);
  mem.bytes(buf, len);
  constexpr uint32_t kChunk = 1u << 20;
  for (uint32_t done = 0; done < len;) {
    uint32_t n = std::min(len - done, kChunk);
    if (Errno err = fill_guest(mem, buf + done, n)) co_return err;
    done += n;
    if (done < len) co_await asio::post(*st.executor, asio::use_awaitable);
  }
  co_return ERRNO_SUCCESS;
}

void impl::proc_exit(State& st, Caller&, uint32_t code) {
  st.exit_code = int(code);
  throw Trap(TrapKind::Exit, "guest exited with code " + std::to_string(code));
}

// Signals are not part of the sandbox: a guest cannot raise one at its host.
uint32_t impl::proc_raise(State&, Caller&, uint32_t) { return ERRNO_NOSYS; }

uint32_t impl::sched_yield(State&, Caller&) { return ERRNO_SUCCESS; }

// A yield that means something on an event loop: let other guests and handlers run.
asio::awaitable<uint32_t> impl::sched_yield_async(State& st, Caller&) {
  co_await asio::post(*st.executor, asio::use_awaitable);
  co_return ERRNO_SUCCESS;
}

}  // namespace corowasm::wasi
