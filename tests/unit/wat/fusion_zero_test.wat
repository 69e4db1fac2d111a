;; br_if / if on the result of an i32 add or and of a constant (a counter tee'd into its local,
;; a flag test, directly or through i32.eqz): the compiler fuses the update into the test against
;; zero (cli/disasm-op-branch).
(module (func (export "f") (param $x i32) (result i32)
  (loop $l
    (br_if $l (local.tee $x (i32.add (local.get $x) (i32.const -1)))))
  (block $b (br_if $b (i32.and (local.get $x) (i32.const 4))) (local.set $x (i32.const 9)))
  (if (i32.and (local.get $x) (i32.const 8)) (then (local.set $x (i32.const 7))))
  (block $c (br_if $c (i32.eqz (i32.and (local.get $x) (i32.const 16)))) (local.set $x (i32.const 1)))
  (local.get $x)))
