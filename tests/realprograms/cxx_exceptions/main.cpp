// real/cxx_exceptions: C++ exceptions, built with clang++-19 -fwasm-exceptions for wasm32-wasi
// (Wasm exception handling, the runtime in compat/wasm_cxx_eh.cpp) and natively (-O2); both
// builds must print the same. Each section prints what it caught, in which order destructors
// ran (RAII counters) and a checksum, so that a wrong handler, a skipped or doubled destructor,
// or a leaked exception shows up as a difference. Exit status 3 at the end, from an exception
// that main catches last.
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <exception>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <system_error>
#include <typeinfo>
#include <utility>
#include <variant>
#include <vector>

namespace {

int live = 0;        // objects of Guard alive
long constructed = 0; // Guards ever constructed
long destroyed = 0;
std::string trail;   // what the destructors saw, in order

struct Guard {
  std::string name;
  explicit Guard(std::string n) : name(std::move(n)) { ++live; ++constructed; }
  Guard(const Guard &o) : name(o.name + "'") { ++live; ++constructed; }
  ~Guard() {
    --live;
    ++destroyed;
    trail += name;
    trail += std::uncaught_exceptions() > 0 ? "! " : " ";
  }
};

void section(const char *name) {
  std::printf("== %s (live %d, trail '%s')\n", name, live, trail.c_str());
  trail.clear();
}

// ---- a hierarchy of our own ----
struct AppError : std::exception {
  int code;
  std::string msg;
  AppError(int c, std::string m) : code(c), msg(std::move(m)) {}
  const char *what() const noexcept override { return msg.c_str(); }
  virtual const char *kind() const { return "AppError"; }
};
struct IoError : AppError {
  std::string path;
  IoError(std::string p, int c) : AppError(c, "io error on " + p), path(std::move(p)) {}
  const char *kind() const override { return "IoError"; }
};
struct ParseError : AppError {
  int line, col;
  ParseError(int l, int c) : AppError(100 + l, "parse error at " + std::to_string(l) + ":" + std::to_string(c)), line(l), col(c) {}
  const char *kind() const override { return "ParseError"; }
};
struct FatalParseError final : ParseError {
  FatalParseError(int l, int c) : ParseError(l, c) { msg += " (fatal)"; }
  const char *kind() const override { return "FatalParseError"; }
};
// Multiple and virtual inheritance: the handler's pointer is adjusted to its base.
struct Tagged { virtual ~Tagged() = default; int tag = 7; };
struct Mixed : Tagged, AppError {
  Mixed() : AppError(55, "mixed") { tag = 77; }
};
struct VBase { virtual ~VBase() = default; int v = 11; };
struct VLeft : virtual VBase { int l = 1; };
struct VRight : virtual VBase { int r = 2; };
struct Diamond : VLeft, VRight { Diamond() { v = 99; } };

[[noreturn]] void throw_kind(int k) {
  switch (k % 9) {
  case 0: throw std::runtime_error("runtime " + std::to_string(k));
  case 1: throw std::logic_error("logic " + std::to_string(k));
  case 2: throw IoError("/work/file" + std::to_string(k), k);
  case 3: throw ParseError(k, k * 2);
  case 4: throw FatalParseError(k, 1);
  case 5: throw k;
  case 6: throw std::string("string ") + std::to_string(k);
  case 7: throw static_cast<const char *>("a C string");
  default: throw 1.5 * k;
  }
}

std::string classify(int k) {
  try {
    throw_kind(k);
  } catch (const FatalParseError &e) {
    return std::string("FatalParseError ") + e.what() + " line " + std::to_string(e.line);
  } catch (const ParseError &e) {
    return std::string("ParseError code ") + std::to_string(e.code) + " col " + std::to_string(e.col);
  } catch (const AppError &e) {
    return std::string(e.kind()) + " " + e.what() + " code " + std::to_string(e.code);
  } catch (const std::logic_error &e) {
    return std::string("logic_error ") + e.what();
  } catch (const std::exception &e) {
    return std::string("exception ") + e.what();
  } catch (int i) {
    return "int " + std::to_string(i);
  } catch (const std::string &s) {
    return "std::string " + s;
  } catch (const char *s) {
    return std::string("const char* ") + s;
  } catch (...) {
    return "something else";
  }
}

// ---- across frames, with destructors on the way ----
int depth_reached = 0;
int recurse(int n, int throw_at) {
  Guard g("r" + std::to_string(n));
  depth_reached = n;
  if (n == throw_at) throw std::runtime_error("deep " + std::to_string(n));
  return recurse(n + 1, throw_at) + 1;
}

long deep_no_guard(long n) {
  if (n == 0) throw std::out_of_range("bottom");
  return deep_no_guard(n - 1) + n;
}

// ---- rethrow ----
std::string rethrower(int k) {
  std::string seen;
  try {
    try {
      Guard g("inner");
      throw_kind(k);
    } catch (const std::exception &e) {
      seen += std::string("[inner saw ") + e.what() + "]";
      throw; // the same object goes on
    } catch (...) {
      seen += "[inner saw non-std]";
      throw;
    }
  } catch (const AppError &e) {
    seen += std::string("[outer AppError ") + e.kind() + "]";
  } catch (const std::exception &e) {
    seen += std::string("[outer std ") + e.what() + "]";
  } catch (...) {
    seen += "[outer ...]";
  }
  return seen;
}

// The rethrown object is the same object: a handler's changes are seen by the next one.
void mutate_and_rethrow() {
  try {
    throw AppError(1, "first");
  } catch (AppError &e) {
    e.code += 41;
    e.msg += " (seen)";
    throw;
  }
}

// ---- nested try inside catch ----
std::string nested(int k) {
  std::string out;
  try {
    throw_kind(k);
  } catch (const std::exception &outer) {
    out += std::string("outer=") + outer.what();
    try {
      Guard g("nested");
      throw std::runtime_error(std::string("while handling ") + outer.what());
    } catch (const std::runtime_error &inner) {
      out += std::string(" inner=") + inner.what();
      try {
        throw;
      } catch (const std::exception &again) {
        out += std::string(" again=") + again.what();
      }
    }
    out += std::string(" outer still=") + outer.what();
  } catch (...) {
    out += "outer=non-std";
    try {
      throw std::logic_error("inside catch-all");
    } catch (const std::exception &e) {
      out += std::string(" inner=") + e.what();
    }
  }
  return out;
}

// ---- through std::function, lambdas and containers ----
int through_functions(int n) {
  std::vector<std::function<int(int)>> fs;
  fs.emplace_back([](int x) { return x + 1; });
  fs.emplace_back([](int x) {
    Guard g("lambda" + std::to_string(x));
    if (x % 3 == 0) throw IoError("fn", x);
    return x * 2;
  });
  std::function<int(int)> compose = [&](int x) {
    Guard g("compose");
    for (auto &f : fs) x = f(x);
    return x;
  };
  int sum = 0, caught = 0;
  for (int i = 0; i < n; ++i) {
    try {
      sum += compose(i);
    } catch (const IoError &e) {
      ++caught;
      sum -= e.code;
    }
  }
  std::function<void()> empty;
  try {
    empty();
  } catch (const std::bad_function_call &e) {
    ++caught;
  }
  return sum * 1000 + caught;
}

// ---- destructors during unwinding: arrays, members, temporaries, unique_ptr ----
struct Holder {
  Guard a{"ha"};
  Guard b{"hb"};
  std::unique_ptr<Guard> c;
  explicit Holder(bool fail) : c(std::make_unique<Guard>("hc")) {
    if (fail) throw std::runtime_error("Holder ctor");
  }
  ~Holder() { trail += "~Holder "; }
};

void partial_array() {
  struct Counted {
    Guard g;
    Counted() : g("e" + std::to_string(constructed)) {
      if (live > 4) throw std::length_error("array");
    }
  };
  Counted arr[8];
  (void)arr;
}

// An exception while a vector grows (its elements copied on reallocation), caught outside.
int vector_growth() {
  std::vector<Guard> v;
  try {
    for (int i = 0; i < 6; ++i) {
      v.emplace_back("v" + std::to_string(i));
      if (i == 4) throw ParseError(i, 0);
    }
  } catch (const ParseError &e) {
    int r = static_cast<int>(v.size()) * 10 + e.line;
    while (!v.empty()) v.pop_back(); // in this order on both sides (libc++ and libstdc++ differ)
    return r;
  }
  return -1;
}

// ---- library exceptions thrown by the library's headers (not by code compiled into Debian's
// wasm32 libc++.a, which is built with -fno-exceptions: std::stoi's invalid_argument, say, aborts
// there with "was thrown in -fno-exceptions mode") ----
std::string library_errors() {
  std::string out;
  std::vector<int> v(3);
  try { (void)v.at(5); } catch (const std::out_of_range &) { out += "at "; }
  std::map<std::string, int> m;
  try { (void)m.at("x"); } catch (const std::out_of_range &) { out += "map.at "; }
  try { std::string("abc").substr(9); } catch (const std::out_of_range &) { out += "substr "; }
  std::optional<int> o;
  try { (void)o.value(); } catch (const std::bad_optional_access &) { out += "optional "; }
  std::variant<int, std::string> var = 3;
  try { (void)std::get<std::string>(var); } catch (const std::bad_variant_access &) { out += "variant "; }
  try {
    struct B { virtual ~B() = default; } b;
    struct D : B {};
    (void)dynamic_cast<D &>(static_cast<B &>(b));
  } catch (const std::bad_cast &) { out += "bad_cast "; }
  try {
    throw std::system_error(std::make_error_code(std::errc::no_such_file_or_directory), "open");
  } catch (const std::system_error &e) {
    // (ENOENT is 2 on Linux, 44 on WASI)
    out += std::string("system_error(") + (e.code() == std::errc::no_such_file_or_directory ? "ENOENT" : "?") + ") ";
  }
  return out;
}

// ---- exception_ptr ----
std::string with_exception_ptr() {
  std::string out;
  std::exception_ptr saved;
  try {
    throw IoError("/saved", 5);
  } catch (...) {
    saved = std::current_exception();
  }
  std::exception_ptr copy = saved;
  for (int i = 0; i < 2; ++i) {
    try {
      std::rethrow_exception(copy);
    } catch (const AppError &e) {
      out += std::string(e.kind()) + ":" + e.what() + " ";
    }
  }
  auto made = std::make_exception_ptr(ParseError(3, 4));
  try {
    std::rethrow_exception(made);
  } catch (const ParseError &e) {
    out += "made " + std::to_string(e.line) + "," + std::to_string(e.col) + " ";
  }
  out += (saved == copy) ? "same" : "different";
  return out;
}

// Catch by value (copy constructed from the thrown object), by pointer, adjusted bases.
std::string by_value_and_pointer() {
  std::string out;
  try {
    throw Guard("thrown");
  } catch (Guard g) {
    out += "value " + g.name + " ";
  }
  static IoError static_err("/static", 9);
  try {
    throw &static_err;
  } catch (AppError *p) {
    out += std::string("pointer ") + p->kind() + " ";
  }
  try {
    throw Mixed();
  } catch (Tagged &t) {
    out += "Tagged " + std::to_string(t.tag) + " ";
  }
  try {
    throw Mixed();
  } catch (std::exception &e) {
    out += std::string("exception-base ") + e.what() + " ";
  }
  try {
    throw Diamond();
  } catch (VBase &b) {
    out += "virtual-base " + std::to_string(b.v) + " ";
  }
  try {
    throw nullptr;
  } catch (const int *p) {
    out += p == nullptr ? "nullptr-as-pointer " : "? ";
  }
  try {
    throw 'c';
  } catch (int) {
    out += "char-as-int?! ";
  } catch (char c) {
    out += std::string("char ") + c + " ";
  }
  return out;
}

// A noexcept-free callback chain with a checksum, many throws (allocation and freeing of
// exception objects, no leak: 'live' must come back to 0).
uint32_t many_throws(int n) {
  uint32_t h = 2166136261u;
  for (int i = 0; i < n; ++i) {
    std::string s = classify(i);
    for (unsigned char ch : s) h = (h ^ ch) * 16777619u;
  }
  return h;
}

} // namespace

int main() {
  section("classify");
  for (int k = 0; k < 12; ++k) std::printf("%2d: %s\n", k, classify(k).c_str());

  section("frames");
  for (int at : {0, 3, 17}) {
    try {
      recurse(0, at);
    } catch (const std::runtime_error &e) {
      std::printf("caught '%s' at depth %d, live %d\n", e.what(), depth_reached, live);
    }
  }
  try {
    deep_no_guard(5000);
  } catch (const std::out_of_range &e) {
    std::printf("deep 5000: %s\n", e.what());
  }

  section("rethrow");
  for (int k = 0; k < 9; ++k) std::printf("%d: %s\n", k, rethrower(k).c_str());
  try {
    mutate_and_rethrow();
  } catch (const AppError &e) {
    std::printf("mutated: code %d msg '%s'\n", e.code, e.msg.c_str());
  }

  section("nested");
  for (int k : {0, 2, 5}) std::printf("%d: %s\n", k, nested(k).c_str());

  section("std::function");
  std::printf("through_functions: %d\n", through_functions(20));

  section("unwinding");
  try {
    Holder h(true);
  } catch (const std::exception &e) {
    std::printf("Holder: %s, live %d\n", e.what(), live);
  }
  {
    Holder ok(false);
  }
  std::printf("trail after ok Holder: '%s'\n", trail.c_str());
  trail.clear();
  try {
    partial_array();
  } catch (const std::length_error &e) {
    std::printf("partial array: %s, live %d\n", e.what(), live);
  }
  std::printf("vector_growth: %d, live %d\n", vector_growth(), live);

  section("library");
  std::printf("%s\n", library_errors().c_str());

  section("exception_ptr");
  std::printf("%s\n", with_exception_ptr().c_str());

  section("by value / pointer");
  std::printf("%s\n", by_value_and_pointer().c_str());

  section("many");
  std::printf("checksum of 3000 classifications: %08x\n", many_throws(3000));
  std::printf("uncaught now: %d\n", std::uncaught_exceptions());

  section("end");
  std::printf("constructed %ld destroyed %ld live %d\n", constructed, destroyed, live);
  try {
    throw FatalParseError(3, 3);
  } catch (const AppError &e) {
    std::fprintf(stderr, "fatal: %s: %s\n", e.kind(), e.what());
    return e.code - 100;
  }
}
