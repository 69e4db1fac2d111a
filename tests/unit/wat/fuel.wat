;; Fuel accounting: one unit per taken backward branch (loop iteration) and per call.
(module
  (func $leaf)
  ;; n iterations: the back-edge is taken n-1 times.
  (func (export "count") (param $n i32) (result i32) (local $i i32)
    (loop $l
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (local.get $n))))
    (local.get $i))
  ;; n calls and n-1 back-edges.
  (func (export "calls") (param $n i32) (local $i i32)
    (loop $l
      (call $leaf)
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (local.get $n)))))
  (func (export "spin") (loop $l (br $l))))
