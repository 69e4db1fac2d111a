#include "driver/call.h"

#include "driver/failure.h"
#include "exec/dispatch.h"
#include "runtime/handles.h"

#include <pthread.h>

#include <algorithm>
#include <memory>

namespace corowasm::detail {

namespace {

// A synchronous call with a deadline but no slices still looks at the clock this often.
constexpr uint64_t kDeadlineCheckUnits = 10'000;

// Native stack a re-entry must leave for the host function, the driver and the unwinder.
constexpr size_t kNativeStackReserve = 64 * 1024;

// Whether the native stack has room for one more re-entry. Unknown stacks (a fiber's, where
// the frame address lies outside the thread's own stack) are left to the re-entry depth limit.
bool native_stack_has_room() {
  thread_local uintptr_t lo = 0, hi = 0;
  if (!hi) {
    pthread_attr_t attr;
    void* addr = nullptr;
    size_t size = 0;
    if (pthread_getattr_np(pthread_self(), &attr) == 0) {
      pthread_attr_getstack(&attr, &addr, &size);
      pthread_attr_destroy(&attr);
    }
    lo = uintptr_t(addr);
    hi = lo + size;
    if (!hi) hi = 1;  // unknown: never looked up again, never refuses
  }
  auto sp = uintptr_t(__builtin_frame_address(0));
  if (sp <= lo || sp >= hi) return true;
  return sp - lo > kNativeStackReserve;
}

void check_args(const StoreData& store, const FuncType& ft, std::span<const Value> args) {
  if (args.size() != ft.params.size())
    throw Error("wrong number of arguments: expected " + std::to_string(ft.params.size()) + ", got " +
                std::to_string(args.size()));
  for (size_t i = 0; i < args.size(); ++i)
    if (args[i].type != ft.params[i])
      throw Error("argument " + std::to_string(i) + " has the wrong type: expected " + to_string(ft.params[i]) +
                  ", got " + to_string(args[i].type));
  for (const Value& v : args) check_ref_owner(store, v);
}

}  // namespace

ResumableCall::ResumableCall(StoreData& store, FuncInst* f, std::span<const Value> args, const CallLimits& limits,
                             Thread* thread, ResumableCall* parent)
    : store_(store), limits_(limits), parent_(parent ? parent : store.in_host), func_(f) {
  check_args(store, *f->type, args);
  if (!thread) {
    own_thread_.emplace(store.limits, &store);
    thread = &*own_thread_;
  }
  t_ = thread;
  budget_ = limits_.fuel;
  if (parent_) {
    parent_child_ = parent_->child_;
    parent_->child_ = this;
    // A re-entry runs within what is left of the call it is nested in.
    reentry_ = parent_->reentry_ + 1;
    if (parent_->limits_.deadline && (!limits_.deadline || *parent_->limits_.deadline < *limits_.deadline))
      limits_.deadline = parent_->limits_.deadline;
    if (reentry_ > store.limits.max_reentry_depth || !native_stack_has_room()) {
      fail(Trap(TrapKind::CallStackExhausted));
      return;
    }
  }
  t_->bulk_ip = nullptr;
  if (!f->code) {
    host_entry_ = true;
    entry_args_.assign(args.begin(), args.end());
    return;
  }
  try {
    cs_ = begin_call(*t_, f, args);
    pushed_ = true;
  } catch (Trap& trap) {
    fail(std::move(trap));
  }
}

ResumableCall::~ResumableCall() {
  if (state_ == State::InHost) leave_host();
  finish();
  if (child_) child_->orphan();
  if (parent_) parent_->child_ = parent_child_;
}

void ResumableCall::orphan() {
  for (ResumableCall* c = this; c; c = c->child_) {
    c->pushed_ = false;
    c->t_ = nullptr;
  }
  parent_ = nullptr;
}

void ResumableCall::finish() {
  if (pushed_) end_call(*t_, cs_);
  pushed_ = false;
  if (t_) t_->bulk_ip = nullptr;
  state_ = State::Finished;
}

void ResumableCall::fail(Trap trap) {
  if (trap.backtrace().empty() && pushed_) {
    size_t omitted = 0;
    auto frames = backtrace(*t_, t_->ip, nullptr, &omitted);
    trap.set_backtrace(std::move(frames), omitted);
  }
  trap_ = std::make_unique<Trap>(std::move(trap));
  finish();
}

void ResumableCall::fail(Exception exception) {
  if (exception.backtrace().empty() && pushed_) {
    size_t omitted = 0;
    auto frames = backtrace(*t_, t_->ip, nullptr, &omitted);
    exception.set_backtrace(std::move(frames), omitted);
  }
  exception_ = std::make_unique<Exception>(std::move(exception));
  trap_ = std::make_unique<Trap>(static_cast<const Trap&>(*exception_));
  finish();
}

void ResumableCall::throw_failure() const {
  if (exception_) throw *exception_;
  throw *trap_;
}

bool ResumableCall::raise_at_host_call(const Exception& x) {
  // Where the guest stands: at the host call (a re-entry in between may have moved the thread on).
  t_->inst = host_.inst;
  t_->ip = host_.resume;
  t_->fp = t_->stack + host_.fp_off;
  t_->host_args = nullptr;
  ExnInst* exn = guest_exception(store_, x);  // throws Trap for a mismatching one
  if (!exn) throw Trap(TrapKind::ExceptionLimit);
  // Caught, or interrupted on its way (it goes on when the call resumes): the guest runs on.
  return unwind(t_, t_->ip, t_->fp, exn, host_.tail ? ThrowFrom::HostTailCall : ThrowFrom::HostCall) !=
         Unwound::Escaped;
}

void ResumableCall::charge(uint64_t units) {
  for (ResumableCall* c = this; c; c = c->parent_)
    if (c->budget_) *c->budget_ -= std::min(*c->budget_, units);
  if (store_.fuel) *store_.fuel -= std::min(*store_.fuel, units);
}

uint64_t ResumableCall::settle() {
  // given_ is in [1, INT64_MAX]; fuel may end below zero (a bulk instruction charges after its
  // work), so the difference is taken in unsigned arithmetic, where it always fits.
  int64_t left = t_->fuel;
  uint64_t spent = left >= given_ ? 0 : uint64_t(given_) - uint64_t(left);
  charge(spent);
  return spent;
}

CallStatus ResumableCall::resume() {
  if (trap_) return CallStatus::Trap;
  if (state_ == State::Finished) return CallStatus::Done;
  if (!t_) {  // orphaned: the stack it ran on is gone
    fail(Trap(TrapKind::Host, "the call this one was nested in has ended"));
    return CallStatus::Trap;
  }
  if (state_ == State::InHost) throw Error("resume: the host call has not completed");
  if (host_entry_) {
    // The call is a host function: it is its own first and only host call.
    host_ = HostCallState{nullptr, 0, 0, nullptr, func_};
    state_ = State::InHost;
    return func_->suspends ? CallStatus::Suspend : CallStatus::HostCall;
  }
  for (;;) {
    // The fuel this run may spend: the least of every budget it runs under.
    uint64_t avail = UINT64_MAX;
    for (ResumableCall* c = this; c; c = c->parent_)
      if (c->budget_) avail = std::min(avail, *c->budget_);
    if (store_.fuel) avail = std::min(avail, *store_.fuel);
    if (avail == 0) {
      fail(Trap(TrapKind::OutOfFuel));
      return CallStatus::Trap;
    }
    if (limits_.deadline && Clock::now() >= *limits_.deadline) {
      fail(Trap(TrapKind::Timeout));
      return CallStatus::Trap;
    }
    // A slice is spent across host calls: only a yield (or, unsliced, a clock check) renews it.
    // One that ran out exactly at a host call yields now, before the guest goes on.
    if (owe_yield_) {
      owe_yield_ = false;
      if (limits_.slice) return CallStatus::OutOfSlice;
    }
    if (slice_left_ == 0)
      slice_left_ = limits_.slice ? limits_.slice : limits_.deadline ? kDeadlineCheckUnits : UINT64_MAX;
    given_ = int64_t(std::min({avail, slice_left_, uint64_t(INT64_MAX)}));
    t_->fuel = given_;
    Exit e = run(t_);
    uint64_t spent = settle();
    slice_left_ -= std::min(slice_left_, spent);
    switch (e) {
      case Exit::Done:
        results_ = call_results(*t_, cs_);
        finish();
        return CallStatus::Done;
      case Exit::Trap:
        fail(Trap(t_->trap_kind, t_->trap_message));
        return CallStatus::Trap;
      case Exit::Exception:
        fail(host_exception(store_, t_->exception));
        t_->exception = nullptr;
        return CallStatus::Trap;
      case Exit::HostCall:
        host_ = save_host_call(*t_);
        state_ = State::InHost;
        if (slice_left_ == 0) owe_yield_ = true;
        return host_.callee->suspends ? CallStatus::Suspend : CallStatus::HostCall;
      case Exit::StackLimit:
        try {
          grow_for_call(*t_);
        } catch (Trap& trap) {
          fail(std::move(trap));
          return CallStatus::Trap;
        }
        break;
      case Exit::OutOfFuel:
        // Budgets and the deadline are checked at the top of the loop; a spent slice yields.
        if (limits_.slice && slice_left_ == 0) {
          bool budget_left = true;
          for (ResumableCall* c = this; c; c = c->parent_)
            if (c->budget_ && *c->budget_ == 0) budget_left = false;
          if (store_.fuel && *store_.fuel == 0) budget_left = false;
          bool in_time = !limits_.deadline || Clock::now() < *limits_.deadline;
          if (budget_left && in_time) return CallStatus::OutOfSlice;
        }
        break;
      case Exit::Continue: break;
    }
  }
}

std::vector<Value> ResumableCall::host_args() const {
  if (host_entry_) return entry_args_;
  std::vector<Value> args(host_.callee->type->params.size());
  read_host_args(*t_, args);
  return args;
}

Caller ResumableCall::caller() { return Access::make_caller(t_, host_.inst, this); }

void ResumableCall::enter_sync_host() {
  saved_in_host_ = store_.in_host;
  store_.in_host = this;
}

void ResumableCall::leave_host() {
  // Synchronous calls nest: whatever began inside this host call has finished by now.
  if (store_.in_host == this) store_.in_host = saved_in_host_;
  state_ = State::Running;
}

void ResumableCall::run_host() {
  FuncInst* f = host_.callee;
  const FuncType& ft = *f->type;
  // Arguments and results of the usual few values stay on the native stack, constructed only
  // as far as the type asks.
  constexpr size_t kInline = 8;
  alignas(Value) unsigned char inline_buf[2 * kInline * sizeof(Value)];
  std::vector<Value> heap_buf;
  size_t np = host_entry_ ? 0 : ft.params.size(), nr = ft.results.size();
  Value* buf = reinterpret_cast<Value*>(inline_buf);
  if (np + nr > 2 * kInline) {
    heap_buf.resize(np + nr);
    buf = heap_buf.data();
  }
  for (size_t i = 0; i < np; ++i) std::construct_at(buf + i);
  if (np) read_host_args(*t_, std::span(buf, np));
  for (size_t i = 0; i < nr; ++i) std::construct_at(buf + np + i, Value::null(ft.results[i]));
  std::span<const Value> args = host_entry_ ? std::span<const Value>(entry_args_) : std::span<const Value>(buf, np);
  std::span<Value> results(buf + np, nr);
  std::exception_ptr error;
  enter_sync_host();
  try {
    Caller c = caller();
    (*f->host)(c, args, results);
  } catch (...) {
    error = std::current_exception();
  }
  if (error) fail_host(error);
  else complete_host(results);
}

void ResumableCall::complete_host(std::span<const Value> results) {
  leave_host();
  try {
    check_host_results(store_, *host_.callee->type, results);
  } catch (Trap& trap) {
    fail(std::move(trap));
    return;
  }
  if (host_entry_) {
    results_.assign(results.begin(), results.end());
    finish();
    return;
  }
  resume_after_host(*t_, host_, results);
}

void ResumableCall::fail_host(std::exception_ptr error) {
  leave_host();
  // A Wasm exception the host function raised (or let through from a nested call) is thrown
  // in the guest at the call.
  try {
    std::rethrow_exception(error);
  } catch (const Exception& x) {
    if (host_entry_ || !pushed_) {
      fail(x);
      return;
    }
    try {
      if (raise_at_host_call(x)) return;
    } catch (Trap& trap) {
      fail(std::move(trap));
      return;
    }
    // Uncaught: the backtrace starts at the host function, as for a trap.
    Exception escaped = x;
    size_t omitted = 0;
    auto frames = backtrace(*t_, t_->ip, host_.callee, &omitted);
    escaped.set_backtrace(std::move(frames), omitted);
    fail(std::move(escaped));
    return;
  } catch (...) {
  }
  Trap trap = failure_of(error).trap;
  // The host function is frame 0, named after its import; its caller stopped at the call.
  if (trap.backtrace().empty() && pushed_ && !host_entry_) {
    // Where the caller stands (a re-entry in between may have moved the thread on).
    t_->inst = host_.inst;
    t_->ip = host_.resume;
    size_t omitted = 0;
    auto frames = backtrace(*t_, t_->ip, host_.callee, &omitted);
    trap.set_backtrace(std::move(frames), omitted);
  }
  fail(std::move(trap));
}

std::vector<Value> call_sync(StoreData& store, FuncInst* f, std::span<const Value> args, const CallLimits& limits) {
  ResumableCall call(store, f, args, limits, &store.sync_thread());
  for (;;) {
    switch (call.resume()) {
      case CallStatus::Done: return call.take_results();
      case CallStatus::Trap: call.throw_failure();
      case CallStatus::HostCall: call.run_host(); break;
      case CallStatus::Suspend:
        call.fail_host(std::make_exception_ptr(
            Trap(TrapKind::Host, "an async host function cannot be called synchronously")));
        break;
      case CallStatus::OutOfSlice: break;  // nothing to yield to
    }
  }
}

}  // namespace corowasm::detail
