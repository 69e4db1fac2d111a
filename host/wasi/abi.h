// The wasi_snapshot_preview1 ABI: constants and struct layouts as the witx spec gives them
// (wasm32, little-endian). Offsets are those of wasi-libc's <wasi/api.h> static asserts.
#pragma once

#include <cstdint>

namespace corowasm::wasi::abi {

enum Errno : uint16_t {
  ERRNO_SUCCESS = 0, ERRNO_2BIG = 1, ERRNO_ACCES = 2, ERRNO_ADDRINUSE = 3, ERRNO_ADDRNOTAVAIL = 4, ERRNO_AFNOSUPPORT = 5,
  ERRNO_AGAIN = 6, ERRNO_ALREADY = 7, ERRNO_BADF = 8, ERRNO_BADMSG = 9, ERRNO_BUSY = 10, ERRNO_CANCELED = 11, ERRNO_CHILD = 12,
  ERRNO_CONNABORTED = 13, ERRNO_CONNREFUSED = 14, ERRNO_CONNRESET = 15, ERRNO_DEADLK = 16, ERRNO_DESTADDRREQ = 17,
  ERRNO_DOM = 18, ERRNO_DQUOT = 19, ERRNO_EXIST = 20, ERRNO_FAULT = 21, ERRNO_FBIG = 22, ERRNO_HOSTUNREACH = 23, ERRNO_IDRM = 24,
  ERRNO_ILSEQ = 25, ERRNO_INPROGRESS = 26, ERRNO_INTR = 27, ERRNO_INVAL = 28, ERRNO_IO = 29, ERRNO_ISCONN = 30, ERRNO_ISDIR = 31,
  ERRNO_LOOP = 32, ERRNO_MFILE = 33, ERRNO_MLINK = 34, ERRNO_MSGSIZE = 35, ERRNO_MULTIHOP = 36, ERRNO_NAMETOOLONG = 37,
  ERRNO_NETDOWN = 38, ERRNO_NETRESET = 39, ERRNO_NETUNREACH = 40, ERRNO_NFILE = 41, ERRNO_NOBUFS = 42, ERRNO_NODEV = 43,
  ERRNO_NOENT = 44, ERRNO_NOEXEC = 45, ERRNO_NOLCK = 46, ERRNO_NOLINK = 47, ERRNO_NOMEM = 48, ERRNO_NOMSG = 49,
  ERRNO_NOPROTOOPT = 50, ERRNO_NOSPC = 51, ERRNO_NOSYS = 52, ERRNO_NOTCONN = 53, ERRNO_NOTDIR = 54, ERRNO_NOTEMPTY = 55,
  ERRNO_NOTRECOVERABLE = 56, ERRNO_NOTSOCK = 57, ERRNO_NOTSUP = 58, ERRNO_NOTTY = 59, ERRNO_NXIO = 60, ERRNO_OVERFLOW = 61,
  ERRNO_OWNERDEAD = 62, ERRNO_PERM = 63, ERRNO_PIPE = 64, ERRNO_PROTO = 65, ERRNO_PROTONOSUPPORT = 66, ERRNO_PROTOTYPE = 67,
  ERRNO_RANGE = 68, ERRNO_ROFS = 69, ERRNO_SPIPE = 70, ERRNO_SRCH = 71, ERRNO_STALE = 72, ERRNO_TIMEDOUT = 73, ERRNO_TXTBSY = 74,
  ERRNO_XDEV = 75, ERRNO_NOTCAPABLE = 76,
};

enum Filetype : uint8_t {
  FILETYPE_UNKNOWN = 0, FILETYPE_BLOCK_DEVICE = 1, FILETYPE_CHARACTER_DEVICE = 2,
  FILETYPE_DIRECTORY = 3, FILETYPE_REGULAR_FILE = 4, FILETYPE_SOCKET_DGRAM = 5,
  FILETYPE_SOCKET_STREAM = 6, FILETYPE_SYMBOLIC_LINK = 7,
};

enum Clock : uint32_t { CLOCKID_REALTIME = 0, CLOCKID_MONOTONIC = 1, CLOCKID_PROCESS_CPUTIME = 2, CLOCKID_THREAD_CPUTIME = 3 };
enum Whence : uint8_t { WHENCE_SET = 0, WHENCE_CUR = 1, WHENCE_END = 2 };

// Rights: bit n is the n-th right of the spec.
using Rights = uint64_t;
enum : Rights {
  RIGHT_FD_DATASYNC = 1ull << 0, RIGHT_FD_READ = 1ull << 1, RIGHT_FD_SEEK = 1ull << 2,
  RIGHT_FD_FDSTAT_SET_FLAGS = 1ull << 3, RIGHT_FD_SYNC = 1ull << 4, RIGHT_FD_TELL = 1ull << 5,
  RIGHT_FD_WRITE = 1ull << 6, RIGHT_FD_ADVISE = 1ull << 7, RIGHT_FD_ALLOCATE = 1ull << 8,
  RIGHT_PATH_CREATE_DIRECTORY = 1ull << 9, RIGHT_PATH_CREATE_FILE = 1ull << 10,
  RIGHT_PATH_LINK_SOURCE = 1ull << 11, RIGHT_PATH_LINK_TARGET = 1ull << 12,
  RIGHT_PATH_OPEN = 1ull << 13, RIGHT_FD_READDIR = 1ull << 14, RIGHT_PATH_READLINK = 1ull << 15,
  RIGHT_PATH_RENAME_SOURCE = 1ull << 16, RIGHT_PATH_RENAME_TARGET = 1ull << 17,
  RIGHT_PATH_FILESTAT_GET = 1ull << 18, RIGHT_PATH_FILESTAT_SET_SIZE = 1ull << 19,
  RIGHT_PATH_FILESTAT_SET_TIMES = 1ull << 20, RIGHT_FD_FILESTAT_GET = 1ull << 21,
  RIGHT_FD_FILESTAT_SET_SIZE = 1ull << 22, RIGHT_FD_FILESTAT_SET_TIMES = 1ull << 23,
  RIGHT_PATH_SYMLINK = 1ull << 24, RIGHT_PATH_REMOVE_DIRECTORY = 1ull << 25,
  RIGHT_PATH_UNLINK_FILE = 1ull << 26, RIGHT_POLL_FD_READWRITE = 1ull << 27,
  RIGHT_SOCK_SHUTDOWN = 1ull << 28, RIGHT_SOCK_ACCEPT = 1ull << 29,
  RIGHTS_ALL = (1ull << 30) - 1,
  // What modifies the file system or a file: withheld by read-only preopens.
  RIGHTS_WRITING = RIGHT_FD_DATASYNC | RIGHT_FD_WRITE | RIGHT_FD_ALLOCATE | RIGHT_FD_SYNC |
                   RIGHT_PATH_CREATE_DIRECTORY | RIGHT_PATH_CREATE_FILE | RIGHT_PATH_LINK_SOURCE |
                   RIGHT_PATH_LINK_TARGET | RIGHT_PATH_RENAME_SOURCE | RIGHT_PATH_RENAME_TARGET |
                   RIGHT_PATH_FILESTAT_SET_SIZE | RIGHT_PATH_FILESTAT_SET_TIMES |
                   RIGHT_FD_FILESTAT_SET_SIZE | RIGHT_FD_FILESTAT_SET_TIMES | RIGHT_PATH_SYMLINK |
                   RIGHT_PATH_REMOVE_DIRECTORY | RIGHT_PATH_UNLINK_FILE,
  // Rights that only mean something on a directory.
  RIGHTS_DIRECTORY = RIGHT_PATH_CREATE_DIRECTORY | RIGHT_PATH_CREATE_FILE | RIGHT_PATH_LINK_SOURCE |
                     RIGHT_PATH_LINK_TARGET | RIGHT_PATH_OPEN | RIGHT_FD_READDIR | RIGHT_PATH_READLINK |
                     RIGHT_PATH_RENAME_SOURCE | RIGHT_PATH_RENAME_TARGET | RIGHT_PATH_FILESTAT_GET |
                     RIGHT_PATH_FILESTAT_SET_SIZE | RIGHT_PATH_FILESTAT_SET_TIMES | RIGHT_PATH_SYMLINK |
                     RIGHT_PATH_REMOVE_DIRECTORY | RIGHT_PATH_UNLINK_FILE,
};

enum FdFlags : uint16_t { FDFLAG_APPEND = 1, FDFLAG_DSYNC = 2, FDFLAG_NONBLOCK = 4, FDFLAG_RSYNC = 8, FDFLAG_SYNC = 16 };
enum OFlags : uint16_t { OFLAG_CREAT = 1, OFLAG_DIRECTORY = 2, OFLAG_EXCL = 4, OFLAG_TRUNC = 8 };
enum LookupFlags : uint32_t { LOOKUP_SYMLINK_FOLLOW = 1 };
enum FstFlags : uint16_t { FST_ATIM = 1, FST_ATIM_NOW = 2, FST_MTIM = 4, FST_MTIM_NOW = 8 };
enum EventType : uint8_t { EVENT_CLOCK = 0, EVENT_FD_READ = 1, EVENT_FD_WRITE = 2 };
enum : uint16_t { EVENT_FD_READWRITE_HANGUP = 1 };
enum : uint16_t { SUBSCRIPTION_CLOCK_ABSTIME = 1 };
enum : uint16_t { RIFLAG_RECV_PEEK = 1, RIFLAG_RECV_WAITALL = 2 };
enum : uint16_t { ROFLAG_RECV_DATA_TRUNCATED = 1 };
enum : uint8_t { SDFLAG_RD = 1, SDFLAG_WR = 2 };
enum : uint8_t { PREOPENTYPE_DIR = 0 };
enum : uint8_t { ADVICE_NORMAL = 0, ADVICE_SEQUENTIAL, ADVICE_RANDOM, ADVICE_WILLNEED, ADVICE_DONTNEED, ADVICE_NOREUSE };

// Struct sizes and field offsets.
constexpr uint32_t kIovecSize = 8;           // buf u32 @0, buf_len u32 @4
constexpr uint32_t kFdstatSize = 24;         // filetype u8 @0, flags u16 @2, rights_base @8, rights_inheriting @16
constexpr uint32_t kFilestatSize = 64;       // dev @0, ino @8, filetype u8 @16, nlink @24, size @32, atim @40, mtim @48, ctim @56
constexpr uint32_t kPrestatSize = 8;         // tag u8 @0, name_len u32 @4
constexpr uint32_t kDirentSize = 24;         // d_next @0, d_ino @8, d_namlen u32 @16, d_type u8 @20, then the name
constexpr uint32_t kSubscriptionSize = 48;   // userdata @0, tag u8 @8, union @16: clock {id u32 @16,
                                             // timeout @24, precision @32, flags u16 @40} | fd u32 @16
constexpr uint32_t kEventSize = 32;          // userdata @0, error u16 @8, type u8 @10, nbytes @16, flags u16 @24

}  // namespace corowasm::wasi::abi
