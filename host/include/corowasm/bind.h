// Typed host binding: a C++ callable becomes a host function whose Wasm signature is derived
// from its parameter and result types.
//
//   corowasm::Func add = corowasm::bind(store, [](int32_t a, int32_t b) { return a + b; });
//   corowasm::Func log = corowasm::bind(store, [](corowasm::Caller& c, uint32_t ptr, uint32_t len) {
//     std::span<const char> text = c.memory().span<const char>(ptr, len);   // traps when out of bounds
//     ...
//   });
//
// Types: int32_t/uint32_t -> i32, int64_t/uint64_t -> i64, float -> f32, double -> f64; an
// optional first parameter `Caller&`; the result is void or one of those types. The linker
// checks the derived type against the import and names both when they differ.
//
// A callable returning `asio::awaitable<R>` binds as an asynchronous import: the guest
// suspends while it runs (under AsyncInstance; a synchronous call traps), then resumes with R.
//
//   corowasm::Func fetch = corowasm::bind(store, [&](int32_t key) -> asio::awaitable<int32_t> {
//     co_await timer.async_wait(asio::use_awaitable);
//     co_return key * 2;
//   });
#pragma once

#include <corowasm/async.h>
#include <corowasm/corowasm.h>

#include <cstdint>
#include <tuple>
#include <type_traits>
#include <utility>

namespace corowasm {

namespace bind_detail {

template <class T>
constexpr ValType wasm_type() {
  using U = std::remove_cvref_t<T>;
  if constexpr (std::is_same_v<U, int32_t> || std::is_same_v<U, uint32_t>) return ValType::I32;
  else if constexpr (std::is_same_v<U, int64_t> || std::is_same_v<U, uint64_t>) return ValType::I64;
  else if constexpr (std::is_same_v<U, float>) return ValType::F32;
  else if constexpr (std::is_same_v<U, double>) return ValType::F64;
  else static_assert(sizeof(U) == 0, "host function types must be int32_t, uint32_t, int64_t, uint64_t, float or double");
}

template <class T>
T from_value(const Value& v) {
  using U = std::remove_cvref_t<T>;
  if constexpr (std::is_same_v<U, int32_t>) return v.as_i32();
  else if constexpr (std::is_same_v<U, uint32_t>) return uint32_t(v.as_i32());
  else if constexpr (std::is_same_v<U, int64_t>) return v.as_i64();
  else if constexpr (std::is_same_v<U, uint64_t>) return uint64_t(v.as_i64());
  else if constexpr (std::is_same_v<U, float>) return v.as_f32();
  else return v.as_f64();
}

template <class T>
Value to_value(T x) {
  if constexpr (std::is_same_v<T, int32_t> || std::is_same_v<T, uint32_t>) return Value::i32(int32_t(x));
  else if constexpr (std::is_same_v<T, int64_t> || std::is_same_v<T, uint64_t>) return Value::i64(int64_t(x));
  else if constexpr (std::is_same_v<T, float>) return Value::f32(x);
  else return Value::f64(x);
}

// R, or the R of asio::awaitable<R>.
template <class R>
struct result_of_call {
  static constexpr bool is_async = false;
  using type = R;
};
template <class R, class Executor>
struct result_of_call<asio::awaitable<R, Executor>> {
  static constexpr bool is_async = true;
  using type = R;
};

template <class F>
struct traits : traits<decltype(&F::operator())> {};
template <class C, class R, class... A>
struct traits<R (C::*)(A...) const> : traits<R (*)(A...)> {};
template <class C, class R, class... A>
struct traits<R (C::*)(A...)> : traits<R (*)(A...)> {};
template <class R, class... A>
struct traits<R (*)(A...)> {
  using result = R;
  using args = std::tuple<A...>;
};
template <class R, class... A>
struct traits<R(A...)> : traits<R (*)(A...)> {};

template <class Args>
struct has_caller : std::false_type {};
template <class First, class... Rest>
struct has_caller<std::tuple<First, Rest...>> : std::is_same<First, Caller&> {};

template <class Tuple, size_t Skip, size_t... I>
std::vector<ValType> param_types(std::index_sequence<I...>) {
  return {wasm_type<std::tuple_element_t<I + Skip, Tuple>>()...};
}

}  // namespace bind_detail

// The Wasm type a callable binds to.
template <class F>
FuncType host_type_of() {
  using T = bind_detail::traits<std::decay_t<F>>;
  using Args = typename T::args;
  constexpr size_t skip = bind_detail::has_caller<Args>::value ? 1 : 0;
  FuncType ft;
  ft.params = bind_detail::param_types<Args, skip>(std::make_index_sequence<std::tuple_size_v<Args> - skip>{});
  using R = typename bind_detail::result_of_call<typename T::result>::type;
  if constexpr (!std::is_void_v<R>) ft.results.push_back(bind_detail::wasm_type<R>());
  return ft;
}

template <class F>
Func bind(Store& store, F f) {
  using T = bind_detail::traits<std::decay_t<F>>;
  using Args = typename T::args;
  constexpr bool caller_first = bind_detail::has_caller<Args>::value;
  constexpr size_t skip = caller_first ? 1 : 0;
  using Result = bind_detail::result_of_call<typename T::result>;
  using Seq = std::make_index_sequence<std::tuple_size_v<Args> - skip>;
  if constexpr (Result::is_async) {
    // The lambda lives in the host function for as long as its Store; the coroutine frame
    // holds the converted arguments while the guest is suspended.
    auto call = [f = std::move(f)](Caller& caller, std::vector<Value> args) -> asio::awaitable<std::vector<Value>> {
      auto invoke = [&]<size_t... I>(std::index_sequence<I...>) {
        if constexpr (caller_first)
          return f(caller, bind_detail::from_value<std::tuple_element_t<I + skip, Args>>(args[I])...);
        else
          return f(bind_detail::from_value<std::tuple_element_t<I + skip, Args>>(args[I])...);
      };
      if constexpr (std::is_void_v<typename Result::type>) {
        co_await invoke(Seq{});
        co_return std::vector<Value>{};
      } else {
        // Awaited into a local first: GCC 12 rejects a co_await inside the braced list
        // ("array used as initializer", the initializer_list's backing array).
        typename Result::type r = co_await invoke(Seq{});
        co_return std::vector<Value>{bind_detail::to_value(r)};
      }
    };
    return async_host_func(store, host_type_of<F>(), std::move(call));
  } else {
    auto call = [f = std::move(f)](Caller& caller, std::span<const Value> args, std::span<Value> results) {
      auto invoke = [&]<size_t... I>(std::index_sequence<I...>) -> decltype(auto) {
        if constexpr (caller_first)
          return f(caller, bind_detail::from_value<std::tuple_element_t<I + skip, Args>>(args[I])...);
        else
          return f(bind_detail::from_value<std::tuple_element_t<I + skip, Args>>(args[I])...);
      };
      if constexpr (std::is_void_v<typename T::result>) invoke(Seq{});
      else results[0] = bind_detail::to_value(invoke(Seq{}));
    };
    return store.host_func(host_type_of<F>(), std::move(call));
  }
}

}  // namespace corowasm
