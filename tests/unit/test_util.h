// Shared helpers of the unit tests: loading the .wasm files converted from tests/unit/wat/ and
// asserting on exceptions.
#pragma once

#include <corowasm/corowasm.h>
#include <doctest/doctest.h>

#include <cstdint>
#include <fstream>
#include <iterator>
#include <optional>
#include <ostream>
#include <stdexcept>
#include <string>
#include <vector>

namespace unit {

inline std::vector<uint8_t> read_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot open " + path);
  return std::vector<uint8_t>(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// tests/unit/wat/<name>.wat, converted by the build into COROWASM_UNIT_WASM_DIR/<name>.wasm.
inline std::vector<uint8_t> wasm(const std::string& name) {
  return read_bytes(std::string(COROWASM_UNIT_WASM_DIR) + "/" + name + ".wasm");
}

inline corowasm::Module compile(const corowasm::Engine& engine, const std::string& name) {
  return engine.compile(wasm(name));
}

// Runs `f`, which must throw exactly E; returns the exception (or a default when it did not).
template <class E, class F>
std::optional<E> catch_as(F&& f) {
  try {
    f();
  } catch (const E& e) {
    return e;
  } catch (const std::exception& e) {
    FAIL_CHECK("threw a different exception: " << std::string(e.what()));
    return std::nullopt;
  }
  FAIL_CHECK("did not throw");
  return std::nullopt;
}

// Binary-module building for tests that generate their modules: LEB128 and sections.
inline void leb_u(std::vector<uint8_t>& out, uint64_t v) {
  do {
    uint8_t b = v & 0x7F;
    v >>= 7;
    out.push_back(v ? (b | 0x80) : b);
  } while (v);
}
inline void leb_s(std::vector<uint8_t>& out, int64_t v) {
  for (;;) {
    uint8_t b = v & 0x7F;
    v >>= 7;
    bool done = (v == 0 && !(b & 0x40)) || (v == -1 && (b & 0x40));
    out.push_back(done ? b : (b | 0x80));
    if (done) return;
  }
}
inline void section(std::vector<uint8_t>& out, uint8_t id, const std::vector<uint8_t>& body) {
  out.push_back(id);
  leb_u(out, body.size());
  out.insert(out.end(), body.begin(), body.end());
}

}  // namespace unit

namespace corowasm {
// doctest prints Values in failure messages through this.
inline std::ostream& operator<<(std::ostream& os, const Value& v) {
  return os << to_string(v.type) << ":" << to_string(v);
}
inline std::ostream& operator<<(std::ostream& os, TrapKind k) { return os << trap_message(k); }
}  // namespace corowasm
