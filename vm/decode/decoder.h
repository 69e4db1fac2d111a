// The incremental module decoder: a push parser. Feed it bytes in any chunking (one byte at a
// time included); it parses each section once its payload is complete and hands each
// function body to its consumer (the compiler: compile/module_compiler.h) as soon as that
// body's last byte arrives, so a module
// streamed from a socket compiles while it downloads. Results and errors do not depend on the
// chunking: a unit is parsed only once all of its bytes are here, or at finish().
#pragma once

#include <corowasm/corowasm.h>

#include <functional>
#include <memory>
#include <span>

#include "decode/module.h"

namespace corowasm::detail {

// A section id's name in the binary format ("custom", "type", ..., "datacount"); nullptr for
// an id the format does not know.
const char* section_name(uint8_t id);

struct SectionEvent {
  uint8_t id;             // 0 = custom, 1 = type, ... 12 = data count
  size_t payload_offset;  // absolute offset of the payload's first byte
  size_t payload_size;
};

// Takes function body `func_index` (its bytes start at absolute offset `offset`) into its
// pre-allocated FuncCode `out`; throws DecodeError / ValidationError.
using BodyConsumer = void (*)(const ModuleData& m, uint32_t func_index, std::span<const uint8_t> body,
                              size_t offset, FuncCode& out);

class ModuleDecoder {
 public:
  ModuleDecoder(std::shared_ptr<const Config> config, BodyConsumer on_body);
  ~ModuleDecoder();

  // Consume more bytes. Throws DecodeError / ValidationError at the first problem; the decoder
  // is unusable afterwards.
  void feed(std::span<const uint8_t> bytes);
  // No more bytes: check completeness and return the module.
  std::shared_ptr<const ModuleData> finish();

  // Optional observers, called during feed().
  std::function<void(const SectionEvent&)> on_section;
  std::function<void(uint32_t func_index)> on_function_compiled;

  size_t bytes_received() const;

 private:
  struct State;
  BodyConsumer on_body_;
  std::unique_ptr<State> s_;
  bool step(bool at_eof);
};

}  // namespace corowasm::detail
