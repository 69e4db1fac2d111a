// corowasm: the command-line runner.
//   corowasm run [options] FILE.wasm [ARGS...]   (options before the file, as in wasmtime)
//   corowasm validate FILE.wasm
//   corowasm inspect FILE.wasm
//   corowasm disasm FILE.wasm
// Options are parsed with CLI11. `run` drives the guest on an io_context through AsyncInstance,
// so WASI reads from stdin, pipes and sockets and poll_oneoff sleeps suspend the guest rather
// than the thread.
#include <corowasm/async.h>
#include <corowasm/corowasm.h>
#include <corowasm/version.h>
#include <corowasm/wasi.h>

// The runner is part of corowasm itself: `disasm` and `inspect` read the compiled module.
#include <corowasm/internal.h>

#include "decode/reader.h"
#include "literals.h"

#include <CLI/CLI.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <functional>
#include <iostream>
#include <iterator>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace {

// A trap (other than the guest's own exit) ends the process with this status, as in wasmtime.
constexpr int kTrapExit = 134;

constexpr const char* kVersion = "corowasm " COROWASM_VERSION_STRING;  // corowasm/version.h, from project(VERSION)

constexpr const char* kExitStatus =
    "exit status: the guest's exit code (proc_exit, or 0 when _start returns); 1 for a proc_exit\n"
    "code outside 0-255, on usage or load errors; 134 when the guest traps (the trap and a Wasm\n"
    "backtrace go to stderr).";

// The process exit status for the guest's proc_exit code: 0-255 as they are; any other code
// (which the OS would truncate, 256 to a successful 0) is reported on stderr and becomes 1.
int process_exit_status(int code) {
  if (code >= 0 && code <= 255) return code;
  std::cerr << "corowasm: the guest exited with code " << uint32_t(code)
            << ", outside 0-255, so the exit status is 1\n";
  return 1;
}

std::vector<uint8_t> read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw corowasm::Error("cannot open " + path + ": " + std::strerror(errno));
  return std::vector<uint8_t>(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// "10s", "500ms", "2m", "1.5" (seconds).
std::optional<std::chrono::nanoseconds> parse_duration(const std::string& s) {
  char* end = nullptr;
  double v = std::strtod(s.c_str(), &end);
  if (end == s.c_str() || !(v >= 0) || !std::isfinite(v)) return std::nullopt;
  std::string unit(end);
  double scale;
  if (unit.empty() || unit == "s") scale = 1e9;
  else if (unit == "ms") scale = 1e6;
  else if (unit == "us") scale = 1e3;
  else if (unit == "ns") scale = 1;
  else if (unit == "m" || unit == "min") scale = 60e9;
  else if (unit == "h") scale = 3600e9;
  else return std::nullopt;
  if (v * scale > 9e18) return std::nullopt;
  return std::chrono::nanoseconds(int64_t(v * scale));
}

// "64MiB", "1G", "65536" (bytes), rounded up to 64 KiB pages.
std::optional<uint64_t> parse_size_pages(const std::string& s) {
  char* end = nullptr;
  errno = 0;
  unsigned long long v = std::strtoull(s.c_str(), &end, 10);
  if (end == s.c_str() || errno == ERANGE || s[0] == '-') return std::nullopt;
  std::string unit(end);
  uint64_t scale;
  if (unit.empty() || unit == "B") scale = 1;
  else if (unit == "K" || unit == "KiB" || unit == "k") scale = 1ull << 10;
  else if (unit == "M" || unit == "MiB") scale = 1ull << 20;
  else if (unit == "G" || unit == "GiB") scale = 1ull << 30;
  else return std::nullopt;
  if (v > (1ull << 40) / scale) return std::nullopt;
  return (v * scale + 65535) / 65536;
}

corowasm::wasi::Preopen parse_preopen(const std::string& spec, bool read_only) {
  corowasm::wasi::Preopen p;
  size_t sep = spec.find("::");
  p.host_path = spec.substr(0, sep);
  p.guest_path = sep == std::string::npos ? spec : spec.substr(sep + 2);
  p.read_only = read_only;
  if (p.host_path.empty() || p.guest_path.empty()) throw corowasm::Error("bad directory mapping \"" + spec + "\"");
  return p;
}

void print_trap(const std::string& message, const std::vector<corowasm::TrapFrame>& frames, size_t omitted) {
  std::cerr << "trap: " << message << "\n";
  if (frames.empty()) return;
  std::cerr << "wasm backtrace:\n";
  for (size_t k = 0; k < frames.size(); ++k) {
    if (omitted && k == frames.size() / 2) std::cerr << "  ... " << omitted << " frames omitted\n";
    std::cerr << "  " << (omitted && k >= frames.size() / 2 ? k + omitted : k) << ": ";
    const corowasm::TrapFrame& f = frames[k];
    if (f.host) std::cerr << f.name << " (host function, import " << f.func_index << ")";
    else if (f.name.empty()) std::cerr << "<func " << f.func_index << ">";
    else std::cerr << f.name << " (func " << f.func_index << ")";
    if (f.module_offset) std::cerr << " @ 0x" << std::hex << *f.module_offset << std::dec;
    std::cerr << "\n";
  }
}

// How a failed async_instantiate or async_call ends the process: the guest's exit code, a
// trap with its backtrace, or an error.
int report_failure(corowasm::error_code ec, const corowasm::Store& store,
                   const std::optional<corowasm::wasi::Context>& wasi) {
  std::cout.flush();
  if (ec.category() == corowasm::trap_category() && ec.value() == int(corowasm::TrapKind::Exit) + 1 && wasi &&
      wasi->exit_code())
    return process_exit_status(*wasi->exit_code());
  if (ec.category() == corowasm::trap_category()) {
    print_trap(corowasm::last_trap_message(store), corowasm::last_trap_backtrace(store),
               corowasm::last_trap_frames_omitted(store));
    return kTrapExit;
  }
  std::cerr << "corowasm run: " << ec.message() << ": " << corowasm::last_trap_message(store) << "\n";
  return 1;
}

// A decimal count: digits only.
std::optional<uint64_t> parse_count(const std::string& s) {
  if (s.empty() || s.find_first_not_of("0123456789") != std::string::npos) return std::nullopt;
  errno = 0;
  uint64_t v = std::strtoull(s.c_str(), nullptr, 10);
  if (errno == ERANGE) return std::nullopt;
  return v;
}

struct RunOptions {
  std::string invoke;
  std::optional<std::string> argv0;  // the guest's argv[0]; FILE.wasm as given when not set
  corowasm::wasi::Config wasi;
  std::optional<uint64_t> fuel;
  std::optional<std::chrono::nanoseconds> timeout;
  std::optional<uint64_t> max_pages;
  std::optional<uint64_t> max_table_elements;
  std::vector<std::string> listen;
  bool verbose = false;
  std::string file;               // FILE.wasm
  std::vector<std::string> args;  // everything after it: the guest's argv[1..] or --invoke's arguments
};

// A listening TCP socket for "ADDR:PORT" ("127.0.0.1:8080", "[::1]:0", "localhost:0"); throws
// Error. `bound` is the address it listens on, with the port the kernel chose for port 0.
boost::asio::ip::tcp::acceptor listen_on(boost::asio::io_context& io, const std::string& spec, std::string& bound) {
  using boost::asio::ip::tcp;
  size_t colon = spec.rfind(':');
  if (colon == std::string::npos || colon == 0) throw corowasm::Error("--tcplisten needs ADDR:PORT, got \"" + spec + "\"");
  std::string host = spec.substr(0, colon), port = spec.substr(colon + 1);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  try {
    tcp::resolver resolver(io);
    tcp::endpoint endpoint =
        resolver.resolve(host, port, tcp::resolver::passive | tcp::resolver::numeric_service)->endpoint();
    tcp::acceptor acceptor(io);
    acceptor.open(endpoint.protocol());
    acceptor.set_option(tcp::acceptor::reuse_address(true));
    acceptor.bind(endpoint);
    acceptor.listen(128);
    tcp::endpoint local = acceptor.local_endpoint();
    std::string address = local.address().to_string();
    bound = (local.address().is_v6() ? "[" + address + "]" : address) + ":" + std::to_string(local.port());
    return acceptor;
  } catch (const boost::system::system_error& e) {
    throw corowasm::Error("--tcplisten " + spec + ": " + e.code().message());
  }
}

// Thrown by an option's callback: the value is not one it takes.
[[noreturn]] void bad_value(const std::string& why) { throw CLI::ValidationError(why); }

// The `run` subcommand: its options fill `o`. The options end at the first argument that is not
// one, or at `--`: FILE.wasm, and everything after it is the guest's as it is (a guest's "--dir"
// or "[1,2]" included). CLI11's prefix_command leaves them, untouched, in remaining(); see
// take_file_and_args.
CLI::App* add_run_command(CLI::App& app, RunOptions& o) {
  CLI::App* run = app.add_subcommand("run", "Run a WASI command, or call one export (--invoke).");
  run->footer(std::string("Runs the _start of FILE.wasm with ARGS as argv[1..] or, with --invoke, calls an export\n"
                          "with ARGS parsed by its parameter types and prints the results, one per line.\n"
                          "Options go before FILE.wasm (or end at --); everything after it belongs to the guest.\n\n") +
              kExitStatus);
  run->prefix_command();
  // FILE.wasm, for the help; it takes no value (they all go to remaining()). Its being there
  // keeps a `--` in `run` rather than handing what follows back to the top level.
  run->add_option("FILE.wasm", "the module; after it, ARGS: the guest's argv[1..], or --invoke's arguments")
      ->type_name("")
      ->check(CLI::Validator([](const std::string&) { return std::string("left to remaining()"); }, ""));
  run->validate_positionals();
  run->option_defaults()->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
  // Repeatable options act once per occurrence, in command-line order (preopens are fds 3, 4...).
  auto each = [run](const std::string& name, std::function<void(const std::string&)> f, const std::string& type,
                    const std::string& help) {
    return run->add_option_function<std::string>(name, std::move(f), help)->type_name(type)->trigger_on_parse();
  };
  each("--dir", [&o](const std::string& v) { o.wasi.preopens.push_back(parse_preopen(v, false)); },
       "HOST[::GUEST]", "preopen directory HOST, seen by the guest as GUEST");
  each("--ro-dir", [&o](const std::string& v) { o.wasi.preopens.push_back(parse_preopen(v, true)); },
       "HOST[::GUEST]", "the same, read-only");
  each("--tcplisten", [&o](const std::string& v) { o.listen.push_back(v); }, "ADDR:PORT",
       "listen on a TCP address and hand the socket to the guest\n"
       "(fds after the preopens; sock_accept takes connections)");
  each("--env",
       [&o](const std::string& v) {
         if (v.empty() || v.front() == '=') bad_value("--env needs KEY=VALUE or KEY, got \"" + v + "\"");
         if (v.find('=') != std::string::npos) o.wasi.env.push_back(v);
         else if (const char* host = std::getenv(v.c_str())) o.wasi.env.push_back(v + "=" + host);  // KEY alone: the host's value
       },
       "KEY[=VALUE]", "set a guest environment variable (none by default);\nKEY alone passes the host's value, if it has one");
  // A limit: its value parsed by `parse` into `into`, or refused when `parse` gives nothing.
  auto limit = [run](const std::string& name, const std::string& type, auto& into, auto parse,
                     const std::string& needs, const std::string& help) {
    auto f = [&into, parse, name, needs](const std::string& v) {
      if (!(into = parse(v))) bad_value(name + " needs " + needs + ", got \"" + v + "\"");
    };
    run->add_option_function<std::string>(name, f, help)->type_name(type);
  };
  limit("--fuel", "N", o.fuel, parse_count, "a number of units", "trap after N units (loop iterations and calls)");
  limit("--timeout", "DURATION", o.timeout, parse_duration, "a duration such as 10s or 500ms",
        "trap after DURATION of wall-clock time (e.g. 10s, 500ms, 2m)");
  limit("--max-memory", "SIZE", o.max_pages, parse_size_pages, "a size such as 64MiB",
        "cap each linear memory (e.g. 64MiB, 1GiB, bytes)");
  limit("--max-table-elements", "N", o.max_table_elements, parse_count, "a number",
        "cap the elements of all tables together (default 10000000)");
  run->add_option("--invoke", o.invoke,
                  "call export NAME instead of _start, with ARGS as constants of the text\n"
                  "format (1_000, 0xff, -1, 1e-38, 0x1.8p3, inf, nan:0x200000)")
      ->type_name("NAME");
  run->add_option("--argv0", o.argv0, "the guest's argv[0] (default: FILE.wasm as given)")->type_name("NAME");
  run->add_flag("-v,--verbose", o.verbose, "report load, compile and run times on stderr");
  return run;
}

// After parsing: FILE.wasm and the guest's arguments out of what `run` left in remaining(). Its
// first entry is `--` when the options ended with one; otherwise an entry starting with '-' is
// an option `run` does not have. Throws CLI::ParseError.
void take_file_and_args(const CLI::App& run, RunOptions& o) {
  std::vector<std::string> rest = run.remaining();
  bool marked = !rest.empty() && rest.front() == "--";
  if (marked) rest.erase(rest.begin());
  if (rest.empty()) throw CLI::RequiredError("FILE.wasm");
  if (!marked && rest.front().size() > 1 && rest.front().front() == '-')
    throw CLI::ExtrasError("unknown option " + rest.front(), CLI::ExitCodes::ExtrasError);
  o.file = rest.front();
  o.args.assign(rest.begin() + 1, rest.end());
}

int cmd_run(RunOptions& o) {
  using Clock = std::chrono::steady_clock;
  auto ms = [](Clock::duration d) { return std::chrono::duration<double, std::milli>(d).count(); };
  const std::string& file = o.file;
  try {
    auto t0 = Clock::now();
    std::vector<uint8_t> bytes = read_file(file);
    corowasm::Config config;
    if (o.max_pages) config.max_memory_pages = *o.max_pages;
    if (o.max_table_elements) config.max_table_elements = *o.max_table_elements;
    corowasm::Engine engine(config);
    corowasm::Module module = engine.compile(bytes);
    auto t1 = Clock::now();
    if (o.verbose) {
      corowasm::ModuleStats st = module.stats();
      std::cerr << "corowasm: compiled " << file << " (" << st.wasm_bytes << " bytes, " << st.functions
                << " functions) in " << ms(t1 - t0) << " ms\n";
    }

    boost::asio::io_context io;
    corowasm::Store store(engine);
    corowasm::Imports imports;
    auto is_wasi = [](const corowasm::ImportDesc& imp) { return imp.module == "wasi_snapshot_preview1"; };
    bool uses_wasi = std::ranges::any_of(module.imports(), is_wasi);
    o.wasi.args.push_back(o.argv0.value_or(file));
    bool invoking = !o.invoke.empty();
    if (!invoking) o.wasi.args.insert(o.wasi.args.end(), o.args.begin(), o.args.end());
    // Listening sockets, handed over after the preopens (the Context keeps duplicates; these
    // close when the run ends). Their io_context never runs: they only hold the sockets.
    boost::asio::io_context listen_io;
    std::vector<boost::asio::ip::tcp::acceptor> listeners;
    for (const std::string& spec : o.listen) {
      std::string bound;
      listeners.push_back(listen_on(listen_io, spec, bound));
      o.wasi.sockets.push_back(listeners.back().native_handle());
      if (o.verbose)
        std::cerr << "corowasm: listening on " << bound << " (guest fd "
                  << 3 + o.wasi.preopens.size() + listeners.size() - 1 << ")\n";
    }
    std::optional<corowasm::wasi::Context> wasi;
    if (uses_wasi) {
      wasi.emplace(o.wasi);
      wasi->define(imports, store, io.get_executor());
    }
    corowasm::CallOptions options;
    // --fuel and --timeout bound the start function and the call together: the fuel is the
    // store's budget, and the call gets what is left of one deadline.
    if (o.fuel) store.set_fuel(*o.fuel);
    auto deadline = Clock::now() + o.timeout.value_or(std::chrono::nanoseconds(0));
    if (o.timeout) options.timeout = *o.timeout;
    // The start function runs like a call: time sliced, under --fuel and --timeout.
    corowasm::error_code ec;
    corowasm::Instance inst;
    corowasm::async_instantiate(io.get_executor(), store, module, imports, options,
                                [&](corowasm::error_code e, corowasm::Instance i) {
                                  ec = e;
                                  inst = std::move(i);
                                });
    io.run();
    io.restart();
    if (ec == corowasm::make_error_code(corowasm::errc::link_error) && !std::ranges::all_of(module.imports(), is_wasi)) {
      report_failure(ec, store, wasi);
      std::cerr << "corowasm run: only the imports of wasi_snapshot_preview1 are defined\n";
      return 1;
    }
    if (ec) return report_failure(ec, store, wasi);
    std::string name = invoking ? o.invoke : "_start";
    corowasm::Func f = inst.func(name);
    if (!f) {
      std::cerr << "corowasm run: " << file << " exports no function named \"" << name << "\""
                << (invoking ? "" : " (pass --invoke NAME to call another export)") << "\n";
      return 1;
    }
    std::vector<corowasm::Value> args;
    if (invoking) {
      const auto& params = f.type().params;
      if (o.args.size() != params.size()) {
        std::cerr << "corowasm run: " << name << " takes " << params.size() << " argument(s) "
                  << to_string(f.type()) << ", got " << o.args.size() << "\n";
        return 1;
      }
      for (size_t k = 0; k < params.size(); ++k) args.push_back(corowasm::cli::parse_literal(o.args[k], params[k]));
    }

    if (o.timeout) options.timeout = std::max<Clock::duration>(deadline - Clock::now(), Clock::duration(0));
    corowasm::AsyncInstance guest(io.get_executor(), inst, options);
    std::vector<corowasm::Value> results;
    guest.async_call(name, args, [&](corowasm::error_code e, std::vector<corowasm::Value> r) {
      ec = e;
      results = std::move(r);
    });
    auto t2 = Clock::now();
    io.run();
    auto t3 = Clock::now();
    if (o.verbose) std::cerr << "corowasm: ran " << name << " in " << ms(t3 - t2) << " ms\n";
    std::cout.flush();
    if (ec) return report_failure(ec, store, wasi);
    for (const corowasm::Value& r : results) std::cout << to_string(r) << "\n";
    return 0;
  } catch (const corowasm::Trap& t) {
    print_trap(t.what(), t.backtrace(), t.backtrace_omitted());
    return kTrapExit;
  } catch (const std::exception& e) {
    std::cerr << "corowasm run: " << e.what() << "\n";
    return 1;
  }
}

int cmd_validate(const std::string& file) {
  try {
    corowasm::Engine engine;
    engine.compile(read_file(file));
    std::cout << "valid\n";
    return 0;
  } catch (const std::exception& e) {
    std::cerr << file << ": " << e.what() << "\n";
    return 1;
  }
}

int cmd_inspect(const std::string& file) {
  try {
    std::vector<uint8_t> bytes = read_file(file);
    // One pass of the decoder: it validates and compiles (a bad file says why before anything
    // is printed) and reports each section as it reaches its header.
    std::vector<corowasm::detail::SectionEvent> sections;
    corowasm::detail::ModuleCompiler decoder(std::make_shared<const corowasm::Config>());
    decoder.on_section = [&](const corowasm::detail::SectionEvent& e) { sections.push_back(e); };
    decoder.feed(bytes);
    corowasm::Module module = corowasm::detail::Access::make_module(decoder.finish());
    const corowasm::detail::ModuleData& m = *corowasm::detail::Access::module(module);
    std::cout << file << ": " << bytes.size() << " bytes\nsections:\n";
    size_t at = 8;  // a section's header starts where the one before it ends; the first after magic + version
    for (const corowasm::detail::SectionEvent& e : sections) {
      const char* name = corowasm::detail::section_name(e.id);
      std::string label = name ? name : "unknown";
      if (e.id == 0)
        label += " \"" + corowasm::detail::Reader(std::span(bytes).subspan(e.payload_offset, e.payload_size), e.payload_offset).name() + "\"";
      std::printf("  %-22s %10zu bytes at offset %zu\n", label.c_str(), e.payload_size, at);
      at = e.payload_offset + e.payload_size;
    }
    std::cout << "imports (" << m.imports.size() << "):\n";
    for (const auto& imp : m.imports) {
      std::cout << "  " << corowasm::to_string(imp.kind) << " " << imp.module << "." << imp.name;
      if (imp.kind == corowasm::ImportDesc::Func) std::cout << " " << to_string(m.types[imp.type_index]);
      std::cout << "\n";
    }
    std::cout << "exports (" << m.exports.size() << "):\n";
    for (const auto& e : m.exports) {
      std::cout << "  " << corowasm::to_string(e.kind) << " " << e.name;
      if (e.kind == corowasm::ImportDesc::Func) std::cout << " " << to_string(m.func_type(e.index));
      std::cout << "\n";
    }
    corowasm::ModuleStats st = module.stats();
    std::cout << "functions: " << m.num_imported_funcs << " imported, " << st.functions << " defined ("
              << st.wasm_code_bytes << " bytes of code -> " << st.compiled_code_bytes << " bytes compiled)\n";
    for (size_t k = 0; k < m.memories.size(); ++k) {
      const auto& lim = m.memories[k].limits;
      std::cout << "memory " << k << ": " << lim.min << " pages min, "
                << (lim.max ? std::to_string(*lim.max) + " max" : std::string("no max")) << "\n";
    }
    if (m.start >= 0) std::cout << "start: func " << m.start << "\n";
    return 0;
  } catch (const std::exception& e) {
    std::cerr << file << ": " << e.what() << "\n";
    return 1;
  }
}

int cmd_disasm(const std::string& file) {
  try {
    corowasm::Engine engine;
    corowasm::Module module = engine.compile(read_file(file));
    for (auto& code : corowasm::detail::Access::module(module)->codes) std::cout << corowasm::detail::disassemble(*code);
    corowasm::ModuleStats st = module.stats();
    std::cout << st.functions << " functions, " << st.wasm_code_bytes << " bytes of wasm code -> "
              << st.compiled_code_bytes << " bytes of threaded code\n";
    return 0;
  } catch (const std::exception& e) {
    std::cerr << file << ": " << e.what() << "\n";
    return 1;
  }
}

// CLI11's help with "usage:" in lower case, and `run`'s usage line with FILE.wasm [ARGS...]
// (CLI11 sees only an optional FILE.wasm, which it leaves to take_file_and_args).
class HelpFormatter : public CLI::Formatter {
 public:
  HelpFormatter() { label("Usage", "usage"); }
  std::string make_usage(const CLI::App* app, std::string name) const override {
    std::string out = CLI::Formatter::make_usage(app, std::move(name));
    if (size_t at = out.find(" [FILE.wasm]"); app->get_name() == "run" && at != std::string::npos)
      out.replace(at, 12, " FILE.wasm [ARGS...]");
    return out;
  }
};

}  // namespace

int main(int argc, char** argv) {
  CLI::App app("", "corowasm");
  app.formatter(std::make_shared<HelpFormatter>());  // before the subcommands, which share it
  app.footer(kExitStatus);
  app.set_version_flag("--version", kVersion);
  app.require_subcommand(1);

  RunOptions run_options;
  CLI::App* run = add_run_command(app, run_options);
  std::string file;
  auto add_file_command = [&](const char* name, const char* help) {
    CLI::App* sub = app.add_subcommand(name, help);
    sub->add_option("FILE.wasm", file, "the module")->required()->type_name("");
    return sub;
  };
  CLI::App* validate = add_file_command("validate", "Decode and validate FILE.wasm; print \"valid\" or the error.");
  CLI::App* inspect = add_file_command("inspect", "Print the sections, imports and exports of FILE.wasm, with sizes.");
  CLI::App* disasm = add_file_command("disasm", "Print the threaded code compiled for every defined function.");
  CLI::App* help = app.add_subcommand("help", "Show this text.");

  if (argc < 2) {  // no command at all: the help, as a usage error
    std::cout << app.help();
    return 1;
  }
  try {
    app.parse(argc, argv);
    if (*run) take_file_and_args(*run, run_options);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == int(CLI::ExitCodes::Success)) return app.exit(e);  // --help, --version
    std::string who = "corowasm", what = e.what();
    for (const CLI::App* sub : app.get_subcommands()) who += " " + sub->get_name();
    if (app.get_subcommands().empty() && !app.remaining().empty()) {
      std::string first = app.remaining().front();
      what = first.starts_with("-") ? "unknown option " + first : "unknown command \"" + first + "\"";
    }
    std::cerr << who << ": " << what << "\nRun with --help for more information.\n";
    return 1;
  } catch (const std::exception& e) {  // an option's value that its callback refused
    std::cerr << "corowasm run: " << e.what() << "\n";
    return 1;
  }
  if (*run) return cmd_run(run_options);
  if (*validate) return cmd_validate(file);
  if (*inspect) return cmd_inspect(file);
  if (*disasm) return cmd_disasm(file);
  if (*help) {
    app.clear();  // else help() describes the `help` command itself
    std::cout << app.help();
  }
  return 0;
}
