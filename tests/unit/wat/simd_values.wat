;; v128 values where the VM moves them: parameters and results (mixed with scalars, so slots
;; of the frames shift), locals, globals, select, block parameters, branches carrying them,
;; calls between Wasm functions and to a host import, and a table call.
(module
  (import "env" "swap" (func $swap (param i32 v128 i64) (result v128 i32)))
  (type $vv (func (param v128) (result v128)))
  (table 1 funcref)
  (elem (i32.const 0) $double)
  (global $g (export "g") (mut v128) (v128.const i32x4 10 20 30 40))
  (global $k v128 (v128.const i64x2 -1 7))

  (func $double (type $vv) (i32x4.add (local.get 0) (local.get 0)))

  ;; (a, v, b, w, c): a v128 between scalars, results in the same mix
  (func (export "mix") (param i32 v128 i64 v128 f32) (result f64 v128 i32 v128)
    (local $t v128)
    (local.set $t (i32x4.add (local.get 1) (local.get 3)))
    (f64.promote_f32 (local.get 4))
    (local.get $t)
    (i32.wrap_i64 (i64.add (local.get 2) (i64.extend_i32_u (local.get 0))))
    (call $double (local.get 3)))

  ;; a block of (v128, i32) -> (i32, v128) and a br out of it with both values
  (func (export "block") (param v128 i32) (result i32 v128)
    (local.get 0) (local.get 1)
    (block (param v128 i32) (result i32 v128)
      ;; the params, swapped and changed: (i32 + 4, v128 + 2)
      (local.set 1 (i32.add (i32.const 4)))
      (i32x4.add (i32x4.splat (i32.const 2)))
      (local.set 0)
      (local.get 1) (local.get 0)
      (br_if 0 (i32.eqz (i32.sub (local.get 1) (i32.const 4))))
      (drop) (drop)
      (i32.const 9) (local.get 0)))

  (func (export "select") (param v128 v128 i32) (result v128)
    (select (local.get 0) (local.get 1) (local.get 2)))

  (func (export "global") (param v128) (result v128)
    (global.get $g)
    (global.set $g (i32x4.add (global.get $g) (local.get 0)))
    (drop)
    (i64x2.add (global.get $g) (global.get $k)))

  (func (export "host") (param v128) (result v128 i32)
    (call $swap (i32.const 7) (local.get 0) (i64.const 8)))

  (func (export "indirect") (param v128) (result v128)
    (call_indirect (type $vv) (local.get 0) (i32.const 0)))

  ;; deep recursion with a v128 per frame: sums lanes 0 of n splats
  (func $rec (export "rec") (param v128 i32) (result v128)
    (if (result v128) (i32.eqz (local.get 1))
      (then (local.get 0))
      (else (call $rec (i32x4.add (local.get 0) (i32x4.splat (local.get 1)))
                       (i32.sub (local.get 1) (i32.const 1)))))))
