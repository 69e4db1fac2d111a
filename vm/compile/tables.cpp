// Table and reference instructions: table.get/set/size/grow/fill/copy/init, elem.drop,
// ref.null, ref.is_null and ref.func.
#include "compile/function_compiler.h"
#include "decode/types.h"

namespace corowasm::detail {

void FunctionCompiler::translate_table(Op op) {
  constexpr ValType I32 = ValType::I32;
  switch (op) {
    case Op::TableGet: {
      uint32_t x = table_index();
      auto [i] = pop_slots<1>({I32});
      emit(&h_table_get, ImmTable2{x, 0, i, 0, temp_slot(height())});
      push(m_.tables[x].elem);
      return;
    }
    case Op::TableSet: {
      uint32_t x = table_index();
      auto [i, v] = pop_slots<2>({I32, m_.tables[x].elem});
      emit(&h_table_set, ImmTable2{x, 0, i, v, 0});
      return;
    }
    case Op::TableInit: {
      uint32_t seg = r_.u32();
      uint32_t x = table_index();
      if (seg >= m_.elems.size()) invalid("unknown elem segment " + std::to_string(seg));
      if (m_.elems[seg].type != m_.tables[x].elem) invalid("type mismatch");
      auto [d, s, n] = pop_slots<3>({I32, I32, I32});
      emit(&h_table_init, ImmTable2{x, seg, d, s, n});
      return;
    }
    case Op::ElemDrop: {
      uint32_t seg = r_.u32();
      if (seg >= m_.elems.size()) invalid("unknown elem segment " + std::to_string(seg));
      emit(&h_elem_drop, ImmIdxS{seg, 0});
      return;
    }
    case Op::TableCopy: {
      uint32_t x = table_index();
      uint32_t y = table_index();
      if (m_.tables[x].elem != m_.tables[y].elem) invalid("type mismatch");
      auto [d, s, n] = pop_slots<3>({I32, I32, I32});
      emit(&h_table_copy, ImmTable2{x, y, d, s, n});
      return;
    }
    case Op::TableGrow: {
      uint32_t x = table_index();
      auto [v, n] = pop_slots<2>({m_.tables[x].elem, I32});
      emit(&h_table_grow, ImmTable2{x, 0, v, n, temp_slot(height())});
      push(I32);
      return;
    }
    case Op::TableSize: {
      uint32_t x = table_index();
      emit(&h_table_size, ImmIdxS{x, temp_slot(height())});
      push(I32);
      return;
    }
    case Op::TableFill: {
      uint32_t x = table_index();
      auto [i, v, n] = pop_slots<3>({I32, m_.tables[x].elem, I32});
      emit(&h_table_fill, ImmTable2{x, 0, i, v, n});
      return;
    }
    default: invalid(std::string("unhandled opcode ") + op_name(op));
  }
}

void FunctionCompiler::translate_ref(Op op) {
  switch (op) {
    case Op::RefNull: {
      ValType t = read_ref_type(r_);
      push_const(t, 0);
      return;
    }
    case Op::RefIsNull: {
      Operand v = pop_any();
      if (v.type != kUnknown && !is_ref(v.type)) invalid("type mismatch");
      uint32_t pos = height();
      emit(&h_ref_is_null, ImmSD{slot_of(v), temp_slot(pos)});
      push(ValType::I32);
      return;
    }
    case Op::RefFunc: {
      uint32_t f = r_.u32();
      if (f >= m_.func_types.size()) invalid("unknown function " + std::to_string(f));
      if (!m_.declared_refs.count(f)) invalid("undeclared function reference");
      emit(&h_ref_func, ImmIdxS{f, temp_slot(height())});
      push(ValType::FuncRef);
      return;
    }
    default: invalid(std::string("unhandled opcode ") + op_name(op));
  }
}

}  // namespace corowasm::detail
