;; A guest whose time slices of 2 units end exactly at a host call: one call before the loop,
;; then each iteration is a call (1 unit) and a back edge (1 unit).
(module
  (import "env" "ping" (func $ping))
  (func (export "run") (param $n i32)
    (call $ping)
    (loop $l
      (call $ping)
      (br_if $l (local.tee $n (i32.sub (local.get $n) (i32.const 1)))))))
