;; A start function that awaits an async import, then stores what it returned.
(module
  (import "env" "fetch" (func $fetch (param i32) (result i32)))
  (global $g (export "g") (mut i32) (i32.const 0))
  (func $start (global.set $g (call $fetch (i32.const 20))))
  (start $start))
