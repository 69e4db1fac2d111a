;; `*p += k` (a reference count): i32.load, i32.add of a constant, i32.store to the same address
;; become one handler, i32.rmw_add, alone or with the test of the new value that follows it
;; (Py_DECREF's `if (--op->ob_refcnt == 0)`). fusion_test checks what each computes, where they
;; trap, and that the compiler fused them (and not the near misses).
(module
  (memory (export "mem") 1)
  (func $get (export "get") (param $p i32) (result i32) (i32.load (local.get $p)))
  (func (export "set") (param $p i32) (param $v i32) (i32.store (local.get $p) (local.get $v)))
  ;; i32.rmw_add
  (func (export "incref") (param $p i32)
    (i32.store offset=8 (local.get $p) (i32.add (i32.load offset=8 (local.get $p)) (i32.const 1))))
  ;; i32.rmw_add@acc: the address was computed just before
  (func (export "add_acc") (param $p i32) (param $k i32) (local $q i32)
    (local.set $q (i32.or (local.get $p) (local.get $k)))
    (i32.store (local.get $q) (i32.add (i32.load (local.get $q)) (i32.const -7))))
  ;; the loaded value tee'd into a local stays there: returns the old value
  (func (export "fetch_add") (param $p i32) (result i32) (local $old i32)
    (i32.store (local.get $p) (i32.add (local.tee $old (i32.load (local.get $p))) (i32.const 3)))
    (local.get $old))
  ;; i32.rmw_add->br_nz: 1 when the count dropped to zero (the sum tee'd, then i32.eqz + if)
  (func (export "decref") (param $p i32) (result i32) (local $t i32)
    (i32.store (local.get $p) (local.tee $t (i32.add (i32.load (local.get $p)) (i32.const -1))))
    (if (i32.eqz (local.get $t)) (then (return (i32.const 1))))
    (i32.const 0))
  ;; i32.rmw_add->br_z: br_if on i32.eqz of the tee'd local; returns the new count, or 100 +
  ;; it when it is nonzero
  (func (export "decref_br") (param $p i32) (result i32) (local $t i32)
    (block $zero
      (i32.store offset=4 (local.get $p) (local.tee $t (i32.add (i32.load offset=4 (local.get $p)) (i32.const -2))))
      (br_if $zero (i32.eqz (local.get $t)))
      (return (i32.add (local.get $t) (i32.const 100))))
    (local.get $t))
  ;; i32.rmw_add->br_nz through br_if on the tee'd local: 1 when the new count is nonzero
  (func (export "decref_nz") (param $p i32) (result i32) (local $t i32)
    (block $nz
      (i32.store (local.get $p) (local.tee $t (i32.add (i32.load (local.get $p)) (i32.const -1))))
      (br_if $nz (local.get $t))
      (return (i32.const 0)))
    (i32.const 1))
  ;; near misses, not fused: another address, another offset
  (func (export "move_add") (param $p i32) (param $q i32)
    (i32.store (local.get $q) (i32.add (i32.load (local.get $p)) (i32.const 1))))
  (func (export "shift_add") (param $p i32)
    (i32.store offset=4 (local.get $p) (i32.add (i32.load (local.get $p)) (i32.const 1))))
)
