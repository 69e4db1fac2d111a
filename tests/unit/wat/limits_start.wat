;; A start function that never returns: instantiation must obey fuel, deadlines and cancellation.
(module
  (global $g (mut i32) (i32.const 0))
  (func $start (loop $l (global.set $g (i32.add (global.get $g) (i32.const 1))) (br $l)))
  (start $start))
