;; A memory without a maximum: only Config::max_memory_pages bounds its growth.
(module
  (memory (export "mem") 1)
  (func (export "size") (result i32) (memory.size))
  (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0)))
  (func (export "load8") (param i32) (result i32) (i32.load8_u (local.get 0))))
