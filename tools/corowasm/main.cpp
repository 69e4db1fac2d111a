// corowasm: the command-line runner.
//   corowasm run [--invoke NAME] FILE.wasm [ARGS...]   (options before the file, as in wasmtime)
//   corowasm validate FILE.wasm
#include <corowasm/corowasm.h>

// The runner is part of corowasm itself: `disasm` reads the compiled code directly.
#include "handlers.h"
#include "module.h"

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <iterator>
#include <string>
#include <vector>

namespace {

constexpr const char* kUsage =
    "usage: corowasm <command> [options]\n"
    "\n"
    "commands:\n"
    "  run [--invoke NAME] FILE.wasm [ARGS...]\n"
    "      Instantiate FILE.wasm and call the export NAME (default: _start) with ARGS\n"
    "      parsed by the export's parameter types; print the results, one per line.\n"
    "      Options go before the file; everything after it belongs to the guest.\n"
    "  validate FILE.wasm\n"
    "      Decode and validate FILE.wasm; print \"valid\" or the error.\n"
    "  disasm FILE.wasm\n"
    "      Print the threaded code compiled for every defined function.\n"
    "  --help\n"
    "      Show this text.\n"
    "\n"
    "exit status: 0 on success, 1 on usage or load errors, 2 when the guest traps.\n";

std::vector<uint8_t> read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw corowasm::Error("cannot open " + path + ": " + std::strerror(errno));
  return std::vector<uint8_t>(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

corowasm::Value parse_arg(const std::string& s, corowasm::ValType t) {
  using corowasm::Value;
  using corowasm::ValType;
  char* end = nullptr;
  errno = 0;
  Value v;
  switch (t) {
    case ValType::I32: {
      long long x = std::strtoll(s.c_str(), &end, 0);
      if (x < INT32_MIN || x > UINT32_MAX) errno = ERANGE;
      v = Value::i32(int32_t(uint32_t(x)));
      break;
    }
    case ValType::I64: {
      if (!s.empty() && s[0] != '-') v = Value::i64(int64_t(std::strtoull(s.c_str(), &end, 0)));
      else v = Value::i64(std::strtoll(s.c_str(), &end, 0));
      break;
    }
    case ValType::F32: v = Value::f32(std::strtof(s.c_str(), &end)); break;
    case ValType::F64: v = Value::f64(std::strtod(s.c_str(), &end)); break;
    default: throw corowasm::Error("cannot pass an argument of type " + std::string(to_string(t)) + " from the command line");
  }
  if (end == s.c_str() || *end != '\0' || errno == ERANGE)
    throw corowasm::Error("argument \"" + s + "\" is not a valid " + to_string(t));
  return v;
}

int cmd_run(int argc, char** argv) {
  std::string invoke = "_start";
  int i = 0;
  for (; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--invoke" && i + 1 < argc) {
      invoke = argv[++i];
    } else if (a.rfind("--invoke=", 0) == 0) {
      invoke = a.substr(9);
    } else if (a.size() > 1 && a[0] == '-') {
      std::cerr << "corowasm run: unknown option " << a << "\n" << kUsage;
      return 1;
    } else {
      break;
    }
  }
  if (i >= argc) {
    std::cerr << "corowasm run: missing FILE.wasm\n" << kUsage;
    return 1;
  }
  std::string file = argv[i++];
  try {
    corowasm::Engine engine;
    corowasm::Module module = engine.compile(read_file(file));
    corowasm::Instance inst = module.instantiate();
    corowasm::Func f = inst.func(invoke);
    if (!f) {
      std::cerr << "corowasm run: " << file << " exports no function named \"" << invoke << "\"\n";
      return 1;
    }
    const auto& params = f.type().params;
    if (size_t(argc - i) != params.size()) {
      std::cerr << "corowasm run: " << invoke << " takes " << params.size() << " argument(s) "
                << to_string(f.type()) << ", got " << (argc - i) << "\n";
      return 1;
    }
    std::vector<corowasm::Value> args;
    for (size_t k = 0; k < params.size(); ++k) args.push_back(parse_arg(argv[i + k], params[k]));
    for (const corowasm::Value& r : f.call_sync(args)) std::cout << to_string(r) << "\n";
    return 0;
  } catch (const corowasm::Trap& t) {
    std::cerr << "trap: " << t.what() << "\n";
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "corowasm run: " << e.what() << "\n";
    return 1;
  }
}

int cmd_validate(int argc, char** argv) {
  if (argc != 1) {
    std::cerr << kUsage;
    return 1;
  }
  try {
    corowasm::Engine engine;
    engine.compile(read_file(argv[0]));
    std::cout << "valid\n";
    return 0;
  } catch (const std::exception& e) {
    std::cerr << argv[0] << ": " << e.what() << "\n";
    return 1;
  }
}

int cmd_disasm(int argc, char** argv) {
  if (argc != 1) {
    std::cerr << kUsage;
    return 1;
  }
  try {
    corowasm::Engine engine;
    corowasm::Module module = engine.compile(read_file(argv[0]));
    for (auto& code : module.data()->codes) std::cout << corowasm::detail::disassemble(*code);
    corowasm::ModuleStats st = module.stats();
    std::cout << st.functions << " functions, " << st.wasm_code_bytes << " bytes of wasm code -> "
              << st.compiled_code_bytes << " bytes of threaded code\n";
    return 0;
  } catch (const std::exception& e) {
    std::cerr << argv[0] << ": " << e.what() << "\n";
    return 1;
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2 || std::string(argv[1]) == "--help" || std::string(argv[1]) == "-h" || std::string(argv[1]) == "help") {
    std::cout << kUsage;
    return argc < 2 ? 1 : 0;
  }
  std::string cmd = argv[1];
  if (cmd == "run") return cmd_run(argc - 2, argv + 2);
  if (cmd == "validate") return cmd_validate(argc - 2, argv + 2);
  if (cmd == "disasm") return cmd_disasm(argc - 2, argv + 2);
  std::cerr << "corowasm: unknown command \"" << cmd << "\"\n" << kUsage;
  return 1;
}
