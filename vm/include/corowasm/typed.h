// C++ types as Wasm values, and typed calls of Wasm functions. corowasm.h includes this file.
//
//   corowasm::TypedFunc<int32_t(int32_t, int64_t)> handle = instance.typed_func<int32_t(int32_t, int64_t)>("handle");
//   int32_t r = handle.call_sync(7, 40);
//   auto [q, rem] = instance.typed_func<std::tuple<int32_t, int32_t>(int32_t, int32_t)>("divmod").call_sync(7, 2);
//
// The signature is checked against the export's Wasm type once, when the TypedFunc is made: a
// mismatch throws Error naming both types; calls then convert without looking again.
//
// Types (WasmValue): int32_t / uint32_t -> i32, int64_t / uint64_t -> i64, float -> f32,
// double -> f64, bool -> i32 (0 / 1; any non-zero i32 reads as true), ExternRef -> externref,
// FuncRef -> funcref; results are void, one of those, or a std::tuple of them (multi-value).
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

namespace corowasm {

// An externref value held by the host: any word the host chooses; 0 is null.
struct ExternRef {
  uint64_t word = 0;
  bool is_null() const { return word == 0; }
  bool operator==(const ExternRef&) const = default;
};

// A funcref value as the host sees it: the reference's bits (Func::ref() of some function),
// opaque; 0 is null. Only meaningful in the store it came from.
struct FuncRef {
  uint64_t bits = 0;
  bool is_null() const { return bits == 0; }
  bool operator==(const FuncRef&) const = default;
};

// The mapping of one C++ type to a Wasm value type; specialised for each supported type.
template <class T>
struct WasmValue {
  static_assert(sizeof(T) == 0,
                "Wasm values are int32_t, uint32_t, int64_t, uint64_t, float, double, bool, ExternRef or FuncRef");
};
template <class T, ValType V>
struct WasmScalar {
  static constexpr ValType type = V;
};
template <>
struct WasmValue<int32_t> : WasmScalar<int32_t, ValType::I32> {
  static Value to(int32_t x) { return Value::i32(x); }
  static int32_t from(const Value& v) { return v.as_i32(); }
};
template <>
struct WasmValue<uint32_t> : WasmScalar<uint32_t, ValType::I32> {
  static Value to(uint32_t x) { return Value::i32(int32_t(x)); }
  static uint32_t from(const Value& v) { return uint32_t(v.as_i32()); }
};
template <>
struct WasmValue<int64_t> : WasmScalar<int64_t, ValType::I64> {
  static Value to(int64_t x) { return Value::i64(x); }
  static int64_t from(const Value& v) { return v.as_i64(); }
};
template <>
struct WasmValue<uint64_t> : WasmScalar<uint64_t, ValType::I64> {
  static Value to(uint64_t x) { return Value::i64(int64_t(x)); }
  static uint64_t from(const Value& v) { return uint64_t(v.as_i64()); }
};
template <>
struct WasmValue<float> : WasmScalar<float, ValType::F32> {
  static Value to(float x) { return Value::f32(x); }
  static float from(const Value& v) { return v.as_f32(); }
};
template <>
struct WasmValue<double> : WasmScalar<double, ValType::F64> {
  static Value to(double x) { return Value::f64(x); }
  static double from(const Value& v) { return v.as_f64(); }
};
template <>
struct WasmValue<bool> : WasmScalar<bool, ValType::I32> {
  static Value to(bool x) { return Value::i32(x ? 1 : 0); }
  static bool from(const Value& v) { return v.as_i32() != 0; }
};
template <>
struct WasmValue<ExternRef> : WasmScalar<ExternRef, ValType::ExternRef> {
  static Value to(ExternRef x) { return Value::externref(x.word); }
  static ExternRef from(const Value& v) { return ExternRef{v.bits}; }
};
template <>
struct WasmValue<FuncRef> : WasmScalar<FuncRef, ValType::FuncRef> {
  static Value to(FuncRef x) { return Value{ValType::FuncRef, x.bits}; }
  static FuncRef from(const Value& v) { return FuncRef{v.bits}; }
};

namespace detail {

// The Wasm result types of a C++ result type: void, a value, or a std::tuple of values.
template <class R>
struct WasmResults {
  static std::vector<ValType> types() { return {WasmValue<R>::type}; }
  static R from(std::span<const Value> v) { return WasmValue<R>::from(v[0]); }
  static void to(const R& r, std::span<Value> out) { out[0] = WasmValue<R>::to(r); }
};
template <>
struct WasmResults<void> {
  static std::vector<ValType> types() { return {}; }
  static void from(std::span<const Value>) {}
};
template <class... T>
struct WasmResults<std::tuple<T...>> {
  static std::vector<ValType> types() { return {WasmValue<T>::type...}; }
  static std::tuple<T...> from(std::span<const Value> v) { return from(v, std::index_sequence_for<T...>{}); }
  static void to(const std::tuple<T...>& r, std::span<Value> out) { to(r, out, std::index_sequence_for<T...>{}); }

 private:
  template <size_t... I>
  static std::tuple<T...> from(std::span<const Value> v, std::index_sequence<I...>) {
    return std::tuple<T...>{WasmValue<T>::from(v[I])...};
  }
  template <size_t... I>
  static void to(const std::tuple<T...>& r, std::span<Value> out, std::index_sequence<I...>) {
    ((out[I] = WasmValue<T>::to(std::get<I>(r))), ...);
  }
};

template <class Sig>
struct Signature;
template <class R, class... A>
struct Signature<R(A...)> {
  using Result = R;
  static FuncType type() { return FuncType{{WasmValue<std::remove_cvref_t<A>>::type...}, WasmResults<R>::types()}; }
};

// Throws Error unless `f` has exactly the type `want` ("export \"handle\": ...").
void check_typed(const Func& f, const FuncType& want, std::string_view what);

}  // namespace detail

template <class Sig>
class TypedFunc;

// A Wasm function with its type checked once against R(A...).
template <class R, class... A>
class TypedFunc<R(A...)> {
 public:
  using Result = R;
  TypedFunc() = default;
  // Throws Error when `f` is empty or its type is not R(A...).
  explicit TypedFunc(Func f, std::string_view what = "function") : func_(std::move(f)) {
    detail::check_typed(func_, type(), what);
  }
  static FuncType type() { return detail::Signature<R(A...)>::type(); }

  // Call from the host, on a call stack of its own; throws Trap.
  R call_sync(A... args) const {
    std::array<Value, sizeof...(A)> in{WasmValue<std::remove_cvref_t<A>>::to(args)...};
    std::vector<Value> out = func_.call_sync(std::span<const Value>(in.data(), in.size()));
    return detail::WasmResults<R>::from(out);
  }
  // The arguments as Values, and the results converted back: for the asynchronous driver.
  static std::vector<Value> values_of(A... args) { return {WasmValue<std::remove_cvref_t<A>>::to(args)...}; }
  static R result_of(std::span<const Value> results) { return detail::WasmResults<R>::from(results); }

  const Func& func() const { return func_; }
  explicit operator bool() const { return bool(func_); }

 private:
  Func func_;
};

template <class Sig>
TypedFunc<Sig> Instance::typed_func(std::string_view name) const {
  return TypedFunc<Sig>(func(name), "export \"" + std::string(name) + "\"");
}

}  // namespace corowasm
