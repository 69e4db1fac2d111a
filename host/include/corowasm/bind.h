// Typed host binding: a C++ callable becomes a host function whose Wasm signature is derived
// from its parameter and result types.
//
//   corowasm::Func add = corowasm::bind(store, [](int32_t a, int32_t b) { return a + b; });
//   corowasm::Func log = corowasm::bind(store, [](corowasm::Caller& c, uint32_t ptr, uint32_t len) {
//     std::span<const char> text = c.memory().span<const char>(ptr, len);   // traps when out of bounds
//     ...
//   });
//
// Types (typed.h's WasmValue): int32_t/uint32_t -> i32, int64_t/uint64_t -> i64, float -> f32,
// double -> f64, bool -> i32, ExternRef -> externref, FuncRef -> funcref; an optional first
// parameter `Caller&`; the result is void, one of those types or a std::tuple of them (multi-
// value). A callable that throws traps the guest with the exception's what() as the message
// (a corowasm::Trap keeps its kind). The linker checks the derived type against the import and
// names both when they differ.
//
// This header binds synchronous callables and needs only the core API (no Asio). A callable
// returning `asio::awaitable<R>` binds as an asynchronous import through
// <corowasm/bind_async.h>, which adds that overload of bind().
#pragma once

#include <corowasm/corowasm.h>

#include <cstdint>
#include <span>
#include <tuple>
#include <type_traits>
#include <utility>

namespace corowasm {

// Doxygen leaves the binding machinery out of the API reference (cond ... endcond).
//! \cond internal
namespace bind_detail {

// A parameter's Wasm value (typed.h's mapping, shared with typed calls).
template <class T>
using WasmOf = WasmValue<std::remove_cvref_t<T>>;

template <class T>
T from_value(const Value& v) {
  return WasmOf<T>::from(v);
}

// The Wasm-facing result of a call returning R: R itself here; bind_async.h specializes it
// for asio::awaitable<R> (is_async, type R).
template <class R>
struct result_of_call {
  static constexpr bool is_async = false;
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
  return {WasmOf<std::tuple_element_t<I + Skip, Tuple>>::type...};
}

template <class F>
using traits_of = traits<std::decay_t<F>>;
template <class F>
constexpr bool is_async_callable = result_of_call<typename traits_of<F>::result>::is_async;

// Calls `f` with the Wasm arguments converted to its parameter types (after `caller`, if it
// takes one first) and returns what it returns.
template <class F>
decltype(auto) invoke(F& f, Caller& caller, std::span<const Value> args) {
  using Args = typename traits_of<F>::args;
  constexpr bool caller_first = has_caller<Args>::value;
  constexpr size_t skip = caller_first ? 1 : 0;
  return [&]<size_t... I>(std::index_sequence<I...>) -> decltype(auto) {
    if constexpr (caller_first) return f(caller, from_value<std::tuple_element_t<I + skip, Args>>(args[I])...);
    else return f(from_value<std::tuple_element_t<I + skip, Args>>(args[I])...);
  }(std::make_index_sequence<std::tuple_size_v<Args> - skip>{});
}

}  // namespace bind_detail
//! \endcond

// The Wasm type a callable binds to.
template <class F>
FuncType host_type_of() {
  using T = bind_detail::traits_of<F>;
  using Args = typename T::args;
  constexpr size_t skip = bind_detail::has_caller<Args>::value ? 1 : 0;
  FuncType ft;
  ft.params = bind_detail::param_types<Args, skip>(std::make_index_sequence<std::tuple_size_v<Args> - skip>{});
  using R = typename bind_detail::result_of_call<typename T::result>::type;
  ft.results = detail::WasmResults<R>::types();
  return ft;
}

template <class F>
  requires(!bind_detail::is_async_callable<F>)
Func bind(Store& store, F f) {
  auto call = [f = std::move(f)](Caller& caller, std::span<const Value> args, std::span<Value> results) {
    using R = typename bind_detail::traits_of<F>::result;
    if constexpr (std::is_void_v<R>) bind_detail::invoke(f, caller, args);
    else detail::WasmResults<R>::to(bind_detail::invoke(f, caller, args), results);
  };
  return store.host_func(host_type_of<F>(), std::move(call));
}

}  // namespace corowasm
