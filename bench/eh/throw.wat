;; The throw/catch micro-benchmark of `ninja bench` (legacy exception handling, as clang 19
;; emits it). Each export does n rounds and returns a checksum of the payloads:
;;   throw_0     throw and catch in one frame
;;   throw_100   throw 100 frames below the catch
;;   calls_100   the same 100 calls returning normally (what the unwinding replaces)
(module
  (tag $e (param i32))
  (func $down (param i32 i32)
    (if (local.get 0)
      (then (call $down (i32.sub (local.get 0) (i32.const 1)) (local.get 1)))
      (else (throw $e (local.get 1)))))
  (func $down_ret (param i32 i32) (result i32)
    (if (result i32) (local.get 0)
      (then (call $down_ret (i32.sub (local.get 0) (i32.const 1)) (local.get 1)))
      (else (local.get 1))))
  (func $throws (param $n i32) (param $depth i32) (result i32) (local $i i32) (local $sum i32)
    (block $done
      (loop $l
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (try (do (call $down (local.get $depth) (local.get $i)))
          (catch $e (local.set $sum (i32.add (local.get $sum)))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $l)))
    (local.get $sum))
  (func (export "throw_0") (param i32) (result i32) (call $throws (local.get 0) (i32.const 0)))
  (func (export "throw_100") (param i32) (result i32) (call $throws (local.get 0) (i32.const 100)))
  (func (export "calls_100") (param $n i32) (result i32) (local $i i32) (local $sum i32)
    (block $done
      (loop $l
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $sum (i32.add (local.get $sum) (call $down_ret (i32.const 100) (local.get $i))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $l)))
    (local.get $sum)))
