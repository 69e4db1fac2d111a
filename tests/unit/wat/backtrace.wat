;; Backtraces: each frame's module offset, export names for functions the (absent) name
;; section does not name, a host frame. Built without --debug-names, so $helper has no name.
(module
  (import "env" "sum" (func $sum (param i32 i32) (result i32)))
  (memory 1)
  ;; an out-of-bounds load whose address an i32.add computed (the two fuse into one handler)
  (func $helper (param i32) (result i32)
    (i32.load (i32.add (local.get 0) (i32.const 65536))))
  (func (export "load_oob") (param i32) (result i32)
    (call $helper (local.get 0)))
  ;; the host function reads past the end of memory
  (func (export "host_oob") (result i32)
    (call $sum (i32.const 65534) (i32.const 4)))
  ;; unbounded recursion
  (func $down (export "down") (param i32) (result i32)
    (call $down (i32.add (local.get 0) (i32.const 1)))))
