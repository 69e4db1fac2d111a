;; Adjacent moves are one handler: a copy then a constant (copy_const), two constants (const2).
(module
  (func (export "moves") (param $a i32) (result i64) (local $x i32) (local $y i32) (local $z i64) (local $w i64)
    (local.set $x (local.get $a))
    (local.set $y (i32.const 7))
    (local.set $z (i64.const 0x100000002))
    (local.set $w (i64.const -3))
    (i64.add (i64.add (i64.extend_i32_u (i32.add (i32.mul (local.get $x) (i32.const 100)) (local.get $y)))
                      (local.get $z))
             (local.get $w))))
