// corowasm benchmark driver: runs every kernel and CoreMark on three engines and compares.
//
//   bench_driver --dir DIR --kernels fib,sieve,... [--wasm-interp PATH] [options]
//
// DIR holds, for each kernel K, K.wasm (clang --target=wasm32 -O2) and K_native (the same
// source at -O2 with support/native_main.c), plus coremark.wasm and coremark_native.
//
// Engines:
//   native       the K_native subprocess; it times each call itself (CLOCK_MONOTONIC).
//   corowasm     in process: Engine::compile + instantiate, then only Instance::call_sync is timed.
//   wasm-interp  wabt's interpreter as a subprocess, timed from outside. wasm-interp 1.0.32 cannot
//                pass arguments to an export, so the driver writes a copy of K.wasm whose
//                parameter block (magic "CWbenchN" in the data section) holds n, and runs its
//                parameterless export run_param via --run-all-exports.
//
// SIMD kernels (--simd-kernels) run twice under corowasm, as S_simd.wasm (-msimd128) and S.wasm
// (no SIMD), against S_native; --eh times throw/catch rounds (bench/eh/throw.wat) against the
// same rounds in C++ (--eh-native).
//
// Every kernel export run(n) performs n iterations of a fixed unit of work and returns a checksum.
// Each engine gets its own n (so the slow interpreters finish in seconds), and the reported time is
// per iteration: (T(n) - T(0)) / n, where T(0) is the same call with no iteration (process start,
// module load and kernel set-up for wasm-interp; call overhead elsewhere). Checksums of every
// engine are compared with native runs at the same n: any difference prints MISMATCH and the
// driver exits non-zero.
#include <corowasm/corowasm.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cinttypes>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

struct Options {
  std::string dir;
  std::vector<std::string> kernels;
  std::string wasm_interp;           // empty: column skipped
  double target_native = 0.3;        // seconds of timed work per engine and kernel
  double target_corowasm = 1.0;
  double target_interp = 1.5;
  int coremark_iterations = 6000;    // native and corowasm (the same count: a fixed-work ratio)
  int coremark_interp_iterations = 200;
  bool coremark = true;
  // SIMD kernels S: S_simd.wasm (-msimd128), S.wasm (the same source without SIMD), S_native.
  std::vector<std::string> simd_kernels;
  std::string eh_wasm, eh_native;  // the throw/catch micro-benchmark and its C++ reference
};

int failures = 0;  // mismatches and engine errors; non-zero exit when set

void fail(const std::string& what) {
  std::printf("\n*** %s ***\n\n", what.c_str());
  std::fflush(stdout);
  failures++;
}

[[noreturn]] void die(const std::string& what) {
  std::fprintf(stderr, "bench_driver: %s\n", what.c_str());
  std::exit(2);
}

std::vector<uint8_t> read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) die("cannot read " + path);
  return std::vector<uint8_t>(std::istreambuf_iterator<char>(in), {});
}

void write_file(const std::string& path, const std::vector<uint8_t>& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(bytes.data()), std::streamsize(bytes.size()));
  if (!out) die("cannot write " + path);
}

// ---- subprocesses ---------------------------------------------------------------------------

struct ProcResult {
  int exit_code = -1;  // -1: did not exit normally
  std::string output;  // stdout and stderr, interleaved
  double seconds = 0;  // wall time from fork to reaped
};

ProcResult run_process(const std::vector<std::string>& args) {
  int fds[2];
  if (pipe(fds) != 0) die("pipe failed");
  auto t0 = Clock::now();
  pid_t pid = fork();
  if (pid < 0) die("fork failed");
  if (pid == 0) {
    dup2(fds[1], 1);
    dup2(fds[1], 2);
    close(fds[0]);
    close(fds[1]);
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    execv(argv[0], argv.data());
    std::fprintf(stderr, "exec %s failed: %s\n", argv[0], std::strerror(errno));
    _exit(127);
  }
  close(fds[1]);
  ProcResult r;
  char buf[4096];
  for (;;) {
    ssize_t k = read(fds[0], buf, sizeof buf);
    if (k < 0 && errno == EINTR) continue;
    if (k <= 0) break;
    r.output.append(buf, size_t(k));
  }
  close(fds[0]);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {}
  r.seconds = seconds_since(t0);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

std::string first_lines(const std::string& s, size_t max_chars = 600) {
  return s.size() <= max_chars ? s : s.substr(0, max_chars) + "...";
}

// ---- native ---------------------------------------------------------------------------------

struct Sample {
  int32_t n = 0;
  int32_t checksum = 0;
  double seconds = 0;
};

struct CoremarkReport {
  unsigned seedcrc = 0, crclist = 0, crcmatrix = 0, crcstate = 0, crcfinal = 0;
  int known_id = -1, errors = -1;
};

struct NativeRun {
  bool ok = false;
  std::vector<Sample> samples;            // one per requested n, in order
  std::vector<CoremarkReport> coremark;   // CoreMark build only, one per sample
};

NativeRun run_native(const std::string& exe, const std::vector<int32_t>& ns) {
  std::vector<std::string> args{exe};
  for (int32_t n : ns) args.push_back(std::to_string(n));
  ProcResult p = run_process(args);
  NativeRun r;
  std::istringstream lines(p.output);
  std::string line;
  while (std::getline(lines, line)) {
    int n, c;
    unsigned long long ns_;
    CoremarkReport cm;
    if (std::sscanf(line.c_str(), "result n=%d checksum=%d ns=%llu", &n, &c, &ns_) == 3) {
      r.samples.push_back({n, c, double(ns_) * 1e-9});
    } else if (std::sscanf(line.c_str(),
                           "coremark seedcrc=0x%x crclist=0x%x crcmatrix=0x%x crcstate=0x%x "
                           "crcfinal=0x%x known_id=%d errors=%d",
                           &cm.seedcrc, &cm.crclist, &cm.crcmatrix, &cm.crcstate, &cm.crcfinal,
                           &cm.known_id, &cm.errors) == 7) {
      r.coremark.push_back(cm);
    }
  }
  r.ok = p.exit_code == 0 && r.samples.size() == ns.size();
  if (!r.ok) fail("native run failed: " + exe + "\n" + first_lines(p.output));
  return r;
}

// Checksum of the native build at n (cached per executable).
std::map<std::pair<std::string, int32_t>, int32_t> native_checksums;

std::optional<int32_t> native_checksum(const std::string& exe, int32_t n) {
  auto key = std::make_pair(exe, n);
  if (auto it = native_checksums.find(key); it != native_checksums.end()) return it->second;
  NativeRun r = run_native(exe, {n});
  if (!r.ok) return std::nullopt;
  native_checksums[key] = r.samples[0].checksum;
  return r.samples[0].checksum;
}

void remember_native(const std::string& exe, const std::vector<Sample>& samples) {
  for (auto& s : samples) native_checksums[{exe, s.n}] = s.checksum;
}

// ---- wasm-interp ----------------------------------------------------------------------------

struct Interp {
  std::string exe;
  std::string work_dir;
};

// Writes a copy of `wasm` whose parameter block holds n; returns its path.
std::string patched_copy(const Interp& wi, const std::string& name, const std::vector<uint8_t>& wasm,
                         int32_t n) {
  static const char magic[] = "CWbenchN";
  auto at = std::search(wasm.begin(), wasm.end(), magic, magic + 8);
  if (at == wasm.end() || std::search(at + 1, wasm.end(), magic, magic + 8) != wasm.end())
    die(name + ".wasm: parameter block (magic CWbenchN) not found exactly once");
  std::vector<uint8_t> copy = wasm;
  size_t off = size_t(at - wasm.begin()) + 8;
  if (off + 4 > copy.size()) die(name + ".wasm: truncated parameter block");
  uint32_t u = uint32_t(n);
  for (int i = 0; i < 4; i++) copy[off + i] = uint8_t(u >> (8 * i));
  std::string path = wi.work_dir + "/" + name + ".n" + std::to_string(n) + ".wasm";
  write_file(path, copy);
  return path;
}

std::optional<Sample> run_interp(const Interp& wi, const std::string& name,
                                 const std::vector<uint8_t>& wasm, int32_t n) {
  std::string path = patched_copy(wi, name, wasm, n);
  ProcResult p = run_process({wi.exe, path, "--run-all-exports"});
  unlink(path.c_str());
  auto pos = p.output.find("run_param() => i32:");
  if (p.exit_code != 0 || pos == std::string::npos) {
    fail("wasm-interp failed on " + name + " n=" + std::to_string(n) + ": " + first_lines(p.output));
    return std::nullopt;
  }
  int64_t v = std::strtoll(p.output.c_str() + pos + std::strlen("run_param() => i32:"), nullptr, 10);
  return Sample{n, int32_t(uint32_t(v)), p.seconds};
}

// ---- corowasm -------------------------------------------------------------------------------

struct CorowasmKernel {
  corowasm::Module module;
  corowasm::Instance instance;
  double compile_seconds = 0;
};

std::optional<CorowasmKernel> corowasm_load(const corowasm::Engine& engine, const std::string& name,
                                            const std::vector<uint8_t>& wasm) {
  try {
    CorowasmKernel k;
    auto t0 = Clock::now();
    k.module = engine.compile(wasm);
    k.compile_seconds = seconds_since(t0);
    k.instance = k.module.instantiate();
    return k;
  } catch (const std::exception& e) {
    fail("corowasm could not load " + name + ".wasm: " + e.what());
    return std::nullopt;
  }
}

std::optional<Sample> corowasm_call(const CorowasmKernel& k, const std::string& name,
                                    const char* export_name, int32_t n) {
  try {
    corowasm::Value arg = corowasm::Value::i32(n);
    auto t0 = Clock::now();
    std::vector<corowasm::Value> r = k.instance.call_sync(export_name, std::span(&arg, 1));
    double s = seconds_since(t0);
    if (r.size() != 1 || r[0].type != corowasm::ValType::I32) {
      fail("corowasm " + name + "." + export_name + " returned an unexpected result");
      return std::nullopt;
    }
    return Sample{n, r[0].as_i32(), s};
  } catch (const std::exception& e) {
    fail("corowasm error in " + name + "." + export_name + "(" + std::to_string(n) + "): " + e.what());
    return std::nullopt;
  }
}

// ---- measurement ----------------------------------------------------------------------------

int32_t iterations_for(double target_seconds, double per_iter, int32_t cap) {
  if (per_iter <= 0) return cap;
  double n = std::ceil(target_seconds / per_iter);
  return int32_t(std::clamp(n, 1.0, double(cap)));
}

double per_iteration(const Sample& base, const Sample& run) {
  double d = (run.seconds - base.seconds) / run.n;
  // Noise can make the difference meaningless when the set-up dominates: fall back to T(n)/n.
  if (d <= 0.05 * run.seconds / run.n) d = run.seconds / run.n;
  return d;
}

struct EngineResult {
  bool ran = false;       // produced a time
  int32_t n = 0;          // iterations timed
  double per_iter = 0;    // seconds per iteration
};

struct KernelRow {
  std::string name;
  EngineResult native, corowasm, interp;
};

bool check_checksum(const std::string& engine, const std::string& name, const std::string& native_exe,
                    const Sample& s) {
  auto expect = native_checksum(native_exe, s.n);
  if (!expect) return false;
  if (*expect != s.checksum) {
    char buf[256];
    std::snprintf(buf, sizeof buf, "MISMATCH: %s %s n=%d checksum %" PRId32 " (0x%08" PRIx32
                  "), native %" PRId32 " (0x%08" PRIx32 ")",
                  engine.c_str(), name.c_str(), int(s.n), s.checksum, uint32_t(s.checksum), *expect,
                  uint32_t(*expect));
    fail(buf);
    return false;
  }
  return true;
}

EngineResult measure_native(const Options& o, const std::string& exe) {
  EngineResult r;
  // Warm-up call, T(0), one iteration: the estimate for n.
  NativeRun cal = run_native(exe, {1, 0, 1});
  if (!cal.ok) return r;
  remember_native(exe, cal.samples);
  double est = std::max(cal.samples[2].seconds - cal.samples[1].seconds, 1e-7);
  int32_t n = iterations_for(o.target_native, est, 1'000'000);
  // Warm-up, T(0), then T(n) twice; the faster one counts.
  NativeRun run = run_native(exe, {1, 0, n, n});
  if (!run.ok) return r;
  remember_native(exe, run.samples);
  if (run.samples[2].checksum != run.samples[3].checksum) {
    fail("native " + exe + " is not deterministic");
    return r;
  }
  const Sample& best = run.samples[2].seconds < run.samples[3].seconds ? run.samples[2] : run.samples[3];
  r.ran = true;
  r.n = n;
  r.per_iter = per_iteration(run.samples[1], best);
  return r;
}

EngineResult measure_corowasm(const Options& o, const CorowasmKernel& k, const std::string& name,
                              const std::string& native_exe, int32_t cap) {
  EngineResult r;
  auto one = corowasm_call(k, name, "run", 1);  // warm-up and estimate
  if (!one || !check_checksum("corowasm", name, native_exe, *one)) return r;
  auto zero = corowasm_call(k, name, "run", 0);
  if (!zero || !check_checksum("corowasm", name, native_exe, *zero)) return r;
  int32_t n = iterations_for(o.target_corowasm, std::max(one->seconds - zero->seconds, 1e-7), cap);
  auto s = corowasm_call(k, name, "run", n);
  if (!s || !check_checksum("corowasm", name, native_exe, *s)) return r;
  r.ran = true;
  r.n = n;
  r.per_iter = per_iteration(*zero, *s);
  return r;
}

EngineResult measure_interp(const Options& o, const Interp& wi, const std::string& name,
                            const std::vector<uint8_t>& wasm, const std::string& native_exe,
                            int32_t cap) {
  EngineResult r;
  auto zero = run_interp(wi, name, wasm, 0);  // process start, module load, kernel set-up
  if (!zero || !check_checksum("wasm-interp", name, native_exe, *zero)) return r;
  auto one = run_interp(wi, name, wasm, 1);
  if (!one || !check_checksum("wasm-interp", name, native_exe, *one)) return r;
  Sample best = *one;
  double est = std::max(one->seconds - zero->seconds, 1e-6);
  if (est < 0.5 * o.target_interp) {
    int32_t n = iterations_for(o.target_interp, est, cap);
    if (n > 1) {
      auto s = run_interp(wi, name, wasm, n);
      if (!s || !check_checksum("wasm-interp", name, native_exe, *s)) return r;
      best = *s;
    }
  }
  r.ran = true;
  r.n = best.n;
  r.per_iter = per_iteration(*zero, best);
  return r;
}

std::string fmt_ms(const EngineResult& e) {
  if (!e.ran) return "n/a";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3f", e.per_iter * 1e3);
  return buf;
}

std::string fmt_ratio(const EngineResult& e, const EngineResult& base) {
  if (!e.ran || !base.ran) return "n/a";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f", e.per_iter / base.per_iter);
  return buf;
}

std::string fmt_n(const EngineResult& e) { return e.ran ? std::to_string(e.n) : "-"; }

std::optional<double> geomean(const std::vector<KernelRow>& rows, EngineResult KernelRow::*engine) {
  double log_sum = 0;
  int count = 0;
  for (auto& r : rows) {
    if (!(r.*engine).ran || !r.native.ran) return std::nullopt;
    log_sum += std::log((r.*engine).per_iter / r.native.per_iter);
    count++;
  }
  if (count == 0) return std::nullopt;
  return std::exp(log_sum / count);
}

std::vector<std::string> split_list(const std::string& s) {
  std::vector<std::string> out;
  std::string cur;
  for (char c : s) {
    if (c == ',' || c == ';') {
      if (!cur.empty()) out.push_back(cur);
      cur.clear();
    } else {
      cur += c;
    }
  }
  if (!cur.empty()) out.push_back(cur);
  return out;
}

[[noreturn]] void usage(int code = 2) {
  std::fprintf(code ? stderr : stdout,
               "usage: bench_driver --dir DIR --kernels a,b,c [--wasm-interp PATH] [--no-coremark]\n"
               "                    [--quick] [--target-native S] [--target-corowasm S]\n"
               "                    [--target-wasm-interp S] [--coremark-iterations N]\n"
               "                    [--coremark-wasm-interp-iterations N] [--simd-kernels a,b]\n"
               "                    [--eh THROW.wasm] [--eh-native EXE]\n");
  std::exit(code);
}

Options parse_args(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; i++) {
    std::string a = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) usage();
      return argv[++i];
    };
    if (a == "--help" || a == "-h") usage(0);
    else if (a == "--dir") o.dir = value();
    else if (a == "--kernels") o.kernels = split_list(value());
    else if (a == "--wasm-interp") o.wasm_interp = value();
    else if (a == "--no-coremark") o.coremark = false;
    else if (a == "--target-native") o.target_native = std::stod(value());
    else if (a == "--target-corowasm") o.target_corowasm = std::stod(value());
    else if (a == "--target-wasm-interp") o.target_interp = std::stod(value());
    else if (a == "--coremark-iterations") o.coremark_iterations = std::stoi(value());
    else if (a == "--coremark-wasm-interp-iterations") o.coremark_interp_iterations = std::stoi(value());
    else if (a == "--simd-kernels") o.simd_kernels = split_list(value());
    else if (a == "--eh") o.eh_wasm = value();
    else if (a == "--eh-native") o.eh_native = value();
    else if (a == "--quick") {
      o.target_native = 0.05;
      o.target_corowasm = 0.1;
      o.target_interp = 0.2;
      o.coremark_iterations = 1000;
      o.coremark_interp_iterations = 20;
    } else usage();
  }
  if (o.dir.empty() || (o.kernels.empty() && !o.coremark)) usage();
  if (o.coremark_iterations < 1 || o.coremark_interp_iterations < 1) usage();
  return o;
}

}  // namespace

int main(int argc, char** argv) {
  Options o = parse_args(argc, argv);
  auto wall0 = Clock::now();
  corowasm::Engine engine;

  std::optional<Interp> wi;
  if (!o.wasm_interp.empty() && access(o.wasm_interp.c_str(), X_OK) == 0) {
    wi = Interp{o.wasm_interp, o.dir + "/wasm-interp-tmp"};
    mkdir(wi->work_dir.c_str(), 0755);
  } else {
    std::printf("wasm-interp column skipped: %s\n",
                o.wasm_interp.empty() ? "no wasm-interp given (--wasm-interp PATH)"
                                      : ("not executable: " + o.wasm_interp).c_str());
  }

  std::printf("corowasm benchmarks: time per iteration of each kernel; n = iterations timed\n");
  std::printf("(native = clang -O2 x86-64; corowasm and wasm-interp run the same clang -O2 wasm32 module)\n");
  if (std::ifstream load("/proc/loadavg"); load) {
    double l1 = 0;
    load >> l1;
    std::printf("(load average before the run: %.2f; other processes on the machine disturb the timings)\n", l1);
  }
  std::printf("\n");
  std::fflush(stdout);

  std::string largest_module;
  std::vector<uint8_t> largest_bytes;
  auto note_module = [&](const std::string& name, const std::vector<uint8_t>& bytes) {
    if (bytes.size() > largest_bytes.size()) {
      largest_bytes = bytes;
      largest_module = name + ".wasm";
    }
  };

  std::vector<KernelRow> rows;
  const char* head = "%-10s %17s %12s %12s %14s %16s %19s\n";
  std::printf(head, "kernel", "n nat/cw/wi", "native ms", "corowasm ms", "wasm-interp ms",
              "corowasm/native", "wasm-interp/native");
  std::fflush(stdout);
  for (const std::string& name : o.kernels) {
    KernelRow row;
    row.name = name;
    std::string native_exe = o.dir + "/" + name + "_native";
    std::vector<uint8_t> wasm = read_file(o.dir + "/" + name + ".wasm");
    note_module(name, wasm);

    row.native = measure_native(o, native_exe);
    int32_t cap = row.native.ran ? std::max(row.native.n, 1) : 1000;
    if (auto k = corowasm_load(engine, name, wasm)) row.corowasm = measure_corowasm(o, *k, name, native_exe, cap);
    if (wi) row.interp = measure_interp(o, *wi, name, wasm, native_exe, cap);

    std::string ns = fmt_n(row.native) + "/" + fmt_n(row.corowasm) + "/" + fmt_n(row.interp);
    std::printf(head, name.c_str(), ns.c_str(), fmt_ms(row.native).c_str(), fmt_ms(row.corowasm).c_str(),
                fmt_ms(row.interp).c_str(), fmt_ratio(row.corowasm, row.native).c_str(),
                fmt_ratio(row.interp, row.native).c_str());
    std::fflush(stdout);
    rows.push_back(row);
  }
  auto gm_cw = geomean(rows, &KernelRow::corowasm);
  auto gm_wi = geomean(rows, &KernelRow::interp);
  auto fmt_opt = [](std::optional<double> v) {
    if (!v) return std::string("n/a");
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.2f", *v);
    return std::string(buf);
  };
  std::printf(head, "geomean", "", "", "", "", fmt_opt(gm_cw).c_str(), fmt_opt(gm_wi).c_str());
  std::printf("\n");
  std::fflush(stdout);

  // ---- SIMD: the same kernels with and without -msimd128 ----
  std::optional<double> simd_speedup;
  if (!o.simd_kernels.empty()) {
    std::printf("SIMD kernels: native = clang -O2 x86-64 (SSE2, auto-vectorised); corowasm runs the\n"
                "-O2 -msimd128 module and the same source built without SIMD\n");
    const char* shead = "%-10s %12s %14s %16s %14s %16s\n";
    std::printf(shead, "kernel", "native ms", "cw simd ms", "cw scalar ms", "simd/native", "scalar/simd");
    double log_sum = 0;
    int count = 0;
    for (const std::string& name : o.simd_kernels) {
      std::string native_exe = o.dir + "/" + name + "_native";
      EngineResult native = measure_native(o, native_exe), simd, scalar;
      int32_t cap = native.ran ? std::max(native.n, 1) : 1000;
      if (auto k = corowasm_load(engine, name + "_simd", read_file(o.dir + "/" + name + "_simd.wasm")))
        simd = measure_corowasm(o, *k, name + "_simd", native_exe, cap);
      if (auto k = corowasm_load(engine, name, read_file(o.dir + "/" + name + ".wasm")))
        scalar = measure_corowasm(o, *k, name, native_exe, cap);
      std::printf(shead, name.c_str(), fmt_ms(native).c_str(), fmt_ms(simd).c_str(), fmt_ms(scalar).c_str(),
                  fmt_ratio(simd, native).c_str(), fmt_ratio(scalar, simd).c_str());
      std::fflush(stdout);
      if (simd.ran && scalar.ran) {
        log_sum += std::log(scalar.per_iter / simd.per_iter);
        count++;
      }
    }
    if (count == int(o.simd_kernels.size())) simd_speedup = std::exp(log_sum / count);
    std::printf("\n");
  }

  // ---- exception handling: throw/catch ----
  if (!o.eh_wasm.empty()) {
    std::printf("throw/catch (bench/eh/throw.wat, legacy exception handling), ns per round:\n");
    std::map<std::string, double> native_ns;
    if (!o.eh_native.empty()) {
      ProcResult p = run_process({o.eh_native, "100000"});
      std::istringstream in(p.output);
      std::string k;
      double v;
      while (in >> k >> v) native_ns[k] = v;
      if (native_ns.size() != 3) fail("eh native reference printed: " + first_lines(p.output));
    }
    std::map<std::string, double> cw_ns;
    if (auto k = corowasm_load(engine, "throw", read_file(o.eh_wasm))) {
      for (const char* e : {"throw_0", "throw_100", "calls_100"}) {
        int32_t n = std::string(e) == "throw_0" ? 2'000'000 : 200'000;
        auto zero = corowasm_call(*k, "throw", e, 0);
        auto s = corowasm_call(*k, "throw", e, n);
        // Checksum: the sum of 0..n-1 (mod 2^32), as every export computes it.
        uint32_t want = uint32_t(uint64_t(n) * uint64_t(n - 1) / 2);
        if (!zero || !s) continue;
        if (uint32_t(s->checksum) != want) {
          fail(std::string("MISMATCH: corowasm throw.") + e + " returned a wrong checksum");
          continue;
        }
        cw_ns[e] = (s->seconds - zero->seconds) / n * 1e9;
      }
    }
    const char* ehead = "%-34s %12s %12s\n";
    std::printf(ehead, "", "corowasm", "native C++");
    auto cell = [](const std::map<std::string, double>& m, const std::string& key) {
      auto it = m.find(key);
      if (it == m.end()) return std::string("n/a");
      char buf[32];
      std::snprintf(buf, sizeof buf, "%.1f", it->second);
      return std::string(buf);
    };
    std::printf(ehead, "throw + catch, same frame", cell(cw_ns, "throw_0").c_str(), cell(native_ns, "throw_0").c_str());
    std::printf(ehead, "throw + catch, 100 frames between", cell(cw_ns, "throw_100").c_str(),
                cell(native_ns, "throw_100").c_str());
    std::printf(ehead, "100 calls returning normally", cell(cw_ns, "calls_100").c_str(),
                cell(native_ns, "calls_100").c_str());
    auto per_frame = [](const std::map<std::string, double>& m) {
      if (!m.count("throw_0") || !m.count("throw_100")) return std::string("n/a");
      char buf[32];
      std::snprintf(buf, sizeof buf, "%.2f", (m.at("throw_100") - m.at("throw_0")) / 100);
      return std::string(buf);
    };
    std::printf(ehead, "per frame unwound (calls included)", per_frame(cw_ns).c_str(), per_frame(native_ns).c_str());
    std::printf("\n");
    std::fflush(stdout);
  }

  // ---- CoreMark ----
  std::optional<double> coremark_ratio;
  if (o.coremark) {
    const std::string name = "coremark";
    std::string native_exe = o.dir + "/coremark_native";
    std::vector<uint8_t> wasm = read_file(o.dir + "/coremark.wasm");
    note_module(name, wasm);
    const int32_t iters = o.coremark_iterations;
    std::printf("CoreMark 1.0, 2K performance run (seeds 0,0,0x66, TOTAL_DATA_SIZE 2000), %d iterations:\n",
                int(iters));

    // Native: warm-up, then the fixed count twice (faster counts).
    double native_s = 0;
    NativeRun nr = run_native(native_exe, {1, iters, iters});
    CoremarkReport ref;
    if (nr.ok && nr.coremark.size() == 3) {
      remember_native(native_exe, nr.samples);
      native_s = std::min(nr.samples[1].seconds, nr.samples[2].seconds);
      ref = nr.coremark[1];
      bool known = ref.seedcrc == 0xe9f5 && ref.crclist == 0xe714 && ref.crcmatrix == 0x1fd7 &&
                   ref.crcstate == 0x8e3a && ref.known_id == 3 && ref.errors == 0;
      std::printf("  native validation: seedcrc 0x%04x crclist 0x%04x crcmatrix 0x%04x crcstate 0x%04x"
                  " crcfinal 0x%04x: %s\n",
                  ref.seedcrc, ref.crclist, ref.crcmatrix, ref.crcstate, ref.crcfinal,
                  known ? "matches CoreMark's known CRCs" : "WRONG");
      if (!known) fail("CoreMark native run does not match CoreMark's known CRCs");
      std::printf("  native:      %6d iterations %9.1f ms %10.1f iterations/s\n", int(iters), native_s * 1e3,
                  iters / native_s);
    } else if (nr.ok) {
      fail("CoreMark native run printed no validation line");
    }
    std::fflush(stdout);

    double corowasm_s = 0;
    if (auto k = corowasm_load(engine, name, wasm)) {
      auto warm = corowasm_call(*k, name, "coremark_run", 1);
      if (warm && check_checksum("corowasm", name, native_exe, *warm)) {
        int32_t n = iters;
        // Keep a very slow engine within a minute; the ratio then compares per-iteration times.
        if (warm->seconds * iters > 60.0) {
          n = std::max<int32_t>(1, int32_t(60.0 / warm->seconds));
          std::printf("  (corowasm looks slow: running %d iterations instead of %d)\n", int(n), int(iters));
        }
        auto s = corowasm_call(*k, name, "coremark_run", n);
        if (s && check_checksum("corowasm", name, native_exe, *s)) {
          corowasm_s = s->seconds * double(iters) / double(n);  // scaled to `iters` if reduced
          // The crcs main() reported inside the wasm run must equal native's.
          bool same = true;
          unsigned got[5];
          for (int i = 0; i < 5; i++) {
            auto v = corowasm_call(*k, name, "coremark_info", i);
            got[i] = v ? unsigned(v->checksum) : ~0u;
          }
          auto validated = corowasm_call(*k, name, "coremark_info", 7);
          if (n == iters)
            same = got[0] == ref.crcfinal;
          same = same && got[1] == ref.crclist && got[2] == ref.crcmatrix && got[3] == ref.crcstate &&
                 got[4] == ref.seedcrc && validated && validated->checksum == 1;
          if (!same) {
            fail("MISMATCH: CoreMark under corowasm reported different crcs from native");
            corowasm_s = 0;
          }
          std::printf("  corowasm:    %6d iterations %9.1f ms %10.1f iterations/s   (crcs %s native)\n",
                      int(n), s->seconds * 1e3, n / s->seconds, same ? "equal" : "DIFFER from");
        }
      }
    }
    std::fflush(stdout);

    if (wi) {
      int32_t n = o.coremark_interp_iterations;
      auto zero = run_interp(*wi, name, wasm, 0);
      auto s = run_interp(*wi, name, wasm, n);
      if (zero && s && check_checksum("wasm-interp", name, native_exe, *s)) {
        double per = per_iteration(*zero, *s);
        std::printf("  wasm-interp: %6d iterations %9.1f ms %10.1f iterations/s   (start-up subtracted)\n",
                    int(n), per * n * 1e3, 1.0 / per);
      }
    }
    if (native_s > 0 && corowasm_s > 0) coremark_ratio = corowasm_s / native_s;
    std::printf("\n");
    std::fflush(stdout);
  }

  // ---- compile speed ----
  if (!largest_bytes.empty()) {
    try {
      int count = 0;
      auto t0 = Clock::now();
      do {
        corowasm::Module m = engine.compile(largest_bytes);
        (void)m;
        count++;
      } while (seconds_since(t0) < 0.3);
      double s = seconds_since(t0);
      std::printf("compile speed: %.2f MB/s of wasm (Engine::compile of %s, %zu bytes, %d compiles, %.3f ms each)\n",
                  double(largest_bytes.size()) * count / s / 1e6, largest_module.c_str(),
                  largest_bytes.size(), count, s / count * 1e3);
    } catch (const std::exception& e) {
      fail(std::string("corowasm could not compile ") + largest_module + ": " + e.what());
    }
  }
  if (!largest_bytes.empty()) {
    try {
      corowasm::ModuleStats st = engine.compile(largest_bytes).stats();
      std::printf("compiled bytes per wasm byte: %.2f (%s: %zu bytes of function bodies -> %zu bytes of threaded code)\n",
                  double(st.compiled_code_bytes) / double(st.wasm_code_bytes), largest_module.c_str(),
                  st.wasm_code_bytes, st.compiled_code_bytes);
    } catch (const std::exception& e) {
      fail(std::string("corowasm could not compile ") + largest_module + ": " + e.what());
    }
  }
  std::printf("bench wall time: %.1f s\n", seconds_since(wall0));
  if (failures) std::printf("FAILED: %d mismatch(es) or engine error(s), see *** lines above\n", failures);
  std::printf("kernels geomean vs native: %s\n", fmt_opt(gm_cw).c_str());
  std::printf("coremark vs native: %s\n", fmt_opt(coremark_ratio).c_str());
  if (!o.simd_kernels.empty()) std::printf("simd kernels, scalar/simd geomean: %s\n", fmt_opt(simd_speedup).c_str());
  return failures ? 1 : 0;
}
