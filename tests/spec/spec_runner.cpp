// corowasm_spec: runs one WebAssembly spec test script (the JSON + .wasm files that wabt's
// wast2json or wasm-tools' json-from-wast writes) against corowasm, in-process.
//
//   corowasm_spec <file.json> [--label group/file.wast] [--result <path>]
//                 [--outdated <line>:<reason>]... [-v|--verbose]
//   corowasm_spec --summary <dir> [--expect <src dir>]
//                                             totals of the *.result files under <dir>
//   corowasm_spec --parse-only <file.json>... parse only; count the commands by type
//
// The commands run in order, each by one method of CommandRunner (like wabt's spectest-interp).
// All modules are instantiated into one shared Store; `register` makes an instance's exports
// importable by name. Output:
//   <label>:<line>: FAIL <command>: <expected> / <what happened>
//   <label>:<line>: SKIP <command>: <reason>
//   <label>: skipped because: <reason> xN               (one line per reason)
//   <label>: N passed, M failed, K skipped              (always the last line)
// N counts passed assertions (assert_*). M and K count every command: failed or skipped
// assertions plus failed or skipped module, register and action commands, so that a broken or
// skipped module can never go unnoticed. A module that needs a feature corowasm does not build
// yet (the VM refuses it with "... not supported") is skipped with that reason, and so is every
// later command on it ("module skipped: <reason>"). The last line and the skip reasons are also
// written to the result file (--result, by default <file.json>.result), which --summary reads.
// The exit code is non-zero iff M > 0.

#include <corowasm/corowasm.h>

#include <boost/json.hpp>
#include <cxxabi.h>
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <cinttypes>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <regex>
#include <sstream>
#include <string>
#include <typeinfo>
#include <vector>

namespace cw = corowasm;
namespace fs = std::filesystem;
namespace json = boost::json;
using JValue = json::value;

namespace {

// ---- Small helpers ---------------------------------------------------------------------------

// Bytes below 0x20 and 0x7F are shown as \xNN; everything else (including UTF-8) as is.
std::string printable(std::string_view s) {
  std::string out;
  for (char c : s) {
    auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7F) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", u);
      out += buf;
    } else {
      out += c;
    }
  }
  return out;
}

std::string demangle(const char* name) {
  int status = 0;
  char* d = abi::__cxa_demangle(name, nullptr, nullptr, &status);
  std::string out = (status == 0 && d) ? d : name;
  std::free(d);
  return out;
}

// Describes the exception being handled. Call only inside a catch block.
std::string describe_current_exception() {
  try {
    throw;
  } catch (const cw::Trap& e) {
    return std::string("trap ") + cw::trap_kind_name(e.kind()) + " \"" + e.what() + "\"";
  } catch (const cw::LinkError& e) {
    return std::string("LinkError \"") + e.what() + "\"";
  } catch (const cw::DecodeError& e) {
    return std::string("DecodeError \"") + e.what() + "\"";
  } catch (const cw::ValidationError& e) {
    return std::string("ValidationError \"") + e.what() + "\"";
  } catch (const cw::Error& e) {
    return "corowasm::Error (" + demangle(typeid(e).name()) + ") \"" + e.what() + "\"";
  } catch (const std::exception& e) {
    return "C++ exception " + demangle(typeid(e).name()) + " \"" + e.what() + "\"";
  } catch (...) {
    return "unknown C++ exception";
  }
}

// The lanes of a v128 constant, by its "lane_type".
struct LaneShape {
  const char* name;  // "i8" ... "f64"
  unsigned bytes;    // of one lane: 1, 2, 4 or 8
  bool is_float;
  unsigned count() const { return 16 / bytes; }
};
constexpr LaneShape kLaneShapes[] = {{"i8", 1, false},  {"i16", 2, false}, {"i32", 4, false},
                                     {"i64", 8, false}, {"f32", 4, true},  {"f64", 8, true}};
constexpr const LaneShape& kI32Lanes = kLaneShapes[2];

const LaneShape* find_lane_shape(std::string_view name) {
  for (const LaneShape& s : kLaneShapes)
    if (name == s.name) return &s;
  return nullptr;
}

// Lane `i` of a v128 (lane 0 in the lowest bytes), zero-extended.
uint64_t lane_bits(const cw::Value& v, const LaneShape& shape, unsigned i) {
  uint8_t bytes[16];
  v.v128_bytes(bytes);
  uint64_t lane = 0;
  std::memcpy(&lane, bytes + i * shape.bytes, shape.bytes);  // little-endian, as Value itself
  return lane;
}

// "0x0000002a": one lane or float bit pattern, zero-padded to its width.
std::string hex_bits(uint64_t bits, unsigned bytes) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "0x%0*" PRIx64, int(bytes * 2), bits);
  return buf;
}

// "v128:i32x4[0x00000001 0x00000002 0x00000003 0x00000004]"
std::string format_v128(const cw::Value& v, const LaneShape& shape) {
  std::string out = std::string("v128:") + shape.name + "x" + std::to_string(shape.count()) + "[";
  for (unsigned i = 0; i < shape.count(); ++i) {
    if (i) out += ' ';
    out += hex_bits(lane_bits(v, shape, i), shape.bytes);
  }
  return out + "]";
}

std::string format_value(const cw::Value& v) {
  char buf[128];
  switch (v.type) {
    case cw::ValType::I32:
      if (v.bits >> 32)
        std::snprintf(buf, sizeof buf, "i32:<bad bits 0x%016" PRIx64 ">", v.bits);
      else
        std::snprintf(buf, sizeof buf, "i32:%" PRIu32 " (0x%" PRIx32 ")", uint32_t(v.bits),
                      uint32_t(v.bits));
      return buf;
    case cw::ValType::I64:
      std::snprintf(buf, sizeof buf, "i64:%" PRIu64 " (0x%" PRIx64 ")", v.bits, v.bits);
      return buf;
    case cw::ValType::F32:
      if (v.bits >> 32)
        std::snprintf(buf, sizeof buf, "f32:<bad bits 0x%016" PRIx64 ">", v.bits);
      else
        std::snprintf(buf, sizeof buf, "f32:0x%08" PRIx32 " (%.9g)", uint32_t(v.bits),
                      double(v.as_f32()));
      return buf;
    case cw::ValType::F64:
      std::snprintf(buf, sizeof buf, "f64:0x%016" PRIx64 " (%.17g)", v.bits, v.as_f64());
      return buf;
    case cw::ValType::ExternRef:
      if (v.bits == 0) return "externref:null";
      std::snprintf(buf, sizeof buf, "externref:%" PRIu64, v.bits - 1);
      return buf;
    case cw::ValType::ExnRef:
      if (v.bits == 0) return "exnref:null";
      std::snprintf(buf, sizeof buf, "exnref:0x%" PRIx64, v.bits);
      return buf;
    case cw::ValType::FuncRef:
      if (v.bits == 0) return "funcref:null";
      std::snprintf(buf, sizeof buf, "funcref:0x%" PRIx64, v.bits);
      return buf;
    case cw::ValType::V128:
      return format_v128(v, kI32Lanes);
  }
  std::snprintf(buf, sizeof buf, "<type 0x%02x>:0x%" PRIx64, unsigned(v.type), v.bits);
  return buf;
}

template <typename T, typename F>
std::string format_list(const std::vector<T>& items, F&& f) {
  std::string out = "[";
  for (size_t i = 0; i < items.size(); ++i) {
    if (i) out += ", ";
    out += f(items[i]);
  }
  return out + "]";
}

std::string format_values(const std::vector<cw::Value>& vs) { return format_list(vs, format_value); }

bool read_bytes(const std::string& path, std::vector<uint8_t>& out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  out.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  return !in.bad();
}

// ---- Crash reporting -------------------------------------------------------------------------
// A fatal signal (segfault in the VM, native stack overflow, abort) still produces a FAIL line
// naming the command's line number and a .result file, using only async-signal-safe calls.

struct CrashState {
  char label[512] = "";
  char result_path[4096] = "";
  volatile sig_atomic_t line = 0;
  volatile sig_atomic_t passed = 0;
  volatile sig_atomic_t failed = 0;
  volatile sig_atomic_t skipped = 0;
  volatile sig_atomic_t active = 0;
};
CrashState g_crash;

void append_str(char* buf, size_t cap, size_t& len, const char* s) {
  while (*s && len + 1 < cap) buf[len++] = *s++;
}
void append_num(char* buf, size_t cap, size_t& len, long v) {
  char tmp[24];
  int n = 0;
  bool neg = v < 0;
  unsigned long u = neg ? 0ul - static_cast<unsigned long>(v) : static_cast<unsigned long>(v);
  do {
    tmp[n++] = char('0' + u % 10);
    u /= 10;
  } while (u);
  if (neg && len + 1 < cap) buf[len++] = '-';
  while (n && len + 1 < cap) buf[len++] = tmp[--n];
}

extern "C" void crash_handler(int sig) {
  if (g_crash.active) {
    char msg[1024];
    size_t len = 0;
    append_str(msg, sizeof msg, len, g_crash.label);
    append_str(msg, sizeof msg, len, ":");
    append_num(msg, sizeof msg, len, g_crash.line);
    append_str(msg, sizeof msg, len, ": FAIL crash: signal ");
    append_num(msg, sizeof msg, len, sig);
    const char* name = sig == SIGSEGV   ? " (SIGSEGV)"
                       : sig == SIGBUS  ? " (SIGBUS)"
                       : sig == SIGFPE  ? " (SIGFPE)"
                       : sig == SIGILL  ? " (SIGILL)"
                       : sig == SIGABRT ? " (SIGABRT)"
                                        : "";
    append_str(msg, sizeof msg, len, name);
    append_str(msg, sizeof msg, len, " while running this command; the rest of the file did not run\n");
    size_t summary_start = len;
    append_str(msg, sizeof msg, len, g_crash.label);
    append_str(msg, sizeof msg, len, ": ");
    append_num(msg, sizeof msg, len, g_crash.passed);
    append_str(msg, sizeof msg, len, " passed, ");
    append_num(msg, sizeof msg, len, g_crash.failed + 1);
    append_str(msg, sizeof msg, len, " failed, ");
    append_num(msg, sizeof msg, len, g_crash.skipped);
    append_str(msg, sizeof msg, len, " skipped\n");
    ssize_t ignored = write(STDOUT_FILENO, msg, len);
    if (g_crash.result_path[0]) {
      int fd = open(g_crash.result_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
      if (fd >= 0) {
        ignored = write(fd, msg + summary_start, len - summary_start);
        const char note[] = "crashed\n";
        ignored = write(fd, note, sizeof note - 1);
        close(fd);
      }
    }
    (void)ignored;
  }
  signal(sig, SIG_DFL);
  raise(sig);
}

void install_crash_handlers() {
  static std::vector<char> alt_stack(1 << 16);
  stack_t ss{};
  ss.ss_sp = alt_stack.data();
  ss.ss_size = alt_stack.size();
  sigaltstack(&ss, nullptr);
  struct sigaction sa {};
  sa.sa_handler = crash_handler;
  sa.sa_flags = SA_ONSTACK | SA_RESETHAND;
  sigemptyset(&sa.sa_mask);
  for (int sig : {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT}) sigaction(sig, &sa, nullptr);
}

void copy_cstr(char* dst, size_t cap, const std::string& src) {
  size_t n = std::min(cap - 1, src.size());
  std::memcpy(dst, src.data(), n);
  dst[n] = '\0';
}

// ---- wast2json's JSON ------------------------------------------------------------------------

// Reads and parses a whole file; throws std::runtime_error saying why it cannot.
JValue parse_json_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot open " + path);
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) throw std::runtime_error("cannot read " + path);
  json::parse_options options;
  options.allow_invalid_utf8 = true;  // names are the module's bytes; never reject a file for them
  json::stream_parser parser({}, options);
  boost::system::error_code ec;
  std::string s = std::move(text).str();
  size_t used = parser.write(s.data(), s.size(), ec);
  if (!ec) parser.finish(ec);
  if (ec) throw std::runtime_error("JSON parse error at byte " + std::to_string(used) + ": " + ec.message());
  return parser.release();
}

// Member `key` of an object; nullptr when absent or when `v` is not an object.
const JValue* member(const JValue& v, std::string_view key) {
  const json::object* o = v.if_object();
  return o ? o->if_contains(key) : nullptr;
}

// Member `key` as a string, or `fallback` when absent or not a string.
std::string get_string(const JValue& v, std::string_view key, std::string_view fallback = {}) {
  const JValue* m = member(v, key);
  const json::string* s = m ? m->if_string() : nullptr;
  return std::string(s ? std::string_view(*s) : fallback);
}

// Member `key` as an integer, or `fallback` when absent or not an integer.
long long get_int(const JValue& v, std::string_view key, long long fallback = 0) {
  const JValue* m = member(v, key);
  if (m && m->is_int64()) return m->get_int64();
  if (m && m->is_uint64() && m->get_uint64() <= uint64_t(INT64_MAX)) return (long long)m->get_uint64();
  return fallback;
}

// ---- Command values --------------------------------------------------------------------------
// Both converters' spellings: wabt's wast2json writes integers unsigned ("4294967295"),
// wasm-tools' json-from-wast signed ("-1"); floats are unsigned bit patterns in both.

// Thrown while preparing a command: the command is skipped with this reason.
struct SkipCommand {
  std::string reason;
};
// Thrown while preparing a command: the command cannot run (counts as a failure).
struct BadCommand {
  std::string what;
};

// A constant's "value": a string's contents (wast2json writes every value as a string) or a
// number's JSON text.
std::string value_text(const JValue& v, const std::string& type) {
  if (const json::string* s = v.if_string()) return std::string(*s);
  if (v.is_number()) return json::serialize(v);
  throw BadCommand{"value of " + type + " is neither a string nor a number"};
}

// A value type by the name that cw::to_string gives it.
std::optional<cw::ValType> parse_type(const std::string& s) {
  using VT = cw::ValType;
  for (VT t : {VT::I32, VT::I64, VT::F32, VT::F64, VT::V128, VT::FuncRef, VT::ExternRef, VT::ExnRef})
    if (s == cw::to_string(t)) return t;
  return std::nullopt;
}

// Value types of the GC proposal, which cw::Value cannot hold. Where the runner can still
// check a result (refnull, nullfuncref, nullexternref, nullexnref: a null funcref/externref/
// exnref) parse_const does so before it looks here.
bool is_unimplemented_ref_type(const std::string& s) {
  for (const char* t : {"anyref", "eqref", "i31ref", "structref", "arrayref", "nullref",
                        "nullfuncref", "nullexternref", "nullexnref", "refnull"})
    if (s == t) return true;
  return false;
}

uint64_t parse_u64(const std::string& s, uint64_t max, const std::string& what) {
  uint64_t v = 0;
  const char* end = s.data() + s.size();
  auto [p, ec] = std::from_chars(s.data(), end, v);
  if (s.empty() || ec != std::errc() || p != end || v > max)
    throw BadCommand{"bad " + what + " value \"" + s + "\""};
  return v;
}

// A `width`-bit integer written unsigned (0 .. 2^width-1) or signed (-2^(width-1) .. -1), as
// its two's-complement bits.
uint64_t parse_int_bits(const std::string& s, unsigned width, const std::string& what) {
  uint64_t mask = width == 64 ? UINT64_MAX : (uint64_t(1) << width) - 1;
  if (!s.starts_with('-')) return parse_u64(s, mask, what);
  uint64_t magnitude = parse_u64(s.substr(1), (mask >> 1) + 1, what);
  return (0 - magnitude) & mask;
}

bool is_canonical_nan(uint64_t bits, bool f32) {
  if (f32) return (bits >> 32) == 0 && (bits & 0x7FFFFFFFu) == 0x7FC00000u;
  return (bits & 0x7FFFFFFFFFFFFFFFull) == 0x7FF8000000000000ull;
}
bool is_arithmetic_nan(uint64_t bits, bool f32) {
  if (f32) return (bits >> 32) == 0 && (bits & 0x7FC00000u) == 0x7FC00000u;
  return (bits & 0x7FF8000000000000ull) == 0x7FF8000000000000ull;
}

// How one number (a scalar, or one lane of a v128) must look.
enum class Pattern : uint8_t { Exact, CanonicalNan, ArithmeticNan };

bool number_matches(Pattern p, bool f32, uint64_t want, uint64_t got) {
  switch (p) {
    case Pattern::Exact: return got == want;
    case Pattern::CanonicalNan: return is_canonical_nan(got, f32);
    case Pattern::ArithmeticNan: return is_arithmetic_nan(got, f32);
  }
  return false;
}

// "nan:canonical" / "nan:arithmetic", which only expected floats (and float lanes) may use.
std::optional<Pattern> parse_nan_pattern(const std::string& s) {
  if (s == "nan:canonical") return Pattern::CanonicalNan;
  if (s == "nan:arithmetic") return Pattern::ArithmeticNan;
  return std::nullopt;
}

const char* pattern_name(Pattern p) {
  return p == Pattern::CanonicalNan ? "nan:canonical" : "nan:arithmetic";
}

// One expected result of assert_return.
struct Expected {
  enum Kind {
    Number,      // value, with `pattern` (floats) or `lanes` (v128) saying what must match
    AnyNonNull,  // a non-null reference of value.type: (ref.func), (ref.extern)
    AnyNull,     // a null reference of any type: (ref.null) without a heap type
    Either,      // any of `alternatives` (relaxed SIMD)
  } kind = Number;
  cw::Value value;                     // type always set (but for AnyNull and Either)
  Pattern pattern = Pattern::Exact;    // F32, F64
  const LaneShape* shape = nullptr;    // V128: the lanes, each compared on its own
  std::vector<Pattern> lanes;          // V128: one per lane
  std::vector<Expected> alternatives;  // Either

  bool matches(const cw::Value& v) const {
    switch (kind) {
      case Either:
        return std::any_of(alternatives.begin(), alternatives.end(),
                           [&](const Expected& e) { return e.matches(v); });
      case AnyNull: return cw::is_ref(v.type) && v.is_null();
      case AnyNonNull: return v.type == value.type && !v.is_null();
      case Number: break;
    }
    if (v.type != value.type) return false;
    if (v.type == cw::ValType::V128) {
      for (unsigned i = 0; i < shape->count(); ++i)
        if (!number_matches(lanes[i], shape->bytes == 4, lane_bits(value, *shape, i),
                            lane_bits(v, *shape, i)))
          return false;
      return true;
    }
    return number_matches(pattern, v.type == cw::ValType::F32, value.bits, v.bits);
  }

  std::string describe() const {
    switch (kind) {
      case Either: {
        std::string out = "either(";
        for (size_t i = 0; i < alternatives.size(); ++i)
          out += (i ? " | " : "") + alternatives[i].describe();
        return out + ")";
      }
      case AnyNull: return "ref:null";
      case AnyNonNull: return std::string(cw::to_string(value.type)) + ":non-null";
      case Number: break;
    }
    if (value.type == cw::ValType::V128) {
      std::string out = std::string("v128:") + shape->name + "x" + std::to_string(shape->count()) + "[";
      for (unsigned i = 0; i < shape->count(); ++i) {
        if (i) out += ' ';
        out += lanes[i] == Pattern::Exact ? hex_bits(lane_bits(value, *shape, i), shape->bytes)
                                          : pattern_name(lanes[i]);
      }
      return out + "]";
    }
    if (pattern != Pattern::Exact) return std::string(cw::to_string(value.type)) + ":" + pattern_name(pattern);
    return format_value(value);
  }

  // The lanes to show a v128 result in, so that it reads like the expectation.
  const LaneShape& result_shape() const {
    if (kind == Either && !alternatives.empty()) return alternatives[0].result_shape();
    return shape ? *shape : kI32Lanes;
  }
};

// {"type":"v128","lane_type":"i8".."f64","value":[one string per lane]} into e.value (and
// e.lanes: NaN patterns are allowed in float lanes of an expected value).
void parse_v128(const JValue& j, bool expected, Expected& e) {
  std::string lane_type = get_string(j, "lane_type");
  e.shape = find_lane_shape(lane_type);
  if (!e.shape) throw BadCommand{"bad v128 lane_type \"" + lane_type + "\""};
  const JValue* jv = member(j, "value");
  const json::array* lanes = jv ? jv->if_array() : nullptr;
  if (!lanes || lanes->size() != e.shape->count())
    throw BadCommand{"v128 " + lane_type + " value needs " + std::to_string(e.shape->count()) + " lanes"};
  uint8_t bytes[16] = {};
  for (unsigned i = 0; i < e.shape->count(); ++i) {
    std::string s = value_text((*lanes)[i], "v128 lane");
    uint64_t bits = 0;
    std::optional<Pattern> nan = e.shape->is_float ? parse_nan_pattern(s) : std::nullopt;
    if (nan && !expected) throw BadCommand{"NaN pattern " + s + " used as an argument"};
    if (!nan && e.shape->is_float)
      bits = parse_u64(s, e.shape->bytes == 4 ? UINT32_MAX : UINT64_MAX, "v128 lane");
    else if (!nan)
      bits = parse_int_bits(s, e.shape->bytes * 8, "v128 lane");
    e.lanes.push_back(nan.value_or(Pattern::Exact));
    std::memcpy(bytes + i * e.shape->bytes, &bits, e.shape->bytes);  // little-endian host
  }
  uint64_t lo = 0, hi = 0;
  std::memcpy(&lo, bytes, 8);
  std::memcpy(&hi, bytes + 8, 8);
  e.value = cw::Value::v128(lo, hi);
}

// Parses one {"type": ..., "value": ...} object. `expected` allows what only results may use:
// NaN patterns, non-null and untyped-null reference patterns, alternatives.
Expected parse_const(const JValue& j, bool expected) {
  std::string tname = get_string(j, "type");
  Expected e;
  if (expected && tname == "either") {  // wasm-tools: {"type":"either","values":[...]}
    const JValue* values = member(j, "values");
    if (!values || !values->is_array() || values->as_array().empty())
      throw BadCommand{"\"either\" without \"values\""};
    e.kind = Expected::Either;
    for (const JValue& alt : values->as_array()) e.alternatives.push_back(parse_const(alt, true));
    return e;
  }
  if (expected && tname == "refnull") {
    e.kind = Expected::AnyNull;
    return e;
  }
  // The null of a bottom type that corowasm has: it can only be the null funcref / externref.
  if (tname == "nullfuncref" || tname == "nullexternref" || tname == "nullexnref") {
    e.value = cw::Value::null(tname == "nullfuncref"     ? cw::ValType::FuncRef
                              : tname == "nullexnref" ? cw::ValType::ExnRef
                                                      : cw::ValType::ExternRef);
    return e;
  }
  auto type = parse_type(tname);
  if (!type && is_unimplemented_ref_type(tname))
    throw SkipCommand{tname + " values (GC) are not supported yet"};
  if (!type) throw BadCommand{"unsupported value type \"" + tname + "\""};
  e.value.type = *type;
  if (*type == cw::ValType::V128) {
    parse_v128(j, expected, e);
    return e;
  }
  const JValue* jv = member(j, "value");
  if (cw::is_ref(*type)) {
    if (!jv) {
      // (ref.extern) / (ref.func) without an argument: any non-null reference.
      if (!expected) throw BadCommand{std::string("argument ") + tname + " without a value"};
      e.kind = Expected::AnyNonNull;
      return e;
    }
    std::string s = value_text(*jv, tname);
    if (s == "null") {
      e.value.bits = 0;
      return e;
    }
    if (*type == cw::ValType::FuncRef || *type == cw::ValType::ExnRef) {
      if (!expected) throw BadCommand{"cannot pass a non-null " + tname + " argument (" + s + ")"};
      e.kind = Expected::AnyNonNull;
      return e;
    }
    // externref N is host word N + 1, so that 0 stays null.
    e.value.bits = parse_u64(s, UINT64_MAX - 1, "externref") + 1;
    return e;
  }
  if (!jv || !(jv->is_string() || jv->is_number())) throw BadCommand{"value missing for " + tname};
  std::string s = value_text(*jv, tname);
  switch (*type) {
    case cw::ValType::F32:
    case cw::ValType::F64:
      if (std::optional<Pattern> nan = parse_nan_pattern(s)) {
        if (!expected) throw BadCommand{"NaN pattern " + s + " used as an argument"};
        e.pattern = *nan;
        return e;
      }
      e.value.bits = parse_u64(s, *type == cw::ValType::F32 ? UINT32_MAX : UINT64_MAX, tname);
      return e;
    default:
      e.value.bits = parse_int_bits(s, *type == cw::ValType::I32 ? 32 : 64, tname);
      return e;
  }
}

std::vector<cw::Value> parse_args(const JValue& action) {
  std::vector<cw::Value> args;
  if (const JValue* a = member(action, "args"); a && a->is_array())
    for (const JValue& j : a->as_array()) args.push_back(parse_const(j, false).value);
  return args;
}

std::vector<Expected> parse_expected(const JValue& cmd) {
  std::vector<Expected> out;
  if (const JValue* a = member(cmd, "expected"); a && a->is_array()) {
    for (const JValue& j : a->as_array()) out.push_back(parse_const(j, true));
  } else if (const JValue* either = member(cmd, "either"); either && either->is_array()) {
    // wabt: a top-level "either": [c1, c2, ...] instead of "expected", alternatives of the
    // one result.
    Expected e;
    e.kind = Expected::Either;
    for (const JValue& j : either->as_array()) e.alternatives.push_back(parse_const(j, true));
    if (e.alternatives.empty()) throw BadCommand{"empty \"either\""};
    out.push_back(std::move(e));
  }
  return out;
}

// Results as the expectations read: a v128 in the lanes its expectation uses.
std::string format_results(const std::vector<cw::Value>& results, const std::vector<Expected>& expected) {
  std::string out = "[";
  for (size_t i = 0; i < results.size(); ++i) {
    if (i) out += ", ";
    const cw::Value& v = results[i];
    out += v.type == cw::ValType::V128 && i < expected.size()
               ? format_v128(v, expected[i].result_shape())
               : format_value(v);
  }
  return out + "]";
}

// ---- The runner ------------------------------------------------------------------------------

enum class Outcome { Pass, Fail, Skip };

struct Result {
  Outcome outcome = Outcome::Pass;
  std::string expected;  // Fail: what was expected
  std::string got;       // Fail: what happened; Skip: the reason; Pass: an optional note
  std::string note;      // Skip: a detail shown after the reason (not part of the tally)

  static Result pass(std::string note = {}) { return {Outcome::Pass, {}, std::move(note), {}}; }
  static Result fail(std::string expected, std::string got) {
    return {Outcome::Fail, std::move(expected), std::move(got), {}};
  }
  static Result skip(std::string reason) { return {Outcome::Skip, {}, std::move(reason), {}}; }
};

// Skip reason tallies: most frequent first.
bool by_count_then_name(const std::pair<std::string, unsigned long long>& a,
                        const std::pair<std::string, unsigned long long>& b) {
  return a.second != b.second ? a.second > b.second : a.first < b.first;
}

// A result file's first line until the run has written its result (see start_result), and the
// prefix of its lines after the first that count one skip reason: "skip\t<count>\t<reason>".
constexpr std::string_view kUnfinished = "running";
constexpr std::string_view kSkipLine = "skip\t";

bool trap_text_matches(const std::string& ours, const std::string& expected) {
  if (ours.empty()) return false;
  return ours.starts_with(expected) || expected.starts_with(ours);
}

// Whether a module's DecodeError/ValidationError reason names a proposal that corowasm does not
// build yet (vm/decode/features.cpp: "SIMD (v128) is not supported yet", "threads (shared
// memory) are not supported", "exception handling (tag section) is not supported", ...; and
// vm/decode/decoder.cpp: "multiple memories are not supported"). Those messages all say "not
// supported" (the SIMD ones add "yet"); no Wasm 2.0 error does, so a module refused for a real
// bug never matches.
bool is_missing_feature(const std::string& reason) { return reason.find("not supported") != std::string::npos; }

// The reason of the DecodeError or ValidationError being handled when it names a missing
// feature, else nullopt. Call only inside a catch block.
std::optional<std::string> missing_feature() {
  try {
    throw;
  } catch (const cw::DecodeError& e) {
    if (is_missing_feature(e.reason())) return e.reason();
  } catch (const cw::ValidationError& e) {
    if (is_missing_feature(e.reason())) return e.reason();
  } catch (...) {
  }
  return std::nullopt;
}

// The module names of a binary's imports ("spectest", "Mt", ...), read without the VM: for a
// module that the VM refused, to know whose memories, tables and globals its instantiation
// would have written to. Knows the import encodings of Wasm 3.0 and stops at anything else
// (an unknown kind, a truncated entry), keeping the names read until then.
std::vector<std::string> imported_module_names(const std::vector<uint8_t>& b) {
  std::vector<std::string> names;
  size_t p = 8, end = b.size();
  auto leb = [&](uint64_t& v) {
    v = 0;
    for (unsigned shift = 0; p < end; shift += 7) {
      uint8_t byte = b[p++];
      if (shift < 64) v |= uint64_t(byte & 0x7F) << shift;
      if (!(byte & 0x80)) return true;
    }
    return false;
  };
  auto skip_leb = [&] {
    uint64_t ignored;
    return leb(ignored);
  };
  auto value_type = [&] {  // a byte, or 0x63/0x64 (ref null? ht) and a heap type
    if (p >= end) return false;
    uint8_t t = b[p++];
    return (t != 0x63 && t != 0x64) || skip_leb();
  };
  auto limits = [&] {  // flags: 1 a maximum, 2 shared, 4 64-bit, 8 a custom page size
    if (p >= end) return false;
    uint8_t flags = b[p++];
    return skip_leb() && (!(flags & 1) || skip_leb()) && (!(flags & 8) || skip_leb());
  };
  while (p < end) {
    uint8_t id = b[p++];
    uint64_t size = 0;
    if (!leb(size) || size > end - p) break;
    if (id != 2) {
      p += size;
      continue;
    }
    end = p + size;
    uint64_t count = 0, n = 0;
    if (!leb(count)) break;
    for (uint64_t i = 0; i < count; ++i) {
      if (!leb(n) || n > end - p) return names;
      std::string module(b.begin() + long(p), b.begin() + long(p + n));
      p += n;
      if (!leb(n) || n >= end - p) return names;
      p += n;
      names.push_back(std::move(module));
      uint8_t kind = b[p++];
      bool ok = kind == 0 ? skip_leb()                            // func: type index
                : kind == 1 ? value_type() && limits()            // table
                : kind == 2 ? limits()                            // memory
                : kind == 3 ? value_type() && p++ < end           // global: type, mutability
                : kind == 4 ? p++ < end && skip_leb()             // tag: attribute, type index
                            : false;
      if (!ok) return names;
    }
    break;
  }
  return names;
}

class CommandRunner {
 public:
  CommandRunner(std::string json_path, std::string label, std::string result_path, bool verbose)
      : json_path_(std::move(json_path)),
        label_(std::move(label)),
        result_path_(std::move(result_path)),
        verbose_(verbose) {
    base_dir_ = fs::path(json_path_).parent_path();
  }

  // The assertion on `line` contradicts the spec that corowasm implements (a proposal's copy of
  // an older test): it is skipped without running, with `reason`.
  void add_outdated(long line, std::string reason) { outdated_[line] = std::move(reason); }

  int run() {
    copy_cstr(g_crash.label, sizeof g_crash.label, label_);
    copy_cstr(g_crash.result_path, sizeof g_crash.result_path, result_path_);
    g_crash.active = 1;
    start_result();

    JValue doc;
    try {
      doc = parse_json_file(json_path_);
    } catch (const std::exception& e) {
      report_fail(0, "json", "a readable wast2json file", e.what());
      return finish();
    }
    const JValue* commands = member(doc, "commands");
    if (!commands || !commands->is_array()) {
      report_fail(0, "json", "a \"commands\" array", "none");
      return finish();
    }

    try {
      engine_.emplace();
      store_.emplace(*engine_);
    } catch (...) {
      report_fail(0, "setup", "an Engine and a Store", describe_current_exception());
      return finish();
    }
    try {
      define_spectest();
    } catch (...) {
      report_fail(0, "spectest", "the spectest host module", describe_current_exception());
    }

    for (const JValue& cmd : commands->as_array()) run_command(cmd);
    return finish();
  }

 private:
  // One slot per module, module_definition and module_instance command: the compiled module,
  // the instance (not for a definition), or why there is none. Shared by the names that bind it.
  struct Slot {
    cw::Module module;
    std::optional<cw::Instance> instance;
    long line = 0;
    std::string error;  // a failure: the module did not load
    std::string skip;   // a skip: the missing feature that the module (or an import) needs
    // A module skipped for `taint` imports from this instance: its instantiation would have
    // written to this instance's memory, table or globals (active segments, a start function)
    // and later commands on this instance may count on that. Such a command that fails is
    // skipped instead, the failure shown beside the reason; one that passes still passes.
    std::string taint;
  };
  using SlotPtr = std::shared_ptr<Slot>;

  // An invoke or get, resolved: everything that can make it a SkipCommand or BadCommand has
  // happened, so running it throws only what the VM throws.
  struct Action {
    std::string name;  // `invoke "f"`
    cw::Func func;     // invoke
    cw::Global global; // get
    std::vector<cw::Value> args;
  };

  // ---- Bookkeeping ----

  void report_fail(long line, const std::string& type, const std::string& expected,
                   const std::string& got) {
    std::printf("%s:%ld: FAIL %s: %s / %s\n", label_.c_str(), line, type.c_str(),
                printable(expected).c_str(), printable(got).c_str());
    ++failed_;
    g_crash.failed = int(failed_);
  }

  void run_command(const JValue& cmd) {
    std::string type = get_string(cmd, "type", "<no type>");
    long line = long(get_int(cmd, "line", 0));
    g_crash.line = int(line);
    bool assertion = type.starts_with("assert_");
    auto outdated = outdated_.find(line);
    Result r = outdated != outdated_.end() ? Result::skip("outdated test: " + outdated->second)
                                           : untaint(cmd, dispatch(type, cmd));
    switch (r.outcome) {
      case Outcome::Pass:
        if (assertion) ++passed_;
        if (verbose_)
          std::printf("%s:%ld: pass %s%s%s\n", label_.c_str(), line, type.c_str(),
                      r.got.empty() ? "" : ": ", printable(r.got).c_str());
        break;
      case Outcome::Fail:
        report_fail(line, type, r.expected, r.got);
        break;
      case Outcome::Skip:
        // Like failures, skips count for every command: a skipped module must show.
        ++skipped_;
        ++skip_reasons_[r.got];
        std::printf("%s:%ld: SKIP %s: %s%s%s\n", label_.c_str(), line, type.c_str(),
                    printable(r.got).c_str(), r.note.empty() ? "" : " (",
                    printable(r.note.empty() ? "" : r.note + ")").c_str());
        break;
    }
    g_crash.passed = int(passed_);
    g_crash.skipped = int(skipped_);
  }

  Result dispatch(const std::string& type, const JValue& cmd) {
    try {
      if (type == "module") return cmd_module(cmd);
      if (type == "module_definition") return cmd_module_definition(cmd);
      if (type == "module_instance") return cmd_module_instance(cmd);
      if (type == "register") return cmd_register(cmd);
      if (type == "action") return cmd_action(cmd);
      if (type == "assert_return") return cmd_assert_return(cmd);
      if (type == "assert_trap") return cmd_assert_trap(cmd);
      if (type == "assert_exhaustion") return cmd_assert_exhaustion(cmd);
      if (type == "assert_exception") return cmd_assert_exception(cmd);
      if (type == "assert_invalid" || type == "assert_malformed")
        return expect_compile_error(cmd, Result::fail({}, "module compiled"));
      if (type == "assert_invalid_custom" || type == "assert_malformed_custom")
        // The module is well-formed and valid but for a custom section or annotation
        // ("@metadata.code.branch_hint annotation: invalid target"). Engines may ignore custom
        // sections, and corowasm does (it reads none but the name section, and annotations
        // exist only in the text format), so a module that loads is a skip, not a failure;
        // if corowasm does refuse it, any DecodeError/ValidationError is the expected error.
        return expect_compile_error(cmd, Result::skip("custom annotations are not checked"));
      if (type == "assert_unlinkable") return cmd_assert_unlinkable(cmd);
      if (type == "assert_uninstantiable") return cmd_assert_uninstantiable(cmd);
      return Result::fail("a known command", "unknown command type \"" + type + "\"");
    } catch (const SkipCommand& s) {
      return Result::skip(s.reason);
    } catch (const BadCommand& b) {
      return Result::fail("a runnable command", b.what);
    } catch (...) {
      return Result::fail("no exception", "unexpected " + describe_current_exception());
    }
  }

  // Until finish() overwrites it, the result file says that the run has not finished: a run
  // killed without a chance to write (a timeout's SIGKILL) leaves that, which --summary counts
  // as a failure, and no stale result of an earlier run survives.
  void start_result() {
    std::error_code ec;
    fs::path dir = fs::path(result_path_).parent_path();
    if (!dir.empty()) fs::create_directories(dir, ec);
    std::ofstream out(result_path_, std::ios::trunc);
    if (out) out << kUnfinished << "\n";
    if (!out) std::fprintf(stderr, "warning: could not write %s\n", result_path_.c_str());
  }

  int finish() {
    // The skip reasons, most frequent first, in the output and (for --summary) in the result.
    std::vector<std::pair<std::string, unsigned long long>> reasons(skip_reasons_.begin(), skip_reasons_.end());
    std::sort(reasons.begin(), reasons.end(), by_count_then_name);
    for (const auto& [reason, n] : reasons)
      std::printf("%s: skipped because: %s x%llu\n", label_.c_str(), printable(reason).c_str(), n);
    char line[1024];
    std::snprintf(line, sizeof line, "%s: %zu passed, %zu failed, %zu skipped", label_.c_str(),
                  passed_, failed_, skipped_);
    std::printf("%s\n", line);
    std::fflush(stdout);
    std::ofstream out(result_path_, std::ios::trunc);
    if (out) out << line << "\n";
    for (const auto& [reason, n] : reasons) out << kSkipLine << n << '\t' << printable(reason) << "\n";
    if (!out) std::fprintf(stderr, "warning: could not write %s\n", result_path_.c_str());
    g_crash.active = 0;
    return failed_ > 0 ? 1 : 0;
  }

  // ---- spectest ----

  void define_spectest() {
    cw::Store& s = *store_;
    auto print_fn = [&](std::vector<cw::ValType> params) {
      return s.host_func(cw::FuncType{std::move(params), {}},
                         [](cw::Caller&, std::span<const cw::Value>, std::span<cw::Value>) {});
    };
    using VT = cw::ValType;
    imports_.define("spectest", "print", print_fn({}));
    imports_.define("spectest", "print_i32", print_fn({VT::I32}));
    imports_.define("spectest", "print_i64", print_fn({VT::I64}));
    imports_.define("spectest", "print_f32", print_fn({VT::F32}));
    imports_.define("spectest", "print_f64", print_fn({VT::F64}));
    imports_.define("spectest", "print_i32_f32", print_fn({VT::I32, VT::F32}));
    imports_.define("spectest", "print_f64_f64", print_fn({VT::F64, VT::F64}));
    imports_.define("spectest", "global_i32",
                    s.global(cw::GlobalType{VT::I32, false}, cw::Value::i32(666)));
    imports_.define("spectest", "global_i64",
                    s.global(cw::GlobalType{VT::I64, false}, cw::Value::i64(666)));
    imports_.define("spectest", "global_f32",
                    s.global(cw::GlobalType{VT::F32, false}, cw::Value::f32(666.6f)));
    imports_.define("spectest", "global_f64",
                    s.global(cw::GlobalType{VT::F64, false}, cw::Value::f64(666.6)));
    imports_.define("spectest", "table",
                    s.table(cw::TableType{VT::FuncRef, cw::Limits{10, 20}},
                            cw::Value::null(VT::FuncRef)));
    imports_.define("spectest", "memory", s.memory(cw::MemoryType{cw::Limits{1, 2}}));
  }

  // ---- Modules and instances ----

  // A module or instance name: wabt writes "$M1", wasm-tools "M1"; both mean M1.
  static std::string name_of(const JValue& j, const char* key) {
    std::string name = get_string(j, key);
    if (name.starts_with('$')) name.erase(0, 1);
    return name;
  }

  // The binary of a command's module. A text module is read from the binary that the
  // converter encoded it to (wasm-tools' "binary_filename"); one without (`module quote` that
  // is malformed text) cannot be checked by a binary-only VM and is skipped.
  std::vector<uint8_t> load(const JValue& cmd) const {
    std::string file = get_string(cmd, "filename");
    if (get_string(cmd, "module_type", "binary") == "text") {
      file = get_string(cmd, "binary_filename");
      if (file.empty()) throw SkipCommand{"text format"};
    }
    if (file.empty()) throw BadCommand{"command has no \"filename\""};
    std::string path = (base_dir_ / file).string();
    std::vector<uint8_t> bytes;
    if (!read_bytes(path, bytes)) throw BadCommand{"cannot read module file " + path};
    return bytes;
  }

  static std::string where(const std::string& name, const Slot& slot) {
    return "module " + (name.empty() ? std::string("(last)") : name) + " from line " +
           std::to_string(slot.line);
  }

  // The slot that a command names ("module"/"name" key) or the last instance's.
  const Slot& slot_for(const JValue& j, const char* key) const {
    std::string name = name_of(j, key);
    if (name.empty()) {
      if (!last_) throw BadCommand{"no module has been defined yet"};
      return *last_;
    }
    auto it = named_.find(name);
    if (it == named_.end()) throw BadCommand{"no module named " + name};
    return *it->second;
  }

  // The instance that a command names; a SkipCommand when its module was skipped.
  const cw::Instance& instance_for(const JValue& j, const char* key) const {
    const Slot& slot = slot_for(j, key);
    if (!slot.skip.empty()) throw SkipCommand{"module skipped: " + slot.skip};
    if (!slot.instance)
      throw BadCommand{where(name_of(j, key), slot) + " is not available: " + slot.error};
    return *slot.instance;
  }

  // The skip reason of a module that `mod` imports from, if one was registered while skipped:
  // then a LinkError comes from the skip, not from corowasm.
  std::optional<std::string> skipped_import(const cw::Module& mod) const {
    for (const cw::ImportDesc& imp : mod.imports())
      if (auto it = registered_.find(imp.module); it != registered_.end() && !it->second->skip.empty())
        return it->second->skip;
    return std::nullopt;
  }

  // A module refused for the missing feature `reason` cannot write to what it imports: taints
  // the registered instances it imports from (see Slot::taint).
  void taint_imports(const std::vector<uint8_t>& bytes, const std::string& reason) {
    for (const std::string& module : imported_module_names(bytes))
      if (auto it = registered_.find(module); it != registered_.end() && it->second->taint.empty())
        it->second->taint = reason;
  }

  // A failed command on an instance whose state a skipped module would have changed: skipped.
  Result untaint(const JValue& cmd, Result r) const {
    const JValue* action = member(cmd, "action");
    if (r.outcome != Outcome::Fail || !action) return r;
    std::string taint;
    try {
      taint = slot_for(*action, "module").taint;
    } catch (const BadCommand&) {
    }
    if (taint.empty()) return r;
    Result skip = Result::skip("state depends on a skipped module: " + taint);
    skip.note = "would have failed: " + r.expected + " / " + r.got;
    return skip;
  }

  // Loads and compiles the module of a module/module_definition command into slot.module.
  // Returns the command's result when that did not work (and says why in slot.skip or
  // slot.error): a module that needs a feature corowasm does not build yet is a skip.
  std::optional<Result> compile_into(const JValue& cmd, Slot& slot) {
    std::vector<uint8_t> bytes;
    try {
      bytes = load(cmd);
    } catch (const SkipCommand& s) {
      slot.skip = s.reason;
      return Result::skip(s.reason);
    } catch (const BadCommand& b) {
      slot.error = b.what;
      return Result::fail("a module file", b.what);
    }
    try {
      slot.module = engine_->compile(bytes);
    } catch (...) {
      if (std::optional<std::string> feature = missing_feature()) {
        slot.skip = *feature;
        taint_imports(bytes, *feature);
        return Result::skip(*feature);
      }
      slot.error = "compile failed: " + describe_current_exception();
      return Result::fail("module compiles", slot.error);
    }
    modules_.push_back(slot.module);
    return std::nullopt;
  }

  Result instantiate_into(Slot& slot) {
    try {
      slot.instance = store_->instantiate(slot.module, imports_);
      return Result::pass();
    } catch (...) {
      slot.instance.reset();
      if (std::optional<std::string> why = linked_to_skipped(slot.module)) {
        slot.skip = *why;
        return Result::skip("imports a skipped module: " + *why);
      }
      slot.error = "instantiation failed: " + describe_current_exception();
      return Result::fail("module instantiates", slot.error);
    }
  }

  // When the exception being handled is a LinkError on a module that imports from a skipped
  // module: that module's skip reason. Call only inside a catch block.
  std::optional<std::string> linked_to_skipped(const cw::Module& mod) const {
    try {
      throw;
    } catch (const cw::LinkError&) {
      return skipped_import(mod);
    } catch (...) {
      return std::nullopt;
    }
  }

  // A module command binds the instance (the current one from now on) and, for
  // module_instance, the module definition under the same name.
  void bind_instance(const std::string& name, const Slot& slot) {
    last_ = std::make_shared<Slot>(slot);
    if (!name.empty()) named_[name] = last_;
  }
  void bind_definition(const std::string& name, const Slot& slot) {
    last_definition_ = std::make_shared<Slot>(slot);
    if (!name.empty()) definitions_[name] = last_definition_;
  }

  Result cmd_module(const JValue& cmd) {
    Slot slot;
    slot.line = long(get_int(cmd, "line", 0));
    std::optional<Result> r = compile_into(cmd, slot);
    if (!r) r = instantiate_into(slot);
    std::string name = name_of(cmd, "name");
    bind_definition(name, slot);
    bind_instance(name, slot);
    return *r;
  }

  // (module definition $M ...): decode and validate only.
  Result cmd_module_definition(const JValue& cmd) {
    Slot slot;
    slot.line = long(get_int(cmd, "line", 0));
    std::optional<Result> r = compile_into(cmd, slot);
    bind_definition(name_of(cmd, "name"), slot);
    return r ? *r : Result::pass();
  }

  // (module instance $I $M): instantiates definition M as instance I.
  Result cmd_module_instance(const JValue& cmd) {
    std::string def_name = name_of(cmd, "module");
    const Slot* def = last_definition_.get();
    if (!def_name.empty()) {
      auto it = definitions_.find(def_name);
      def = it == definitions_.end() ? nullptr : it->second.get();
    }
    if (!def) throw BadCommand{"no module definition " + (def_name.empty() ? "yet" : "named " + def_name)};
    Slot slot = *def;
    slot.line = long(get_int(cmd, "line", 0));
    slot.taint.clear();
    Result r;
    if (!slot.skip.empty()) {
      r = Result::skip("module skipped: " + slot.skip);
    } else if (!slot.module) {
      slot.error = where(def_name, *def) + " did not compile: " + def->error;
      r = Result::fail("a module definition", slot.error);
    } else {
      r = instantiate_into(slot);
    }
    bind_instance(name_of(cmd, "instance"), slot);
    return r;
  }

  Result cmd_register(const JValue& cmd) {
    std::string as = get_string(cmd, "as");
    std::string name = name_of(cmd, "name");
    SlotPtr slot = name.empty() ? last_ : named_.contains(name) ? named_[name] : nullptr;
    if (!slot) throw BadCommand{name.empty() ? "no module has been defined yet" : "no module named " + name};
    registered_[as] = slot;  // also when skipped: a module that imports it is skipped too
    const cw::Instance& inst = instance_for(cmd, "name");
    try {
      imports_.define_instance(as, inst);
    } catch (...) {
      return Result::fail("register as \"" + as + "\"", describe_current_exception());
    }
    return Result::pass("as " + as);
  }

  // ---- Actions ----

  // Resolves a command's invoke/get action: the instance first, so that an action on a
  // skipped module is skipped for that, whatever its values.
  Action prepare(const JValue& cmd) const {
    const JValue* a = member(cmd, "action");
    if (!a || !a->is_object()) throw BadCommand{"command has no \"action\""};
    std::string type = get_string(*a, "type");
    std::string field = get_string(*a, "field");
    Action act;
    act.name = type + " \"" + field + "\"";
    const cw::Instance& inst = instance_for(*a, "module");
    if (type == "invoke") {
      act.func = inst.func(field);
      if (!act.func) throw BadCommand{"no exported function \"" + field + "\""};
      act.args = parse_args(*a);
    } else if (type == "get") {
      act.global = inst.global(field);
      if (!act.global) throw BadCommand{"no exported global \"" + field + "\""};
    } else {
      throw BadCommand{"unknown action type \"" + type + "\""};
    }
    return act;
  }

  // Runs a prepared action: throws only what the VM throws.
  static std::vector<cw::Value> perform(const Action& act) {
    if (act.func) return act.func.call_sync(act.args);
    return {act.global.get()};
  }

  Result cmd_action(const JValue& cmd) {
    Action act = prepare(cmd);
    try {
      return Result::pass(format_values(perform(act)));
    } catch (...) {
      return Result::fail(act.name + " completes", describe_current_exception());
    }
  }

  Result cmd_assert_return(const JValue& cmd) {
    Action act = prepare(cmd);
    std::vector<Expected> expected = parse_expected(cmd);
    std::string want =
        act.name + " returns " + format_list(expected, [](const Expected& e) { return e.describe(); });
    std::vector<cw::Value> results;
    try {
      results = perform(act);
    } catch (...) {
      return Result::fail(want, describe_current_exception());
    }
    bool ok = results.size() == expected.size();
    for (size_t i = 0; ok && i < results.size(); ++i) ok = expected[i].matches(results[i]);
    if (!ok) return Result::fail(want, "got " + format_results(results, expected));
    return Result::pass(format_results(results, expected));
  }

  Result expect_trap_text(const std::string& what, const std::string& text) {
    try {
      throw;
    } catch (const cw::Trap& t) {
      std::string msg = t.what();
      if (trap_text_matches(msg, text)) return Result::pass("trap \"" + msg + "\"");
      return Result::fail(what + " traps \"" + text + "\"", "trapped \"" + msg + "\"");
    } catch (...) {
      return Result::fail(what + " traps \"" + text + "\"", describe_current_exception());
    }
  }

  Result cmd_assert_trap(const JValue& cmd) {
    std::string text = get_string(cmd, "text");
    if (!member(cmd, "action")) {
      // Module form: (assert_trap (module ...) "text") traps during instantiation.
      return expect_instantiation_error(cmd, "instantiation traps \"" + text + "\"",
                                        [&] { return expect_trap_text("instantiation", text); });
    }
    Action act = prepare(cmd);
    std::vector<cw::Value> results;
    try {
      results = perform(act);
    } catch (...) {
      return expect_trap_text(act.name, text);
    }
    return Result::fail(act.name + " traps \"" + text + "\"", "returned " + format_values(results));
  }

  Result cmd_assert_exhaustion(const JValue& cmd) {
    Action act = prepare(cmd);
    std::string text = get_string(cmd, "text");
    std::string want = act.name + " traps CallStackExhausted (\"" + text + "\")";
    std::vector<cw::Value> results;
    try {
      results = perform(act);
    } catch (const cw::Trap& t) {
      if (t.kind() == cw::TrapKind::CallStackExhausted)
        return Result::pass(std::string("trap \"") + t.what() + "\"");
      return Result::fail(want, describe_current_exception());
    } catch (...) {
      return Result::fail(want, describe_current_exception());
    }
    return Result::fail(want, "returned " + format_values(results));
  }

  // The call must end with an uncaught Wasm exception: a cw::Exception (a Trap of kind
  // UncaughtException) naming its tag.
  Result cmd_assert_exception(const JValue& cmd) {
    Action act = prepare(cmd);
    std::string want = act.name + " throws an uncaught Wasm exception";
    try {
      std::vector<cw::Value> results = perform(act);
      return Result::fail(want, "returned " + format_values(results));
    } catch (const cw::Exception& e) {
      if (e.kind() != cw::TrapKind::UncaughtException || !e.tag())
        return Result::fail(want, describe_current_exception() + " (an Exception without its tag or kind)");
      return Result::pass(std::string("exception \"") + e.what() + "\"");
    } catch (...) {
      return Result::fail(want, describe_current_exception());
    }
  }

  // assert_invalid, assert_malformed and their _custom forms: compilation must throw
  // DecodeError or ValidationError; `if_compiled` is the result when it does not. A module
  // refused for a missing feature passes too (the error class matches).
  Result expect_compile_error(const JValue& cmd, Result if_compiled) {
    std::string text = get_string(cmd, "text");
    std::vector<uint8_t> bytes = load(cmd);
    std::string want = "DecodeError or ValidationError (\"" + text + "\")";
    try {
      cw::Module mod = engine_->compile(bytes);
      modules_.push_back(mod);
    } catch (const cw::DecodeError& e) {
      return Result::pass(std::string("DecodeError \"") + e.what() + "\", expected \"" + text + "\"");
    } catch (const cw::ValidationError& e) {
      return Result::pass(std::string("ValidationError \"") + e.what() + "\", expected \"" + text + "\"");
    } catch (...) {
      return Result::fail(want, describe_current_exception());
    }
    if (if_compiled.outcome == Outcome::Fail) if_compiled.expected = want;
    return if_compiled;
  }

  // The module must compile, then fail to instantiate: `check` judges the exception (it is
  // called inside the catch block), `want` says what was expected. A module that needs a
  // missing feature, or imports from a skipped module, is skipped.
  template <class Check>
  Result expect_instantiation_error(const JValue& cmd, const std::string& want, Check&& check) {
    std::vector<uint8_t> bytes = load(cmd);
    cw::Module mod;
    try {
      mod = engine_->compile(bytes);
    } catch (...) {
      if (std::optional<std::string> feature = missing_feature()) {
        taint_imports(bytes, *feature);
        return Result::skip(*feature);
      }
      return Result::fail("module compiles, then " + want, describe_current_exception());
    }
    modules_.push_back(mod);
    try {
      store_->instantiate(mod, imports_);
    } catch (...) {
      if (std::optional<std::string> why = linked_to_skipped(mod))
        return Result::skip("imports a skipped module: " + *why);
      return check();
    }
    return Result::fail(want, "instantiated");
  }

  // The module must compile, then fail to instantiate with an E (`what`: its name).
  template <class E>
  Result expect_instantiation_throws(const JValue& cmd, const std::string& what) {
    std::string text = get_string(cmd, "text");
    std::string want = what + " (\"" + text + "\")";
    return expect_instantiation_error(cmd, want, [&] {
      try {
        throw;
      } catch (const E& e) {
        return Result::pass(what + " \"" + e.what() + "\", expected \"" + text + "\"");
      } catch (...) {
        return Result::fail(want, describe_current_exception());
      }
    });
  }

  Result cmd_assert_unlinkable(const JValue& cmd) {
    return expect_instantiation_throws<cw::LinkError>(cmd, "LinkError");
  }
  Result cmd_assert_uninstantiable(const JValue& cmd) {
    return expect_instantiation_throws<cw::Trap>(cmd, "trap during instantiation");
  }

  std::string json_path_;
  std::string label_;
  std::string result_path_;
  bool verbose_;
  fs::path base_dir_;

  std::optional<cw::Engine> engine_;
  std::optional<cw::Store> store_;
  cw::Imports imports_;
  std::vector<cw::Module> modules_;
  std::map<std::string, SlotPtr> named_;        // instances by name
  SlotPtr last_;                                // the current instance
  std::map<std::string, SlotPtr> definitions_;  // module definitions by name
  SlotPtr last_definition_;
  std::map<std::string, SlotPtr> registered_;   // by `register` name, skipped ones too
  std::map<long, std::string> outdated_;        // line -> why the assertion is outdated

  size_t passed_ = 0, failed_ = 0, skipped_ = 0;
  std::map<std::string, size_t> skip_reasons_;
};

// ---- --summary -------------------------------------------------------------------------------

// The group of a file, from its label or its path below the results folder: "core/i32.wast"
// (2.0) -> core; "3.0/i32.wast" -> core, "3.0/legacy/throw.wast" -> legacy,
// "3.0/proposals/threads/atomic.wast" -> proposals/threads.
std::string group_of(std::string rel) {
  if (rel.starts_with("3.0/")) rel.erase(0, 4);
  size_t slash = rel.find('/');
  if (slash == std::string::npos) return "core";
  if (rel.starts_with("proposals/")) slash = std::min(rel.find('/', slash + 1), rel.size());
  return rel.substr(0, slash);
}

// Totals of the result files under `dir`. A file whose run wrote no result (or never finished
// it) counts as one failure: the 2.0 suite's <json>.result files sit beside their JSON, so a
// JSON without one is such a file; for the 3.0 suite, `expect_src` is the folder of its .wast
// files and each src/<rel>.wast needs <dir>/<rel>.result.
int run_summary(const std::string& dir, const std::string& expect_src) {
  struct Counts {
    unsigned long long passed = 0, failed = 0, skipped = 0, files = 0;
  };
  std::map<std::string, Counts> groups;
  Counts total;
  std::map<std::string, unsigned long long> reasons;
  std::vector<std::string> problems;
  std::regex line_re(R"(^(.*): (\d+) passed, (\d+) failed, (\d+) skipped$)");
  auto add = [&](const std::string& group, const Counts& c) {
    for (Counts* t : {&groups[group], &total}) {
      t->passed += c.passed;
      t->failed += c.failed;
      t->skipped += c.skipped;
      t->files += 1;
    }
  };
  auto add_broken = [&](const fs::path& rel, const std::string& why) {
    problems.push_back(rel.string() + ": " + why);
    add(group_of(rel.generic_string()), Counts{0, 1, 0, 0});
  };

  std::error_code ec;
  if (!fs::is_directory(dir, ec)) fs::create_directories(dir, ec);  // nothing ran: all missing
  std::vector<fs::path> results, jsons;
  for (auto it = fs::recursive_directory_iterator(dir, ec); !ec && it != fs::recursive_directory_iterator();
       it.increment(ec)) {
    if (!it->is_regular_file()) continue;
    const fs::path& p = it->path();
    if (p.extension() == ".result") results.push_back(p);
    else if (p.extension() == ".json") jsons.push_back(p);
  }
  std::sort(results.begin(), results.end());
  std::sort(jsons.begin(), jsons.end());

  for (const fs::path& p : results) {
    std::ifstream in(p);
    std::string line, rest;
    std::getline(in, line);
    std::smatch m;
    if (!std::regex_match(line, m, line_re)) {
      add_broken(fs::relative(p, dir), line == kUnfinished
                                           ? "no result: the run was killed (timeout?) before it finished"
                                           : "unreadable result \"" + line + "\"");
      continue;
    }
    std::string label = m[1];
    add(group_of(label), Counts{std::stoull(m[2]), std::stoull(m[3]), std::stoull(m[4]), 0});
    while (std::getline(in, rest)) {
      if (rest == "crashed") problems.push_back(label + ": crashed");
      if (!rest.starts_with(kSkipLine)) continue;
      size_t tab = rest.find('\t', kSkipLine.size());
      if (tab == std::string::npos) continue;
      reasons[rest.substr(tab + 1)] += std::stoull(rest.substr(kSkipLine.size(), tab - kSkipLine.size()));
    }
  }
  for (const fs::path& j : jsons)
    if (!fs::exists(fs::path(j.string() + ".result")))
      add_broken(fs::relative(j, dir), "no result (the run crashed, timed out or did not run)");
  if (!expect_src.empty()) {
    std::vector<fs::path> rels;
    for (auto it = fs::recursive_directory_iterator(expect_src, ec);
         !ec && it != fs::recursive_directory_iterator(); it.increment(ec))
      if (it->is_regular_file() && it->path().extension() == ".wast")
        rels.push_back(fs::relative(it->path(), expect_src).replace_extension());
    if (ec) problems.push_back("cannot list " + expect_src + ": " + ec.message());
    std::sort(rels.begin(), rels.end());
    for (const fs::path& rel : rels)
      if (!fs::exists(fs::path(dir) / (rel.string() + ".result")))
        add_broken(rel, "no result (the run crashed, timed out or did not run)");
  }

  const size_t shown = 20;
  for (size_t i = 0; i < problems.size() && i < shown; ++i) std::printf("%s\n", problems[i].c_str());
  if (problems.size() > shown) std::printf("... and %zu more such files\n", problems.size() - shown);
  for (const auto& [g, c] : groups)
    std::printf("%s: %llu passed, %llu failed, %llu skipped (%llu files)\n", g.c_str(), c.passed,
                c.failed, c.skipped, c.files);
  std::vector<std::pair<std::string, unsigned long long>> by_count(reasons.begin(), reasons.end());
  std::sort(by_count.begin(), by_count.end(), by_count_then_name);
  for (const auto& [reason, n] : by_count) std::printf("skipped because: %s x%llu\n", reason.c_str(), n);
  if (total.files == 0) std::printf("spec summary: no *.result files under %s\n", dir.c_str());
  std::printf("spec total: %llu passed, %llu failed, %llu skipped (%llu files)\n", total.passed,
              total.failed, total.skipped, total.files);
  return (total.failed > 0 || !problems.empty() || total.files == 0) ? 1 : 0;
}

// ---- --parse-only ----------------------------------------------------------------------------

bool mentions_v128(const JValue& v) {
  if (v.is_object()) {
    if (get_string(v, "type") == "v128") return true;
    for (const json::key_value_pair& m : v.as_object())
      if (mentions_v128(m.value())) return true;
  } else if (v.is_array()) {
    for (const JValue& m : v.as_array())
      if (mentions_v128(m)) return true;
  }
  return false;
}

int run_parse_only(const std::vector<std::string>& files) {
  std::map<std::string, unsigned long> counts;
  unsigned long asserts = 0, v128 = 0, text_modules = 0, binary_modules = 0, missing = 0, bad = 0;
  for (const std::string& file : files) {
    JValue doc;
    try {
      doc = parse_json_file(file);
    } catch (const std::exception& e) {
      std::printf("%s: %s\n", file.c_str(), e.what());
      ++bad;
      continue;
    }
    const JValue* commands = member(doc, "commands");
    if (!commands || !commands->is_array()) {
      std::printf("%s: no \"commands\" array\n", file.c_str());
      ++bad;
      continue;
    }
    fs::path base = fs::path(file).parent_path();
    unsigned long file_asserts = 0;
    for (const JValue& cmd : commands->as_array()) {
      std::string type = get_string(cmd, "type", "<no type>");
      ++counts[type];
      if (type.starts_with("assert_")) ++file_asserts;
      std::string mt = get_string(cmd, "module_type");
      if (mt == "text") {
        ++text_modules;
        ++counts[type + " (text)"];
      } else if (mt == "binary") {
        ++binary_modules;
        ++counts[type + " (binary)"];
      }
      if (mentions_v128(cmd)) ++v128;
      std::string fn = get_string(cmd, "filename");
      if (!fn.empty() && !fs::exists(base / fn)) {
        std::printf("%s:%lld: missing module file %s\n", file.c_str(), get_int(cmd, "line"), fn.c_str());
        ++missing;
      }
    }
    asserts += file_asserts;
  }
  std::printf("files: %zu (%lu unparsable)\n", files.size(), bad);
  for (const auto& [type, n] : counts) std::printf("  %-32s %lu\n", type.c_str(), n);
  std::printf("assertions: %lu\n", asserts);
  std::printf("commands with v128 values: %lu\n", v128);
  std::printf("module files: %lu binary, %lu text; missing: %lu\n", binary_modules, text_modules,
              missing);
  return (bad || missing) ? 1 : 0;
}

void usage() {
  std::fprintf(stderr,
               "usage: corowasm_spec <file.json> [--label group/file.wast] [--result <path>]\n"
               "                     [--outdated <line>:<reason>]... [-v|--verbose]\n"
               "       corowasm_spec --summary <dir> [--expect <src dir>]\n"
               "       corowasm_spec --parse-only <file.json>...\n");
}

}  // namespace

int main(int argc, char** argv) {
  std::setvbuf(stdout, nullptr, _IOLBF, 0);  // keep lines in order with the crash handler
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty()) {
    usage();
    return 2;
  }
  if (args[0] == "--summary") {
    if (args.size() == 2) return run_summary(args[1], {});
    if (args.size() == 4 && args[2] == "--expect") return run_summary(args[1], args[3]);
    usage();
    return 2;
  }
  if (args[0] == "--parse-only") {
    if (args.size() < 2) {
      usage();
      return 2;
    }
    return run_parse_only({args.begin() + 1, args.end()});
  }

  std::string json, label, result;
  std::vector<std::pair<long, std::string>> outdated;
  bool verbose = false;
  for (size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--label" && i + 1 < args.size()) {
      label = args[++i];
    } else if (args[i] == "--result" && i + 1 < args.size()) {
      result = args[++i];
    } else if (args[i] == "--outdated" && i + 1 < args.size()) {
      // <line>:<reason>
      const std::string& spec = args[++i];
      size_t colon = spec.find(':');
      char* end = nullptr;
      long line = std::strtol(spec.c_str(), &end, 10);
      if (colon == std::string::npos || end != spec.c_str() + colon || line <= 0) {
        usage();
        return 2;
      }
      outdated.emplace_back(line, spec.substr(colon + 1));
    } else if (args[i] == "-v" || args[i] == "--verbose") {
      verbose = true;
    } else if (json.empty() && !args[i].starts_with("-")) {
      json = args[i];
    } else {
      usage();
      return 2;
    }
  }
  if (json.empty()) {
    usage();
    return 2;
  }
  if (label.empty()) label = fs::path(json).stem().string() + ".wast";
  if (result.empty()) result = json + ".result";

  install_crash_handlers();
  CommandRunner runner(json, label, result, verbose);
  for (auto& [line, reason] : outdated) runner.add_outdated(line, std::move(reason));
  return runner.run();
}
