// The incremental module decoder: a push parser. Feed it bytes in any chunking (one byte at a
// time included); it parses each section once its payload is complete and hands each
// function body to the compiler as soon as that body's last byte arrives, so a module
// streamed from a socket compiles while it downloads. Results and errors do not depend on the
// chunking: a unit is parsed only once all of its bytes are here, or at finish().
#pragma once

#include <corowasm/corowasm.h>

#include <functional>
#include <memory>
#include <span>

#include "module.h"

namespace corowasm::detail {

struct SectionEvent {
  uint8_t id;             // 0 = custom, 1 = type, ... 12 = data count
  size_t payload_offset;  // absolute offset of the payload's first byte
  size_t payload_size;
};

class ModuleDecoder {
 public:
  explicit ModuleDecoder(std::shared_ptr<const Config> config);
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
  std::unique_ptr<State> s_;
  bool step(bool at_eof);
};

}  // namespace corowasm::detail
