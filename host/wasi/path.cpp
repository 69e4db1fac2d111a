// The path_ family, and the sandbox: every guest path is resolved by the kernel beneath the
// directory descriptor it is relative to (openat2 with RESOLVE_BENEATH). The kernel refuses
// absolute paths, ".." above the start and symlinks leading out (EXDEV, reported as
// ERRNO_NOTCAPABLE), in the same system call that opens the result: no window between a check and
// its use. Operations on a final component (mkdir, unlink, rename, link, readlink, stat
// without following) resolve the parent that way and then act on one name relative to it,
// never following it.
#include "functions.h"

#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/syscall.h>
#include <unistd.h>

namespace corowasm::wasi {

using namespace abi;

bool utimens_of(uint64_t atim, uint64_t mtim, uint32_t flags, timespec out[2]);

namespace {

Errno beneath_errno(int e) {
  // EXDEV: the path leaves the directory (ELOOP, from RESOLVE_NO_MAGICLINKS, maps as usual).
  if (e == EXDEV) return ERRNO_NOTCAPABLE;
  return to_wasi_errno(e);
}

// openat2(dirfd, path, RESOLVE_BENEATH). Returns the fd, or -1 with *err set.
int open_beneath(int dirfd, const std::string& path, int flags, mode_t mode, Errno* err) {
  open_how how{};
  how.flags = uint64_t(flags | O_CLOEXEC);
  how.mode = (flags & O_CREAT) ? mode : 0;
  how.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS;
  for (int attempt = 0;; ++attempt) {
    long r = syscall(SYS_openat2, dirfd, path.c_str(), &how, sizeof how);
    if (r >= 0) return int(r);
    // EAGAIN: a concurrent rename raced the lookup; the kernel asks to retry.
    if ((errno == EAGAIN && attempt < 16) || errno == EINTR) continue;
    *err = errno == ENOSYS ? ERRNO_NOSYS : beneath_errno(errno);
    return -1;
  }
}

// A path split into the directory that holds its last component (opened beneath the guest's
// directory) and that component.
struct Parent {
  int fd = -1;
  bool owned = false;
  std::string name;
  Parent() = default;
  Parent(const Parent&) = delete;
  Parent& operator=(const Parent&) = delete;
  ~Parent() {
    if (owned) ::close(fd);
  }
};

Errno resolve_parent(const FdEntry& dir, const std::string& path, Parent& out) {
  if (path.empty()) return ERRNO_NOENT;
  if (path[0] == '/') return ERRNO_NOTCAPABLE;  // absolute: outside every preopen
  size_t end = path.size();
  while (end > 0 && path[end - 1] == '/') --end;
  size_t slash = path.rfind('/', end - 1);
  size_t begin = slash == std::string::npos ? 0 : slash + 1;
  std::string parent = path.substr(0, begin == 0 ? 0 : slash);
  // The trailing slash stays on the name: "file/" must be a directory, as for the host.
  out.name = path.substr(begin);
  // A last component "." or ".." needs no check here: the kernel refuses to create, remove,
  // rename or link those names, and lookups that would resolve them go through
  // open_beneath (see resolve_fully).
  Errno err = ERRNO_SUCCESS;
  if (parent.empty()) {
    out.fd = dir.host;
    return ERRNO_SUCCESS;
  }
  out.fd = open_beneath(dir.host, parent, O_PATH | O_DIRECTORY, 0, &err);
  if (out.fd < 0) return err;
  out.owned = true;
  return ERRNO_SUCCESS;
}

// Whether a lookup of `path` must resolve its last component fully: it ends in "/" (the kernel
// then follows a symlink there even when asked not to) or in "." or "..". Such paths go
// through open_beneath, which keeps whatever they lead to beneath the directory.
bool resolve_fully(const std::string& path) {
  if (!path.empty() && path.back() == '/') return true;
  size_t slash = path.rfind('/');
  std::string last = slash == std::string::npos ? path : path.substr(slash + 1);
  return last == "." || last == "..";
}

// The guest-visible rights check for a path operation on directory fd `fd`.
Errno dir_entry(State& st, uint32_t fd, Rights needed, FdEntry*& e) {
  if (Errno err = st.get(fd, needed, e)) return err;
  if (e->type != FILETYPE_DIRECTORY) return ERRNO_NOTDIR;
  return ERRNO_SUCCESS;
}

// Whether a symlink's target, read from the directory that holds the link (`link_path`'s
// parent), stays inside the preopen lexically. A courtesy, not the sandbox: chains of links
// can still spell an outward one, and that is harmless because every lookup that follows a
// link is confined by the kernel (open_beneath). It keeps obvious outward links from being
// planted for other programs on the host.
bool target_stays_inside(const std::string& link_path, const std::string& target) {
  if (target.empty() || target[0] == '/') return false;
  long depth = 0;
  auto walk = [&](const std::string& p, bool skip_last) {
    size_t i = 0;
    std::vector<std::string> parts;
    while (i <= p.size()) {
      size_t j = p.find('/', i);
      if (j == std::string::npos) j = p.size();
      parts.push_back(p.substr(i, j - i));
      i = j + 1;
    }
    if (skip_last && !parts.empty()) parts.pop_back();
    for (const std::string& c : parts) {
      if (c.empty() || c == ".") continue;
      if (c == "..") {
        if (--depth < 0) return false;
      } else {
        ++depth;
      }
    }
    return true;
  };
  return walk(link_path, true) && walk(target, false);
}

// An O_PATH descriptor for what `path` names, resolved beneath `dir`: its last component
// followed when `follow` (or when the path makes the kernel follow it, see resolve_fully).
int open_lookup(const FdEntry& dir, const std::string& path, bool follow, Errno* err) {
  return open_beneath(dir.host, path, O_PATH | (follow ? 0 : O_NOFOLLOW), 0, err);
}

// path_rename and path_link (without following) put the object at `src` under a new name:
// a symlink among them must stay inside from there, as path_symlink requires of new links.
// Its target is relative to the directory that holds it, so `a/up -> ..` (inside) renamed
// to `up` would point outside. A name with a trailing slash is left to the kernel (which
// refuses to rename a symlink so named; path_link resolves such names, see there).
Errno check_moved_link(const Parent& src, const std::string& new_path) {
  if (!src.name.empty() && src.name.back() == '/') return ERRNO_SUCCESS;
  struct stat s {};
  if (::fstatat(src.fd, src.name.c_str(), &s, AT_SYMLINK_NOFOLLOW) != 0 || !S_ISLNK(s.st_mode))
    return ERRNO_SUCCESS;  // the operation itself reports a missing name
  std::vector<char> target(PATH_MAX + 1);
  ssize_t n = ::readlinkat(src.fd, src.name.c_str(), target.data(), target.size());
  if (n < 0) return last_errno();
  return target_stays_inside(new_path, std::string(target.data(), size_t(n))) ? ERRNO_SUCCESS : ERRNO_NOTCAPABLE;
}

}  // namespace

uint32_t impl::path_open(State& st, Caller& c, uint32_t dirfd, uint32_t dirflags, uint32_t path_ptr,
                         uint32_t path_len, uint32_t oflags, uint64_t rights_base, uint64_t rights_inheriting,
                         uint32_t fdflags, uint32_t fd_ptr) {
  GuestMem mem(c);
  mem.bytes(fd_ptr, 4);
  Rights need = RIGHT_PATH_OPEN;
  if (oflags & OFLAG_CREAT) need |= RIGHT_PATH_CREATE_FILE;
  if (oflags & OFLAG_TRUNC) need |= RIGHT_PATH_FILESTAT_SET_SIZE;
  FdEntry* dir;
  if (Errno err = dir_entry(st, dirfd, need, dir)) return err;
  std::string path;
  if (Errno err = mem.path(path_ptr, path_len, path)) return err;
  if (oflags & ~uint32_t(OFLAG_CREAT | OFLAG_DIRECTORY | OFLAG_EXCL | OFLAG_TRUNC)) return ERRNO_INVAL;
  if (fdflags & ~uint32_t(FDFLAG_APPEND | FDFLAG_DSYNC | FDFLAG_NONBLOCK | FDFLAG_RSYNC | FDFLAG_SYNC)) return ERRNO_INVAL;
  // Writing rights the directory cannot pass on are refused, not silently dropped: a
  // read-only preopen must say so when the guest opens for writing.
  constexpr Rights kWriteRights = RIGHT_FD_WRITE | RIGHT_FD_ALLOCATE | RIGHT_FD_FILESTAT_SET_SIZE | RIGHT_FD_DATASYNC;
  if (rights_base & kWriteRights & ~dir->inheriting) return ERRNO_NOTCAPABLE;
  Rights base = rights_base & dir->inheriting;
  bool read = base & (RIGHT_FD_READ | RIGHT_FD_READDIR);
  bool write = base & kWriteRights;
  int flags = write ? (read ? O_RDWR : O_WRONLY) : O_RDONLY;
  if (oflags & OFLAG_CREAT) flags |= O_CREAT;
  if (oflags & OFLAG_DIRECTORY) flags |= O_DIRECTORY;
  if (oflags & OFLAG_EXCL) flags |= O_EXCL;
  if (oflags & OFLAG_TRUNC) flags |= O_TRUNC;
  if (fdflags & FDFLAG_APPEND) flags |= O_APPEND;
  if (fdflags & FDFLAG_DSYNC) flags |= O_DSYNC;
  if (fdflags & (FDFLAG_SYNC | FDFLAG_RSYNC)) flags |= O_SYNC;
  if (!(dirflags & LOOKUP_SYMLINK_FOLLOW)) flags |= O_NOFOLLOW;
  if (st.full()) return ERRNO_MFILE;
  // Opened non-blocking so that a FIFO without a peer cannot stall the thread in open(2),
  // then switched back: the guest's NONBLOCK lives in the entry.
  Errno err = ERRNO_SUCCESS;
  int fd = open_beneath(dir->host, path, flags | O_NONBLOCK, 0666, &err);
  if (fd < 0) return err;
  fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
  auto entry = make_entry(fd, base, rights_inheriting & dir->inheriting);
  entry->nonblock = fdflags & FDFLAG_NONBLOCK;
  mem.store<uint32_t>(fd_ptr, st.insert(std::move(entry)));
  return ERRNO_SUCCESS;
}

uint32_t impl::path_create_directory(State& st, Caller& c, uint32_t fd, uint32_t path_ptr, uint32_t path_len) {
  FdEntry* dir;
  if (Errno err = dir_entry(st, fd, RIGHT_PATH_CREATE_DIRECTORY, dir)) return err;
  std::string path;
  if (Errno err = GuestMem(c).path(path_ptr, path_len, path)) return err;
  Parent p;
  if (Errno err = resolve_parent(*dir, path, p)) return err;
  return ::mkdirat(p.fd, p.name.c_str(), 0777) == 0 ? ERRNO_SUCCESS : last_errno();
}

uint32_t impl::path_remove_directory(State& st, Caller& c, uint32_t fd, uint32_t path_ptr, uint32_t path_len) {
  FdEntry* dir;
  if (Errno err = dir_entry(st, fd, RIGHT_PATH_REMOVE_DIRECTORY, dir)) return err;
  std::string path;
  if (Errno err = GuestMem(c).path(path_ptr, path_len, path)) return err;
  Parent p;
  if (Errno err = resolve_parent(*dir, path, p)) return err;
  if (::unlinkat(p.fd, p.name.c_str(), AT_REMOVEDIR) == 0) return ERRNO_SUCCESS;
  return errno == EEXIST ? ERRNO_NOTEMPTY : last_errno();
}

uint32_t impl::path_unlink_file(State& st, Caller& c, uint32_t fd, uint32_t path_ptr, uint32_t path_len) {
  FdEntry* dir;
  if (Errno err = dir_entry(st, fd, RIGHT_PATH_UNLINK_FILE, dir)) return err;
  std::string path;
  if (Errno err = GuestMem(c).path(path_ptr, path_len, path)) return err;
  Parent p;
  if (Errno err = resolve_parent(*dir, path, p)) return err;
  return ::unlinkat(p.fd, p.name.c_str(), 0) == 0 ? ERRNO_SUCCESS : last_errno();
}

uint32_t impl::path_filestat_get(State& st, Caller& c, uint32_t fd, uint32_t flags, uint32_t path_ptr,
                                 uint32_t path_len, uint32_t buf) {
  FdEntry* dir;
  if (Errno err = dir_entry(st, fd, RIGHT_PATH_FILESTAT_GET, dir)) return err;
  GuestMem mem(c);
  std::string path;
  if (Errno err = mem.path(path_ptr, path_len, path)) return err;
  struct stat s {};
  if ((flags & LOOKUP_SYMLINK_FOLLOW) || resolve_fully(path)) {
    Errno err = ERRNO_SUCCESS;
    int f = open_lookup(*dir, path, flags & LOOKUP_SYMLINK_FOLLOW, &err);
    if (f < 0) return err;
    int r = ::fstat(f, &s);
    ::close(f);
    if (r != 0) return last_errno();
  } else {
    Parent p;
    if (Errno err = resolve_parent(*dir, path, p)) return err;
    if (::fstatat(p.fd, p.name.c_str(), &s, AT_SYMLINK_NOFOLLOW) != 0) return last_errno();
  }
  store_filestat(mem, buf, s);
  return ERRNO_SUCCESS;
}

uint32_t impl::path_filestat_set_times(State& st, Caller& c, uint32_t fd, uint32_t flags, uint32_t path_ptr,
                                       uint32_t path_len, uint64_t atim, uint64_t mtim, uint32_t fst_flags) {
  FdEntry* dir;
  if (Errno err = dir_entry(st, fd, RIGHT_PATH_FILESTAT_SET_TIMES, dir)) return err;
  std::string path;
  if (Errno err = GuestMem(c).path(path_ptr, path_len, path)) return err;
  timespec ts[2];
  if (!utimens_of(atim, mtim, fst_flags, ts)) return ERRNO_INVAL;
  if ((flags & LOOKUP_SYMLINK_FOLLOW) || resolve_fully(path)) {
    // The file is pinned by an O_PATH descriptor resolved beneath; /proc/self/fd names it.
    Errno err = ERRNO_SUCCESS;
    int f = open_lookup(*dir, path, flags & LOOKUP_SYMLINK_FOLLOW, &err);
    if (f < 0) return err;
    int r = ::utimensat(AT_FDCWD, proc_fd_path(f).c_str(), ts, 0);
    Errno e = r == 0 ? ERRNO_SUCCESS : last_errno();
    ::close(f);
    return e;
  }
  Parent p;
  if (Errno err = resolve_parent(*dir, path, p)) return err;
  return ::utimensat(p.fd, p.name.c_str(), ts, AT_SYMLINK_NOFOLLOW) == 0 ? ERRNO_SUCCESS : last_errno();
}

uint32_t impl::path_link(State& st, Caller& c, uint32_t old_fd, uint32_t old_flags, uint32_t old_ptr,
                         uint32_t old_len, uint32_t new_fd, uint32_t new_ptr, uint32_t new_len) {
  FdEntry *from, *to;
  if (Errno err = dir_entry(st, old_fd, RIGHT_PATH_LINK_SOURCE, from)) return err;
  if (Errno err = dir_entry(st, new_fd, RIGHT_PATH_LINK_TARGET, to)) return err;
  GuestMem mem(c);
  std::string old_path, new_path;
  if (Errno err = mem.path(old_ptr, old_len, old_path)) return err;
  if (Errno err = mem.path(new_ptr, new_len, new_path)) return err;
  Parent dst;
  if (Errno err = resolve_parent(*to, new_path, dst)) return err;
  // A trailing slash or a final "."/".." makes the kernel follow the old name even without
  // AT_SYMLINK_FOLLOW, outside too (ENOTDIR, EPERM or ENOENT would tell what is there): such
  // names are resolved beneath like followed ones.
  if ((old_flags & LOOKUP_SYMLINK_FOLLOW) || resolve_fully(old_path)) {
    Errno err = ERRNO_SUCCESS;
    int f = open_lookup(*from, old_path, old_flags & LOOKUP_SYMLINK_FOLLOW, &err);
    if (f < 0) return err;
    int r = ::linkat(AT_FDCWD, proc_fd_path(f).c_str(), dst.fd, dst.name.c_str(), AT_SYMLINK_FOLLOW);
    Errno e = r == 0 ? ERRNO_SUCCESS : last_errno();
    ::close(f);
    return e;
  }
  Parent src;
  if (Errno err = resolve_parent(*from, old_path, src)) return err;
  if (Errno err = check_moved_link(src, new_path)) return err;
  return ::linkat(src.fd, src.name.c_str(), dst.fd, dst.name.c_str(), 0) == 0 ? ERRNO_SUCCESS : last_errno();
}

uint32_t impl::path_readlink(State& st, Caller& c, uint32_t fd, uint32_t path_ptr, uint32_t path_len, uint32_t buf,
                             uint32_t buf_len, uint32_t bufused) {
  FdEntry* dir;
  if (Errno err = dir_entry(st, fd, RIGHT_PATH_READLINK, dir)) return err;
  GuestMem mem(c);
  std::string path;
  if (Errno err = mem.path(path_ptr, path_len, path)) return err;
  auto out = mem.bytes(buf, buf_len);
  mem.bytes(bufused, 4);
  if (resolve_fully(path)) {
    // The kernel would follow the last component (outside too: ENOTDIR, EINVAL or ENOENT
    // would tell what is there). Resolved beneath instead; what a followed name leads to is
    // never a symlink, which is what the host says of it.
    Errno err = ERRNO_SUCCESS;
    int f = open_lookup(*dir, path, false, &err);
    if (f < 0) return err;
    ::close(f);
    return ERRNO_INVAL;
  }
  Parent p;
  if (Errno err = resolve_parent(*dir, path, p)) return err;
  std::vector<char> target(PATH_MAX + 1);
  ssize_t n = ::readlinkat(p.fd, p.name.c_str(), target.data(), target.size());
  if (n < 0) return last_errno();
  size_t copy = std::min<size_t>(size_t(n), out.size());  // truncated like readlink(2)
  std::memcpy(out.data(), target.data(), copy);
  mem.store<uint32_t>(bufused, uint32_t(copy));
  return ERRNO_SUCCESS;
}

uint32_t impl::path_rename(State& st, Caller& c, uint32_t old_fd, uint32_t old_ptr, uint32_t old_len, uint32_t new_fd,
                           uint32_t new_ptr, uint32_t new_len) {
  FdEntry *from, *to;
  if (Errno err = dir_entry(st, old_fd, RIGHT_PATH_RENAME_SOURCE, from)) return err;
  if (Errno err = dir_entry(st, new_fd, RIGHT_PATH_RENAME_TARGET, to)) return err;
  GuestMem mem(c);
  std::string old_path, new_path;
  if (Errno err = mem.path(old_ptr, old_len, old_path)) return err;
  if (Errno err = mem.path(new_ptr, new_len, new_path)) return err;
  Parent src, dst;
  if (Errno err = resolve_parent(*from, old_path, src)) return err;
  if (Errno err = resolve_parent(*to, new_path, dst)) return err;
  if (Errno err = check_moved_link(src, new_path)) return err;
  return ::renameat(src.fd, src.name.c_str(), dst.fd, dst.name.c_str()) == 0 ? ERRNO_SUCCESS : last_errno();
}

uint32_t impl::path_symlink(State& st, Caller& c, uint32_t old_ptr, uint32_t old_len, uint32_t fd, uint32_t new_ptr,
                            uint32_t new_len) {
  FdEntry* dir;
  if (Errno err = dir_entry(st, fd, RIGHT_PATH_SYMLINK, dir)) return err;
  GuestMem mem(c);
  std::string target, link;
  if (Errno err = mem.path(old_ptr, old_len, target)) return err;
  if (Errno err = mem.path(new_ptr, new_len, link)) return err;
  Parent p;
  if (Errno err = resolve_parent(*dir, link, p)) return err;
  if (!target_stays_inside(link, target)) return ERRNO_NOTCAPABLE;
  return ::symlinkat(target.c_str(), p.fd, p.name.c_str()) == 0 ? ERRNO_SUCCESS : last_errno();
}

}  // namespace corowasm::wasi
