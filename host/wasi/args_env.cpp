// args_get, args_sizes_get, environ_get, environ_sizes_get: NUL-terminated strings packed into
// one guest buffer, with a pointer array beside it.
#include "functions.h"

namespace corowasm::wasi {

using namespace abi;

namespace {

uint32_t sizes(Caller& c, const std::vector<std::string>& strings, uint32_t count_ptr, uint32_t size_ptr) {
  GuestMem mem(c);
  uint64_t bytes = 0;
  for (const std::string& s : strings) bytes += s.size() + 1;
  if (bytes > UINT32_MAX) return ERRNO_2BIG;
  mem.store<uint32_t>(count_ptr, uint32_t(strings.size()));
  mem.store<uint32_t>(size_ptr, uint32_t(bytes));
  return ERRNO_SUCCESS;
}

uint32_t get(Caller& c, const std::vector<std::string>& strings, uint32_t ptrs, uint32_t buf) {
  GuestMem mem(c);
  for (size_t i = 0; i < strings.size(); ++i) {
    const std::string& s = strings[i];
    auto out = mem.bytes(buf, uint32_t(s.size() + 1));
    std::memcpy(out.data(), s.c_str(), s.size() + 1);
    mem.store<uint32_t>(ptrs + uint32_t(i) * 4, buf);
    buf += uint32_t(s.size() + 1);
  }
  return ERRNO_SUCCESS;
}

}  // namespace

uint32_t impl::args_sizes_get(State& st, Caller& c, uint32_t argc, uint32_t size) {
  return sizes(c, st.config.args, argc, size);
}
uint32_t impl::args_get(State& st, Caller& c, uint32_t argv, uint32_t buf) { return get(c, st.config.args, argv, buf); }
uint32_t impl::environ_sizes_get(State& st, Caller& c, uint32_t n, uint32_t size) {
  return sizes(c, st.config.env, n, size);
}
uint32_t impl::environ_get(State& st, Caller& c, uint32_t env, uint32_t buf) { return get(c, st.config.env, env, buf); }

}  // namespace corowasm::wasi
