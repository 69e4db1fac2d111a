;; Guest for the CLI option tests (built with --debug-names, so traps name their functions).
(module
  (memory (export "memory") 1)
  ;; loops forever: --fuel and --timeout must stop it
  (func $spin (export "spin") (loop $l (br $l)))
  ;; memory.grow by n pages: the old size, or -1 past --max-memory
  (func (export "grow") (param $n i32) (result i32) (memory.grow (local.get $n)))
  ;; a trap three named frames deep
  (func $inner (param i32) (result i32) (i32.div_u (i32.const 1) (local.get 0)))
  (func $middle (param i32) (result i32) (call $inner (local.get 0)))
  (func (export "outer") (param i32) (result i32) (call $middle (local.get 0))))
