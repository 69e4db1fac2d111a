// The public API (corowasm.h) over the internal module, runtime and driver.
#include <corowasm/corowasm.h>

#include <cmath>
#include <cstdio>

#include "compile/module_compiler.h"
#include "driver/call.h"
#include "exec/dispatch.h"
#include "runtime/handles.h"
#include "runtime/store.h"

namespace corowasm {

using namespace detail;

const char* to_string(ValType t) {
  switch (t) {
    case ValType::I32: return "i32";
    case ValType::I64: return "i64";
    case ValType::F32: return "f32";
    case ValType::F64: return "f64";
    case ValType::V128: return "v128";
    case ValType::FuncRef: return "funcref";
    case ValType::ExternRef: return "externref";
    case ValType::ExnRef: return "exnref";
  }
  return "?";
}

const char* to_string(ImportDesc::Kind k) {
  switch (k) {
    case ImportDesc::Func: return "func";
    case ImportDesc::Table: return "table";
    case ImportDesc::Memory: return "memory";
    case ImportDesc::Global: return "global";
    case ImportDesc::Tag: return "tag";
  }
  return "?";
}

std::string to_string(const Value& v) {
  char buf[64];
  switch (v.type) {
    case ValType::I32: std::snprintf(buf, sizeof buf, "%d", v.as_i32()); break;
    case ValType::I64: std::snprintf(buf, sizeof buf, "%lld", (long long)v.as_i64()); break;
    case ValType::F32: std::snprintf(buf, sizeof buf, "%.9g", double(v.as_f32())); break;
    case ValType::F64: std::snprintf(buf, sizeof buf, "%.17g", v.as_f64()); break;
    case ValType::V128:
      std::snprintf(buf, sizeof buf, "0x%016llx%016llx", (unsigned long long)v.hi, (unsigned long long)v.bits);
      break;
    case ValType::FuncRef:
    case ValType::ExternRef:
    case ValType::ExnRef:
      if (v.is_null()) std::snprintf(buf, sizeof buf, "null");
      else std::snprintf(buf, sizeof buf, "%s:%llx", to_string(v.type), (unsigned long long)v.bits);
      break;
    default: std::snprintf(buf, sizeof buf, "?"); break;
  }
  return buf;
}

std::string to_string(const FuncType& t) {
  std::string s = "(";
  for (size_t i = 0; i < t.params.size(); ++i) s.append(i ? " " : "").append(to_string(t.params[i]));
  s += ") -> (";
  for (size_t i = 0; i < t.results.size(); ++i) s.append(i ? " " : "").append(to_string(t.results[i]));
  return s + ")";
}

const char* trap_message(TrapKind k) {
  switch (k) {
#define CW_TRAP(Name, message) case TrapKind::Name: return message;
#include <corowasm/traps.def>
#undef CW_TRAP
  }
  return "trap";
}

const char* trap_kind_name(TrapKind k) {
  switch (k) {
#define CW_TRAP(Name, message) case TrapKind::Name: return #Name;
#include <corowasm/traps.def>
#undef CW_TRAP
  }
  return "?";
}

DecodeError::DecodeError(size_t offset, const std::string& reason)
    : Error(reason + " (at byte " + std::to_string(offset) + ")"), offset_(offset), reason_(reason) {}
ValidationError::ValidationError(size_t offset, const std::string& reason)
    : Error(reason + " (at byte " + std::to_string(offset) + ")"), offset_(offset), reason_(reason) {}
Trap::Trap(TrapKind kind, const std::string& message) : Error(message), kind_(kind) {}

// ---- Engine / Module ----

Engine::Engine() : Engine(Config{}) {}
Engine::Engine(Config config) : config_(std::make_shared<const Config>(config)) {}

Module Engine::compile(std::span<const uint8_t> bytes) const {
  return Access::make_module(compile_module(config_, bytes));
}

std::vector<ImportDesc> Module::imports() const {
  std::vector<ImportDesc> out;
  for (auto& i : data_->imports) out.push_back({i.module, i.name, i.kind});
  return out;
}

std::vector<ExportDesc> Module::exports() const {
  std::vector<ExportDesc> out;
  for (auto& e : data_->exports) out.push_back({e.name, e.kind});
  return out;
}

ModuleStats Module::stats() const {
  ModuleStats st;
  st.wasm_bytes = data_->bytes.size();
  st.functions = data_->codes.size();
  for (auto& c : data_->codes) {
    st.wasm_code_bytes += c->body_size;
    st.compiled_code_bytes += c->code.size() * sizeof(detail::Cell);
  }
  return st;
}

Instance Module::instantiate(const Imports& imports) const {
  Store store(std::make_shared<StoreData>(data_->config));
  return store.instantiate(*this, imports);
}
Instance Module::instantiate() const { return instantiate(Imports{}); }

// ---- Store ----

Store::Store(const Engine& engine) : data_(std::make_shared<StoreData>(engine.config_)) {}

Instance Store::instantiate(const Module& module, const Imports& imports) {
  if (!module) throw Error("instantiate: empty module");
  InstanceData* inst = detail::instantiate(*data_, module.data_, imports);
  // The start function runs on the store's fuel like any call.
  if (FuncInst* start = start_function(*inst)) detail::call_sync(*data_, start, {});
  return Instance(data_, inst);
}

void Store::set_limits(const Config& limits) { data_->limits = limits; }
const Config& Store::limits() const { return data_->limits; }
void Store::set_fuel(std::optional<uint64_t> units) { data_->fuel = units; }
std::optional<uint64_t> Store::fuel() const { return data_->fuel; }

Func Store::host_func(FuncType type, HostFn fn) {
  auto f = std::make_unique<HostFuncInst>();
  f->owner = data_.get();
  f->host_type = std::move(type);
  f->type = &f->host_type;
  f->type_id = acquire_type_id(f->host_type);
  f->owns_type_id = true;
  f->fn = std::move(fn);
  f->host = &f->fn;
  data_->host_funcs.push_back(std::move(f));
  return Func(data_, data_->host_funcs.back().get());
}

Memory Store::memory(MemoryType type) {
  data_->memories.push_back(std::make_unique<MemoryInst>(type, data_->limits.max_memory_pages));
  return Memory(data_, data_->memories.back().get());
}

Table Store::table(TableType type, Value init) {
  if (init.type != type.elem) throw Error("table initial value has the wrong type");
  check_ref_owner(*data_, init);
  return Table(data_, &data_->new_table(type, init.bits));
}

Global Store::global(GlobalType type, Value init) {
  if (init.type != type.type) throw Error("global initial value has the wrong type");
  check_ref_owner(*data_, init);
  auto g = std::make_unique<GlobalInst>();
  g->type = type;
  g->value = init.bits;
  g->hi = init.hi;
  data_->globals.push_back(std::move(g));
  return Global(data_, data_->globals.back().get());
}

Tag Store::tag(std::vector<ValType> params, std::string name) {
  auto t = std::make_unique<TagInst>();
  t->host_type.params = std::move(params);
  t->type = &t->host_type;
  t->owner = data_.get();
  t->name = std::move(name);
  for (ValType v : t->type->params) t->payload_slots += slot_width(v);
  data_->tags.push_back(std::move(t));
  return Tag(data_, data_->tags.back().get());
}

// ---- handles ----

const FuncType& Tag::type() const { return *tag_->type; }
const std::string& Tag::name() const { return tag_->name; }

namespace {
std::string exception_message(const Tag& tag, const std::vector<Value>& payload) {
  std::string m = "uncaught exception: tag " + (tag ? tag.name() : std::string("(none)"));
  if (!payload.empty()) {
    m += " (";
    for (size_t i = 0; i < payload.size(); ++i)
      m.append(i ? ", " : "").append(to_string(payload[i].type)).append(" ").append(to_string(payload[i]));
    m += ")";
  }
  return m;
}
}  // namespace

Exception::Exception(Tag tag, std::vector<Value> payload)
    : Trap(TrapKind::UncaughtException, exception_message(tag, payload)), tag_(std::move(tag)), payload_(std::move(payload)) {}

uint8_t* Memory::data() const { return mem_->base; }
uint64_t Memory::size_bytes() const { return mem_->size; }
uint64_t Memory::pages() const { return mem_->pages(); }
int64_t Memory::grow(uint64_t delta_pages) const { return mem_->grow(delta_pages); }
MemoryType Memory::type() const {
  MemoryType t;
  t.limits.min = mem_->pages();
  if (mem_->has_max) t.limits.max = mem_->max_pages;
  return t;
}

uint64_t Table::size() const { return table_->refs.size(); }
Value Table::get(uint64_t index) const {
  if (index >= table_->refs.size()) throw Trap(TrapKind::TableOutOfBounds);
  return Value{table_->elem, table_->refs[index]};
}
void Table::set(uint64_t index, const Value& v) const {
  if (index >= table_->refs.size()) throw Trap(TrapKind::TableOutOfBounds);
  if (v.type != table_->elem) throw Error("table element has the wrong type");
  check_ref_owner(*store_, v);
  table_->refs[index] = v.bits;
}
TableType Table::type() const {
  TableType t;
  t.elem = table_->elem;
  t.limits.min = table_->refs.size();
  if (table_->has_max) t.limits.max = table_->max;
  return t;
}

Value Global::get() const {
  if (global_->type.type == ValType::V128) return Value::v128(global_->value, global_->hi);
  return to_value(global_->type.type, global_->value);
}
void Global::set(const Value& v) const {
  if (!global_->type.mut) throw Error("global is immutable");
  if (v.type != global_->type.type) throw Error("global value has the wrong type");
  check_ref_owner(*store_, v);
  global_->value = v.bits;
  global_->hi = v.hi;
}
GlobalType Global::type() const { return global_->type; }

const FuncType& Func::type() const { return *func_->type; }
Store Func::store() const { return Store(store_); }
Value Func::ref() const { return Value{ValType::FuncRef, reinterpret_cast<uint64_t>(func_)}; }
void detail::check_typed(const Func& f, const FuncType& want, std::string_view what) {
  if (!f) throw Error(std::string(what) + ": no such function");
  if (f.type() != want)
    throw Error(std::string(what) + " has type " + to_string(f.type()) + ", not the requested " + to_string(want));
}

std::vector<Value> Func::call_sync(std::span<const Value> args) const {
  return detail::call_sync(*store_, func_, args);
}

Memory Caller::memory() const {
  if (!inst_ || inst_->memories.empty()) return Memory();
  return Memory(thread_->store->shared_from_this(), inst_->memories[0]);
}
void Caller::charge_bytes(uint64_t bytes) const {
  if (call_) call_->charge(bytes / kBulkBytesPerUnit);
}
Store Caller::store() const { return Store(thread_->store->shared_from_this()); }
Instance Caller::instance() const {
  if (!inst_) return Instance();
  return Instance(thread_->store->shared_from_this(), inst_);
}
std::optional<Extern> Caller::get_export(std::string_view name) const {
  Instance inst = instance();
  if (!inst) return std::nullopt;
  return inst.get_export(name);
}

// ---- Imports ----

void Imports::define(std::string module, std::string name, Extern e) {
  for (auto& entry : entries_) {
    if (entry.module == module && entry.name == name) {
      entry.value = std::move(e);
      return;
    }
  }
  entries_.push_back({std::move(module), std::move(name), std::move(e)});
}

void Imports::define_instance(const std::string& module, const Instance& inst) {
  for (auto& [name, e] : inst.exports()) define(module, name, e);
}

const Extern* Imports::find(std::string_view module, std::string_view name) const {
  for (auto& entry : entries_)
    if (entry.module == module && entry.name == name) return &entry.value;
  return nullptr;
}

// ---- Instance ----

std::optional<Extern> Instance::get_export(std::string_view name) const {
  const ExportEntry* e = inst_->module->find_export(name);
  if (!e) return std::nullopt;
  switch (e->kind) {
    case ImportDesc::Func: return Extern(Func(store_, inst_->funcs[e->index]));
    case ImportDesc::Table: return Extern(Table(store_, inst_->tables[e->index]));
    case ImportDesc::Memory: return Extern(Memory(store_, inst_->memories[e->index]));
    case ImportDesc::Global: return Extern(Global(store_, inst_->globals[e->index]));
    case ImportDesc::Tag: return Extern(Tag(store_, inst_->tags[e->index]));
  }
  return std::nullopt;
}

template <class T>
static T export_as(const Instance& inst, std::string_view name) {
  auto e = inst.get_export(name);
  if (!e) return T();
  if (auto* v = std::get_if<T>(&*e)) return *v;
  return T();
}

Func Instance::func(std::string_view name) const { return export_as<Func>(*this, name); }
Memory Instance::memory(std::string_view name) const { return export_as<Memory>(*this, name); }
Table Instance::table(std::string_view name) const { return export_as<Table>(*this, name); }
Global Instance::global(std::string_view name) const { return export_as<Global>(*this, name); }
Tag Instance::tag(std::string_view name) const { return export_as<Tag>(*this, name); }

std::vector<std::pair<std::string, Extern>> Instance::exports() const {
  std::vector<std::pair<std::string, Extern>> out;
  for (auto& e : inst_->module->exports) out.emplace_back(e.name, *get_export(e.name));
  return out;
}

std::vector<Value> Instance::call_sync(std::string_view name, std::span<const Value> args) const {
  Func f = func(name);
  if (!f) throw Error("no exported function named \"" + std::string(name) + "\"");
  return f.call_sync(args);
}

}  // namespace corowasm
