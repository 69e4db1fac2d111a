// Value types of the binary format. (The registry of function signatures is decode/module.h.)
#pragma once

#include <corowasm/corowasm.h>

#include "decode/reader.h"

namespace corowasm::detail {

// Read a value type byte; throws "malformed value type" style errors.
ValType read_val_type(Reader& r);
ValType read_ref_type(Reader& r);

}  // namespace corowasm::detail
