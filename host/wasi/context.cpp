// wasi::Context: the descriptor table (stdio, preopens, sockets), the registration of the
// functions of functions.def, errno translation and guest memory helpers shared by every WASI
// area (transfers and readiness waits: io.cpp).
#include "functions.h"

#include <corowasm/bind_async.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <fcntl.h>
#include <limits.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

namespace corowasm::wasi {

using namespace abi;

namespace {

// The rights that make sense for each kind of descriptor.
Rights rights_for(Filetype t, int host_fd) {
  constexpr Rights stream = RIGHT_FD_READ | RIGHT_FD_WRITE | RIGHT_FD_FDSTAT_SET_FLAGS |
                            RIGHT_FD_FILESTAT_GET | RIGHT_POLL_FD_READWRITE;
  switch (t) {
    case FILETYPE_REGULAR_FILE:
      return stream | RIGHT_FD_DATASYNC | RIGHT_FD_SEEK | RIGHT_FD_SYNC | RIGHT_FD_TELL |
             RIGHT_FD_ADVISE | RIGHT_FD_ALLOCATE | RIGHT_FD_FILESTAT_SET_SIZE | RIGHT_FD_FILESTAT_SET_TIMES;
    case FILETYPE_DIRECTORY:
      return RIGHTS_DIRECTORY | RIGHT_FD_FDSTAT_SET_FLAGS | RIGHT_FD_SYNC | RIGHT_FD_DATASYNC |
             RIGHT_FD_FILESTAT_GET | RIGHT_FD_FILESTAT_SET_TIMES;
    case FILETYPE_SOCKET_STREAM:
    case FILETYPE_SOCKET_DGRAM:
      return stream | RIGHT_SOCK_SHUTDOWN | RIGHT_SOCK_ACCEPT;
    case FILETYPE_BLOCK_DEVICE:
      return stream | RIGHT_FD_SEEK | RIGHT_FD_TELL | RIGHT_FD_SYNC | RIGHT_FD_DATASYNC;
    default:  // terminals, pipes: no seek/tell, which is how wasi-libc's isatty() knows a tty
      if (t == FILETYPE_CHARACTER_DEVICE && host_fd >= 0 && !::isatty(host_fd))  // /dev/null is no tty
        return stream | RIGHT_FD_SYNC | RIGHT_FD_DATASYNC | RIGHT_FD_SEEK | RIGHT_FD_TELL;
      return stream | RIGHT_FD_SYNC | RIGHT_FD_DATASYNC;
  }
}

// The host function for an impl:: body (functions.h): a callable of the body's Wasm
// parameters that hands it the context's state, which the host function keeps alive.
template <auto Body>
struct Bound;
template <class R, class... A, R (*Body)(State&, Caller&, A...)>
struct Bound<Body> {
  static auto over(std::shared_ptr<State> st) {
    return [st = std::move(st)](Caller& c, A... a) -> R { return Body(*st, c, a...); };
  }
};

template <auto Body>
void define_one(Imports& imports, Store& store, const std::shared_ptr<State>& st, const char* name) {
  imports.define("wasi_snapshot_preview1", name, corowasm::bind(store, Bound<Body>::over(st)));
}

int dup_or_throw(int fd, const char* what) {
  int d = fcntl(fd, F_DUPFD_CLOEXEC, 3);
  if (d < 0) throw Error(std::string("wasi: cannot use host descriptor for ") + what + ": " + std::strerror(errno));
  return d;
}

}  // namespace

FdEntry::~FdEntry() {
  waiter.reset();
  if (nb >= 0) ::close(nb);
  if (host >= 0 && owned) ::close(host);
}

Filetype filetype_of(unsigned mode, int host_fd) {
  if (S_ISREG(mode)) return FILETYPE_REGULAR_FILE;
  if (S_ISDIR(mode)) return FILETYPE_DIRECTORY;
  if (S_ISCHR(mode)) return FILETYPE_CHARACTER_DEVICE;
  if (S_ISBLK(mode)) return FILETYPE_BLOCK_DEVICE;
  if (S_ISLNK(mode)) return FILETYPE_SYMBOLIC_LINK;
  if (S_ISSOCK(mode)) {
    int type = 0;
    socklen_t len = sizeof type;
    if (host_fd >= 0 && getsockopt(host_fd, SOL_SOCKET, SO_TYPE, &type, &len) == 0 && type == SOCK_DGRAM)
      return FILETYPE_SOCKET_DGRAM;
    return FILETYPE_SOCKET_STREAM;
  }
  return FILETYPE_UNKNOWN;  // pipes (FIFOs) have no WASI file type of their own
}

std::shared_ptr<FdEntry> make_entry(int host_fd, Rights base, Rights inheriting) {
  auto e = std::make_shared<FdEntry>();
  e->host = host_fd;
  struct stat st {};
  if (fstat(host_fd, &st) == 0) {
    e->type = filetype_of(st.st_mode, host_fd);
    e->waitable = S_ISFIFO(st.st_mode) || S_ISCHR(st.st_mode) || S_ISSOCK(st.st_mode);
  }
  e->base = base & rights_for(e->type, host_fd);
  e->inheriting = inheriting;
  return e;
}

Errno State::get(uint32_t fd, Rights needed, FdEntry*& out) {
  if (fd >= fds.size() || !fds[fd]) return ERRNO_BADF;
  if ((fds[fd]->base & needed) != needed) return ERRNO_NOTCAPABLE;
  out = fds[fd].get();
  return ERRNO_SUCCESS;
}

uint32_t State::insert(std::shared_ptr<FdEntry> entry) {
  for (uint32_t i = 0; i < fds.size(); ++i)
    if (!fds[i]) {
      fds[i] = std::move(entry);
      return i;
    }
  fds.push_back(std::move(entry));
  return uint32_t(fds.size() - 1);
}

bool State::full() const {
  return size_t(std::count_if(fds.begin(), fds.end(), [](const auto& e) { return e != nullptr; })) >= config.max_fds;
}

std::vector<std::span<uint8_t>> GuestMem::iovecs(uint32_t iovs, uint32_t count) const {
  // The array itself first: a huge count fails here, before any allocation.
  if (uint64_t(count) * kIovecSize > UINT32_MAX) throw Trap(TrapKind::MemoryOutOfBounds);
  bytes(iovs, count * kIovecSize);
  // One transfer moves at most IOV_MAX buffers (a shorter transfer is allowed), so no more are
  // looked at: a guest cannot make the host allocate in proportion to its memory.
  count = std::min<uint32_t>(count, IOV_MAX);
  std::vector<std::span<uint8_t>> out;
  out.reserve(count);
  for (uint32_t i = 0; i < count; ++i) {
    uint32_t buf = load<uint32_t>(iovs + i * kIovecSize);
    uint32_t len = load<uint32_t>(iovs + i * kIovecSize + 4);
    out.push_back(bytes(buf, len));
  }
  return out;
}

std::vector<iovec> GuestMem::host_iovecs(uint32_t iovs, uint32_t count, size_t skip, size_t limit) const {
  std::vector<iovec> out;
  for (std::span<uint8_t> b : iovecs(iovs, count)) {
    size_t k = std::min(skip, b.size());
    skip -= k;
    b = b.subspan(k);
    if (out.size() == IOV_MAX || limit == 0) break;
    if (b.empty()) continue;
    size_t n = std::min(b.size(), limit);
    out.push_back({b.data(), n});
    limit -= n;
  }
  return out;
}

size_t GuestMem::iovec_bytes(uint32_t iovs, uint32_t count) const {
  size_t total = 0;
  for (const auto& b : iovecs(iovs, count)) total += b.size();
  return total;
}

Context::Context(Config config) : state_(std::make_shared<State>()) {
  // A guest writing to a pipe whose reader has gone must get EPIPE, not kill the host with
  // SIGPIPE. Only the default disposition is changed; a host's own handler stays.
  struct sigaction old {};
  if (sigaction(SIGPIPE, nullptr, &old) == 0 && old.sa_handler == SIG_DFL) signal(SIGPIPE, SIG_IGN);
  State& st = *state_;
  st.config = std::move(config);
  const int stdio[3] = {st.config.stdin_fd, st.config.stdout_fd, st.config.stderr_fd};
  const char* names[3] = {"stdin", "stdout", "stderr"};
  for (int i = 0; i < 3; ++i) {
    bool borrow = st.config.borrow_stdio;
    if (borrow && fcntl(stdio[i], F_GETFD) < 0)
      throw Error(std::string("wasi: ") + names[i] + " descriptor " + std::to_string(stdio[i]) + " is not open");
    st.fds.push_back(make_entry(borrow ? stdio[i] : dup_or_throw(stdio[i], names[i]), RIGHTS_ALL, RIGHTS_ALL));
    st.fds.back()->owned = !borrow;
  }
  for (const Preopen& p : st.config.preopens) {
    int d = ::open(p.host_path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (d < 0) throw Error("wasi: cannot preopen directory " + p.host_path + ": " + std::strerror(errno));
    Rights mask = p.read_only ? RIGHTS_ALL & ~RIGHTS_WRITING : RIGHTS_ALL;
    auto e = make_entry(d, mask, mask);
    e->preopen_name = p.guest_path.empty() ? p.host_path : p.guest_path;
    st.fds.push_back(std::move(e));
  }
  for (int s : st.config.sockets) st.fds.push_back(make_entry(dup_or_throw(s, "a socket"), RIGHTS_ALL, RIGHTS_ALL));
  if (st.fds.size() > st.config.max_fds)
    throw Error("wasi: stdio, " + std::to_string(st.config.preopens.size()) + " preopens and " +
                std::to_string(st.config.sockets.size()) + " sockets exceed max_fds (" +
                std::to_string(st.config.max_fds) + ")");
}

Context::~Context() = default;

std::optional<int> Context::exit_code() const { return state_->exit_code; }

void Context::close_fds() {
  // A call suspended on one of them wakes up, finds its descriptor gone and returns EBADF.
  for (auto& e : state_->fds)
    if (e && e->waiter) e->waiter->cancel();
  state_->fds.clear();
}

void Context::define(Imports& imports, Store& store, std::optional<asio::any_io_executor> executor) {
  state_->executor = std::move(executor);
  const bool async = state_->executor.has_value();
  // A TWIN's blocking body serves call_sync; under an executor its async body suspends instead.
#define WASI_DEFINE_SYNC(name) define_one<&impl::name>(imports, store, state_, #name);
#define WASI_DEFINE_TWIN(name)                                               \
  if (async) define_one<&impl::name##_async>(imports, store, state_, #name); \
  else define_one<&impl::name>(imports, store, state_, #name);
#define WASI_FUNCTION(name, result, params, kind) WASI_DEFINE_##kind(name)
#include "functions.def"
#undef WASI_DEFINE_TWIN
#undef WASI_DEFINE_SYNC
}

const std::vector<std::string>& function_names() {
  static const std::vector<std::string> names = {
#define WASI_FUNCTION(name, result, params, kind) #name,
#include "functions.def"
  };
  return names;
}

Errno to_wasi_errno(int e) {
  switch (e) {
    case 0: return ERRNO_SUCCESS;
    case E2BIG: return ERRNO_2BIG;
    case EACCES: return ERRNO_ACCES;
    case EADDRINUSE: return ERRNO_ADDRINUSE;
    case EADDRNOTAVAIL: return ERRNO_ADDRNOTAVAIL;
    case EAFNOSUPPORT: return ERRNO_AFNOSUPPORT;
    case EAGAIN: return ERRNO_AGAIN;
    case EALREADY: return ERRNO_ALREADY;
    case EBADF: return ERRNO_BADF;
    case EBADMSG: return ERRNO_BADMSG;
    case EBUSY: return ERRNO_BUSY;
    case ECANCELED: return ERRNO_CANCELED;
    case ECHILD: return ERRNO_CHILD;
    case ECONNABORTED: return ERRNO_CONNABORTED;
    case ECONNREFUSED: return ERRNO_CONNREFUSED;
    case ECONNRESET: return ERRNO_CONNRESET;
    case EDEADLK: return ERRNO_DEADLK;
    case EDESTADDRREQ: return ERRNO_DESTADDRREQ;
    case EDOM: return ERRNO_DOM;
    case EDQUOT: return ERRNO_DQUOT;
    case EEXIST: return ERRNO_EXIST;
    case EFAULT: return ERRNO_FAULT;
    case EFBIG: return ERRNO_FBIG;
    case EHOSTUNREACH: return ERRNO_HOSTUNREACH;
    case EIDRM: return ERRNO_IDRM;
    case EILSEQ: return ERRNO_ILSEQ;
    case EINPROGRESS: return ERRNO_INPROGRESS;
    case EINTR: return ERRNO_INTR;
    case EINVAL: return ERRNO_INVAL;
    case EIO: return ERRNO_IO;
    case EISCONN: return ERRNO_ISCONN;
    case EISDIR: return ERRNO_ISDIR;
    case ELOOP: return ERRNO_LOOP;
    case EMFILE: return ERRNO_MFILE;
    case EMLINK: return ERRNO_MLINK;
    case EMSGSIZE: return ERRNO_MSGSIZE;
    case EMULTIHOP: return ERRNO_MULTIHOP;
    case ENAMETOOLONG: return ERRNO_NAMETOOLONG;
    case ENETDOWN: return ERRNO_NETDOWN;
    case ENETRESET: return ERRNO_NETRESET;
    case ENETUNREACH: return ERRNO_NETUNREACH;
    case ENFILE: return ERRNO_NFILE;
    case ENOBUFS: return ERRNO_NOBUFS;
    case ENODEV: return ERRNO_NODEV;
    case ENOENT: return ERRNO_NOENT;
    case ENOEXEC: return ERRNO_NOEXEC;
    case ENOLCK: return ERRNO_NOLCK;
    case ENOLINK: return ERRNO_NOLINK;
    case ENOMEM: return ERRNO_NOMEM;
    case ENOMSG: return ERRNO_NOMSG;
    case ENOPROTOOPT: return ERRNO_NOPROTOOPT;
    case ENOSPC: return ERRNO_NOSPC;
    case ENOSYS: return ERRNO_NOSYS;
    case ENOTCONN: return ERRNO_NOTCONN;
    case ENOTDIR: return ERRNO_NOTDIR;
    case ENOTEMPTY: return ERRNO_NOTEMPTY;
    case ENOTRECOVERABLE: return ERRNO_NOTRECOVERABLE;
    case ENOTSOCK: return ERRNO_NOTSOCK;
    case EOPNOTSUPP: return ERRNO_NOTSUP;
    case ENOTTY: return ERRNO_NOTTY;
    case ENXIO: return ERRNO_NXIO;
    case EOVERFLOW: return ERRNO_OVERFLOW;
    case EOWNERDEAD: return ERRNO_OWNERDEAD;
    case EPERM: return ERRNO_PERM;
    case EPIPE: return ERRNO_PIPE;
    case EPROTO: return ERRNO_PROTO;
    case EPROTONOSUPPORT: return ERRNO_PROTONOSUPPORT;
    case EPROTOTYPE: return ERRNO_PROTOTYPE;
    case ERANGE: return ERRNO_RANGE;
    case EROFS: return ERRNO_ROFS;
    case ESPIPE: return ERRNO_SPIPE;
    case ESRCH: return ERRNO_SRCH;
    case ESTALE: return ERRNO_STALE;
    case ETIMEDOUT: return ERRNO_TIMEDOUT;
    case ETXTBSY: return ERRNO_TXTBSY;
    case EXDEV: return ERRNO_XDEV;
    default: return ERRNO_IO;
  }
}

}  // namespace corowasm::wasi
