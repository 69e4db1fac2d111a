// WASI preview 1 (wasi_snapshot_preview1) for corowasm guests.
//
//   corowasm::wasi::Config cfg;
//   cfg.args = {"prog.wasm", "input.txt"};
//   cfg.env = {"HOME=/data"};
//   cfg.preopens = {{.host_path = "/srv/data", .guest_path = "/data"}};
//   corowasm::wasi::Context wasi(cfg);
//   corowasm::Store store(engine);
//   corowasm::Imports imports;
//   wasi.define(imports, store, io.get_executor());   // async: blocking reads suspend the guest
//   corowasm::Instance inst = store.instantiate(module, imports);
//   corowasm::AsyncInstance guest(io.get_executor(), inst);
//   guest.async_call("_start", {}, [&](error_code ec, auto) { ... wasi.exit_code() ... });
//
// Sandbox: the guest reaches the host file system only through its preopened directories.
// Every path is resolved by the kernel beneath the preopen (openat2 with RESOLVE_BENEATH):
// "..", absolute paths and symlinks leading outside fail with ERRNO_NOTCAPABLE, atomically,
// with no window between check and use. A read-only preopen hands out no write rights.
//
// Blocking: with an executor, reads and writes on pipes, terminals and sockets, sock_accept and
// poll_oneoff suspend the guest (the async import path) until the descriptor is ready or the
// clock expires, while the executor serves others; regular files use plain syscalls. Without
// an executor everything blocks the calling thread (for call_sync).
//
// proc_exit traps with TrapKind::Exit; exit_code() then holds the code.
#pragma once

#include <corowasm/corowasm.h>

#include <boost/asio/any_io_executor.hpp>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace corowasm::wasi {

struct Preopen {
  std::string host_path;   // a directory on the host
  std::string guest_path;  // the name the guest sees (fd_prestat_dir_name)
  bool read_only = false;
};

struct Config {
  std::vector<std::string> args;     // argv, argv[0] included
  std::vector<std::string> env;      // "KEY=VALUE"
  std::vector<Preopen> preopens;     // guest fds 3, 4, ... in this order
  // Host descriptors for the guest's fds 0, 1, 2. Duplicated by default (the originals stay
  // the host's, and the guest's copies close with it). With `borrow_stdio` they are used as
  // they are: the host keeps them open for as long as the guest may run, and a guest closing
  // one only forgets it. Thousands of guests sharing the host's stdio then cost no descriptors.
  int stdin_fd = 0, stdout_fd = 1, stderr_fd = 2;
  bool borrow_stdio = false;
  // Connected or listening sockets handed to the guest after the preopens (duplicated).
  std::vector<int> sockets;
  // Limits on what a guest can make the host hold. Descriptors open at once, stdio, preopens
  // and sockets included: path_open and sock_accept beyond it fail with ERRNO_MFILE (as they do
  // with ERRNO_MFILE/ERRNO_NFILE when the host process or system runs out first). Subscriptions
  // in one poll_oneoff: more fail with ERRNO_INVAL (poll(2)'s answer to too many fds) before
  // the host allocates anything for them.
  size_t max_fds = 1024;
  size_t max_poll_subscriptions = 4096;
};

class Context {
 public:
  // Opens the preopened directories; throws corowasm::Error naming one that cannot be opened.
  explicit Context(Config config);
  ~Context();
  Context(const Context&) = delete;
  Context& operator=(const Context&) = delete;

  // Define every wasi_snapshot_preview1 function in `imports` as host functions of `store`.
  // The functions share this context's state (fd table, exit code), which they keep alive.
  void define(Imports& imports, Store& store, std::optional<boost::asio::any_io_executor> executor = {});

  // The code passed to proc_exit, once the guest called it.
  std::optional<int> exit_code() const;

  // Close every descriptor the guest has (stdio duplicates, preopens, files, sockets) now,
  // rather than when the last host function holding this state goes with its Store: a finished
  // stage of a pipeline must let its reader see end-of-file. Later WASI calls get EBADF.
  void close_fds();

  struct State;
 private:
  std::shared_ptr<State> state_;
};

// The names of every function of wasi_snapshot_preview1, in the spec's order (the rows of
// host/wasi/functions.def, from which the functions are defined too).
const std::vector<std::string>& function_names();

}  // namespace corowasm::wasi
