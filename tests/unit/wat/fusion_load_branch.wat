;; Loads whose value a br_if or if tests against zero, directly or through i32.eqz: the compiler
;; fuses each load with its branch (cli/disasm-load-branch checks that it did). strlen walks a
;; string byte by byte, list_len follows `next` pointers until null, count_flags tests 16-bit
;; and signed bytes, and oob's fused load traps naming the load's own offset.
(module
  (memory 1)
  ;; "hello, world" at 16; a list at 64: 64 -> 80 -> 96 -> 0 (next pointer at offset 4)
  (data (i32.const 16) "hello, world\00")
  (data (i32.const 68) "\50\00\00\00")
  (data (i32.const 84) "\60\00\00\00")
  (data (i32.const 100) "\00\00\00\00")
  ;; 16-bit values at 128: 3, 0, 7; bytes at 136: -1, 0, 5
  (data (i32.const 128) "\03\00\00\00\07\00")
  (data (i32.const 136) "\ff\00\05")
  (func (export "strlen") (param $p i32) (result i32)
    (local $n i32)
    (block $done
      (loop $l
        (br_if $done (i32.eqz (i32.load8_u (local.get $p))))
        (local.set $p (i32.add (local.get $p) (i32.const 1)))
        (local.set $n (i32.add (local.get $n) (i32.const 1)))
        (br $l)))
    (local.get $n))
  (func (export "list_len") (param $p i32) (result i32)
    (local $n i32)
    (block $done
      (loop $l
        (local.set $n (i32.add (local.get $n) (i32.const 1)))
        (br_if $l (local.tee $p (i32.load offset=4 (local.get $p))))))
    (local.get $n))
  (func (export "count_flags") (result i32)
    (local $n i32)
    (if (i32.load16_u (i32.const 128)) (then (local.set $n (i32.add (local.get $n) (i32.const 1)))))
    (if (i32.load16_u (i32.const 130)) (then (local.set $n (i32.add (local.get $n) (i32.const 10)))))
    (if (i32.load16_u (i32.const 132)) (then (local.set $n (i32.add (local.get $n) (i32.const 100)))))
    (if (i32.load8_s (i32.const 136)) (then (local.set $n (i32.add (local.get $n) (i32.const 1000)))))
    (if (i32.eqz (i32.load8_s (i32.const 137))) (then (local.set $n (i32.add (local.get $n) (i32.const 10000)))))
    (if (i32.load8_s (i32.const 138)) (then (local.set $n (i32.add (local.get $n) (i32.const 100000)))))
    (local.get $n))
  ;; the byte at p + 3 is nonzero: returns 1; out of bounds: traps in the load
  (func (export "oob") (param $p i32) (result i32)
    (block $b
      (br_if $b (i32.load8_u offset=3 (local.get $p)))
      (return (i32.const 0)))
    (i32.const 1)))
