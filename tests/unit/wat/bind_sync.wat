;; Imports bound from typed C++ callables with only <corowasm/bind.h> (tests/unit/bind_sync_only_test.cpp).
(module
  (import "env" "scale" (func $scale (param i32) (result i32)))
  (import "env" "note" (func $note (param i64)))
  (func (export "scale_twice") (param i32) (result i32) (call $scale (call $scale (local.get 0))))
  (func (export "note") (param i64) (call $note (local.get 0))))
