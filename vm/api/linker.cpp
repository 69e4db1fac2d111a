// Linker: definitions made once, turned into each store's functions and instances on first use
// and cached in that store (a layer of its own in StoreData), so every instance of a store
// shares them.
#include <corowasm/corowasm.h>

#include <atomic>
#include <map>

#include "runtime/handles.h"
#include "runtime/store.h"

namespace corowasm {

using namespace detail;

struct Linker::ModuleDef {
  std::string name;
  Module module;
  uint64_t id;  // as FuncDef::id
};

namespace {

// Definitions of every Linker are numbered from one counter, and a redefinition gets a new
// number, so a store's cache never hands out a definition that was replaced.
std::atomic<uint64_t> next_definition_id{1};

// What the Linkers made in one store, by definition id: a definition is made once per store
// however many instances import it. Raw pointers: the store owns them, and a handle here
// (which keeps its store alive) would keep the store alive forever.
struct LinkedInStore {
  std::map<uint64_t, FuncInst*> funcs;
  std::map<uint64_t, InstanceData*> instances;
  std::vector<uint64_t> instantiating;  // a module importing itself, caught
};

// The per-store host state behind Store::set_data / data.
struct UserData {
  std::any value;
};

}  // namespace

std::any& Store::user_data() const { return layer_state<UserData>(*data_).value; }

Linker::Linker() = default;

void Linker::define(std::string module, std::string name, FuncType type, HostFn fn) {
  define(std::move(module), std::move(name),
         [type = std::move(type), fn = std::move(fn)](Store& store) { return store.host_func(type, fn); });
}

void Linker::define(std::string module, std::string name, FuncMaker make) {
  for (FuncDef& d : funcs_) {
    if (d.module == module && d.name == name) {
      d.make = std::move(make);
      d.id = next_definition_id++;
      return;
    }
  }
  funcs_.push_back({std::move(module), std::move(name), std::move(make), next_definition_id++});
}

void Linker::define_module(std::string name, Module module) {
  if (!module) throw Error("Linker::define_module: empty module");
  for (auto& d : modules_) {
    if (d->name == name) {
      d->module = std::move(module);
      d->id = next_definition_id++;
      return;
    }
  }
  modules_.push_back(std::make_shared<ModuleDef>(ModuleDef{std::move(name), std::move(module), next_definition_id++}));
}

Imports Linker::imports_for(Store& store, const Module& module) const {
  if (!module) throw Error("instantiate: empty module");
  LinkedInStore& made = layer_state<LinkedInStore>(*Access::store(store));
  Imports imports;
  for (const ImportDesc& imp : module.imports()) {
    if (imports.find(imp.module, imp.name)) continue;
    // A host function?
    bool found = false;
    for (const FuncDef& d : funcs_) {
      if (d.module != imp.module || d.name != imp.name) continue;
      uint64_t key = d.id;
      auto it = made.funcs.find(key);
      if (it == made.funcs.end()) {
        Func f = d.make(store);
        if (!f || Access::owner(f) != Access::store(store).get())
          throw LinkError("Linker: the definition of \"" + d.module + "\".\"" + d.name +
                          "\" made no function of this store");
        it = made.funcs.emplace(key, Access::func(f)).first;
      }
      imports.define(imp.module, imp.name, Access::make_func(Access::store(store), it->second));
      found = true;
      break;
    }
    if (found) continue;
    // An export of a defined module, instantiated in this store on first use.
    for (const auto& d : modules_) {
      if (d->name != imp.module) continue;
      uint64_t key = d->id;
      auto it = made.instances.find(key);
      if (it == made.instances.end()) {
        for (const auto& k : made.instantiating)
          if (k == key) throw LinkError("module \"" + d->name + "\" imports from itself through the Linker");
        made.instantiating.push_back(key);
        Instance inst;
        try {
          inst = instantiate(store, d->module);
        } catch (...) {
          made.instantiating.pop_back();
          throw;
        }
        made.instantiating.pop_back();
        it = made.instances.emplace(key, Access::instance(inst)).first;
      }
      Instance inst = Access::make_instance(Access::store(store), it->second);
      if (std::optional<Extern> e = inst.get_export(imp.name)) imports.define(imp.module, imp.name, *e);
      break;
    }
    // Anything else stays undefined: instantiation names it ("unknown import ...").
  }
  return imports;
}

Instance Linker::instantiate(Store& store, const Module& module) const {
  return store.instantiate(module, imports_for(store, module));
}

}  // namespace corowasm
