// Instantiation: resolve and check imports, create the store objects, evaluate initialisers,
// apply active segments. The start function is the caller's to run (through a ResumableCall).
#include <algorithm>
#include <atomic>
#include <optional>
#include <string>

#include "isa/numeric.h"
#include "isa/op.h"
#include "runtime/handles.h"
#include "runtime/store.h"

namespace corowasm::detail {

size_t next_layer_index() {
  static std::atomic<size_t> n{0};
  return n++;
}

FuncInst* start_function(const InstanceData& inst) {
  return inst.module->start >= 0 ? inst.funcs[size_t(inst.module->start)] : nullptr;
}

// ---- instantiation ----

namespace {

// A kConstExpr row of opcodes.def applied to slot bits (other rows never reach here: the
// decoder accepts only those).
template <class OpT, unsigned Flags>
uint64_t const_binary(uint64_t a, uint64_t b) {
  if constexpr ((Flags & kConstExpr) != 0)
    return to_bits(OpT::apply(from_bits<typename OpT::A>(a), from_bits<typename OpT::B>(b)));
  else
    return 0;
}

uint64_t const_binary(Op op, uint64_t a, uint64_t b) {
  switch (op) {
#define CW_SPECIAL(Name, prefix, code, text)
#define CW_BINARY(Name, prefix, code, text, OpT, Flags) \
  case Op::Name: return const_binary<OpT, (Flags)>(a, b);
#include "isa/opcodes.def"
    default: return 0;
  }
}

// A constant's bits: `lo` for every type, `hi` too for a v128.
struct ConstBits {
  uint64_t lo = 0, hi = 0;
};

ConstBits eval_const128(const ConstExpr& e, InstanceData& inst) {
  std::vector<ConstBits> st;
  for (const ConstOp& op : e) {
    switch (op.kind) {
      case ConstOp::Bits: st.push_back({op.value, op.hi}); break;
      case ConstOp::RefFunc: st.push_back({reinterpret_cast<uint64_t>(inst.funcs[op.value])}); break;
      case ConstOp::GlobalGet: st.push_back({inst.globals[op.value]->value, inst.globals[op.value]->hi}); break;
      case ConstOp::Binary: {
        uint64_t b = st.back().lo; st.pop_back();
        uint64_t a = st.back().lo; st.pop_back();
        st.push_back({const_binary(op.op, a, b)});
        break;
      }
    }
  }
  return st.back();
}

uint64_t eval_const(const ConstExpr& e, InstanceData& inst) { return eval_const128(e, inst).lo; }

bool limits_match(uint64_t actual_min, std::optional<uint64_t> actual_max, const Limits& want) {
  if (actual_min < want.min) return false;
  if (want.max) {
    if (!actual_max || *actual_max > *want.max) return false;
  }
  return true;
}

// How a link error writes an import's type: a function's signature as "(i32) -> (i32)", the
// others as the text format declares them ("(table 1 10 funcref)", "(memory 1)",
// "(global (mut i64))"), limits in elements and pages.
std::string limits_text(uint64_t min, std::optional<uint64_t> max) {
  return std::to_string(min) + (max ? " " + std::to_string(*max) : "");
}
std::string table_text(ValType elem, uint64_t min, std::optional<uint64_t> max) {
  return "(table " + limits_text(min, max) + " " + to_string(elem) + ")";
}
std::string memory_text(uint64_t min, std::optional<uint64_t> max) { return "(memory " + limits_text(min, max) + ")"; }
std::string global_text(const GlobalType& g) {
  std::string t = to_string(g.type);
  return "(global " + (g.mut ? "(mut " + t + ")" : t) + ")";
}

// The type the module declares for `imp`.
std::string expected_text(const ImportEntry& imp, const ModuleData& m) {
  switch (imp.kind) {
    case ImportDesc::Func: return to_string(m.types[imp.type_index]);
    case ImportDesc::Table: return table_text(imp.table.elem, imp.table.limits.min, imp.table.limits.max);
    case ImportDesc::Memory: return memory_text(imp.memory.limits.min, imp.memory.limits.max);
    case ImportDesc::Global: return global_text(imp.global);
    case ImportDesc::Tag: return "(tag " + to_string(m.types[imp.type_index]) + ")";
  }
  return "?";
}

// What the host defined: tables and memories with their current size, the size the import's
// minimum is checked against. A function of the wrong kind says "func (i32) -> ()".
std::string provided_text(const Extern& e, ImportDesc::Kind want) {
  if (auto* f = std::get_if<Func>(&e))
    return !*f ? "an empty Func" : (want == ImportDesc::Func ? "" : "func ") + to_string(f->type());
  if (auto* t = std::get_if<Table>(&e)) {
    TableInst* ti = Access::table(*t);
    if (!ti) return "an empty Table";
    return table_text(ti->elem, ti->refs.size(), ti->has_max ? std::optional(ti->max) : std::nullopt);
  }
  if (auto* mm = std::get_if<Memory>(&e)) {
    MemoryInst* mi = Access::memory(*mm);
    if (!mi) return "an empty Memory";
    return memory_text(mi->pages(), mi->has_max ? std::optional(mi->max_pages) : std::nullopt);
  }
  if (auto* tg = std::get_if<Tag>(&e)) return !*tg ? "an empty Tag" : "(tag " + to_string(tg->type()) + ")";
  GlobalInst* gi = Access::global(std::get<Global>(e));
  return gi ? global_text(gi->type) : "an empty Global";
}

}  // namespace

InstanceData* instantiate(StoreData& store, const std::shared_ptr<const ModuleData>& mp, const Imports& imports) {
  const ModuleData& m = *mp;
  // Resolve every import before creating anything.
  std::vector<const Extern*> resolved;
  for (const ImportEntry& imp : m.imports) {
    const Extern* e = imports.find(imp.module, imp.name);
    std::string what = "\"" + imp.module + "\".\"" + imp.name + "\"";
    if (!e) throw LinkError("unknown import " + what + ": the module expects " + expected_text(imp, m));
    // Runtime objects live as long as their own store: one from another store would dangle
    // once that store is gone.
    StoreData* owner = std::visit([](const auto& x) { return Access::owner(x); }, *e);
    if (owner && owner != &store)
      throw LinkError("import " + what + " belongs to another store; define it in the instantiating store");
    bool ok = false;
    switch (imp.kind) {
      case ImportDesc::Func:
        if (auto* f = std::get_if<Func>(e)) ok = *f && f->type() == m.types[imp.type_index];
        break;
      case ImportDesc::Table:
        if (auto* t = std::get_if<Table>(e)) {
          TableInst* ti = Access::table(*t);
          ok = ti && ti->elem == imp.table.elem &&
               limits_match(ti->refs.size(), ti->has_max ? std::optional(ti->max) : std::nullopt, imp.table.limits);
        }
        break;
      case ImportDesc::Memory:
        if (auto* mm = std::get_if<Memory>(e)) {
          MemoryInst* mi = Access::memory(*mm);
          ok = mi && limits_match(mi->pages(), mi->has_max ? std::optional(mi->max_pages) : std::nullopt,
                                  imp.memory.limits);
        }
        break;
      case ImportDesc::Global:
        if (auto* g = std::get_if<Global>(e)) {
          GlobalInst* gi = Access::global(*g);
          ok = gi && gi->type.type == imp.global.type && gi->type.mut == imp.global.mut;
        }
        break;
      case ImportDesc::Tag:
        if (auto* tg = std::get_if<Tag>(e)) ok = *tg && tg->type() == m.types[imp.type_index];
        break;
    }
    if (!ok)
      throw LinkError(std::string("incompatible import type for ") + to_string(imp.kind) + " " + what +
                      ": the module expects " + expected_text(imp, m) + ", the host provides " +
                      provided_text(*e, imp.kind));
    resolved.push_back(e);
  }

  store.instances.push_back(std::make_unique<InstanceData>());
  InstanceData& inst = *store.instances.back();
  inst.module = mp;
  inst.mem0 = &store.empty_memory;
  inst.funcs.reserve(m.num_imported_funcs + m.codes.size());  // exact: no growth on the way

  for (size_t i = 0; i < m.imports.size(); ++i) {
    const Extern& e = *resolved[i];
    switch (m.imports[i].kind) {
      case ImportDesc::Func: inst.funcs.push_back(Access::func(std::get<Func>(e))); break;
      case ImportDesc::Table: inst.tables.push_back(Access::table(std::get<Table>(e))); break;
      case ImportDesc::Memory: inst.memories.push_back(Access::memory(std::get<Memory>(e))); break;
      case ImportDesc::Global: inst.globals.push_back(Access::global(std::get<Global>(e))); break;
      case ImportDesc::Tag: inst.tags.push_back(Access::tag(std::get<Tag>(e))); break;
    }
  }
  for (size_t i = m.num_imported_tags; i < m.tag_types.size(); ++i) {
    auto t = std::make_unique<TagInst>();
    t->type = &m.types[m.tag_types[i]];
    t->owner = &store;
    for (ValType v : t->type->params) t->payload_slots += slot_width(v);
    t->name = "tag " + std::to_string(i);
    for (const ExportEntry& e : m.exports)
      if (e.kind == ImportDesc::Tag && e.index == i) {
        t->name = e.name;
        break;
      }
    inst.tags.push_back(t.get());
    store.tags.push_back(std::move(t));
  }
  inst.own_funcs = std::make_unique<FuncInst[]>(m.codes.size());
  for (size_t i = 0; i < m.codes.size(); ++i) {
    FuncInst* f = &inst.own_funcs[i];
    f->owner = &store;
    uint32_t index = m.num_imported_funcs + uint32_t(i);
    f->type = &m.types[m.func_types[index]];
    f->type_id = m.type_ids[m.func_types[index]];
    f->inst = &inst;
    f->code = m.codes[i].get();
    inst.funcs.push_back(f);
  }
  for (size_t i = m.num_imported_tables; i < m.tables.size(); ++i) inst.tables.push_back(&store.new_table(m.tables[i], 0));
  for (size_t i = m.num_imported_memories; i < m.memories.size(); ++i) {
    store.memories.push_back(std::make_unique<MemoryInst>(m.memories[i], store.limits.max_memory_pages));
    inst.memories.push_back(store.memories.back().get());
  }
  if (!inst.memories.empty()) inst.mem0 = inst.memories[0];
  for (const GlobalDef& g : m.global_defs) {
    auto gi = std::make_unique<GlobalInst>();
    gi->type = g.type;
    ConstBits v = eval_const128(g.init, inst);
    gi->value = v.lo;
    gi->hi = v.hi;
    inst.globals.push_back(gi.get());
    store.globals.push_back(std::move(gi));
  }

  inst.elems.resize(m.elems.size());
  for (size_t i = 0; i < m.elems.size(); ++i) {
    for (const ConstExpr& item : m.elems[i].items) inst.elems[i].push_back(eval_const(item, inst));
  }
  inst.data_dropped.assign(m.datas.size(), false);

  // Active segments in order; a failing one traps but earlier writes stay (spec 2.0).
  for (size_t i = 0; i < m.elems.size(); ++i) {
    const ElemSegment& seg = m.elems[i];
    if (seg.mode == SegmentMode::Passive) continue;
    if (seg.mode == SegmentMode::Active) {
      uint64_t offset = uint32_t(eval_const(seg.offset, inst));
      TableInst* table = inst.tables[seg.table];
      std::vector<uint64_t>& items = inst.elems[i];
      if (offset + items.size() > table->refs.size()) throw Trap(TrapKind::TableOutOfBounds);
      std::copy(items.begin(), items.end(), table->refs.begin() + offset);
    }
    inst.elems[i].clear();  // active and declarative segments are dropped once used
  }
  for (size_t i = 0; i < m.datas.size(); ++i) {
    const DataSegment& seg = m.datas[i];
    if (seg.mode != SegmentMode::Active) continue;
    uint64_t offset = uint32_t(eval_const(seg.offset, inst));
    MemoryInst* mem = inst.memories[seg.memory];
    if (offset + seg.size > mem->size) throw Trap(TrapKind::MemoryOutOfBounds);
    if (seg.size) std::memcpy(mem->base + offset, m.bytes.data() + seg.bytes_offset, seg.size);
    inst.data_dropped[i] = true;
  }

  return &inst;
}

}  // namespace corowasm::detail
