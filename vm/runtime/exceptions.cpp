// Exceptions as store objects: allocation within the store's limit, and the collector that
// frees those nothing refers to any more.
//
// An exnref is a word in a slot, a global, an exnref table or another exception's payload, so
// the collector marks from those: an unwind under way, every slot of every live frame of the
// store's threads (they are not typed, so any word equal to a live exception's address counts:
// conservative, never frees what a guest can still reach), globals and tables of type exnref,
// and the exceptions the host holds (pins), then everything their payloads name. It runs when the live bytes
// have doubled since the last collection, so its cost is amortised over the throws.
#include <algorithm>

#include "runtime/handles.h"
#include "runtime/store.h"

namespace corowasm::detail {

StoreData::~StoreData() {
  if (exceptions)
    for (ExnInst* e : exceptions->exns) delete e;
}

ExnInst* StoreData::new_exception(TagInst* tag) {
  if (!exceptions) exceptions = std::make_unique<Exceptions>();
  Exceptions& x = *exceptions;
  uint64_t bytes = sizeof(ExnInst) + uint64_t(tag->payload_slots) * sizeof(Slot);
  if (x.exn_bytes + bytes > x.exn_collect_at || x.exn_bytes + bytes > limits.max_exception_bytes) {
    collect_exceptions();
    x.exn_collect_at = std::max<uint64_t>(2 * x.exn_bytes, 1 << 20);
    if (x.exn_bytes + bytes > limits.max_exception_bytes) return nullptr;
  }
  auto e = std::make_unique<ExnInst>();
  e->tag = tag;
  e->payload.assign(tag->payload_slots, 0);
  x.exns.insert(e.get());
  x.exn_bytes += e->bytes();
  x.exn_lo = std::min(x.exn_lo, reinterpret_cast<uintptr_t>(e.get()));
  x.exn_hi = std::max(x.exn_hi, reinterpret_cast<uintptr_t>(e.get()));
  return e.release();
}

void StoreData::collect_exceptions() {
  if (!exceptions) return;  // nothing was ever thrown
  Exceptions& x = *exceptions;
  std::vector<ExnInst*> work;
  auto mark = [&](uint64_t w) {
    if (w < x.exn_lo || w > x.exn_hi) return;
    auto it = x.exns.find(reinterpret_cast<ExnInst*>(w));
    if (it == x.exns.end() || (*it)->marked) return;
    (*it)->marked = true;
    work.push_back(*it);
  };
  for (ExnInst* e : x.exns)
    if (e->pins) mark(reinterpret_cast<uint64_t>(e));
  for (const Thread* t : threads) {
    mark(reinterpret_cast<uint64_t>(t->unwind.exn));  // an unwind under way (or nullptr)
    mark(reinterpret_cast<uint64_t>(t->exception));
    if (t->frame_top == t->frames || !t->fp) continue;
    const Slot* top = std::min<const Slot*>(t->stack_top(), t->stack_end);
    for (const Slot* s = t->stack; s < top; ++s) mark(*s);
  }
  for (const auto& g : globals)
    if (g->type.type == ValType::ExnRef) mark(g->value);
  for (const auto& tb : tables)
    if (tb->elem == ValType::ExnRef)
      for (uint64_t w : tb->refs) mark(w);
  while (!work.empty()) {
    ExnInst* e = work.back();
    work.pop_back();
    for (Slot w : e->payload) mark(w);
  }
  x.exn_lo = UINTPTR_MAX;
  x.exn_hi = 0;
  for (auto it = x.exns.begin(); it != x.exns.end();) {
    ExnInst* e = *it;
    if (!e->marked) {
      x.exn_bytes -= e->bytes();
      delete e;
      it = x.exns.erase(it);
      continue;
    }
    e->marked = false;
    x.exn_lo = std::min(x.exn_lo, reinterpret_cast<uintptr_t>(e));
    x.exn_hi = std::max(x.exn_hi, reinterpret_cast<uintptr_t>(e));
    ++it;
  }
}

Exception host_exception(StoreData& store, ExnInst* e) {
  std::shared_ptr<StoreData> owner = store.shared_from_this();
  const FuncType& ft = *e->tag->type;
  std::vector<Value> payload;
  const Slot* s = e->payload.data();
  for (ValType t : ft.params) {
    payload.push_back(load_value(t, s));
    s += slot_width(t);
  }
  Exception x(Access::make_tag(owner, e->tag), std::move(payload));
  ++e->pins;
  Access::set_exn(x, std::shared_ptr<ExnInst>(e, [owner](ExnInst* p) { --p->pins; }));
  return x;
}

ExnInst* guest_exception(StoreData& store, const Exception& x) {
  TagInst* tag = Access::tag(x.tag());
  if (!tag || Access::owner(x.tag()) != &store)
    throw Trap(TrapKind::Host, "a host function threw an exception whose tag belongs to another store (or no tag)");
  if (const std::shared_ptr<ExnInst>& e = Access::exn(x); e && e->tag == tag) return e.get();
  const FuncType& ft = *tag->type;
  const std::vector<Value>& payload = x.payload();
  bool ok = payload.size() == ft.params.size();
  for (size_t i = 0; ok && i < payload.size(); ++i) {
    ok = payload[i].type == ft.params[i];
    if (ok && payload[i].type == ValType::ExnRef) ok = payload[i].bits == 0;  // see check_ref_owner
    if (ok && payload[i].type == ValType::FuncRef && payload[i].bits)
      ok = reinterpret_cast<const FuncInst*>(payload[i].bits)->owner == &store;
  }
  if (!ok)
    throw Trap(TrapKind::Host, "a host function threw an exception whose payload does not match its tag " +
                                   tag->name + " " + to_string(ft));
  ExnInst* e = store.new_exception(tag);
  if (!e) return nullptr;
  Slot* s = e->payload.data();
  for (const Value& v : payload) {
    store_value(s, v);
    s += slot_width(v.type);
  }
  return e;
}

}  // namespace corowasm::detail
