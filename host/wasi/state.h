// The state behind a wasi::Context (descriptor table, args, exit code) and the helpers every
// WASI area shares: guest memory access, errno translation, transfers and readiness waits. The
// functions themselves: functions.def.
#pragma once

#include <corowasm/wasi.h>

#include <boost/asio/awaitable.hpp>
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
  // Transfers that must not block a pipe or terminal go through `nb`, a private open file
  // description of the same pipe or terminal with O_NONBLOCK set (see io.cpp); -1 until first
  // needed, and for good when `nb_failed` (the fallback then is poll() before the transfer).
  int nb = -1;
  bool nb_failed = false;

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
  // Whether the guest holds Config::max_fds descriptors: a new one is ERRNO_MFILE (checked
  // before the host opens anything).
  bool full() const;
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
  explicit GuestMem(Caller& caller) : mem_(caller.memory()), caller_(caller) {
    if (!mem_) throw Trap(TrapKind::Host, "WASI needs the guest to export its memory");
  }
  // Charge the guest's fuel for bytes moved on its behalf (one unit per 4 KiB, as memory.copy):
  // a fuel budget then bounds WASI I/O too.
  void charge(uint64_t bytes) const { caller_.charge_bytes(bytes); }
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
  Caller caller_;
};

// The current time of a WASI clock; false for an unknown clock id.
bool clock_now(uint32_t id, uint64_t& ns);
// The guest-visible stat of a host file.
void store_filestat(const GuestMem& mem, uint32_t ptr, const struct stat& st, int host_fd = -1);

inline bool is_socket(const FdEntry& e) { return e.type == abi::FILETYPE_SOCKET_STREAM || e.type == abi::FILETYPE_SOCKET_DGRAM; }
// "/proc/self/fd/N": names what a descriptor refers to.
std::string proc_fd_path(int fd);

// --- io.cpp: transfers and readiness waits on pipes, terminals and sockets.

// One readv/writev (recvmsg/sendmsg with `msg_flags` on sockets) of the guest's iovecs, the
// first `skip` bytes left out. With `nowait` it never blocks the thread: -1 with errno EAGAIN
// instead. Returns bytes, or -1 with errno.
ssize_t transfer(FdEntry& e, const GuestMem& mem, uint32_t iovs, uint32_t n, size_t skip, bool write, bool nowait,
                 int msg_flags = 0, int* out_msg_flags = nullptr);
// What a transfer under the executor moved: `err` is set only when nothing was.
struct Moved {
  abi::Errno err = abi::ERRNO_SUCCESS;
  size_t bytes = 0;
  int msg_flags = 0;
};
// fd_read, sock_recv under an executor: transfers without blocking, and while nothing is there
// suspends the guest until the descriptor is readable (a NONBLOCK guest gets ERRNO_AGAIN).
// `all`: until the buffers are full or end of file (MSG_WAITALL). After each wait `fd` must
// still be `e`, or the call ends with ERRNO_BADF.
asio::awaitable<Moved> read_async(State& st, uint32_t fd, std::shared_ptr<FdEntry> e, GuestMem mem, uint32_t iovs,
                                  uint32_t n, int msg_flags = 0, bool all = false);
// fd_write, sock_send under an executor: every byte, waiting for room as often as needed (a
// NONBLOCK guest: what fits now, or ERRNO_AGAIN).
asio::awaitable<Moved> write_async(State& st, uint32_t fd, std::shared_ptr<FdEntry> e, GuestMem mem, uint32_t iovs,
                                   uint32_t n);
// A transfer's result for the guest: the byte count stored at `count_ptr`, or the errno.
inline abi::Errno store_count(const GuestMem& mem, uint32_t count_ptr, ssize_t r) {
  if (r < 0) return last_errno();
  mem.store<uint32_t>(count_ptr, uint32_t(r));
  mem.charge(uint64_t(r));
  return abi::ERRNO_SUCCESS;
}
inline abi::Errno store_count(const GuestMem& mem, uint32_t count_ptr, const Moved& m) {
  if (m.err) return m.err;
  mem.store<uint32_t>(count_ptr, uint32_t(m.bytes));
  mem.charge(m.bytes);
  return abi::ERRNO_SUCCESS;
}
// Suspends the guest until the host descriptor is readable/writable, or closed under the wait
// (the caller checks State::still). ERRNO_NOTSUP when the file cannot be waited on (it never
// blocks), or the host's error setting up the wait (ERRNO_MFILE).
asio::awaitable<abi::Errno> wait_ready(State& st, FdEntry& e, bool for_write);
// Whether a read (or write) would not block now.
bool ready_now(const FdEntry& e, bool for_write);
// Prepare `e.waiter`: ERRNO_NOTSUP if the descriptor cannot be waited on (or there is no
// executor), the host's error if the wait cannot be set up now.
abi::Errno ensure_waiter(State& st, FdEntry& e);

}  // namespace corowasm::wasi
