;; Imports a host function and a library export, both provided by a Linker.
(module
  (import "env" "add" (func $add (param i32 i32) (result i32)))
  (import "lib" "next" (func $next (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 0) "\2a")
  (func (export "add") (param i32 i32) (result i32) (call $add (local.get 0) (local.get 1)))
  (func (export "next") (result i32) (call $next)))
