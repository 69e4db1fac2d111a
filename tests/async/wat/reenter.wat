;; Async re-entry: step(n) calls the async import reenter(n), whose host function calls step(n - 1)
;; back into this instance while step(n) is suspended; step(0) = 1000, each level adds 11.
(module
  (import "env" "reenter" (func $reenter (param i32) (result i32)))
  (func $step (export "step") (param $n i32) (result i32)
    (if (result i32) (i32.eqz (local.get $n))
      (then (i32.const 1000))
      (else (i32.add (call $reenter (local.get $n)) (i32.const 1)))))
  ;; the same, trapping at the bottom
  (func $step_trap (export "step_trap") (param $n i32) (result i32)
    (if (result i32) (i32.eqz (local.get $n))
      (then (unreachable))
      (else (i32.add (call $reenter (local.get $n)) (i32.const 1)))))
  ;; spin n iterations (so that a nested call yields)
  (func (export "spin") (param $n i32) (result i32) (local $i i32)
    (block $done (loop $l
      (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $l)))
    (local.get $i)))
