// Constant expressions (global initialisers, segment offsets, element items): read and validated
// at decode time into a ConstExpr that instantiation evaluates.
#pragma once

#include "decode/module.h"
#include "decode/reader.h"

namespace corowasm::detail {

// Parse and validate a constant expression of type `expected`, up to and including `end`.
// `visible_globals` is how many globals it may read (the spec's C' for global initialisers).
ConstExpr read_const_expr(Reader& r, const ModuleData& m, ValType expected, uint32_t visible_globals);

}  // namespace corowasm::detail
