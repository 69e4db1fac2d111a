;; Imports a function the command line does not provide (cli/import-unknown).
(module
  (import "wasi_snapshot_preview1" "proc_exit" (func (param i32)))
  (import "env" "fetch" (func (param i32) (result i32)))
  (func (export "_start")))
