;; Tail calls (wat2wasm --enable-tail-call): must run in constant call-stack space.
(module
  (import "env" "tick" (func $tick (param i32) (result i32)))
  (type $i2i (func (param i32) (result i32)))
  (table $t 1 funcref)
  (elem (table $t) (i32.const 0) func $tick)
  ;; loop(n, acc) = acc + n + (n-1) + ... + 1, by return_call to itself.
  (func $loop (export "loop") (param $n i64) (param $acc i64) (result i64)
    (if (i64.eqz (local.get $n)) (then (return (local.get $acc))))
    (return_call $loop (i64.sub (local.get $n) (i64.const 1))
                       (i64.add (local.get $acc) (local.get $n))))
  ;; Mutual tail recursion: is_even(n) -> 1 when n is even.
  (func $is_even (export "is_even") (param $n i32) (result i32)
    (if (i32.eqz (local.get $n)) (then (return (i32.const 1))))
    (return_call $is_odd (i32.sub (local.get $n) (i32.const 1))))
  (func $is_odd (param $n i32) (result i32)
    (if (i32.eqz (local.get $n)) (then (return (i32.const 0))))
    (return_call $is_even (i32.sub (local.get $n) (i32.const 1))))
  ;; Tail calls whose callee is a host function (direct and through the table), at depth 2:
  ;; via_tail(x) = 1000 + tick(x) + tick(x + 1)
  (func $tail_direct (param $x i32) (result i32)
    (return_call $tick (local.get $x)))
  (func $tail_indirect (param $x i32) (result i32)
    (return_call_indirect $t (type $i2i) (local.get $x) (i32.const 0)))
  (func (export "via_tail") (param $x i32) (result i32)
    (i32.add (i32.add (i32.const 1000) (call $tail_direct (local.get $x)))
             (call $tail_indirect (i32.add (local.get $x) (i32.const 1))))))
