// Runtime objects: what instantiation creates and handlers touch. They belong to a StoreData
// and die with it; handles in the public API keep the StoreData alive.
#pragma once

#include <corowasm/corowasm.h>

#include <deque>
#include <optional>
#include <memory>
#include <vector>

#include "exec.h"
#include "module.h"

namespace corowasm::detail {

struct MemoryInst {
  uint8_t* base = nullptr;
  uint64_t size = 0;  // bytes
  uint64_t max_pages = 0;
  bool has_max = false;
  uint64_t reserved = 0;  // bytes mapped (committed lazily by the kernel)

  MemoryInst() = default;
  MemoryInst(const MemoryType& t, uint64_t cap_pages);
  ~MemoryInst();
  MemoryInst(const MemoryInst&) = delete;
  MemoryInst& operator=(const MemoryInst&) = delete;
  uint64_t pages() const { return size >> 16; }
  // Old size in pages, or -1.
  int64_t grow(uint64_t delta);
};

struct TableInst {
  ValType elem = ValType::FuncRef;
  std::vector<uint64_t> refs;  // FuncInst* for funcref, host word for externref; 0 = null
  uint64_t max = 0xFFFFFFFFull;
  bool has_max = false;
  int64_t grow(uint64_t delta, uint64_t init, uint64_t cap);
};

struct GlobalInst {
  GlobalType type;
  uint64_t value = 0;
};

struct FuncInst {
  FuncInst() = default;
  ~FuncInst();
  FuncInst(const FuncInst&) = delete;
  FuncInst& operator=(const FuncInst&) = delete;

  const FuncType* type = nullptr;
  uint32_t type_id = 0;
  bool owns_type_id = false;      // host functions hold their id; Wasm ones borrow the module's
  const StoreData* owner = nullptr;  // the store it lives in (funcrefs must not cross stores)
  InstanceData* inst = nullptr;   // null for host functions
  const FuncCode* code = nullptr; // Wasm functions
  HostFn host;                    // host functions
  // A host function that suspends its caller: calls of it end a ResumableCall's run with
  // CallStatus::Suspend, and only an asynchronous driver (async/) knows how to await `host`.
  bool suspends = false;
  FuncType host_type;             // storage for host functions' type
};

struct InstanceData {
  std::shared_ptr<const ModuleData> module;
  MemoryInst* mem0 = nullptr;  // never null: instances without memory point at an empty one
  std::vector<FuncInst*> funcs;
  std::vector<TableInst*> tables;
  std::vector<MemoryInst*> memories;
  std::vector<GlobalInst*> globals;
  std::vector<std::vector<uint64_t>> elems;  // evaluated element segments (empty once dropped)
  std::vector<bool> data_dropped;
  std::vector<std::unique_ptr<FuncInst>> own_funcs;
};

class ResumableCall;

struct StoreData : std::enable_shared_from_this<StoreData> {
  std::shared_ptr<const Config> config;
  // Vectors of unique_ptr: objects keep their addresses, and an empty store costs nothing
  // (an empty std::deque allocates ~0.5 KiB; one store per guest multiplies that).
  std::vector<std::unique_ptr<InstanceData>> instances;
  std::vector<std::unique_ptr<FuncInst>> host_funcs;
  std::vector<std::unique_ptr<MemoryInst>> memories;
  std::vector<std::unique_ptr<TableInst>> tables;
  std::vector<std::unique_ptr<GlobalInst>> globals;
  std::unique_ptr<Thread> thread;  // the call stack for synchronous calls (created on demand)
  MemoryInst empty_memory;
  std::optional<uint64_t> fuel;    // budget for calls; unlimited when empty
  // The innermost call now inside a synchronous host function: a call begun meanwhile (on the
  // native stack, inside that host function) is nested in it. A call awaiting an async import
  // is not: code the executor runs meanwhile is unrelated to it.
  ResumableCall* in_host = nullptr;
  // State of layers above the VM (async/ keeps its per-store state here), by layer.
  std::vector<std::shared_ptr<void>> layers;

  Config limits;  // this store's limits: the engine's, unless Store::set_limits changed them
  uint64_t table_elements = 0;  // in all tables of the store, capped by limits.max_table_elements

  explicit StoreData(std::shared_ptr<const Config> c) : config(std::move(c)), limits(*config) {}
  Thread& sync_thread();
  // A new table of type `tt` filled with `init`, counted against the store's element limit;
  // throws Trap past it.
  TableInst& new_table(const TableType& tt, uint64_t init);
  // table.grow within the store's element limit: the old size, or -1.
  int64_t grow_table(TableInst& t, uint64_t delta, uint64_t init);
};

// Instantiate `m` in `store` against resolved imports, up to but not including its start
// function (the caller runs that through a ResumableCall); throws LinkError or Trap.
InstanceData* instantiate(StoreData& store, const std::shared_ptr<const ModuleData>& m, const Imports& imports);
// The start function of `inst`, or null.
FuncInst* start_function(const InstanceData& inst);

// A layer's state in `store`, created on first use; `Layer` names the layer (one index each).
size_t next_layer_index();
template <class Layer>
Layer& layer_state(StoreData& store) {
  static const size_t index = next_layer_index();
  if (store.layers.size() <= index) store.layers.resize(index + 1);
  if (!store.layers[index]) store.layers[index] = std::make_shared<Layer>();
  return *static_cast<Layer*>(store.layers[index].get());
}

// ---- the steps of a call, shared by the synchronous driver and the async one ----

// What a call must give back to the thread when it ends (calls nest through host functions).
struct CallState {
  const Cell* ip;
  ptrdiff_t fp_off;  // -1: no frame was active
  InstanceData* inst;
  size_t depth;
  size_t base_off;   // where the arguments went and the results come back
  const FuncType* type;
};
// Push the entry frame of Wasm function `f` with `args` (already checked against its type).
CallState begin_call(Thread& t, FuncInst* f, std::span<const Value> args);
std::vector<Value> call_results(Thread& t, const CallState& cs);
// Pop everything the call pushed (after Done, a trap, or a cancellation).
void end_call(Thread& t, const CallState& cs);
// Exit::StackLimit: grow the stacks for the pending call, or throw "call stack exhausted".
void grow_for_call(Thread& t);

// Exit::HostCall: where to put the results and resume. Offsets, since the stack may move.
struct HostCallState {
  const Cell* resume;
  size_t fp_off, args_off;
  InstanceData* inst;
  FuncInst* callee;
};
HostCallState save_host_call(Thread& t);
// Exit::HostCall: the callee's arguments as Values (`out` holds one per parameter).
void read_host_args(const Thread& t, std::span<Value> out);
void check_host_results(const StoreData& store, const FuncType& ft, std::span<const Value> results);
// A funcref value the host hands to `store` (argument, result, table or global value) must name
// a function of that store: one of another store would dangle once that store is gone.
// Throws Error.
void check_ref_owner(const StoreData& store, const Value& v);
void resume_after_host(Thread& t, const HostCallState& hc, std::span<const Value> results);

// ---- slow paths shared by handlers (return false = trap, with t->trap_* set) ----
// The Wasm frames of `t`, innermost first, named from the name section: the first and last
// kBacktraceEnds frames when there are more (`*omitted` says how many lie between), names
// cut at kBacktraceNameBytes, so a trap at any depth costs a bounded amount of memory.
inline constexpr size_t kBacktraceEnds = 64;
inline constexpr size_t kBacktraceNameBytes = 256;
std::vector<TrapFrame> backtrace(const Thread& t, size_t* omitted = nullptr);
Exit exit_trap(Thread* t, const Cell* ip, Slot* fp, TrapKind kind);

Value to_value(ValType t, uint64_t bits);
Caller make_caller(Thread* t, InstanceData* inst, ResumableCall* call);

}  // namespace corowasm::detail
