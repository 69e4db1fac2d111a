// Every wasi_snapshot_preview1 function called from a guest with garbage: random and edge-case
// pointers, lengths, fds, flags and memory contents. Each call must return an errno of the
// spec or trap (out-of-bounds memory, proc_exit) and never crash the host (the sanitizer build
// runs this too); afterwards nothing outside the writable preopen may have changed, and the
// read-only preopen must be exactly as before. The functions are those of the table
// (host/wasi/functions.def) through wasi::function_names().
#include <corowasm/async.h>
#include <corowasm/wasi.h>
#include <doctest/doctest.h>

#include <boost/asio.hpp>
#include <cstring>
#include <fcntl.h>
#include <unistd.h>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <set>
#include <sstream>

#include "test_util.h"

using namespace corowasm;
namespace asio = boost::asio;
namespace fs = std::filesystem;

namespace {

using unit::leb_u;
using unit::section;

void name(std::vector<uint8_t>& out, const std::string& s) {
  leb_u(out, s.size());
  out.insert(out.end(), s.begin(), s.end());
}

// A module importing each function with exactly the type corowasm defines for it, and
// exporting a forwarder of the same name, plus one page of memory.
std::vector<uint8_t> forwarding_module(const std::vector<std::string>& names, const std::vector<FuncType>& types) {
  std::vector<uint8_t> m = {0, 'a', 's', 'm', 1, 0, 0, 0};
  std::vector<uint8_t> type, imp, func, mem, exp, code;
  const size_t n = names.size();
  leb_u(type, n);
  for (const FuncType& t : types) {
    type.push_back(0x60);
    leb_u(type, t.params.size());
    for (ValType v : t.params) type.push_back(uint8_t(v));
    leb_u(type, t.results.size());
    for (ValType v : t.results) type.push_back(uint8_t(v));
  }
  leb_u(imp, n);
  for (size_t i = 0; i < n; ++i) {
    name(imp, "wasi_snapshot_preview1");
    name(imp, names[i]);
    imp.push_back(0x00);
    leb_u(imp, i);
  }
  leb_u(func, n);
  for (size_t i = 0; i < n; ++i) leb_u(func, i);
  mem = {1, 0x01, 1, 1};  // one memory, exactly one page
  leb_u(exp, n + 1);
  name(exp, "memory");
  exp.push_back(0x02);
  leb_u(exp, 0);
  for (size_t i = 0; i < n; ++i) {
    name(exp, names[i]);
    exp.push_back(0x00);
    leb_u(exp, n + i);
  }
  leb_u(code, n);
  for (size_t i = 0; i < n; ++i) {
    std::vector<uint8_t> body = {0};  // no locals
    for (size_t p = 0; p < types[i].params.size(); ++p) {
      body.push_back(0x20);
      leb_u(body, p);
    }
    body.push_back(0x10);
    leb_u(body, i);
    body.push_back(0x0B);
    leb_u(code, body.size());
    code.insert(code.end(), body.begin(), body.end());
  }
  section(m, 1, type);
  section(m, 2, imp);
  section(m, 3, func);
  section(m, 5, mem);
  section(m, 7, exp);
  section(m, 10, code);
  return m;
}

// Every file under `root` with its size and content hash.
std::map<std::string, std::string> snapshot(const fs::path& root) {
  std::map<std::string, std::string> out;
  for (auto it = fs::recursive_directory_iterator(root); it != fs::recursive_directory_iterator(); ++it) {
    std::string rel = fs::relative(it->path(), root).string();
    if (it->is_symlink()) out[rel] = "link:" + fs::read_symlink(it->path()).string();
    else if (it->is_directory()) out[rel] = "dir";
    else {
      std::ifstream in(it->path(), std::ios::binary);
      std::stringstream ss;
      ss << in.rdbuf();
      out[rel] = "file:" + std::to_string(std::hash<std::string>{}(ss.str()));
    }
  }
  return out;
}

}  // namespace

TEST_CASE("wasi fuzz: every function of the table is defined, with the same type with or without an executor") {
  wasi::Context ctx(wasi::Config{});
  asio::io_context io;
  Engine engine;
  Store store(engine);
  Imports blocking, suspending;
  ctx.define(blocking, store);
  ctx.define(suspending, store, io.get_executor());
  const auto& names = wasi::function_names();
  CHECK(names.size() == 46);
  CHECK(std::set<std::string>(names.begin(), names.end()).size() == names.size());
  for (const std::string& n : names) {
    INFO(n);
    const Extern* b = blocking.find("wasi_snapshot_preview1", n);
    const Extern* s = suspending.find("wasi_snapshot_preview1", n);
    REQUIRE(b);
    REQUIRE(s);
    CHECK(std::get<Func>(*b).type() == std::get<Func>(*s).type());
  }
}

TEST_CASE("wasi fuzz: garbage arguments to every function return an errno or trap") {
  fs::path root = fs::path(COROWASM_TEST_SCRATCH) / "wasi-fuzz";
  fs::remove_all(root);
  fs::create_directories(root / "inside" / "sub");
  fs::create_directories(root / "outside");
  fs::create_directories(root / "ro" / "d");
  std::ofstream(root / "outside" / "secret.txt") << "secret";
  std::ofstream(root / "inside" / "file.txt") << "some text for the guest";
  std::ofstream(root / "ro" / "keep.txt") << "read-only content";
  fs::create_symlink("../outside/secret.txt", root / "inside" / "out_link");
  fs::create_symlink("/etc/passwd", root / "inside" / "abs_link");
  auto outside_before = snapshot(root / "outside");
  auto ro_before = snapshot(root / "ro");

  int devnull = ::open("/dev/null", O_RDWR | O_CLOEXEC);
  REQUIRE(devnull >= 0);
  wasi::Config cfg;
  cfg.args = {"fuzz", "a", "bb"};
  cfg.env = {"K=V"};
  cfg.stdin_fd = cfg.stdout_fd = cfg.stderr_fd = devnull;
  cfg.preopens = {{(root / "inside").string(), "/inside", false}, {(root / "ro").string(), "/ro", true}};
  wasi::Context ctx(cfg);
  ::close(devnull);

  asio::io_context io;
  Engine engine;
  Store store(engine);
  Imports imports;
  ctx.define(imports, store, io.get_executor());
  const auto& names = wasi::function_names();
  REQUIRE(names.size() == 46);
  std::vector<FuncType> types;
  for (const std::string& n : names) {
    const Extern* e = imports.find("wasi_snapshot_preview1", n);
    REQUIRE_MESSAGE(e, "not defined: " << n);
    types.push_back(std::get<Func>(*e).type());
  }
  Module module = engine.compile(forwarding_module(names, types));
  Instance inst = store.instantiate(module, imports);
  AsyncInstance guest(io.get_executor(), inst);
  Memory mem = inst.memory("memory");

  std::mt19937_64 rng(20261123);
  auto pick_i32 = [&]() -> uint32_t {
    static const uint32_t edge[] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 16, 24, 64, 100, 4096, 65535, 65528, 65536,
                                    0x7FFFFFFF, 0x80000000, 0xFFFFFFFF, 0xFFFFFFF8};
    switch (rng() % 4) {
      case 0: return edge[rng() % std::size(edge)];
      case 1: return uint32_t(rng() % 65536);
      case 2: return uint32_t(rng() % 16);
      default: return uint32_t(rng());
    }
  };
  // Lengths and offsets either small or far beyond any disk: nothing in between, so that
  // fd_allocate cannot fill the machine's disk.
  auto pick_i64 = [&]() -> uint64_t {
    switch (rng() % 4) {
      case 0: return rng() % 4096;
      case 1: return 0;
      case 2: return UINT64_MAX - rng() % 4;
      default: return (1ull << 62) + rng() % 1000;
    }
  };
  auto scribble = [&] {
    uint8_t* p = mem.data();
    if (rng() % 64 == 0) {
      for (size_t i = 0; i < 65536; i += 8) {
        uint64_t v = rng();
        std::memcpy(p + i, &v, 8);
      }
    } else if (rng() % 8 == 0) {
      std::memset(p, 0, 65536);
    }
    for (int k = 0; k < 16; ++k) {  // plausible structures: small words at small addresses
      uint32_t at = uint32_t(rng() % 1024) * 4, v = pick_i32();
      std::memcpy(p + at, &v, 4);
    }
    // Sometimes a real path in the scratch page.
    static const char* paths[] = {"file.txt", "sub", "out_link", "abs_link", "..", "../outside/secret.txt",
                                  "sub/../..", "/etc/passwd", "new", "sub/new", "keep.txt", "d"};
    const char* path = paths[rng() % std::size(paths)];
    std::memcpy(p + 60000, path, std::strlen(path));
    return uint32_t(std::strlen(path));
  };
  // (pointer, length) parameter pairs that name paths.
  const std::map<std::string, std::vector<size_t>> path_params = {
      {"path_open", {2}}, {"path_create_directory", {1}}, {"path_remove_directory", {1}},
      {"path_unlink_file", {1}}, {"path_filestat_get", {2}}, {"path_filestat_set_times", {2}},
      {"path_link", {2, 5}}, {"path_readlink", {1}}, {"path_rename", {1, 4}}, {"path_symlink", {0, 3}}};

  std::map<std::string, int> outcomes;
  int calls = 0, errnos = 0, traps = 0, cancelled = 0;
  const int kCalls = 20000;
  for (int i = 0; i < kCalls; ++i) {
    size_t f = rng() % names.size();
    // Mostly other functions than those that end the guest or close its descriptors.
    if ((names[f] == "proc_exit" || names[f] == "fd_close" || names[f] == "fd_renumber" ||
         names[f] == "fd_fdstat_set_rights") && rng() % 64)
      continue;
    uint32_t path_len = scribble();
    std::vector<Value> args;
    for (ValType t : types[f].params) args.push_back(t == ValType::I64 ? Value::i64(int64_t(pick_i64())) : Value::i32(int32_t(pick_i32())));
    // Half the time a real descriptor (stdio, the two preopens, what the guest opened).
    if (!args.empty() && args[0].type == ValType::I32 && rng() % 2) args[0] = Value::i32(int32_t(rng() % 8));
    if (auto it = path_params.find(names[f]); it != path_params.end() && rng() % 2)
      for (size_t k : it->second) {
        args[k] = Value::i32(60000);
        args[k + 1] = Value::i32(int32_t(path_len));
      }
    if (names[f] == "path_link" || names[f] == "path_rename") args[names[f] == "path_link" ? 4 : 3] = Value::i32(int32_t(3 + rng() % 2));

    // A call that waits (a long poll_oneoff sleep) is cancelled once the loop has nothing ready
    // to run: the guest is suspended. (Not after a wall-clock limit, which load could reach
    // before a call that does not wait completes.)
    asio::cancellation_signal cancel;
    bool done = false;
    error_code result;
    std::vector<Value> values;
    guest.async_call(names[f], args,
                     asio::bind_cancellation_slot(cancel.slot(), [&](error_code ec, std::vector<Value> r) {
                       done = true;
                       result = ec;
                       values = std::move(r);
                     }));
    io.restart();
    while (!done && io.poll() > 0) {
    }
    if (!done) {
      cancel.emit(asio::cancellation_type::terminal);
      io.restart();
      io.run();
    }
    REQUIRE(done);
    ++calls;
    if (!result) {
      REQUIRE(values.size() == types[f].results.size());
      if (!values.empty()) {
        int32_t err = values[0].as_i32();
        INFO(names[f] << " returned " << err);
        REQUIRE(err >= 0);
        REQUIRE(err <= 76);
        ++errnos;
        ++outcomes[names[f] + " errno " + std::to_string(err)];
      }
    } else if (result == asio::error::operation_aborted) {
      ++cancelled;
    } else {
      INFO(names[f] << ": " << result.message() << ": " << last_trap_message(store));
      REQUIRE(result.category() == trap_category());
      bool expected = result == make_error_code(TrapKind::MemoryOutOfBounds) || result == make_error_code(TrapKind::Exit);
      REQUIRE(expected);
      ++traps;
    }
  }
  MESSAGE("wasi fuzz: " << calls << " calls, " << errnos << " returned an errno, " << traps << " trapped, "
                        << cancelled << " cancelled while waiting; " << outcomes.size() << " distinct outcomes");
  for (auto& [k, v] : outcomes) if (getenv("WASI_FUZZ_VERBOSE")) MESSAGE(k << ": " << v);
  CHECK(errnos > calls / 4);
  CHECK(snapshot(root / "outside") == outside_before);
  CHECK(snapshot(root / "ro") == ro_before);
  fs::remove_all(root);
}
