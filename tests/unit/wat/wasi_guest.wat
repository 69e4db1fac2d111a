;; A guest that calls WASI directly, for the async WASI tests (tests/async/wasi_test.cpp).
;; Scratch memory: 0..15 iovec, 16..31 results, 64..1087 data, 256.. subscriptions, 512.. events.
(module
  (import "wasi_snapshot_preview1" "fd_read" (func $fd_read (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "poll_oneoff" (func $poll_oneoff (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))
  (import "wasi_snapshot_preview1" "sock_recv" (func $sock_recv (param i32 i32 i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "sock_send" (func $sock_send (param i32 i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "sock_accept" (func $sock_accept (param i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_fdstat_set_flags" (func $fd_fdstat_set_flags (param i32 i32) (result i32)))
  (memory (export "memory") 1)

  ;; fd_read(fd) into 2048..(2048+1024): the byte count, or -errno.
  (func (export "read") (param $fd i32) (result i32)
    (local $err i32)
    (i32.store (i32.const 0) (i32.const 2048))
    (i32.store (i32.const 4) (i32.const 1024))
    (local.set $err (call $fd_read (local.get $fd) (i32.const 0) (i32.const 1) (i32.const 16)))
    (if (result i32) (local.get $err)
      (then (i32.sub (i32.const 0) (local.get $err)))
      (else (i32.load (i32.const 16)))))

  ;; fd_write(fd, 2048, len): bytes written, or -errno.
  (func (export "write") (param $fd i32) (param $len i32) (result i32)
    (local $err i32)
    (i32.store (i32.const 0) (i32.const 2048))
    (i32.store (i32.const 4) (local.get $len))
    (local.set $err (call $fd_write (local.get $fd) (i32.const 0) (i32.const 1) (i32.const 16)))
    (if (result i32) (local.get $err)
      (then (i32.sub (i32.const 0) (local.get $err)))
      (else (i32.load (i32.const 16)))))

  ;; Sleep `ns` on the monotonic clock with one poll_oneoff clock subscription (userdata 77):
  ;; the event's userdata, or -errno.
  (func (export "sleep") (param $ns i64) (result i32)
    (local $err i32)
    (i64.store (i32.const 256) (i64.const 77))      ;; userdata
    (i32.store8 (i32.const 264) (i32.const 0))      ;; tag: clock
    (i32.store (i32.const 272) (i32.const 1))       ;; monotonic
    (i64.store (i32.const 280) (local.get $ns))     ;; timeout
    (i64.store (i32.const 288) (i64.const 0))       ;; precision
    (i32.store16 (i32.const 296) (i32.const 0))     ;; relative
    (local.set $err (call $poll_oneoff (i32.const 256) (i32.const 512) (i32.const 1) (i32.const 16)))
    (if (result i32) (local.get $err)
      (then (i32.sub (i32.const 0) (local.get $err)))
      (else (i32.wrap_i64 (i64.load (i32.const 512))))))

  ;; Wait for fd to become readable, or the clock (userdata 1 = clock, 2 = fd): the userdata
  ;; of the first event, or -errno.
  (func (export "wait_read") (param $fd i32) (param $ns i64) (result i32)
    (local $err i32)
    (i64.store (i32.const 256) (i64.const 1))
    (i32.store8 (i32.const 264) (i32.const 0))
    (i32.store (i32.const 272) (i32.const 1))
    (i64.store (i32.const 280) (local.get $ns))
    (i64.store (i32.const 288) (i64.const 0))
    (i32.store16 (i32.const 296) (i32.const 0))
    (i64.store (i32.const 304) (i64.const 2))
    (i32.store8 (i32.const 312) (i32.const 1))      ;; tag: fd_read
    (i32.store (i32.const 320) (local.get $fd))
    (local.set $err (call $poll_oneoff (i32.const 256) (i32.const 512) (i32.const 2) (i32.const 16)))
    (if (result i32) (local.get $err)
      (then (i32.sub (i32.const 0) (local.get $err)))
      (else (i32.wrap_i64 (i64.load (i32.const 512))))))

  ;; sock_recv(fd) into 2048..(2048+1024): bytes, or -errno.
  (func (export "recv") (param $fd i32) (result i32)
    (local $err i32)
    (i32.store (i32.const 0) (i32.const 2048))
    (i32.store (i32.const 4) (i32.const 1024))
    (local.set $err (call $sock_recv (local.get $fd) (i32.const 0) (i32.const 1) (i32.const 0)
                                     (i32.const 16) (i32.const 20)))
    (if (result i32) (local.get $err)
      (then (i32.sub (i32.const 0) (local.get $err)))
      (else (i32.load (i32.const 16)))))

  ;; sock_send(fd, 2048, len): bytes, or -errno.
  (func (export "send") (param $fd i32) (param $len i32) (result i32)
    (local $err i32)
    (i32.store (i32.const 0) (i32.const 2048))
    (i32.store (i32.const 4) (local.get $len))
    (local.set $err (call $sock_send (local.get $fd) (i32.const 0) (i32.const 1) (i32.const 0) (i32.const 16)))
    (if (result i32) (local.get $err)
      (then (i32.sub (i32.const 0) (local.get $err)))
      (else (i32.load (i32.const 16)))))

  ;; sock_accept(fd): the new connection's fd, or -errno.
  (func (export "accept") (param $fd i32) (result i32)
    (local $err i32)
    (local.set $err (call $sock_accept (local.get $fd) (i32.const 0) (i32.const 16)))
    (if (result i32) (local.get $err)
      (then (i32.sub (i32.const 0) (local.get $err)))
      (else (i32.load (i32.const 16)))))

  ;; fd_fdstat_set_flags(fd, flags): 0 or the errno.
  (func (export "set_flags") (param $fd i32) (param $flags i32) (result i32)
    (call $fd_fdstat_set_flags (local.get $fd) (local.get $flags)))

  ;; Pure computation: n iterations of an LCG, for the guest that must keep running.
  (func (export "compute") (param $n i32) (result i32)
    (local $x i32)
    (local.set $x (i32.const 1))
    (block $done
      (loop $l
        (br_if $done (i32.eqz (local.get $n)))
        (local.set $x (i32.add (i32.mul (local.get $x) (i32.const 1103515245)) (i32.const 12345)))
        (local.set $n (i32.sub (local.get $n) (i32.const 1)))
        (br $l)))
    (local.get $x))

  (func (export "exit") (param $code i32) (call $proc_exit (local.get $code)))
)
