// Calls: the arguments go to consecutive slots at the top of the caller's frame, which become
// the callee's first locals (its frame starts there); results come back in the same slots.
#include "compile/function_compiler.h"

namespace corowasm::detail {

void FunctionCompiler::compile_call(uint32_t func_index, bool tail) {
  if (func_index >= m_.func_types.size()) invalid("unknown function " + std::to_string(func_index));
  const FuncType& ft = m_.func_type(func_index);
  if (tail && ft.results != type_->results) invalid("type mismatch");
  uint32_t n = uint32_t(ft.params.size());
  // Validate the arguments, then give them their canonical consecutive slots.
  check_top(ft.params, false);
  uint32_t base = height() - n;
  materialize_top(n);
  truncate_stack(base);
  uint32_t args_slot = temp_slot(base);
  bool imported = func_index < m_.num_imported_funcs;
  if (!imported) {
    // Every FuncCode exists from the function section on, so a callee not compiled yet
    // already has its final address.
    const FuncCode* callee = m_.codes[func_index - m_.num_imported_funcs].get();
    emit(tail ? &h_return_call : &h_call, ImmCall{callee, args_slot});
  } else {
    emit(tail ? &h_return_call_import : &h_call_import, ImmCallImport{func_index, args_slot});
    if (tail) {
      // A host callee returns here; its results sit at args_slot.
      push_values(ft.results);
      emit_return();
      truncate_stack(base);
    }
  }
  if (tail) {
    set_unreachable();
    return;
  }
  push_values(ft.results);
}

void FunctionCompiler::compile_call_indirect(bool tail) {
  size_t at_type = r_.offset();
  uint32_t type_index = r_.u32();
  uint32_t table = r_.u32();
  if (table >= m_.tables.size()) invalid("unknown table " + std::to_string(table));
  if (type_index >= m_.types.size()) throw ValidationError(at_type, "unknown type");
  if (m_.tables[table].elem != ValType::FuncRef) invalid("type mismatch");
  const FuncType& ft = m_.types[type_index];
  if (tail && ft.results != type_->results) invalid("type mismatch");
  Operand idx = pop(ValType::I32);
  uint32_t n = uint32_t(ft.params.size());
  check_top(ft.params, false);
  uint32_t base = height() - n;
  // The index sits right above the arguments.
  uint32_t idx_slot = slot_of(idx);
  materialize_top(n);
  truncate_stack(base);
  uint32_t args_slot = temp_slot(base);
  emit(tail ? &h_return_call_indirect : &h_call_indirect,
       ImmCallIndirect{m_.type_ids[type_index], table, idx_slot, args_slot});
  if (tail) {
    push_values(ft.results);
    emit_return();
    truncate_stack(base);
    set_unreachable();
    return;
  }
  push_values(ft.results);
}

}  // namespace corowasm::detail
