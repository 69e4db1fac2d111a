// Appending handlers to a function's threaded code, and what the compiler remembers of the
// last ones for fusions: the accumulator (which slot's value the last handler left in it) and
// the producer (which instruction computed the value on top of the stack).
#include "compile/function_compiler.h"

namespace corowasm::detail {

size_t FunctionCompiler::emit_cells(Handler h, const void* imm, size_t bytes, size_t cells) {
  if (!reachable()) return kNoCode;
  acc_valid_ = false;  // until the caller says this instruction produced a value
  size_t at = code_.size();
  code_.resize(at + cells);
  code_[at].handler = h;
  std::memcpy(&code_[at + 1], imm, bytes);
  note_source(at);
  // The producer stays known as the previous one while instructions follow it directly.
  prev_producer_ = producer_.start != kNoCode && producer_.end == at ? producer_ : Producer{};
  producer_.start = kNoCode;
  last_start_ = at;
  return at;
}

size_t FunctionCompiler::label_here() {
  forget_producers();
  last_start_ = kNoCode;
  acc_valid_ = false;  // other paths arrive here with other accumulators
  return code_.size();
}

void FunctionCompiler::bind(std::vector<Fixup>& fixups) {
  size_t target = label_here();
  for (auto& f : fixups) patch(f, target);
  fixups.clear();
}

void FunctionCompiler::truncate(size_t cells) {
  code_.resize(cells);
  std::vector<FuncCode::SourceOffset>& offsets = fc_->offsets;
  while (!offsets.empty() && offsets.back().cell >= cells) offsets.pop_back();
  acc_valid_ = false;
}

void FunctionCompiler::note_source(size_t at) {
  uint32_t off = uint32_t(op_offset_ - fc_->body_offset);
  std::vector<FuncCode::SourceOffset>& offsets = fc_->offsets;
  if (offsets.empty() || offsets.back().func_offset != off) offsets.push_back({uint32_t(at), off});
}

uint32_t FunctionCompiler::source_at(size_t cell) const {
  const std::vector<FuncCode::SourceOffset>& offsets = fc_->offsets;
  for (size_t i = offsets.size(); i-- > 0;)
    if (offsets[i].cell <= cell) return offsets[i].func_offset;
  return uint32_t(op_offset_ - fc_->body_offset);
}

void FunctionCompiler::set_source(size_t at, uint32_t func_offset) {
  std::vector<FuncCode::SourceOffset>& offsets = fc_->offsets;
  if (!offsets.empty() && offsets.back().cell == at) offsets.back().func_offset = func_offset;
  else offsets.push_back({uint32_t(at), func_offset});
}

// Copies and constants run in order, so two adjacent ones are one handler (phi-like moves come
// in runs).
void FunctionCompiler::emit_copy(uint32_t src, uint32_t dst, ValType t) {
  if (t == ValType::V128) {
    emit(&h_copy_v128, ImmSD{src, dst});  // 64-bit accumulator: holds no v128
    return;
  }
  if (reachable() && last_start_ != kNoCode && code_[last_start_].handler == &h_copy &&
      last_start_ + cells_of<ImmSD> == code_.size()) {
    ImmSD first = imm<ImmSD>(&code_[last_start_]);
    truncate(last_start_);
    note_acc(emit(&h_copy2, ImmCopy2{first.s, first.d, src, dst}), dst);
    return;
  }
  note_acc(emit(&h_copy, ImmSD{src, dst}), dst);
}

void FunctionCompiler::emit_const(uint64_t k, uint32_t dst) {
  if (reachable() && last_start_ != kNoCode) {
    Handler last = code_[last_start_].handler;
    if (last == &h_copy && last_start_ + cells_of<ImmSD> == code_.size()) {
      ImmSD c = imm<ImmSD>(&code_[last_start_]);
      truncate(last_start_);
      note_acc(emit(&h_copy_const, ImmCopyK{c.s, c.d, dst, 0, k}), dst);
      return;
    }
    if (last == &h_const && last_start_ + cells_of<ImmKD> == code_.size()) {
      ImmKD c = imm<ImmKD>(&code_[last_start_]);
      truncate(last_start_);
      note_acc(emit(&h_const2, ImmKD2{c.k, k, c.d, dst}), dst);
      return;
    }
  }
  note_acc(emit(&h_const, ImmKD{k, dst}), dst);
}

void FunctionCompiler::note_producer(size_t at, size_t dst_byte_pos, uint32_t dst, Op op, Producer::Form form,
                                     uint32_t a, uint32_t b, uint64_t k, uint32_t shift) {
  if (at == kNoCode) return;
  producer_ = {at, code_.size(), dst_byte_pos, dst, op, form, a, b, k, shift};
  note_acc(at, dst);  // every registered producer hands its result on as the accumulator
}

const Producer* FunctionCompiler::last_producer_of(const Operand& o) const {
  const Producer& p = producer_;
  if (!reachable() || o.kind != Operand::Temp || p.start == kNoCode || p.end != code_.size() || p.dst != o.slot)
    return nullptr;
  return &p;
}

}  // namespace corowasm::detail
