// Decoding and compiling together: a ModuleDecoder whose function bodies go to the validating
// compiler as they arrive. Engine::compile and the streaming compiler (async/) both use it.
#pragma once

#include <memory>
#include <span>

#include "compile/compiler.h"
#include "decode/decoder.h"

namespace corowasm::detail {

class ModuleCompiler : public ModuleDecoder {
 public:
  explicit ModuleCompiler(std::shared_ptr<const Config> config) : ModuleDecoder(std::move(config), &compile_function) {}
};

// The whole binary at once.
inline std::shared_ptr<const ModuleData> compile_module(std::shared_ptr<const Config> config,
                                                        std::span<const uint8_t> bytes) {
  ModuleCompiler c(std::move(config));
  c.feed(bytes);
  return c.finish();
}

}  // namespace corowasm::detail
