;; Host functions of every value type, called from Wasm.
(module
  (import "env" "i32" (func $h_i32 (param i32) (result i32)))
  (import "env" "i64" (func $h_i64 (param i64) (result i64)))
  (import "env" "f32" (func $h_f32 (param f32) (result f32)))
  (import "env" "f64" (func $h_f64 (param f64) (result f64)))
  (import "env" "ext" (func $h_ext (param externref) (result externref)))
  (import "env" "fref" (func $h_fref (param funcref) (result funcref)))
  (import "env" "multi" (func $h_multi (param i32 i64 f32 f64) (result f64 f32 i64 i32)))
  (import "env" "boom" (func $h_boom (param i32) (result i32)))
  (import "env" "fact_host" (func $fact_host (param i32) (result i32)))
  (type $i2i (func (param i32) (result i32)))
  (table $t 2 funcref)
  (func $double (param i32) (result i32) (i32.mul (local.get 0) (i32.const 2)))
  (elem declare func $double)

  (func (export "call_i32") (param i32) (result i32) (call $h_i32 (local.get 0)))
  (func (export "call_i64") (param i64) (result i64) (call $h_i64 (local.get 0)))
  (func (export "call_f32") (param f32) (result f32) (call $h_f32 (local.get 0)))
  (func (export "call_f64") (param f64) (result f64) (call $h_f64 (local.get 0)))
  ;; NaNs with payloads made in Wasm, passed to the host, returned as raw bits.
  (func (export "nan32") (result i32) (i32.reinterpret_f32 (call $h_f32 (f32.const nan:0x200001))))
  (func (export "nan64") (result i64) (i64.reinterpret_f64 (call $h_f64 (f64.const -nan:0x4000000000001))))

  (func (export "call_ext") (param externref) (result externref) (call $h_ext (local.get 0)))
  (func (export "ext_is_null") (param externref) (result i32) (ref.is_null (call $h_ext (local.get 0))))

  ;; The host gets $double as a funcref; what it returns is stored in the table and called.
  (func (export "fref_call") (param i32) (result i32)
    (table.set $t (i32.const 0) (call $h_fref (ref.func $double)))
    (call_indirect $t (type $i2i) (local.get 0) (i32.const 0)))
  ;; A funcref the host passes in is stored in the table and called.
  (func (export "call_via_table") (param funcref i32) (result i32)
    (table.set $t (i32.const 1) (local.get 0))
    (call_indirect $t (type $i2i) (local.get 1) (i32.const 1)))
  (func (export "fref_is_null") (result i32) (ref.is_null (call $h_fref (ref.null func))))
  (func (export "pass_fref") (param funcref) (result funcref) (local.get 0))

  (func (export "call_multi") (param i32 i64 f32 f64) (result f64 f32 i64 i32)
    (call $h_multi (local.get 0) (local.get 1) (local.get 2) (local.get 3)))
  ;; Multi-value from the host consumed in Wasm: i32 + i64 + trunc(f32) + trunc(f64), as i64.
  (func (export "multi_sum") (param i32 i64 f32 f64) (result i64)
    (local $d f64) (local $f f32) (local $l i64) (local $i i32)
    (call $h_multi (local.get 0) (local.get 1) (local.get 2) (local.get 3))
    (local.set $i) (local.set $l) (local.set $f) (local.set $d)
    (i64.add (i64.add (i64.extend_i32_s (local.get $i)) (local.get $l))
             (i64.add (i64.trunc_f32_s (local.get $f)) (i64.trunc_f64_s (local.get $d)))))

  (func (export "call_boom") (param i32) (result i32)
    (i32.add (call $h_boom (local.get 0)) (i32.const 1)))

  ;; fact(n) = n == 0 ? 1 : n * fact_host(n - 1); the host's fact_host calls "fact" again.
  (func (export "fact") (param $n i32) (result i32)
    (if (result i32) (i32.eqz (local.get $n))
      (then (i32.const 1))
      (else (i32.mul (local.get $n) (call $fact_host (i32.sub (local.get $n) (i32.const 1))))))))
