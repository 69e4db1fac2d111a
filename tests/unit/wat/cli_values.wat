;; Guest for the --invoke argument tests: each export prints the bits of its argument in hex
;; ("0x" and 8 or 16 digits) on stdout, so a test sees exactly what the command line parsed,
;; NaN payloads and the sign of zero included.
(module
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (memory 1)
  ;; 0: the iovec, 8: nwritten, 16: the line ("0x", the digits, "\n"), 64: the digit characters
  (data (i32.const 64) "0123456789abcdef")
  (func $print_hex (param $v i64) (param $digits i32)
    (local $i i32)
    (i32.store16 (i32.const 16) (i32.const 0x7830))  ;; "0x"
    ;; the digits from the last (the lowest nibble, at 17 + $digits) to the first (at 18)
    (local.set $i (local.get $digits))
    (block $done
      (loop $next
        (br_if $done (i32.eqz (local.get $i)))
        (i32.store8 (i32.add (i32.const 17) (local.get $i))
                    (i32.load8_u offset=64 (i32.wrap_i64 (i64.and (local.get $v) (i64.const 15)))))
        (local.set $v (i64.shr_u (local.get $v) (i64.const 4)))
        (local.set $i (i32.sub (local.get $i) (i32.const 1)))
        (br $next)))
    (i32.store8 (i32.add (i32.const 18) (local.get $digits)) (i32.const 10))
    (i32.store (i32.const 0) (i32.const 16))
    (i32.store (i32.const 4) (i32.add (local.get $digits) (i32.const 3)))
    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8))))
  (func (export "i32") (param i32) (call $print_hex (i64.extend_i32_u (local.get 0)) (i32.const 8)))
  (func (export "i64") (param i64) (call $print_hex (local.get 0) (i32.const 16)))
  (func (export "f32") (param f32) (call $print_hex (i64.extend_i32_u (i32.reinterpret_f32 (local.get 0))) (i32.const 8)))
  (func (export "f64") (param f64) (call $print_hex (i64.reinterpret_f64 (local.get 0)) (i32.const 16)))
  ;; v128: returned as it came (--invoke prints a v128 result as 0x and 32 hex digits, lane 15's
  ;; byte first), and two added as i32x4 lanes
  (func (export "v128") (param v128) (result v128) (local.get 0))
  (func (export "v128_add") (param v128 v128) (result v128) (i32x4.add (local.get 0) (local.get 1))))
