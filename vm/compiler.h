// The validating compiler: one walk over a function body that checks it against the spec's
// typing rules and emits slot-addressed threaded code. There is no other loader and no
// unchecked path.
#pragma once

#include <span>

#include "module.h"
#include "reader.h"

namespace corowasm::detail {

// Validate and compile the body of defined function `func_index` (its bytes start at
// absolute offset `offset`). Throws DecodeError (malformed) or ValidationError (invalid).
// `out` is the function's pre-allocated FuncCode (calls to later functions point at theirs).
void compile_function(const ModuleData& m, uint32_t func_index, std::span<const uint8_t> body, size_t offset,
                      FuncCode& out);

// Parse and validate a constant expression of type `expected`, up to and including `end`.
// `visible_globals` is how many globals it may read (the spec's C' for global initialisers).
ConstExpr read_const_expr(Reader& r, const ModuleData& m, ValType expected, uint32_t visible_globals);

// Read a value type byte; throws "malformed value type" style errors.
ValType read_val_type(Reader& r);
ValType read_ref_type(Reader& r);

}  // namespace corowasm::detail
