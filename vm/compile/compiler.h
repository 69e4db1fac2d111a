// The validating compiler: one walk over a function body that checks it against the spec's
// typing rules and emits slot-addressed threaded code. There is no other loader and no
// unchecked path.
#pragma once

#include <span>

#include "decode/module.h"

namespace corowasm::detail {

// Validate and compile the body of defined function `func_index` (its bytes start at
// absolute offset `offset`). Throws DecodeError (malformed) or ValidationError (invalid).
// `out` is the function's pre-allocated FuncCode (calls to later functions point at theirs).
void compile_function(const ModuleData& m, uint32_t func_index, std::span<const uint8_t> body, size_t offset,
                      FuncCode& out);

}  // namespace corowasm::detail
