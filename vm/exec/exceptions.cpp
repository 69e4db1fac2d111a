// Exception handlers: throw and throw_ref, and the unwinder. An exception walks the heap
// call stack outwards, frame by frame, looking up each function's try regions (FuncCode::
// regions) at the cell the frame stopped at; no native exception and no native stack is
// involved, so a throw across 100,000 frames is a loop over 100,000 records, a guest suspended
// in a host call throws as well as a running one, and an unwind that is long (hostile code)
// spends fuel and can stop and go on like any other work.
#include <algorithm>

#include "exec/support.h"

namespace corowasm::detail {

namespace {

using Region = FuncCode::TryRegion;
constexpr uint32_t kFresh = UINT32_MAX;

// The last region of `code` opened at or before `cell` (its starts ascend), or kNone: the
// innermost region covering the cell is it or one of its parents.
uint32_t last_region_at(const FuncCode& code, uint32_t cell) {
  auto it = std::upper_bound(code.regions.begin(), code.regions.end(), cell,
                             [](uint32_t c, const Region& r) { return c < r.start; });
  return it == code.regions.begin() ? Region::kNone : uint32_t(it - code.regions.begin() - 1);
}

// One unit of work; true when the fuel ran out with it (checked every kUnwindWorkPerUnit units,
// so each resumption makes progress first).
[[gnu::always_inline]] inline bool spend(Thread* t, uint32_t& work) {
  return ++work % kUnwindWorkPerUnit == 0 && --t->fuel < 0;
}

Unwound walk(Thread* t, Slot* fp, Thread::Unwind c) {
  InstanceData* inst = t->inst;
  uint32_t work = 0;
  auto interrupt = [&](Frame* f) {
    t->frame_top = f;  // the frames passed are done with
    t->fp = fp;
    t->inst = inst;
    t->unwind = c;
    t->ip = kResumeUnwind;
    return Unwound::Interrupted;
  };
  for (Frame* f = t->frame_top; f != t->frames; --f) {
    if (c.region == kFresh && spend(t, work)) return interrupt(f);
    const Frame& fr = f[-1];
    const FuncCode& code = *fr.func;
    ptrdiff_t cell = (c.pc - code.code.data()) - (c.at_return ? 1 : 0);  // a return address: the call
    if (!c.skip && !code.regions.empty() && cell >= 0 && size_t(cell) < code.code.size()) {
      uint32_t r = c.region == kFresh ? last_region_at(code, uint32_t(cell)) : c.region;
      uint32_t k = c.clause;
      while (r != Region::kNone) {
        const Region& R = code.regions[r];
        bool applies = uint32_t(cell) >= R.start && uint32_t(cell) < R.end && R.level <= c.max_level;
        if (applies && R.delegate_level != Region::kNoDelegate) {
          c.max_level = std::min(c.max_level, R.delegate_level);  // regions inside the target are passed
          applies = false;
        }
        for (; applies && k < R.num_catches; ++k) {
          if (spend(t, work)) {
            c.region = r;
            c.clause = k;
            return interrupt(f);
          }
          const FuncCode::Catch& cc = code.catches[R.first_catch + k];
          if (cc.tag != FuncCode::Catch::kAnyTag && inst->tags[cc.tag] != c.exn->tag) continue;
          if (cc.tag != FuncCode::Catch::kAnyTag && !c.exn->payload.empty())
            std::memcpy(fp + cc.payload_slot, c.exn->payload.data(), c.exn->payload.size() * sizeof(Slot));
          if (cc.exn_slot != FuncCode::Catch::kNoSlot) fp[cc.exn_slot] = reinterpret_cast<uint64_t>(c.exn);
          t->frame_top = f;
          t->ip = code.code.data() + cc.target;
          t->fp = fp;
          t->inst = inst;
          t->bulk_ip = nullptr;
          t->unwind.exn = nullptr;
          return Unwound::Caught;
        }
        k = 0;
        r = R.parent;
        if (r != Region::kNone && spend(t, work)) {
          c.region = r;
          c.clause = 0;
          return interrupt(f);
        }
      }
    }
    c.skip = false;
    c.region = kFresh;
    c.clause = 0;
    c.max_level = UINT32_MAX;
    if (fr.ret_ip == kReturnToHost) break;  // the call's entry frame: the host is next
    c.pc = fr.ret_ip;
    fp = fr.ret_fp;
    inst = fr.ret_inst;
    c.at_return = true;
  }
  t->unwind.exn = nullptr;
  return Unwound::Escaped;
}

}  // namespace

Unwound unwind(Thread* t, const Cell* ip, Slot* fp, ExnInst* exn, ThrowFrom from) {
  Thread::Unwind c;
  c.exn = exn;
  c.pc = ip;
  c.at_return = from != ThrowFrom::Instruction;
  c.skip = from == ThrowFrom::HostTailCall;
  return walk(t, fp, c);
}

// After the unwind: on at the handler, or out of the chain.
#define CW_AFTER_UNWIND(u, exn)                                                \
  do {                                                                         \
    if ((u) == Unwound::Caught) {                                              \
      ip = t->ip;                                                              \
      fp = t->fp;                                                              \
      load_memory(t->inst, mem, memsize);                                      \
      CW_MUSTTAIL return next(ip, fp, mem, memsize, t, acc);                   \
    }                                                                          \
    if ((u) == Unwound::Interrupted) return Exit::OutOfFuel;                   \
    t->exception = (exn);                                                      \
    return Exit::Exception;                                                    \
  } while (0)

CW_HANDLER(h_throw) {
  CW_SPEND_CALL();  // a throw caught by an enclosing loop's label is a loop iteration
  auto a = imm<ImmIdxS>(ip);
  TagInst* tag = t->inst->tags[a.idx];
  t->ip = ip;  // the collector's roots (this frame is live up to its last slot); and where an
  t->fp = fp;  // escaping exception was thrown
  ExnInst* exn = t->store->new_exception(tag);
  if (!exn) [[unlikely]]
    CW_TRAP(TrapKind::ExceptionLimit);
  if (tag->payload_slots) std::memcpy(exn->payload.data(), fp + a.s, tag->payload_slots * sizeof(Slot));
  Unwound u = unwind(t, ip, fp, exn, ThrowFrom::Instruction);
  CW_AFTER_UNWIND(u, exn);
}

CW_HANDLER(h_throw_ref) {
  CW_SPEND_CALL();
  auto* exn = reinterpret_cast<ExnInst*>(fp[imm<ImmSD>(ip).s]);
  if (!exn) [[unlikely]]
    CW_TRAP(TrapKind::NullReference);
  t->ip = ip;
  t->fp = fp;
  Unwound u = unwind(t, ip, fp, exn, ThrowFrom::Instruction);
  CW_AFTER_UNWIND(u, exn);
}

CW_HANDLER(h_resume_unwind) {
  Thread::Unwind c = t->unwind;
  Unwound u = walk(t, fp, c);
  if (u == Unwound::Escaped) t->ip = c.pc;  // the backtrace starts where the unwind stopped
  CW_AFTER_UNWIND(u, c.exn);
}

constinit const Cell kResumeUnwind[1] = {Cell{.handler = &h_resume_unwind}};

}  // namespace corowasm::detail
