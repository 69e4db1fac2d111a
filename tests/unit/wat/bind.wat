;; Imports bound from typed C++ callables (tests/unit/bind_test.cpp).
(module
  (import "env" "add" (func $add (param i32 i32) (result i32)))
  (import "env" "mix" (func $mix (param i64 f32 f64) (result f64)))
  (import "env" "sum" (func $sum (param i32 i32) (result i32)))
  (memory (export "mem") 1)
  (data (i32.const 16) "\01\02\03\04")
  (func (export "add") (param i32 i32) (result i32) (call $add (local.get 0) (local.get 1)))
  (func (export "mix") (param i64 f32 f64) (result f64) (call $mix (local.get 0) (local.get 1) (local.get 2)))
  (func (export "sum") (param i32 i32) (result i32) (call $sum (local.get 0) (local.get 1))))
