// The driver's entry into a handler chain: the tail backend jumps in once; the loop backend
// runs one handler per iteration (and can count handler pairs, COROWASM_PROFILE_PAIRS).
#include "exec/dispatch.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <unordered_map>
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
  // Counts how often each handler runs and which handler follows which, to choose fusions by
  // measurement (loop backend only, one thread: the counts are not synchronised). Printed at exit:
  // the top handlers and pairs
  // (COROWASM_PROFILE_TOP lines each, default 60).
  struct PairHash {
    size_t operator()(const std::pair<Handler, Handler>& p) const {
      return std::hash<const void*>()(reinterpret_cast<const void*>(p.first)) * 31 +
             std::hash<const void*>()(reinterpret_cast<const void*>(p.second));
    }
  };
  static std::unordered_map<std::pair<Handler, Handler>, uint64_t, PairHash> pairs;
  static struct Dump {
    ~Dump() {
      const char* top_env = std::getenv("COROWASM_PROFILE_TOP");
      size_t top = top_env ? size_t(std::strtoul(top_env, nullptr, 10)) : 60;
      std::unordered_map<Handler, uint64_t> singles;
      std::vector<std::pair<uint64_t, std::string>> v;
      uint64_t total = 0;
      for (auto& [k, c] : pairs) {
        v.emplace_back(c, std::string(handler_name(k.first)) + " -> " + handler_name(k.second));
        singles[k.second] += c;
        total += c;
      }
      std::vector<std::pair<uint64_t, std::string>> h;
      for (auto& [k, c] : singles) h.emplace_back(c, handler_name(k));
      std::sort(v.rbegin(), v.rend());
      std::sort(h.rbegin(), h.rend());
      std::fprintf(stderr, "%12llu  handlers executed\n", (unsigned long long)total);
      for (size_t i = 0; i < h.size() && i < top; ++i)
        std::fprintf(stderr, "%12llu %5.2f%%  %s\n", (unsigned long long)h[i].first, 100.0 * h[i].first / total,
                     h[i].second.c_str());
      std::fprintf(stderr, "pairs:\n");
      for (size_t i = 0; i < v.size() && i < top; ++i)
        std::fprintf(stderr, "%12llu %5.2f%%  %s\n", (unsigned long long)v[i].first, 100.0 * v[i].first / total,
                     v[i].second.c_str());
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

