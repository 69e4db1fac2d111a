// corowasm public API: compile, instantiate and call WebAssembly modules.
//
//   corowasm::Engine engine;
//   corowasm::Module module = engine.compile(bytes);          // decode + validate + compile
//   corowasm::Instance inst = module.instantiate(imports);     // link, init, run start
//   auto results = inst.call_sync("fib", {corowasm::Value::i32(30)});
//
// Ownership: a Module is immutable and shareable between any number of instances and threads.
// Runtime objects (instances, memories, tables, globals, host functions) belong to a Store and
// live as long as it does; every handle keeps its Store alive. An instance and its Store are
// used by one thread at a time.
//
// Sharing, object by object:
//   Engine   immutable configuration; copies share it; any thread, any number of stores.
//   Module   immutable compiled code; any thread, instantiated in any number of stores.
//   Linker   definitions only; shared by stores of any thread once defined (defining is not
//            thread-safe).
//   Store    and every handle of it (Instance, Func, Memory, Table, Global, Caller, TypedFunc):
//            one thread (or strand) at a time; a handle of one store cannot be used in another
//            (importing it is a LinkError, a funcref of another store an Error or a trap).
// Default construction: the handles are default-constructible (empty, `operator bool` false).
// A Store is not: it takes its configuration from an Engine, which must be given
// (Store(engine)); neither is an AsyncInstance (async.h), which needs an executor and an
// instance to be of any use.
#pragma once

#include <corowasm/version.h>

#include <any>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <variant>
#include <vector>

namespace corowasm {

namespace detail {
struct ModuleData;
struct StoreData;
struct InstanceData;
struct FuncInst;
struct MemoryInst;
struct TableInst;
struct GlobalInst;
struct TagInst;
struct ExnInst;
struct Thread;
}  // namespace detail

// Value types carry their binary encoding.
enum class ValType : uint8_t {
  I32 = 0x7F,
  I64 = 0x7E,
  F32 = 0x7D,
  F64 = 0x7C,
  V128 = 0x7B,
  FuncRef = 0x70,
  ExternRef = 0x6F,
  ExnRef = 0x69,  // a caught exception (exception handling); never crosses the host boundary
};
const char* to_string(ValType t);
inline bool is_ref(ValType t) { return t == ValType::FuncRef || t == ValType::ExternRef || t == ValType::ExnRef; }

// A typed Wasm value. `bits` holds i32 zero-extended, floats as their IEEE bit pattern (so NaN
// payloads survive), and references as an opaque non-zero word (0 is the null reference).
// A v128 keeps its low 8 bytes (lanes 0.. in little-endian order) in `bits`, its high 8 in `hi`;
// `hi` is 0 for every other type.
struct Value {
  ValType type = ValType::I32;
  uint64_t bits = 0;
  uint64_t hi = 0;

  static Value i32(int32_t v) { return {ValType::I32, uint32_t(v)}; }
  static Value i64(int64_t v) { return {ValType::I64, uint64_t(v)}; }
  static Value f32(float v) { uint32_t b; std::memcpy(&b, &v, 4); return {ValType::F32, b}; }
  static Value f64(double v) { uint64_t b; std::memcpy(&b, &v, 8); return {ValType::F64, b}; }
  static Value f32_bits(uint32_t b) { return {ValType::F32, b}; }
  static Value f64_bits(uint64_t b) { return {ValType::F64, b}; }
  // A host reference: any word the host chooses except 0, which is null.
  static Value externref(uint64_t host_word) { return {ValType::ExternRef, host_word}; }
  static Value null(ValType ref_type) { return {ref_type, 0}; }
  // A v128 from its two halves: byte i of the vector is byte i of lo (i < 8) or of hi.
  static Value v128(uint64_t lo, uint64_t hi) { return {ValType::V128, lo, hi}; }
  // A v128 from its 16 bytes in memory order (lane 0 first).
  static Value v128(const uint8_t (&b)[16]) {
    Value v{ValType::V128, 0, 0};
    std::memcpy(&v.bits, b, 8);
    std::memcpy(&v.hi, b + 8, 8);
    return v;
  }
  // The 16 bytes of a v128 in memory order.
  void v128_bytes(uint8_t (&out)[16]) const {
    std::memcpy(out, &bits, 8);
    std::memcpy(out + 8, &hi, 8);
  }

  int32_t as_i32() const { return int32_t(uint32_t(bits)); }
  int64_t as_i64() const { return int64_t(bits); }
  float as_f32() const { float f; uint32_t b = uint32_t(bits); std::memcpy(&f, &b, 4); return f; }
  double as_f64() const { double d; std::memcpy(&d, &bits, 8); return d; }
  bool is_null() const { return bits == 0; }
  bool operator==(const Value&) const = default;
};
std::string to_string(const Value& v);

struct FuncType {
  std::vector<ValType> params;
  std::vector<ValType> results;
  bool operator==(const FuncType&) const = default;
};
std::string to_string(const FuncType& t);

struct Limits {
  uint64_t min = 0;
  std::optional<uint64_t> max;
};
struct MemoryType { Limits limits; };                 // in 64 KiB pages
struct TableType { ValType elem = ValType::FuncRef; Limits limits; };
struct GlobalType { ValType type = ValType::I32; bool mut = false; };

// ---- Errors -------------------------------------------------------------------------------

class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The bytes are not a well-formed binary module ("unexpected end", "magic header not detected").
class DecodeError : public Error {
 public:
  DecodeError(size_t offset, const std::string& reason);
  size_t offset() const { return offset_; }
  const std::string& reason() const { return reason_; }
 private:
  size_t offset_;
  std::string reason_;
};

// The module is well-formed but does not validate ("type mismatch", "unknown local").
class ValidationError : public Error {
 public:
  ValidationError(size_t offset, const std::string& reason);
  size_t offset() const { return offset_; }
  const std::string& reason() const { return reason_; }
 private:
  size_t offset_;
  std::string reason_;
};

// Instantiation failed to resolve or match an import ("unknown import", "incompatible import type").
class LinkError : public Error {
 public:
  using Error::Error;
};

// Why a call trapped: one enumerator per line of traps.def, which also gives each its message.
enum class TrapKind : uint8_t {
#define CW_TRAP(Name, message) Name,
#include <corowasm/traps.def>
#undef CW_TRAP
};
// The spec's wording of `k` ("out of bounds memory access"); the default Trap message.
const char* trap_message(TrapKind k);
// The enumerator's spelling ("MemoryOutOfBounds").
const char* trap_kind_name(TrapKind k);

// One Wasm frame of a trap's backtrace.
struct TrapFrame {
  uint32_t func_index = 0;   // in its module's function index space
  std::string name;          // from the name section, else the function's export name; may be empty
  // Where the frame was: the Wasm instruction's byte offset in the module binary, and the same
  // from the start of the function's body (as wasmtime's module_offset / func_offset). Empty
  // for host frames and where the frame's position is not known.
  std::optional<size_t> module_offset;
  std::optional<size_t> func_offset;
  // A host function (an import) that trapped, as frame 0: name is "module.field".
  bool host = false;
};

// A Wasm trap. Thrown by call_sync and by instantiate (a trapping start function or an
// out-of-bounds active segment).
class Trap : public Error {
 public:
  Trap(TrapKind kind, const std::string& message);
  explicit Trap(TrapKind kind) : Trap(kind, trap_message(kind)) {}
  TrapKind kind() const { return kind_; }
  // The Wasm call stack where the trap happened, innermost frame first (empty for traps
  // raised outside Wasm code).
  // Deep stacks keep their first and last 64 frames: backtrace_omitted() frames lie between
  // backtrace()[63] and backtrace()[64].
  const std::vector<TrapFrame>& backtrace() const { return backtrace_; }
  size_t backtrace_omitted() const { return omitted_; }
  void set_backtrace(std::vector<TrapFrame> frames, size_t omitted = 0) {
    backtrace_ = std::move(frames);
    omitted_ = omitted;
  }
 private:
  TrapKind kind_;
  std::vector<TrapFrame> backtrace_;
  size_t omitted_ = 0;
};

// ---- Engine and Module ----------------------------------------------------------------------

struct Config {
  uint32_t max_call_depth = 100'000;          // Wasm frames on one call stack
  uint64_t max_stack_bytes = 64ull << 20;     // value-stack bytes on one call stack
  uint64_t max_memory_pages = 65536;          // cap applied to every memory (4 GiB)
  uint64_t max_table_elements = 10'000'000;  // across all tables of a store
  // Host functions calling back into their guest (Func::call_sync from inside a host call)
  // nest on the native stack: deeper re-entries, or ones that would leave less than 64 KiB of
  // the thread's native stack, trap with "call stack exhausted".
  uint32_t max_reentry_depth = 1'000;
  // Exceptions (exception handling) live in their store until no frame, global or table
  // refers to them; a store whose live exceptions (payloads included) would take more bytes
  // than this traps with TrapKind::ExceptionLimit.
  uint64_t max_exception_bytes = 64ull << 20;
};

class Module;

class Engine {
 public:
  Engine();
  explicit Engine(Config config);
  const Config& config() const { return *config_; }

  // Decode, validate and compile a whole binary. Throws DecodeError or ValidationError.
  Module compile(std::span<const uint8_t> bytes) const;

 private:
  std::shared_ptr<const Config> config_;
  friend class Store;
  friend class Module;
};

struct ImportDesc {
  std::string module;
  std::string name;
  enum Kind : uint8_t { Func, Table, Memory, Global, Tag } kind;
};
struct ExportDesc {
  std::string name;
  ImportDesc::Kind kind;
};
// The kind's keyword in the text format: "func", "table", "memory", "global", "tag".
const char* to_string(ImportDesc::Kind k);

class Imports;
class Instance;
namespace detail {
// The VM's own way to the internals behind a handle (vm/runtime/handles.h); handles hand out
// no detail types themselves.
struct Access;
}  // namespace detail

// Sizes of a compiled module, for tuning and benchmarks.
struct ModuleStats {
  size_t wasm_bytes = 0;          // the whole binary
  size_t wasm_code_bytes = 0;     // the function bodies
  size_t compiled_code_bytes = 0; // threaded code generated for them
  size_t functions = 0;           // defined functions
};

class Module {
 public:
  Module() = default;
  std::vector<ImportDesc> imports() const;
  std::vector<ExportDesc> exports() const;
  ModuleStats stats() const;
  // Instantiate into a fresh Store of its own.
  Instance instantiate(const Imports& imports) const;
  Instance instantiate() const;
  explicit operator bool() const { return bool(data_); }

 private:
  friend class Store;
  friend struct detail::Access;
  explicit Module(std::shared_ptr<const detail::ModuleData> data) : data_(std::move(data)) {}
  std::shared_ptr<const detail::ModuleData> data_;
};

// ---- Runtime objects --------------------------------------------------------------------------

class Store;

// Handles: cheap to copy, keep their Store alive, empty when default-constructed.
class Memory {
 public:
  Memory() = default;
  uint8_t* data() const;
  uint64_t size_bytes() const;
  uint64_t pages() const;
  // Returns the old size in pages, or -1 when the limits forbid it (as memory.grow).
  int64_t grow(uint64_t delta_pages) const;
  MemoryType type() const;
  // `count` elements of T at byte offset `ptr`, bounds-checked: throws Trap
  // (MemoryOutOfBounds) rather than ever reaching outside linear memory. Valid until the
  // memory grows.
  template <class T>
  std::span<T> span(uint64_t ptr, uint64_t count) const {
    static_assert(std::is_trivially_copyable_v<T>, "guest memory holds plain bytes");
    if (!mem_ || count > size_bytes() / sizeof(T) || ptr > size_bytes() - count * sizeof(T))
      throw Trap(TrapKind::MemoryOutOfBounds);
    return {reinterpret_cast<T*>(data() + ptr), size_t(count)};
  }
  explicit operator bool() const { return mem_ != nullptr; }
 private:
  friend class Store; friend class Instance; friend class Caller; friend struct detail::Access;
  Memory(std::shared_ptr<detail::StoreData> s, detail::MemoryInst* m) : store_(std::move(s)), mem_(m) {}
  std::shared_ptr<detail::StoreData> store_;
  detail::MemoryInst* mem_ = nullptr;
};

class Table {
 public:
  Table() = default;
  uint64_t size() const;
  Value get(uint64_t index) const;                   // throws Trap when out of bounds
  void set(uint64_t index, const Value& v) const;    // throws Trap when out of bounds
  TableType type() const;
  explicit operator bool() const { return table_ != nullptr; }
 private:
  friend class Store; friend class Instance; friend struct detail::Access;
  Table(std::shared_ptr<detail::StoreData> s, detail::TableInst* t) : store_(std::move(s)), table_(t) {}
  std::shared_ptr<detail::StoreData> store_;
  detail::TableInst* table_ = nullptr;
};

class Global {
 public:
  Global() = default;
  Value get() const;
  void set(const Value& v) const;   // throws Error on an immutable global or wrong type
  GlobalType type() const;
  explicit operator bool() const { return global_ != nullptr; }
 private:
  friend class Store; friend class Instance; friend struct detail::Access;
  Global(std::shared_ptr<detail::StoreData> s, detail::GlobalInst* g) : store_(std::move(s)), global_(g) {}
  std::shared_ptr<detail::StoreData> store_;
  detail::GlobalInst* global_ = nullptr;
};

class Func {
 public:
  Func() = default;
  const FuncType& type() const;
  // Call from the host; throws Trap.
  std::vector<Value> call_sync(std::span<const Value> args) const;
  // The reference value (funcref) naming this function.
  Value ref() const;
  Store store() const;
  explicit operator bool() const { return func_ != nullptr; }
 private:
  friend class Store; friend class Instance; friend struct detail::Access;
  Func(std::shared_ptr<detail::StoreData> s, detail::FuncInst* f) : store_(std::move(s)), func_(f) {}
  std::shared_ptr<detail::StoreData> store_;
  detail::FuncInst* func_ = nullptr;
};

// An exception tag: the type of a Wasm exception, its payload the tag's parameters. Tags
// compare by identity: two tags of one type are different tags.
class Tag {
 public:
  Tag() = default;
  const FuncType& type() const;  // params: the payload; no results
  // The name messages use: the module's export or import name of the tag, else "tag N"; for a
  // host tag, the name given to Store::tag.
  const std::string& name() const;
  explicit operator bool() const { return tag_ != nullptr; }
  bool operator==(const Tag& o) const { return tag_ == o.tag_; }
 private:
  friend class Store; friend class Instance; friend struct detail::Access;
  Tag(std::shared_ptr<detail::StoreData> s, detail::TagInst* t) : store_(std::move(s)), tag_(t) {}
  std::shared_ptr<detail::StoreData> store_;
  detail::TagInst* tag_ = nullptr;
};

// A Wasm exception in the host's hands. A call (call_sync, the async calls) whose guest lets
// an exception escape fails with one: a Trap of kind UncaughtException whose message names
// the tag and payload. A host function throws one to raise it in its caller, where the guest's
// try_table/try catches it like any other (one it caught from a nested call keeps its identity
// when rethrown: throw_ref sees the same exception).
class Exception : public Trap {
 public:
  Exception(Tag tag, std::vector<Value> payload);
  const Tag& tag() const { return tag_; }
  const std::vector<Value>& payload() const { return payload_; }
 private:
  friend struct detail::Access;
  Tag tag_;
  std::vector<Value> payload_;
  std::shared_ptr<detail::ExnInst> exn_;  // the guest's exception object (pinned), when it came from a guest
};

using Extern = std::variant<Func, Table, Memory, Global, Tag>;

class Caller;
class Instance;
namespace detail {
class ResumableCall;
}

// What a host function sees of its caller.
class Caller {
 public:
  // The calling instance's memory 0 (empty handle when it has none).
  Memory memory() const;
  Store store() const;
  // The calling instance (empty when a host function was called from the host directly) and
  // its export `name`.
  Instance instance() const;
  std::optional<Extern> get_export(std::string_view name) const;
  // The store's host state (Store::set_data); nullptr unless a T is stored.
  template <class T>
  T* data() const;
  // Charge the calling guest for bulk work done on its behalf (WASI uses it for every byte it
  // transfers): one fuel unit per 4 KiB, as for memory.copy. When a fuel budget runs out, the
  // guest traps with "all fuel consumed" as soon as the host function returns.
  void charge_bytes(uint64_t bytes) const;
 private:
  friend struct detail::Access;
  Caller(detail::Thread* t, detail::InstanceData* inst, detail::ResumableCall* call)
      : thread_(t), inst_(inst), call_(call) {}
  detail::Thread* thread_;
  detail::InstanceData* inst_;
  detail::ResumableCall* call_;  // the call whose host function this is
};

// A synchronous host function: reads `args`, writes every element of `results`.
// Throwing corowasm::Trap or any std::exception traps the guest with the exception's message.
using HostFn = std::function<void(Caller&, std::span<const Value> args, std::span<Value> results)>;

// Names -> externs, consulted at instantiation.
class Imports {
 public:
  void define(std::string module, std::string name, Extern e);
  // Every export of `inst` becomes importable as `module`.`export name` (the spec's `register`).
  void define_instance(const std::string& module, const Instance& inst);
  const Extern* find(std::string_view module, std::string_view name) const;
 private:
  struct Entry { std::string module, name; Extern value; };
  std::vector<Entry> entries_;
};

// Import definitions not tied to one Store (wasmtime's Linker): host functions and modules are
// defined once and instantiated in any number of stores. Each store gets its own function of
// each definition (made on first use, then reused by every instance of that store) and its own
// instance of each defined module (instantiated on first import, itself linked by this Linker).
// Host functions reach per-store state through Caller::data<T>() and the calling instance's
// exports through Caller::get_export(name). A Linker may be shared by stores of any thread
// once its definitions are made; defining is not thread-safe.
class Linker {
 public:
  Linker();
  // Makes the definition's function in a given store (bind.h and async.h build on this).
  using FuncMaker = std::function<Func(Store&)>;
  void define(std::string module, std::string name, FuncType type, HostFn fn);
  void define(std::string module, std::string name, FuncMaker make);
  // Every export of `module` (instantiated once per store) is importable as name.export.
  void define_module(std::string name, Module module);
  // The imports `module` asks for, made in `store` (what nothing defines is left out, for the
  // instantiation to name); throws what the instantiation of a defined module throws.
  Imports imports_for(Store& store, const Module& module) const;
  Instance instantiate(Store& store, const Module& module) const;

 private:
  struct FuncDef {
    std::string module, name;
    FuncMaker make;
    uint64_t id;  // process-unique, fresh when redefined: names it in each store's cache
  };
  struct ModuleDef;
  std::vector<FuncDef> funcs_;
  std::vector<std::shared_ptr<ModuleDef>> modules_;
};

class Store {
 public:
  explicit Store(const Engine& engine);
  Instance instantiate(const Module& module, const Imports& imports);
  Func host_func(FuncType type, HostFn fn);
  Memory memory(MemoryType type);
  Table table(TableType type, Value init);
  Global global(GlobalType type, Value init);
  // A new exception tag of the host, with payload `params` (Exception carries it).
  Tag tag(std::vector<ValType> params, std::string name = "host tag");
  // Per-store limits (memory pages, table elements, call depth, value-stack bytes), starting
  // as the engine's Config: memories and tables created afterwards and every call use them.
  void set_limits(const Config& limits);
  const Config& limits() const;
  // Fuel: calls into this store spend one unit per loop iteration (taken backward branch) and
  // per call; when the budget runs out the guest traps with TrapKind::OutOfFuel. Unlimited
  // (std::nullopt) by default. fuel() is what is left.
  void set_fuel(std::optional<uint64_t> units);
  std::optional<uint64_t> fuel() const;
  // The host's own per-store state (wasmtime's Store<T> data), reached by host functions
  // through Caller::data<T>(): set_data stores any copyable value (a std::any: replacing
  // what was there) and returns it; data<T>() is nullptr unless a T is stored.
  template <class T>
  T& set_data(T value) const {
    return user_data() = std::move(value), *std::any_cast<T>(&user_data());
  }
  template <class T>
  T* data() const {
    return std::any_cast<T>(&user_data());
  }
 private:
  std::any& user_data() const;
  friend struct detail::Access;
  friend class Caller;
  friend class Instance;
  friend class Module;
  friend class Func;
  explicit Store(std::shared_ptr<detail::StoreData> d) : data_(std::move(d)) {}
  std::shared_ptr<detail::StoreData> data_;
};

template <class Sig>
class TypedFunc;

class Instance {
 public:
  Instance() = default;
  // Call an exported function; throws Trap, or Error when there is no such export or the
  // arguments do not match its type.
  std::vector<Value> call_sync(std::string_view name, std::span<const Value> args = {}) const;
  std::vector<Value> call_sync(std::string_view name, std::initializer_list<Value> args) const {
    return call_sync(name, std::span<const Value>(args.begin(), args.size()));
  }
  std::optional<Extern> get_export(std::string_view name) const;
  Func func(std::string_view name) const;       // empty handle when absent
  // The export `name` as a function of C++ signature Sig (typed.h), e.g.
  // typed_func<int32_t(int32_t, int64_t)>("handle"); throws Error when there is no such
  // function export or its type differs (naming both types).
  template <class Sig>
  TypedFunc<Sig> typed_func(std::string_view name) const;
  Memory memory(std::string_view name) const;
  Table table(std::string_view name) const;
  Global global(std::string_view name) const;
  Tag tag(std::string_view name) const;
  std::vector<std::pair<std::string, Extern>> exports() const;
  Store store() const { return Store(store_); }
  explicit operator bool() const { return inst_ != nullptr; }
 private:
  friend class Store;
  friend class Caller;
  friend struct detail::Access;
  Instance(std::shared_ptr<detail::StoreData> s, detail::InstanceData* i) : store_(std::move(s)), inst_(i) {}
  std::shared_ptr<detail::StoreData> store_;
  detail::InstanceData* inst_ = nullptr;
};

template <class T>
T* Caller::data() const {
  return store().data<T>();
}

}  // namespace corowasm

#include <corowasm/typed.h>
