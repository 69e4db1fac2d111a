#include "runtime.h"

#include <sys/mman.h>

#include <algorithm>
#include <atomic>
#include <map>
#include <mutex>

#include "handlers.h"

namespace corowasm::detail {

// ---- type ids ----

namespace {

struct TypeRegistry {
  using Signature = std::pair<std::vector<ValType>, std::vector<ValType>>;
  struct Entry {
    uint32_t id;
    uint64_t holders;
  };
  std::mutex mu;
  std::map<Signature, Entry> by_signature;
  std::vector<std::map<Signature, Entry>::iterator> by_id;  // [id - 1]
  std::vector<uint32_t> free_ids;
};

// Never destroyed: modules held in static storage may die after it would.
TypeRegistry& type_registry() {
  static TypeRegistry* r = new TypeRegistry;
  return *r;
}

}  // namespace

uint32_t acquire_type_id(const FuncType& t) {
  TypeRegistry& r = type_registry();
  std::lock_guard lock(r.mu);
  auto [it, inserted] = r.by_signature.try_emplace({t.params, t.results}, TypeRegistry::Entry{0, 0});
  if (inserted) {
    if (!r.free_ids.empty()) {
      it->second.id = r.free_ids.back();
      r.free_ids.pop_back();
      r.by_id[it->second.id - 1] = it;
    } else {
      r.by_id.push_back(it);
      it->second.id = uint32_t(r.by_id.size());
    }
  }
  ++it->second.holders;
  return it->second.id;
}

void release_type_id(uint32_t id) {
  TypeRegistry& r = type_registry();
  std::lock_guard lock(r.mu);
  auto it = r.by_id.at(id - 1);
  if (--it->second.holders) return;
  r.by_signature.erase(it);
  r.by_id[id - 1] = r.by_signature.end();
  r.free_ids.push_back(id);
}

size_t live_type_ids() {
  TypeRegistry& r = type_registry();
  std::lock_guard lock(r.mu);
  return r.by_signature.size();
}

ModuleData::~ModuleData() {
  for (uint32_t id : type_ids) release_type_id(id);
}

FuncInst::~FuncInst() {
  if (owns_type_id) release_type_id(type_id);
}

// ---- memories: anonymous mappings, grown with mremap (the base may move) ----

MemoryInst::MemoryInst(const MemoryType& t, uint64_t cap_pages) {
  has_max = t.limits.max.has_value();
  max_pages = std::min<uint64_t>(has_max ? *t.limits.max : 65536, cap_pages);
  if (t.limits.min > max_pages) throw Trap(TrapKind::Host, "memory size exceeds the configured limit");
  if (grow(t.limits.min) < 0) throw Trap(TrapKind::Host, "cannot allocate linear memory");
}

MemoryInst::~MemoryInst() {
  if (base) munmap(base, size);
}

int64_t MemoryInst::grow(uint64_t delta) {
  uint64_t old = pages();
  if (delta > max_pages || old + delta > max_pages) return -1;
  if (delta == 0) return int64_t(old);
  uint64_t new_size = (old + delta) << 16;
  void* p;
  if (!base) p = mmap(nullptr, new_size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  else p = mremap(base, size, new_size, MREMAP_MAYMOVE);
  if (p == MAP_FAILED) return -1;
  base = static_cast<uint8_t*>(p);
  size = new_size;
  return int64_t(old);
}

int64_t TableInst::grow(uint64_t delta, uint64_t init, uint64_t cap) {
  uint64_t old = refs.size();
  uint64_t limit = std::min(max, cap);
  if (delta > limit || old + delta > limit) return -1;
  refs.resize(old + delta, init);
  return int64_t(old);
}

// ---- threads: the heap call stack ----

Thread::Thread(const Config& cfg, StoreData* s) : config(&cfg), store(s) {
  // Small to start (a suspended guest should cost little); both grow on demand.
  size_t nframes = std::min<size_t>(4, cfg.max_call_depth);
  frames = static_cast<Frame*>(std::malloc(nframes * sizeof(Frame)));
  frame_top = frames;
  frame_end = frames + nframes;
  size_t nslots = std::min<size_t>(32, cfg.max_stack_bytes / sizeof(Slot));
  stack = static_cast<Slot*>(std::calloc(nslots, sizeof(Slot)));
  stack_end = stack + nslots;
  if (!frames || !stack) throw std::bad_alloc();
}

Thread::~Thread() {
  std::free(frames);
  std::free(stack);
}

Slot* Thread::stack_top() const {
  if (frame_top == frames) return stack;
  return fp + frame_top[-1].func->frame_slots;
}

bool Thread::grow(Slot* base, uint64_t need_slots, bool need_frame) {
  if (need_frame && frame_top == frame_end) {
    size_t n = size_t(frame_end - frames);
    size_t cap = std::min<size_t>(n * 2, config->max_call_depth);
    if (cap <= n) return false;
    size_t top = size_t(frame_top - frames);
    auto* nf = static_cast<Frame*>(std::realloc(frames, cap * sizeof(Frame)));
    if (!nf) return false;
    frames = nf;
    frame_top = nf + top;
    frame_end = nf + cap;
  }
  uint64_t used = uint64_t(base - stack);
  if (used + need_slots > uint64_t(stack_end - stack)) {
    uint64_t limit = config->max_stack_bytes / sizeof(Slot);
    uint64_t want = std::max<uint64_t>(uint64_t(stack_end - stack) * 2, used + need_slots);
    want = std::min(want, limit);
    if (used + need_slots > want) return false;
    auto* ns = static_cast<Slot*>(std::realloc(stack, want * sizeof(Slot)));
    if (!ns) return false;
    // Rebase every pointer into the value stack: they live only in frames and exit state,
    // because the stack grows only while no handler runs.
    auto rebase = [&](Slot*& p) {
      if (p) p = ns + (p - stack);
    };
    for (Frame* f = frames; f != frame_top; ++f) rebase(f->ret_fp);
    rebase(fp);
    rebase(host_args);
    if (bulk_ip) rebase(bulk_fp);
    stack = ns;
    stack_end = ns + want;
  }
  return true;
}

TableInst& StoreData::new_table(const TableType& tt, uint64_t init) {
  uint64_t cap = limits.max_table_elements;
  if (tt.limits.min > cap || table_elements > cap - tt.limits.min)
    throw Trap(TrapKind::Host, "table size exceeds the configured limit (elements in all tables of the store)");
  auto t = std::make_unique<TableInst>();
  t->elem = tt.elem;
  t->has_max = tt.limits.max.has_value();
  t->max = tt.limits.max.value_or(0xFFFFFFFFull);
  t->refs.assign(tt.limits.min, init);
  table_elements += tt.limits.min;
  tables.push_back(std::move(t));
  return *tables.back();
}

int64_t StoreData::grow_table(TableInst& t, uint64_t delta, uint64_t init) {
  uint64_t cap = limits.max_table_elements;
  uint64_t others = table_elements - t.refs.size();
  int64_t old = t.grow(delta, init, cap > others ? cap - others : 0);
  if (old >= 0) table_elements += delta;
  return old;
}

Thread& StoreData::sync_thread() {
  if (!thread) thread = std::make_unique<Thread>(limits, this);
  return *thread;
}

// ---- traps ----

Exit exit_trap(Thread* t, const Cell* ip, Slot* fp, TrapKind kind) {
  t->ip = ip;
  t->fp = fp;
  t->trap_kind = kind;
  t->trap_message = trap_message(kind);
  return Exit::Trap;
}

std::vector<TrapFrame> backtrace(const Thread& t, size_t* omitted) {
  std::vector<TrapFrame> out;
  size_t total = 0;
  for (const Frame* f = t.frames; f != t.frame_top; ++f) total += f->func != nullptr;
  // Frame k runs in the instance its callee frame (k + 1) returns to; the innermost runs in
  // t.inst.
  const InstanceData* inst = t.inst;
  size_t k = 0;
  for (const Frame* f = t.frame_top; f != t.frames;) {
    --f;
    if (f->func) {
      if (k < kBacktraceEnds || k >= total - std::min(total, kBacktraceEnds)) {
        TrapFrame tf;
        tf.func_index = f->func->func_index;
        if (inst && tf.func_index < inst->module->func_names.size()) {
          const std::string& name = inst->module->func_names[tf.func_index];
          tf.name = name.size() <= kBacktraceNameBytes ? name : name.substr(0, kBacktraceNameBytes) + "...";
        }
        out.push_back(std::move(tf));
      }
      ++k;
    }
    inst = f->ret_inst;
  }
  if (omitted) *omitted = total - out.size();
  return out;
}

Value to_value(ValType t, uint64_t bits) {
  if (t == ValType::I32 || t == ValType::F32) bits &= 0xFFFFFFFFu;
  return Value{t, bits};
}

// ---- the steps of a call (driver.cpp puts them together) ----

void check_host_results(const StoreData& store, const FuncType& ft, std::span<const Value> results) {
  for (size_t i = 0; i < results.size(); ++i) {
    if (results[i].type != ft.results[i]) throw Trap(TrapKind::Host, "host function returned a value of the wrong type");
    if (results[i].type == ValType::FuncRef && results[i].bits &&
        reinterpret_cast<const FuncInst*>(results[i].bits)->owner != &store)
      throw Trap(TrapKind::Host, "host function returned a funcref of another store");
  }
}

void check_ref_owner(const StoreData& store, const Value& v) {
  if (v.type == ValType::FuncRef && v.bits && reinterpret_cast<const FuncInst*>(v.bits)->owner != &store)
    throw Error("funcref belongs to another store");
}

Caller make_caller(Thread* t, InstanceData* inst, ResumableCall* call) { return Caller(t, inst, call); }

void read_host_args(const Thread& t, std::span<Value> out) {
  const FuncType& ft = *t.host_callee->type;
  for (size_t i = 0; i < out.size(); ++i) out[i] = to_value(ft.params[i], t.host_args[i]);
}

void resume_after_host(Thread& t, const HostCallState& hc, std::span<const Value> results) {
  // The host may have re-entered Wasm and moved the stack: address everything afresh.
  Slot* out = t.stack + hc.args_off;
  for (size_t i = 0; i < results.size(); ++i) out[i] = results[i].bits;
  t.ip = hc.resume;
  t.fp = t.stack + hc.fp_off;
  t.inst = hc.inst;
  t.host_args = nullptr;
}

HostCallState save_host_call(Thread& t) {
  return HostCallState{t.ip, size_t(t.fp - t.stack), size_t(t.host_args - t.stack), t.inst, t.host_callee};
}

CallState begin_call(Thread& t, FuncInst* f, std::span<const Value> args) {
  // The arguments were checked against the type by ResumableCall, the only caller.
  const FuncType& ft = *f->type;

  CallState cs{t.ip, t.fp ? t.fp - t.stack : -1, t.inst, size_t(t.frame_top - t.frames), 0, &ft};
  const FuncCode* code = f->code;
  if (!t.grow(t.stack_top(), code->frame_slots)) throw Trap(TrapKind::CallStackExhausted);
  Slot* base = t.stack_top();  // grow may have moved the stack
  cs.base_off = size_t(base - t.stack);
  for (size_t i = 0; i < args.size(); ++i) base[i] = args[i].bits;
  std::memset(base + code->num_params, 0, size_t(code->num_locals - code->num_params) * sizeof(Slot));
  *t.frame_top++ = Frame{code, kReturnToHost, base, t.inst};
  t.ip = code->code.data();
  t.fp = base;
  t.inst = f->inst;
  return cs;
}

void end_call(Thread& t, const CallState& cs) {
  t.frame_top = t.frames + cs.depth;
  t.ip = cs.ip;
  t.fp = cs.fp_off < 0 ? nullptr : t.stack + cs.fp_off;
  t.inst = cs.inst;
}

std::vector<Value> call_results(Thread& t, const CallState& cs) {
  std::vector<Value> results(cs.type->results.size());
  Slot* out = t.stack + cs.base_off;
  for (size_t i = 0; i < results.size(); ++i) results[i] = to_value(cs.type->results[i], out[i]);
  return results;
}

void grow_for_call(Thread& t) {
  // A call puts the callee's frame above the caller's; a tail call reuses the frame.
  uint64_t need = t.pending_tail ? t.pending_callee->frame_slots
                                 : uint64_t(t.frame_top[-1].func->frame_slots) + t.pending_callee->frame_slots;
  if (!t.grow(t.fp, need, !t.pending_tail)) throw Trap(TrapKind::CallStackExhausted);
}

size_t next_layer_index() {
  static std::atomic<size_t> n{0};
  return n++;
}

FuncInst* start_function(const InstanceData& inst) {
  return inst.module->start >= 0 ? inst.funcs[size_t(inst.module->start)] : nullptr;
}

// ---- instantiation ----

namespace {

uint64_t eval_const(const ConstExpr& e, InstanceData& inst) {
  std::vector<uint64_t> st;
  for (const ConstOp& op : e) {
    switch (op.kind) {
      case ConstOp::I32: case ConstOp::I64: case ConstOp::F32: case ConstOp::F64: st.push_back(op.value); break;
      case ConstOp::RefNull: st.push_back(0); break;
      case ConstOp::RefFunc: st.push_back(reinterpret_cast<uint64_t>(inst.funcs[op.value])); break;
      case ConstOp::GlobalGet: st.push_back(inst.globals[op.value]->value); break;
      default: {
        uint64_t b = st.back(); st.pop_back();
        uint64_t a = st.back(); st.pop_back();
        switch (op.kind) {
          case ConstOp::I32Add: st.push_back(uint32_t(a + b)); break;
          case ConstOp::I32Sub: st.push_back(uint32_t(a - b)); break;
          case ConstOp::I32Mul: st.push_back(uint32_t(uint32_t(a) * uint32_t(b))); break;
          case ConstOp::I64Add: st.push_back(a + b); break;
          case ConstOp::I64Sub: st.push_back(a - b); break;
          case ConstOp::I64Mul: st.push_back(a * b); break;
          default: break;
        }
      }
    }
  }
  return st.back();
}

const char* kind_name(ImportDesc::Kind k) {
  switch (k) {
    case ImportDesc::Func: return "function";
    case ImportDesc::Table: return "table";
    case ImportDesc::Memory: return "memory";
    case ImportDesc::Global: return "global";
  }
  return "?";
}

bool limits_match(uint64_t actual_min, std::optional<uint64_t> actual_max, const Limits& want) {
  if (actual_min < want.min) return false;
  if (want.max) {
    if (!actual_max || *actual_max > *want.max) return false;
  }
  return true;
}

}  // namespace

InstanceData* instantiate(StoreData& store, const std::shared_ptr<const ModuleData>& mp, const Imports& imports) {
  const ModuleData& m = *mp;
  // Resolve every import before creating anything.
  std::vector<const Extern*> resolved;
  for (const ImportEntry& imp : m.imports) {
    const Extern* e = imports.find(imp.module, imp.name);
    std::string what = "\"" + imp.module + "\" \"" + imp.name + "\"";
    if (!e) throw LinkError("unknown import " + what);
    // Runtime objects live as long as their own store: one from another store would dangle
    // once that store is gone.
    StoreData* owner = std::visit([](const auto& x) { return x.owner(); }, *e);
    if (owner && owner != &store)
      throw LinkError("import " + what + " belongs to another store; define it in the instantiating store");
    bool ok = false;
    switch (imp.kind) {
      case ImportDesc::Func:
        if (auto* f = std::get_if<Func>(e)) ok = *f && f->type() == m.types[imp.type_index];
        break;
      case ImportDesc::Table:
        if (auto* t = std::get_if<Table>(e)) {
          TableInst* ti = t->raw();
          ok = ti && ti->elem == imp.table.elem &&
               limits_match(ti->refs.size(), ti->has_max ? std::optional(ti->max) : std::nullopt, imp.table.limits);
        }
        break;
      case ImportDesc::Memory:
        if (auto* mm = std::get_if<Memory>(e)) {
          MemoryInst* mi = mm->raw();
          ok = mi && limits_match(mi->pages(), mi->has_max ? std::optional(mi->max_pages) : std::nullopt,
                                  imp.memory.limits);
        }
        break;
      case ImportDesc::Global:
        if (auto* g = std::get_if<Global>(e)) {
          GlobalInst* gi = g->raw();
          ok = gi && gi->type.type == imp.global.type && gi->type.mut == imp.global.mut;
        }
        break;
    }
    if (!ok) {
      std::string detail;
      if (imp.kind == ImportDesc::Func)
        if (auto* f = std::get_if<Func>(e); f && *f)
          detail = ": the module expects " + to_string(m.types[imp.type_index]) + ", the host provides " + to_string(f->type());
      throw LinkError(std::string("incompatible import type for ") + kind_name(imp.kind) + " " + what + detail);
    }
    resolved.push_back(e);
  }

  store.instances.push_back(std::make_unique<InstanceData>());
  InstanceData& inst = *store.instances.back();
  inst.module = mp;
  inst.mem0 = &store.empty_memory;

  for (size_t i = 0; i < m.imports.size(); ++i) {
    const Extern& e = *resolved[i];
    switch (m.imports[i].kind) {
      case ImportDesc::Func: inst.funcs.push_back(std::get<Func>(e).raw()); break;
      case ImportDesc::Table: inst.tables.push_back(std::get<Table>(e).raw()); break;
      case ImportDesc::Memory: inst.memories.push_back(std::get<Memory>(e).raw()); break;
      case ImportDesc::Global: inst.globals.push_back(std::get<Global>(e).raw()); break;
    }
  }
  for (size_t i = 0; i < m.codes.size(); ++i) {
    auto f = std::make_unique<FuncInst>();
    f->owner = &store;
    uint32_t index = m.num_imported_funcs + uint32_t(i);
    f->type = &m.types[m.func_types[index]];
    f->type_id = m.type_ids[m.func_types[index]];
    f->inst = &inst;
    f->code = m.codes[i].get();
    inst.funcs.push_back(f.get());
    inst.own_funcs.push_back(std::move(f));
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
    gi->value = eval_const(g.init, inst);
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
