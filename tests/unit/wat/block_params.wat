;; A block whose params have different types: inside, each keeps its own type.
(module
  (func (export "f") (result i32 i64)
    i32.const 1 i64.const 2
    block (param i32 i64) (result i32 i64)
      i64.const 3 i64.add
    end)
  (func (export "g") (param i32) (result i64 i32)
    i64.const 10 local.get 0
    loop (param i64 i32) (result i64 i32)
      i32.const 1 i32.sub
      local.tee 0
      local.get 0 br_if 0
    end))
