// corowasm on Boost.Asio: guest calls as asynchronous operations, and host functions that
// suspend the guest while they wait.
//
//   corowasm::AsyncInstance guest(io.get_executor(), instance);
//   auto results = co_await guest.async_call("handle", {Value::i32(7)}, asio::use_awaitable);
//
// Every completion token works (use_awaitable, callbacks, use_future, deferred, yield_context);
// the completion signature is void(error_code, std::vector<Value>) with Boost.System's
// error_code. A trap completes with an error in trap_category() (value: TrapKind). The details
// travel with the call: use_awaitable and use_future throw trap_error / call_error (system_error
// with the same code, plus message, kind and backtrace; their completion takes an exception_ptr
// for that), and with_error(err, token) hands any other token's handler the call's CallError.
// Cancelling the operation (its cancellation slot) stops the guest at its next time-slice
// boundary or host call and completes with asio::error::operation_aborted.
//
// Thread safety: a Module may be shared by any threads; an instance, its Store and its
// AsyncInstance are used from one strand at a time. One asynchronous call runs per Store at a
// time (a second one completes with errc::store_busy); after any completion — including a
// trap or a cancellation — the instance can be called again (its memory and globals are as
// the guest left them).
#pragma once

#include <corowasm/corowasm.h>

#include <boost/asio.hpp>
#include <array>
#include <chrono>
#include <span>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace corowasm {

namespace asio = boost::asio;
using error_code = boost::system::error_code;

// Errors other than traps.
enum class errc {
  store_busy = 1,     // another asynchronous call of the same Store is in progress
  bad_call,           // no such export, or arguments of the wrong type or number
  link_error,         // async_instantiate: an import is missing or does not match
};
const boost::system::error_category& trap_category();      // values: TrapKind + 1
const boost::system::error_category& corowasm_category();  // values: errc
error_code make_error_code(TrapKind k);
error_code make_error_code(errc e);

// Why one call failed, as its completion carries it.
struct CallError {
  error_code code;           // what the completion's error_code says; empty on success
  std::string message;       // the trap's or the error's text ("integer divide by zero", ...)
  std::optional<Trap> trap;  // a trap: kind, message and Wasm backtrace
  // A Wasm exception that escaped the guest (trap->kind() is then UncaughtException): its tag
  // and payload. An async host function that lets a nested call's trap_error through raises
  // this exception in its own guest, which may catch it.
  std::shared_ptr<const Exception> exception;
  explicit operator bool() const { return bool(code); }
};

// What use_awaitable and use_future throw for a failed call: a boost::system::system_error
// with the same code() (so existing handlers keep working), what() the message, and the
// call's CallError. A trap throws trap_error.
class call_error : public boost::system::system_error {
 public:
  explicit call_error(CallError e) : boost::system::system_error(e.code, e.message), error_(std::move(e)) {}
  const CallError& error() const { return error_; }
  const char* what() const noexcept override { return error_.message.c_str(); }
 private:
  CallError error_;
};
class trap_error : public call_error {
 public:
  using call_error::call_error;
  const Trap& trap() const { return *error().trap; }  // kind, message, backtrace
};

// For completion handlers that take only an error_code: the token `token`, and this call's
// error written to `out` before the handler runs (cleared when the call starts, so never left
// over from an earlier call). `out` must outlive the operation.
//   CallError err;
//   guest.async_call("handle", args, corowasm::with_error(err, [&](error_code ec, auto r) {
//     if (err.trap) print(err.trap->backtrace());
//   }));
template <class Token>
struct with_error_t {
  CallError* out;
  Token token;
};
template <class Token>
with_error_t<std::decay_t<Token>> with_error(CallError& out, Token&& token) {
  return {&out, std::forward<Token>(token)};
}

struct CallOptions {
  // Time slicing: the guest yields to the executor after this many fuel units (loop
  // iterations and calls), so a spinning guest never starves others or timers. A timer
  // waits at most one round of the runnable guests: N guests x one slice.
  uint64_t slice = 10'000;
  // Hard limit: the guest traps with "all fuel consumed" after this many units. The Store's
  // own budget (Store::set_fuel) applies too: the call stops at whichever runs out first.
  std::optional<uint64_t> fuel;
  // Wall-clock limit: the guest traps with "wall-clock deadline exceeded". It counts the time
  // the guest runs and the time it is suspended: checked at every slice boundary, and while
  // the guest awaits an async import a timer cancels that import's operation at the deadline.
  // So the trap comes at most one slice of guest work plus one pass of the executor's ready
  // queue after the deadline, or, while suspended, as soon as the import's operation has
  // honoured the cancellation (every WASI wait does at once).
  std::optional<std::chrono::steady_clock::duration> timeout;
};

// An asynchronous host function: awaits whatever it likes, returns the results.
using AsyncHostFn =
    std::function<asio::awaitable<std::vector<Value>>(Caller& caller, std::vector<Value> args)>;
Func async_host_func(Store& store, FuncType type, AsyncHostFn fn);
// An async host function in a Linker: each store gets its own async_host_func of it.
inline void define_async(Linker& linker, std::string module, std::string name, FuncType type, AsyncHostFn fn) {
  linker.define(std::move(module), std::move(name),
                [type = std::move(type), fn = std::move(fn)](Store& store) { return async_host_func(store, type, fn); });
}

// The message of the last trap of an asynchronous call in this store, and its Wasm backtrace
// (innermost frame first).
std::string last_trap_message(const Store& store);
std::vector<TrapFrame> last_trap_backtrace(const Store& store);
// How many frames a deep backtrace left out between its first and last 64 (Trap::backtrace_omitted).
size_t last_trap_frames_omitted(const Store& store);
// Whether an asynchronous call of this store is in progress.
bool store_busy(const Store& store);

namespace detail {
// The guest's driver: runs `func` on a heap call stack of its own, awaiting async imports.
asio::awaitable<std::vector<Value>> drive_call(Func func, std::vector<Value> args, CallOptions options);
// The same for a call made by the async host function `caller` is in: on its guest's heap call
// stack, above the suspended frames (see async_call(Caller&, ...)).
asio::awaitable<std::vector<Value>> drive_nested_call(Caller caller, Func func, std::vector<Value> args);
// Instantiates, then runs the start function like drive_call runs a call.
asio::awaitable<Instance> drive_instantiate(Store store, Module module, Imports imports, CallOptions options);
error_code to_error_code(std::exception_ptr ep, const Store& store);
// What a finished call's exception means (nullptr: success); also records the store's last
// trap for last_trap_message().
CallError call_error_of(std::exception_ptr ep, const Store& store);
// The exception use_awaitable / use_future complete with: trap_error, call_error, or nullptr.
std::exception_ptr exception_of(const CallError& e);
}  // namespace detail

// Instantiate `module` in `store`, running its start function as an asynchronous call: time
// sliced, under `options`' fuel and deadline, cancellable, awaiting async imports. Completes
// with void(error_code, Instance): errc::link_error for unresolved imports, a trap_category()
// code when the start function traps (last_trap_message() has the text).
template <class CompletionToken>
auto async_instantiate(asio::any_io_executor executor, Store store, Module module, Imports imports,
                       CallOptions options, CompletionToken&& token) {
  return asio::async_initiate<CompletionToken, void(error_code, Instance)>(
      [](auto handler, asio::any_io_executor ex, Store store, Module module, Imports imports, CallOptions options) {
        auto handler_ex = asio::get_associated_executor(handler, ex);
        auto slot = asio::get_associated_cancellation_slot(handler);
        auto done = [h = std::move(handler), store](std::exception_ptr ep, Instance inst) mutable {
          error_code ec = detail::to_error_code(ep, store);
          std::move(h)(ec, ec ? Instance() : std::move(inst));
        };
        asio::co_spawn(ex, detail::drive_instantiate(store, std::move(module), std::move(imports), options),
                       asio::bind_cancellation_slot(slot, asio::bind_executor(handler_ex, std::move(done))));
      },
      token, std::move(executor), std::move(store), std::move(module), std::move(imports), options);
}

// ---- streaming compilation ----

namespace detail {
// Feeds the incremental decoder: each function body compiles as soon as its bytes arrive.
class StreamCompiler {
 public:
  StreamCompiler(const Engine& engine, size_t max_bytes);
  ~StreamCompiler();
  void feed(std::span<const uint8_t> bytes);  // throws DecodeError / ValidationError / Error
  Module finish();                            // throws on a truncated module
  size_t bytes_received() const;
 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

template <class AsyncReadStream>
asio::awaitable<Module> stream_compile(Engine engine, AsyncReadStream& stream, size_t max_bytes) {
  StreamCompiler compiler(engine, max_bytes);
  std::array<uint8_t, 16384> buffer;
  for (;;) {
    auto [ec, n] = co_await stream.async_read_some(asio::buffer(buffer), asio::as_tuple(asio::use_awaitable));
    if (n) compiler.feed(std::span<const uint8_t>(buffer.data(), n));
    if (ec == asio::error::eof) break;
    if (ec) throw boost::system::system_error(ec);
  }
  co_return compiler.finish();
}
}  // namespace detail

// Read a module from `stream` until end of stream, compiling while the bytes arrive.
// Completes with void(std::exception_ptr, Module): a DecodeError / ValidationError (with byte
// offset) for a malformed or invalid module, "unexpected end" for a truncated one, an Error
// past `max_bytes`, or the stream's own error. Nothing is kept on failure.
template <class AsyncReadStream, class CompletionToken>
auto async_compile(const Engine& engine, AsyncReadStream& stream, CompletionToken&& token,
                   size_t max_bytes = size_t(256) << 20) {
  return asio::async_initiate<CompletionToken, void(std::exception_ptr, Module)>(
      [](auto handler, Engine engine, AsyncReadStream* stream, size_t max_bytes) {
        auto ex = stream->get_executor();
        asio::co_spawn(ex, detail::stream_compile(std::move(engine), *stream, max_bytes), std::move(handler));
      },
      token, engine, &stream, max_bytes);
}

namespace detail {

template <class T>
struct is_with_error : std::false_type {};
template <class T>
struct is_with_error<with_error_t<T>> : std::true_type {};

// The token a call completes (with_error's inner one) and where its CallError goes.
template <class Token>
decltype(auto) inner_token(Token&& t) {
  if constexpr (is_with_error<std::decay_t<Token>>::value) return (std::forward<Token>(t).token);
  else return std::forward<Token>(t);
}
template <class Token>
CallError* error_sink(const Token& t) {
  if constexpr (is_with_error<Token>::value) return t.out;
  else return nullptr;
}

// Tokens whose completion takes an exception_ptr first, so that they throw call_error /
// trap_error with the details; every other token gets the error_code.
template <class T>
struct throws_details : std::false_type {};
template <class Executor>
struct throws_details<asio::use_awaitable_t<Executor>> : std::true_type {};
template <class Allocator>
struct throws_details<asio::use_future_t<Allocator>> : std::true_type {};

// A call's completion signature, void(error_code[, R]) or void(std::exception_ptr[, R]).
template <class First, class R>
struct SignatureOf {
  using type = void(First, R);
};
template <class First>
struct SignatureOf<First, void> {
  using type = void(First);
};
template <class R, bool Throws>
struct CallCompletion {
  using First = std::conditional_t<Throws, std::exception_ptr, error_code>;
  using signature = typename SignatureOf<First, R>::type;
  static First first(const CallError& e) {
    if constexpr (Throws) return exception_of(e);
    else return e.code;
  }
};

// Start `func` under the guest's driver on `ex` and complete `token` with its results
// converted by result_of, a captureless lambda (std::vector<Value> -> R; R{} on failure). An empty `func` completes
// at once with errc::bad_call and the message `missing`. The completion goes through the
// handler's own executor; cancelling the handler's slot cancels the guest (co_spawn connects
// it to the coroutine's cancellation state). Arguments travel through async_initiate (not
// captured) so that deferred tokens keep them until the operation actually starts.
// `nested`: the call is made from the async host function of that Caller (drive_nested_call).
template <class R, class Token, class ResultOf>
auto initiate_call(asio::any_io_executor ex, Func func, std::string missing, std::vector<Value> args,
                   CallOptions options, ResultOf result_of, Token&& token,
                   std::optional<Caller> nested = std::nullopt) {
  static_assert(std::is_empty_v<ResultOf> && std::is_default_constructible_v<ResultOf>, "result_of: a captureless lambda");
  CallError* sink = error_sink(token);
  auto&& inner = inner_token(std::forward<Token>(token));
  using Inner = std::conditional_t<std::is_rvalue_reference_v<decltype(inner_token(std::forward<Token>(token)))>,
                                   std::remove_reference_t<decltype(inner)>, decltype(inner)>;
  using Completion = CallCompletion<R, throws_details<std::decay_t<Inner>>::value>;
  return asio::async_initiate<Inner, typename Completion::signature>(
      [](auto handler, asio::any_io_executor ex, Func func, std::string missing, std::vector<Value> args,
         CallOptions options, ResultOf result_of, CallError* sink, std::optional<Caller> nested) {
        if (sink) *sink = CallError{};
        auto handler_ex = asio::get_associated_executor(handler, ex);
        (void)result_of;  // stateless: made again where it is used, so no handler carries it
        auto finish = [sink](auto& h, CallError e, std::vector<Value> r) {
          if (sink) *sink = e;
          if constexpr (std::is_void_v<R>) std::move(h)(Completion::first(e));
          else std::move(h)(Completion::first(e), e ? R{} : ResultOf{}(std::move(r)));
        };
        if (!func) {
          asio::post(handler_ex, [h = std::move(handler), finish, missing = std::move(missing)]() mutable {
            finish(h, CallError{make_error_code(errc::bad_call), missing, std::nullopt, nullptr}, {});
          });
          return;
        }
        auto slot = asio::get_associated_cancellation_slot(handler);
        Store store = func.store();
        auto done = [h = std::move(handler), store, finish](std::exception_ptr ep, std::vector<Value> r) mutable {
          finish(h, call_error_of(ep, store), std::move(r));
        };
        asio::co_spawn(ex, nested ? drive_nested_call(*nested, func, std::move(args)) : drive_call(func, std::move(args), options),
                       asio::bind_cancellation_slot(slot, asio::bind_executor(handler_ex, std::move(done))));
      },
      inner, std::move(ex), std::move(func), std::move(missing), std::move(args), options, std::move(result_of),
      sink, std::move(nested));
}

}  // namespace detail

template <class Sig>
class AsyncTypedFunc;

// A typed function (typed.h) called as an asynchronous operation: completes with
// void(error_code, R), or void(error_code) when R is void; R is default-constructed on error.
// Under use_awaitable and use_future a failure throws call_error / trap_error instead.
template <class R, class... A>
class AsyncTypedFunc<R(A...)> {
 public:
  AsyncTypedFunc(asio::any_io_executor executor, TypedFunc<R(A...)> func, CallOptions options = {})
      : executor_(std::move(executor)), func_(std::move(func)), options_(options) {}

  template <class CompletionToken>
  auto async_call(A... args, CompletionToken&& token) {
    using Typed = TypedFunc<R(A...)>;
    return detail::initiate_call<R>(executor_, func_.func(), "", Typed::values_of(args...), options_,
                                    [](std::vector<Value> r) { return Typed::result_of(r); },
                                    std::forward<CompletionToken>(token));
  }
  // The synchronous call, on a call stack of its own (throws Trap).
  R call_sync(A... args) const { return func_.call_sync(args...); }
  const TypedFunc<R(A...)>& typed() const { return func_; }
  CallOptions& options() { return options_; }

 private:
  asio::any_io_executor executor_;
  TypedFunc<R(A...)> func_;
  CallOptions options_;
};

// From inside an async host function: call `func` of the same store back, as wasmtime allows.
// The call runs on the suspended guest's own heap call stack, above its frames, within its fuel
// budgets, deadline and re-entry depth; time sliced like it; it may itself await async imports
// and call back again (nested calls nest last in, first out). Only the host function the
// innermost suspended guest awaits may do this, one call at a time (else errc::bad_call); any
// other call of a busy store still completes with errc::store_busy. Completes like
// AsyncInstance::async_call; `executor` runs the nested guest (the host function's own).
//   auto inner = std::get<corowasm::Func>(*caller.get_export("inner"));
//   auto r = co_await corowasm::async_call(co_await asio::this_coro::executor, caller, inner,
//                                          {Value::i32(n - 1)}, asio::use_awaitable);
template <class CompletionToken>
auto async_call(asio::any_io_executor executor, Caller& caller, Func func, std::vector<Value> args,
                CompletionToken&& token) {
  return detail::initiate_call<std::vector<Value>>(
      std::move(executor), func, "nested call: empty function", std::move(args), CallOptions{},
      [](std::vector<Value> r) { return r; }, std::forward<CompletionToken>(token), caller);
}

class AsyncInstance {
 public:
  AsyncInstance(asio::any_io_executor executor, Instance instance, CallOptions options = {})
      : executor_(std::move(executor)), instance_(std::move(instance)), options_(options) {}

  const Instance& instance() const { return instance_; }
  // Whether a call can start now: false only while another asynchronous call of this Store is
  // in progress. After any completion — results, trap or cancellation — it is true again.
  bool can_call() const { return !store_busy(instance_.store()); }
  const asio::any_io_executor& get_executor() const { return executor_; }
  CallOptions& options() { return options_; }

  template <class CompletionToken>
  auto async_call(std::string_view name, std::vector<Value> args, CompletionToken&& token) {
    return detail::initiate_call<std::vector<Value>>(
        executor_, instance_.func(name), "no exported function named \"" + std::string(name) + "\"", std::move(args),
        options_, [](std::vector<Value> r) { return r; }, std::forward<CompletionToken>(token));
  }

  // The export `name` as a typed function called asynchronously with this instance's
  // executor and options; throws Error when it is missing or of another type (typed.h).
  template <class Sig>
  AsyncTypedFunc<Sig> typed_func(std::string_view name) const {
    return AsyncTypedFunc<Sig>(executor_, instance_.typed_func<Sig>(name), options_);
  }

 private:
  asio::any_io_executor executor_;
  Instance instance_;
  CallOptions options_;
};

}  // namespace corowasm

namespace boost::system {
template <>
struct is_error_code_enum<corowasm::errc> : std::true_type {};
}  // namespace boost::system
