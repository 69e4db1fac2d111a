;; Exception handling under the async driver (async/exceptions): a guest suspended in an async
;; import throws after it resumes, an async import throws into its guest, and one escapes.
(module
  (import "env" "fetch" (func $fetch (param i32) (result i32)))
  (import "env" "fetch_throw" (func $fetch_throw (param i32) (result i32)))
  (import "env" "htag" (tag $htag (param i32)))
  (tag $e (export "e") (param i32))
  ;; n frames down, suspend in fetch, then throw what it returned
  (func $down (param i32) (result i32)
    (if (result i32) (local.get 0)
      (then (call $down (i32.sub (local.get 0) (i32.const 1))))
      (else (throw $e (call $fetch (i32.const 41))))))
  (func (export "resume_then_throw") (param i32) (result i32)
    (try (result i32) (do (call $down (local.get 0))) (catch $e)))
  (func (export "async_host_throws") (param i32) (result i32)
    (try (result i32)
      (do (call $fetch_throw (local.get 0)))
      (catch $htag (i32.add (i32.const 1)))))
  (func (export "escapes") (param i32) (result i32) (throw $e (call $fetch (local.get 0)))))
