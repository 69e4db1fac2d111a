;; A load whose value the next instruction stores (a struct copied field by field: jq's 16-byte
;; values) is one handler: i64.load->i64.store, i32.load->i32.store, with the load's address in
;; a slot, the accumulator or a fused add. fusion_test checks memory against a C++ model, and
;; that each access traps at its own offset.
(module
  (memory (export "mem") 1)
  (func (export "m64") (param $s i32) (param $d i32)
    (i64.store offset=5 (local.get $d) (i64.load offset=3 (local.get $s))))
  (func (export "m32") (param $s i32) (param $d i32)
    (i32.store offset=5 (local.get $d) (i32.load offset=3 (local.get $s))))
  (func (export "m64_acc") (param $s i32) (param $d i32) (local $q i32)
    (local.set $q (i32.or (local.get $s) (local.get $s)))
    (i64.store offset=5 (local.get $d) (i64.load offset=3 (local.get $q))))
  (func (export "m32_add") (param $s i32) (param $d i32)
    (i32.store offset=5 (local.get $d) (i32.load offset=3 (i32.add (local.get $s) (i32.const 16)))))
  ;; the loaded value tee'd into a local stays there: returned
  (func (export "m64_tee") (param $s i32) (param $d i32) (result i64) (local $x i64)
    (i64.store offset=5 (local.get $d) (local.tee $x (i64.load offset=3 (local.get $s))))
    (local.get $x)))
