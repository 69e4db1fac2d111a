;; Declared locals start at zero on every path into a function: a direct call (to a function
;; compiled before or after the caller, or to itself), call_indirect and return_call, after
;; another function left nonzero values in the same stack slots. The callees declare 1, 7, 8,
;; 9 and 20 locals (8 or fewer take the call's fixed stores, more take memset).
(module
  (type $check (func (param i32) (result i64)))
  (table funcref (elem $z1 $z7 $z8 $z9 $z20))

  ;; Fills the 24 slots above its parameter with -1.
  (func $dirty (param i32)
    (local i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64)
    (local.set 1 (i64.const -1)) (local.set 2 (i64.const -1)) (local.set 3 (i64.const -1))
    (local.set 4 (i64.const -1)) (local.set 5 (i64.const -1)) (local.set 6 (i64.const -1))
    (local.set 7 (i64.const -1)) (local.set 8 (i64.const -1)) (local.set 9 (i64.const -1))
    (local.set 10 (i64.const -1)) (local.set 11 (i64.const -1)) (local.set 12 (i64.const -1))
    (local.set 13 (i64.const -1)) (local.set 14 (i64.const -1)) (local.set 15 (i64.const -1))
    (local.set 16 (i64.const -1)) (local.set 17 (i64.const -1)) (local.set 18 (i64.const -1))
    (local.set 19 (i64.const -1)) (local.set 20 (i64.const -1)) (local.set 21 (i64.const -1))
    (local.set 22 (i64.const -1)) (local.set 23 (i64.const -1)) (local.set 24 (i64.const -1)))

  ;; Each returns the OR of its declared locals plus 1000 * the parameter it got.
  (func $z1 (type $check) (local i64)
    (i64.add (local.get 1) (i64.mul (i64.extend_i32_u (local.get 0)) (i64.const 1000))))
  (func $z7 (type $check) (local i64 i64 i64 i64 i64 i64 i64)
    (i64.add
      (i64.or (i64.or (i64.or (local.get 1) (local.get 2)) (i64.or (local.get 3) (local.get 4)))
              (i64.or (i64.or (local.get 5) (local.get 6)) (local.get 7)))
      (i64.mul (i64.extend_i32_u (local.get 0)) (i64.const 1000))))
  (func $z8 (type $check) (local i64 i64 i64 i64 i64 i64 i64 i64)
    (i64.add
      (i64.or (i64.or (i64.or (local.get 1) (local.get 2)) (i64.or (local.get 3) (local.get 4)))
              (i64.or (i64.or (local.get 5) (local.get 6)) (i64.or (local.get 7) (local.get 8))))
      (i64.mul (i64.extend_i32_u (local.get 0)) (i64.const 1000))))
  (func $z9 (type $check) (local i64 i64 i64 i64 i64 i64 i64 i64 i64)
    (i64.add
      (i64.or (i64.or (i64.or (i64.or (local.get 1) (local.get 2)) (i64.or (local.get 3) (local.get 4)))
                      (i64.or (i64.or (local.get 5) (local.get 6)) (i64.or (local.get 7) (local.get 8))))
              (local.get 9))
      (i64.mul (i64.extend_i32_u (local.get 0)) (i64.const 1000))))

  ;; Direct calls: $z1 .. $z9 come before this function, $z20 after it.
  (func (export "direct") (param $k i32) (result i64)
    (local $r i64)
    (call $dirty (i32.const 0)) (local.set $r (call $z1 (local.get $k)))
    (call $dirty (i32.const 0)) (local.set $r (i64.or (local.get $r) (call $z7 (local.get $k))))
    (call $dirty (i32.const 0)) (local.set $r (i64.or (local.get $r) (call $z8 (local.get $k))))
    (call $dirty (i32.const 0)) (local.set $r (i64.or (local.get $r) (call $z9 (local.get $k))))
    (call $dirty (i32.const 0)) (local.set $r (i64.or (local.get $r) (call $z20 (local.get $k))))
    (local.get $r))

  ;; call_indirect of table entry $i after $dirty.
  (func (export "indirect") (param $k i32) (param $i i32) (result i64)
    (call $dirty (i32.const 0))
    (call_indirect (type $check) (local.get $k) (local.get $i)))

  ;; return_call of $z7 / $z20 from a frame whose own locals are dirty.
  (func $tail7 (param $k i32) (result i64)
    (local i64 i64 i64 i64 i64 i64 i64 i64 i64 i64)
    (local.set 1 (i64.const -1)) (local.set 2 (i64.const -1)) (local.set 5 (i64.const -1))
    (local.set 7 (i64.const -1)) (local.set 8 (i64.const -1)) (local.set 10 (i64.const -1))
    (return_call $z7 (local.get $k)))
  (func $tail20 (param $k i32) (result i64)
    (local i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64)
    (local.set 1 (i64.const -1)) (local.set 9 (i64.const -1)) (local.set 15 (i64.const -1))
    (local.set 20 (i64.const -1)) (local.set 21 (i64.const -1)) (local.set 22 (i64.const -1))
    (return_call $z20 (local.get $k)))
  (func (export "tail") (param $k i32) (result i64)
    (i64.or (call $tail7 (local.get $k)) (call $tail20 (local.get $k))))

  ;; Self-recursion: each level's 3 locals are zero on entry, then dirtied before recursing;
  ;; returns how many levels found a nonzero local.
  (func $rec (export "recurse") (param $n i32) (result i32)
    (local i64 i64 i64) (local $bad i32)
    (local.set $bad (i64.ne (i64.or (i64.or (local.get 1) (local.get 2)) (local.get 3)) (i64.const 0)))
    (local.set 1 (i64.const -1)) (local.set 2 (i64.const -1)) (local.set 3 (i64.const -1))
    (if (result i32) (i32.eqz (local.get $n))
      (then (local.get $bad))
      (else (i32.add (local.get $bad) (call $rec (i32.sub (local.get $n) (i32.const 1)))))))

  (func $z20 (type $check)
    (local i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64)
    (i64.add
      (i64.or
        (i64.or (i64.or (i64.or (local.get 1) (local.get 2)) (i64.or (local.get 3) (local.get 4)))
                (i64.or (i64.or (local.get 5) (local.get 6)) (i64.or (local.get 7) (local.get 8))))
        (i64.or
          (i64.or (i64.or (i64.or (local.get 9) (local.get 10)) (i64.or (local.get 11) (local.get 12)))
                  (i64.or (i64.or (local.get 13) (local.get 14)) (i64.or (local.get 15) (local.get 16))))
          (i64.or (i64.or (local.get 17) (local.get 18)) (i64.or (local.get 19) (local.get 20)))))
      (i64.mul (i64.extend_i32_u (local.get 0)) (i64.const 1000)))))
