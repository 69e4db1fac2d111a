;; A guest for examples/spawn_fibers: sleeps (an async host import), then counts.
(module
  (import "env" "sleep" (func $sleep (param i32)))
  (import "env" "count" (func $count))
  (func (export "run") (param $ms i32)
    (call $sleep (local.get $ms))
    (call $count)))
