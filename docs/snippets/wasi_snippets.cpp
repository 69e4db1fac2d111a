// The snippets of docs/wasi.md: each region between "// [name]" and "// [/name]" is shown
// there as it is (docs/check_snippets.sh checks it). Compiled by the target docs_snippets.
#include <corowasm/async.h>
#include <corowasm/wasi.h>

#include <cstdio>
#include <optional>
#include <string>
#include <vector>

namespace docs_wasi {

namespace asio = boost::asio;

int run_async(asio::io_context& io, const corowasm::Engine& engine, const corowasm::Module& module) {
  // [async]
  corowasm::wasi::Config cfg;
  cfg.args = {"prog.wasm", "/data/input.txt"};            // argv, argv[0] included
  cfg.env = {"LANG=C"};                                    // nothing from the host unless listed
  cfg.preopens = {{.host_path = "/srv/data", .guest_path = "/data", .read_only = true},
                  {.host_path = "/tmp/out", .guest_path = "/out"}};
  corowasm::wasi::Context wasi(cfg);                       // throws Error if a preopen cannot open
  corowasm::Store store(engine);
  corowasm::Imports imports;
  wasi.define(imports, store, io.get_executor());          // blocking I/O suspends the guest
  corowasm::AsyncInstance guest(io.get_executor(), store.instantiate(module, imports));
  int status = 0;
  guest.async_call("_start", {}, [&](corowasm::error_code ec, std::vector<corowasm::Value>) {
    if (!ec) status = 0;                                                       // _start returned
    else if (ec == corowasm::make_error_code(corowasm::TrapKind::Exit)) status = *wasi.exit_code();
    else status = 134, std::fprintf(stderr, "trap: %s\n", corowasm::last_trap_message(store).c_str());
  });
  io.run();
  // [/async]
  return status;
}

int run_sync(const corowasm::Engine& engine, const corowasm::Module& module) {
  // [sync]
  corowasm::wasi::Config cfg;
  cfg.args = {"prog.wasm"};
  corowasm::wasi::Context wasi(cfg);
  corowasm::Store store(engine);
  corowasm::Imports imports;
  wasi.define(imports, store);                             // no executor: blocking, for call_sync
  try {
    store.instantiate(module, imports).call_sync("_start");
    return 0;
  } catch (const corowasm::Trap& t) {
    if (t.kind() == corowasm::TrapKind::Exit) return *wasi.exit_code();   // proc_exit(code)
    std::fprintf(stderr, "trap: %s\n", t.what());
    return 134;
  }
  // [/sync]
}

void many_guests(int listen_fd) {
  // [config]
  corowasm::wasi::Config cfg;
  cfg.borrow_stdio = true;          // use the host's fds 0-2 as they are: no duplicate per guest
  cfg.stdin_fd = 0;                 // or any host descriptors (a pipe, a socket)
  cfg.sockets = {listen_fd};        // a listening socket: guest fd after the preopens (sock_accept)
  cfg.max_fds = 64;                 // path_open / sock_accept beyond: ERRNO_MFILE
  cfg.max_poll_subscriptions = 256; // more in one poll_oneoff: ERRNO_INVAL
  // [/config]
  (void)cfg;
}

void pipeline_stage(corowasm::wasi::Context& wasi) {
  // [close]
  wasi.close_fds();   // a finished stage closes its end of the pipe now: its reader sees EOF
  for (const std::string& name : corowasm::wasi::function_names()) std::puts(name.c_str());
  // [/close]
}

}  // namespace docs_wasi
