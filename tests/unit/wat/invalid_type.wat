;; Ill-typed on purpose (converted with wat2wasm --no-check): the body leaves an i64 where the
;; signature promises an i32, so validation must fail with "type mismatch".
(module
  (func (export "f") (result i32) (i64.const 1)))
