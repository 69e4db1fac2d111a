// Typed host binding for asynchronous callables (bind.h binds the synchronous ones): a callable
// returning `asio::awaitable<R>` becomes an async import. The guest suspends while it runs
// (under AsyncInstance; a synchronous call traps), then resumes with R.
//
//   corowasm::Func fetch = corowasm::bind(store, [&](int32_t key) -> asio::awaitable<int32_t> {
//     co_await timer.async_wait(asio::use_awaitable);
//     co_return key * 2;
//   });
//
// Parameter and result types, and the optional first `Caller&`, are those of bind.h.
#pragma once

#include <corowasm/async.h>
#include <corowasm/bind.h>

#include <utility>
#include <vector>

namespace corowasm {

namespace bind_detail {
template <class R, class Executor>
struct result_of_call<asio::awaitable<R, Executor>> {
  static constexpr bool is_async = true;
  using type = R;
};
}  // namespace bind_detail

template <class F>
  requires bind_detail::is_async_callable<F>
Func bind(Store& store, F f) {
  // The lambda lives in the host function for as long as its Store; the coroutine frame
  // holds the arguments while the guest is suspended.
  auto call = [f = std::move(f)](Caller& caller, std::vector<Value> args) -> asio::awaitable<std::vector<Value>> {
    using R = typename bind_detail::result_of_call<typename bind_detail::traits_of<F>::result>::type;
    if constexpr (std::is_void_v<R>) {
      co_await bind_detail::invoke(f, caller, args);
      co_return std::vector<Value>{};
    } else {
      // Awaited into a local first: GCC 11/12 reject a co_await inside a braced list ("array
      // used as initializer", the initializer_list's backing array).
      R r = co_await bind_detail::invoke(f, caller, args);
      std::vector<Value> out(detail::WasmResults<R>::types().size());
      detail::WasmResults<R>::to(r, out);
      co_return out;
    }
  };
  return async_host_func(store, host_type_of<F>(), std::move(call));
}

}  // namespace corowasm
