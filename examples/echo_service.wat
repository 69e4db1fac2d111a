;; A guest for examples/echo_service: echoes its connection until the peer closes it.
;; read(ptr, len) -> n and write(ptr, len) are async host imports over the connection's socket.
(module
  (import "conn" "read" (func $read (param i32 i32) (result i32)))
  (import "conn" "write" (func $write (param i32 i32)))
  (memory 1)
  (func (export "serve") (result i32) (local $n i32) (local $total i32)
    (block $closed
      (loop $next
        (local.set $n (call $read (i32.const 1024) (i32.const 4096)))
        (br_if $closed (i32.eqz (local.get $n)))
        (call $write (i32.const 1024) (local.get $n))
        (local.set $total (i32.add (local.get $total) (local.get $n)))
        (br $next)))
    (local.get $total)))
