// The one resumable call: every way into Wasm code — Func::call_sync, the async driver
// (async/), start functions and a host function calling back into its guest — runs through a
// ResumableCall, so fuel, time slices, the deadline, call depth, re-entry depth and stack limits
// are applied here and nowhere else.
//
//   ResumableCall call(store, f, args, limits);      // begin: check arguments, push the entry frame
//   for (;;) switch (call.resume()) {
//     case CallStatus::Done:       return call.take_results();
//     case CallStatus::Trap:       call.throw_failure();   // the Trap, or the escaped Exception
//     case CallStatus::HostCall:   call.run_host(); break;          // a synchronous import
//     case CallStatus::Suspend:    ... await it ...; call.complete_host(results); break;
//     case CallStatus::OutOfSlice: ... yield ...; break;
//   }
//
// The call owns its place on the heap call stack: frames it pushed are popped when it
// finishes, traps or is destroyed (a cancelled async call), so the Thread is reusable.
#pragma once

#include <chrono>
#include <exception>
#include <memory>
#include <optional>
#include <span>
#include <vector>

#include "exec/frames.h"
#include "runtime/store.h"

namespace corowasm::detail {

using Clock = std::chrono::steady_clock;

struct CallLimits {
  // Yield (CallStatus::OutOfSlice) after this many fuel units; 0: never (a synchronous call).
  uint64_t slice = 0;
  // This call's own fuel budget (the Store's budget applies as well); empty: unlimited.
  std::optional<uint64_t> fuel;
  // Wall-clock end of this call, checked at every slice boundary and armed by the async
  // driver as a timer around every suspension.
  std::optional<Clock::time_point> deadline;
};

enum class CallStatus {
  Done,        // results() are ready
  HostCall,    // the guest called a synchronous host function: run_host(), then resume()
  Suspend,     // the guest called a suspending (async) host function: await it, then
               // complete_host() or fail_host(), then resume()
  OutOfSlice,  // the slice is spent, budget and deadline are not: yield, then resume()
  Trap,        // trap() says why (an escaped Wasm exception too: exception()); the call is over
};

class ResumableCall {
 public:
  // Begin a call of `f` (Wasm or host function) in `store`. On `thread` when given (its
  // frames go above whatever is there: a re-entry), else on a Thread of its own (an async
  // call: the guest's whole state then lives in this object). Nested in `parent` when given
  // (an async host function calling back into its guest), else in the call whose synchronous
  // host function is running, if any. Throws Error for wrong arguments; a call that cannot
  // even start (re-entry too deep, no stack) ends as a Trap.
  ResumableCall(StoreData& store, FuncInst* f, std::span<const Value> args, const CallLimits& limits,
                Thread* thread = nullptr, ResumableCall* parent = nullptr);
  ~ResumableCall();
  ResumableCall(const ResumableCall&) = delete;
  ResumableCall& operator=(const ResumableCall&) = delete;

  CallStatus resume();

  // ---- HostCall / Suspend ----
  FuncInst* host_callee() const { return host_.callee; }
  std::vector<Value> host_args() const;
  Caller caller();
  // HostCall: run the synchronous host function; a failure ends the call with a Trap.
  void run_host();
  // Suspend: the awaited host function returned (results are type-checked) or failed (any
  // exception: a Trap passes through, others become TrapKind::Host with their message).
  void complete_host(std::span<const Value> results);
  void fail_host(std::exception_ptr error);

  // ---- Done / Trap ----
  std::vector<Value> take_results() { return std::move(results_); }
  const Trap& trap() const { return *trap_; }
  // The Wasm exception that escaped the call (trap() is then its Trap: UncaughtException).
  const Exception* exception() const { return exception_.get(); }
  // Throw what ended the call: the Exception, else the Trap.
  [[noreturn]] void throw_failure() const;

  const CallLimits& limits() const { return limits_; }
  Thread* thread() const { return t_; }
  // Spend `units` of this call's budgets (and of every call it is nested in): a host function
  // doing bulk work on the guest's behalf. Running out traps at the next resume().
  void charge(uint64_t units);


 private:
  enum class State { Running, InHost, Finished };
  void fail(Trap trap);
  void fail(Exception exception);
  // A Wasm exception raised at the host call the guest stopped at: true when a handler of
  // the guest caught it (the call runs on from there).
  bool raise_at_host_call(const Exception& x);
  uint64_t settle();  // charge what the last run spent; returns it
  void finish();  // pop what the call pushed
  void enter_sync_host();
  void leave_host();
  void orphan();

  StoreData& store_;
  std::optional<Thread> own_thread_;  // in this object: an async call's whole guest state
  Thread* t_;
  CallLimits limits_;
  ResumableCall* parent_;  // the call whose host function began this one, if any
  // The call nested in this one, if any (a re-entry above this call's frames), and the one
  // that was nested in parent_ before this one. Calls nest last in, first out; when a call
  // dies first anyway (an abandoned asynchronous guest), what was nested in it is orphaned:
  // its frames died with the stack they were on, so it no longer touches them.
  ResumableCall* child_ = nullptr;
  ResumableCall* parent_child_ = nullptr;
  ResumableCall* saved_in_host_ = nullptr;  // StoreData::in_host before run_host set it
  bool owe_yield_ = false;  // the slice ran out at a host call: yield before the next one
  uint32_t reentry_ = 0;   // how many calls this one is nested in
  State state_ = State::Running;

  FuncInst* func_;
  CallState cs_{};
  bool pushed_ = false;      // cs_ is live: frames to pop
  bool host_entry_ = false;  // `f` itself is a host function
  std::vector<Value> entry_args_;

  std::optional<uint64_t> budget_;  // what is left of limits_.fuel
  int64_t given_ = 0;               // t_->fuel at the start of the current run
  uint64_t slice_left_ = 0;         // of the current slice; 0: a new slice begins
  HostCallState host_{};
  std::vector<Value> results_;
  // What ended the call, when it failed: on the heap, so that a suspended guest's frame (which
  // holds this object) does not carry room for them.
  std::unique_ptr<Trap> trap_;
  std::unique_ptr<Exception> exception_;
};

// Run `f` to completion on the store's synchronous thread (a re-entry when a host function of
// this store is running); host calls are serviced inline. Throws Trap.
std::vector<Value> call_sync(StoreData& store, FuncInst* f, std::span<const Value> args, const CallLimits& limits = {});


}  // namespace corowasm::detail
