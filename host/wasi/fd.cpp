// The fd_ family: reading and writing (suspending on pipes, terminals and sockets), seeking,
// descriptor flags and rights, file stats, directory listings, renumbering.
#include "functions.h"

#include <algorithm>
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <optional>
#include <sys/uio.h>
#include <unistd.h>

namespace corowasm::wasi {

using namespace abi;

namespace {

uint16_t fdflags_of(const FdEntry& e) {
  int fl = fcntl(e.host, F_GETFL);
  uint16_t out = e.nonblock ? FDFLAG_NONBLOCK : 0;
  if (fl < 0) return out;
  if (fl & O_APPEND) out |= FDFLAG_APPEND;
  if ((fl & O_SYNC) == O_SYNC) out |= FDFLAG_SYNC | FDFLAG_RSYNC;
  else if (fl & O_DSYNC) out |= FDFLAG_DSYNC;
  return out;
}

timespec to_timespec(uint64_t ns) { return {time_t(ns / 1'000'000'000u), long(ns % 1'000'000'000u)}; }

}  // namespace

// Shared with path_filestat_set_times: the two timespecs of utimensat for WASI fst flags.
bool utimens_of(uint64_t atim, uint64_t mtim, uint32_t flags, timespec out[2]) {
  if (((flags & FST_ATIM) && (flags & FST_ATIM_NOW)) || ((flags & FST_MTIM) && (flags & FST_MTIM_NOW)) ||
      (flags & ~uint32_t(15)))
    return false;
  out[0] = flags & FST_ATIM_NOW ? timespec{0, UTIME_NOW} : flags & FST_ATIM ? to_timespec(atim) : timespec{0, UTIME_OMIT};
  out[1] = flags & FST_MTIM_NOW ? timespec{0, UTIME_NOW} : flags & FST_MTIM ? to_timespec(mtim) : timespec{0, UTIME_OMIT};
  return true;
}

void store_filestat(const GuestMem& mem, uint32_t ptr, const struct stat& st, int host_fd) {
  auto b = mem.bytes(ptr, kFilestatSize);
  std::fill(b.begin(), b.end(), 0);
  auto put64 = [&](uint32_t off, uint64_t v) { std::memcpy(b.data() + off, &v, 8); };
  put64(0, uint64_t(st.st_dev));
  put64(8, uint64_t(st.st_ino));
  b[16] = filetype_of(st.st_mode, host_fd);
  put64(24, uint64_t(st.st_nlink));
  put64(32, uint64_t(st.st_size));
  auto ns = [](const timespec& t) { return uint64_t(t.tv_sec) * 1'000'000'000u + uint64_t(t.tv_nsec); };
  put64(40, ns(st.st_atim));
  put64(48, ns(st.st_mtim));
  put64(56, ns(st.st_ctim));
}

namespace {

// fd_read and fd_write, as all four bodies begin: the descriptor with the right for the
// direction, then the count pointer in bounds, so that a bad one traps before anything moves.
// The guest's memory is looked at after the descriptor (a bad fd is ERRNO_BADF either way).
struct Stream {
  Errno err = ERRNO_SUCCESS;
  FdEntry* e = nullptr;
  std::optional<GuestMem> mem;
};

Stream begin_stream(State& st, Caller& c, uint32_t fd, bool write, uint32_t count_ptr) {
  Stream s;
  if ((s.err = st.get(fd, write ? RIGHT_FD_WRITE : RIGHT_FD_READ, s.e))) return s;
  s.mem.emplace(c);
  s.mem->bytes(count_ptr, 4);
  return s;
}

// Without an executor (call_sync): one transfer, blocking the thread as a blocking-mode guest
// asked; one with FDFLAGS_NONBLOCK gets ERRNO_AGAIN instead.
uint32_t stream(State& st, Caller& c, uint32_t fd, bool write, uint32_t iovs, uint32_t n, uint32_t count_ptr) {
  Stream s = begin_stream(st, c, fd, write, count_ptr);
  if (s.err) return s.err;
  return store_count(*s.mem, count_ptr, transfer(*s.e, *s.mem, iovs, n, 0, write, s.e->nonblock));
}

// Under an executor pipes, terminals and sockets never block the thread: the guest suspends
// until they are ready (io.cpp). Files that cannot be waited on never block anyway.
asio::awaitable<uint32_t> stream_async(State& st, Caller& c, uint32_t fd, bool write, uint32_t iovs, uint32_t n,
                                       uint32_t count_ptr) {
  Stream s = begin_stream(st, c, fd, write, count_ptr);
  if (s.err) co_return s.err;
  const GuestMem& mem = *s.mem;
  if (!s.e->waitable) co_return store_count(mem, count_ptr, transfer(*s.e, mem, iovs, n, 0, write, false));
  Moved m = write ? co_await write_async(st, fd, st.fds[fd], mem, iovs, n)
                  : co_await read_async(st, fd, st.fds[fd], mem, iovs, n);
  co_return store_count(mem, count_ptr, m);
}

}  // namespace

uint32_t impl::fd_read(State& st, Caller& c, uint32_t fd, uint32_t iovs, uint32_t n, uint32_t nread) {
  return stream(st, c, fd, false, iovs, n, nread);
}

uint32_t impl::fd_write(State& st, Caller& c, uint32_t fd, uint32_t iovs, uint32_t n, uint32_t nwritten) {
  return stream(st, c, fd, true, iovs, n, nwritten);
}

asio::awaitable<uint32_t> impl::fd_read_async(State& st, Caller& c, uint32_t fd, uint32_t iovs, uint32_t n,
                                              uint32_t nread) {
  return stream_async(st, c, fd, false, iovs, n, nread);
}

asio::awaitable<uint32_t> impl::fd_write_async(State& st, Caller& c, uint32_t fd, uint32_t iovs, uint32_t n,
                                               uint32_t nwritten) {
  return stream_async(st, c, fd, true, iovs, n, nwritten);
}

uint32_t impl::fd_pread(State& st, Caller& c, uint32_t fd, uint32_t iovs, uint32_t n, uint64_t offset, uint32_t nread) {
  FdEntry* e;
  if (Errno err = st.get(fd, RIGHT_FD_READ | RIGHT_FD_SEEK, e)) return err;
  if (offset > uint64_t(INT64_MAX)) return ERRNO_INVAL;
  GuestMem mem(c);
  auto bufs = mem.host_iovecs(iovs, n);
  return store_count(mem, nread, ::preadv(e->host, bufs.data(), int(bufs.size()), off_t(offset)));
}

uint32_t impl::fd_pwrite(State& st, Caller& c, uint32_t fd, uint32_t iovs, uint32_t n, uint64_t offset,
                         uint32_t nwritten) {
  FdEntry* e;
  if (Errno err = st.get(fd, RIGHT_FD_WRITE | RIGHT_FD_SEEK, e)) return err;
  if (offset > uint64_t(INT64_MAX)) return ERRNO_INVAL;
  GuestMem mem(c);
  auto bufs = mem.host_iovecs(iovs, n);
  return store_count(mem, nwritten, ::pwritev(e->host, bufs.data(), int(bufs.size()), off_t(offset)));
}

uint32_t impl::fd_seek(State& st, Caller& c, uint32_t fd, uint64_t offset, uint32_t whence, uint32_t newoffset) {
  // Asking where we are is fd_tell's right; moving needs fd_seek's.
  Rights need = (offset == 0 && whence == WHENCE_CUR) ? RIGHT_FD_TELL : RIGHT_FD_SEEK;
  FdEntry* e;
  if (Errno err = st.get(fd, need, e)) return err;
  int w = whence == WHENCE_SET ? SEEK_SET : whence == WHENCE_CUR ? SEEK_CUR : whence == WHENCE_END ? SEEK_END : -1;
  if (w < 0) return ERRNO_INVAL;
  GuestMem mem(c);
  mem.bytes(newoffset, 8);
  off_t r = ::lseek(e->host, off_t(offset), w);
  if (r < 0) return last_errno();
  mem.store<uint64_t>(newoffset, uint64_t(r));
  return ERRNO_SUCCESS;
}

uint32_t impl::fd_tell(State& st, Caller& c, uint32_t fd, uint32_t offset_ptr) {
  FdEntry* e;
  if (Errno err = st.get(fd, RIGHT_FD_TELL, e)) return err;
  off_t r = ::lseek(e->host, 0, SEEK_CUR);
  if (r < 0) return last_errno();
  GuestMem(c).store<uint64_t>(offset_ptr, uint64_t(r));
  return ERRNO_SUCCESS;
}

uint32_t impl::fd_close(State& st, Caller&, uint32_t fd) {
  FdEntry* e;
  if (Errno err = st.get(fd, 0, e)) return err;
  st.fds[fd].reset();
  return ERRNO_SUCCESS;
}

uint32_t impl::fd_renumber(State& st, Caller&, uint32_t from, uint32_t to) {
  FdEntry* e;
  if (Errno err = st.get(from, 0, e)) return err;
  if (Errno err = st.get(to, 0, e)) return err;
  if (from != to) st.fds[to] = std::move(st.fds[from]);
  return ERRNO_SUCCESS;
}

uint32_t impl::fd_sync(State& st, Caller&, uint32_t fd) {
  FdEntry* e;
  if (Errno err = st.get(fd, RIGHT_FD_SYNC, e)) return err;
  return ::fsync(e->host) == 0 ? ERRNO_SUCCESS : last_errno();
}

uint32_t impl::fd_datasync(State& st, Caller&, uint32_t fd) {
  FdEntry* e;
  if (Errno err = st.get(fd, RIGHT_FD_DATASYNC, e)) return err;
  return ::fdatasync(e->host) == 0 ? ERRNO_SUCCESS : last_errno();
}

uint32_t impl::fd_advise(State& st, Caller&, uint32_t fd, uint64_t offset, uint64_t len, uint32_t advice) {
  FdEntry* e;
  if (Errno err = st.get(fd, RIGHT_FD_ADVISE, e)) return err;
  static constexpr int kAdvice[] = {POSIX_FADV_NORMAL, POSIX_FADV_SEQUENTIAL, POSIX_FADV_RANDOM,
                                    POSIX_FADV_WILLNEED, POSIX_FADV_DONTNEED, POSIX_FADV_NOREUSE};
  if (advice > ADVICE_NOREUSE || offset > uint64_t(INT64_MAX) || len > uint64_t(INT64_MAX)) return ERRNO_INVAL;
  return to_wasi_errno(::posix_fadvise(e->host, off_t(offset), off_t(len), kAdvice[advice]));
}

uint32_t impl::fd_allocate(State& st, Caller&, uint32_t fd, uint64_t offset, uint64_t len) {
  FdEntry* e;
  if (Errno err = st.get(fd, RIGHT_FD_ALLOCATE, e)) return err;
  if (offset > uint64_t(INT64_MAX) || len == 0 || len > uint64_t(INT64_MAX) - offset) return ERRNO_INVAL;
  return to_wasi_errno(::posix_fallocate(e->host, off_t(offset), off_t(len)));
}

uint32_t impl::fd_fdstat_get(State& st, Caller& c, uint32_t fd, uint32_t ptr) {
  FdEntry* e;
  if (Errno err = st.get(fd, 0, e)) return err;
  GuestMem mem(c);
  auto out = mem.bytes(ptr, kFdstatSize);
  std::fill(out.begin(), out.end(), 0);
  out[0] = e->type;
  uint16_t flags = fdflags_of(*e);
  std::memcpy(out.data() + 2, &flags, 2);
  std::memcpy(out.data() + 8, &e->base, 8);
  std::memcpy(out.data() + 16, &e->inheriting, 8);
  return ERRNO_SUCCESS;
}

uint32_t impl::fd_fdstat_set_flags(State& st, Caller&, uint32_t fd, uint32_t flags) {
  FdEntry* e;
  if (Errno err = st.get(fd, RIGHT_FD_FDSTAT_SET_FLAGS, e)) return err;
  if (flags & ~uint32_t(FDFLAG_APPEND | FDFLAG_NONBLOCK | FDFLAG_DSYNC | FDFLAG_RSYNC | FDFLAG_SYNC)) return ERRNO_INVAL;
  // Linux cannot change the sync flags of an open file.
  if ((flags & (FDFLAG_DSYNC | FDFLAG_RSYNC | FDFLAG_SYNC)) !=
      (fdflags_of(*e) & (FDFLAG_DSYNC | FDFLAG_RSYNC | FDFLAG_SYNC)))
    return ERRNO_NOTSUP;
  int fl = fcntl(e->host, F_GETFL);
  if (fl < 0) return last_errno();
  int want = (flags & FDFLAG_APPEND) ? (fl | O_APPEND) : (fl & ~O_APPEND);
  if (want != fl && fcntl(e->host, F_SETFL, want) != 0) return last_errno();
  e->nonblock = flags & FDFLAG_NONBLOCK;  // the guest's alone: see FdEntry::nonblock
  return ERRNO_SUCCESS;
}

uint32_t impl::fd_fdstat_set_rights(State& st, Caller&, uint32_t fd, uint64_t base, uint64_t inheriting) {
  FdEntry* e;
  if (Errno err = st.get(fd, 0, e)) return err;
  // Rights can only be dropped.
  if ((base & ~e->base) || (inheriting & ~e->inheriting)) return ERRNO_NOTCAPABLE;
  e->base = base;
  e->inheriting = inheriting;
  return ERRNO_SUCCESS;
}

uint32_t impl::fd_filestat_get(State& st, Caller& c, uint32_t fd, uint32_t ptr) {
  FdEntry* e;
  if (Errno err = st.get(fd, RIGHT_FD_FILESTAT_GET, e)) return err;
  struct stat s {};
  if (::fstat(e->host, &s) != 0) return last_errno();
  store_filestat(GuestMem(c), ptr, s, e->host);
  return ERRNO_SUCCESS;
}

uint32_t impl::fd_filestat_set_size(State& st, Caller&, uint32_t fd, uint64_t size) {
  FdEntry* e;
  if (Errno err = st.get(fd, RIGHT_FD_FILESTAT_SET_SIZE, e)) return err;
  if (size > uint64_t(INT64_MAX)) return ERRNO_INVAL;
  return ::ftruncate(e->host, off_t(size)) == 0 ? ERRNO_SUCCESS : last_errno();
}

uint32_t impl::fd_filestat_set_times(State& st, Caller&, uint32_t fd, uint64_t atim, uint64_t mtim, uint32_t flags) {
  FdEntry* e;
  if (Errno err = st.get(fd, RIGHT_FD_FILESTAT_SET_TIMES, e)) return err;
  timespec ts[2];
  if (!utimens_of(atim, mtim, flags, ts)) return ERRNO_INVAL;
  return ::futimens(e->host, ts) == 0 ? ERRNO_SUCCESS : last_errno();
}

uint32_t impl::fd_prestat_get(State& st, Caller& c, uint32_t fd, uint32_t ptr) {
  FdEntry* e;
  if (Errno err = st.get(fd, 0, e)) return err;
  if (e->preopen_name.empty()) return ERRNO_BADF;  // how wasi-libc knows the preopens have ended
  GuestMem mem(c);
  auto out = mem.bytes(ptr, kPrestatSize);
  std::fill(out.begin(), out.end(), 0);
  out[0] = PREOPENTYPE_DIR;
  uint32_t len = uint32_t(e->preopen_name.size());
  std::memcpy(out.data() + 4, &len, 4);
  return ERRNO_SUCCESS;
}

uint32_t impl::fd_prestat_dir_name(State& st, Caller& c, uint32_t fd, uint32_t path, uint32_t len) {
  FdEntry* e;
  if (Errno err = st.get(fd, 0, e)) return err;
  if (e->preopen_name.empty()) return ERRNO_BADF;
  if (len < e->preopen_name.size()) return ERRNO_NAMETOOLONG;
  auto out = GuestMem(c).bytes(path, uint32_t(e->preopen_name.size()));
  std::memcpy(out.data(), e->preopen_name.data(), out.size());
  return ERRNO_SUCCESS;
}

uint32_t impl::fd_readdir(State& st, Caller& c, uint32_t fd, uint32_t buf, uint32_t buf_len, uint64_t cookie,
                          uint32_t bufused) {
  FdEntry* e;
  if (Errno err = st.get(fd, RIGHT_FD_READDIR, e)) return err;
  GuestMem mem(c);
  auto out = mem.bytes(buf, buf_len);
  mem.bytes(bufused, 4);
  if (cookie == 0 || e->listing.empty()) {
    // A fresh listing from the start; cookies index into it until the guest rewinds.
    int d = fcntl(e->host, F_DUPFD_CLOEXEC, 3);
    if (d < 0) return last_errno();
    DIR* dir = fdopendir(d);
    if (!dir) {
      Errno err = last_errno();
      ::close(d);
      return err;
    }
    rewinddir(dir);
    e->listing.clear();
    while (dirent* de = readdir(dir)) {
      Filetype t = FILETYPE_UNKNOWN;
      switch (de->d_type) {
        case DT_REG: t = FILETYPE_REGULAR_FILE; break;
        case DT_DIR: t = FILETYPE_DIRECTORY; break;
        case DT_LNK: t = FILETYPE_SYMBOLIC_LINK; break;
        case DT_CHR: t = FILETYPE_CHARACTER_DEVICE; break;
        case DT_BLK: t = FILETYPE_BLOCK_DEVICE; break;
        case DT_SOCK: t = FILETYPE_SOCKET_STREAM; break;
        default: {
          struct stat s {};
          if (fstatat(e->host, de->d_name, &s, AT_SYMLINK_NOFOLLOW) == 0) t = filetype_of(s.st_mode);
        }
      }
      e->listing.push_back({de->d_name, uint64_t(de->d_ino), t});
    }
    closedir(dir);
  }
  // Entries from `cookie` on, each header + name; the last one is cut at the buffer's end,
  // which tells the guest to come back with the last complete entry's d_next.
  size_t used = 0;
  for (uint64_t i = cookie; i < e->listing.size() && used < out.size(); ++i) {
    const auto& ent = e->listing[i];
    uint8_t header[kDirentSize] = {};
    uint64_t next = i + 1;
    uint32_t namlen = uint32_t(ent.name.size());
    std::memcpy(header, &next, 8);
    std::memcpy(header + 8, &ent.ino, 8);
    std::memcpy(header + 16, &namlen, 4);
    header[20] = ent.type;
    size_t n = std::min<size_t>(kDirentSize, out.size() - used);
    std::memcpy(out.data() + used, header, n);
    used += n;
    n = std::min<size_t>(ent.name.size(), out.size() - used);
    std::memcpy(out.data() + used, ent.name.data(), n);
    used += n;
  }
  mem.store<uint32_t>(bufused, uint32_t(used));
  return ERRNO_SUCCESS;
}

}  // namespace corowasm::wasi
