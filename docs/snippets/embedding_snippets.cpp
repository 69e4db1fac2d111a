// The snippets of docs/embedding.md: each region between "// [name]" and "// [/name]" is shown
// there as it is (docs/check_snippets.sh checks it). Compiled by the target docs_snippets.
#include <corowasm/bind.h>
#include <corowasm/corowasm.h>

#include <cstdint>
#include <cstdio>
#include <span>
#include <stdexcept>
#include <string>
#include <tuple>
#include <vector>

namespace docs_embedding {

int32_t basics(std::span<const uint8_t> bytes) {
  // [basics]
  corowasm::Engine engine;                                // configuration: Config limits
  corowasm::Module module = engine.compile(bytes);        // decode + validate + compile
  corowasm::Store store(engine);                          // owns instances, memories, ...
  corowasm::Imports imports;
  imports.define("env", "log", store.host_func({{corowasm::ValType::I32}, {}},
      [](corowasm::Caller&, std::span<const corowasm::Value> args, std::span<corowasm::Value>) {
        std::printf("guest says %d\n", args[0].as_i32());
      }));
  corowasm::Instance inst = store.instantiate(module, imports);
  std::vector<corowasm::Value> results = inst.call_sync("fib", {corowasm::Value::i32(30)});
  int32_t fib30 = results[0].as_i32();
  // [/basics]
  return fib30;
}

void typed(const corowasm::Instance& inst) {
  // [typed]
  auto fib = inst.typed_func<int32_t(int32_t)>("fib");   // throws Error on another type
  int32_t r = fib.call_sync(30);
  auto divmod = inst.typed_func<std::tuple<uint32_t, uint32_t>(uint32_t, uint32_t)>("divmod");
  auto [q, rem] = divmod.call_sync(7, 2);
  auto reset = inst.typed_func<void()>("reset");
  reset.call_sync();
  // [/typed]
  (void)r, (void)q, (void)rem;
}

// [linker]
struct Session {
  std::vector<int32_t> logged;
};

corowasm::Instance session_instance(const corowasm::Engine& engine, const corowasm::Linker& linker,
                                    const corowasm::Module& module) {
  corowasm::Store store(engine);
  store.set_data(Session{});                 // this store's host state
  return linker.instantiate(store, module);  // the Store lives as long as the instance
}

void linker_example(const corowasm::Engine& engine, const corowasm::Module& module,
                    const corowasm::Module& lib_module) {
  corowasm::Linker linker;                   // define once ...
  linker.define("env", "log", {{corowasm::ValType::I32}, {}},
      [](corowasm::Caller& c, std::span<const corowasm::Value> args, std::span<corowasm::Value>) {
        c.data<Session>()->logged.push_back(args[0].as_i32());
      });
  linker.define_module("lib", lib_module);   // lib's exports importable as "lib"."name"
  corowasm::Instance a = session_instance(engine, linker, module);   // ... use in many stores
  corowasm::Instance b = session_instance(engine, linker, module);
  a.call_sync("run");
  b.call_sync("run");
}
// [/linker]

void exports(const corowasm::Instance& inst) {
  // [exports]
  corowasm::Memory mem = inst.memory("memory");           // empty handle when absent
  corowasm::Global counter = inst.global("counter");
  if (mem && counter) {
    std::span<const uint8_t> page = mem.span<const uint8_t>(0, 4096);  // throws Trap if out of bounds
    std::printf("first byte %u, counter %d\n", page[0], counter.get().as_i32());
  }
  for (const auto& [name, ext] : inst.exports())
    if (const corowasm::Func* f = std::get_if<corowasm::Func>(&ext))
      std::printf("%s: %s\n", name.c_str(), corowasm::to_string(f->type()).c_str());
  // [/exports]
}

void bind_example(corowasm::Store& store, corowasm::Imports& imports) {
  // [bind]
  imports.define("env", "add", corowasm::bind(store, [](int32_t a, int32_t b) { return a + b; }));
  imports.define("env", "sum", corowasm::bind(store, [](corowasm::Caller& c, uint32_t ptr, uint32_t len) {
    int64_t total = 0;
    for (uint8_t b : c.memory().span<const uint8_t>(ptr, len)) total += b;   // traps when out of bounds
    return total;
  }));
  imports.define("env", "minmax", corowasm::bind(store, [](double a, double b) {
    return std::tuple<double, double>{a < b ? a : b, a < b ? b : a};       // multi-value result
  }));
  imports.define("env", "check", corowasm::bind(store, [](int32_t v) {
    if (v < 0) throw std::runtime_error("negative input");                  // traps with this message
  }));
  // [/bind]
}

int errors(const corowasm::Engine& engine, std::span<const uint8_t> bytes) {
  // [errors]
  try {
    corowasm::Module module = engine.compile(bytes);
    corowasm::Instance inst = module.instantiate();   // a fresh Store of its own, no imports
    inst.call_sync("main");
  } catch (const corowasm::DecodeError& e) {          // not a binary module
    std::fprintf(stderr, "malformed at byte %zu: %s\n", e.offset(), e.reason().c_str());
  } catch (const corowasm::ValidationError& e) {      // well-formed, but invalid
    std::fprintf(stderr, "invalid at byte %zu: %s\n", e.offset(), e.reason().c_str());
  } catch (const corowasm::LinkError& e) {            // an import missing or of another type
    std::fprintf(stderr, "link: %s\n", e.what());
  } catch (const corowasm::Trap& t) {                 // the start function or main trapped
    std::fprintf(stderr, "trap (%s): %s\n", corowasm::trap_kind_name(t.kind()), t.what());
    return 134;
  } catch (const corowasm::Error& e) {                // a bad call: no such export, wrong arguments
    std::fprintf(stderr, "%s\n", e.what());
  }
  // [/errors]
  return 1;
}

// A guest importing the host's tag "env"."oops" as (tag (param i32)), and "env"."lookup".
void exceptions(corowasm::Store& store, const corowasm::Module& module) {
  // [exceptions]
  corowasm::Tag oops = store.tag({corowasm::ValType::I32}, "env.oops");
  corowasm::Imports imports;
  imports.define("env", "oops", oops);
  imports.define("env", "lookup", corowasm::bind(store, [oops](int32_t key) -> int32_t {
    if (key < 0) throw corowasm::Exception(oops, {corowasm::Value::i32(key)});  // the guest may catch it
    return key * 2;
  }));
  corowasm::Instance inst = store.instantiate(module, imports);
  try {
    inst.call_sync("main");
  } catch (const corowasm::Exception& x) {         // escaped the guest: a Trap of kind UncaughtException
    if (x.tag() == oops) std::fprintf(stderr, "oops %d\n", x.payload().at(0).as_i32());
    else std::fprintf(stderr, "%s\n", x.what());  // "uncaught exception: tag e (i32 7)"
  }
  // [/exceptions]
}

}  // namespace docs_embedding
