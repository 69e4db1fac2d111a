;; Deep (non-tail) recursion: every level is a real Wasm frame.
(module
  ;; sum(n) = n + (n-1) + ... + 0, computed with n+1 nested frames.
  (func $sum (export "sum") (param $n i32) (result i64)
    (if (result i64) (i32.eqz (local.get $n))
      (then (i64.const 0))
      (else (i64.add (i64.extend_i32_u (local.get $n))
                     (call $sum (i32.sub (local.get $n) (i32.const 1)))))))
  ;; dive(n) recurses n levels and then hits `unreachable`.
  (func $dive (export "dive") (param $n i32) (result i32)
    (if (i32.eqz (local.get $n)) (then unreachable))
    (i32.add (call $dive (i32.sub (local.get $n) (i32.const 1))) (i32.const 1))))
