// The snippets of docs/limits.md: each region between "// [name]" and "// [/name]" is shown
// there as it is (docs/check_snippets.sh checks it). Compiled by the target docs_snippets.
#include <corowasm/async.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <vector>

namespace docs_limits {

namespace asio = boost::asio;
using corowasm::Value;

void engine_limits() {
  // [config]
  corowasm::Config config;
  config.max_memory_pages = 1024;          // 64 MiB per linear memory (64 KiB pages)
  config.max_table_elements = 100'000;     // all tables of a store together
  config.max_call_depth = 10'000;          // Wasm frames on one call stack
  config.max_stack_bytes = 8ull << 20;     // value-stack bytes on one call stack
  config.max_reentry_depth = 100;          // host -> guest re-entries nested on the native stack
  corowasm::Engine engine(config);         // the default of every store of this engine
  // [/config]
}

void store_limits(const corowasm::Engine& engine) {
  // [store]
  corowasm::Store store(engine);
  corowasm::Config tight = engine.config();
  tight.max_memory_pages = 16;             // this guest: 1 MiB
  store.set_limits(tight);                 // memories, tables and calls made from now on
  store.set_fuel(5'000'000);               // every call of this store spends from it
  // ... store.instantiate(...), calls ...
  std::optional<uint64_t> left = store.fuel();   // what is left; std::nullopt: unlimited
  // [/store]
  (void)left;
}

void sync_trap(const corowasm::Instance& inst) {
  // [sync_trap]
  try {
    inst.call_sync("run");
  } catch (const corowasm::Trap& t) {
    std::fprintf(stderr, "trap: %s\nwasm backtrace:\n", t.what());
    const std::vector<corowasm::TrapFrame>& frames = t.backtrace();   // innermost first
    for (size_t i = 0; i < frames.size(); ++i) {
      const corowasm::TrapFrame& f = frames[i];
      if (i == 64 && t.backtrace_omitted())   // deep stacks keep their first and last 64 frames
        std::fprintf(stderr, "  ... %zu frames omitted ...\n", t.backtrace_omitted());
      if (f.host)
        std::fprintf(stderr, "  %zu: %s (host)\n", i, f.name.c_str());   // "module.field"
      else
        std::fprintf(stderr, "  %zu: %s (func %u) @ 0x%zx\n", i, f.name.empty() ? "?" : f.name.c_str(),
                     f.func_index, f.module_offset.value_or(0));
    }
  }
  // [/sync_trap]
}

void async_limits(asio::io_context& io, const corowasm::Instance& instance) {
  // [options]
  corowasm::CallOptions options;
  options.slice = 10'000;                        // yield to the executor every 10,000 units
  options.fuel = 50'000'000;                     // "all fuel consumed" after that many
  options.timeout = std::chrono::milliseconds(200);   // "wall-clock deadline exceeded"
  corowasm::AsyncInstance guest(io.get_executor(), instance, options);
  guest.options().timeout = std::chrono::seconds(1);  // or change them between calls
  guest.async_call("handle", {Value::i32(1)}, [](corowasm::error_code ec, std::vector<Value>) {
    if (ec == corowasm::make_error_code(corowasm::TrapKind::OutOfFuel)) std::puts("out of fuel");
    if (ec == corowasm::make_error_code(corowasm::TrapKind::Timeout)) std::puts("too slow");
  });
  // [/options]
}

void start_function(asio::io_context& io, corowasm::Store& store, const corowasm::Module& module,
                    const corowasm::Imports& imports) {
  // [instantiate]
  corowasm::CallOptions options;
  options.fuel = 1'000'000;
  options.timeout = std::chrono::seconds(2);
  corowasm::async_instantiate(io.get_executor(), store, module, imports, options,
      [store](corowasm::error_code ec, corowasm::Instance inst) {
        if (ec == corowasm::errc::link_error) std::puts("imports do not resolve");
        else if (ec) std::printf("start function: %s\n", corowasm::last_trap_message(store).c_str());
        else std::printf("ready: %zu exports\n", inst.exports().size());
      });
  // [/instantiate]
}

}  // namespace docs_limits
