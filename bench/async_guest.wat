;; Guest of the async bench.
(module
  (import "env" "count" (func $count))
  (import "env" "sleep" (func $sleep (param i32)))
  (func (export "noop"))
  (func (export "park") (call $sleep (i32.const 300)))
  (func (export "loop") (param $n i32)
    (loop $l (call $count)
      (br_if $l (local.tee $n (i32.sub (local.get $n) (i32.const 1))))))
  (func (export "loop_async") (param $n i32)
    (loop $l (call $sleep (i32.const 0))
      (br_if $l (local.tee $n (i32.sub (local.get $n) (i32.const 1)))))))
