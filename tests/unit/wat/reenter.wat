;; Traps in deep recursion, then host -> Wasm -> host -> Wasm re-entry on the same call stack.
(module
  (import "env" "cb" (func $cb (param i32) (result i32)))
  (import "env" "leaf" (func $leaf (param i32) (result i32)))
  (func $sum (export "sum") (param $n i32) (result i64)
    (if (result i64) (i32.eqz (local.get $n))
      (then (i64.const 0))
      (else (i64.add (i64.extend_i32_u (local.get $n))
                     (call $sum (i32.sub (local.get $n) (i32.const 1)))))))
  (func $dive (export "dive") (param $n i32) (result i32)
    (if (i32.eqz (local.get $n)) (then unreachable))
    (i32.add (call $dive (i32.sub (local.get $n) (i32.const 1))) (i32.const 1)))
  ;; outer(x) = 1000 + cb(x) + 7x, with 7x computed before the host call.
  (func $outer (export "outer") (param $x i32) (result i32)
    (local $keep i32)
    (local.set $keep (i32.mul (local.get $x) (i32.const 7)))
    (i32.add (i32.add (i32.const 1000) (call $cb (local.get $x))) (local.get $keep)))
  ;; inner(y) = leaf(y) * 3
  (func (export "inner") (param $y i32) (result i32)
    (i32.mul (call $leaf (local.get $y)) (i32.const 3)))
  ;; down(d, x) = outer(x) + d, calling outer from d frames deep.
  (func $down (export "down") (param $d i32) (param $x i32) (result i32)
    (if (result i32) (i32.eqz (local.get $d))
      (then (call $outer (local.get $x)))
      (else (i32.add (call $down (i32.sub (local.get $d) (i32.const 1)) (local.get $x))
                     (i32.const 1))))))
