;; A direct call takes in the copy, two copies or constant emitted right before it
;; (call_copy2, call_const). The moves run once the call's checks passed: $r recurses deep
;; enough for the call stack to grow under it (the call exits and re-executes), and its
;; second copy overwrites the first's source, so running them twice would show.
(module
  (func $add3 (param i32 i32 i32) (result i32)
    (i32.add (i32.add (local.get 0) (i32.mul (local.get 1) (i32.const 10))) (i32.mul (local.get 2) (i32.const 100))))
  ;; one copy, two copies, a constant as the last argument
  (func (export "one") (param $a i32) (result i32)
    (call $add3 (i32.const 1) (i32.const 2) (local.get $a)))
  (func (export "two") (param $a i32) (param $b i32) (result i32)
    (call $add3 (i32.const 3) (local.get $a) (local.get $b)))
  (func (export "konst") (param $a i32) (result i32)
    (call $add3 (local.get $a) (i32.const 4) (i32.const 5)))
  ;; returns n when every level kept x = n + 1000
  (func $r (export "r") (param $n i32) (result i32) (local $x i32) (local $y i32) (local $w i32) (local $res i32)
    (if (i32.eqz (local.get $n)) (then (return (i32.const 0))))
    (local.set $y (i32.add (local.get $n) (i32.const 1000)))
    (local.set $w (i32.add (local.get $n) (i32.const 7)))
    (i32.sub (local.get $n) (i32.const 1))
    (local.set $x (local.get $y))
    (local.set $y (local.get $w))
    (call $r)
    (local.set $res)
    (if (result i32) (i32.and (i32.eq (local.get $x) (i32.add (local.get $n) (i32.const 1000)))
                              (i32.eq (local.get $y) (i32.add (local.get $n) (i32.const 7))))
      (then (i32.add (local.get $res) (i32.const 1)))
      (else (i32.const -1000000)))))
