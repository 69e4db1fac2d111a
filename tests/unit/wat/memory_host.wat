;; Memory grown by the host (or by a nested Wasm call the host makes) while a Wasm frame waits
;; for the host call to return: the resumed code must see the new size (and the new base, which
;; may have moved).
(module
  (import "env" "grow" (func $grow (param i32) (result i32)))
  (memory (export "mem") 1 4)
  ;; grow_then_store(addr, v) = old size + load(addr) after storing v at addr.
  (func (export "grow_then_store") (param $addr i32) (param $v i32) (result i32)
    (local $old i32)
    (local.set $old (call $grow (i32.const 2)))
    (i32.store (local.get $addr) (local.get $v))
    (i32.add (i32.load (local.get $addr)) (local.get $old)))
  (func (export "grow_wasm") (param i32) (result i32) (memory.grow (local.get 0)))
  (func (export "size") (result i32) (memory.size)))
