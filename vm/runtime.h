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

// A host function whose body is asynchronous (see async/); the VM only knows it exists.
struct AsyncHostFn {
  virtual ~AsyncHostFn() = default;
};

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
  const FuncType* type = nullptr;
  uint32_t type_id = 0;
  InstanceData* inst = nullptr;   // null for host functions
  const FuncCode* code = nullptr; // Wasm functions
  HostFn host;                    // synchronous host functions
  std::shared_ptr<AsyncHostFn> async_host;  // asynchronous host functions (async/)
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
  bool busy = false;               // an asynchronous call is in progress
  std::string last_trap_message;   // of the last asynchronous call that trapped
  std::vector<TrapFrame> last_trap_backtrace;  // ... and where

  Config limits;  // this store's limits: the engine's, unless Store::set_limits changed them

  explicit StoreData(std::shared_ptr<const Config> c) : config(std::move(c)), limits(*config) {}
  Thread& sync_thread();
};

// Instantiate `m` in `store` against resolved imports; throws LinkError or Trap.
InstanceData* instantiate(StoreData& store, const std::shared_ptr<const ModuleData>& m, const Imports& imports);

// Call `f` on thread `t` with `args`, running to completion (host calls serviced inline).
// Throws Trap.
std::vector<Value> invoke(Thread& t, FuncInst* f, std::span<const Value> args);

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
// Check the arguments and push the entry frame of Wasm function `f`.
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
// Call a synchronous host function: exceptions become Traps; results are type-checked.
std::vector<Value> run_host(Thread& t, FuncInst* f, std::span<const Value> args, InstanceData* caller_inst);
std::vector<Value> host_args(Thread& t);
void check_host_results(const FuncType& ft, std::span<const Value> results);
void resume_after_host(Thread& t, const HostCallState& hc, std::span<const Value> results);

// ---- slow paths shared by handlers (return false = trap, with t->trap_* set) ----
[[noreturn]] void throw_trap(Thread& t);
// ... a trap the driver decides on (fuel, deadline), at the guest's current position.
[[noreturn]] void throw_trap(Thread& t, TrapKind kind);
// The Wasm frames of `t`, innermost first, named from the name section.
std::vector<TrapFrame> backtrace(const Thread& t);
Exit exit_trap(Thread* t, const Cell* ip, Slot* fp, TrapKind kind);

Value to_value(ValType t, uint64_t bits);
Caller make_caller(Thread* t, InstanceData* inst);

}  // namespace corowasm::detail
