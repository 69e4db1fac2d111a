;; br_table on an index its last instruction computed as (x & k1) + k2, x + k, x - k or x & k
;; (CPython's `switch (opcode)`): the update runs inside the br_table handler
;; (h_br_table_and_add). Each function returns 10 + the entry taken (3 = default); fusion_test
;; checks them against a C++ model for indices around every edge.
(module
  (func (export "and_add") (param $x i32) (result i32)
    (block (block (block (block
      (br_table 0 1 2 3 (i32.add (i32.and (local.get $x) (i32.const 255)) (i32.const -1))))
      (return (i32.const 10))) (return (i32.const 11))) (return (i32.const 12))) (i32.const 13))
  (func (export "add") (param $x i32) (result i32)
    (block (block (block (block
      (br_table 0 1 2 3 (i32.add (local.get $x) (i32.const 2))))
      (return (i32.const 10))) (return (i32.const 11))) (return (i32.const 12))) (i32.const 13))
  (func (export "sub") (param $x i32) (result i32)
    (block (block (block (block
      (br_table 0 1 2 3 (i32.sub (local.get $x) (i32.const 5))))
      (return (i32.const 10))) (return (i32.const 11))) (return (i32.const 12))) (i32.const 13))
  (func (export "and") (param $x i32) (result i32)
    (block (block (block (block
      (br_table 0 1 2 3 (i32.and (local.get $x) (i32.const 6))))
      (return (i32.const 10))) (return (i32.const 11))) (return (i32.const 12))) (i32.const 13))
  ;; the index tee'd into a local stays there: returns 100 * (10 + entry) + the index, or the
  ;; index alone for the default
  (func (export "tee") (param $x i32) (result i32) (local $i i32) (local $r i32)
    (block (block (block (block
      (br_table 0 1 2 3 (local.tee $i (i32.add (i32.and (local.get $x) (i32.const 15)) (i32.const -3)))))
      (local.set $r (i32.const 10)) (br 2)) (local.set $r (i32.const 11)) (br 1)) (local.set $r (i32.const 12)))
    (i32.add (i32.mul (local.get $r) (i32.const 100)) (local.get $i)))
  ;; a loop dispatching on a counter (the backward entries spend fuel): returns the sum
  (func (export "loop") (param $n i32) (result i32) (local $s i32)
    (block $done
      (loop $top
        (block $b (block $a
          (br_table $a $b $top $done (i32.sub (local.tee $n (i32.add (local.get $n) (i32.const -1))) (i32.const 0))))
          (local.set $s (i32.add (local.get $s) (i32.const 1))) (br $top))
        (local.set $s (i32.add (local.get $s) (i32.const 100))) (br $top)))
    (local.get $s))
)
