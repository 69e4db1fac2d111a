// The door to the VM's internals for corowasm's own layers (async/, tools/, tests, bench): the
// one header they include instead of vm/ paths, through the corowasm::vm_internal target. Not a
// stable API and never installed; applications use corowasm.h (and async.h, bind.h,
// bind_async.h, wasi.h).
//
// What it opens:
//   driver/call.h             ResumableCall and call_sync: the one resumable call; with it the
//                             store objects (runtime/store.h) and the call steps (exec/frames.h)
//   driver/failure.h          failure_of: what a caught exception means (its trap, its origin)
//   runtime/handles.h         detail::Access: the internals behind a public handle
//   compile/module_compiler.h ModuleCompiler (streaming decode + compile), compile_module
//   exec/disasm.h             disassemble, handler_name
#pragma once

#include <corowasm/corowasm.h>

#include "compile/module_compiler.h"
#include "driver/call.h"
#include "driver/failure.h"
#include "exec/disasm.h"
#include "runtime/handles.h"
