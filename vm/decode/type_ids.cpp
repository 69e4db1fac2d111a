// The engine-wide registry of function signatures: structurally equal types share one id,
// which call_indirect compares across modules.
#include <map>
#include <mutex>
#include <tuple>

#include "decode/module.h"

namespace corowasm::detail {

// ---- type ids ----

namespace {

struct TypeRegistry {
  using Signature = std::pair<std::vector<ValType>, std::vector<ValType>>;
  struct Entry {
    uint32_t id;
    uint64_t holders;
  };
  // Looked up by the FuncType itself, so that a signature already known (every host function
  // of every store has one) costs no copy.
  struct Less {
    using is_transparent = void;
    static auto key(const Signature& s) { return std::tie(s.first, s.second); }
    static auto key(const FuncType& t) { return std::tie(t.params, t.results); }
    template <class A, class B>
    bool operator()(const A& a, const B& b) const { return key(a) < key(b); }
  };
  std::mutex mu;
  std::map<Signature, Entry, Less> by_signature;
  std::vector<std::map<Signature, Entry, Less>::iterator> by_id;  // [id - 1]
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
  auto it = r.by_signature.find(t);
  if (it != r.by_signature.end()) {
    ++it->second.holders;
    return it->second.id;
  }
  bool inserted;
  std::tie(it, inserted) = r.by_signature.try_emplace({t.params, t.results}, TypeRegistry::Entry{0, 0});
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

}  // namespace corowasm::detail
