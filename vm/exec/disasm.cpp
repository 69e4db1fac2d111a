// The disassembler: every handler's name and instruction length, derived from opcodes.def
// (the template families) and handlers.def (the hand-written ones).
#include "exec/disasm.h"

#include <cstdio>
#include <string>
#include <unordered_map>

#include "decode/module.h"
#include "isa/handlers.h"
#include "isa/simd_op.h"

namespace corowasm::detail {

namespace {

struct HandlerInfo {
  std::string name;
  uint32_t cells;  // instruction length; 0 = variable (br_table)
};

const std::unordered_map<Handler, HandlerInfo>& handler_infos() {
  static const std::unordered_map<Handler, HandlerInfo> infos = [] {
    std::unordered_map<Handler, HandlerInfo> n;
    for (size_t i = 0; i < size_t(Op::Count_); ++i) {
      Op op = Op(i);
      std::string base = op_name(op);
      if (Handler u = unary_handler(op)) {
        n[u] = {base, cells_of<ImmSD>};
        n[unary_handler(op, true)] = {base + "@acc", cells_of<ImmSD>};
      }
      if (binary_handler(op, Operands::SlotSlot)) {
        n[binary_handler(op, Operands::SlotSlot)] = {base + "_ss", cells_of<ImmSSD>};
        n[binary_handler(op, Operands::SlotSlot, Acc::Left)] = {base + "_ss@acc.a", cells_of<ImmSSD>};
        n[binary_handler(op, Operands::SlotSlot, Acc::Right)] = {base + "_ss@acc.b", cells_of<ImmSSD>};
        n[binary_handler(op, Operands::SlotConst)] = {base + "_si", cells_of<ImmSID>};
        n[binary_handler(op, Operands::SlotConst, Acc::Left)] = {base + "_si@acc", cells_of<ImmSID>};
        n[binary_handler(op, Operands::ConstSlot)] = {base + "_is", cells_of<ImmISD>};
        n[binary_handler(op, Operands::ConstSlot, Acc::Right)] = {base + "_is@acc", cells_of<ImmISD>};
      }
      if (Handler b = branch_compare_handler(op, false)) {
        n[b] = {"br_if." + base + "_ss", cells_of<ImmBrSS>};
        n[branch_compare_handler(op, false, Acc::Left)] = {"br_if." + base + "_ss@acc.a", cells_of<ImmBrSS>};
        n[branch_compare_handler(op, false, Acc::Right)] = {"br_if." + base + "_ss@acc.b", cells_of<ImmBrSS>};
      }
      if (Handler b = branch_compare_handler(op, true)) {
        n[b] = {"br_if." + base + "_si", cells_of<ImmBrSI>};
        n[branch_compare_handler(op, true, Acc::Left)] = {"br_if." + base + "_si@acc", cells_of<ImmBrSI>};
      }
      if (Handler l = load_handler(op)) {
        n[l] = {base, cells_of<ImmMem>};
        n[load_handler(op, Addr::AccSlot)] = {base + "@acc", cells_of<ImmMem>};
        n[load_handler(op, Addr::AddConst)] = {base + ".add_si", cells_of<ImmMemAdd>};
        n[load_handler(op, Addr::AddSlots)] = {base + ".add_ss", cells_of<ImmMemAdd>};
        n[load_handler(op, Addr::ShlAddConst)] = {base + ".add_shl_si", cells_of<ImmMemAdd>};
        n[load_handler(op, Addr::ShlAddSlots)] = {base + ".add_shl_ss", cells_of<ImmMemAdd>};
        n[load_handler(op, Addr::AddConstKeep)] = {base + ".tee_add_si", cells_of<ImmMemAddKeep>};
        for (size_t j = 0; j < size_t(Op::Count_); ++j)
          for (bool acc : {false, true})
            for (bool chained : {false, true})
              if (Handler lp = load_pair_handler(op, Op(j), acc, chained))
                n[lp] = {base + (acc ? "@acc" : "") + (chained ? "->" : ",") + op_name(Op(j)), cells_of<ImmLoadPair>};
        for (bool nz : {true, false}) {
          std::string br = nz ? "->br_nz" : "->br_z";
          if (Handler lb = load_branch_handler(op, Addr::Slot, nz)) {
            n[lb] = {base + br, cells_of<ImmMemBr>};
            n[load_branch_handler(op, Addr::AccSlot, nz)] = {base + "@acc" + br, cells_of<ImmMemBr>};
            n[load_branch_handler(op, Addr::AddConst, nz)] = {base + ".add_si" + br, cells_of<ImmMemAddBr>};
          }
        }
      }
      if (Handler st = store_handler(op, false)) {
        n[st] = {base, cells_of<ImmMem>};
        n[store_handler(op, false, Addr::Slot, true)] = {base + "@acc", cells_of<ImmMem>};
        n[store_handler(op, true)] = {base + "_i", cells_of<ImmMemI>};
        n[store_handler(op, false, Addr::AddConst)] = {base + ".add_si", cells_of<ImmMemAdd>};
        n[store_handler(op, false, Addr::AddSlots)] = {base + ".add_ss", cells_of<ImmMemAdd>};
        n[store_handler(op, false, Addr::ShlAddConst)] = {base + ".add_shl_si", cells_of<ImmMemAdd>};
        n[store_handler(op, false, Addr::ShlAddSlots)] = {base + ".add_shl_ss", cells_of<ImmMemAdd>};
      }
    }
    for (size_t i = size_t(Op::V128Load); i < size_t(Op::Count_); ++i) {
      static constexpr uint32_t kCells[] = {
          cells_of<ImmMem>,   cells_of<ImmMem>, cells_of<ImmMemLane>, cells_of<ImmMemLane>, cells_of<ImmV128>,
          cells_of<ImmShuffle>, cells_of<ImmSD>, cells_of<ImmSSD>,     cells_of<ImmSSSD>,    cells_of<ImmSD>,
          cells_of<ImmSSD>,   cells_of<ImmSD>,  cells_of<ImmLane>,     cells_of<ImmLane2>};
      Handler h = simd_handler(Op(i));
      // Instructions of the same semantics share a handler (relaxed_swizzle and swizzle): first name wins.
      if (!n.count(h)) n[h] = {op_name(Op(i)), kCells[size_t(simd_info(Op(i)).shape)]};
      if (Handler hk = simd_binary_const_handler(Op(i)); hk && !n.count(hk))
        n[hk] = {std::string(op_name(Op(i))) + "_sk", cells_of<ImmV128K>};
    }
    for (size_t i = 0; i < size_t(Op::Count_); ++i)
      for (size_t j = 0; j < size_t(Op::Count_); ++j)
        for (auto [shape, letter] : {std::pair{Chain::ConstConst, 'A'}, std::pair{Chain::ConstSlot, 'B'},
                                     std::pair{Chain::SlotSlot, 'C'}, std::pair{Chain::SlotConst, 'D'}})
          for (bool left : {true, false})
            if (Handler h = chain_handler(Op(i), Op(j), shape, left))
              n[h] = {std::string(op_name(Op(i))) + (left ? "->" : "->r.") + op_name(Op(j)) + "." + letter,
                      cells_of<ImmChain>};
    for (size_t i = 0; i < size_t(Op::Count_); ++i)
      for (size_t j = 0; j < size_t(Op::Count_); ++j)
        for (bool k : {false, true})
          if (Handler h = op_branch_handler(Op(i), Op(j), k))
            n[h] = {std::string(op_name(Op(i))) + "->br_if." + op_name(Op(j)) + (k ? "_si" : "_ss"), cells_of<ImmOpBr>};
    for (Op load : {Op::I32Load, Op::I64Load}) {
      std::string store = load == Op::I32Load ? "->i32.store" : "->i64.store";
      n[mem_move_handler(load, Addr::Slot)] = {op_name(load) + store, cells_of<ImmMemMove>};
      n[mem_move_handler(load, Addr::AccSlot)] = {op_name(load) + std::string("@acc") + store, cells_of<ImmMemMove>};
      n[mem_move_handler(load, Addr::AddConst)] = {op_name(load) + std::string(".add_si") + store, cells_of<ImmMemMove>};
    }
    for (bool acc : {false, true}) {
      std::string base = std::string("i32.rmw_add") + (acc ? "@acc" : "");
      n[rmw_add_handler(acc)] = {base, cells_of<ImmRmw>};
      n[rmw_add_handler(acc, Test::Nonzero)] = {base + "->br_nz", cells_of<ImmRmwBr>};
      n[rmw_add_handler(acc, Test::Zero)] = {base + "->br_z", cells_of<ImmRmwBr>};
    }
#define CW_HANDLER_DEF(h, Imm) n[&h] = {std::string(#h).substr(2), cells_of<Imm>};
#include "isa/handlers.def"
    n[&h_br_table].cells = 0;  // variable: 2 + its targets
    n[&h_br_table_and_add].cells = 0;
    return n;
  }();
  return infos;
}

}  // namespace

const char* handler_name(Handler h) {
  auto it = handler_infos().find(h);
  return it == handler_infos().end() ? "?" : it->second.name.c_str();
}

std::string disassemble(const FuncCode& f) {
  std::string out;
  char line[160];
  std::snprintf(line, sizeof line, "func %u: %u params, %u locals, %u frame slots, %zu cells\n", f.func_index,
                f.num_params, f.num_locals, f.frame_slots, f.code.size());
  out += line;
  for (size_t pc = 0; pc < f.code.size();) {
    Handler h = f.code[pc].handler;
    auto it = handler_infos().find(h);
    uint32_t cells = it == handler_infos().end() ? 1 : it->second.cells;
    if (h == &h_br_table) cells = 2 + (imm<ImmBrTable>(&f.code[pc]).count + 2) / 2;
    if (h == &h_br_table_and_add) cells = cells_of<ImmBrTableK> + (imm<ImmBrTableK>(&f.code[pc]).count + 2) / 2;
    std::snprintf(line, sizeof line, "%6zu  %-28s", pc, it == handler_infos().end() ? "?" : it->second.name.c_str());
    out += line;
    // Immediates as 32-bit words: slots, constants and relative targets alike.
    for (size_t c = pc + 1; c < pc + cells && c < f.code.size(); ++c) {
      std::snprintf(line, sizeof line, " %d %d", f.code[c].i32[0], f.code[c].i32[1]);
      out += line;
    }
    out += "\n";
    pc += cells;
  }
  return out;
}

}  // namespace corowasm::detail
