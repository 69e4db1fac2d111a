;; Needs env.f; instantiating it without imports must fail with LinkError.
(module
  (import "env" "f" (func $f (param i32) (result i32)))
  (func (export "g") (param i32) (result i32) (call $f (local.get 0))))
