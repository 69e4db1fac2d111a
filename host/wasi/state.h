// The state behind a wasi::Context (descriptor table, args, exit code) and the helpers every
// WASI area shares: guest memory access, errno translation, and the binder that registers the
// functions.
#pragma once

#include <corowasm/bind.h>
#include <corowasm/wasi.h>

#include <boost/asio/posix/stream_descriptor.hpp>
#include <climits>
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <sys/stat.h>
#include <sys/uio.h>
#include <vector>

#include "abi.h"

namespace corowasm::wasi {

namespace asio = boost::asio;

// One guest file descriptor.
struct FdEntry {
  int host = -1;
  bool owned = true;                   // closed with the entry (false: borrowed stdio)
  abi::Filetype type = abi::FILETYPE_UNKNOWN;
  abi::Rights base = 0, inheriting = 0;
  std::string preopen_name;            // non-empty for a preopened directory
  // The guest's FDFLAGS_NONBLOCK. Kept here, never set on the host descriptor: that flag
  // belongs to the open file description, which a dup (stdio, the waiter) shares with the
  // host's own descriptor.
  bool nonblock = false;
  // fd_readdir: the listing taken when the guest asked from cookie 0.
  struct DirEntry { std::string name; uint64_t ino; abi::Filetype type; };
  std::vector<DirEntry> listing;
  // Readiness waits for pipes, terminals and sockets (a duplicate of `host`, so that closing
  // it never closes the guest's descriptor). Empty until first needed; `waitable` false when
  // the kind of file cannot be waited on (regular files, /dev/null).
  std::unique_ptr<asio::posix::stream_descriptor> waiter;
  bool waitable = false;

  FdEntry() = default;
  FdEntry(const FdEntry&) = delete;
  FdEntry& operator=(const FdEntry&) = delete;
  ~FdEntry();
};

struct Context::State {
  Config config;
  // index = guest fd; null = free. Shared: a suspended call keeps its entry alive even if
  // the descriptor is closed under it (close_fds), and checks `still` after waiting.
  std::vector<std::shared_ptr<FdEntry>> fds;
  std::optional<int> exit_code;
  std::optional<asio::any_io_executor> executor;

  // The entry for `fd` if it has every right in `needed`: ERRNO_BADF for no such fd,
  // ERRNO_NOTCAPABLE for a missing right.
  abi::Errno get(uint32_t fd, abi::Rights needed, FdEntry*& out);
  // Lowest free guest fd.
  uint32_t insert(std::shared_ptr<FdEntry> entry);
  // Whether guest fd `fd` is still `e` (after a wait).
  bool still(uint32_t fd, const std::shared_ptr<FdEntry>& e) const { return fd < fds.size() && fds[fd] == e; }
};
using State = Context::State;

// Host errno -> WASI errno.
abi::Errno to_wasi_errno(int host_errno);
inline abi::Errno last_errno() { return to_wasi_errno(errno); }

// A new entry for an open host descriptor: type and waitability from fstat.
std::shared_ptr<FdEntry> make_entry(int host_fd, abi::Rights base, abi::Rights inheriting);
abi::Filetype filetype_of(unsigned st_mode, int host_fd = -1);

// Guest memory access: every access is bounds-checked and traps (out of bounds memory access)
// rather than touching host memory outside the guest's linear memory.
class GuestMem {
 public:
  explicit GuestMem(Caller& caller) : mem_(caller.memory()) {
    if (!mem_) throw Trap(TrapKind::Host, "WASI needs the guest to export its memory");
  }
  std::span<uint8_t> bytes(uint32_t ptr, uint32_t len) const { return mem_.span<uint8_t>(ptr, len); }
  template <class T>
  T load(uint32_t ptr) const {
    T v;
    std::memcpy(&v, bytes(ptr, sizeof(T)).data(), sizeof(T));
    return v;
  }
  template <class T>
  void store(uint32_t ptr, T v) const { std::memcpy(bytes(ptr, sizeof(T)).data(), &v, sizeof(T)); }
  // A path argument: ENAMETOOLONG past PATH_MAX; EINVAL for an embedded NUL, which the host
  // would read as the end.
  abi::Errno path(uint32_t ptr, uint32_t len, std::string& out) const {
    auto b = bytes(ptr, len);
    if (len >= PATH_MAX) return abi::ERRNO_NAMETOOLONG;
    out.assign(b.begin(), b.end());
    return out.find('\0') != std::string::npos ? abi::ERRNO_INVAL : abi::ERRNO_SUCCESS;
  }
  // A guest iovec array as spans of guest memory, each bounds-checked.
  std::vector<std::span<uint8_t>> iovecs(uint32_t iovs, uint32_t count) const;
  // ... as host iovecs for readv/writev/sendmsg: the first `skip` bytes left out (what an
  // earlier round already moved), at most `limit` bytes and IOV_MAX entries (a shorter
  // transfer is allowed).
  std::vector<struct iovec> host_iovecs(uint32_t iovs, uint32_t count, size_t skip = 0, size_t limit = SIZE_MAX) const;
  // Total bytes the array describes.
  size_t iovec_bytes(uint32_t iovs, uint32_t count) const;
 private:
  Memory mem_;
};

// Registers WASI functions into an Imports under "wasi_snapshot_preview1".
struct Binder {
  Imports& imports;
  Store& store;
  std::shared_ptr<State> state;
  bool async() const { return state->executor.has_value(); }
  template <class F>
  void operator()(const char* name, F f) {
    imports.define("wasi_snapshot_preview1", name, corowasm::bind(store, std::move(f)));
  }
};

// One per WASI area (one file each).
void define_args_env(Binder& b);      // args_*, environ_*
void define_clock_proc(Binder& b);    // clock_*, random_get, proc_*, sched_yield
void define_fd(Binder& b);            // fd_*
void define_path(Binder& b);          // path_*
void define_poll(Binder& b);          // poll_oneoff
void define_sock(Binder& b);          // sock_*

// The current time of a WASI clock; false for an unknown clock id.
bool clock_now(uint32_t id, uint64_t& ns);
// The guest-visible stat of a host file.
void store_filestat(const GuestMem& mem, uint32_t ptr, const struct stat& st, int host_fd = -1);

// Readiness of a pipe, terminal or socket (fd_read, fd_write, sock_*): suspends the guest until
// the host descriptor is readable/writable. Returns at once for files that never block, and
// when the descriptor was closed under the wait (the caller checks State::still).
asio::awaitable<void> wait_ready(State& st, FdEntry& e, bool for_write);
// Whether a read (or write) would not block now: for a guest that asked for FDFLAGS_NONBLOCK.
bool ready_now(const FdEntry& e, bool for_write);
// Prepare `e.waiter` if the descriptor is waitable; false if it cannot be.
bool ensure_waiter(State& st, FdEntry& e);

}  // namespace corowasm::wasi
