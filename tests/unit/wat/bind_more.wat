;; Host functions bound with bind.h beyond the scalar types: multi-value, bool, externref, void.
(module
  (import "env" "divmod" (func $divmod (param i32 i32) (result i32 i32)))
  (import "env" "both" (func $both (param i32 i32) (result i32)))
  (import "env" "keep" (func $keep (param externref) (result externref)))
  (import "env" "fail" (func $fail (param i32)))
  (func (export "divmod") (param i32 i32) (result i32 i32) (call $divmod (local.get 0) (local.get 1)))
  (func (export "both") (param i32 i32) (result i32) (call $both (local.get 0) (local.get 1)))
  (func (export "keep") (param externref) (result externref) (call $keep (local.get 0)))
  (func (export "fail") (param i32) (call $fail (local.get 0))))
