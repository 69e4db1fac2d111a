// The driver's entry into a handler chain: the tail backend jumps in once; the loop backend
// runs one handler per iteration (and can count handler pairs, COROWASM_PROFILE_PAIRS).
#include "exec/dispatch.h"

#include <algorithm>
#include <cstdio>
#include <map>
#include <string>
#include <vector>

#include "exec/disasm.h"
#include "exec/support.h"

namespace corowasm::detail {

// ---- the driver's entry into the chain ----

Exit run(Thread* t) {
  uint8_t* mem = nullptr;
  uint64_t memsize = 0;
  if (t->inst) load_memory(t->inst, mem, memsize);
#if COROWASM_DISPATCH_TAIL
  return t->ip->handler(t->ip, t->fp, mem, memsize, t, 0);
#else
  Exit e;
  t->mem = mem;
  t->memsize = memsize;
#if COROWASM_PROFILE_PAIRS
  // Counts which handler follows which, to choose fusions by measurement (loop backend only).
  static std::map<std::pair<Handler, Handler>, uint64_t> pairs;
  static struct Dump {
    ~Dump() {
      std::vector<std::pair<uint64_t, std::string>> v;
      for (auto& [k, c] : pairs) v.emplace_back(c, std::string(handler_name(k.first)) + " -> " + handler_name(k.second));
      std::sort(v.rbegin(), v.rend());
      uint64_t total = 0;
      for (auto& e : v) total += e.first;
      std::fprintf(stderr, "%12llu  handlers executed\n", (unsigned long long)total);
      for (size_t i = 0; i < v.size() && i < 60; ++i)
        std::fprintf(stderr, "%12llu  %s\n", (unsigned long long)v[i].first, v[i].second.c_str());
    }
  } dump;
  Handler prev = nullptr;
  do {
    Handler h = t->ip->handler;
    ++pairs[{prev, h}];
    prev = h;
    e = h(t->ip, t->fp, t->mem, t->memsize, t, t->acc);
  } while (e == Exit::Continue);
  return e;
#else
  do {
    e = t->ip->handler(t->ip, t->fp, t->mem, t->memsize, t, t->acc);
  } while (e == Exit::Continue);
  return e;
#endif
#endif
}

}  // namespace corowasm::detail

