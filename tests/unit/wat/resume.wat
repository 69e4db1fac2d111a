;; Host calls in the middle of computations at call depth 3, inside a loop, with operands of
;; the enclosing expressions pending across each call (they live in frame slots while the
;; host runs). env.tick records its argument and returns a value mixed into the result.
(module
  (import "env" "tick" (func $tick (param i32) (result i32)))
  ;; inner(n, seed): acc = seed; for i in 0..n-1:
  ;;   acc = acc*3 + (tick(10i+1) xor i)
  ;;   acc = acc - tick(10i+2)
  (func $inner (param $n i32) (param $seed i32) (result i32)
    (local $i i32) (local $acc i32)
    (local.set $acc (local.get $seed))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $acc
          (i32.add
            (i32.mul (local.get $acc) (i32.const 3))
            (i32.xor (call $tick (i32.add (i32.mul (local.get $i) (i32.const 10)) (i32.const 1)))
                     (local.get $i))))
        (local.set $acc
          (i32.sub (local.get $acc)
                   (call $tick (i32.add (i32.mul (local.get $i) (i32.const 10)) (i32.const 2)))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next)))
    (local.get $acc))
  ;; middle(n) = 100000 + inner(n, 7)
  (func $middle (param $n i32) (result i32)
    (i32.add (i32.const 100000) (call $inner (local.get $n) (i32.const 7))))
  ;; run(n) = tick(9000) + middle(n)*2 - tick(9001)
  (func (export "run") (param $n i32) (result i32)
    (i32.sub
      (i32.add (call $tick (i32.const 9000))
               (i32.mul (call $middle (local.get $n)) (i32.const 2)))
      (call $tick (i32.const 9001)))))
