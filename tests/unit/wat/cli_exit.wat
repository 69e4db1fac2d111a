;; Guest for the CLI's exit-status tests: proc_exit with any code.
(module
  (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))
  (memory (export "memory") 1)
  (func (export "exit_with") (param $code i32) (call $proc_exit (local.get $code)))
  ;; As a command: 256, which the OS would truncate to a successful 0.
  (func (export "_start") (call $proc_exit (i32.const 256))))
