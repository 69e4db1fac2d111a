;; A jump back to a loop whose first instruction is moves runs them itself and lands after them
;; (const_br, copy_br), where the next instruction may read the accumulator they set. fusion_test
;; runs these with a time slice of one fuel unit too: every jump back then leaves and resumes.
(module
  (memory 1)
  (data (i32.const 8) "\0a\00\00\00")  ;; the bound count loops to
  ;; starts with a constant, the address of i32.load@acc
  (func (export "count") (result i32) (local $i i32)
    (block $done (loop $next
      (br_if $done (i32.ge_u (local.get $i) (i32.load (i32.const 8))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $next)))
    (local.get $i))
  ;; starts with a copy, whose value the first addition takes from the accumulator
  (func (export "walk") (param $n i32) (result i32) (local $x i32) (local $y i32) (local $s i32)
    (local.set $y (i32.const 3))
    (block $done (loop $next
      (local.set $x (local.get $y))
      (local.set $s (i32.add (local.get $s) (local.get $x)))
      (local.set $s (i32.add (local.get $s) (local.get $x)))
      (local.set $y (i32.add (local.get $y) (i32.const 1)))
      (br_if $done (i32.eqz (local.tee $n (i32.sub (local.get $n) (i32.const 1)))))
      (br $next)))
    (local.get $s)))
