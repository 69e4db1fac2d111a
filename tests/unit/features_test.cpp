// decode/features.h: a module using a proposal corowasm lacks is refused with the feature's
// name at the byte that uses it; bytes of no proposal keep Wasm 2.0's malformed messages.
#include <doctest/doctest.h>

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "test_util.h"

using namespace corowasm;
using unit::catch_as;

namespace {

// The header (bytes 0..7), then each section: its id, its size (one byte here) and `body`.
std::vector<uint8_t> module(std::initializer_list<std::pair<uint8_t, std::vector<uint8_t>>> sections) {
  std::vector<uint8_t> out = {0x00, 0x61, 0x73, 0x6D, 0x01, 0x00, 0x00, 0x00};
  for (const auto& [id, body] : sections) unit::section(out, id, body);
  return out;
}

// One function () -> () whose body is `code` and `end`: type section 8..13, function section
// 14..17, code section from 18 (count at 20, body size at 21, no locals at 22): `code` starts
// at byte 23.
constexpr size_t kCodeAt = 23;
std::vector<uint8_t> function(std::vector<uint8_t> code) {
  code.insert(code.begin(), 0x00);  // no locals
  code.push_back(0x0B);
  std::vector<uint8_t> bodies = {0x01};
  unit::leb_u(bodies, code.size());
  bodies.insert(bodies.end(), code.begin(), code.end());
  return module({{1, {0x01, 0x60, 0x00, 0x00}}, {3, {0x01, 0x00}}, {10, bodies}});
}

// Compiling `bytes` throws E, saying `why` at byte `at`.
template <class E = DecodeError>
void refused(const std::vector<uint8_t>& bytes, const std::string& why, size_t at) {
  Engine engine;
  auto e = catch_as<E>([&] { engine.compile(bytes); });
  REQUIRE(e);
  CHECK(e->reason() == why);
  CHECK(e->offset() == at);
}

}  // namespace

TEST_CASE("features: threads") {
  // Memory limits flags 3 (shared, with a maximum) and 2 (shared, none): the flags at 11.
  refused(module({{5, {0x01, 0x03, 0x01, 0x01}}}), "threads (shared memory) are not supported", 11);
  refused(module({{5, {0x01, 0x02, 0x01}}}), "threads (shared memory) are not supported", 11);
  // An imported shared memory: (import "e" "m" (memory 1 1 shared)), flags at 16.
  refused(module({{2, {0x01, 0x01, 'e', 0x01, 'm', 0x02, 0x03, 0x01, 0x01}}}),
          "threads (shared memory) are not supported", 16);
  refused(function({0xFE, 0x10, 0x02, 0x00}), "threads (atomic instructions) are not supported", kCodeAt);
}

TEST_CASE("features: memory64 and multiple memories") {
  refused(module({{5, {0x01, 0x04, 0x01}}}), "memory64 (64-bit memory) is not supported", 11);
  refused(module({{5, {0x01, 0x05, 0x01, 0x02}}}), "memory64 (64-bit memory) is not supported", 11);
  refused(module({{5, {0x01, 0x07, 0x01, 0x02}}}), "memory64 (64-bit memory) is not supported", 11);
  // (table i64 1 funcref): the flags after the element type, at 12
  refused(module({{4, {0x01, 0x70, 0x04, 0x01}}}), "memory64 (64-bit table) is not supported", 12);
  // Flags of no proposal: shared tables, and bits past the fourth.
  refused(module({{4, {0x01, 0x70, 0x03, 0x01, 0x02}}}), "integer too large", 12);
  refused(module({{5, {0x01, 0x10, 0x01}}}), "integer too large", 11);
  // Bit 3: a page size follows (custom-page-sizes).
  refused(module({{5, {0x01, 0x08, 0x01, 0x00}}}), "custom page sizes are not supported", 11);
  // Two memories, at the second (13); an imported one and a defined one, at the defined (21).
  refused<ValidationError>(module({{5, {0x02, 0x00, 0x01, 0x00, 0x01}}}), "multiple memories are not supported", 13);
  refused<ValidationError>(module({{2, {0x01, 0x01, 'e', 0x01, 'm', 0x02, 0x00, 0x01}}, {5, {0x01, 0x00, 0x01}}}),
                           "multiple memories are not supported", 21);
}

TEST_CASE("features: typed function references and GC") {
  // Type forms other than func (0x60): the form at 11.
  refused(module({{1, {0x01, 0x5F, 0x00}}}), "garbage collection (struct type) is not supported", 11);
  refused(module({{1, {0x01, 0x5E, 0x7F, 0x00}}}), "garbage collection (array type) is not supported", 11);
  refused(module({{1, {0x01, 0x4E, 0x00}}}), "garbage collection (recursive type group) is not supported", 11);
  refused(module({{1, {0x01, 0x50, 0x00, 0x60, 0x00, 0x00}}}), "garbage collection (subtype) is not supported", 11);
  refused(module({{1, {0x01, 0x61, 0x00, 0x00}}}), "malformed function type", 11);
  // Parameter types, at 13: (ref null 0), anyref, and a byte of no proposal.
  refused(module({{1, {0x01, 0x60, 0x01, 0x63, 0x00, 0x00}}}), "typed function references (ref types) are not supported", 13);
  refused(module({{1, {0x01, 0x60, 0x01, 0x6E, 0x00}}}),
          "garbage collection (reference types such as anyref, eqref, i31ref) is not supported", 13);
  refused(module({{1, {0x01, 0x60, 0x01, 0x60, 0x00}}}), "malformed value type", 13);
  // Table element types, at 11: a GC reference, and v128, which is no reference type at all.
  refused(module({{4, {0x01, 0x6E, 0x00, 0x01}}}),
          "garbage collection (reference types such as anyref, eqref, i31ref) is not supported", 11);
  refused(module({{4, {0x01, 0x7B, 0x00, 0x01}}}), "malformed reference type", 11);
  refused(function({0x14, 0x00}), "typed function references (call_ref instruction) are not supported", kCodeAt);
  refused(function({0xD5, 0x00}), "typed function references (br_on_null instruction) are not supported", kCodeAt);
  refused(function({0xD3}), "garbage collection (ref.eq instruction) is not supported", kCodeAt);
  refused(function({0xFB, 0x00, 0x00}), "garbage collection (struct, array and i31 instructions) is not supported", kCodeAt);
  refused(function({0x27}), "illegal opcode", kCodeAt);
  // A table with an initializer (0x40 0x00, then the table type), at 11.
  refused(module({{4, {0x01, 0x40, 0x00, 0x70, 0x00, 0x01, 0xD0, 0x70, 0x0B}}}),
          "typed function references (table initializer) are not supported", 11);
  // Wide arithmetic: i64.add128 (0xFC 19).
  refused(function({0xFC, 0x13}), "wide arithmetic (i64.add128 and others) is not supported", kCodeAt);
  // An exact function import (kind 0x20, custom descriptors), the kind at 15.
  refused(module({{2, {0x01, 0x01, 'e', 0x01, 'f', 0x20, 0x00}}}),
          "custom descriptors (exact function import) are not supported", 15);
}
