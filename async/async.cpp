// The async driver: a C++20 coroutine that owns a guest's heap call stack and services the
// handler chain's exits, awaiting asynchronous host functions and yielding between time slices.
#include <corowasm/async.h>

#include <algorithm>
#include <exception>

#include "decoder.h"
#include "runtime.h"

namespace corowasm {

namespace {

struct AsyncHost final : detail::AsyncHostFn {
  explicit AsyncHost(corowasm::AsyncHostFn f) : fn(std::move(f)) {}
  corowasm::AsyncHostFn fn;
};

class TrapCategory final : public boost::system::error_category {
 public:
  const char* name() const noexcept override { return "corowasm.trap"; }
  std::string message(int v) const override { return trap_message(TrapKind(v - 1)); }
};

class CorowasmCategory final : public boost::system::error_category {
 public:
  const char* name() const noexcept override { return "corowasm"; }
  std::string message(int v) const override {
    switch (errc(v)) {
      case errc::store_busy: return "another asynchronous call of this store is in progress";
      case errc::bad_call: return "no such exported function, or wrong arguments";
    }
    return "corowasm error";
  }
};

// Marks the store busy for the lifetime of one asynchronous call.
struct BusyGuard {
  detail::StoreData* store;
  ~BusyGuard() { store->busy = false; }
};

}  // namespace

const boost::system::error_category& trap_category() {
  static const TrapCategory c;
  return c;
}
const boost::system::error_category& corowasm_category() {
  static const CorowasmCategory c;
  return c;
}
error_code make_error_code(TrapKind k) { return {int(k) + 1, trap_category()}; }
error_code make_error_code(errc e) { return {int(e), corowasm_category()}; }

Func async_host_func(Store& store, FuncType type, AsyncHostFn fn) {
  // Registered like a host function whose synchronous body refuses to run: only the async
  // driver knows how to await it.
  Func f = store.host_func(std::move(type), [](Caller&, std::span<const Value>, std::span<Value>) {
    throw Trap(TrapKind::Host, "an async host function cannot be called synchronously");
  });
  f.raw()->async_host = std::make_shared<AsyncHost>(std::move(fn));
  return f;
}

std::string last_trap_message(const Store& store) { return store.data()->last_trap_message; }
std::vector<TrapFrame> last_trap_backtrace(const Store& store) { return store.data()->last_trap_backtrace; }
bool store_busy(const Store& store) { return store.data()->busy; }

namespace detail {

error_code to_error_code(std::exception_ptr ep, const Store& store) {
  if (!ep) return {};
  try {
    std::rethrow_exception(ep);
  } catch (const Trap& t) {
    store.data()->last_trap_message = t.what();
    store.data()->last_trap_backtrace = t.backtrace();
    return make_error_code(t.kind());
  } catch (const boost::system::system_error& e) {
    return e.code();
  } catch (const Error& e) {
    store.data()->last_trap_message = e.what();
    return make_error_code(errc::bad_call);
  } catch (const std::exception& e) {
    store.data()->last_trap_message = e.what();
    return make_error_code(TrapKind::Host);
  }
}

namespace {

// An async host function failed: a Trap or a cancellation passes through, anything else
// becomes a Trap with the host's message.
[[noreturn]] void rethrow_host_error(std::exception_ptr ep) {
  try {
    std::rethrow_exception(ep);
  } catch (const Trap&) {
    throw;
  } catch (const boost::system::system_error& e) {
    if (e.code() == asio::error::operation_aborted) throw;
    throw Trap(TrapKind::Host, e.what());
  } catch (const std::exception& e) {
    throw Trap(TrapKind::Host, e.what());
  } catch (...) {
    throw Trap(TrapKind::Host, "async host function threw a non-standard exception");
  }
}

}  // namespace

asio::awaitable<std::vector<Value>> drive_call(Func func, std::vector<Value> args, CallOptions options) {
  Store store = func.store();
  StoreData& sd = *store.data();
  if (sd.busy) throw boost::system::system_error(make_error_code(errc::store_busy));
  sd.busy = true;
  BusyGuard busy{&sd};
  FuncInst* f = func.raw();
  if (!f->code) throw Error("async_call: the export is a host function");

  // The guest's own heap call stack, kept in this coroutine's frame: a suspended guest is this,
  // the coroutine frames, and its instance. Nothing of it lives on the native stack.
  Thread t(sd.limits, &sd);
  CallState cs = begin_call(t, f, args);

  uint64_t budget = options.fuel.value_or(UINT64_MAX);
  std::optional<std::chrono::steady_clock::time_point> deadline;
  if (options.timeout) deadline = std::chrono::steady_clock::now() + *options.timeout;
  auto refill = [&] {
    t.fuel = int64_t(std::min<uint64_t>({std::max<uint64_t>(options.slice, 1), budget, uint64_t(INT64_MAX)}));
    return t.fuel;
  };
  int64_t given = refill();

  for (;;) {
    switch (run(&t)) {
      case Exit::Done: co_return call_results(t, cs);
      case Exit::Trap: throw_trap(t);
      case Exit::HostCall: {
        HostCallState hc = save_host_call(t);
        std::vector<Value> results;
        if (hc.callee->async_host) {
          // The handler chain has returned: the guest is suspended as data while the host's
          // operation runs; the executor serves other work meanwhile.
          auto& host = static_cast<AsyncHost&>(*hc.callee->async_host);
          Caller caller = make_caller(&t, hc.inst);
          std::exception_ptr error;
          try {
            results = co_await host.fn(caller, host_args(t));
          } catch (...) {
            error = std::current_exception();
          }
          if (error) {
            try {
              rethrow_host_error(error);
            } catch (Trap& trap) {
              if (trap.backtrace().empty()) trap.set_backtrace(backtrace(t));
              throw;
            }
          }
          check_host_results(*hc.callee->type, results);
        } else {
          results = run_host(t, hc.callee, host_args(t), hc.inst);
        }
        resume_after_host(t, hc, results);
        break;
      }
      case Exit::StackLimit: grow_for_call(t); break;
      case Exit::OutOfFuel: {
        // The slice is spent (the unit that ran out counts too).
        budget -= std::min<uint64_t>(budget, uint64_t(given - t.fuel));
        if (budget == 0) throw_trap(t, TrapKind::OutOfFuel);
        if (deadline && std::chrono::steady_clock::now() >= *deadline) throw_trap(t, TrapKind::Timeout);
        asio::cancellation_state cancel = co_await asio::this_coro::cancellation_state;
        if (cancel.cancelled() != asio::cancellation_type::none)
          throw boost::system::system_error(asio::error::operation_aborted);
        // Yield: let timers and other guests run, then continue where the guest stopped.
        co_await asio::post(co_await asio::this_coro::executor, asio::use_awaitable);
        given = refill();
        break;
      }
      case Exit::Continue: break;
    }
  }
}

struct StreamCompiler::Impl {
  Impl(const Engine& engine, size_t max) : decoder(std::make_shared<const Config>(engine.config())), max_bytes(max) {}
  ModuleDecoder decoder;
  size_t max_bytes;
};

StreamCompiler::StreamCompiler(const Engine& engine, size_t max_bytes)
    : impl_(std::make_unique<Impl>(engine, max_bytes)) {}
StreamCompiler::~StreamCompiler() = default;

void StreamCompiler::feed(std::span<const uint8_t> bytes) {
  if (impl_->decoder.bytes_received() + bytes.size() > impl_->max_bytes)
    throw Error("module stream exceeds the limit of " + std::to_string(impl_->max_bytes) + " bytes");
  impl_->decoder.feed(bytes);
}

Module StreamCompiler::finish() { return Module(impl_->decoder.finish()); }
size_t StreamCompiler::bytes_received() const { return impl_->decoder.bytes_received(); }

}  // namespace detail
}  // namespace corowasm
