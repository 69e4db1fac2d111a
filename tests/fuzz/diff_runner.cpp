// diff_runner: runs a module the way binaryen's `wasm-opt --fuzz-exec-before` does and compares
// every step with binaryen's own output (tests/fuzz/diff_fuzz.sh drives it).
//
//   diff_runner MODULE.wasm BINARYEN_OUTPUT.txt
//   diff_runner --make-seed SEED OUT     writes the input file -ttf turns into a module: 1-16 KiB
//                                        of splitmix64 bytes, both size and bytes from SEED
//
// What binaryen's fuzz-exec does, and so what this does with corowasm: instantiate once (with
// the "fuzzing-support" log-i32/log-i64/log-f32/log-f64 imports printing their arguments);
// then for every function export, in export order: call the export "hangLimitInitializer"
// (when there is one, silently), call the export with zero arguments, and report its results
// ("note result") or its trap. A trap does not stop the next export.
//
// The two event sequences (calls, log lines, results, traps) are compared semantically:
// integers exactly; floats by bit pattern after parsing binaryen's decimal text for the type
// (every NaN equals every NaN, since NaN bits are not portable and -ttf runs with --denan);
// references by null-ness only (binaryen names functions, corowasm's references are opaque;
// a bare "funcref"/"anyref" result, which binaryen prints without the value, matches any
// reference of that type); traps by kind, binaryen's message mapped to a TrapKind.
//
// Known equivalence: binaryen's interpreter has its own call-depth limit ("stack limit"). When
// binaryen reports it and corowasm does not trap with "call stack exhausted" at the same call,
// the rest of the module is not compared (the two instances' states differ from there on);
// the runner says so.
//
// Prints a "diff-runner:" summary line and exits 0 when everything matched, 1 on a mismatch
// (printing both sequences from the first difference), 2 when corowasm rejected the module or
// something could not be run (with the reason).
#include <corowasm/corowasm.h>

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

using namespace corowasm;

namespace {

constexpr uint64_t kFuelPerCall = 200'000'000;  // -ttf's hang limit keeps real calls far below

struct Event {
  enum Kind { Call, Log, Result, Trap } kind;
  std::string text;                // Call: export name; Log/Result: the values; Trap: the message
  std::vector<ValType> types;      // corowasm side: the types of `values`
  std::vector<Value> values;       // corowasm side
  std::optional<TrapKind> trap;    // corowasm side
};

// For the mismatch report only: the library's own notation.
std::string format_value(const Value& v) { return to_string(v); }

std::string format_values(const std::vector<Value>& vs) {
  if (vs.size() == 1) return format_value(vs[0]);
  std::string s = "(";
  for (size_t i = 0; i < vs.size(); ++i) s += (i ? ", " : "") + format_value(vs[i]);
  return s + ")";
}

std::string format_event(const Event& e, bool binaryen) {
  switch (e.kind) {
    case Event::Call: return "calling " + e.text;
    case Event::Log: return "logging " + (binaryen ? e.text : [&] {
      std::string s;
      for (size_t i = 0; i < e.values.size(); ++i) s += (i ? " " : "") + format_value(e.values[i]);
      return s;
    }());
    case Event::Result: return "result " + (binaryen ? e.text : format_values(e.values));
    case Event::Trap: return "trap " + e.text;
  }
  return "?";
}

// ---- binaryen's output ----

bool starts_with(const std::string& s, const char* p) { return s.rfind(p, 0) == 0; }

std::vector<Event> parse_binaryen(std::istream& in) {
  std::vector<Event> out;
  std::string line;
  while (std::getline(in, line)) {
    if (starts_with(line, "[fuzz-exec] calling ")) {
      out.push_back({Event::Call, line.substr(20), {}, {}, {}});
    } else if (starts_with(line, "[fuzz-exec] note result: ")) {
      auto arrow = line.find(" => ");
      if (arrow == std::string::npos) continue;
      out.push_back({Event::Result, line.substr(arrow + 4), {}, {}, {}});
    } else if (starts_with(line, "[LoggingExternalInterface logging")) {
      std::string v = line.substr(33);
      if (!v.empty() && v.back() == ']') v.pop_back();
      if (!v.empty() && v.front() == ' ') v.erase(0, 1);
      out.push_back({Event::Log, v, {}, {}, {}});
    } else if (starts_with(line, "[trap ")) {
      std::string m = line.substr(6);
      if (!m.empty() && m.back() == ']') m.pop_back();
      out.push_back({Event::Trap, m, {}, {}, {}});
    }
  }
  return out;
}

// Binaryen's interpreter messages (wasm-interpreter.h, version 108) -> the spec's trap kinds.
std::optional<TrapKind> binaryen_trap_kind(const std::string& m) {
  struct Rule { const char* contains; TrapKind kind; };
  static const Rule rules[] = {
      {"stack limit", TrapKind::CallStackExhausted},
      {"unreachable", TrapKind::Unreachable},
      {"final > memory", TrapKind::MemoryOutOfBounds},
      {"highest > memory", TrapKind::MemoryOutOfBounds},
      {"offset > memory", TrapKind::MemoryOutOfBounds},
      {"out of bounds memory access", TrapKind::MemoryOutOfBounds},
      {"out of bounds segment access in memory", TrapKind::MemoryOutOfBounds},
      {"out of bounds table access", TrapKind::TableOutOfBounds},
      {"out of bounds segment access in table", TrapKind::TableOutOfBounds},
      {"table oob", TrapKind::TableOutOfBounds},
      {"callTable overflow", TrapKind::UndefinedElement},
      {"uninitialized table element", TrapKind::UninitializedElement},
      {"callIndirect: function types don't match", TrapKind::IndirectCallMismatch},
      {"callIndirect: bad # of arguments", TrapKind::IndirectCallMismatch},
      {"callIndirect: bad argument type", TrapKind::IndirectCallMismatch},
      {"callIndirect: bad result type", TrapKind::IndirectCallMismatch},
      {"null ref", TrapKind::NullReference},
      {"null target in call_ref", TrapKind::NullReference},
      {"by 0", TrapKind::IntegerDivideByZero},
      {"division by 0", TrapKind::IntegerDivideByZero},
      {"i32.div_s overflow", TrapKind::IntegerOverflow},
      {"i64.div_s overflow", TrapKind::IntegerOverflow},
      {"integer overflow", TrapKind::IntegerOverflow},
      {"of nan", TrapKind::InvalidConversion},
      {"Float overflow", TrapKind::IntegerOverflow},
  };
  for (const Rule& r : rules)
    if (m.find(r.contains) != std::string::npos) return r.kind;
  return std::nullopt;
}

// Splits "(a, b, c)" or "a" into value texts.
std::vector<std::string> split_values(const std::string& text, bool tuple_syntax) {
  std::vector<std::string> out;
  std::string t = text;
  if (tuple_syntax && t.size() >= 2 && t.front() == '(' && t.back() == ')') {
    t = t.substr(1, t.size() - 2);
    std::string cur;
    int depth = 0;
    for (char c : t) {
      if (c == '(') ++depth;
      if (c == ')') --depth;
      if (c == ',' && depth == 0) {
        out.push_back(cur);
        cur.clear();
        continue;
      }
      if (c == ' ' && cur.empty()) continue;
      cur += c;
    }
    out.push_back(cur);
    return out;
  }
  std::istringstream ss(t);
  std::string w;
  while (ss >> w) out.push_back(w);
  return out;
}

// A decimal integer: an i64 as signed; an i32 as signed or as its unsigned 32-bit value.
bool parse_int(const std::string& s, bool is64, int64_t& out) {
  errno = 0;
  char* end = nullptr;
  long long v = std::strtoll(s.c_str(), &end, 10);
  if (errno || end == s.c_str() || *end) return false;
  if (!is64) {
    if (v < INT32_MIN || v > (long long)UINT32_MAX) return false;
    v = int32_t(uint32_t(v));
  }
  out = v;
  return true;
}

bool value_matches(const std::string& b, const Value& v) {
  switch (v.type) {
    case ValType::I32:
    case ValType::I64: {
      bool is64 = v.type == ValType::I64;
      int64_t x;
      return parse_int(b, is64, x) && x == (is64 ? v.as_i64() : v.as_i32());
    }
    case ValType::F32:
    case ValType::F64: {
      // Every NaN equals every NaN; otherwise the decimal text parsed for the type, bit for bit.
      bool f32 = v.type == ValType::F32;
      if (b.find("nan") != std::string::npos) return f32 ? std::isnan(v.as_f32()) : std::isnan(v.as_f64());
      char* end = nullptr;
      Value parsed = f32 ? Value::f32(std::strtof(b.c_str(), &end)) : Value::f64(std::strtod(b.c_str(), &end));
      return !*end && parsed.bits == v.bits;
    }
    case ValType::FuncRef:
      if (b == "funcref") return true;
      if (b == "funcref(null)") return v.is_null();
      return starts_with(b, "funcref(") && !v.is_null();
    case ValType::ExternRef:
      if (b == "anyref" || b == "externref") return true;
      if (b == "anyref(null)" || b == "externref(null)") return v.is_null();
      return (starts_with(b, "anyref(") || starts_with(b, "externref(")) && !v.is_null();
    default: return false;
  }
}

bool values_match(const std::string& text, const std::vector<Value>& values, bool tuple_syntax) {
  std::vector<std::string> parts = split_values(text, tuple_syntax && values.size() > 1);
  if (parts.size() != values.size()) return false;
  for (size_t i = 0; i < parts.size(); ++i)
    if (!value_matches(parts[i], values[i])) return false;
  return true;
}

// log-i64 is printed as its low and high 32-bit halves.
std::vector<Value> log_view(const Event& e) {
  if (e.values.size() == 1 && e.values[0].type == ValType::I64) {
    uint64_t b = uint64_t(e.values[0].as_i64());
    return {Value::i32(int32_t(uint32_t(b))), Value::i32(int32_t(uint32_t(b >> 32)))};
  }
  return e.values;
}

bool events_match(const Event& b, const Event& c) {
  if (b.kind != c.kind) return false;
  switch (b.kind) {
    case Event::Call: return b.text == c.text;
    case Event::Log: return values_match(b.text, log_view(c), false);
    case Event::Result: return values_match(b.text, c.values, true);
    case Event::Trap: {
      auto k = binaryen_trap_kind(b.text);
      return k && c.trap && *k == *c.trap;
    }
  }
  return false;
}

std::vector<uint8_t> read_file(const char* path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    std::fprintf(stderr, "diff-runner: cannot read %s\n", path);
    std::exit(2);
  }
  return {std::istreambuf_iterator<char>(in), {}};
}

}  // namespace

// The -ttf input for a seed number: the same bytes on every machine.
int make_seed(const char* seed_text, const char* path) {
  uint64_t state = std::strtoull(seed_text, nullptr, 10);
  auto next = [&state] {
    uint64_t z = (state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  };
  size_t size = 1024 + next() % (15 * 1024);
  std::vector<uint8_t> bytes(size);
  for (uint8_t& b : bytes) b = uint8_t(next());
  std::ofstream out(path, std::ios::binary);
  out.write(reinterpret_cast<const char*>(bytes.data()), std::streamsize(bytes.size()));
  return out ? 0 : 2;
}

int main(int argc, char** argv) {
  if (argc == 4 && std::strcmp(argv[1], "--make-seed") == 0) return make_seed(argv[2], argv[3]);
  if (argc != 3) {
    std::fprintf(stderr, "usage: diff_runner MODULE.wasm BINARYEN_OUTPUT.txt | --make-seed SEED OUT\n");
    return 2;
  }
  std::vector<uint8_t> bytes = read_file(argv[1]);
  std::ifstream bin_out(argv[2]);
  if (!bin_out) {
    std::fprintf(stderr, "diff-runner: cannot read %s\n", argv[2]);
    return 2;
  }
  std::vector<Event> expected = parse_binaryen(bin_out);

  Engine engine;
  Module module;
  try {
    module = engine.compile(bytes);
  } catch (const Error& e) {
    std::printf("diff-runner: corowasm rejected the module: %s\n", e.what());
    return 2;
  }

  std::vector<Event> got;
  Store store(engine);
  Imports imports;
  for (const ImportDesc& imp : module.imports()) {
    ValType t;
    if (imp.module == "fuzzing-support" && imp.kind == ImportDesc::Func && imp.name == "log-i32") t = ValType::I32;
    else if (imp.module == "fuzzing-support" && imp.kind == ImportDesc::Func && imp.name == "log-i64") t = ValType::I64;
    else if (imp.module == "fuzzing-support" && imp.kind == ImportDesc::Func && imp.name == "log-f32") t = ValType::F32;
    else if (imp.module == "fuzzing-support" && imp.kind == ImportDesc::Func && imp.name == "log-f64") t = ValType::F64;
    else {
      std::printf("diff-runner: unsupported import %s.%s\n", imp.module.c_str(), imp.name.c_str());
      return 2;
    }
    imports.define(imp.module, imp.name, store.host_func({{t}, {}}, [&got, t](Caller&, std::span<const Value> args, std::span<Value>) {
      got.push_back({Event::Log, "", {t}, {args.begin(), args.end()}, {}});
    }));
  }

  Instance inst;
  try {
    inst = store.instantiate(module, imports);
  } catch (const corowasm::Trap& t) {
    got.push_back({Event::Trap, t.what(), {}, {}, t.kind()});
  } catch (const Error& e) {
    std::printf("diff-runner: instantiation failed: %s\n", e.what());
    return 2;
  }

  if (inst) {
    Func hang_init = inst.func("hangLimitInitializer");
    for (const ExportDesc& ex : module.exports()) {
      if (ex.kind != ImportDesc::Func) continue;
      got.push_back({Event::Call, ex.name, {}, {}, {}});
      Func f = inst.func(ex.name);
      std::vector<Value> args;
      for (ValType p : f.type().params) args.push_back(is_ref(p) ? Value::null(p) : Value{p, 0});
      try {
        store.set_fuel(kFuelPerCall);
        if (hang_init) hang_init.call_sync({});
        std::vector<Value> r = f.call_sync(args);
        if (!r.empty()) got.push_back({Event::Result, "", f.type().results, r, {}});
      } catch (const corowasm::Trap& t) {
        got.push_back({Event::Trap, t.what(), {}, {}, t.kind()});
      }
    }
  }

  // Compare, in order. An export counts as matched when every event from its call up to the
  // next call matched.
  size_t calls = 0, traps = 0, logs = 0, i = 0;
  bool mismatch = false, stopped_at_stack_limit = false;
  for (; i < expected.size() && i < got.size(); ++i) {
    const Event& b = expected[i];
    const Event& c = got[i];
    if (b.kind == Event::Trap && binaryen_trap_kind(b.text) == TrapKind::CallStackExhausted &&
        !(c.kind == Event::Trap && c.trap == TrapKind::CallStackExhausted)) {
      stopped_at_stack_limit = true;
      break;
    }
    if (!events_match(b, c)) {
      mismatch = true;
      break;
    }
    if (b.kind == Event::Call) ++calls;
    if (b.kind == Event::Trap) ++traps;
    if (b.kind == Event::Log) ++logs;
  }
  if (!mismatch && !stopped_at_stack_limit && expected.size() != got.size()) mismatch = true;
  // The export in progress at a mismatch or a stop is not a match; a mismatching call event
  // starts an export of its own.
  bool in_export = mismatch || stopped_at_stack_limit;
  bool at_call = i < expected.size() && expected[i].kind == Event::Call;
  size_t matched = in_export && !at_call && calls > 0 ? calls - 1 : calls;
  size_t compared = matched + (mismatch ? 1 : 0);

  if (stopped_at_stack_limit)
    std::printf("diff-runner: known equivalence: binaryen's interpreter reached its stack limit at event %zu "
                "(corowasm: %s); the rest is not compared\n",
                i, format_event(got[i], false).c_str());
  if (mismatch) {
    std::printf("diff-runner: MISMATCH at event %zu\n", i);
    size_t from = i >= 3 ? i - 3 : 0;
    for (size_t k = from; k < std::max(expected.size(), got.size()) && k < i + 8; ++k) {
      std::string b = k < expected.size() ? format_event(expected[k], true) : "<end>";
      std::string c = k < got.size() ? format_event(got[k], false) : "<end>";
      std::printf("  %s %4zu  binaryen: %-50s  corowasm: %s\n", k == i ? ">" : " ", k, b.c_str(), c.c_str());
    }
  }
  std::printf("diff-runner: exports compared: %zu, matched: %zu, mismatched: %d; traps matched: %zu, log calls "
              "matched: %zu%s\n",
              compared, matched, mismatch ? 1 : 0, traps, logs,
              stopped_at_stack_limit ? " (stopped at binaryen's stack limit)" : "");
  return mismatch ? 1 : 0;
}
