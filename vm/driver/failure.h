// What a caught exception means, decided in one place for both layers that translate one: the
// driver, where a host function that throws traps its guest (ResumableCall::fail_host), and
// the async layer, where a failed call completes with an error_code (async/async.cpp, which
// checks Asio's own system_error first and maps the rest from here).
#pragma once

#include <corowasm/corowasm.h>

#include <cstdint>
#include <exception>

namespace corowasm::detail {

struct Failure {
  // What was thrown, most specific first.
  enum class Origin : uint8_t {
    Trap,       // a Trap
    LinkError,  // imports that do not resolve or match (instantiation)
    Error,      // any other corowasm::Error (a call with wrong arguments, say)
    Std,        // any other std::exception
    Unknown,    // not a std::exception
  };
  Origin origin;
  // The trap it is or becomes: a Trap as it was thrown (kind, message, backtrace); anything
  // else TrapKind::Host with its what(), or "host function threw a non-standard exception".
  Trap trap;
};

// `error` must hold an exception.
Failure failure_of(std::exception_ptr error);

}  // namespace corowasm::detail
