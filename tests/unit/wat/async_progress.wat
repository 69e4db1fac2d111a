;; Guest for the async time-slicing test: spins n iterations and reports its progress.
(module
  (import "env" "progress" (func $progress (param i32)))
  ;; spin n iterations, calling env.progress(i) after every `every` of them; returns n
  (func (export "spin") (param $n i32) (param $every i32) (result i32) (local $i i32) (local $k i32)
    (block $done (loop $l
      (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (local.set $k (i32.add (local.get $k) (i32.const 1)))
      (if (i32.eq (local.get $k) (local.get $every))
        (then (local.set $k (i32.const 0)) (call $progress (local.get $i))))
      (br $l)))
    (local.get $i)))
