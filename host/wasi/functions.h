// The bodies of the WASI functions, declared from their rows in functions.def; each area's
// file defines its own (args_env.cpp, clock_proc.cpp, fd.cpp, path.cpp, poll.cpp, sock.cpp).
#pragma once

#include "state.h"

namespace corowasm::wasi::impl {

// The parameter types of functions.def: how the Wasm types bind (bind.h).
using i32 = uint32_t;
using i64 = uint64_t;

// `, params` after the two leading parameters, or nothing for a function without any.
#define WASI_PARAMS(...) __VA_OPT__(, ) __VA_ARGS__
#define WASI_DECLARE_SYNC(name, result, params) result name(State& st, Caller& c WASI_PARAMS params);
#define WASI_DECLARE_TWIN(name, result, params) \
  WASI_DECLARE_SYNC(name, result, params)       \
  asio::awaitable<result> name##_async(State& st, Caller& c WASI_PARAMS params);
#define WASI_FUNCTION(name, result, params, kind) WASI_DECLARE_##kind(name, result, params)
#include "functions.def"
#undef WASI_DECLARE_TWIN
#undef WASI_DECLARE_SYNC
#undef WASI_PARAMS

}  // namespace corowasm::wasi::impl
