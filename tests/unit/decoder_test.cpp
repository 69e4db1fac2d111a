// The incremental decoder: results must not depend on how the bytes are chunked, on every
// module of the spec test suite, and sections/bodies are handled as soon as their bytes arrive.
#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>
#include <functional>
#include <memory>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include <corowasm/internal.h>
#include "test_util.h"

using namespace corowasm;
using corowasm::detail::ModuleData;
using corowasm::detail::ModuleCompiler;
using corowasm::detail::SectionEvent;

namespace {

// Everything observable about one decode, as text (so a mismatch prints both sides).
struct Outcome {
  std::vector<std::string> events;  // sections and compiled functions, in order
  std::string result;               // "ok ..." with the module's shape, or the error

  bool operator==(const Outcome&) const = default;
  std::string str() const {
    std::ostringstream os;
    for (auto& e : events) os << e << "\n";
    os << result;
    return os.str();
  }
};

std::string shape(const ModuleData& m) {
  std::ostringstream os;
  os << "ok types=" << m.types.size() << " imports=" << m.imports.size() << " funcs=" << m.func_types.size()
     << " tables=" << m.tables.size() << " memories=" << m.memories.size() << " globals=" << m.globals.size()
     << " exports=" << m.exports.size() << " elems=" << m.elems.size() << " datas=" << m.datas.size()
     << " start=" << m.start << " bytes=" << m.bytes.size() << "\n";
  for (auto& e : m.exports) os << " export " << e.name << " " << int(e.kind) << " " << e.index << "\n";
  for (auto& c : m.codes) {
    os << " func " << c->func_index << " cells=" << c->code.size() << " frame_slots=" << c->frame_slots
       << " params=" << c->num_params << " locals=" << c->num_locals << "\n";
  }
  return os.str();
}

// Decodes `bytes` fed in chunks of the sizes `next_chunk` returns (it may return 0).
// `streaming_checks`: with one byte per feed, each section event must fire exactly when the
// section header's last byte arrives.
Outcome decode(const std::vector<uint8_t>& bytes, const std::function<size_t()>& next_chunk,
               bool streaming_checks = false) {
  Outcome out;
  ModuleCompiler d(std::make_shared<const Config>());
  d.on_section = [&](const SectionEvent& e) {
    out.events.push_back("section " + std::to_string(e.id) + " @" + std::to_string(e.payload_offset) + " +" +
                         std::to_string(e.payload_size));
    if (streaming_checks && d.bytes_received() != e.payload_offset) {
      out.events.push_back("LATE section event: " + std::to_string(d.bytes_received()) + " bytes received");
    }
  };
  d.on_function_compiled = [&](uint32_t f) { out.events.push_back("compiled " + std::to_string(f)); };
  try {
    size_t pos = 0;
    while (pos < bytes.size()) {
      size_t n = std::min(next_chunk(), bytes.size() - pos);
      d.feed(std::span<const uint8_t>(bytes.data() + pos, n));
      pos += n;
    }
    auto m = d.finish();
    out.result = shape(*m);
  } catch (const DecodeError& e) {
    out.result = "DecodeError @" + std::to_string(e.offset()) + " " + e.reason();
  } catch (const ValidationError& e) {
    out.result = "ValidationError @" + std::to_string(e.offset()) + " " + e.reason();
  } catch (const Error& e) {
    out.result = std::string("Error ") + e.what();
  }
  return out;
}

Outcome decode_whole(const std::vector<uint8_t>& bytes) {
  return decode(bytes, [&] { return bytes.size(); });
}

std::vector<std::filesystem::path> spec_modules() {
  std::vector<std::filesystem::path> out;
  std::error_code ec;
  std::filesystem::path root(COROWASM_UNIT_SPEC_DIR);
  if (!std::filesystem::is_directory(root, ec)) return out;
  for (auto& e : std::filesystem::recursive_directory_iterator(root, ec))
    if (e.is_regular_file() && e.path().extension() == ".wasm") out.push_back(e.path());
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace

TEST_CASE("decoder: every spec module decodes identically whole, byte by byte and in random chunks") {
  auto files = spec_modules();
  REQUIRE_MESSAGE(!files.empty(),
                  "no .wasm under " COROWASM_UNIT_SPEC_DIR ": the build-time wast2json conversion did not run "
                  "(build the corowasm_unit_spec_modules target; it needs wast2json and COROWASM_TESTSUITE_DIR)");
  size_t compared = 0, ok = 0, failed = 0, mismatches = 0;
  for (size_t i = 0; i < files.size(); ++i) {
    const auto& path = files[i];
    std::vector<uint8_t> bytes = unit::read_bytes(path.string());
    Outcome whole = decode_whole(bytes);
    Outcome bytewise = decode(bytes, [] { return size_t(1); }, /*streaming_checks=*/true);
    std::mt19937 rng(uint32_t(0xC0FFEE + i));  // fixed seed per module: reproducible
    Outcome random = decode(bytes, [&] {
      switch (rng() % 8) {
        case 0: return size_t(0);               // empty feeds must be harmless
        case 1: case 2: case 3: return size_t(1 + rng() % 4);
        case 4: case 5: return size_t(1 + rng() % 64);
        default: return size_t(1 + rng() % 1024);
      }
    });
    ++compared;
    (whole.result.rfind("ok", 0) == 0 ? ok : failed)++;
    bool same = whole == bytewise && whole == random;
    if (!same) {
      ++mismatches;
      CHECK_MESSAGE(whole == bytewise, path.string() << "\n--- whole:\n" << whole.str() << "\n--- byte by byte:\n"
                                                     << bytewise.str());
      CHECK_MESSAGE(whole == random, path.string() << "\n--- whole:\n" << whole.str() << "\n--- random chunks:\n"
                                                   << random.str());
    }
  }
  MESSAGE("compared " << compared << " spec modules (" << ok << " decode, " << failed << " fail to decode) "
                      << "whole vs byte-at-a-time vs random chunks: " << mismatches << " mismatches");
  CHECK(mismatches == 0);
  // The suite has thousands of modules, valid and malformed ones alike.
  CHECK(compared > 1000);
  CHECK(ok > 500);
  CHECK(failed > 100);
}

namespace {

// Two functions and a custom section between the function and code sections; by hand:
//   (module (func (result i32) i32.const 1) (func (result i32) i32.const 2))
const std::vector<uint8_t> kTwoFuncs = {
    0x00, 0x61, 0x73, 0x6D, 0x01, 0x00, 0x00, 0x00,  //  0: header
    0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7F,        //  8: type, payload 10..14
    0x03, 0x03, 0x02, 0x00, 0x00,                    // 15: function, payload 17..19
    0x00, 0x03, 0x02, 0x68, 0x69,                    // 20: custom "hi", payload 22..24
    0x0A, 0x0B, 0x02,                                // 25: code, payload 27..37, count at 27
    0x04, 0x00, 0x41, 0x01, 0x0B,                    // 28: body 0 (size at 28), ends at 33
    0x04, 0x00, 0x41, 0x02, 0x0B,                    // 33: body 1 (size at 33), ends at 38
};

}  // namespace

TEST_CASE("decoder: streaming: sections and bodies are handled as soon as their bytes arrive") {
  ModuleCompiler d(std::make_shared<const Config>());
  std::vector<std::string> log;
  d.on_section = [&](const SectionEvent& e) {
    log.push_back("section " + std::to_string(e.id) + " @" + std::to_string(e.payload_offset) + "+" +
                  std::to_string(e.payload_size) + " at " + std::to_string(d.bytes_received()));
  };
  d.on_function_compiled = [&](uint32_t f) {
    log.push_back("compiled " + std::to_string(f) + " at " + std::to_string(d.bytes_received()));
  };
  for (uint8_t b : kTwoFuncs) d.feed(std::span<const uint8_t>(&b, 1));
  CHECK(log == std::vector<std::string>{
                   "section 1 @10+5 at 10",
                   "section 3 @17+3 at 17",
                   "section 0 @22+3 at 22",
                   "section 10 @27+11 at 27",
                   "compiled 0 at 33",
                   "compiled 1 at 38",
               });
  auto m = d.finish();
  REQUIRE(m->codes.size() == 2);
  CHECK(m->bytes.size() == kTwoFuncs.size());
  Instance inst = corowasm::detail::Access::make_module(m).instantiate();
  CHECK(inst.exports().empty());
}

TEST_CASE("decoder: errors do not depend on chunking, and a failed decoder refuses more input") {
  std::vector<uint8_t> bad = kTwoFuncs;
  bad[35] = 0x42;  // body 1's `i32.const 2` becomes `i64.const 2`: type mismatch
  Outcome whole = decode_whole(bad);
  CHECK(whole.result.rfind("ValidationError", 0) == 0);
  CHECK(whole.result.find("type mismatch") != std::string::npos);
  CHECK(decode(bad, [] { return size_t(1); }) == whole);
  CHECK(decode(bad, [] { return size_t(3); }) == whole);
  // Body 0 still compiled before the error in every chunking.
  CHECK(std::find(whole.events.begin(), whole.events.end(), "compiled 0") != whole.events.end());

  ModuleCompiler d(std::make_shared<const Config>());
  std::vector<uint8_t> junk = {0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08};
  CHECK_THROWS_AS(d.feed(junk), DecodeError);
  CHECK_THROWS_AS(d.feed(junk), Error);
  CHECK_THROWS_AS(d.finish(), Error);
}

TEST_CASE("decoder: the byte stream may end only at a section boundary") {
  for (size_t cut = 9; cut < kTwoFuncs.size(); ++cut) {
    CAPTURE(cut);
    std::vector<uint8_t> part(kTwoFuncs.begin(), kTwoFuncs.begin() + cut);
    Outcome whole = decode_whole(part);
    // A prefix ending exactly after a section is a (smaller) valid module, except after the
    // function section, when the two bodies it announces are still missing.
    if (cut == 20 || cut == 25) {
      CHECK(whole.result == "DecodeError @" + std::to_string(cut) +
                                " function and code section have inconsistent lengths");
    } else if (cut == 15) {
      CHECK(whole.result.rfind("ok", 0) == 0);
    } else {
      CHECK(whole.result.rfind("DecodeError", 0) == 0);
    }
    CHECK(decode(part, [] { return size_t(1); }) == whole);
  }
}
