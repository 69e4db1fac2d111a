// detail::Access: how the VM and its layers (async/, tools/) reach what stands behind a public
// handle (corowasm.h), and make handles of internal objects. The handles themselves hand out
// no detail types.
#pragma once

#include <corowasm/corowasm.h>

#include <memory>

namespace corowasm::detail {

struct Access {
  // ---- handle -> internals ----
  static const std::shared_ptr<const ModuleData>& module(const Module& m) { return m.data_; }
  static const std::shared_ptr<StoreData>& store(const Store& s) { return s.data_; }
  static FuncInst* func(const Func& f) { return f.func_; }
  static MemoryInst* memory(const Memory& m) { return m.mem_; }
  static TableInst* table(const Table& t) { return t.table_; }
  static GlobalInst* global(const Global& g) { return g.global_; }
  static InstanceData* instance(const Instance& i) { return i.inst_; }
  static TagInst* tag(const Tag& t) { return t.tag_; }
  static const std::shared_ptr<ExnInst>& exn(const Exception& x) { return x.exn_; }
  static void set_exn(Exception& x, std::shared_ptr<ExnInst> e) { x.exn_ = std::move(e); }
  // The store a Func, Memory, Table, Global or Tag belongs to.
  template <class Handle>
  static StoreData* owner(const Handle& h) { return h.store_.get(); }
  static Thread* thread(const Caller& c) { return c.thread_; }
  static ResumableCall* call(const Caller& c) { return c.call_; }

  // ---- internals -> handle ----
  static Module make_module(std::shared_ptr<const ModuleData> m) { return Module(std::move(m)); }
  static Store make_store(std::shared_ptr<StoreData> s) { return Store(std::move(s)); }
  static Instance make_instance(std::shared_ptr<StoreData> s, InstanceData* i) { return Instance(std::move(s), i); }
  static Func make_func(std::shared_ptr<StoreData> s, FuncInst* f) { return Func(std::move(s), f); }
  static Tag make_tag(std::shared_ptr<StoreData> s, TagInst* t) { return Tag(std::move(s), t); }
  static Caller make_caller(Thread* t, InstanceData* i, ResumableCall* call) { return Caller(t, i, call); }
};

}  // namespace corowasm::detail
