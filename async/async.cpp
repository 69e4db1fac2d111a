// The async driver: a C++20 coroutine that owns a guest's heap call stack and services the
// handler chain's exits, awaiting asynchronous host functions and yielding between time slices.
#include <corowasm/async.h>

#include <algorithm>
#include <exception>
#include <optional>

#include <boost/asio/experimental/parallel_group.hpp>

#include <corowasm/internal.h>

namespace corowasm {

namespace {

// The async layer's state of one store: whether an asynchronous call is in progress, and what
// the last one that failed left.
struct AsyncStoreState {
  bool busy = false;
  // The calls of this store suspended in an async host function, innermost first, linked
  // through their coroutine frames (no allocation); only the host function of the innermost
  // may call back into the store (a nested call), one call at a time (child_running).
  struct Suspended {
    detail::ResumableCall* call;
    Suspended* outer;
    bool child_running = false;
  };
  Suspended* innermost = nullptr;
  bool suspended_here(const Suspended* s) const {
    for (const Suspended* p = innermost; p; p = p->outer)
      if (p == s) return true;
    return false;
  }
  // What the last failed call left: on the heap once a call has failed (most stores' never do).
  struct LastTrap {
    std::string message;
    std::vector<TrapFrame> backtrace;
    size_t omitted = 0;
  };
  std::unique_ptr<LastTrap> last;
  LastTrap& last_trap() {
    if (!last) last = std::make_unique<LastTrap>();
    return *last;
  }
};
AsyncStoreState& async_state(detail::StoreData& s) { return detail::layer_state<AsyncStoreState>(s); }

// The body of an async host function, kept as the HostFn of a suspending FuncInst: the VM
// ends the guest's run with CallStatus::Suspend instead of calling it, and the driver below
// finds it again with std::function::target.
struct AsyncBody {
  corowasm::AsyncHostFn fn;
  void operator()(Caller&, std::span<const Value>, std::span<Value>) const {
    throw Trap(TrapKind::Host, "an async host function cannot be called synchronously");
  }
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
      case errc::link_error: return "the module's imports cannot be resolved";
    }
    return "corowasm error";
  }
};

// Marks the store busy for the lifetime of one asynchronous call.
struct BusyGuard {
  AsyncStoreState& state;
  explicit BusyGuard(AsyncStoreState& s) : state(s) {
    if (state.busy) throw boost::system::system_error(make_error_code(errc::store_busy));
    state.busy = true;
  }
  ~BusyGuard() { state.busy = false; }
  BusyGuard(const BusyGuard&) = delete;
  BusyGuard& operator=(const BusyGuard&) = delete;
};

detail::CallLimits limits_of(const CallOptions& options) {
  detail::CallLimits limits;
  limits.slice = std::max<uint64_t>(options.slice, 1);
  limits.fuel = options.fuel;
  if (options.timeout) {
    // A timeout too large to add to now() means no deadline in practice: the latest one.
    auto now = detail::Clock::now();
    limits.deadline = *options.timeout >= detail::Clock::time_point::max() - now ? detail::Clock::time_point::max()
                                                                               : now + *options.timeout;
  }
  return limits;
}

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
  Func f = store.host_func(std::move(type), AsyncBody{std::move(fn)});
  detail::Access::func(f)->suspends = true;
  return f;
}

std::string last_trap_message(const Store& store) {
  const AsyncStoreState& s = async_state(*detail::Access::store(store));
  return s.last ? s.last->message : std::string();
}
std::vector<TrapFrame> last_trap_backtrace(const Store& store) {
  const AsyncStoreState& s = async_state(*detail::Access::store(store));
  return s.last ? s.last->backtrace : std::vector<TrapFrame>();
}
size_t last_trap_frames_omitted(const Store& store) {
  const AsyncStoreState& s = async_state(*detail::Access::store(store));
  return s.last ? s.last->omitted : 0;
}
bool store_busy(const Store& store) { return async_state(*detail::Access::store(store)).busy; }

namespace detail {

namespace {

// An Asio or Boost.System error's own code (a cancellation: operation_aborted), if that is
// what `ep` holds.
std::optional<error_code> system_error_of(std::exception_ptr ep) {
  try {
    std::rethrow_exception(ep);
  } catch (const boost::system::system_error& e) {
    return e.code();
  } catch (...) {
    return std::nullopt;
  }
}

bool is_cancellation(std::exception_ptr ep) { return system_error_of(ep) == asio::error::operation_aborted; }

}  // namespace

CallError call_error_of(std::exception_ptr ep, const Store& store) {
  if (!ep) return {};
  if (std::optional<error_code> ec = system_error_of(ep)) return {*ec, ec->message(), std::nullopt, nullptr};
  AsyncStoreState& st = async_state(*detail::Access::store(store));
  Failure f = failure_of(ep);
  CallError e{{}, f.trap.what(), std::nullopt, nullptr};
  try {
    std::rethrow_exception(ep);
  } catch (const Exception& x) {
    e.exception = std::make_shared<const Exception>(x);
  } catch (...) {
  }
  switch (f.origin) {
    case Failure::Origin::Trap:
    case Failure::Origin::Std:  // TrapKind::Host
      e.code = make_error_code(f.trap.kind());
      e.trap = f.trap;
      break;
    case Failure::Origin::LinkError: e.code = make_error_code(errc::link_error); break;
    case Failure::Origin::Error: e.code = make_error_code(errc::bad_call); break;
    case Failure::Origin::Unknown:
      std::rethrow_exception(ep);  // not a std::exception: not for an error_code to describe
  }
  AsyncStoreState::LastTrap& last = st.last_trap();
  last.message = e.message;
  last.backtrace = e.trap ? e.trap->backtrace() : std::vector<TrapFrame>{};
  last.omitted = e.trap ? e.trap->backtrace_omitted() : 0;
  return e;
}

error_code to_error_code(std::exception_ptr ep, const Store& store) { return call_error_of(ep, store).code; }

std::exception_ptr exception_of(const CallError& e) {
  if (!e) return nullptr;
  if (e.trap) return std::make_exception_ptr(trap_error(e));
  return std::make_exception_ptr(call_error(e));
}

namespace {

// Await an async host function against the call's deadline: a timer races it, and when the
// timer wins, the host operation is cancelled (its cancellation slot fires) and, once it has
// completed, the guest traps with "wall-clock deadline exceeded". A coroutine of its own, so
// that calls without a deadline do not carry the timer in their frames.
asio::awaitable<std::vector<Value>> await_with_deadline(ResumableCall& call, const AsyncBody& body, Caller& caller) {
  auto ex = co_await asio::this_coro::executor;
  asio::steady_timer timer(ex, *call.limits().deadline);
  auto [order, host_error, host_results, timer_error] =
      co_await asio::experimental::make_parallel_group(
          asio::co_spawn(ex, body.fn(caller, call.host_args()), asio::deferred), timer.async_wait(asio::deferred))
          .async_wait(asio::experimental::wait_for_one(), asio::use_awaitable);
  if (order[0] == 1 && !timer_error) throw Trap(TrapKind::Timeout);
  if (host_error) std::rethrow_exception(host_error);
  co_return std::move(host_results);
}

// While `call` awaits its async host function, that function may call back into the store.
// Guards leave last in, first out, except when an abandoned io_context destroys the frames in
// its own order: then this one is unlinked from wherever it stands.
struct SuspendedGuard {
  AsyncStoreState& state;
  AsyncStoreState::Suspended node;
  SuspendedGuard(AsyncStoreState& s, ResumableCall& call) : state(s), node{&call, s.innermost} {
    state.innermost = &node;
  }
  ~SuspendedGuard() {
    for (AsyncStoreState::Suspended** p = &state.innermost; *p; p = &(*p)->outer) {
      if (*p == &node) {
        *p = node.outer;
        break;
      }
    }
  }
  SuspendedGuard(const SuspendedGuard&) = delete;
  SuspendedGuard& operator=(const SuspendedGuard&) = delete;
};

// A nested call runs while its parent's host function awaits it: the one child of that level.
struct ChildGuard {
  AsyncStoreState& state;
  AsyncStoreState::Suspended* level;
  ChildGuard(AsyncStoreState& s, AsyncStoreState::Suspended* l) : state(s), level(l) { level->child_running = true; }
  ~ChildGuard() {
    if (state.suspended_here(level)) level->child_running = false;  // else its frame is gone already
  }
  ChildGuard(const ChildGuard&) = delete;
  ChildGuard& operator=(const ChildGuard&) = delete;
};

// Run a call to its end: the only place the async layer looks at a call's status. One
// coroutine frame holds the whole guest (the call, its heap call stack) while it is suspended.
// `parent`: the suspended call whose async host function makes this call, which then runs on
// the parent's heap call stack above its frames (a nested call, within the parent's budgets
// and deadline); else the call has a stack of its own and marks the store busy.
asio::awaitable<std::vector<Value>> run_call(std::shared_ptr<StoreData> store, FuncInst* f, std::vector<Value> args,
                                             CallLimits limits, ResumableCall* parent = nullptr) {
  AsyncStoreState& state = async_state(*store);
  std::optional<BusyGuard> busy;
  if (!parent) busy.emplace(state);
  ResumableCall call(*store, f, args, limits, parent ? parent->thread() : nullptr, parent);
  for (;;) {
    switch (call.resume()) {
      case CallStatus::Done: co_return call.take_results();
      case CallStatus::Trap: call.throw_failure();
      case CallStatus::HostCall: call.run_host(); break;
      case CallStatus::Suspend: {
        // The handler chain has returned: the guest is suspended as data while the host's
        // operation runs; the executor serves other work meanwhile.
        const AsyncBody* body = call.host_callee()->host->target<AsyncBody>();
        if (!body) {
          call.run_host();
          break;
        }
        std::vector<Value> results;
        std::exception_ptr error;
        Caller caller = call.caller();
        SuspendedGuard suspended(state, call);
        try {
          if (call.limits().deadline) results = co_await await_with_deadline(call, *body, caller);
          else results = co_await body->fn(caller, call.host_args());
        } catch (const trap_error& e) {
          // A nested call's trap, rethrown: the same trap, or the same Wasm exception.
          error = e.error().exception ? std::make_exception_ptr(*e.error().exception) : std::make_exception_ptr(e.trap());
        } catch (...) {
          error = std::current_exception();
        }
        if (!error) {
          call.complete_host(results);
        } else {
          // A cancelled guest stops here: the caller's completion says operation_aborted.
          if (is_cancellation(error)) std::rethrow_exception(error);
          call.fail_host(error);
        }
        break;
      }
      case CallStatus::OutOfSlice: {
        asio::cancellation_state cancel = co_await asio::this_coro::cancellation_state;
        if (cancel.cancelled() != asio::cancellation_type::none)
          throw boost::system::system_error(asio::error::operation_aborted);
        // Yield: let timers and other guests run, then continue where the guest stopped.
        co_await asio::post(co_await asio::this_coro::executor, asio::use_awaitable);
        break;
      }
    }
  }
}

}  // namespace

asio::awaitable<std::vector<Value>> drive_call(Func func, std::vector<Value> args, CallOptions options) {
  return run_call(Access::store(func.store()), Access::func(func), std::move(args), limits_of(options));
}

asio::awaitable<std::vector<Value>> drive_nested_call(Caller caller, Func func, std::vector<Value> args) {
  ResumableCall* parent = Access::call(caller);
  std::shared_ptr<StoreData> store = Access::store(caller.store());
  AsyncStoreState& state = async_state(*store);
  if (!func) throw Error("nested call: empty function");
  if (Access::owner(func) != store.get()) throw Error("nested call: the function belongs to another store");
  if (!parent || !state.innermost || state.innermost->call != parent || state.innermost->child_running)
    throw Error("nested call: only the async host function a guest is suspended in may call back into its store, "
                "one call at a time");
  ChildGuard child(state, state.innermost);
  CallLimits limits;
  limits.slice = parent->limits().slice;  // budgets and the deadline are the parent's (nesting)
  co_return co_await run_call(store, Access::func(func), std::move(args), limits, parent);
}

asio::awaitable<Instance> drive_instantiate(Store store, Module module, Imports imports, CallOptions options) {
  if (!module) throw Error("instantiate: empty module");
  if (store_busy(store)) throw boost::system::system_error(make_error_code(errc::store_busy));
  InstanceData* inst = instantiate(*Access::store(store), Access::module(module), imports);
  if (FuncInst* start = start_function(*inst)) co_await run_call(Access::store(store), start, {}, limits_of(options));
  co_return Access::make_instance(Access::store(store), inst);
}

struct StreamCompiler::Impl {
  Impl(const Engine& engine, size_t max) : decoder(std::make_shared<const Config>(engine.config())), max_bytes(max) {}
  ModuleCompiler decoder;
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

Module StreamCompiler::finish() { return Access::make_module(impl_->decoder.finish()); }
size_t StreamCompiler::bytes_received() const { return impl_->decoder.bytes_received(); }

}  // namespace detail
}  // namespace corowasm
