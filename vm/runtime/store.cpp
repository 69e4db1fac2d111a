// Store objects: memories (anonymous mappings grown with mremap), tables within the store's
// element limit, and the checks on values the host hands in.
#include "runtime/store.h"

#include <sys/mman.h>

#include <algorithm>
#include <cstring>

namespace corowasm::detail {

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

Value to_value(ValType t, uint64_t bits) {
  if (t == ValType::I32 || t == ValType::F32) bits &= 0xFFFFFFFFu;
  return Value{t, bits};
}

Value load_value(ValType t, const uint64_t* s) {
  if (t == ValType::V128) return Value::v128(s[0], s[1]);
  return to_value(t, s[0]);
}

void store_value(uint64_t* s, const Value& v) {
  s[0] = v.bits;
  if (v.type == ValType::V128) s[1] = v.hi;
}

void check_host_results(const StoreData& store, const FuncType& ft, std::span<const Value> results) {
  for (size_t i = 0; i < results.size(); ++i) {
    if (results[i].type != ft.results[i]) throw Trap(TrapKind::Host, "host function returned a value of the wrong type");
    if (results[i].type == ValType::FuncRef && results[i].bits &&
        reinterpret_cast<const FuncInst*>(results[i].bits)->owner != &store)
      throw Trap(TrapKind::Host, "host function returned a funcref of another store");
    if (results[i].type == ValType::ExnRef && results[i].bits)
      throw Trap(TrapKind::Host, "host function returned a non-null exnref (the host passes exceptions as Exception)");
  }
}

void check_ref_owner(const StoreData& store, const Value& v) {
  if (v.type == ValType::FuncRef && v.bits && reinterpret_cast<const FuncInst*>(v.bits)->owner != &store)
    throw Error("funcref belongs to another store");
  // An exnref the host holds is a word, not a reference the collector knows of (it may name a
  // collected exception): none goes back to a guest; the host throws an Exception instead.
  if (v.type == ValType::ExnRef && v.bits) throw Error("a non-null exnref cannot be passed from the host");
}

}  // namespace corowasm::detail
