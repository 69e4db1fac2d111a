;; Guest for the limit tests (tests/unit/limits_test.cpp, tests/async/limits_test.cpp).
(module
  (import "env" "reenter" (func $reenter (param i32) (result i32)))
  (memory (export "memory") 256)  ;; 16 MiB
  (table $t0 (export "t0") 10 funcref)
  ;; f(n) = n through n host re-entries: f calls the host, the host calls f(n - 1)
  (func (export "f") (param $n i32) (result i32)
    (if (result i32) (i32.eqz (local.get $n))
      (then (i32.const 0))
      (else (i32.add (call $reenter (i32.sub (local.get $n) (i32.const 1))) (i32.const 1)))))
  (func (export "fill") (param $d i32) (param $v i32) (param $n i32)
    (memory.fill (local.get $d) (local.get $v) (local.get $n)))
  (func (export "copy") (param $d i32) (param $s i32) (param $n i32)
    (memory.copy (local.get $d) (local.get $s) (local.get $n)))
  ;; fill n bytes k times, one loop iteration each
  (func (export "fill_loop") (param $n i32) (param $k i32)
    (loop $l
      (memory.fill (i32.const 0) (local.get $k) (local.get $n))
      (br_if $l (local.tee $k (i32.sub (local.get $k) (i32.const 1))))))
  (func (export "table_grow") (param $n i32) (result i32) (table.grow $t0 (ref.null func) (local.get $n)))
  (func (export "table_fill") (param $n i32) (table.fill $t0 (i32.const 0) (ref.null func) (local.get $n)))
  ;; rec(n): n frames deep, then a trap
  (func $rec (export "rec") (param $n i32)
    (if (i32.eqz (local.get $n)) (then unreachable))
    (call $rec (i32.sub (local.get $n) (i32.const 1))))
  (func (export "spin") (loop $l (br $l))))
