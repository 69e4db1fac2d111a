// libFuzzer target: arbitrary bytes into the decoder, validator and compiler.
//
// For every input:
//   1. Engine::compile on the whole buffer (a corowasm::Error is a fine outcome);
//   2. when it compiles and has no imports (and no start function, which could loop forever
//      and would only be reported as a timeout), instantiate it (an Error is a fine outcome);
//   3. decode the same bytes again with the incremental ModuleDecoder, fed in chunks whose
//      sizes are derived from the input, and require the same outcome as step 1: the decoder
//      promises results that do not depend on the chunking. A difference aborts.
// Crashes, sanitizer reports and any other exception escaping are findings.
//
// Build and run: tests/fuzz/run_fuzz.sh SECONDS (configures build-fuzz with
// -DCOROWASM_SANITIZE=ON -DCOROWASM_FUZZ=ON).
#include <corowasm/corowasm.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <span>
#include <string>

#include <corowasm/internal.h>

namespace {

std::shared_ptr<const corowasm::Config> fuzz_config() {
  corowasm::Config c;
  c.max_call_depth = 10'000;
  c.max_stack_bytes = 8ull << 20;
  c.max_memory_pages = 1024;  // 64 MiB
  c.max_table_elements = 1 << 16;
  return std::make_shared<const corowasm::Config>(c);
}

std::string describe(const corowasm::Error& e) {
  if (auto* d = dynamic_cast<const corowasm::DecodeError*>(&e))
    return "DecodeError @" + std::to_string(d->offset()) + " " + d->reason();
  if (auto* v = dynamic_cast<const corowasm::ValidationError*>(&e))
    return "ValidationError @" + std::to_string(v->offset()) + " " + v->reason();
  return std::string("Error ") + e.what();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const auto config = fuzz_config();
  static const corowasm::Engine engine(*config);
  std::span<const uint8_t> bytes(data, size);

  std::string whole;
  try {
    corowasm::Module m = engine.compile(bytes);
    whole = "ok";
    if (m.imports().empty() && corowasm::detail::Access::module(m)->start < 0) {
      try {
        corowasm::Instance inst = m.instantiate();
      } catch (const corowasm::Error&) {
      }
    }
  } catch (const corowasm::Error& e) {
    whole = describe(e);
  }

  std::string chunked;
  try {
    corowasm::detail::ModuleCompiler d(config);
    uint32_t h = 2166136261u;  // FNV-1a of the input picks the chunk sizes
    for (size_t i = 0; i < size; ++i) h = (h ^ data[i]) * 16777619u;
    size_t pos = 0;
    while (pos < size) {
      h = h * 1103515245u + 12345u;
      size_t n = (h >> 16) % 4 == 0 ? 1 : 1 + (h >> 20) % 97;
      if (n > size - pos) n = size - pos;
      d.feed(bytes.subspan(pos, n));
      pos += n;
    }
    d.finish();
    chunked = "ok";
  } catch (const corowasm::Error& e) {
    chunked = describe(e);
  }

  if (whole != chunked) {
    std::fprintf(stderr, "chunking changed the outcome:\n  whole:   %s\n  chunked: %s\n", whole.c_str(),
                 chunked.c_str());
    std::abort();
  }
  return 0;
}
