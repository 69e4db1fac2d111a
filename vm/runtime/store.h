// Runtime objects: what instantiation creates and handlers touch. They belong to a StoreData
// and die with it; handles in the public API keep the StoreData alive.
#pragma once

#include <corowasm/corowasm.h>

#include <deque>
#include <optional>
#include <memory>
#include <span>
#include <string>
#include <unordered_set>
#include <vector>

#include "decode/module.h"
#include "runtime/thread.h"

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
  uint64_t hi = 0;  // a v128's high half
};

struct FuncInst {
  FuncInst() = default;
  ~FuncInst();
  FuncInst(const FuncInst&) = delete;
  FuncInst& operator=(const FuncInst&) = delete;

  // 48 bytes: an instance holds one per function of its module, so what only host functions
  // need lives in HostFuncInst.
  const FuncType* type = nullptr;
  uint32_t type_id = 0;
  bool owns_type_id = false;      // host functions hold their id; Wasm ones borrow the module's
  // A host function that suspends its caller: calls of it end a ResumableCall's run with
  // CallStatus::Suspend, and only an asynchronous driver (async/) knows how to await `host`.
  bool suspends = false;
  const StoreData* owner = nullptr;  // the store it lives in (funcrefs must not cross stores)
  InstanceData* inst = nullptr;   // null for host functions
  const FuncCode* code = nullptr; // Wasm functions
  const HostFn* host = nullptr;   // host functions: their HostFuncInst's fn
};

// A host function: the FuncInst with its callable and the storage of its type.
struct HostFuncInst : FuncInst {
  HostFn fn;
  FuncType host_type;
};

// An exception tag. Tags compare by identity: an imported tag is its exporter's TagInst.
struct TagInst {
  const FuncType* type = nullptr;  // params: the payload
  FuncType host_type;              // storage for host tags
  const StoreData* owner = nullptr;
  std::string name;                // for messages: export or import name, else "tag N"
  uint32_t payload_slots = 0;
};

// A thrown exception (an exnref points at one). It lives in its store until the collector
// (runtime/exceptions.cpp) finds nothing referring to it: no slot of a live frame, no global
// or exnref table, no live exception's payload and no host Exception (pins).
struct ExnInst {
  TagInst* tag = nullptr;
  std::vector<Slot> payload;  // the tag's params in frame layout (a v128 two slots)
  uint32_t pins = 0;
  bool marked = false;
  size_t bytes() const { return sizeof(ExnInst) + payload.capacity() * sizeof(Slot); }
};

struct InstanceData {
  std::shared_ptr<const ModuleData> module;
  MemoryInst* mem0 = nullptr;  // never null: instances without memory point at an empty one
  std::vector<FuncInst*> funcs;
  std::vector<TableInst*> tables;
  std::vector<MemoryInst*> memories;
  std::vector<GlobalInst*> globals;
  std::vector<TagInst*> tags;
  std::vector<std::vector<uint64_t>> elems;  // evaluated element segments (empty once dropped)
  std::vector<bool> data_dropped;
  std::unique_ptr<FuncInst[]> own_funcs;  // its module's functions, in one block
};

class ResumableCall;

struct StoreData : std::enable_shared_from_this<StoreData> {
  std::shared_ptr<const Config> config;
  // Vectors of unique_ptr: objects keep their addresses, and an empty store costs nothing
  // (an empty std::deque allocates ~0.5 KiB; one store per guest multiplies that).
  std::vector<std::unique_ptr<InstanceData>> instances;
  std::vector<std::unique_ptr<HostFuncInst>> host_funcs;
  std::vector<std::unique_ptr<MemoryInst>> memories;
  std::vector<std::unique_ptr<TableInst>> tables;
  std::vector<std::unique_ptr<GlobalInst>> globals;
  std::vector<std::unique_ptr<TagInst>> tags;
  // Live exceptions, their bytes, and the bytes at which the next collection runs: created by
  // the store's first throw (most stores never throw; one store per guest multiplies this).
  struct Exceptions {
    std::unordered_set<ExnInst*> exns;
    uint64_t exn_bytes = 0;
    uint64_t exn_collect_at = 1 << 20;
    uintptr_t exn_lo = UINTPTR_MAX, exn_hi = 0;  // address range of exns (a quick filter)
  };
  std::unique_ptr<Exceptions> exceptions;
  // Every Thread of the store (their frames are the collector's roots).
  std::vector<Thread*> threads;
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
  ~StoreData();
  StoreData(const StoreData&) = delete;
  StoreData& operator=(const StoreData&) = delete;
  Thread& sync_thread();
  // A new exception of `tag`, its payload zeroed. Collects first when the live exceptions
  // have grown enough; nullptr when they would exceed limits.max_exception_bytes.
  ExnInst* new_exception(TagInst* tag);
  // Free every exception nothing refers to (see ExnInst).
  void collect_exceptions();
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

// Values the host hands to `store` are checked: results of a host function against its type,
// and a funcref value (argument, result, table or global value) must name a function of that
// store (one of another store would dangle once that store is gone). Throw Trap / Error.
void check_host_results(const StoreData& store, const FuncType& ft, std::span<const Value> results);
void check_ref_owner(const StoreData& store, const Value& v);

// Exceptions between guest and host (runtime/exceptions.cpp): the host's view of a guest's
// exception (which pins it while the Exception lives), and the guest's exception for one the
// host throws (the same object when it came from this store's guest; else a new one, checked
// against its tag: Trap on a mismatch, nullptr past the store's exception limit).
Exception host_exception(StoreData& store, ExnInst* e);
ExnInst* guest_exception(StoreData& store, const Exception& x);

// A Value of type `t` from its slot bits.
Value to_value(ValType t, uint64_t bits);
// The Value of type `t` held at `s` (and s[1] for a v128), and back: frames hold a value in
// slot_width(t) slots.
Value load_value(ValType t, const uint64_t* s);
void store_value(uint64_t* s, const Value& v);

}  // namespace corowasm::detail
