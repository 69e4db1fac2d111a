;; Guest for the async tests.
(module
  (import "env" "fetch" (func $fetch (param i32) (result i32)))   ;; async host import
  (import "env" "fail" (func $fail (param i32) (result i32)))     ;; async host import that throws
  (func (export "add") (param i32 i32) (result i32) (i32.add (local.get 0) (local.get 1)))
  (func (export "noop"))
  ;; 1 / x one call down: a Wasm trap two frames deep when x = 0
  (func $div (param i32) (result i32) (i32.div_s (i32.const 1) (local.get 0)))
  (func (export "divide") (param i32) (result i32) (call $div (local.get 0)))
  ;; fetch(x) * 2 + 1
  (func (export "handle") (param i32) (result i32)
    (i32.add (i32.mul (call $fetch (local.get 0)) (i32.const 2)) (i32.const 1)))
  ;; recurse to depth n, call fetch at the bottom, add 1 per level on the way back
  (func $deep (export "deep") (param $n i32) (result i32)
    (if (result i32) (i32.eqz (local.get $n))
      (then (call $fetch (i32.const 1000)))
      (else (i32.add (call $deep (i32.sub (local.get $n) (i32.const 1))) (i32.const 1)))))
  (func (export "failing") (param i32) (result i32) (call $fail (local.get 0)))
  ;; spin n iterations (for time slicing); returns n
  (func (export "spin") (param $n i32) (result i32) (local $i i32)
    (block $done (loop $l
      (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $l)))
    (local.get $i))
  (func (export "forever") (loop $l (br $l))))
