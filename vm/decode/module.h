// The validated, immutable module: what decoding and compiling produce and every instance
// shares. Nothing here changes after Engine::compile returns, so one ModuleData serves any
// number of instances on any number of threads.
#pragma once

#include <algorithm>
#include <iterator>
#include <optional>

#include <corowasm/corowasm.h>

#include <memory>
#include <string>
#include <unordered_set>
#include <vector>

#include "isa/code.h"
#include "isa/op.h"

namespace corowasm::detail {

// A constant expression (global initialisers, segment offsets, element items), pre-decoded.
struct ConstOp {
  enum Kind : uint8_t {
    Bits,       // push `value` (i32/i64/f32/f64 constants; ref.null is 0; a v128.const with `hi`)
    RefFunc,    // push function `value`
    GlobalGet,  // push global `value`
    Binary,     // pop two, push `op` of them (a kConstExpr row of opcodes.def)
  };
  Kind kind;
  uint64_t value = 0;  // constant bits, function index or global index
  Op op = Op::Nop;
  uint64_t hi = 0;     // Bits of a v128: the high half
};
using ConstExpr = std::vector<ConstOp>;

// A call zeroes a callee's declared locals with this many stores when they are no more: every
// such function's frame_slots leaves room for them above its parameters.
inline constexpr uint32_t kZeroedAtOnce = 8;

// Code compiled for one defined function.
struct FuncCode {
  uint32_t func_index = 0;
  uint32_t type_index = 0;
  uint32_t type_id = 0;       // engine-wide canonical id of the signature
  uint32_t num_params = 0;    // in slots (isa/code.h: slot_width), as the two below
  uint32_t num_results = 0;
  uint32_t num_locals = 0;    // params + declared locals
  uint32_t frame_slots = 0;   // locals + deepest operand stack
  size_t body_offset = 0;     // where the body starts in the module bytes (for messages)
  size_t body_size = 0;
  std::vector<Cell> code;
  // While this function is not compiled yet: the direct calls to it compiled so far (caller
  // and the cell of the call's ImmCall), whose copy of its entry and frame shape is filled in
  // when its compilation ends (compile/calls.cpp: link_calls). Empty afterwards.
  struct CallSite {
    FuncCode* caller;
    uint32_t cell;
  };
  std::vector<CallSite> unlinked_calls;
  // Where each instruction of `code` came from, for backtraces: ascending cell indices, each
  // with the offset (from body_offset) of the Wasm instruction that emitted the handler there;
  // an entry holds until the next one.
  struct SourceOffset {
    uint32_t cell;
    uint32_t func_offset;
  };
  std::vector<SourceOffset> offsets;
  // Exception handlers (exec/exceptions.cpp walks them): the try regions of the code in the
  // order they open, so their starts ascend; each covers the cells [start, end) of its body,
  // names the region it is nested in (parent) and has its catch clauses in order. The innermost
  // region around a cell is found by a binary search for the last start at or before it, then
  // up the parents to the first that covers it.
  struct Catch {
    static constexpr uint32_t kAnyTag = UINT32_MAX;
    static constexpr uint32_t kNoSlot = UINT32_MAX;
    uint32_t tag = kAnyTag;           // in the module's tag index space; kAnyTag: catch_all
    uint32_t target = 0;              // cell execution continues at
    uint32_t payload_slot = 0;        // where the payload's slots go
    uint32_t exn_slot = kNoSlot;      // where the exnref goes (catch_ref, legacy catches)
  };
  struct TryRegion {
    static constexpr uint32_t kNone = UINT32_MAX;
    static constexpr uint32_t kNoDelegate = UINT32_MAX;
    uint32_t start = 0, end = 0;
    uint32_t parent = kNone;
    uint32_t level = 0;  // nesting depth of the try's block in the function (1 = outermost)
    // A legacy `try ... delegate`: an exception from its body is handled by the regions of
    // level <= delegate_level (0: none in this function).
    uint32_t delegate_level = kNoDelegate;
    uint32_t first_catch = 0, num_catches = 0;  // into catches
  };
  std::vector<TryRegion> regions;
  std::vector<Catch> catches;
  // The function offset of the instruction at cell `cell`; nullopt when none is recorded.
  std::optional<uint32_t> func_offset_at(size_t cell) const {
    auto it = std::upper_bound(offsets.begin(), offsets.end(), cell,
                               [](size_t c, const SourceOffset& o) { return c < o.cell; });
    if (it == offsets.begin()) return std::nullopt;
    return std::prev(it)->func_offset;
  }
};

struct ImportEntry {
  std::string module, name;
  ImportDesc::Kind kind;
  uint32_t type_index = 0;  // Func, Tag
  TableType table;
  MemoryType memory;
  GlobalType global;
};

struct GlobalDef {
  GlobalType type;
  ConstExpr init;
};

struct ExportEntry {
  std::string name;
  ImportDesc::Kind kind;
  uint32_t index;
};

enum class SegmentMode : uint8_t { Active, Passive, Declarative };

struct ElemSegment {
  SegmentMode mode = SegmentMode::Passive;
  uint32_t table = 0;
  ConstExpr offset;
  ValType type = ValType::FuncRef;
  std::vector<ConstExpr> items;
};

struct DataSegment {
  SegmentMode mode = SegmentMode::Passive;
  uint32_t memory = 0;
  ConstExpr offset;
  size_t bytes_offset = 0;  // into ModuleData::bytes
  size_t size = 0;
};

struct ModuleData {
  ModuleData() = default;
  ~ModuleData();  // releases type_ids
  ModuleData(const ModuleData&) = delete;
  ModuleData& operator=(const ModuleData&) = delete;

  std::shared_ptr<const Config> config;
  std::vector<uint8_t> bytes;  // the binary, kept for data segments and messages

  std::vector<FuncType> types;
  std::vector<uint32_t> type_ids;  // canonical id of each type, held until the module dies
  std::vector<ImportEntry> imports;

  // Index spaces: imports first, then definitions.
  std::vector<uint32_t> func_types;  // type index of every function
  uint32_t num_imported_funcs = 0;
  std::vector<TableType> tables;
  uint32_t num_imported_tables = 0;
  std::vector<MemoryType> memories;
  uint32_t num_imported_memories = 0;
  std::vector<GlobalType> globals;
  uint32_t num_imported_globals = 0;
  std::vector<GlobalDef> global_defs;  // defined globals only
  std::vector<uint32_t> tag_types;     // type index of every tag
  uint32_t num_imported_tags = 0;

  std::vector<ExportEntry> exports;
  int64_t start = -1;
  std::vector<ElemSegment> elems;
  std::vector<DataSegment> datas;
  bool has_data_count = false;
  uint32_t data_count = 0;
  std::unordered_set<uint32_t> declared_refs;  // functions ref.func may name

  std::vector<std::unique_ptr<FuncCode>> codes;  // defined functions, in index order
  std::vector<std::string> func_names;           // from the name section; may be empty

  const FuncType& func_type(uint32_t func_index) const { return types[func_types[func_index]]; }
  const ExportEntry* find_export(std::string_view name) const {
    for (auto& e : exports) if (e.name == name) return &e;
    return nullptr;
  }
};

// Process-wide canonical ids for function signatures (structural equality), which
// call_indirect compares across modules. Each holder (a module's type, a host function)
// acquires its id and releases it when it dies; an id nobody holds is forgotten and may be
// reused, so the registry holds only the signatures in use.
uint32_t acquire_type_id(const FuncType& t);
void release_type_id(uint32_t id);
size_t live_type_ids();  // distinct signatures held now

}  // namespace corowasm::detail
