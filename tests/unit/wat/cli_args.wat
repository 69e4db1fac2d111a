;; Guest for the --argv0 tests: a WASI command that prints each of its arguments, argv[0]
;; included, on a line of its own.
(module
  (import "wasi_snapshot_preview1" "args_sizes_get" (func $args_sizes_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "args_get" (func $args_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (memory 1)
  ;; 0: argc, 4: the strings' size, 8: two iovecs (the argument, "\n"), 24: nwritten, 28: "\n",
  ;; 1024: argv, 8192: the strings
  (data (i32.const 28) "\n")
  (func $strlen (param $p i32) (result i32)
    (local $n i32)
    (block $done
      (loop $next
        (br_if $done (i32.eqz (i32.load8_u (i32.add (local.get $p) (local.get $n)))))
        (local.set $n (i32.add (local.get $n) (i32.const 1)))
        (br $next)))
    (local.get $n))
  (func (export "_start")
    (local $i i32) (local $arg i32)
    (drop (call $args_sizes_get (i32.const 0) (i32.const 4)))
    (drop (call $args_get (i32.const 1024) (i32.const 8192)))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (i32.load (i32.const 0))))
        (local.set $arg (i32.load (i32.add (i32.const 1024) (i32.shl (local.get $i) (i32.const 2)))))
        (i32.store (i32.const 8) (local.get $arg))
        (i32.store (i32.const 12) (call $strlen (local.get $arg)))
        (i32.store (i32.const 16) (i32.const 28))
        (i32.store (i32.const 20) (i32.const 1))
        (drop (call $fd_write (i32.const 1) (i32.const 8) (i32.const 2) (i32.const 24)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next)))))
