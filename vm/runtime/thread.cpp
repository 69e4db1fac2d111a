#include "runtime/thread.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>

#include "decode/module.h"
#include "runtime/store.h"

namespace corowasm::detail {

// ---- threads: the heap call stack ----

Thread::Thread(const Config& cfg, StoreData* s) : config(&cfg), store(s) {
  // Small to start (a suspended guest should cost little: every async call has a Thread of
  // its own); both grow on demand (grow() doubles them).
  size_t nframes = std::min<size_t>(2, cfg.max_call_depth);
  frames = static_cast<Frame*>(std::malloc(nframes * sizeof(Frame)));
  frame_top = frames;
  frame_end = frames + nframes;
  size_t nslots = std::min<size_t>(16, cfg.max_stack_bytes / sizeof(Slot));
  stack = static_cast<Slot*>(std::calloc(nslots, sizeof(Slot)));
  stack_end = stack + nslots;
  if (!frames || !stack) {
    std::free(frames);
    std::free(stack);
    throw std::bad_alloc();
  }
  if (store) store->threads.push_back(this);
}

Thread::~Thread() {
  if (store) std::erase(store->threads, this);
  std::free(frames);
  std::free(stack);
}

Slot* Thread::stack_top() const {
  if (frame_top == frames) return stack;
  return fp + frame_top[-1].func->frame_slots;
}

bool Thread::grow(Slot* base, uint64_t need_slots, bool need_frame) {
  if (need_frame && frame_top == frame_end) {
    size_t n = size_t(frame_end - frames);
    size_t cap = std::min<size_t>(n * 2, config->max_call_depth);
    if (cap <= n) return false;
    size_t top = size_t(frame_top - frames);
    auto* nf = static_cast<Frame*>(std::realloc(frames, cap * sizeof(Frame)));
    if (!nf) return false;
    frames = nf;
    frame_top = nf + top;
    frame_end = nf + cap;
  }
  uint64_t used = uint64_t(base - stack);
  if (used + need_slots > uint64_t(stack_end - stack)) {
    uint64_t limit = config->max_stack_bytes / sizeof(Slot);
    uint64_t want = std::max<uint64_t>(uint64_t(stack_end - stack) * 2, used + need_slots);
    want = std::min(want, limit);
    if (used + need_slots > want) return false;
    auto* ns = static_cast<Slot*>(std::realloc(stack, want * sizeof(Slot)));
    if (!ns) return false;
    // Rebase every pointer into the value stack: they live only in frames and exit state,
    // because the stack grows only while no handler runs.
    auto rebase = [&](Slot*& p) {
      if (p) p = ns + (p - stack);
    };
    for (Frame* f = frames; f != frame_top; ++f) rebase(f->ret_fp);
    rebase(fp);
    rebase(host_args);
    if (bulk_ip) rebase(bulk_fp);
    stack = ns;
    stack_end = ns + want;
  }
  return true;
}

}  // namespace corowasm::detail
