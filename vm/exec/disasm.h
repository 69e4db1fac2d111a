// The disassembler (`corowasm inspect --disassemble`, tests).
#pragma once

#include <string>

#include "isa/code.h"

namespace corowasm::detail {

struct FuncCode;
// Name of a handler for the disassembler ("?" when unknown).
const char* handler_name(Handler h);
// One line per instruction: cell index, handler name, immediates as 32-bit words.
std::string disassemble(const FuncCode& f);


}  // namespace corowasm::detail
