;; A guest for the hostile-guest WASI tests (tests/async/wasi_hostile_test.cpp): loops of fd_read
;; and fd_write over buffers anywhere in its memory (which the host grows with `grow`), opening
;; files until refused, random_get and poll_oneoff on buffers the host prepares.
;; Scratch: 0..7 iovec, 16..23 results. Results: >= 0 a count, < 0 -errno; -1000 a short write.
(module
  (import "wasi_snapshot_preview1" "fd_read" (func $fd_read (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_open"
    (func $path_open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "random_get" (func $random_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "poll_oneoff" (func $poll_oneoff (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)

  (func (export "grow") (param $pages i32) (result i32) (memory.grow (local.get $pages)))

  ;; One fd_write of buf[0..len): bytes written, or -errno.
  (func $write_once (export "write_once") (param $fd i32) (param $buf i32) (param $len i32) (result i32)
    (local $err i32)
    (i32.store (i32.const 0) (local.get $buf))
    (i32.store (i32.const 4) (local.get $len))
    (local.set $err (call $fd_write (local.get $fd) (i32.const 0) (i32.const 1) (i32.const 16)))
    (if (result i32) (local.get $err)
      (then (i32.sub (i32.const 0) (local.get $err)))
      (else (i32.load (i32.const 16)))))

  ;; `count` fd_writes of buf[0..len), each of which must write everything: the total, -errno,
  ;; or -1000 for a short write.
  (func (export "write_records") (param $fd i32) (param $buf i32) (param $len i32) (param $count i32) (result i32)
    (local $total i32) (local $r i32)
    (block $done
      (loop $l
        (br_if $done (i32.eqz (local.get $count)))
        (local.set $r (call $write_once (local.get $fd) (local.get $buf) (local.get $len)))
        (if (i32.lt_s (local.get $r) (i32.const 0)) (then (return (local.get $r))))
        (if (i32.ne (local.get $r) (local.get $len)) (then (return (i32.const -1000))))
        (local.set $total (i32.add (local.get $total) (local.get $r)))
        (local.set $count (i32.sub (local.get $count) (i32.const 1)))
        (br $l)))
    (local.get $total))

  ;; fd_read into buf, at most `chunk` bytes a call, until end of file or `cap` bytes: the
  ;; total, or -errno.
  (func (export "read_all") (param $fd i32) (param $buf i32) (param $cap i32) (param $chunk i32) (result i32)
    (local $got i32) (local $want i32) (local $err i32) (local $n i32)
    (block $done
      (loop $l
        (br_if $done (i32.ge_u (local.get $got) (local.get $cap)))
        (local.set $want (i32.sub (local.get $cap) (local.get $got)))
        (if (i32.gt_u (local.get $want) (local.get $chunk)) (then (local.set $want (local.get $chunk))))
        (i32.store (i32.const 0) (i32.add (local.get $buf) (local.get $got)))
        (i32.store (i32.const 4) (local.get $want))
        (local.set $err (call $fd_read (local.get $fd) (i32.const 0) (i32.const 1) (i32.const 16)))
        (if (local.get $err) (then (return (i32.sub (i32.const 0) (local.get $err)))))
        (local.set $n (i32.load (i32.const 16)))
        (br_if $done (i32.eqz (local.get $n)))
        (local.set $got (i32.add (local.get $got) (local.get $n)))
        (br $l)))
    (local.get $got))

  ;; path_open(dir, path[0..len)) for reading until it fails or `max` are open: the number
  ;; opened; the errno that stopped it at 20 (0 if none did).
  (func (export "open_many") (param $dir i32) (param $path i32) (param $len i32) (param $max i32) (result i32)
    (local $n i32) (local $err i32)
    (i32.store (i32.const 20) (i32.const 0))
    (block $done
      (loop $l
        (br_if $done (i32.ge_u (local.get $n) (local.get $max)))
        (local.set $err (call $path_open (local.get $dir) (i32.const 0) (local.get $path) (local.get $len)
                                         (i32.const 0) (i64.const 2) (i64.const 0) (i32.const 0) (i32.const 16)))
        (if (local.get $err) (then (i32.store (i32.const 20) (local.get $err)) (br $done)))
        (local.set $n (i32.add (local.get $n) (i32.const 1)))
        (br $l)))
    (local.get $n))

  ;; One fd_read of up to 1024 bytes into 64: bytes, or -errno.
  (func (export "read_once") (param $fd i32) (result i32)
    (local $err i32)
    (i32.store (i32.const 0) (i32.const 64))
    (i32.store (i32.const 4) (i32.const 1024))
    (local.set $err (call $fd_read (local.get $fd) (i32.const 0) (i32.const 1) (i32.const 16)))
    (if (result i32) (local.get $err)
      (then (i32.sub (i32.const 0) (local.get $err)))
      (else (i32.load (i32.const 16)))))

  (func (export "random") (param $buf i32) (param $len i32) (result i32)
    (call $random_get (local.get $buf) (local.get $len)))

  ;; poll_oneoff(in, out, n): the number of events, or -errno.
  (func (export "poll") (param $in i32) (param $out i32) (param $n i32) (result i32)
    (local $err i32)
    (local.set $err (call $poll_oneoff (local.get $in) (local.get $out) (local.get $n) (i32.const 16)))
    (if (result i32) (local.get $err)
      (then (i32.sub (i32.const 0) (local.get $err)))
      (else (i32.load (i32.const 16)))))
)
