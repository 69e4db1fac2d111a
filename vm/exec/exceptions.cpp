// Exception handlers: throw and throw_ref, and the unwinder. An exception walks the heap
// call stack outwards, frame by frame, looking up each function's try regions (FuncCode::
// regions) at the cell the frame stopped at; no native exception and no native stack is
// involved, so a throw across 100,000 frames is a loop over 100,000 records, and a guest
// suspended in a host call throws as well as a running one.
#include "exec/support.h"

namespace corowasm::detail {

namespace {

// The clause of `code` that catches `exn` at `cell`, running in `inst`; nullptr when none.
const FuncCode::Catch* find_catch(const FuncCode& code, uint32_t cell, const InstanceData& inst, const ExnInst* exn) {
  uint32_t max_level = UINT32_MAX;  // lowered by delegates: the regions still in play
  for (const FuncCode::TryRegion& r : code.regions) {  // innermost first among those covering cell
    if (cell < r.start || cell >= r.end || r.level > max_level) continue;
    if (r.delegate_level != FuncCode::TryRegion::kNoDelegate) {
      max_level = std::min(max_level, r.delegate_level);
      continue;
    }
    for (uint32_t i = r.first_catch; i < r.first_catch + r.num_catches; ++i) {
      const FuncCode::Catch& c = code.catches[i];
      if (c.tag == FuncCode::Catch::kAnyTag || inst.tags[c.tag] == exn->tag) return &c;
    }
  }
  return nullptr;
}

}  // namespace

bool unwind(Thread* t, const Cell* ip, Slot* fp, ExnInst* exn, ThrowFrom from) {
  InstanceData* inst = t->inst;
  bool return_address = from != ThrowFrom::Instruction;
  bool skip = from == ThrowFrom::HostTailCall;
  for (Frame* f = t->frame_top; f != t->frames; --f) {
    const Frame& fr = f[-1];
    const FuncCode& code = *fr.func;
    if (!code.regions.empty() && !skip) {
      // A return address belongs to the call before it.
      ptrdiff_t cell = (ip - code.code.data()) - (return_address ? 1 : 0);
      if (cell >= 0 && size_t(cell) < code.code.size()) {
        if (const FuncCode::Catch* c = find_catch(code, uint32_t(cell), *inst, exn)) {
          if (c->tag != FuncCode::Catch::kAnyTag && !exn->payload.empty())
            std::memcpy(fp + c->payload_slot, exn->payload.data(), exn->payload.size() * sizeof(Slot));
          if (c->exn_slot != FuncCode::Catch::kNoSlot) fp[c->exn_slot] = reinterpret_cast<uint64_t>(exn);
          t->frame_top = f;
          t->ip = code.code.data() + c->target;
          t->fp = fp;
          t->inst = inst;
          t->bulk_ip = nullptr;
          return true;
        }
      }
    }
    skip = false;
    if (fr.ret_ip == kReturnToHost) return false;  // the call's entry frame: the host is next
    ip = fr.ret_ip;
    fp = fr.ret_fp;
    inst = fr.ret_inst;
    return_address = true;
  }
  return false;
}

// Continue at the handler, or leave the chain when the exception escapes this call.
#define CW_THROW(exn)                                                          \
  do {                                                                         \
    if (!unwind(t, ip, fp, (exn), ThrowFrom::Instruction)) {                   \
      t->ip = ip;                                                              \
      t->fp = fp;                                                              \
      t->exception = (exn);                                                    \
      return Exit::Exception;                                                  \
    }                                                                          \
    ip = t->ip;                                                                \
    fp = t->fp;                                                                \
    load_memory(t->inst, mem, memsize);                                        \
    CW_MUSTTAIL return next(ip, fp, mem, memsize, t, acc);                     \
  } while (0)

CW_HANDLER(h_throw) {
  CW_SPEND_CALL();  // a throw caught by an enclosing loop's label is a loop iteration
  auto a = imm<ImmIdxS>(ip);
  TagInst* tag = t->inst->tags[a.idx];
  t->ip = ip;  // the collector's roots: this frame is live up to its last slot
  t->fp = fp;
  ExnInst* exn = t->store->new_exception(tag);
  if (!exn) [[unlikely]]
    CW_TRAP(TrapKind::ExceptionLimit);
  if (tag->payload_slots) std::memcpy(exn->payload.data(), fp + a.s, tag->payload_slots * sizeof(Slot));
  CW_THROW(exn);
}

CW_HANDLER(h_throw_ref) {
  CW_SPEND_CALL();
  auto* exn = reinterpret_cast<ExnInst*>(fp[imm<ImmSD>(ip).s]);
  if (!exn) [[unlikely]]
    CW_TRAP(TrapKind::NullReference);
  CW_THROW(exn);
}

}  // namespace corowasm::detail
